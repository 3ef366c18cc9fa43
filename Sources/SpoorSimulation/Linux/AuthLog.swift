import SpoorCore

/// One Linux host's `auth.log` as rsyslog writes it on Debian 12 (`RSYSLOG_FileFormat`: RFC 3339
/// timestamps with microseconds and the local offset, then host, tag and message), and the
/// message texts of OpenSSH 9, PAM 1.5 (`pam_unix`), systemd-logind, sudo 1.9 and cron as Debian 12
/// writes them.
///
/// Benign activity and attack scenarios write through the same functions, so an attack's
/// records differ from benign ones only in what happens (source, user, outcome, command), never
/// in how it is written.
struct AuthLog {
    let client: SimClient
    let host: SimHost
    let file: String

    init(client: SimClient, host: SimHost) {
        self.client = client
        self.host = host
        self.file = client.id + "/linux/" + host.name + "/auth.log"
    }

    /// `2026-03-02T08:00:01.123456+01:00 web01 sshd[1234]: message`.
    func line(_ t: Timestamp, _ tag: String, _ message: String) -> String {
        t.iso8601(offsetSeconds: client.utcOffset) + " " + host.name + " " + tag + ": " + message
    }

    func add(_ out: inout SimulationOutput, _ t: Timestamp, _ tag: String, _ message: String, _ label: TruthLabel?) {
        out.add(file, time: t, line: line(t, tag, message), client: client.id, host: host.name, label: label)
    }
}

/// Numbers Linux gives a user's account (uid), stable per name within a client.
enum LinuxAccounts {
    /// uid of `user` on the client's Linux hosts: admins from 1000 in the order the client lists
    /// them, service accounts below 1000, root 0; anyone else gets a uid derived from the name.
    static func uid(_ user: String, in client: SimClient) -> Int {
        if user == "root" { return 0 }
        if user == "svc_backup" { return 998 }
        if user == "svc_monitor" { return 997 }
        if user == "postgres" { return 105 }
        if user == "www-data" { return 33 }
        let people = client.users.filter { $0.role != .service }
        if let i = people.firstIndex(where: { $0.name == user }) { return 1000 + i }
        return 1000 + Int(fnv(user) % 500) + people.count
    }

    /// The key fingerprint of a user's SSH key (`SHA256:` + 43 base64 characters), fixed per user.
    static func keyFingerprint(_ user: String, client: SimClient) -> String {
        var rng = SplitMix64(seed: fnv(client.id + "/" + user))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return "SHA256:" + String((0..<43).map { _ in alphabet[rng.below(alphabet.count)] })
    }

