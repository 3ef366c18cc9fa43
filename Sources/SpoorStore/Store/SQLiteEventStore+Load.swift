import GRDB
import GRDBSQLite
import SpoorCore
import SpoorEvents

extension SQLiteEventStore {
    /// Loads events back into a columnar batch (see ``EventStore/loadEvents(filter:limit:)``).
    ///
    /// - Complexity: one scan of `events` (or of the `ts` index for a `@timestamp` condition);
    ///   conditions on fields inside `fields` are evaluated by SQLite's `json_extract`.
    public func loadEvents(filter: [FieldEquality], limit: Int?) async throws(StoreError) -> EventBatch {
        try await read("cannot load events") { db in
            let catalog = try Self.catalog(db)
            guard let condition = try EventFilterSQL(filter, catalog: catalog) else { return EventBatch() }
            return try Self.decode(db, catalog: catalog, where: condition.sql, arguments: condition.arguments, limit: limit ?? -1).events
        }
    }

    /// Loads one page of events by store id (see ``EventStore/loadEventPage(afterID:limit:)``).
    public func loadEventPage(afterID: Int64, limit: Int) async throws(StoreError) -> (events: EventBatch, ids: [Int64]) {
        try await read("cannot load events") { db in
            try Self.decode(db, catalog: try Self.catalog(db), where: "WHERE id > ?", arguments: [afterID], limit: limit)
        }
    }

    /// Loads events by store id (see ``EventStore/loadEvents(ids:)``), 500 ids per query.
    public func loadEvents(ids: [Int64]) async throws(StoreError) -> (events: EventBatch, ids: [Int64]) {
        let wanted = Array(Set(ids)).sorted()
        guard !wanted.isEmpty else { return (EventBatch(), []) }
        return try await read("cannot load events") { db in
            let catalog = try Self.catalog(db)
            var batch = EventBatch()
            var found: [Int64] = []
            var start = 0
            while start < wanted.count {
                let part = Array(wanted[start..<min(start + 500, wanted.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                let (b, got) = try Self.decode(db, catalog: catalog, where: "WHERE id IN (\(marks))",
                                               arguments: StatementArguments(part), limit: part.count)
                batch.append(contentsOf: b)
                found += got
                start += 500
            }
            return (batch, found)
        }
    }

    /// Decodes the events a `WHERE` clause selects, in id order, with their ids.
    static func decode(_ db: Database, catalog: [FieldDescriptor], where clause: String, arguments: StatementArguments,
                       limit: Int) throws -> (events: EventBatch, ids: [Int64]) {
        var paths: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, path FROM paths") { paths[row[0]] = row[1] }
        var decoder = EventRowDecoder(catalog: catalog, paths: paths)
        var ids: [Int64] = []
        let statement = try db.makeStatement(sql: """
            SELECT id, path_id, record, byte_offset, ts, organization_id, parser, fields FROM events
            \(clause) ORDER BY id LIMIT ?
            """)
        try statement.setArguments(arguments + [limit])
        let s = statement.sqliteStatement
        while true {
            let code = sqlite3_step(s)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))))
            }
            func integer(_ i: Int32) -> Int64? {
                sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_int64(s, i)
            }
            func text(_ i: Int32) -> UnsafeBufferPointer<UInt8>? {
                guard let p = sqlite3_column_text(s, i) else { return nil }
                return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i)))
            }
            let id = sqlite3_column_int64(s, 0)
            ids.append(id)
            try decoder.append(id: id, pathID: integer(1), record: integer(2), offset: integer(3),
                               timestamp: integer(4), organization: text(5), parser: text(6),
                               fields: text(7) ?? UnsafeBufferPointer(start: nil, count: 0))
        }
        sqlite3_reset(s)
        return (decoder.finish(), ids)
    }
}

/// The SQL `WHERE` clause for a list of ``FieldEquality`` conditions, values read as each
/// field's cataloged kind.
struct EventFilterSQL {
    var sql = ""
    var arguments: StatementArguments = []

