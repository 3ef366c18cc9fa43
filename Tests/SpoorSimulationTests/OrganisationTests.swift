import Foundation
import Testing
import SpoorCore
@testable import SpoorSimulation

@Suite struct OrganisationTests {
    @Test func sameSeedSameOrganisationDifferentSeedDiffers() {
        let a = Organisation.build(SimulationConfig(seed: 1, clients: 2))
        let b = Organisation.build(SimulationConfig(seed: 1, clients: 2))
        let c = Organisation.build(SimulationConfig(seed: 2, clients: 2))
        #expect(a == b && a != c)
        #expect(a.clients.count == 2 && a.clients[0].id != a.clients[1].id)
        let acme = a.clients[0]
        #expect(acme.domainController != nil && acme.proxy != nil && acme.webServer != nil)
        #expect(acme.hosts.count == 24 && acme.workstations.count == 18)
        #expect(Set(acme.hosts.map(\.ip)).count == acme.hosts.count && acme.hosts.allSatisfy { acme.network.contains($0.ip) })
        #expect(Set(acme.users.map(\.name)).count == acme.users.count && !acme.admins.isEmpty)
    }

    /// Records are written in time order per file, headers are not records, and ground truth
    /// numbers records as ingest does (1-based among data records).
    @Test func outputNumbersRecordsAsIngestDoes() throws {
        var out = SimulationOutput()
        out.declare("c/zeek/conn.log", layout: LogFileLayout(header: ["#separator \\x09", "#fields\tts"], footer: ["#close\t2026"]))
        let label = TruthLabel(technique: "T1071.001", tactic: "command-and-control", campaign: "x#1", step: "beacon")
        out.add("c/zeek/conn.log", time: Timestamp(microseconds: 30), line: "30", client: "c", host: "h")
        out.add("c/zeek/conn.log", time: Timestamp(microseconds: 10), line: "10", client: "c", host: "h", label: label)
        out.add("c/zeek/conn.log", time: Timestamp(microseconds: 20), line: "20", client: "c", host: "h")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try out.write(logs: dir)
        let text = try String(contentsOf: dir.appendingPathComponent("c/zeek/conn.log"), encoding: .utf8)
        #expect(text == "#separator \\x09\n#fields\tts\n10\n20\n30\n#close\t2026\n")
        #expect(truth == [GroundTruthRow(file: "c/zeek/conn.log", record: 1, time: Timestamp(microseconds: 10), client: "c", host: "h", label: label)])
        let jsonl = SimulationOutput.groundTruthJSONL(truth)
        #expect(try SimulationOutput.readGroundTruth(Array(jsonl.utf8)) == truth)
    }

    @Test func weekdaysAreISO() {
        #expect(SimCalendar.weekday(CivilTime(year: 2026, month: 3, day: 2)) == 1)   // a Monday
        #expect(SimCalendar.weekday(CivilTime(year: 2026, month: 3, day: 8)) == 7)
        #expect(SimCalendar.weekday(CivilTime(year: 1970, month: 1, day: 1)) == 4)
    }
}
