import SpoorCore
import SpoorEvents

/// What spoor learns about a user's environment from its own events (as ingest produced them),
/// so that scenarios run against the user's hosts, users and addresses: hosts with their
/// addresses, users, internal address blocks, the time span, and per source file its format,
/// volume, time zone and record times (where injected records go).
public struct LearnedEnvironment: Sendable {
    public struct Host: Sendable, Hashable {
        public var name: String
        public var ips: [IPAddress]
        public var events: Int
        public var os: HostOS
        /// Events on the host with a public source address (internet exposure).
        public var publicSources: Int
    }

    public struct File: Sendable {
        /// `log.file.path` as ingest wrote it.
        public var path: String
        /// `spoor.parser`: the format ingest read the file as.
        public var parser: String
        public var dataset: String?
        public var events: Int
        public var first: Timestamp?
        public var last: Timestamp?
        /// The offset of the file's local times from UTC (`event.timezone`), when it wrote one.
        public var utcOffset: Int?
        /// Events per `host.name`.
        public var hosts: [String: Int]
        /// `log.offset` → `@timestamp` of each record that has one.
        public var times: [Int: Timestamp]

        /// The host most of the file's events name.
        public var mainHost: String? { hosts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key }
    }

    var hostTable: [String: Host] = [:]
    var userCounts: [String: Int] = [:]
    var loginUsers: Set<String> = []
    var networkCounts: [IPNetwork: Int] = [:]
    /// Internal (RFC 1918) source addresses and how often each started something: the hosts of
    /// logs that name none (a Zeek sensor's).
    var internalSourceCounts: [IPAddress: Int] = [:]
    var offsetCounts: [Int: Int] = [:]
    public private(set) var files: [String: File] = [:]
    public private(set) var start: Timestamp?
    public private(set) var end: Timestamp?

    public init() {}

    public init(_ batches: some Sequence<EventBatch>) {
        for b in batches { learn(b) }
    }

    /// Hosts by name.
    public var hosts: [Host] { hostTable.values.sorted { $0.name < $1.name } }
    /// Users by name (accounts that are names of people or services, not `-` or machine accounts).
    public var users: [String] { userCounts.keys.sorted() }
    /// RFC 1918 /16 blocks seen as source addresses, most used first.
    public var internalNetworks: [IPNetwork] {
        networkCounts.sorted { ($0.value, $1.key.description) > ($1.value, $0.key.description) }.map(\.key)
    }
    /// The span most records fall in (10th to 90th percentile of record times): a few stray
    /// years in a file (year-less dates, test lines) do not stretch it.
    public var typicalSpan: (start: Timestamp, end: Timestamp)? {
        let all = files.values.flatMap { $0.times.values }.sorted()
        guard !all.isEmpty else { return nil }
        return (all[all.count / 10], all[min(all.count - 1, all.count * 9 / 10)])
    }

    /// The file whose path is `relative` or ends with `/relative`.
    public func file(endingWith relative: String) -> File? {
        if let f = files[relative] { return f }
        return files.values.filter { $0.path.hasSuffix("/" + relative) }.min { $0.path.count < $1.path.count }
    }

    static let ignoredUsers: Set<String> = ["-", "", "system", "local service", "network service", "anonymous logon", "(unknown)", "unknown"]

    static func isRFC1918(_ ip: IPAddress) -> Bool {
        guard let v = ip.ipv4 else { return false }
        return v >> 24 == 10 || v >> 20 == 0xAC1 || v >> 16 == 0xC0A8
    }

