import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorDetectors
import SpoorSimulation
import SpoorTesting

@Suite struct NewLogonPathTests {
    struct Logon {
        var hour: Int
        var user: String
        var source: String
        var target: String
        var type = "Network"
        var logonID = ""
        /// A 4672 with the same logon id, in the given spelling (`0x…` or decimal), when set.
        var special: String?
        var outcome = "success"
    }

    static let start: Int64 = 1_700_000_000

    static func batch(_ logons: [Logon]) -> EventBatch {
        var b = EventBatchBuilder()
        func row(_ t: Int64, category: String, type: String, outcome: String, code: String, host: String, user: String, _ more: (inout EventBatchBuilder) -> Void) {
            b.beginRow()
            b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(seconds: t))
            let cat = b.column(Field.eventCategory, .stringList)
            b.beginList(cat)
            b.appendToList(cat, text: category)
            let typ = b.column(Field.eventType, .stringList)
            b.beginList(typ)
            b.appendToList(typ, text: type)
            b.set(b.column(Field.eventOutcome, .string), string: outcome)
            b.set(b.column(Field.eventCode, .string), string: code)
            b.set(b.column(Field.hostName, .string), string: host)
            b.set(b.column(Field.userName, .string), string: user)
            more(&b)
            b.endRow()
        }
        for l in logons {
            let t = start + Int64(l.hour) * 3600
            row(t, category: "authentication", type: "start", outcome: l.outcome, code: "4624", host: l.target, user: l.user) { b in
                if let ip = IPAddress(l.source) { b.set(b.column(Field.sourceIP, .ip), ip: ip) } else { b.set(b.column(Field.sourceDomain, .string), string: l.source) }
                b.set(b.column(Field.winlogLogonType, .string), string: l.type)
                if !l.logonID.isEmpty { b.set(b.column(Field.winlogLogonID, .string), string: l.logonID) }
            }
            if let special = l.special {
                row(t, category: "iam", type: "admin", outcome: "success", code: "4672", host: l.target, user: l.user) { b in
                    b.set(b.column(Field.winlogLogonID, .string), string: special)
                }
            }
        }
        return b.finish()
    }

    static func run(_ logons: [Logon], threshold: Double = 0) -> [DetectorFinding] {
        var d = NewLogonPathDetector(policy: { var p = NewLogonPathPolicy(); p.threshold = threshold; return p }())
        let b = batch(logons)
        d.observe(b, ids: (0..<Int64(b.count)).map { $0 })
        return d.finish()
    }

    /// A day of routine (the baseline), then a second day with: the routine again, a user's
    /// new way to the file server, an administrator's console reaching a new workstation, and
    /// an administrator account used from a workstation that never made a privileged logon.
    @Test func newPrivilegedPathsFromNewOriginsRankFirst() throws {
        var logons: [Logon] = []
        for h in [9, 12, 15] {
            for u in 1...6 { logons.append(Logon(hour: h, user: "user\(u)", source: "10.0.0.\(10 + u)", target: "fs01.acme.local")) }
            logons.append(Logon(hour: h, user: "admin", source: "10.0.1.5", target: "ws01.acme.local", logonID: "0x3e1\(h)", special: "0x3e1\(h)"))
        }
        // Day 2: the routine, plus the three new paths.
        for u in 1...6 { logons.append(Logon(hour: 33, user: "user\(u)", source: "10.0.0.\(10 + u)", target: "fs01.acme.local")) }
        logons.append(Logon(hour: 34, user: "user2", source: "10.0.0.40", target: "fs01.acme.local"))                    // a laptop
        logons.append(Logon(hour: 35, user: "admin", source: "10.0.1.5", target: "ws04.acme.local", logonID: "0x9a1", special: "2465"))   // 0x9a1 = 2465
        // An administrator at the file server's console (six machines log on to it: a server)
        // reaching a workstation: administration, though the server made no privileged logon before.
        logons.append(Logon(hour: 35, user: "admin2", source: "FS01", target: "ws05.acme.local", logonID: "0x51", special: "0x51"))
        let attack = logons.count
        logons.append(Logon(hour: 36, user: "Admin", source: "10.0.0.13", target: "DC01.acme.local", logonID: "0x77", special: "0x77"))
        // Never paths: a local logon, a machine account, loopback, a failure.
        logons.append(Logon(hour: 37, user: "user5", source: "10.0.0.99", target: "ws09", type: "Interactive"))
        logons.append(Logon(hour: 37, user: "WS07$", source: "10.0.0.17", target: "dc01"))
        logons.append(Logon(hour: 37, user: "svc", source: "127.0.0.1", target: "dc01"))
        logons.append(Logon(hour: 37, user: "user6", source: "10.0.0.66", target: "dc01", outcome: "failure"))
        let f = Self.run(logons)
        let top = try #require(f.first)
        #expect(top.entity.parts == ["admin", "10.0.0.13", "dc01"])
        #expect(top.evidence.count == 1)
        let sub = Dictionary(uniqueKeysWithValues: top.subscores.map { ($0.name, $0.value) })
        #expect(sub["new-path"] == 1 && sub["account-new-on-target"] == 1 && sub["source-new-to-target"] == 1 && sub["privilege"] == 1)
        // The row of the attack's logon is its evidence (ids are row numbers; each 4672 is a row too).
        let attackRow = logons.prefix(attack).reduce(0) { $0 + ($1.special == nil ? 1 : 2) }
        #expect(top.evidence == [Int64(attackRow)])
        let console = try #require(f.first { $0.entity.parts == ["admin", "10.0.1.5", "ws04"] })
        #expect(console.subscores.first { $0.name == "privilege" }?.value == 0.5, "the 4672's decimal logon id matched the 4624's hex one")
        let laptop = try #require(f.first { $0.entity.parts == ["user2", "10.0.0.40", "fs01"] })
        #expect(laptop.subscores.first { $0.name == "privilege" }?.value == 0.3)
        #expect(top.score > console.score && console.score > laptop.score)
        let server = try #require(f.first { $0.entity.parts == ["admin2", "fs01", "ws05"] })
        #expect(server.subscores.first { $0.name == "privilege" }?.value == 0.5)
        #expect(server.subscores.first { $0.name == "source-reached-by" }?.value == 7)
        // The routine (every path of day 1) is known; the excluded logons make no path.
        #expect(f.count == 4, "\(f.map(\.summary))")
    }

    @Test func lessThanADayOfDataIsHalfNew() throws {
        let f = Self.run([Logon(hour: 1, user: "a", source: "10.0.0.1", target: "h1"), Logon(hour: 3, user: "b", source: "10.0.0.2", target: "h1")])
        #expect(f.count == 2 && f.allSatisfy { $0.subscores.first?.value == 0.5 })
    }

    @Test func keysAndExclusions() {
        #expect(NewLogonPathDetector.hostKey("WS01.acme.local") == "ws01")
        #expect(NewLogonPathDetector.hostKey("10.0.0.5") == "10.0.0.5")
        #expect(NewLogonPathDetector.accountKey("DC01$") == nil)
        #expect(NewLogonPathDetector.accountKey("ANONYMOUS LOGON") == nil)
        #expect(NewLogonPathDetector.accountKey("Vera.Kaufmann") == "vera.kaufmann")
        #expect(LogonID.number("0x3E7") == 999 && LogonID.number("999") == 999 && LogonID.number("-") == nil)
        #expect(NewLogonPathDetector.hostKey("-") == nil && NewLogonPathDetector.hostKey("localhost") == nil)
        for local in ["127.0.0.1", "127.3.2.1", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1"] {
            #expect(IPAddress(local)?.isThisHost == true, "\(local)")
        }
        for remote in ["10.0.0.1", "128.0.0.1", "::2", "fe80::1", "::ffff:10.0.0.1"] {
            #expect(IPAddress(remote)?.isThisHost == false, "\(remote)")
        }
    }
}

