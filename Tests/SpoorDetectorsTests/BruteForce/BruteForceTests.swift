import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorParsers
import SpoorDetectors
import SpoorSimulation
import SpoorTesting

/// Authentication events as spoor's parsers write them (only the fields the detector reads).
struct AuthEvents {
    var builder = EventBatchBuilder()
    let base = CivilTime(year: 2024, month: 3, day: 4, hour: 8).utcMicroseconds

    mutating func add(_ second: Int, _ outcome: String, source: String, user: String, host: String = "web01", action: String = "ssh-login", method: String? = nil, pid: Int64? = nil) {
        builder.beginRow()
        builder.set(builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: base + Int64(second) * 1_000_000))
        let cat = builder.column(Field.eventCategory, .stringList)
        builder.beginList(cat)
        builder.appendToList(cat, text: "authentication")
        let type = builder.column(Field.eventType, .stringList)
        builder.beginList(type)
        builder.appendToList(type, text: "start")
        builder.set(builder.column(Field.eventOutcome, .string), string: outcome)
        builder.set(builder.column(Field.eventAction, .string), string: action)
        if let ip = IPAddress(source) {
            builder.set(builder.column(Field.sourceIP, .ip), ip: ip)
        } else {
            builder.set(builder.column(Field.sourceDomain, .string), string: source)
        }
        builder.set(builder.column(Field.userName, .string), string: user)
        builder.set(builder.column(Field.hostName, .string), string: host)
        if let method { builder.set(builder.column(Field.syslogSSHDMethod, .string), string: method) }
        if let pid {
            builder.set(builder.column(Field.processName, .string), string: "sshd")
            builder.set(builder.column(Field.processPID, .int), int: pid)
        }
        builder.endRow()
    }

    mutating func findings(_ policy: BruteForcePolicy = BruteForcePolicy()) -> [DetectorFinding] {
        let batch = builder.finish()
        var d = BruteForceDetector(policy: policy)
        d.observe(batch, ids: (0..<Int64(batch.count)).map { $0 })
        return d.finish()
    }
}

@Suite struct BruteForceTests {
    @Test func aMistypeThenSuccessIsNotReportedButAGuessedPasswordIs() throws {
        var a = AuthEvents()
        a.add(0, "failure", source: "10.0.3.10", user: "alice")
        a.add(5, "success", source: "10.0.3.10", user: "alice")
        for k in 0..<30 { a.add(100 + k * 3, "failure", source: "203.0.113.9", user: "root") }
        a.add(200, "success", source: "203.0.113.9", user: "root")
        let f = a.findings()
        #expect(f.map(\.entity.parts) == [["203.0.113.9"]])
        let hit = try #require(f.first)
        #expect(hit.subscores.first { $0.name == "success-after-failures" }?.value ?? 0 > 0.9)
        #expect(hit.score > 0.95)
        #expect(hit.evidence.contains(30))             // the successful logon is evidence
        #expect(hit.evidence.count <= BruteForcePolicy().evidenceLimit)
        #expect(hit.summary.contains("root"))
    }

    @Test func anotherAccountsSuccessAfterFailuresIsNotAGuessedPassword() throws {
        // A workstation whose user's stale password fails at the file server, then the
        // workstation's own machine account logs on from the same address.
        var a = AuthEvents()
        for k in 0..<12 { a.add(k * 20, "failure", source: "10.0.3.28", user: "simon.roth", host: "fs01") }
        a.add(250, "success", source: "10.0.3.28", user: "ws108$", host: "fs01")
        let hit = try #require(a.findings().first)
        #expect(hit.subscores.first { $0.name == "success-after-failures" }?.value == 0)
        #expect(!hit.summary.contains("successful logon"))
        // The same failures, then the guessed account's own success: a compromise.
        var b = AuthEvents()
        for k in 0..<12 { b.add(k * 20, "failure", source: "10.0.3.28", user: "simon.roth", host: "fs01") }
        b.add(250, "success", source: "10.0.3.28", user: "simon.roth", host: "fs01")
        #expect(try #require(b.findings().first).subscores.first { $0.name == "success-after-failures" }?.value ?? 0 > 0.8)
    }

