import SpoorCore

/// Benign activity on the client's Linux servers (web01, proxy01, backup01, db01), written to
/// each host's `auth.log`: admins' SSH sessions in their working hours (mostly publickey, some
/// password, now and then a mistyped password first) and in the evening from home to the
/// exposed web server, their sudo commands (sometimes after a mistyped sudo password),
/// developers' sessions from the office or from home, the nightly backup account, cron's PAM
/// sessions, and the internet's background noise against the exposed web server (single
/// guesses from many addresses, invalid users, banner grabs).
enum LinuxActivity {
    static let all: [ActivityEntry] = [
        ActivityEntry(name: "linux-logins", run: logins),
        ActivityEntry(name: "linux-cron", run: cron),
        ActivityEntry(name: "linux-internet-noise", run: internetNoise),
    ]

    static func linuxHosts(_ client: SimClient) -> [SimHost] {
        client.hosts.filter { $0.os == .linux }.sorted { $0.name < $1.name }
    }

    /// Where an admin works from: an address in the client's admin subnet (`x.y.3.10+i`).
    static func adminAddress(_ client: SimClient, _ user: SimUser) -> IPAddress {
        let i = client.admins.firstIndex(of: user) ?? 0
        let base = client.network.address.ipv4 ?? (10 << 24)
        return IPAddress(ipv4: base | (3 << 8) | UInt32(10 + i))
    }

    /// Commands admins run with sudo; the curl download and the script are ordinary admin work
    /// (and hard negatives next to an attacker's download).
    static let adminCommands: [(command: String, seconds: Double)] = [
        ("/usr/bin/systemctl status nginx", 0.4), ("/usr/bin/systemctl restart nginx", 1.2),
        ("/usr/bin/apt-get update", 9), ("/usr/bin/apt-get -y upgrade", 95), ("/usr/bin/journalctl -u ssh --since today", 3),
        ("/usr/bin/tail -n 200 /var/log/syslog", 0.3), ("/usr/bin/less /var/log/auth.log", 40),
        ("/usr/bin/vim /etc/nginx/sites-available/default", 120), ("/usr/bin/df -h", 0.1),
        ("/usr/bin/du -sh /var/backups", 6), ("/usr/bin/systemctl restart postgresql", 3),
        ("/usr/bin/curl -fsSLO https://github.com/prometheus/node_exporter/releases/download/v1.7.0/node_exporter-1.7.0.linux-amd64.tar.gz", 4),
        ("/usr/bin/bash /opt/scripts/rotate-certs.sh", 12), ("/usr/sbin/reboot", 0.2), ("/usr/bin/ss -tlnp", 0.1),
        ("/usr/bin/docker ps", 0.5), ("/usr/bin/crontab -l", 0.1), ("/usr/sbin/ufw status", 0.3),
    ]

    /// Whether `person` has an account on `host`: admins everywhere, developers on the web and
    /// database servers they deploy to.
    static func hasAccount(_ person: SimUser, on host: SimHost) -> Bool {
        person.role == .admin || (person.role == .developer && (host.role == .webServer || host.role == .database))
    }

    /// Where a person works from at home: one address of a residential provider per person,
    /// stable over the run (`InternetAddresses`, the same blocks the internet's guesses come from).
    static func homeAddress(_ client: SimClient, _ user: SimUser) -> IPAddress {
        var rng = SplitMix64(seed: LinuxAccounts.fnv(client.id + "/home/" + user.name))
        return InternetAddresses.random(&rng)
    }

    /// How a person types passwords into ssh and sudo. Mistyped passwords are common: at
    /// Dropbox about 10% of failed logins were a handful of simple typos (caps lock, a
    /// flipped first letter), and 3% of users failed to log in in a day for them alone
    /// (Chatterjee, Athalye, Akhawe, Juels & Ristenpart 2016, "pASSWORD tYPOS and How to
    /// Correct Them Securely", IEEE S&P). An admin types a password at every password login
    /// and at the first sudo of a session (sudo 1.9's timestamp_timeout of 15 minutes).
    static func typos(_ rng: inout SplitMix64, rate: Double) -> Int {
        rng.chance(rate) ? 1 + (rng.chance(0.25) ? 1 + rng.below(2) : 0) : 0
    }

    /// One admin session with its sudo commands (office or home).
    static func adminSession(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at start: Timestamp, admin: SimUser,
                             from: IPAddress, port: Int, session: Int) {
        let method: SSHD.Method = rng.chance(0.25) ? .password : .publickey
        let failures = method == .password ? typos(&rng, rate: 0.3) : 0
        let tty = rng.below(3)
        let commands = rng.below(4)
        SSHD.session(log, &out, &rng, at: start, user: admin.name, from: from, port: port,
                     method: method, failures: failures, duration: 60 + rng.exponential(mean: 1200),
                     session: session, label: nil) { t0, o, r in
            var t = t0
            for i in 0..<commands {
                let c = r.pick(adminCommands)
                // Only the first sudo of a session asks for the password.
                let wrong = i == 0 ? typos(&r, rate: 0.12) : 0
                let givesUp = wrong > 0 && r.chance(0.1)
                SSHD.sudo(log, &o, &r, at: t, user: admin.name, tty: tty, command: c.command, seconds: c.seconds * (0.5 + r.unit()), label: nil,
                          typos: wrong, givesUp: givesUp)
                t = SSHD.after(t, Double(wrong) * 4 + c.seconds + 5 + r.exponential(mean: 60))
            }
        }
    }

