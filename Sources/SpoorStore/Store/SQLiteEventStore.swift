import Foundation
import GRDB
import SpoorCore
import SpoorEvents
import SpoorIngest

/// The embedded case store: one SQLite database, `case.sqlite`, in the case directory.
///
/// The database runs in WAL mode through one GRDB `DatabasePool` per file for the whole
/// process (SQLite writes are serial; readers run beside the writer). Each ``commit(_:)`` is
/// one transaction. Bulk inserts bind values with SQLite's C calls on a prepared statement
/// reused for every row, which avoids GRDB's per-argument boxing.
///
/// The table layout and the reasons for it are in ``StoreSchema``; the DocC article
/// "SpoorStore" shows how to query it with `spoor sql`.
public final class SQLiteEventStore: EventStore, Sendable {
    /// Where the case lives.
    public struct Configuration: Sendable, Hashable {
        /// The case directory; created if missing.
        public var directory: String
        /// SQLite's page cache per connection, in KiB (a larger cache speeds up bulk inserts).
        public var cacheKiB: Int

        public init(directory: String, cacheKiB: Int = 64 * 1024) {
            self.directory = directory
            self.cacheKiB = cacheKiB
        }

        /// The database file inside the case directory.
        public var databasePath: String { (directory as NSString).appendingPathComponent("case.sqlite") }
    }

    /// The configuration the store was opened with.
    public let configuration: Configuration
    let pool: DatabasePool
    /// For tests: make ``commit(_:)`` fail after inserting this many events of a batch.
    let failAfterRows: Int?

    init(configuration: Configuration, failAfterRows: Int?) throws(StoreError) {
        self.configuration = configuration
        self.failAfterRows = failAfterRows
        let directory = configuration.directory
        try StoreError.wrapping(.cannotOpen, "cannot create the case directory \(directory)") {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var config = GRDB.Configuration()
        config.label = "spoor.case"
        config.busyMode = .timeout(10)
        let cache = configuration.cacheKiB
        config.prepareDatabase { db in
            // NORMAL is safe in WAL mode: a killed process loses nothing committed; a power
            // cut may lose the last commits but never corrupts the file (sqlite.org/wal.html).
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -\(cache)")
        }
        let path = configuration.databasePath
        pool = try StoreError.wrapping(.cannotOpen, "cannot open \(path)") {
            try DatabasePool(path: path, configuration: config)
        }
        let migrator = StoreSchema.migrator
        try StoreError.wrapping(.cannotOpen, "cannot set up the tables of \(path)") {
            let tooNew = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if tooNew {
                throw StoreError(.schemaTooNew, "\(path) was written by a newer spoor; upgrade spoor to open it")
            }
            try migrator.migrate(pool)
        }
    }

    /// Opens (or creates) the case in `configuration.directory`.
    public static func open(_ configuration: Configuration) async throws(StoreError) -> SQLiteEventStore {
        try SQLiteEventStore(configuration: configuration, failAfterRows: nil)
    }

    /// Opens (or creates) the case in `directory`.
    public static func open(directory: String) async throws(StoreError) -> SQLiteEventStore {
        try SQLiteEventStore(configuration: Configuration(directory: directory), failAfterRows: nil)
    }

    /// Runs `body` on the writer connection in one transaction.
    func write<T: Sendable>(_ what: @autoclosure () -> String,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        try await StoreError.wrapping(.database, what()) { try await pool.write(body) }
    }

    /// Runs `body` on a read-only connection.
    func read<T: Sendable>(_ what: @autoclosure () -> String,
                           _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        try await StoreError.wrapping(.database, what()) { try await pool.read(body) }
    }

    static var nowMicroseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }

    // MARK: Runs

