import Foundation
import GRDB
import GRDBSQLite
import SpoorCore
import SpoorEvents

extension SQLiteEventStore {
    /// Runs one read-only statement (see ``EventStore/query(sql:maximumRows:)``).
    ///
    /// Three locks keep it read-only: the statement must start with `SELECT`, `WITH`, `VALUES`
    /// or `EXPLAIN` (which shuts out `PRAGMA`, `ATTACH` and `DETACH`, which SQLite counts as
    /// read-only); it must be one statement (GRDB refuses a second); SQLite must report it
    /// read-only (`sqlite3_stmt_readonly`, which catches `WITH … DELETE`); and it runs on one of
    /// the pool's reader connections, opened with `SQLITE_OPEN_READONLY`.
    public func query(sql: String, maximumRows: Int?) async throws(StoreError) -> QueryResult {
        guard let keyword = Self.leadingKeyword(sql), ["SELECT", "WITH", "VALUES", "EXPLAIN"].contains(keyword) else {
            throw StoreError(.notReadOnly, "only SELECT, WITH, VALUES and EXPLAIN statements can be run here")
        }
        return try await read("the query failed") { db in
            let statement: Statement
            do { statement = try db.makeStatement(sql: sql) } catch let error as DatabaseError where error.resultCode == .SQLITE_MISUSE {
                throw StoreError(.notReadOnly, "give one statement at a time")
            }
            guard statement.isReadonly else {
                throw StoreError(.notReadOnly, "the statement would change the case; only reads can be run here")
            }
            let s = statement.sqliteStatement
            let columns = statement.columnNames
            var rows: [[FieldValue?]] = []
            var truncated = false
            defer { sqlite3_reset(s) }
            while true {
                let code = sqlite3_step(s)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))))
                }
                if let maximumRows, rows.count >= maximumRows { truncated = true; break }
                rows.append((0..<Int32(columns.count)).map { Self.value(s, $0) })
            }
            return QueryResult(columns: columns, rows: rows, isTruncated: truncated)
        }
    }

    static func value(_ s: SQLiteStatement, _ i: Int32) -> FieldValue? {
        switch sqlite3_column_type(s, i) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(s, i))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(s, i))
        case let type where type == SQLITE_TEXT || type == SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(s, i))
            guard n > 0, let p = sqlite3_column_blob(s, i) else { return .string("") }
            let buffer = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: n)
            // TEXT that spoor wrote is already under the ByteText policy (valid UTF-8, escapes
            // included) and is taken as it is; BLOBs and invalid TEXT are escaped now.
            if type == SQLITE_TEXT, let text = String(validating: buffer, as: UTF8.self) { return .string(text) }
            return .string(ByteText.string(Span(_unsafeElements: buffer)))
        default: return nil
        }
    }

    /// The first keyword of `sql`, upper-cased, after whitespace and comments.
    static func leadingKeyword(_ sql: String) -> String? {
        let b = Array(sql.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C { i += 1; continue }
            if c == UInt8(ascii: "-"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "-") {
                while i < b.count, b[i] != 0x0A { i += 1 }
                continue
            }
            if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < b.count, !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            break
        }
        var j = i
        while j < b.count, (b[j] | 0x20) >= UInt8(ascii: "a"), (b[j] | 0x20) <= UInt8(ascii: "z") { j += 1 }
        guard j > i else { return nil }
        return String(decoding: b[i..<j], as: UTF8.self).uppercased()
    }
}
