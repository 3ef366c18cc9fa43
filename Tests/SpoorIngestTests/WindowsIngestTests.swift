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

    /// The EVTX files of one run share their readers' context (template definitions, names and
    /// plans learnt from the files before; `EVTXContextPool`): the run gives every file the events
    /// it gives when ingested alone.
    @Test func filesOfOneRunGiveTheEventsEachGivesAlone() async throws {
        let dir = try #require(SharedData.url("evtx-rs-samples/samples")).path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".evtx") }.sorted()
        let options = IngestOptions(organization: "test", parallelism: 1)
        func byFile(_ events: [Event]) -> [String: [[(String, FieldValue)]]] {
            Dictionary(grouping: events.map { $0.orderedFields }, by: { fields in
                fields.first { $0.0 == Field.logFilePath }.map { "\($0.1)" } ?? "" })
        }
        let ledger = MemoryLedger()
        let run = try await Ingestor(options: options).run(paths: names.map { dir + "/" + $0 }, ledger: ledger)
        let together = byFile(await ledger.events)
        var events = 0, differing: [String] = []
        // Two of the samples (`issue_201.evtx`, `MSExchange_Management_wec.evtx`) are the same
        // bytes: the ledger takes the second for the first, already ingested (by design).
        var seen: Set<Data> = []
        for name in names where seen.insert(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))).inserted {
            let alone = MemoryLedger()
            _ = try await Ingestor(options: options).run(paths: [dir + "/" + name], ledger: alone)
            let one = byFile(await alone.events)
            let path = dir + "/" + name
            let a = one[path] ?? [], b = together[path] ?? []
            events += a.count
            if a.count != b.count || zip(a, b).contains(where: { x, y in !x.elementsEqual(y, by: { $0.0 == $1.0 && $0.1 == $1.1 }) }) {
                differing.append(name)
            }
        }
        #expect(run.events == events)
        #expect(events > 18_000)
        #expect(differing.isEmpty, "\(differing)")
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
