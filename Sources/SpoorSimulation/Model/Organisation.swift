import SpoorCore

/// What a host is for; it decides what runs on it and what it logs.
public enum HostRole: String, Sendable, Hashable, Codable, CaseIterable {
    case workstation, fileServer = "file-server", domainController = "domain-controller", webServer = "web-server",
         proxy, backupServer = "backup-server", database
}

public enum HostOS: String, Sendable, Hashable, Codable { case windows, linux }

public struct SimHost: Sendable, Hashable, Codable {
    /// NetBIOS-style name (`ACME-WS014`), upper case for Windows, lower case for Linux.
    public var name: String
    public var role: HostRole
    public var os: HostOS
    public var ip: IPAddress
    /// The user who works at it (workstations).
    public var owner: String?

    /// The fully qualified name in the client's DNS domain.
    public func fqdn(_ client: SimClient) -> String { name.lowercased() + "." + client.dnsDomain }
}

public enum UserRole: String, Sendable, Hashable, Codable { case employee, admin, developer, service }

public struct SimUser: Sendable, Hashable, Codable {
    /// sAMAccountName (`j.smith`, `svc_backup`).
    public var name: String
    public var role: UserRole
    /// Local working hours (start, end), e.g. 8…17; services run around the clock.
    public var workStart: Int
    public var workEnd: Int
    public var worksWeekends: Bool
    /// The Windows SID (S-1-5-21-…-RID).
    public var sid: String
}

/// One client organisation.
public struct SimClient: Sendable, Hashable {
    /// `organization.id` (`acme`).
    public var id: String
    /// The NetBIOS domain (`ACME`).
    public var domain: String
    /// The DNS domain (`acme-corp.net`).
    public var dnsDomain: String
    /// Offset of local time from UTC in seconds (no daylight saving in the simulation).
    public var utcOffset: Int
    /// The client's address block (`10.<n>.0.0/16`).
    public var network: IPNetwork
    /// The client's public address (its NAT and web server face the internet from here).
    public var publicIP: IPAddress
    public var hosts: [SimHost]
    public var users: [SimUser]

    public func hosts(_ role: HostRole) -> [SimHost] { hosts.filter { $0.role == role } }
    public var workstations: [SimHost] { hosts(.workstation) }
    public var domainController: SimHost? { hosts(.domainController).first }
    public var proxy: SimHost? { hosts(.proxy).first }
    public var webServer: SimHost? { hosts(.webServer).first }
    public var people: [SimUser] { users.filter { $0.role != .service } }
    public var admins: [SimUser] { users.filter { $0.role == .admin } }
    public func user(_ name: String) -> SimUser? { users.first { $0.name == name } }

    /// True when `time` falls in `user`'s working hours on a working day (local time).
    public func isWorking(_ user: SimUser, at time: Timestamp) -> Bool {
        let local = CivilTime(utcMicroseconds: time.microseconds + Int64(utcOffset) * 1_000_000)
        let weekday = SimCalendar.weekday(local)    // 1 = Monday … 7 = Sunday
        if weekday >= 6 && !user.worksWeekends { return false }
        return local.hour >= user.workStart && local.hour < user.workEnd
    }
}

/// The simulated organisations of one run.
public struct Organisation: Sendable, Hashable {
    public var clients: [SimClient]

    static let companies: [(id: String, domain: String, dns: String, offsetHours: Int)] = [
        ("acme", "ACME", "acme-corp.net", 1), ("globex", "GLOBEX", "globex-group.com", -5),
        ("initech", "INITECH", "initech-software.com", -8), ("umbrella", "UMBRELLA", "umbrella-labs.org", 0),
        ("hooli", "HOOLI", "hooli-systems.com", 9), ("vandelay", "VANDELAY", "vandelay-imports.com", 2),
    ]
    static let givenNames = ["anna", "ben", "carla", "david", "elena", "frank", "greta", "hugo", "irene", "jonas",
                             "karin", "lukas", "maria", "nils", "olga", "paul", "rosa", "simon", "tanja", "urs",
                             "vera", "walter", "yara", "zoe", "adrian", "bettina", "cedric", "daria", "emil", "fiona"]
    static let surnames = ["meier", "schmid", "keller", "weber", "huber", "fischer", "brunner", "baumann", "frei",
                           "zimmermann", "moser", "graf", "wyss", "roth", "suter", "kaufmann", "bucher", "kunz"]

