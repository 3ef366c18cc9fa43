/// An error raised while parsing one log record.
///
/// The message never contains raw field values: records can hold passwords and tokens. The
/// reject that carries this error keeps the record's first bytes separately, where a user
/// asked to see them.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A broad classification: a struct over a private enum, so new codes don't break the API.
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable, Codable {
            case truncated, badTimestamp, badField, recordTooLong, unrecognized, tooDeep, badEncoding, badHeader
        }
        let storage: Storage
        init(storage: Storage) { self.storage = storage }
        /// The record ended before a required part.
        public static var truncated: Self { .init(storage: .truncated) }
        /// The timestamp could not be read.
        public static var badTimestamp: Self { .init(storage: .badTimestamp) }
        /// A field is malformed.
        public static var badField: Self { .init(storage: .badField) }
        /// The record is longer than the configured limit.
        public static var recordTooLong: Self { .init(storage: .recordTooLong) }
        /// The record is not in the format its source was recognised as.
        public static var unrecognized: Self { .init(storage: .unrecognized) }
        /// Nesting (JSON objects, arrays) deeper than the configured limit.
        public static var tooDeep: Self { .init(storage: .tooDeep) }
        /// The bytes are not valid in the encoding the format requires.
        public static var badEncoding: Self { .init(storage: .badEncoding) }
        /// A header or directive the following records depend on is missing or malformed.
        public static var badHeader: Self { .init(storage: .badHeader) }

        public var description: String { storage.rawValue }
        /// Parses the stable name used in stores and JSON output.
        public init?(name: String) {
            guard let storage = Storage(rawValue: name) else { return nil }
            self.storage = storage
        }
        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard let code = Code(name: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown parse error code \(name)"))
            }
            self = code
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(storage.rawValue)
        }
    }

    public var code: Code
    /// Byte offset inside the record where the problem was found.
    public var byteOffset: Int
    /// What went wrong and, if possible, how to fix it. Never contains raw field values.
    public var message: String

    public init(_ code: Code, at byteOffset: Int = 0, _ message: String) {
        self.code = code
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String { "\(code) at byte \(byteOffset): \(message)" }
}
