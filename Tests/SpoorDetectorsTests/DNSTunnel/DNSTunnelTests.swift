import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorTesting
@testable import SpoorDetectors
@testable import SpoorSimulation

/// DNS lookups as spoor's Zeek parser writes them: time, source address, query name and type.
struct SyntheticLookups {
    var builder = EventBatchBuilder()
    let t0 = CivilTime(year: 2026, month: 3, day: 2).utcMicroseconds

    mutating func add(_ seconds: Double, _ src: String, _ name: String, type: String = "A") {
        builder.beginRow()
        builder.set(builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: t0 + Int64(seconds * 1e6)))
        if let a = IPAddress(src) { builder.set(builder.column(Field.sourceIP, .ip), ip: a) }
        builder.set(builder.column(Field.dnsQuestionName, .string), string: name)
        builder.set(builder.column(Field.dnsQuestionType, .string), string: type)
        builder.endRow()
    }

    mutating func batch() -> EventBatch { builder.finish() }
}

@Suite struct DNSTunnelTests {
    static func randomLabel(_ n: Int, _ rng: inout SplitMix64) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        return String(decoding: (0..<n).map { _ in alphabet[rng.below(alphabet.count)] }, as: UTF8.self)
    }

    /// One host sends data in the names it asks under one domain (base32 labels, TXT); ten hosts
    /// ask a reputation service names with hashed labels; one host asks the same names over and
    /// over. Only the tunnel scores high: repeats carry no information, and the reputation
    /// service is asked by every host (prevalence).
    @Test func aTunnelOutranksRepeatsAndAServiceEveryHostAsks() throws {
        var rng = SplitMix64(seed: 3)
        var lookups = SyntheticLookups()
        for k in 0..<150 {
            let name = Self.randomLabel(52, &rng) + "." + Self.randomLabel(40, &rng) + ".t.exfil-example.com"
            lookups.add(Double(k) * 3, "10.0.0.7", name, type: k % 4 == 0 ? "NULL" : "TXT")
        }
        for h in 1...10 {
            for k in 0..<60 { lookups.add(Double(k) * 600 + Double(h), "10.0.0.\(h)", Self.randomLabel(32, &rng) + ".v4.reputation-example.net") }
        }
        for k in 0..<2_000 { lookups.add(Double(k) * 30, "10.0.0.2", ["www", "mail", "cdn", "api"][k % 4] + ".example.org") }
        let batch = lookups.batch()
        var detector = DNSTunnelDetector()
        let findings = NetworkTestData.run(&detector, on: batch)
        print(NetworkTestData.describe(findings, 5))
        let top = try #require(findings.first)
        #expect(top.entity.parts.prefix(2) == ["10.0.0.7", "exfil-example.com"])
        #expect(top.score > 0.8)
        #expect(NetworkTestData.subscore(top, "names") == 150)
        #expect(NetworkTestData.subscore(top, "txt_null_share") == 1)
        #expect(NetworkTestData.subscore(top, "longest_label") == 52)
        #expect(top.evidence.count == 32)
        #expect(!findings.contains { $0.entity.parts[1] == "example.org" })
        let service = findings.filter { $0.entity.parts[1] == "reputation-example.net" }
        #expect(service.allSatisfy { NetworkTestData.subscore($0, "prevalence") > 0.99 && $0.score < 0.01 })
        // Without prevalence the service's hosts would be reported too.
        var policy = DNSTunnelPolicy()
        policy.prevalenceWeight = 0
        var plain = DNSTunnelDetector(policy: policy)
        #expect(NetworkTestData.run(&plain, on: batch).filter { $0.entity.parts[1] == "reputation-example.net" }.count == 10)
    }

    /// Information is the compressed size: a thousand names that differ only by a counter carry
    /// far less than a hundred random ones.
    @Test func informationIsTheCompressedSize() {
        var rng = SplitMix64(seed: 5)
        let counters = (0..<1_000).map { "node-\($0).cluster" }.joined(separator: "\n")
        let random = (0..<100).map { _ in Self.randomLabel(40, &rng) }.joined(separator: "\n")
        #expect(DNSTunnelDetector.deflatedSize(counters) < DNSTunnelDetector.deflatedSize(random))
        #expect(DNSTunnelDetector.deflatedSize(random) > 2_000)
    }

    /// Real traffic without a tunnel: zed-sample-data's dns.log (53,615 lookups) gives nothing
    /// (its busiest source and domain carry 166 compressed bytes a day, below the 512-byte floor).
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (zed-sample-data)"))
    func realLookupsGiveNoFinding() async throws {
        let url = try #require(SharedData.url("zed-sample-data/zeek-default/dns.log.gz"))
        let batch = try await NetworkTestData.ingest([url.path])
        #expect(batch.count == 53_615)
        var detector = DNSTunnelDetector()
        #expect(NetworkTestData.run(&detector, on: batch).isEmpty)
    }

    /// The simulator's tunnel (seed 11, 2 days, 8 hosts): the victim's finding ranks first and
    /// its evidence is the scenario's records.
    @Test func theSimulatedTunnelRanksFirst() async throws {
        let result = Simulator.run(SimulationConfig(seed: 11, days: 2, hosts: 8, scenarios: ["dns-tunnelling"]))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-dnstunnel-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try result.write(to: dir)
        let tunnelled = Set(truth.filter { $0.label.technique == "T1071.004" }.map { "\($0.file)#\($0.record)" })
        try #require(!tunnelled.isEmpty)
        let batch = try await NetworkTestData.ingest([dir.appendingPathComponent("logs").path])
        let rows = BeaconSimulationTests.rowIndex(batch)
        var detector = DNSTunnelDetector()
        let findings = NetworkTestData.run(&detector, on: batch)
        print(NetworkTestData.describe(findings, 6))
        let top = try #require(findings.first)
        let evidence = Set(rows.filter { top.evidence.contains(Int64($0.value)) }.map(\.key))
        #expect(!evidence.isEmpty && evidence.isSubset(of: tunnelled))
        let benign = findings.filter { f in !Set(rows.filter { f.evidence.contains(Int64($0.value)) }.map(\.key)).isSubset(of: tunnelled) }
        #expect(benign.allSatisfy { $0.score < top.score })
    }
}
