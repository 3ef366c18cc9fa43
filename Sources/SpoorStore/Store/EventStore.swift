import SpoorCore
import SpoorEvents
import SpoorIngest

/// A case store: where ingested events, rejects, the ingest ledger and runs are kept.
///
/// Two implementations are planned: ``SQLiteEventStore``, one SQLite file in the case
/// directory, and a ClickHouse store for many workers on many machines. Callers (the `Spoor`
/// facade, the CLI) speak only this protocol, so the second can arrive without changing them.
///
/// Every method that touches storage is `async`: the embedded store runs SQLite on its own
/// serial writer and reader connections, a distributed store does HTTP. Values in and out are
/// the capability targets' own value types (``EventBatch``, ``Reject``, ``LedgerEntry``).
///
/// ```swift
/// let store = try await SQLiteEventStore.open(.init(directory: "spoor-case"))
/// let run = try await store.beginRun(command: "ingest", arguments: ["auth.log"])
/// var entry = try await store.ledgerEntries(fingerprint: fp).first ?? LedgerEntry(…)
/// entry = try await store.commit(IngestCommit(batch: batch, rejects: rejects, ledger: entry, run: run))
/// try await store.finishRun(run, summary: #"{"events":120}"#)
/// ```
public protocol EventStore: Sendable {
    /// How to reach the store: a directory for the embedded store, a URL for a server.
    associatedtype Configuration: Sendable

    /// Opens the case described by `configuration`, creating it (and upgrading its schema) if needed.
    static func open(_ configuration: Configuration) async throws(StoreError) -> Self

    // MARK: Runs

    /// Records the start of a command (`ingest`, `hunt`, …) and returns its id.
    func beginRun(command: String, arguments: [String]) async throws(StoreError) -> RunID

    /// Records the end of a run with a summary (a JSON object as text).
    func finishRun(_ run: RunID, summary: String) async throws(StoreError)

    // MARK: The ingest ledger

    /// The ledger rows of sources whose first bytes hash to `fingerprint` (usually zero or one).
    func ledgerEntries(fingerprint: UInt64) async throws(StoreError) -> [LedgerEntry]

    /// Every source ever ingested into the case, in the order they were first stored.
    func sources() async throws(StoreError) -> [LedgerEntry]

    // MARK: Writing

    /// Stores one batch of events, its rejects and the source's ledger row in one transaction.
    ///
    /// Either all of it becomes visible or none of it does: a process killed midway leaves the
    /// case as it was before the call, with the ledger offset matching the stored events, so
    /// the next ingest resumes exactly where this one stopped.
    ///
    /// - Returns: The ledger row as stored (with its ``LedgerEntry/id`` assigned when it was new).
    @discardableResult
    func commit(_ commit: IngestCommit) async throws(StoreError) -> LedgerEntry

    // MARK: Reading

    /// The number of stored events.
    func eventCount() async throws(StoreError) -> Int

    /// The number of stored rejects.
    func rejectCount() async throws(StoreError) -> Int

    /// Stored rejects in the order they were committed; at most `limit` when given.
    func rejects(limit: Int?) async throws(StoreError) -> [Reject]

    /// Every field name stored with the kind its values have, in order of first appearance.
    func fieldCatalog() async throws(StoreError) -> [FieldDescriptor]

    /// Loads events back as a columnar batch, with every field's kind restored.
    ///
    /// - Parameters:
    ///   - filter: Field = value conditions, all of which must hold (an empty filter loads all).
    ///     A string value is read as the field's kind (`source.port=22` compares integers).
    ///   - limit: The most events returned, in commit order; nil for all.
    /// - Throws: ``StoreError/Code/invalidFilter`` when a value cannot be read as its field's kind.
    func loadEvents(filter: [FieldEquality], limit: Int?) async throws(StoreError) -> EventBatch

    /// Up to `limit` events with store ids above `afterID`, in id order, and their ids (one
    /// per row): the way to stream a whole case in bounded memory.
    func loadEventPage(afterID: Int64, limit: Int) async throws(StoreError) -> (events: EventBatch, ids: [Int64])

    /// The events with these store ids (those that exist), in id order, and their ids.
    func loadEvents(ids: [Int64]) async throws(StoreError) -> (events: EventBatch, ids: [Int64])