    /// Admins log on to the Linux servers during their working hours, and now and then in the
    /// evening from home to the web server (the one host whose SSH port is open to the
    /// internet; the others are reached over the VPN, from the admin subnet); the backup
    /// account pulls from web01 and db01 every night.
    static func logins(_ context: inout SimulationContext) {
        let client = context.client
        let hosts = linuxHosts(client)
        guard !hosts.isEmpty else { return }
        var rng = context.rng
        var out = context.output
        var sessionNumber: [String: Int] = [:]
        for h in hosts { sessionNumber[h.name] = 1 + rng.below(400) }
        func nextSession(_ h: SimHost) -> Int {
            let n = sessionNumber[h.name, default: 1]
            sessionNumber[h.name] = n + 1 + (rng.chance(0.1) ? rng.below(3) : 0)
            return n
        }
        let exposed = hosts.first { $0.role == .webServer }
        for day in 0..<context.config.days {
            for admin in client.admins {
                let weekday = context.local(context.time(day: day, localSeconds: 43_200)).weekday
                let weekend = weekday >= 6
                if weekend && (!admin.worksWeekends || !rng.chance(0.3)) { continue }
                let count = weekend ? 1 : 1 + rng.below(5)
                let from = adminAddress(client, admin)
                for _ in 0..<count {
                    let local = Double(admin.workStart * 3600) + rng.unit() * Double(max(1, admin.workEnd - admin.workStart) * 3600 - 1800)
                    let start = context.time(day: day, localSeconds: local)
                    let host = hosts[rng.below(hosts.count)]
                    adminSession(AuthLog(client: client, host: host), &out, &rng, at: start, admin: admin, from: from,
                                 port: InternetAddresses.port(&rng, windows: true), session: nextSession(host))
                }
                // From home, after hours: a look at the site, a restart, an update (on call).
                if let web = exposed, rng.chance(weekend ? 0.4 : 0.35) {
                    for _ in 0..<(1 + (rng.chance(0.3) ? 1 : 0)) {
                        let local = Double(admin.workEnd * 3600) + 1800 + rng.unit() * 4 * 3600
                        adminSession(AuthLog(client: client, host: web), &out, &rng, at: context.time(day: day, localSeconds: local), admin: admin,
                                     from: homeAddress(client, admin), port: InternetAddresses.port(&rng, windows: rng.chance(0.5)), session: nextSession(web))
                    }
                }
            }
            // Developers deploy to the web server and look at the database: publickey from
            // their workstations, a password (sometimes mistyped) now and then.
            for dev in client.users where dev.role == .developer {
                let weekday = context.local(context.time(day: day, localSeconds: 43_200)).weekday
                guard weekday < 6, let ws = client.workstations.first(where: { $0.owner == dev.name }) else { continue }
                for _ in 0..<rng.below(4) {
                    let local = Double(dev.workStart * 3600) + rng.unit() * Double(max(1, dev.workEnd - dev.workStart) * 3600 - 1800)
                    let targets = hosts.filter { $0.role == .webServer || $0.role == .database }
                    guard !targets.isEmpty else { break }
                    // On a day at home (one in four) a developer reaches only the web server,
                    // from the home connection.
                    let homeHost = rng.chance(0.25) ? exposed : nil
                    let host = homeHost ?? targets[rng.below(targets.count)]
                    let method: SSHD.Method = rng.chance(0.3) ? .password : .publickey
                    SSHD.session(AuthLog(client: client, host: host), &out, &rng, at: context.time(day: day, localSeconds: local), user: dev.name,
                                 from: homeHost == nil ? ws.ip : homeAddress(client, dev),
                                 port: InternetAddresses.port(&rng, windows: true), method: method,
                                 failures: method == .password ? typos(&rng, rate: 0.35) : 0,
                                 duration: 30 + rng.exponential(mean: 600), session: nextSession(host), label: nil)
                }
            }
            // The nightly pull of the backup server: publickey at 01:30 local, 10–40 minutes.
            if let backup = hosts.first(where: { $0.role == .backupServer }) {
                for target in hosts where target.role == .webServer || target.role == .database {
                    let start = context.time(day: day, localSeconds: 5400 + rng.unit() * 120 + (target.role == .database ? 1800 : 0))
                    SSHD.session(AuthLog(client: client, host: target), &out, &rng, at: start, user: "svc_backup", from: backup.ip,
                                 port: InternetAddresses.port(&rng, windows: false), method: .publickey, failures: 0,
                                 duration: 600 + rng.unit() * 1800, session: nextSession(target), label: nil)
                }
            }
        }
        context.output = out
        context.rng = rng
    }