    public func beginRun(command: String, arguments: [String]) async throws(StoreError) -> RunID {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (i, a) in arguments.enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(a, to: &json)
        }
        json.append(UInt8(ascii: "]"))
        let args = String(decoding: json, as: UTF8.self)
        let now = Self.nowMicroseconds
        return try await write("cannot record the start of a run") { db in
            try db.execute(sql: "INSERT INTO runs (command, arguments, started_at) VALUES (?, ?, ?)",
                           arguments: [command, args, now])
            return RunID(rawValue: db.lastInsertedRowID)
        }
    }

    public func finishRun(_ run: RunID, summary: String) async throws(StoreError) {
        let now = Self.nowMicroseconds
        let changed = try await write("cannot record the end of run \(run)") { db in
            try db.execute(sql: "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                           arguments: [now, summary, run.rawValue])
            return db.changesCount
        }
        if changed == 0 { throw StoreError(.unknownSource, "no run \(run) in this case") }
    }

    // MARK: Ledger

    static let ledgerColumns = """
        id, path, fingerprint, committed_digest, committed_offset, committed_records, events, rejects, format, is_complete
        """

    static func ledgerEntry(_ row: Row) -> LedgerEntry {
        LedgerEntry(id: row[0], path: row[1], fingerprint: UInt64(bitPattern: row[2]),
                    committedDigest: UInt64(bitPattern: row[3]), committedOffset: row[4], committedRecords: row[5],
                    events: row[6], rejects: row[7], format: row[8], isComplete: row[9])
    }

    public func ledgerEntries(fingerprint: UInt64) async throws(StoreError) -> [LedgerEntry] {
        try await read("cannot read the ingest ledger") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.ledgerColumns) FROM sources WHERE fingerprint = ? ORDER BY id",
                             arguments: [Int64(bitPattern: fingerprint)]).map(Self.ledgerEntry)
        }
    }

    public func sources() async throws(StoreError) -> [LedgerEntry] {
        try await read("cannot read the ingest ledger") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.ledgerColumns) FROM sources ORDER BY id").map(Self.ledgerEntry)
        }
    }

    /// Inserts or updates a ledger row inside the commit's transaction.
    static func saveLedger(_ entry: LedgerEntry, run: RunID?, in db: Database) throws -> LedgerEntry {
        var entry = entry
        let args: StatementArguments = [
            entry.path, Int64(bitPattern: entry.fingerprint), Int64(bitPattern: entry.committedDigest),
            entry.committedOffset, entry.committedRecords, entry.events, entry.rejects, entry.format,
            entry.isComplete, run?.rawValue, nowMicroseconds,
        ]
        if entry.id == 0 {
            try db.execute(sql: """
                INSERT INTO sources (path, fingerprint, committed_digest, committed_offset, committed_records,
                                     events, rejects, format, is_complete, run_id, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: args)
            entry.id = db.lastInsertedRowID
        } else {
            try db.execute(sql: """
                UPDATE sources SET path = ?, fingerprint = ?, committed_digest = ?, committed_offset = ?,
                    committed_records = ?, events = ?, rejects = ?, format = ?, is_complete = ?,
                    run_id = coalesce(?, run_id), updated_at = ?
                WHERE id = ?
                """, arguments: args + [entry.id])
            if db.changesCount == 0 {
                throw StoreError(.unknownSource, "the ledger has no source \(entry.id); was the case replaced?")
            }
        }
        return entry
    }

    // MARK: Counts, rejects, catalog

    public func eventCount() async throws(StoreError) -> Int {
        try await read("cannot count events") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    public func rejectCount() async throws(StoreError) -> Int {
        try await read("cannot count rejects") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rejects") ?? 0 }
    }

    public func rejects(limit: Int?) async throws(StoreError) -> [Reject] {
        try await read("cannot read rejects") { db in
            try Row.fetchAll(db, sql: """
                SELECT path, record, byte_offset, code, reason, first_bytes, length FROM rejects ORDER BY id LIMIT ?
                """, arguments: [limit ?? -1]).map { row in
                let name: String = row[3]
                guard let code = ParseError.Code(name: name) else {
                    throw StoreError(.corrupt, "a stored reject has an unknown code; was the case written by a newer spoor?")
                }
                let bytes: Data = row[5] ?? Data()
                return Reject(location: RecordLocation(source: row[0], record: row[1], byteOffset: row[2]),
                              code: code, reason: row[4], firstBytes: [UInt8](bytes), length: row[6])
            }
        }
    }

    public func fieldCatalog() async throws(StoreError) -> [FieldDescriptor] {
        try await read("cannot read the field catalog") { db in try Self.catalog(db) }
    }

    static func catalog(_ db: Database) throws -> [FieldDescriptor] {
        try Row.fetchAll(db, sql: "SELECT name, kind FROM fields ORDER BY position").map { row in
            let kindName: String = row[1]
            guard let kind = FieldKind(rawValue: kindName) else {
                throw StoreError(.corrupt, "the field catalog holds an unknown kind")
            }
            return FieldDescriptor(name: row[0], kind: kind)
        }
    }
}