    static func fnv(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// Addresses on the internet for scanners and attackers (never reserved or private blocks).
enum InternetAddresses {
    static let firstOctets: [UInt32] = [5, 23, 31, 37, 43, 45, 46, 58, 59, 61, 77, 78, 80, 83, 89, 91, 92, 94, 101, 103, 106,
                                        109, 112, 114, 115, 116, 117, 118, 119, 121, 122, 124, 134, 139, 141, 146, 150, 152,
                                        157, 159, 161, 164, 165, 167, 170, 175, 176, 178, 180, 182, 185, 186, 188, 190, 193,
                                        194, 195, 201, 202, 206, 211, 212, 213, 217, 218, 220, 221, 222]

    static func random(_ rng: inout SplitMix64) -> IPAddress {
        let a = rng.pick(firstOctets)
        return IPAddress(ipv4: (a << 24) | (UInt32(rng.below(256)) << 16) | (UInt32(rng.below(256)) << 8) | UInt32(1 + rng.below(254)))
    }

    /// A client port: Linux's ephemeral range or Windows' (a scanner runs on either).
    static func port(_ rng: inout SplitMix64, windows: Bool) -> Int {
        windows ? 49152 + rng.below(16384) : 32768 + rng.below(28232)
    }
}

/// The SSH, PAM, logind and sudo messages of one server, as functions of what happens.
enum SSHD {
    enum Method: String { case publickey, password }

    /// A process id as Debian 12's kernel hands them out (pid_max 4194304 on 64-bit, but a
    /// server's pids stay in the low hundred thousands).
    static func pid(_ rng: inout SplitMix64) -> Int { 1000 + rng.below(240_000) }

    /// A successful login and its session: optional failed password attempts first (a typo),
    /// then `Accepted …`, the PAM session, logind's session, and — after `duration` seconds —
    /// the disconnect and session close. Returns the session's pid, logind session number and
    /// the time the user is in (for commands).
    @discardableResult
    static func session(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at start: Timestamp,
                        user: String, from ip: IPAddress, port: Int, method: Method, failures: Int, duration: Double,
                        session: Int, label: TruthLabel?,
                        inside: (_ t: Timestamp, _ out: inout SimulationOutput, _ rng: inout SplitMix64) -> Void = { _, _, _ in }) -> Timestamp {
        let pid = pid(&rng)
        let tag = "sshd[\(pid)]"
        let uid = LinuxAccounts.uid(user, in: log.client)
        var t = start
        for _ in 0..<failures {
            log.add(&out, t, tag, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=\(user)", label)
            t = after(t, 1.8 + rng.unit() * 0.8)
            log.add(&out, t, tag, "Failed password for \(user) from \(ip) port \(port) ssh2", label)
            t = after(t, 2 + rng.exponential(mean: 3))
        }
        switch method {
        case .publickey:
            log.add(&out, t, tag, "Accepted publickey for \(user) from \(ip) port \(port) ssh2: ED25519 \(LinuxAccounts.keyFingerprint(user, client: log.client))", label)
        case .password:
            log.add(&out, t, tag, "Accepted password for \(user) from \(ip) port \(port) ssh2", label)
        }
        t = after(t, 0.002 + rng.unit() * 0.01)
        log.add(&out, t, tag, "pam_unix(sshd:session): session opened for user \(user)(uid=\(uid)) by (uid=0)", label)
        let logind = "systemd-logind[\(logindPID(log))]"
        t = after(t, 0.003 + rng.unit() * 0.02)
        log.add(&out, t, logind, "New session \(session) of user \(user).", label)
        inside(after(t, 5 + rng.exponential(mean: 20)), &out, &rng)
        var end = after(t, duration)
        log.add(&out, end, tag, "Received disconnect from \(ip) port \(port):11: disconnected by user", label)
        log.add(&out, end, tag, "Disconnected from user \(user) \(ip) port \(port)", label)
        end = after(end, 0.001 + rng.unit() * 0.004)
        log.add(&out, end, tag, "pam_unix(sshd:session): session closed for user \(user)", label)
        end = after(end, 0.002 + rng.unit() * 0.01)
        log.add(&out, end, logind, "Session \(session) logged out. Waiting for processes to exit.", label)
        end = after(end, 0.01 + rng.unit() * 0.05)
        log.add(&out, end, logind, "Removed session \(session).", label)
        return end
    }

    /// One connection that tries passwords and gives up (a guess from the internet or an
    /// attacker): `attempts` failures for `user`, which may not exist on the host.
    static func failedConnection(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at start: Timestamp,
                                 user: String, exists: Bool, from ip: IPAddress, port: Int, attempts: Int, label: TruthLabel?) -> Timestamp {
        let tag = "sshd[\(pid(&rng))]"
        var t = start
        if !exists {
            log.add(&out, t, tag, "Invalid user \(user) from \(ip) port \(port)", label)
            t = after(t, 0.2 + rng.unit() * 2)
        }
        for i in 0..<max(1, attempts) {
            if exists {
                log.add(&out, t, tag, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=\(user)", label)
            } else {
                log.add(&out, t, tag, "pam_unix(sshd:auth): check pass; user unknown", label)
                log.add(&out, t, tag, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)", label)
            }
            t = after(t, 1.8 + rng.unit() * 0.8)
            log.add(&out, t, tag, "Failed password for \(exists ? "" : "invalid user ")\(user) from \(ip) port \(port) ssh2", label)
            if i + 1 < attempts { t = after(t, 0.3 + rng.unit() * 1.5) }
        }
        t = after(t, 0.1 + rng.unit() * 1.5)
        let who = exists ? "authenticating user \(user)" : "invalid user \(user)"
        if rng.chance(0.5) {
            log.add(&out, t, tag, "Connection closed by \(who) \(ip) port \(port) [preauth]", label)
        } else {
            log.add(&out, t, tag, "Received disconnect from \(ip) port \(port):11: Bye Bye [preauth]", label)
            log.add(&out, t, tag, "Disconnected from \(who) \(ip) port \(port) [preauth]", label)
        }
        if attempts > 1 {
            log.add(&out, t, tag, "PAM \(attempts - 1) more authentication failure\(attempts > 2 ? "s" : ""); logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)\(exists ? "  user=\(user)" : "")", label)
        }
        return t
    }

    /// A connection that never authenticates (a banner grab or port scan).
    static func probe(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at t: Timestamp, from ip: IPAddress, port: Int) {
        let tag = "sshd[\(pid(&rng))]"
        switch rng.below(10) {
        case 0: log.add(&out, t, tag, "banner exchange: Connection from \(ip) port \(port): invalid format", nil)
        case 1: log.add(&out, t, tag, "error: kex_exchange_identification: Connection closed by remote host", nil)
                log.add(&out, t, tag, "Connection closed by \(ip) port \(port)", nil)
        case 2, 3: log.add(&out, t, tag, "Connection reset by \(ip) port \(port) [preauth]", nil)
        default: log.add(&out, t, tag, "Connection closed by \(ip) port \(port) [preauth]", nil)
        }
    }

    /// `sudo` run by `user` in a session: sudo's log line and the PAM session around the command.
    /// `typos` mistyped passwords come first (pam_unix's authentication failure, then sudo's
    /// prompt again after PAM's delay of about two seconds); with `givesUp` the user stops
    /// after them and sudo logs the incorrect attempts instead of the command (sudo 1.9's
    /// "N incorrect password attempts" line).
    static func sudo(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at start: Timestamp, user: String,
                     tty: Int, command: String, seconds: Double, label: TruthLabel?, typos: Int = 0, givesUp: Bool = false) {
        let name = user.count < 8 ? String(repeating: " ", count: 8 - user.count) + user : user
        let home = user == "root" ? "/root" : "/home/" + user
        let uid = LinuxAccounts.uid(user, in: log.client)
        var t = start
        for _ in 0..<typos {
            log.add(&out, t, "sudo", "pam_unix(sudo:auth): authentication failure; logname=\(user) uid=\(uid) euid=0 tty=/dev/pts/\(tty) ruser=\(user) rhost=  user=\(user)", label)
            t = after(t, 2 + rng.exponential(mean: 3))
        }
        if givesUp, typos > 0 {
            log.add(&out, t, "sudo", "\(name) : \(typos) incorrect password attempt\(typos > 1 ? "s" : "") ; TTY=pts/\(tty) ; PWD=\(home) ; USER=root ; COMMAND=\(command)", label)
            return
        }
        log.add(&out, t, "sudo", "\(name) : TTY=pts/\(tty) ; PWD=\(home) ; USER=root ; COMMAND=\(command)", label)
        let opened = after(t, 0.001 + rng.unit() * 0.003)
        log.add(&out, opened, "sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by \(user)(uid=\(LinuxAccounts.uid(user, in: log.client)))", label)
        log.add(&out, after(opened, seconds), "sudo", "pam_unix(sudo:session): session closed for user root", label)
    }

    /// A cron job's PAM session (the command itself goes to syslog, not auth.log).
    static func cron(_ log: AuthLog, _ out: inout SimulationOutput, _ rng: inout SplitMix64, at t: Timestamp, user: String, seconds: Double) {
        let tag = "CRON[\(pid(&rng))]"
        let uid = LinuxAccounts.uid(user, in: log.client)
        log.add(&out, t, tag, "pam_unix(cron:session): session opened for user \(user)(uid=\(uid)) by (uid=0)", nil)
        log.add(&out, after(t, seconds), tag, "pam_unix(cron:session): session closed for user \(user)", nil)
    }

    /// systemd-logind's pid: started at boot, the same all week on a host.
    static func logindPID(_ log: AuthLog) -> Int { 500 + Int(LinuxAccounts.fnv(log.client.id + log.host.name) % 400) }

    static func after(_ t: Timestamp, _ seconds: Double) -> Timestamp {
        Timestamp(microseconds: t.microseconds + Int64(max(0, seconds) * 1_000_000))
    }
}