/// Lateral movement in a simulated organisation (PsExec and RDP with a stolen administrator
/// account), against its benign remote logons: users' drive mappings, IT's PsExec and RDP from
/// the admins' machines, stale credentials, the backup account.
@Suite struct SimulatedNewLogonPathTests {
    @Test func lateralMovementPathsRankAboveBenignOnes() async throws {
        let scenarios = ["lateral-movement-psexec", "lateral-movement-rdp"]
        let c = try await SimulatedCase.run(SimulationConfig(seed: 7, days: 4, hosts: 12, scenarios: scenarios))
        var d = NewLogonPathDetector(policy: { var p = NewLogonPathPolicy(); p.threshold = 0; return p }())
        c.feed(&d)
        let findings = d.finish()
        var attackIDs = Set<Int64>()
        for s in scenarios { attackIDs.formUnion(c.truthIDs(scenario: s)) }
        let isAttack = { (f: DetectorFinding) in f.evidence.contains { attackIDs.contains($0) } }
        print("simulated new logon paths: \(c.events) events, \(findings.count) new paths")
        for (rank, f) in findings.prefix(15).enumerated() {
            print("  #\(rank + 1) \(String(format: "%.3f", f.score)) \(isAttack(f) ? "ATTACK" : "benign") \(f.summary)")
        }
        let attacks = findings.enumerated().filter { isAttack($0.element) }
        print("attack paths at ranks \(attacks.map { $0.offset + 1 }) of \(findings.count); best benign: \(findings.first { !isAttack($0) }.map { String(format: "%.3f ", $0.score) + $0.summary } ?? "-")")
        #expect(!attacks.isEmpty, "the lateral movement's logons make new paths")
        let bestBenign = findings.first { !isAttack($0) }?.score ?? 0
        // The stolen administrator from a workstation that never made a privileged logon.
        #expect((attacks.first?.element.score ?? 0) > bestBenign, "an attack path ranks above every benign one")
    }
}

