import SpoorCore

/// What happened to one source in an ingest run.
public struct SourceReport: Sendable, Hashable, Codable {
    /// The path (`archive!member` for an archive member).
    public var path: String
    /// The format it was read as; nil when it was skipped before parsing.
    public var format: String?
    /// Records read in this run (events + rejects).
    public var records: Int
    public var events: Int
    public var rejects: Int
    /// Bytes read from the (decompressed) source in this run.
    public var bytes: Int
    /// Why the source was not parsed (a pcap, a binary, an unknown format), if it was not.
    public var skipped: String?
    /// An error that ended the source early (truncated gzip, …); what came before it is kept.
    public var error: String?
    /// The source had been ingested before, up to this offset (nothing before it was added again).
    public var resumedAt: Int?
    /// A few rejects, for the report (all are stored in the case).
    public var rejectExamples: [Reject]

    public init(path: String, format: String? = nil, records: Int = 0, events: Int = 0, rejects: Int = 0, bytes: Int = 0,
                skipped: String? = nil, error: String? = nil, resumedAt: Int? = nil, rejectExamples: [Reject] = []) {
        self.path = path
        self.format = format
        self.records = records
        self.events = events
        self.rejects = rejects
        self.bytes = bytes
        self.skipped = skipped
        self.error = error
        self.resumedAt = resumedAt
        self.rejectExamples = rejectExamples
    }
}

/// The outcome of an ingest run: totals and one report per source.
public struct IngestReport: Sendable, Codable {
    public var sources: [SourceReport]
    /// Paths given that do not exist.
    public var missing: [String]
    public var seconds: Double

    public init(sources: [SourceReport] = [], missing: [String] = [], seconds: Double = 0) {
        self.sources = sources
        self.missing = missing
        self.seconds = seconds
    }

    public var records: Int { sources.reduce(0) { $0 + $1.records } }
    public var events: Int { sources.reduce(0) { $0 + $1.events } }
    public var rejects: Int { sources.reduce(0) { $0 + $1.rejects } }
    public var bytes: Int { sources.reduce(0) { $0 + $1.bytes } }
    public var errors: Int { sources.filter { $0.error != nil }.count + missing.count }
    public var skipped: Int { sources.filter { $0.skipped != nil }.count }

    /// Whether the run finished with diagnostics (rejects, errors, skipped or missing sources).
    public var hasDiagnostics: Bool { rejects > 0 || errors > 0 || skipped > 0 }
}
