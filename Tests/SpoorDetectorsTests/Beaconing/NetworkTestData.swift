import Foundation
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorDetectors

/// Ingests files or folders into one batch (ids = row numbers), as the case store would page them.
enum NetworkTestData {
    static func ingest(_ paths: [String], organization: String = "") async throws -> EventBatch {
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions(organization: organization)).run(paths: paths, ledger: ledger)
        return await ledger.batch
    }

    /// Runs a detector over `batch` in pages of `pageSize` rows (ids = row numbers).
    static func run<D: EventDetector>(_ detector: inout D, on batch: EventBatch) -> [DetectorFinding] {
        detector.observe(batch, ids: (0..<Int64(batch.count)).map { $0 })
        return detector.finish()
    }

    static func subscore(_ f: DetectorFinding, _ name: String) -> Double {
        f.subscores.first { $0.name == name }?.value ?? .nan
    }

    static func describe(_ findings: [DetectorFinding], _ n: Int = 8) -> String {
        findings.prefix(n).enumerated().map { i, f in
            "#\(i + 1) \(f.entity) score \(String(format: "%.3f", f.score)) "
                + f.subscores.map { "\($0.name)=\(String(format: "%.3f", $0.value))" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