/// Real logs through spoor's real parsers. fail2ban's sshd test log has four accepted logons,
/// checked by hand: `git` from 192.0.2.1 on `srv` (publickey), `rda` from 192.0.2.113 and
/// `known` from 192.0.2.114 and 192.0.2.116 on `bar` (password): four paths, three of them in the
/// baseline day. The evtx-rs
/// sample `security.evtx` (a standalone workstation, 583 logons) has none from another
/// machine: services (type 5), local interactive and unlock logons from 127.0.0.1 or ::1
/// (types 2, 7) and 39 network logons of ANONYMOUS LOGON without an address — no path.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct RealNewLogonPathTests {
    /// `syslog`: fail2ban's file read as syslog (its `# failJSON` annotation lines are rejects).
    static func findings(_ relative: String, syslog: Bool = false) async throws -> [DetectorFinding] {
        let url = try #require(SharedData.url(relative))
        let ledger = MemoryLedger()
        let options = IngestOptions(organization: "real", forcedFormat: syslog ? "syslog" : nil, timeZone: .utc,
                                    collectedAt: Timestamp(microseconds: CivilTime(year: 2005, month: 12, day: 31).utcMicroseconds))
        let report = try await Ingestor(options: options).run(paths: [url.path], ledger: ledger)
        if !syslog { #expect(report.rejects == 0) }
        var d = NewLogonPathDetector(policy: { var p = NewLogonPathPolicy(); p.threshold = 0; return p }())
        var next: Int64 = 0
        for b in await ledger.batches {
            d.observe(b.events, ids: (0..<Int64(b.events.count)).map { next + $0 })
            next += Int64(b.events.count)
        }
        return d.finish()
    }

    @Test func sshdAcceptedLogonsMakePathsAfterTheBaseline() async throws {
        let f = try await Self.findings("fail2ban-testlogs/fail2ban/tests/files/logs/sshd", syslog: true)
        // The three logons of Mar 7 are the first day of remote logons (the baseline); git's on
        // Nov 28 is the only path first used later.
        let git = try #require(f.first, "\(f.map(\.summary))")
        #expect(f.count == 1 && git.entity.parts == ["git", "192.0.2.1", "srv"], "\(f.map(\.summary))")
        let sub = Dictionary(uniqueKeysWithValues: git.subscores.map { ($0.name, $0.value) })
        #expect(sub["new-path"] == 1 && sub["privilege"] == 0.3 && git.evidence.count == 1)
        // With the baseline shortened to nothing, every path after the very first logon (rda's,
        // which starts the organisation's record) is new.
        var d = NewLogonPathDetector(policy: { var p = NewLogonPathPolicy(); p.threshold = 0; p.baselineSeconds = 0; return p }())
        let url = try #require(SharedData.url("fail2ban-testlogs/fail2ban/tests/files/logs/sshd"))
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions(organization: "real", forcedFormat: "syslog", timeZone: .utc,
                                                      collectedAt: Timestamp(microseconds: CivilTime(year: 2005, month: 12, day: 31).utcMicroseconds)))
            .run(paths: [url.path], ledger: ledger)
        for b in await ledger.batches { d.observe(b.events, ids: (0..<Int64(b.events.count)).map { $0 }) }
        #expect(Set(d.finish().map(\.entity.parts)) == [["git", "192.0.2.1", "srv"], ["known", "192.0.2.114", "bar"], ["known", "192.0.2.116", "bar"]])
    }

    @Test func aStandaloneWorkstationHasNoRemotePath() async throws {
        let f = try await Self.findings("evtx-rs-samples/samples/security.evtx")
        #expect(f.isEmpty, "\(f.map(\.summary))")
    }
}
