import Foundation
import Logging
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorParsers
import SpoorStore

/// A case and everything spoor does with it: the facade the CLI, the dashboard and Swift
/// users call.
///
/// A case is a directory (default `./spoor-case`) holding the embedded store. The workspace
/// wires the stages (ingest into the store, reading back for analysis) and owns their
/// transactions: each ingest batch is committed with its ledger entry in one transaction.
///
/// ```swift
/// let workspace = try await Workspace.open(caseDirectory: "spoor-case")
/// let report = try await workspace.ingest(["/var/log/auth.log"], options: IngestOptions(organization: "acme"))
/// let failures = try await workspace.events(where: [FieldEquality(parsing: "event.outcome=failure")!], limit: 100)
/// ```
public struct Workspace: Sendable {
    /// The case directory.
    public let caseDirectory: String
    let store: SQLiteEventStore

    init(caseDirectory: String, store: SQLiteEventStore) {
        self.caseDirectory = caseDirectory
        self.store = store
    }

    /// Opens the case in `caseDirectory`, creating it if needed.
    public static func open(caseDirectory: String) async throws -> Workspace {
        Workspace(caseDirectory: caseDirectory, store: try await SQLiteEventStore.open(directory: caseDirectory))
    }

    /// Opens a case that must already exist (commands that read a case: a mistyped `--case`
    /// is an error, not a new empty case).
    public static func openExisting(caseDirectory: String) async throws -> Workspace {
        let file = URL(fileURLWithPath: caseDirectory).appendingPathComponent("case.sqlite").path
        guard FileManager.default.fileExists(atPath: file) else {
            throw WorkspaceError.invalidInput("no case at \(caseDirectory) (no case.sqlite there): create one with `spoor ingest PATH --case \(caseDirectory)` or `spoor analyze`")
        }
        return try await open(caseDirectory: caseDirectory)
    }

    /// Ingests files, directories and archives into the case (see ``Ingestor``).
    ///
    /// Each batch is stored with its ledger entry in one transaction; re-ingesting adds
    /// nothing, and an interrupted ingest resumes where its last batch was committed.
    public func ingest(_ paths: [String], options: IngestOptions, strict: Bool = false,
                       arguments: [String] = [],
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> IngestReport {
        let run = try await store.beginRun(command: "ingest", arguments: arguments.isEmpty ? paths : arguments)
        let ledger = StoreLedger(store: store, run: run)
        do {
            let report = try await Ingestor(options: options).run(paths: paths, ledger: ledger, strict: strict, progress: progress)
            try await store.finishRun(run, summary: Self.summaryJSON(report))
            return report
        } catch {
            try? await store.finishRun(run, summary: "{\"error\":\(JSONValue.quote(String(describing: error)))}")
            throw error
        }
    }

    static func summaryJSON(_ r: IngestReport) -> String {
        "{\"records\":\(r.records),\"events\":\(r.events),\"rejects\":\(r.rejects),\"bytes\":\(r.bytes),\"sources\":\(r.sources.count)}"
    }

    /// Events matching every `field=value` condition, at most `limit`, in ingest order.
    public func events(where filter: [FieldEquality] = [], limit: Int? = nil) async throws -> EventBatch {
        try await store.loadEvents(filter: filter, limit: limit)
    }

    /// Runs one read-only SQL statement over the case's tables.
    public func sql(_ statement: String, maximumRows: Int? = nil) async throws -> QueryResult {
        try await store.query(sql: statement, maximumRows: maximumRows)
    }

    /// Every source ingested into the case (the ingest ledger).
    public func sources() async throws -> [LedgerEntry] { try await store.sources() }

    /// Stored rejects, oldest first.
    public func rejects(limit: Int? = nil) async throws -> [Reject] { try await store.rejects(limit: limit) }

    /// The number of events and rejects stored.
    public func counts() async throws -> (events: Int, rejects: Int) {
        (try await store.eventCount(), try await store.rejectCount())
    }
}

/// The ingest ledger kept in the case store: commits go to the store in one transaction each.
struct StoreLedger: IngestLedger {
    let store: SQLiteEventStore
    let run: RunID

    func entries(fingerprint: UInt64) async throws -> [LedgerEntry] {
        try await store.ledgerEntries(fingerprint: fingerprint)
    }

    func commit(_ batch: SourceBatch) async throws -> Int64 {
        try await store.commit(IngestCommit(batch: batch.events, rejects: batch.rejects, ledger: batch.ledger, run: run)).id
    }
}