    /// Stores detections found by `run`; returns how many were new (a detection already stored,
    /// same engine, rule and events, is kept once).
    func storeDetections(_ detections: [Detection], run: RunID) async throws(StoreError) -> Int

    /// Detections at or above `minimumLevel` (all when nil), by time; only those of `run` when given.
    func detections(run: RunID?, minimumLevel: String?, limit: Int?) async throws(StoreError) -> [Detection]

    /// Runs one read-only SQL statement (SELECT, WITH … SELECT, VALUES or EXPLAIN).
    ///
    /// Anything else is refused before it runs, as is more than one statement.
    /// - Parameter maximumRows: Stop after this many rows (``QueryResult/isTruncated`` tells).
    /// - Throws: ``StoreError/Code/notReadOnly`` for a refused statement.
    func query(sql: String, maximumRows: Int?) async throws(StoreError) -> QueryResult
}

extension EventStore {
    /// Loads every event (see ``loadEvents(filter:limit:)``).
    public func loadEvents() async throws(StoreError) -> EventBatch {
        try await loadEvents(filter: [], limit: nil)
    }

    /// Runs one read-only SQL statement and returns all its rows.
    public func query(sql: String) async throws(StoreError) -> QueryResult {
        try await query(sql: sql, maximumRows: nil)
    }
}

/// The id of a run (one command invocation) in a case.
public struct RunID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The row id in the store's `runs` table.
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// What one ingest step stores at once: a batch of events, the records that failed, and the
/// source's ledger row updated to the offset just after the last of them.
public struct IngestCommit: Sendable {
    /// The events parsed from the source since the previous commit.
    public var batch: EventBatch
    /// The records of that stretch that did not become events.
    public var rejects: [Reject]
    /// The source's ledger row after this stretch; ``LedgerEntry/id`` 0 for a new source.
    public var ledger: LedgerEntry
    /// The run doing the ingest, recorded on events and the ledger when given.
    public var run: RunID?

    public init(batch: EventBatch, rejects: [Reject] = [], ledger: LedgerEntry, run: RunID? = nil) {
        self.batch = batch
        self.rejects = rejects
        self.ledger = ledger
        self.run = run
    }
}

/// A condition `field = value` for ``EventStore/loadEvents(filter:limit:)``.
///
/// `FieldEquality(parsing: "source.ip=10.0.0.1")` is what `spoor events --where` builds: the
/// value stays text and the store reads it as the field's kind. For a string-list field the
/// condition holds when any item equals the value.
public struct FieldEquality: Sendable, Hashable, CustomStringConvertible {
    /// The field name (`source.ip`, `zeek.uid`, `@timestamp`).
    public var field: String
    /// The value to compare with; `.string` text is read as the field's kind.
    public var value: FieldValue

    public init(field: String, value: FieldValue) {
        self.field = field
        self.value = value
    }

    /// Splits `FIELD=VALUE` at the first `=`; nil when there is none or the field is empty.
    public init?(parsing text: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        field = String(text[..<eq])
        value = .string(String(text[text.index(after: eq)...]))
    }

    public var description: String { "\(field)=\(value)" }
}

/// A field name and the kind of its values, as the store's catalog records them.
public struct FieldDescriptor: Sendable, Hashable, Codable {
    /// The field name.
    public var name: String
    /// The kind every stored value of the field is loaded as.
    public var kind: FieldKind
    public init(name: String, kind: FieldKind) {
        self.name = name
        self.kind = kind
    }
}

/// The rows of a read-only SQL query.
///
/// SQL values map to ``FieldValue``: INTEGER → `.int`, REAL → `.double`, TEXT → `.string`,
/// BLOB → `.string` under the ``ByteText`` policy, NULL → nil.
public struct QueryResult: Sendable, Hashable {
    /// The result's column names, as SQLite reports them.
    public var columns: [String]
    /// One array per row, as long as ``columns``.
    public var rows: [[FieldValue?]]
    /// Whether rows were left off because of `maximumRows`.
    public var isTruncated: Bool

    public init(columns: [String], rows: [[FieldValue?]], isTruncated: Bool = false) {
        self.columns = columns
        self.rows = rows
        self.isTruncated = isTruncated
    }
}
