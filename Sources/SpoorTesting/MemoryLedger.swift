import SpoorEvents
import SpoorIngest

/// A ledger and store in memory: what a case store does, minus the disk, for ingest tests.
public actor MemoryLedger: IngestLedger {
    public private(set) var stored: [LedgerEntry] = []
    public private(set) var batches: [SourceBatch] = []
    var nextID: Int64 = 1
    /// Fail the commit after this many batches (to test that nothing half-written remains).
    public private(set) var failAfter: Int? = nil

    public init() {}

    public func entries(fingerprint: UInt64) async throws -> [LedgerEntry] {
        stored.filter { $0.fingerprint == fingerprint }
    }

    public func commit(_ batch: SourceBatch) async throws -> Int64 {
        if let n = failAfter, batches.count >= n { throw TestFailure(message: "injected store failure") }
        var entry = batch.ledger
        if entry.id == 0 {
            entry.id = nextID
            nextID += 1
        }
        stored.removeAll { $0.id == entry.id }
        stored.append(entry)
        var b = batch
        b.ledger = entry
        batches.append(b)
        return entry.id
    }

    public func setFailAfter(_ n: Int?) { failAfter = n }

    /// Every committed event as one columnar batch.
    public var batch: EventBatch {
        var out = EventBatch()
        for b in batches { out.append(contentsOf: b.events) }
        return out
    }

    public var events: [Event] { batches.flatMap { $0.events.events } }
    public var rejects: [Reject] { batches.flatMap(\.rejects) }

    /// Ledger entries handed back with their ids, as a store would (the reader keeps updating them).
    public func entry(path: String) -> LedgerEntry? { stored.first { $0.path == path } }
}

public struct TestFailure: Error { public var message: String }