    @Test func aSprayAtTheOrganisationsOwnAccountsIsTargeted() throws {
        // Two sources spray 20 accounts each in ten minutes: one the organisation's own people
        // (each of whom logs on somewhere), one a dictionary of common names.
        var a = AuthEvents()
        let people = (0..<20).map { "person\($0).surname" }
        for (k, name) in people.enumerated() { a.add(3_600 + k, "success", source: "10.0.5.\(k + 1)", user: name, host: "dc01") }
        a.add(3_700, "success", source: "10.0.5.99", user: "administrator", host: "dc01")
        let dictionary = ["admin", "test", "user", "backup", "sql", "support", "scanner", "ftp", "www", "temp",
                          "demo", "guest", "oracle", "postgres", "git", "ubuntu", "pi", "office", "manager", "administrator"]
        for k in 0..<20 {
            a.add(k * 20, "failure", source: "198.51.100.20", user: people[k], host: "fs01")
            a.add(k * 20 + 5, "failure", source: "198.51.100.21", user: dictionary[k], host: "fs01")
        }
        let f = a.findings()
        let targeted = try #require(f.first { $0.entity.parts == ["198.51.100.20"] })
        let dictionaryRun = try #require(f.first { $0.entity.parts == ["198.51.100.21"] })
        #expect(targeted.subscores.first { $0.name == "targeted" }?.value ?? 0 > 0.8)
        // `administrator` logged on, but a built-in account says nothing of the guesser's knowledge.
        #expect(dictionaryRun.subscores.first { $0.name == "targeted" }?.value == 0)
        #expect(targeted.score > dictionaryRun.score + 0.02)
        #expect(targeted.summary.contains("20 accounts (20 the organisation's own)"))
    }

    @Test func aSlowSprayIsReportedByItsAccountsAndScoresAsSpraying() throws {
        var a = AuthEvents()
        for k in 0..<12 { a.add(k * 1800, "failure", source: "198.51.100.7", user: "user\(k)", host: k % 2 == 0 ? "dc01" : "ws02") }
        let f = a.findings()
        let hit = try #require(f.first)
        #expect(f.count == 1)
        #expect(hit.subscores.first { $0.name == "spraying" }?.value ?? 0 > 0.7)
        #expect(hit.subscores.first { $0.name == "failures" }?.value ?? 0 < 0.1)   // one failure per window
        #expect(hit.subscores.first { $0.name == "hosts" }?.value ?? 0 > 0.2)
    }

    @Test func publicKeyOffersAndTimeoutsAreNotGuessesAndOneAttemptCountsOnce() throws {
        var a = AuthEvents()
        for k in 0..<8 { a.add(k * 5, "failure", source: "192.0.2.50", user: "git", method: "publickey") }
        for k in 0..<8 { a.add(k * 5, "failure", source: "192.0.2.51", user: "git", action: "ssh-auth-timeout") }
        // One password attempt as sshd logs it: Invalid user, PAM's failure, Failed password.
        for (k, action) in ["ssh-invalid-user", "pam-auth-failure", "ssh-login"].enumerated() {
            a.add(100 + 2 * k, "failure", source: "192.0.2.52", user: k == 1 ? "" : "oracle", action: action, pid: 4242)
        }
        let f = a.findings(.everyFailure)
        #expect(f.map(\.entity.parts) == [["192.0.2.52"]])
        #expect(try #require(f.first).summary.hasPrefix("192.0.2.52: 1 failed logons"))
    }

    @Test func aSourceNamedOnlyByWorkstationIsKeptApart() {
        var a = AuthEvents()
        for k in 0..<6 { a.add(k * 10, "failure", source: "KALI", user: "administrator", host: "dc01", action: "credential-validated") }
        #expect(a.findings().map(\.entity.parts) == [["kali"]])
    }
}

