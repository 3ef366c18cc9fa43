import GRDB
import GRDBSQLite

/// Thin wrappers over SQLite's C binding calls, for statements reused across many rows.
///
/// GRDB's `StatementArguments` box every value into a `DatabaseValue`; for a million rows the
/// C calls on `statement.sqliteStatement` are several times faster. Indices are 1-based, as
/// in SQLite.
struct SQLiteRowBinder {
    let statement: SQLiteStatement

    init(_ statement: Statement) { self.statement = statement.sqliteStatement }

    /// SQLite copies the bytes (for values whose buffer does not outlive the call).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(statement, i, v) } else { sqlite3_bind_null(statement, i) }
    }

    @inline(__always) func bindNull(_ i: Int32) { sqlite3_bind_null(statement, i) }

    /// Binds UTF-8 text that stays valid until the next ``step()`` (no copy).
    @inline(__always) func bindText(_ i: Int32, _ p: UnsafeBufferPointer<UInt8>) {
        p.withMemoryRebound(to: CChar.self) { c in
            _ = sqlite3_bind_text(statement, i, c.baseAddress, Int32(c.count), nil)
        }
    }

    /// Binds text, copied by SQLite.
    func bindText(_ i: Int32, copying s: String) {
        _ = sqlite3_bind_text(statement, i, s, -1, Self.transient)
    }

    /// Binds a BLOB, copied by SQLite (an empty array binds an empty BLOB, not NULL).
    func bindBlob(_ i: Int32, copying bytes: [UInt8]) {
        if bytes.isEmpty { sqlite3_bind_zeroblob(statement, i, 0); return }
        bytes.withUnsafeBytes { _ = sqlite3_bind_blob(statement, i, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    /// Runs the statement once and resets it for the next row.
    @inline(__always) func step() throws {
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        sqlite3_reset(statement)
    }
}
