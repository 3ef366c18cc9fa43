import SpoorCore

/// A record that did not become an event: where it is, why, and its first bytes.
///
/// Every input record ends up as an event or as a reject, so `records = events + rejects`
/// holds per source. The first bytes let a user see the record without opening the file;
/// they are kept as bytes (they may be anything) and shown under the ``ByteText`` policy.
public struct Reject: Sendable, Hashable, Codable {
    public var location: RecordLocation
    public var code: ParseError.Code
    /// What went wrong (never contains field values).
    public var reason: String
    /// The record's first bytes, at most ``maximumKeptBytes``.
    public var firstBytes: [UInt8]
    /// The record's full length in bytes.
    public var length: Int

    public static let maximumKeptBytes = 256

    public init(location: RecordLocation, code: ParseError.Code, reason: String, firstBytes: [UInt8], length: Int) {
        self.location = location
        self.code = code
        self.reason = reason
        self.firstBytes = Array(firstBytes.prefix(Reject.maximumKeptBytes))
        self.length = length
    }
}