/// fail2ban's own sshd filter tests (`fail2ban/tests/files/logs/sshd`): every log line is
/// annotated by a `# failJSON:` comment saying whether fail2ban's filter matches it and, if so,
/// the offending host. The files are filter tests (one line per attempt; most hosts appear on
/// one line), so the detector runs with fail2ban's per-line semantics (`maxretry` 1,
/// ``BruteForcePolicy/everyFailure``).
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct Fail2banSSHDTests {
    struct Annotations {
        /// Hosts fail2ban's filter matches in its default (normal) mode.
        var attackers: Set<String> = []
        /// Hosts matched only in the aggressive, ddos or extra modes (neither side of the check).
        var otherModes: Set<String> = []
        /// Annotated matches without a host (the host is known to fail2ban from an earlier line).
        var hostless = 0
        var logLines: [String] = []
        var falseLines: [String] = []
    }

    /// Reads the annotations: `# filterOptions: [...]` opens a section (normal mode is on when the
    /// list holds `{}`); `# failJSON: {...}` describes the next log line.
    static func annotations(_ text: String) throws -> Annotations {
        var a = Annotations()
        var normal = true
        var pending: [String: Any]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# filterOptions:") {
                normal = line.contains("{}") || !line.contains("mode")
                continue
            }
            if line.hasPrefix("# failJSON:") {
                let json = line.dropFirst("# failJSON:".count)
                pending = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
                continue
            }
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            a.logLines.append(String(line))
            guard let p = pending else { continue }
            pending = nil
            let match = p["match"] as? Bool ?? false
            if !match { a.falseLines.append(String(line)); continue }
            guard let host = p["host"] as? String else { a.hostless += 1; continue }
            let constraint = p["constraint"] as? String ?? ""
            let inNormal = normal && (constraint.isEmpty || constraint == "name == 'sshd'" || constraint.contains("!= 'aggressive'"))
            if inNormal { a.attackers.insert(Self.key(host)) } else { a.otherModes.insert(Self.key(host)) }
        }
        a.otherModes.subtract(a.attackers)
        return a
    }

    /// One spelling per host: addresses canonical (`::ffff:1.2.3.4` and `192.030.0.6` as spoor parses them), names lower-case.
    static func key(_ host: String) -> String {
        IPAddress(host)?.description ?? host.lowercased()
    }

    @Test func everyAttackingHostIsFlaggedAndNoInnocentOne() throws {
        let url = try #require(SharedData.url("fail2ban-testlogs/fail2ban/tests/files/logs/sshd"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let a = try Self.annotations(text)
        let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: CivilTime(year: 2005, month: 12, day: 31).utcMicroseconds))
        let parser = LogFormat.syslog.makeParser(context)
        let (batch, rejects) = Fixtures.parseLines(Array(a.logLines.joined(separator: "\n").utf8), with: parser)
        // Hosts the parser sees on the match:false lines that never appear on a match:true line.
        let (falseBatch, _) = Fixtures.parseLines(Array(a.falseLines.joined(separator: "\n").utf8), with: LogFormat.syslog.makeParser(context))
        var innocent = Set<String>()
        for r in 0..<falseBatch.count {
            if let v = falseBatch.value(row: r, field: Field.sourceIP) ?? falseBatch.value(row: r, field: Field.sourceDomain) {
                innocent.insert(Self.key(v.description))
            }
        }
        innocent.subtract(a.attackers)
        innocent.subtract(a.otherModes)

        var d = BruteForceDetector(policy: .everyFailure)
        d.observe(batch, ids: (0..<Int64(batch.count)).map { $0 })
        let flagged = Set(d.finish().map { Self.key($0.entity.parts[0]) })
        let missed = a.attackers.subtracting(flagged)
        let wrongly = innocent.intersection(flagged)
        print("fail2ban sshd: \(a.logLines.count) log lines (\(rejects.count) rejected), \(a.attackers.count) attacking hosts in normal mode, flagged \(a.attackers.count - missed.count); \(innocent.count) hosts only on match:false lines \(innocent.sorted()), flagged \(wrongly.count); \(a.otherModes.count) hosts matched only in aggressive/ddos/extra modes, flagged \(a.otherModes.intersection(flagged).count); \(a.hostless) hostless matches; missed \(missed.sorted()), wrongly \(wrongly.sorted())")
        #expect(a.attackers.count > 30)
        #expect(innocent.count >= 1)
        #expect(missed.isEmpty, "missed \(missed.sorted())")
        #expect(wrongly.isEmpty, "wrongly flagged \(wrongly.sorted())")
    }
}

