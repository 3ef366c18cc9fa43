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
    /// Replays recorded attacks into a copy of the user's logs: each dataset (OTRF
    /// Security-Datasets Windows JSON lines, plain or zipped) with its `_metadata` YAML (the
    /// ATT&CK technique) is time-shifted to `start` (default: the middle of the logs' span),
    /// its hosts, users and addresses rewritten to the learned organisation's, and inserted like
    /// `inject` does, with ground truth for every replayed record.
    public static func replay(into: String, datasets: [(data: String, metadata: String)], out: String, start: Timestamp? = nil,
                              options: IngestOptions = IngestOptions(organization: "user"),
                              progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> InjectionReport {
        let environment = try await learn(into, options: options, progress: progress)
        let middle = environment.start.flatMap { s in environment.end.map { Timestamp(microseconds: (s.microseconds + $0.microseconds) / 2) } }
        guard let when = start ?? middle else { throw WorkspaceError.invalidInput("\(into): no event with a time to replay next to") }
        var attacks: [RecordedAttack] = []
        for (data, metadata) in datasets {
            let name = ((data as NSString).lastPathComponent as NSString).deletingPathExtension
            let yaml = String(decoding: try Data(contentsOf: URL(fileURLWithPath: metadata)), as: UTF8.self)
            attacks.append(try RecordedAttack(name: name, data: try readDataset(data), metadataYAML: yaml, start: when))
        }
        return try Injector.replay(attacks, into: URL(fileURLWithPath: into), environment: environment, out: URL(fileURLWithPath: out),
                                   read: fileReader)
    }

    /// A dataset's lines: the members of a zip archive one after the other, or the file itself
    /// (decompressed when gzip, bzip2 or xz).
    static func readDataset(_ path: String) throws -> [UInt8] {
        var head = [UInt8](repeating: 0, count: 4)
        if let h = FileHandle(forReadingAtPath: path) {
            head = [UInt8](h.readData(ofLength: 4))
            try? h.close()
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let zip = try ZipArchive(path: path)
            var all: [UInt8] = []
            for m in zip.members where !m.isDirectory && !m.isEncrypted {
                let stream = try zip.open(m, limits: DecompressionLimits())
                var bytes: [UInt8] = []
                while try stream.read(into: &bytes, maximum: 1 << 20) > 0 {}
                all += bytes
                if let last = all.last, last != UInt8(ascii: "\n") { all.append(UInt8(ascii: "\n")) }
            }
            return all
        }
        return try IntelFileReader.decompress([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
    }

    /// Learns the organisation in `folder` through ingest into a temporary case.
    static func learn(_ folder: String, options: IngestOptions,
                      progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) async throws -> LearnedEnvironment {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-learn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let workspace = try await Workspace.open(caseDirectory: scratch.path)
        _ = try await workspace.ingest([folder], options: options, progress: progress)
        var batches: [EventBatch] = []
        var after: Int64 = 0
        while true {
            let (batch, ids) = try await workspace.store.loadEventPage(afterID: after, limit: 50_000)
            guard let last = ids.last else { break }
            batches.append(batch)
            after = last
        }
        return LearnedEnvironment(batches)
    }

    /// Reads the user's files for copying: compressed text through ingest's streams; zip and xz
    /// archives are copied unchanged (nil).
    static let fileReader: Injector.Reader = { url in
        let raw = try [UInt8](Data(contentsOf: url))
        if raw.starts(with: [0x50, 0x4B]) || raw.starts(with: [0xFD, 0x37, 0x7A]) { return nil }
        return try IntelFileReader.decompress(raw, file: url.path)
    }

    public static func inject(into: String, scenarios: [String], out: String, seed: UInt64 = 1, start: Timestamp? = nil,
                              options: IngestOptions = IngestOptions(organization: "user"),
                              progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> InjectionReport {
        let environment = try await learn(into, options: options, progress: progress)
        return try Injector.inject(into: URL(fileURLWithPath: into), environment: environment, scenarios: scenarios,
                                   out: URL(fileURLWithPath: out), seed: seed, start: start, read: fileReader)
    }
}