    /// Nil when no event can match (a field the case has never seen).
    init?(_ filter: [FieldEquality], catalog: [FieldDescriptor]) throws(StoreError) {
        var kinds: [String: FieldKind] = [:]
        for f in catalog { kinds[f.name] = f.kind }
        var clauses: [String] = []
        for condition in filter {
            guard let kind = kinds[condition.field] else { return nil }
            guard let value = Self.coerce(condition.value, to: kind) else {
                throw StoreError(.invalidFilter, "\(condition.field) holds \(kind) values; the value given is not one")
            }
            var alternatives: [String] = []
            if let p = StoreSchema.Promoted(name: condition.field), let v = Self.coerce(value, to: p.kind) {
                // Stored in its fixed column when the batch had the usual kind.
                switch p {
                case .path: alternatives.append("path_id = (SELECT id FROM paths WHERE path = ?)")
                default: alternatives.append("\(p.column) = ?")
                }
                arguments += [Self.sqlValue(v)]
                if kind == p.kind { clauses.append(alternatives[0]); continue }
            }
            let path = "$.\"\(condition.field)\""
            let simple = !condition.field.contains("\"")
            if kind == .stringList {
                alternatives.append(simple
                    ? "EXISTS (SELECT 1 FROM json_each(fields, ?) WHERE value = ?)"
                    : "EXISTS (SELECT 1 FROM json_each(fields) AS f, json_each(f.value) AS i WHERE f.key = ? AND i.value = ?)")
                arguments += [simple ? path : condition.field, Self.sqlValue(value)]
            } else {
                alternatives.append(simple ? "json_extract(fields, ?) = ?"
                                           : "(SELECT value FROM json_each(fields) WHERE key = ?) = ?")
                arguments += [simple ? path : condition.field, Self.sqlValue(value)]
            }
            clauses.append(alternatives.count == 1 ? alternatives[0] : "(" + alternatives.joined(separator: " OR ") + ")")
        }
        if !clauses.isEmpty { sql = "WHERE " + clauses.joined(separator: " AND ") }
    }

    /// The value as stored: ints, µs, 0/1 and doubles as numbers; text under ByteText.
    static func sqlValue(_ v: FieldValue) -> any DatabaseValueConvertible {
        switch v {
        case .int(let i): i
        case .double(let d): d
        case .bool(let b): b ? Int64(1) : Int64(0)
        case .timestamp(let t): t.microseconds
        case .ip(let a): a.description
        case .string(let s): s
        case .list(let l): l.first ?? ""
        }
    }

    /// `value` read as `kind`: text parsed (`22`, `10.0.0.1`, ISO 8601 or µs, `true`), numbers widened.
    static func coerce(_ value: FieldValue, to kind: FieldKind) -> FieldValue? {
        if value.kind == kind { return value }
        let text = value.description
        switch kind {
        case .string: return .string(text)
        case .stringList: return .list([text])
        case .int: return value.intValue.map(FieldValue.int) ?? Int64(text).map(FieldValue.int)
        case .double:
            if case .int(let i) = value { return .double(Double(i)) }
            switch text {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default: return Double(text).map(FieldValue.double)
            }
        case .bool:
            switch text.lowercased() {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: return nil
            }
        case .ip: return IPAddress(text).map(FieldValue.ip)
        case .timestamp:
            if case .int(let us) = value { return .timestamp(Timestamp(microseconds: us)) }
            if let us = Int64(text) { return .timestamp(Timestamp(microseconds: us)) }
            var t = text
            return t.withUTF8 { buffer -> FieldValue? in
                let b = Span(_unsafeElements: buffer)
                guard let parsed = TimestampText.parseISO8601(b), parsed.length == b.count else { return nil }
                let us = parsed.civil.utcMicroseconds - Int64(parsed.offsetSeconds ?? 0) * 1_000_000
                return .timestamp(Timestamp(microseconds: us))
            }
        }
    }
}
