import SpoorCore

/// How far one source has been ingested into a case: the ingest ledger's row.
///
/// A source is recognised by content, not by path: ``fingerprint`` hashes its first bytes
/// (up to 4 KiB), and ``committedDigest`` hashes every byte up to ``committedOffset``. A file
/// seen again with the same prefix is the same file, perhaps grown: ingest resumes at the
/// committed offset and adds nothing twice. Offsets and digests are of the decompressed bytes.
public struct LedgerEntry: Sendable, Hashable, Codable {
    /// The store's id for the source (0 until stored).
    public var id: Int64
    /// The path as given (`archive.zip!member` for a member).
    public var path: String
    /// Hash of the first `min(size, 4096)` bytes: the lookup key.
    public var fingerprint: UInt64
    /// Hash of the bytes `0..<committedOffset`.
    public var committedDigest: UInt64
    /// Bytes committed: every record that ends before this offset is stored.
    public var committedOffset: Int64
    /// Records committed (events + rejects), so record numbers continue on resume.
    public var committedRecords: Int64
    public var events: Int64
    public var rejects: Int64
    /// The format the source was read as.
    public var format: String
    /// Whether the whole source was read at the last ingest.
    public var isComplete: Bool

    public init(id: Int64 = 0, path: String, fingerprint: UInt64, committedDigest: UInt64, committedOffset: Int64,
                committedRecords: Int64, events: Int64, rejects: Int64, format: String, isComplete: Bool) {
        self.id = id
        self.path = path
        self.fingerprint = fingerprint
        self.committedDigest = committedDigest
        self.committedOffset = committedOffset
        self.committedRecords = committedRecords
        self.events = events
        self.rejects = rejects
        self.format = format
        self.isComplete = isComplete
    }
}
