import Foundation
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorIntel
import SpoorSimulation
import SpoorStore

extension Workspace {
    /// Injects attack scenarios into a copy of the user's logs: reads `into` through ingest
    /// (into a temporary case), learns its hosts, users, address ranges, time span, volumes and
    /// formats, runs the scenarios against that learned organisation and writes `out/logs/…`
    /// (copies with the attack records inserted in each file's own format and time order;
    /// untouched files byte for byte) and `out/ground_truth.jsonl`.
    public static func inject(into: String, scenarios: [String], out: String, seed: UInt64 = 1, start: Timestamp? = nil,
                              options: IngestOptions = IngestOptions(organization: "user"),
                              progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> InjectionReport {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-inject-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let workspace = try await Workspace.open(caseDirectory: scratch.path)
        _ = try await workspace.ingest([into], options: options, progress: progress)
        var batches: [EventBatch] = []
        var after: Int64 = 0
        while true {
            let (batch, ids) = try await workspace.store.loadEventPage(afterID: after, limit: 50_000)
            guard let last = ids.last else { break }
            batches.append(batch)
            after = last
        }
        let environment = LearnedEnvironment(batches)
        let reader: Injector.Reader = { url in
            let raw = try [UInt8](Data(contentsOf: url))
            if raw.starts(with: [0x50, 0x4B]) || raw.starts(with: [0xFD, 0x37, 0x7A]) { return nil }   // zip, xz: copied only
            return try IntelFileReader.decompress(raw, file: url.path)
        }
        return try Injector.inject(into: URL(fileURLWithPath: into), environment: environment, scenarios: scenarios,
                                   out: URL(fileURLWithPath: out), seed: seed, start: start, read: reader)
    }
}