    /// cron's sessions: the hourly run-parts as root on every host, and each host's own job.
    static func cron(_ context: inout SimulationContext) {
        let client = context.client
        var rng = context.rng
        var out = context.output
        let jobs: [HostRole: (user: String, every: Int, seconds: Double)] = [
            .webServer: ("root", 30, 0.8), .proxy: ("root", 5, 0.3), .backupServer: ("svc_backup", 15, 4), .database: ("postgres", 10, 2),
        ]
        for host in linuxHosts(client) {
            let log = AuthLog(client: client, host: host)
            let own = jobs[host.role]
            for day in 0..<context.config.days {
                for minute in stride(from: 0, to: 1440, by: 1) {
                    var users: [(String, Double)] = []
                    if minute % 60 == 17 { users.append(("root", 0.5 + rng.unit())) }
                    if minute == 6 * 60 + 25 { users.append(("root", 20 + rng.unit() * 40)) }   // cron.daily
                    if let own, minute % own.every == (own.every == 5 ? 0 : 2) { users.append((own.user, own.seconds * (0.5 + rng.unit()))) }
                    for (user, seconds) in users {
                        let t = context.time(day: day, localSeconds: Double(minute * 60) + 0.01 + rng.unit() * 0.3)
                        guard t >= context.start && t < context.end else { continue }
                        SSHD.cron(log, &out, &rng, at: t, user: user, seconds: seconds)
                    }
                }
            }
        }
        context.output = out
        context.rng = rng
    }

    /// User names internet scanners try.
    static let scannerUsers = ["admin", "test", "user", "ubuntu", "oracle", "postgres", "git", "ftpuser", "guest", "pi",
                               "deploy", "support", "dev", "jenkins", "hadoop", "minecraft", "nagios", "steam", "server",
                               "test1", "administrator", "mysql", "www", "ansible", "vagrant", "debian", "user1", "sa",
                               "centos", "ec2-user", "tomcat", "odoo", "ts3", "es", "elastic", "uucp", "zabbix", "backup"]

    /// Mean seconds between internet connections to the exposed SSH port.
    static let noiseGap = 75.0

    /// The internet against web01 (port 22 open): about one connection every 75 s, each from
    /// a new address, most trying one password for one name; one in twenty is a bot that
    /// stays for a burst of 5–40 connections.
    static func internetNoise(_ context: inout SimulationContext) {
        let client = context.client
        guard let web = client.webServer, web.os == .linux else { return }
        var rng = context.rng
        var out = context.output
        let log = AuthLog(client: client, host: web)
        var t = SSHD.after(context.start, rng.exponential(mean: noiseGap))
        while t < context.end {
            let ip = InternetAddresses.random(&rng)
            let port = InternetAddresses.port(&rng, windows: rng.chance(0.2))
            if rng.chance(0.05) {
                // A bot that stays: a burst of guesses for root and common names, a new
                // connection (and source port) each time.
                var names = [("root", true)] + scannerUsers.shuffledPrefix(1 + rng.below(3), &rng).map { ($0, false) }
                if rng.chance(0.5), !client.people.isEmpty {
                    // A name of the company's from a leaked list, tried with the common ones.
                    let person = client.people[rng.below(client.people.count)]
                    names.insert((person.name, hasAccount(person, on: web)), at: 1)
                }
                for i in 0..<(5 + rng.below(35)) {
                    let (user, exists) = names[i % names.count]
                    t = SSHD.failedConnection(log, &out, &rng, at: t, user: user, exists: exists, from: ip, port: InternetAddresses.port(&rng, windows: false),
                                              attempts: 1 + rng.below(3), label: nil)
                    t = SSHD.after(t, 0.5 + rng.exponential(mean: 4))
                }
                t = SSHD.after(t, rng.exponential(mean: noiseGap))
                continue
            }
            switch rng.below(10) {
            case 0, 1, 2:
                SSHD.probe(log, &out, &rng, at: t, from: ip, port: port)
            case 3, 4:
                _ = SSHD.failedConnection(log, &out, &rng, at: t, user: "root", exists: true, from: ip, port: port,
                                          attempts: rng.chance(0.8) ? 1 : 2 + rng.below(2), label: nil)
            case 5, 6, 7:
                // Names in the company's `first.last` shape from leaked lists (some real).
                let name = rng.chance(0.5) && !client.people.isEmpty ? client.people[rng.below(client.people.count)].name
                    : Organisation.givenNames[rng.below(Organisation.givenNames.count)] + "." + Organisation.surnames[rng.below(Organisation.surnames.count)]
                let exists = client.people.contains { $0.name == name && hasAccount($0, on: web) }
                _ = SSHD.failedConnection(log, &out, &rng, at: t, user: name, exists: exists, from: ip, port: port,
                                          attempts: rng.chance(0.8) ? 1 : 2 + rng.below(2), label: nil)
            default:
                _ = SSHD.failedConnection(log, &out, &rng, at: t, user: rng.pick(scannerUsers), exists: false, from: ip, port: port,
                                          attempts: rng.chance(0.8) ? 1 : 2 + rng.below(2), label: nil)
            }
            t = SSHD.after(t, rng.exponential(mean: noiseGap))
        }
        context.output = out
        context.rng = rng
    }
}
