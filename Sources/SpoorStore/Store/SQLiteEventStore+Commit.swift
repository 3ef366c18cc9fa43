import GRDB
import SpoorCore
import SpoorEvents
import SpoorIngest

extension SQLiteEventStore {
    /// Stores a batch, its rejects and the ledger row in one transaction (see ``EventStore/commit(_:)``).
    ///
    /// - Complexity: O(*rows* × *fields*); each distinct string is escaped once per batch.
    @discardableResult
    public func commit(_ commit: IngestCommit) async throws(StoreError) -> LedgerEntry {
        let failAfter = failAfterRows
        return try await write("cannot store a batch of \(commit.batch.count) events from \(commit.ledger.path)") { db in
            let entry = try Self.saveLedger(commit.ledger, run: commit.run, in: db)
            try Self.mergeCatalog(commit.batch, in: db)
            try Self.insertEvents(commit.batch, source: entry.id, run: commit.run, failAfter: failAfter, in: db)
            try Self.insertRejects(commit.rejects, source: entry.id, run: commit.run, in: db)
            return entry
        }
    }

    /// Adds the batch's new field names to the catalog and widens kinds that now disagree.
    static func mergeCatalog(_ batch: EventBatch, in db: Database) throws {
        guard !batch.columns.isEmpty else { return }
        let known = try catalog(db)
        var kinds: [String: FieldKind] = [:]
        for f in known { kinds[f.name] = f.kind }
        var position = known.count
        for column in batch.columns {
            if let old = kinds[column.name] {
                let merged = StoreSchema.merged(old, column.kind)
                if merged != old {
                    try db.execute(sql: "UPDATE fields SET kind = ? WHERE name = ?", arguments: [merged.rawValue, column.name])
                    kinds[column.name] = merged
                }
            } else {
                try db.execute(sql: "INSERT INTO fields (name, kind, position) VALUES (?, ?, ?)",
                               arguments: [column.name, column.kind.rawValue, position])
                kinds[column.name] = column.kind
                position += 1
            }
        }
    }

    /// The `paths` id of every distinct `log.file.path` symbol in the batch, inserting new paths.
    static func pathIDs(_ encoder: EventRowEncoder, in db: Database) throws -> [UInt32: Int64] {
        guard let c = encoder.promoted[StoreSchema.Promoted.path.rawValue] else { return [:] }
        let batch = encoder.batch
        var ids: [UInt32: Int64] = [:]
        let select = try db.cachedStatement(sql: "SELECT id FROM paths WHERE path = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO paths (path) VALUES (?)")
        for s in batch.columns[c].symbols where s != 0 && ids[s] == nil {
            let text = batch.symbols.string(s) ?? ""
            if let id = try Int64.fetchOne(select, arguments: [text]) {
                ids[s] = id
            } else {
                try insert.execute(arguments: [text])
                ids[s] = db.lastInsertedRowID
            }
        }
        return ids
    }

    /// Inserts the batch's rows into `events` through one reused statement and C-level binding.
    static func insertEvents(_ batch: EventBatch, source: Int64, run: RunID?, failAfter: Int?, in db: Database) throws {
        guard batch.count > 0 else { return }
        var encoder = EventRowEncoder(batch: batch)
        let paths = try pathIDs(encoder, in: db)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO events (source_id, run_id, path_id, record, byte_offset, ts, organization_id, parser, fields)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let binder = SQLiteRowBinder(statement)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(4096)
        for r in 0..<batch.count {
            if let failAfter, r == failAfter {
                throw StoreError(.database, "simulated failure after \(failAfter) rows")
            }
            scratch.removeAll(keepingCapacity: true)
            encoder.appendFields(row: r, to: &scratch)
            let fieldsEnd = scratch.count
            var organization: Range<Int>?
            if let s = encoder.symbol(.organization, row: r) {
                let lo = scratch.count
                encoder.appendText(s, to: &scratch)
                organization = lo..<scratch.count
            }
            var parser: Range<Int>?
            if let s = encoder.symbol(.parser, row: r) {
                let lo = scratch.count
                encoder.appendText(s, to: &scratch)
                parser = lo..<scratch.count
            }
            binder.bind(1, source)
            binder.bind(2, run?.rawValue)
            binder.bind(3, encoder.symbol(.path, row: r).flatMap { paths[$0] })
            binder.bind(4, encoder.integer(.record, row: r))
            binder.bind(5, encoder.integer(.offset, row: r))
            binder.bind(6, encoder.integer(.timestamp, row: r))
            try scratch.withUnsafeBufferPointer { buffer in
                if let organization { binder.bindText(7, UnsafeBufferPointer(rebasing: buffer[organization])) } else { binder.bindNull(7) }
                if let parser { binder.bindText(8, UnsafeBufferPointer(rebasing: buffer[parser])) } else { binder.bindNull(8) }
                binder.bindText(9, UnsafeBufferPointer(rebasing: buffer[0..<fieldsEnd]))
                try binder.step()
            }
        }
    }

    static func insertRejects(_ rejects: [Reject], source: Int64, run: RunID?, in db: Database) throws {
        guard !rejects.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO rejects (source_id, run_id, path, record, byte_offset, code, reason, first_bytes, length)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let binder = SQLiteRowBinder(statement)
        for reject in rejects {
            binder.bind(1, source)
            binder.bind(2, run?.rawValue)
            binder.bindText(3, copying: reject.location.source)
            binder.bind(4, Int64(reject.location.record))
            binder.bind(5, Int64(reject.location.byteOffset))
            binder.bindText(6, copying: reject.code.description)
            binder.bindText(7, copying: reject.reason)
            binder.bindBlob(8, copying: reject.firstBytes)
            binder.bind(9, Int64(reject.length))
            try binder.step()
        }
    }
}
