import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorDetectors

@Suite struct ExfiltrationScoringTests {
    static let day: Double = 86_400

    /// Eight days of hourly office traffic from three hosts, then three large uploads and a
    /// server's nightly offsite backup.
    static func scenario() -> (EventBatch, SessionTimeline, SyntheticFlows) {
        var rng = SplitMix64(seed: 99)
        var flows = SyntheticFlows()
        // ws05 is named by an event that gives both name and address (as host.name + host.ip).
        flows.builder.beginRow()
        flows.builder.set(flows.builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: flows.t0))
        flows.builder.set(flows.builder.column(Field.hostName, .string), string: "WS05")
        flows.builder.set(flows.builder.column(Field.hostIP, .ip), ip: IPAddress(ipv4: 0x0A00_0005))
        flows.builder.endRow()
        for d in 0..<8 {
            for h in 8..<18 {
                for host in ["10.0.0.5", "10.0.0.6"] {
                    for _ in 0..<4 {
                        let t = Double(d) * day + Double(h) * 3600 + rng.unit() * 3600
                        flows.add(t, host, "198.51.100.\(1 + rng.below(20))", bytes: 0, sent: 200_000 + rng.below(800_000))
                    }
                }
            }
            // The server's nightly backup: gigabytes to the same place every night.
            flows.add(Double(d) * day + 3 * 3600 + rng.unit() * 60, "10.0.0.7", "203.0.113.50", bytes: 0, sent: 4_000_000_000 + rng.below(1_000_000_000))
        }
        let big = 2_000_000_000
        flows.add(5 * day + 2 * 3600 + 600, "10.0.0.5", "192.0.2.77", bytes: 0, sent: big, name: "upload.mega.example")  // ws05, night
        flows.add(5 * day + 14 * 3600 + 600, "10.0.0.6", "192.0.2.78", bytes: 0, sent: big)                            // no session data
        flows.add(3 * day + 14 * 3600 + 600, "10.0.0.5", "192.0.2.79", bytes: 0, sent: big)                            // ws05, user present
        var sessions: [LogonSession] = []
        for d in 0..<8 {
            let start = Timestamp(microseconds: flows.t0 + Int64((Double(d) * day + 8 * 3600) * 1e6))
            let end = Timestamp(microseconds: flows.t0 + Int64((Double(d) * day + 17.5 * 3600) * 1e6))
            sessions.append(LogonSession(organization: "", host: "ws05.corp.example", user: "alice", domain: nil, kind: .interactive,
                                         logonType: 2, sessionID: "0x\(d)", source: "windows-security", sourceIP: nil, start: start,
                                         end: end, endIsInferred: false, absences: [], startEvidence: nil, endEvidence: nil))
            // The server only has service logons: known to the timeline, nobody at a keyboard.
            sessions.append(LogonSession(organization: "", host: "10.0.0.7", user: "SYSTEM", domain: nil, kind: .service,
                                         logonType: 5, sessionID: "0x3e7", source: "windows-security", sourceIP: nil, start: start,
                                         end: end, endIsInferred: false, absences: [], startEvidence: nil, endEvidence: nil))
        }
        return (flows.batch(), SessionTimeline(sessions: sessions, dataEnd: nil), flows)
    }

    @Test func nightUploadWithNobodyThereRanksFirst() throws {
        let (batch, timeline, _) = Self.scenario()
        var detector = ExfiltrationDetector(sessions: timeline)
        let findings = NetworkTestData.run(&detector, on: batch)
        print(NetworkTestData.describe(findings))
        try #require(findings.count >= 3)
        // 1: ws05 (named from host.name/host.ip; matched to the session host by its first label) at night.
        #expect(findings[0].entity.kind == "host-hour")
        #expect(findings[0].entity.parts == ["ws05", "2026-03-07T02:00:00.000000Z"])
        #expect(NetworkTestData.subscore(findings[0], "nobody_present") == 1)
        #expect(NetworkTestData.subscore(findings[0], "destination_rarity") == 1)
        // 2: the host without any session: neutral presence.
        #expect(findings[1].entity.parts[0] == "10.0.0.6")
        #expect(NetworkTestData.subscore(findings[1], "nobody_present") == 0.5)
        // 3: the same upload from ws05 while alice is logged on.
        #expect(findings[2].entity.parts == ["ws05", "2026-03-05T14:00:00.000000Z"])
        #expect(NetworkTestData.subscore(findings[2], "nobody_present") == 0)
        #expect(findings[0].score > findings[1].score && findings[1].score > findings[2].score)
        // The nightly backup is its own baseline: nowhere near.
        let backup = findings.filter { $0.entity.parts[0] == "10.0.0.7" }
        #expect(backup.allSatisfy { $0.score < 0.1 })
        // Evidence: the upload itself (ids are row numbers; the night upload is the third-last row).
        #expect(findings[0].evidence == [Int64(batch.count - 3)])
    }

    @Test func aConfiguredPublicBlockIsInternal() throws {
        var flows = SyntheticFlows()
        for d in 0..<5 {
            flows.add(Double(d) * Self.day + 3600, "198.51.100.10", "192.0.2.1", bytes: 0, sent: 1_000)
        }
        flows.add(4 * Self.day + 7200, "198.51.100.10", "192.0.2.9", bytes: 0, sent: 3_000_000_000)
        let batch = flows.batch()
        var plain = ExfiltrationDetector(sessions: SessionTimeline(sessions: [], dataEnd: nil))
        #expect(NetworkTestData.run(&plain, on: batch).isEmpty)
        var config = ExfiltrationConfiguration()
        config.internalNetworks = InternalNetworks([try #require(IPNetwork("198.51.100.0/24"))])
        var own = ExfiltrationDetector(sessions: SessionTimeline(sessions: [], dataEnd: nil), configuration: config)
        let findings = NetworkTestData.run(&own, on: batch)
        #expect(findings.map { $0.entity.parts[0] } == ["198.51.100.10"])
    }

    @Test func referenceFallsBackFromWeekToDayToAll() {
        var c = ExfiltrationConfiguration()
        c.minimumHistory = 3
        // 10 days hourly: the same hour every day is 100, everything else 0.
        var series = [Double](repeating: 0, count: 240)
        for d in 0..<10 { series[d * 24 + 5] = 100 }
        // Fewer than 3 other weeks → the same hour on other days: median 100, MAD 0.
        #expect(ExfiltrationDetector.reference(series, at: 5 * 24 + 5, c) == 100)
        // An ordinary hour: its other days are all 0.
        #expect(ExfiltrationDetector.reference(series, at: 5 * 24 + 6, c) == 0)
        c.minimumHistory = 20
        // Not 20 other days either → every other hour: mostly 0.
        #expect(ExfiltrationDetector.reference(series, at: 5 * 24 + 5, c) == 0)
    }

    @Test func evidenceIsTheHoursLargestFlows() {
        var rng = SplitMix64(seed: 3)
        var flows = SyntheticFlows()
        var sizes: [Int] = []
        for k in 0..<100 {
            let size = 1_000_000 + rng.below(9_000_000)
            sizes.append(size)
            flows.add(Double(k) * 30, "10.0.0.8", "192.0.2.\(k % 50)", bytes: 0, sent: size)
        }
        var config = ExfiltrationConfiguration()
        config.evidenceLimit = 5
        var detector = ExfiltrationDetector(sessions: SessionTimeline(sessions: [], dataEnd: nil), configuration: config)
        let findings = NetworkTestData.run(&detector, on: flows.batch())
        let expected = sizes.indices.sorted { sizes[$0] > sizes[$1] }.prefix(5).map { Int64($0) }.sorted()
        // One host, all of it within the first hour (100 × 30 s = 50 min) and a single hour of history.
        #expect(findings.count == 1)
        #expect(findings.first?.evidence == expected)
    }
}
