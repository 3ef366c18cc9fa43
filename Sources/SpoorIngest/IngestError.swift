import SpoorCore

/// A failure that ends one source (not the run): an unreadable file, a truncated or
/// corrupt compressed stream, a decompression bomb.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        let name: String
        public static let unreadable = Code(name: "unreadable")
        public static let truncatedArchive = Code(name: "truncated-archive")
        public static let corruptArchive = Code(name: "corrupt-archive")
        public static let decompressionLimit = Code(name: "decompression-limit")
        public static let unsupported = Code(name: "unsupported")
        public static let unknownFormat = Code(name: "unknown-format")
        public var description: String { name }
    }

    public var code: Code
    /// The source (path, or `archive!member`).
    public var source: String
    /// The byte offset (of the decompressed stream where it applies) at which it happened.
    public var byteOffset: Int
    public var message: String

    public init(_ code: Code, source: String, at byteOffset: Int = 0, _ message: String) {
        self.code = code
        self.source = source
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String { "\(source):\(byteOffset): \(code): \(message)" }
}
