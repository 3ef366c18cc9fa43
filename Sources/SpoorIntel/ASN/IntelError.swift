/// A problem with an enrichment file (a prefix table, an RIR delegation file, an MMDB, a
/// warninglist): which file, which line when it has lines, and what is wrong.
///
/// Messages name the problem and the position, never the whole offending line: a table can
/// be huge and a list can hold anything.
public struct IntelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the caller named it (a path) or a label for in-memory input.
    public var file: String
    /// The 1-based line, for line-oriented files.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
