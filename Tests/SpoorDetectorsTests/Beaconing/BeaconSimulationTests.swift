import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorTesting
@testable import SpoorDetectors
@testable import SpoorSimulation

/// Beaconing on a `spoor simulate` run with the `https-beaconing` scenario: an implant calling
/// its C2 over TLS every ~10 min with ±20 % jitter for 24 h, among benign traffic that includes
/// the monitoring service's exact 60 s poll of the web server (a legitimate timer beacon).
@Suite(.serialized) struct BeaconSimulationTests {
    /// The rows of `batch` by (path relative to the logs folder, record number).
    static func rowIndex(_ batch: EventBatch) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in 0..<batch.count {
            guard let path = batch.value(row: r, field: Field.logFilePath)?.stringValue,
                  let record = batch.value(row: r, field: Field.spoorRecord)?.intValue,
                  let cut = path.range(of: "/logs/") else { continue }
            out[String(path[cut.upperBound...]) + "#\(record)"] = r
        }
        return out
    }

    @Test func theImplantAndThePollerAreBothFound() async throws {
        let config = SimulationConfig(seed: 11, days: 2, hosts: 8, scenarios: ["https-beaconing"])
        let result = Simulator.run(config)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-beacon-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try result.write(to: dir)
        let batch = try await NetworkTestData.ingest([dir.appendingPathComponent("logs").path])
        let rows = Self.rowIndex(batch)

        // The implant's pair, from the ground truth: its TLS records' source and SNI.
        let beaconRows = truth.filter { $0.label.step == "beacon" && $0.file.hasSuffix("ssl.log") }
        try #require(!beaconRows.isEmpty)
        let r = try #require(rows[beaconRows[0].file + "#\(beaconRows[0].record)"])
        let implant = [try #require(batch.value(row: r, field: Field.sourceIP)?.description),
                       try #require(batch.value(row: r, field: Field.tlsServerName)?.stringValue)]
        // The poller: the backup server polling the web server's health endpoint.
        let client = try #require(result.organisation.clients.first)
        let poller = [try #require(client.hosts(.backupServer).first?.ip.description),
                      try #require(client.webServer?.fqdn(client))]

        var detector = BeaconDetector()
        let findings = NetworkTestData.run(&detector, on: batch)
        let implantRank = try #require(findings.firstIndex { $0.entity.parts == implant }) + 1
        let pollerRank = try #require(findings.firstIndex { $0.entity.parts == poller }) + 1
        print("implant \(implant) rank \(implantRank); poller \(poller) rank \(pollerRank) of \(findings.count)")
        print(NetworkTestData.describe(findings, 10))
        print(NetworkTestData.describe([findings[implantRank - 1]]))
        // Measured (seed 11, 2 days, 8 hosts): the implant scores 0.944 (timestamp .928, data_size
        // .941, duration 1, histogram .905; 132 connections). With RITA's score alone it ranked
        // 10th, below exact timers: the servers' NTP polls and the 60 s health poll. NTP is now
        // halved as periodic by design (RFC 5905) and destinations other hosts reach are scaled
        // down by their prevalence: the implant ranks 4th, below the health poll (internal, one
        // poller: a later stage's call) and two management agents each on one workstation.
        let implantFinding = findings[implantRank - 1]
        #expect(implantFinding.score > 0.9)
        #expect(findings[pollerRank - 1].score > 0.99)
        #expect(implantRank <= 5)
        // Every NTP pair (periodic by design) ranks below the implant.
        #expect(findings.prefix(implantRank - 1).allSatisfy { NetworkTestData.subscore($0, "periodic_by_design") == 0 })
        #expect(findings.contains { NetworkTestData.subscore($0, "periodic_by_design") == 1 })
        // Since the simulator writes benign management-agent check-ins over TLS (jittered, a hard
        // negative), exact timers are no longer the only pairs above the implant: what ranks above
        // it is periodic by the timestamp score (≥ 0.9), never a pair that is not a beacon.
        #expect(findings.prefix(implantRank - 1).allSatisfy { NetworkTestData.subscore($0, "timestamp") > 0.9 })

    }
}