    /// Adds one batch of events.
    public mutating func learn(_ batch: EventBatch) {
        for r in 0..<batch.count {
            let path = batch.value(row: r, field: Field.logFilePath)?.description ?? ""
            var file = files[path] ?? File(path: path, parser: batch.value(row: r, field: Field.spoorParser)?.description ?? "",
                                           dataset: nil, events: 0, first: nil, last: nil, utcOffset: nil, hosts: [:], times: [:])
            file.events += 1
            if file.dataset == nil { file.dataset = batch.value(row: r, field: Field.eventDataset)?.description }
            let time: Timestamp? = if case .timestamp(let t)? = batch.value(row: r, field: Field.timestamp) { t } else { nil }
            if let t = time {
                file.first = min(file.first ?? t, t)
                file.last = max(file.last ?? t, t)
                start = min(start ?? t, t)
                end = max(end ?? t, t)
                if case .int(let o)? = batch.value(row: r, field: Field.logOffset) { file.times[Int(o)] = t }
            }
            if file.utcOffset == nil, let tz = batch.value(row: r, field: Field.eventTimezone)?.description, let o = Self.offset(tz) {
                file.utcOffset = o
                offsetCounts[o, default: 0] += 1
            }
            let source: IPAddress? = if case .ip(let ip)? = batch.value(row: r, field: Field.sourceIP) { ip } else { nil }
            if let source, Self.isRFC1918(source) {
                internalSourceCounts[source, default: 0] += 1
                networkCounts[IPNetwork(address: source, prefixLength: 16), default: 0] += 1
            }
            if let name = batch.value(row: r, field: Field.hostName)?.description, !name.isEmpty, name != "-" {
                file.hosts[name, default: 0] += 1
                let os: HostOS = file.parser.hasPrefix("windows") || file.parser.hasPrefix("winlogbeat") ? .windows : .linux
                var host = hostTable[name] ?? Host(name: name, ips: [], events: 0, os: os, publicSources: 0)
                host.events += 1
                if let source, !source.isPrivate { host.publicSources += 1 }
                if case .ip(let ip)? = batch.value(row: r, field: Field.hostIP), !host.ips.contains(ip) { host.ips.append(ip) }
                hostTable[name] = host
            }
            if let user = batch.value(row: r, field: Field.userName)?.description, !Self.ignoredUsers.contains(user.lowercased()),
               !user.hasSuffix("$"), user.utf8.count <= 64, user.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) {
                userCounts[user, default: 0] += 1
                if batch.value(row: r, field: Field.eventOutcome)?.description == "success",
                   batch.value(row: r, field: Field.eventAction)?.description == "ssh-login" { loginUsers.insert(user) }
            }
            files[path] = file
        }
    }

    /// `+02:00` → 7200.
    static func offset(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
              let h = Int(text.dropFirst(1).prefix(2)), let m = Int(text.suffix(2)) else { return nil }
        return (b[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }

    /// The environment as a simulated client, so scenarios run unchanged against it: Linux
    /// hosts (those seen in syslog) get server roles (the one most addressed from the internet
    /// is the web server), Windows hosts are workstations (a name with `DC` a domain
    /// controller); users who log in over SSH are admins. Hosts without a learned address get
    /// one in the main internal block.
    public func client(id: String = "learned") -> SimClient {
        let network = internalNetworks.first ?? IPNetwork(address: IPAddress(ipv4: 10 << 24), prefixLength: 16)
        let base = network.address.ipv4 ?? (10 << 24)
        var used = Set(hostTable.values.flatMap(\.ips))
        var next: UInt32 = (1 << 8) | 10
        func allocate() -> IPAddress {
            while used.contains(IPAddress(ipv4: base | next)) { next += 1 }
            let ip = IPAddress(ipv4: base | next)
            used.insert(ip)
            next += 1
            return ip
        }
        var users: [SimUser] = []
        let names = usersByUse
        var admins = names.filter { loginUsers.contains($0) }
        if admins.isEmpty, let top = names.first { admins = [top] }
        for (i, name) in names.enumerated() {
            let role: UserRole = admins.contains(name) ? .admin : (name.hasPrefix("svc") ? .service : .employee)
            users.append(SimUser(name: name, role: role, workStart: role == .service ? 0 : 8, workEnd: role == .service ? 24 : 17,
                                 worksWeekends: role == .service, sid: "S-1-5-21-1000000000-1000000000-1000000000-\(1105 + i)"))
        }
        var hosts: [SimHost] = []
        let linux = hostTable.values.filter { $0.os == .linux }
            .sorted { ($0.publicSources, $0.events, $1.name) > ($1.publicSources, $1.events, $0.name) }
        let serverRoles: [HostRole] = [.proxy, .backupServer, .database]
        for (i, h) in linux.enumerated() {
            hosts.append(SimHost(name: h.name, role: i == 0 ? .webServer : serverRoles[(i - 1) % serverRoles.count], os: .linux,
                                 ip: h.ips.first ?? allocate(), owner: nil))
        }
        for h in hostTable.values.filter({ $0.os == .windows }).sorted(by: { $0.name < $1.name }) {
            let isDC = h.name.uppercased().contains("DC")
            hosts.append(SimHost(name: h.name, role: isDC ? .domainController : .workstation, os: .windows, ip: h.ips.first ?? allocate(),
                                 owner: nil))
        }
        // Logs that name no hosts (a network sensor's): the busiest internal source addresses
        // become the workstations the scenarios run on, named by their address.
        if !hosts.contains(where: { $0.role == .workstation }) {
            let known = Set(hosts.map(\.ip))
            let busiest = internalSourceCounts.filter { !known.contains($0.key) }
                .sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(50)
            for (ip, _) in busiest {
                let name = "WS-" + String(ip.description.map { $0 == "." || $0 == ":" ? "-" : $0 })
                hosts.append(SimHost(name: name, role: .workstation, os: .windows, ip: ip, owner: users.first?.name))
            }
        }
        let offset = offsetCounts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? 0
        return SimClient(id: id, domain: id.uppercased(), dnsDomain: id + ".internal", utcOffset: offset, network: network,
                         publicIP: IPAddress(ipv4: (198 << 24) | (18 << 16) | 10), hosts: hosts, users: users)
    }

    /// User names, most used first (ties by name).
    var usersByUse: [String] {
        userCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }
}