/// A simulated organisation under SSH brute force, SSH password spraying and RDP guessing: the
/// attackers' sources are flagged; the admins' mistyped passwords and the internet's single
/// guesses are not.
@Suite struct SimulatedBruteForceTests {
    static let scenarios = ["ssh-brute-force", "ssh-password-spraying", "rdp-password-spraying", "rdp-brute-force"]

    @Test func attackersAreFlaggedAndMistypesAreNot() async throws {
        let c = try await SimulatedCase.run(SimulationConfig(seed: 11, days: 2, hosts: 8, scenarios: Self.scenarios))
        var d = BruteForceDetector()
        c.feed(&d)
        let findings = d.finish()
        var attackers: [String: Set<String>] = [:]
        for s in Self.scenarios {
            for id in c.truthIDs(scenario: s) {
                guard let e = c.event(id), e[Field.eventOutcome]?.description == "failure",
                      let src = e[Field.sourceIP] ?? e[Field.sourceDomain] else { continue }
                attackers[s, default: []].insert(src.description.lowercased())
            }
        }
        let flagged = Dictionary(findings.map { ($0.entity.parts[0], $0) }, uniquingKeysWith: { a, _ in a })
        // Sources that failed and later succeeded but are no attacker: the admins' mistypes.
        var mistypers = Set<String>()
        var failed = Set<String>()
        for page in c.pages {
            for r in 0..<page.count where page.value(row: r, field: Field.eventOutcome)?.description == "failure" {
                if let s = page.value(row: r, field: Field.sourceIP) { failed.insert(s.description) }
            }
        }
        let allAttackers = attackers.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        var succeeded = Set<String>()
        for page in c.pages {
            for r in 0..<page.count where page.value(row: r, field: Field.eventOutcome)?.description == "success" {
                guard let s = page.value(row: r, field: Field.sourceIP)?.description else { continue }
                succeeded.insert(s)
                if failed.contains(s), !allAttackers.contains(s) { mistypers.insert(s) }
            }
        }
        for s in Self.scenarios {
            let srcs = attackers[s, default: []]
            #expect(!srcs.isEmpty, "\(s) has attack sources")
            for src in srcs {
                #expect(flagged[src] != nil, "\(s) source \(src) flagged")
                print("\(s): \(src) score \(String(format: "%.3f", flagged[src]?.score ?? 0)) — \(flagged[src]?.summary ?? "not flagged")")
            }
        }
        let falsePositives = flagged.keys.filter { !allAttackers.contains($0) }.sorted()
        print("simulated brute force: \(c.events) events, \(findings.count) findings, \(allAttackers.count) attack sources, \(failed.count) sources with failures, \(mistypers.count) mistyping sources (flagged \(mistypers.filter { flagged[$0] != nil }.count)), other sources flagged \(falsePositives)")
        #expect(mistypers.count >= 1)
        #expect(mistypers.allSatisfy { flagged[$0] == nil })
        // The simulator's background internet guessing at exposed SSH and RDP (benign in its ground
        // truth: no campaign) is password guessing all the same; what must never be flagged is a
        // source that also logs on (a person who mistyped). Flagged non-campaign sources never log on.
        #expect(falsePositives.allSatisfy { !succeeded.contains($0) }, "flagged sources that also logged on: \(falsePositives.filter { succeeded.contains($0) })")
    }
}