    /// Builds the organisations of a configuration: per client a domain controller, a file
    /// server, a web server, a proxy/resolver, a backup server and a database server (Linux
    /// web, proxy, backup and database; Windows DC and file server), workstations for the rest,
    /// one person per workstation, two or three admins, and service accounts.
    public static func build(_ config: SimulationConfig) -> Organisation {
        var rng = SplitMix64(seed: config.seed ^ 0x0A6A_0000)
        var clients: [SimClient] = []
        for c in 0..<max(1, config.clients) {
            let company = companies[c % companies.count]
            let id = c < companies.count ? company.id : "\(company.id)\(c / companies.count + 1)"
            let octet = UInt32(10 + c)
            let base: UInt32 = (10 << 24) | (octet << 16)
            let sidBase = "S-1-5-21-\(1_000_000_000 + rng.below(900_000_000))-\(1_000_000_000 + rng.below(900_000_000))-\(1_000_000_000 + rng.below(900_000_000))"
            var users: [SimUser] = []
            var used = Set<String>()
            var rid = 1104
            func person(_ role: UserRole) -> SimUser {
                var name = ""
                repeat {
                    name = "\(rng.pick(givenNames)).\(rng.pick(surnames))"
                } while used.contains(name)
                used.insert(name)
                rid += 1
                let start = role == .developer ? 9 + rng.below(2) : 7 + rng.below(3)
                return SimUser(name: name, role: role, workStart: start, workEnd: start + 8 + rng.below(2),
                               worksWeekends: role == .admin && rng.chance(0.5), sid: "\(sidBase)-\(rid)")
            }
            let servers: [(String, HostRole, HostOS)] = [
                ("DC01", .domainController, .windows), ("FS01", .fileServer, .windows), ("web01", .webServer, .linux),
                ("proxy01", .proxy, .linux), ("backup01", .backupServer, .linux), ("db01", .database, .linux),
            ]
            var hosts: [SimHost] = []
            for (i, s) in servers.enumerated() {
                hosts.append(SimHost(name: s.2 == .windows ? "\(company.domain)-\(s.0)" : s.0, role: s.1, os: s.2,
                                     ip: IPAddress(ipv4: base | (1 << 8) | UInt32(10 + i)), owner: nil))
            }
            let adminCount = 2 + rng.below(2)
            for _ in 0..<adminCount { users.append(person(.admin)) }
            let workstations = max(2, config.hosts - servers.count)
            for w in 0..<workstations {
                let u = person(w % 5 == 0 ? .developer : .employee)
                users.append(u)
                hosts.append(SimHost(name: "\(company.domain)-WS\(String(100 + w).suffix(3))", role: .workstation, os: .windows,
                                     ip: IPAddress(ipv4: base | (2 << 8) | UInt32(20 + w)), owner: u.name))
            }
            for svc in ["svc_backup", "svc_sql", "svc_monitor"] {
                rid += 1
                users.append(SimUser(name: svc, role: .service, workStart: 0, workEnd: 24, worksWeekends: true, sid: "\(sidBase)-\(rid)"))
            }
            clients.append(SimClient(id: id, domain: company.domain + (c < companies.count ? "" : "\(c)"), dnsDomain: company.dns,
                                     utcOffset: company.offsetHours * 3600,
                                     network: IPNetwork(address: IPAddress(ipv4: base), prefixLength: 16),
                                     publicIP: IPAddress(ipv4: (198 << 24) | (18 << 16) | (UInt32(c) << 8) | 10),
                                     hosts: hosts, users: users))
        }
        return Organisation(clients: clients)
    }
}

/// Calendar helpers in UTC civil time.
public enum SimCalendar {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public static func weekday(_ t: CivilTime) -> Int {
        let days = CivilTime.daysFromCivil(year: t.year, month: t.month, day: t.day)   // days since 1970-01-01 (a Thursday)
        return Int(((days % 7) + 7 + 3) % 7) + 1
    }
}
