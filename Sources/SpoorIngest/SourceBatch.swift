import SpoorEvents

/// One unit of ingest work ready to commit: events and rejects of one source, and the
/// ledger entry that records how far the source has been read once they are stored.
///
/// A store writes a `SourceBatch` in one transaction, so a killed ingest resumes at the
/// last committed batch with no loss and no duplicates.
public struct SourceBatch: Sendable {
    public var events: EventBatch
    public var rejects: [Reject]
    /// The source's ledger entry as of the end of this batch (`id` 0 for a new source).
    public var ledger: LedgerEntry

    public init(events: EventBatch, rejects: [Reject], ledger: LedgerEntry) {
        self.events = events
        self.rejects = rejects
        self.ledger = ledger
    }
}

/// Where the ingest ledger lives: the case store, reached through the facade.
public protocol IngestLedger: Sendable {
    /// Entries whose fingerprint (hash of the first 4 KiB) is `fingerprint`.
    func entries(fingerprint: UInt64) async throws -> [LedgerEntry]
    /// Stores one batch and its ledger entry atomically; returns the entry's id.
    func commit(_ batch: SourceBatch) async throws -> Int64
}
