import Foundation
import Testing
@testable import SpoorIngest
import SpoorCore
import SpoorEvents
import SpoorTesting

/// EVTX files through ingest, and the promise that an event read from EVTX or from its
/// evtx_dump JSON twin is the same spoor event.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct WindowsIngestTests {
    /// Fields that say where an event was read from, not what it is.
    static let provenance: Set<String> = [Field.logFilePath, Field.logOffset, Field.spoorRecord, Field.spoorParser]

    func ingest(_ path: String, ledger: MemoryLedger = MemoryLedger()) async throws -> (IngestReport, [Event]) {
        let report = try await Ingestor(options: IngestOptions(organization: "test")).run(paths: [path], ledger: ledger)
        return (report, await ledger.events)
    }

    @Test func anEVTXFileIngestsRecordByRecordAndOnlyOnce() async throws {
        let path = try #require(SharedData.url("evtx-rs-samples/samples/security.evtx")).path
        let ledger = MemoryLedger()
        let (report, events) = try await ingest(path, ledger: ledger)
        #expect(report.sources.first?.format == "windows-evtx")
        #expect(report.events == 2_261)   // the record count the evtx package gives for this file
        #expect(report.rejects == 0)
        #expect(events.allSatisfy { $0[Field.eventCode] != nil && $0[Field.hostName] != nil })
        #expect(events.first?[Field.logOffset]?.intValue ?? 0 >= Int64(4096 + 512))
        let (again, _) = try await ingest(path, ledger: ledger)
        #expect(again.events == 0)
    }

    @Test func sigmaRegressionEVTXAndItsJSONTwinGiveTheSameEvents() async throws {
        let root = try #require(SharedData.url("sigma/regression_data"))
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".evtx") }.sorted()
        #expect(files.count >= 90)
        var compared = 0, differing: [String] = []
        for rel in files {
            let evtx = root.appendingPathComponent(rel).path
            let json = String(evtx.dropLast(5)) + ".json"
            guard FileManager.default.fileExists(atPath: json) else { continue }
            let (_, a) = try await ingest(evtx)
            let (_, b) = try await ingest(json)
            guard a.count == b.count else { differing.append("\(rel): \(a.count) vs \(b.count) events"); continue }
            for (x, y) in zip(a, b) {
                let fx = x.orderedFields.filter { !Self.provenance.contains($0.0) }
                let fy = y.orderedFields.filter { !Self.provenance.contains($0.0) }
                let dx = Dictionary(fx, uniquingKeysWith: { a, _ in a }), dy = Dictionary(fy, uniquingKeysWith: { a, _ in a })
                // The JSON twins were written by an older evtx_dump that trims trailing spaces in
                // strings (see SpoorEVTX's regression test); compare strings trimmed.
                func norm(_ v: FieldValue) -> FieldValue {
                    if case .string(let s) = v { return .string(s.trimmingCharacters(in: .whitespaces)) }
                    if case .list(let l) = v { return .list(l.map { $0.trimmingCharacters(in: .whitespaces) }) }
                    return v
                }
                let keys = Set(dx.keys).union(dy.keys)
                let diff = keys.filter { k in dx[k].map(norm) != dy[k].map(norm) }.sorted()
                if !diff.isEmpty { differing.append("\(rel): \(diff.prefix(5).joined(separator: ", "))") }
                compared += 1
            }
        }
        print("EVTX vs JSON twin: \(compared) events compared, \(differing.count) differing")
        #expect(compared >= 110)
        #expect(differing.isEmpty, "\(differing.prefix(10))")
    }
}
