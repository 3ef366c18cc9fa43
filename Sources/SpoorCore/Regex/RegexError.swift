/// Why a pattern could not be compiled by ``ByteRegex``.
///
/// A Sigma rule whose `re` value throws this error is reported as unsupported (code
/// ``Code-swift.struct/unsupported``) or malformed (``Code-swift.struct/syntax``), never matched
/// approximately. The message names the construct, not the data matched against it.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A broad classification: a struct over a private enum, so new codes don't break the API.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable { case syntax, unsupported, tooLarge }
        let storage: Storage
        /// The pattern is not a valid regular expression (unbalanced parenthesis, bad escape, …).
        public static var syntax: Self { .init(storage: .syntax) }
        /// The pattern is valid PCRE but uses a construct that needs backtracking
        /// (backreference, lookaround, atomic group, possessive quantifier, recursion,
        /// conditional) or one this engine does not implement (`\p{…}`, `\N{…}`, `(?a)`).
        public static var unsupported: Self { .init(storage: .unsupported) }
        /// A repetition count or the compiled program exceeds the engine's limits.
        public static var tooLarge: Self { .init(storage: .tooLarge) }
        public var description: String { storage.rawValue }
    }

    public var code: Code
    /// The 0-based offset, in Unicode scalars, of the offending construct in the pattern.
    public var position: Int
    /// What is wrong, naming the construct.
    public var message: String

    public init(_ code: Code, at position: Int, _ message: String) {
        self.code = code
        self.position = position
        self.message = message
    }

    public var description: String { "\(code) at \(position): \(message)" }
}
