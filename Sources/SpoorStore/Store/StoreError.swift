/// An error from a case store.
///
/// Messages name tables, fields and counts, never stored field values: a case holds logs,
/// and logs hold passwords and tokens.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A broad classification: a struct over a private enum, so new codes don't break the API.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case cannotOpen, database, notReadOnly, invalidFilter, corrupt, unknownSource, schemaTooNew, io
        }
        let storage: Storage
        /// The case directory or database could not be created or opened.
        public static var cannotOpen: Self { .init(storage: .cannotOpen) }
        /// SQLite (or the server) reported an error.
        public static var database: Self { .init(storage: .database) }
        /// A query was refused because it could write or was not a single statement.
        public static var notReadOnly: Self { .init(storage: .notReadOnly) }
        /// A filter value cannot be read as its field's kind.
        public static var invalidFilter: Self { .init(storage: .invalidFilter) }
        /// Stored data is not in the shape spoor writes (edited by hand, or damaged).
        public static var corrupt: Self { .init(storage: .corrupt) }
        /// A commit names a ledger row the store does not have.
        public static var unknownSource: Self { .init(storage: .unknownSource) }
        /// The case was written by a newer spoor.
        public static var schemaTooNew: Self { .init(storage: .schemaTooNew) }
        /// Reading or writing a file failed (exports).
        public static var io: Self { .init(storage: .io) }
        public var description: String { storage.rawValue }
    }

    public var code: Code
    /// What went wrong and, where possible, what to do about it.
    public var message: String
    /// The error this one wraps (a GRDB `DatabaseError`, a POSIX error).
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(code): \(message) (\(underlying))" }
        return "\(code): \(message)"
    }

    /// Wraps any error thrown by `body` as a ``StoreError`` (kept as is when it already is one).
    static func wrapping<T>(_ code: Code, _ message: @autoclosure () -> String,
                            _ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch let e as StoreError { throw e } catch {
            throw StoreError(code, message(), underlying: error)
        }
    }

    /// Async form of ``wrapping(_:_:_:)``.
    static func wrapping<T>(_ code: Code, _ message: @autoclosure () -> String,
                            _ body: () async throws -> T) async throws(StoreError) -> T {
        do { return try await body() } catch let e as StoreError { throw e } catch {
            throw StoreError(code, message(), underlying: error)
        }
    }
}
