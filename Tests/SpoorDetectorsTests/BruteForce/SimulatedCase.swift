import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorDetectors
import SpoorSimulation
import SpoorTesting

/// A `spoor simulate` run written to a temporary folder and read back by ingest, page by page,
/// the way a case reaches the detectors (ids are running row numbers over the pages).
struct SimulatedCase {
    var pages: [EventBatch] = []
    /// The first id of each page.
    var firstIDs: [Int64] = []
    var truth: [GroundTruthRow] = []
    var result: SimulationResult
    /// `file#record` → id, for the ground truth.
    var idOf: [String: Int64] = [:]
    var events: Int { pages.reduce(0) { $0 + $1.count } }

    static func run(_ config: SimulationConfig) async throws -> SimulatedCase {
        let result = Simulator.run(config)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-dethost-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = SimulatedCase(result: result)
        c.truth = try result.write(to: dir)
        let logs = dir.appendingPathComponent("logs").path
        let ledger = MemoryLedger()
        let options = IngestOptions(organization: "acme", timeZone: .utc, collectedAt: config.window.end)
        let report = try await Ingestor(options: options).run(paths: [logs], ledger: ledger)
        #expect(report.rejects == 0)
        var next: Int64 = 0
        for b in await ledger.batches {
            let page = b.events
            c.firstIDs.append(next)
            for r in 0..<page.count {
                if case .string(let p)? = page.value(row: r, field: Field.logFilePath),
                   case .int(let n)? = page.value(row: r, field: Field.spoorRecord) {
                    let rel = p.hasPrefix(logs) ? String(p.dropFirst(logs.count + 1)) : p
                    c.idOf["\(rel)#\(n)"] = next + Int64(r)
                }
            }
            next += Int64(page.count)
            c.pages.append(page)
        }
        return c
    }

    /// Feeds every page to `detector`.
    func feed<D: EventDetector>(_ detector: inout D) {
        for (k, page) in pages.enumerated() {
            let first = firstIDs[k]
            detector.observe(page, ids: (0..<Int64(page.count)).map { first + $0 })
        }
    }

    /// The event with id `id`.
    func event(_ id: Int64) -> Event? {
        guard let k = firstIDs.lastIndex(where: { $0 <= id }) else { return nil }
        let r = Int(id - firstIDs[k])
        return r < pages[k].count ? pages[k].row(r) : nil
    }

    /// The ids of the ground-truth records of a scenario.
    func truthIDs(scenario: String) -> [Int64] {
        truth.filter { $0.label.campaign.hasPrefix(scenario + "#") }.compactMap { idOf["\($0.file)#\($0.record)"] }
    }
}
