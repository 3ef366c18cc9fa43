/// Where a record came from: the source (a file path, with `!member` for a member of an
/// archive), its 1-based record number and the byte offset of the record in that source.
///
/// The description is the `file:record:offset` form every diagnostic uses, so a user can go
/// straight from an error, a reject or a detection back to the input line.
public struct RecordLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file path, or `archive.zip!member.log` for a member of an archive.
    public var source: String
    /// The 1-based record number within the source (blank lines and directives are not records).
    public var record: Int
    /// The byte offset of the record's first byte in the (decompressed) source.
    public var byteOffset: Int

    public init(source: String, record: Int, byteOffset: Int) {
        self.source = source
        self.record = record
        self.byteOffset = byteOffset
    }

    public var description: String { "\(source):\(record):\(byteOffset)" }
}
