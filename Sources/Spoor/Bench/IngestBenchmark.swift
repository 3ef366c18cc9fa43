import Foundation
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorParsers

/// Measures ingest on one input, beside the floor of `cat` and `wc -l` on the same file, in
/// the same run: parsing into columns (no store), then ingest with the SQLite write.
///
/// Figures are CPU seconds (user + system, from `getrusage`), which a busy shared machine
/// disturbs far less than wall-clock time; wall time is reported too.
public enum IngestBenchmark {
    /// CPU and wall seconds of one measured step.
    public struct Timing: Sendable, Codable {
        public var cpuSeconds: Double
        public var wallSeconds: Double
        /// MB (10⁶ bytes) per CPU second.
        public var megabytesPerCPUSecond: Double
    }

    public struct Figures: Sendable, Codable {
        public var format: String
        public var file: String
        public var bytes: Int
        public var events: Int
        public var rejects: Int
        /// Distinct values over events, per field (the perturbation check).
        public var distinctShare: [String: Double]
        public var cat: Timing
        public var wc: Timing
        public var parse: Timing
        public var ingest: Timing
        public var parseEventsPerCPUSecond: Double
        public var ingestEventsPerCPUSecond: Double
    }

    static func cpu(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func timing(bytes: Int, _ body: () async throws -> Void, children: Bool = false) async rethrows -> Timing {
        let who = children ? RUSAGE_CHILDREN : RUSAGE_SELF
        let c0 = cpu(who.rawValue), w0 = Date()
        try await body()
        let c = cpu(who.rawValue) - c0, w = Date().timeIntervalSince(w0)
        return Timing(cpuSeconds: c, wallSeconds: w, megabytesPerCPUSecond: c > 0 ? Double(bytes) / 1e6 / c : 0)
    }

    static func runTool(_ path: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }

    /// Measures `file` (already written, in format `format`).
    public static func measure(file: String, format: String, workDirectory: URL) async throws -> Figures {
        let bytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        // Warm the page cache so every step reads from memory.
        try runTool("/bin/cat", [file])
        let cat = try await timing(bytes: bytes, { try runTool("/bin/cat", [file]) }, children: true)
        let wc = try await timing(bytes: bytes, { try runTool("/usr/bin/wc", ["-l", file]) }, children: true)
        var options = IngestOptions(organization: "bench", forcedFormat: format, collectedAt: Timestamp(microseconds: 1_800_000_000_000_000))
        options.parallelism = 1
        let counter = CountingLedger()
        var parsed = IngestReport()
        let parse = try await timing(bytes: bytes) {
            parsed = try await Ingestor(options: options).run(paths: [file], ledger: counter)
        }
        let caseDir = workDirectory.appendingPathComponent("case-\(format)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: caseDir) }
        let workspace = try await Workspace.open(caseDirectory: caseDir)
        var ingested = IngestReport()
        let ingest = try await timing(bytes: bytes) {
            ingested = try await workspace.ingest([file], options: options)
        }
        precondition(ingested.events == parsed.events, "parse-only and stored ingest disagree")
        let distinct = try await DistinctCounter.shares(file: file, options: options)
        return Figures(format: format, file: file, bytes: bytes, events: parsed.events, rejects: parsed.rejects,
                       distinctShare: distinct, cat: cat, wc: wc, parse: parse, ingest: ingest,
                       parseEventsPerCPUSecond: parse.cpuSeconds > 0 ? Double(parsed.events) / parse.cpuSeconds : 0,
                       ingestEventsPerCPUSecond: ingest.cpuSeconds > 0 ? Double(ingested.events) / ingest.cpuSeconds : 0)
    }
}

/// A ledger that keeps nothing: ingest parses into columns and the batches are dropped.
struct CountingLedger: IngestLedger {
    func entries(fingerprint: UInt64) async throws -> [LedgerEntry] { [] }
    func commit(_ batch: SourceBatch) async throws -> Int64 { 1 }
}

/// Counts distinct values of the fields the perturbation changes.
actor DistinctCounter: IngestLedger {
    static let fields = [Field.timestamp, Field.hostName, Field.userName, Field.sourceIP, Field.destinationIP, Field.networkFlowID, Field.urlOriginal]
    var seen: [String: Set<String>] = [:]
    var events = 0

    func entries(fingerprint: UInt64) async throws -> [LedgerEntry] { [] }

    func commit(_ batch: SourceBatch) async throws -> Int64 {
        let b = batch.events
        events += b.count
        for f in DistinctCounter.fields {
            guard let c = b.columnIndex[f] else { continue }
            var set = seen[f] ?? []
            for r in 0..<b.count { if let v = b.value(row: r, column: c) { set.insert(v.description) } }
            seen[f] = set
        }
        return 1
    }

    func shares() -> [String: Double] {
        seen.mapValues { events > 0 ? Double($0.count) / Double(events) : 0 }
    }

    static func shares(file: String, options: IngestOptions) async throws -> [String: Double] {
        let counter = DistinctCounter()
        _ = try await Ingestor(options: options).run(paths: [file], ledger: counter)
        return await counter.shares()
    }
}
