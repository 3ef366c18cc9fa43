import Foundation
import SpoorCore
import SpoorEvents

/// Writes an ``EventBatch`` as JSON Lines: one JSON object per event, each ended by `\n`.
///
/// Keys are the field names in batch order; null fields are left out. Values keep their
/// kind: strings as JSON strings (``ByteText`` policy for invalid bytes; control characters
/// and DEL escaped, so a line never breaks and never carries a raw control byte), ints and
/// doubles as numbers (non-finite doubles as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"`), bools as `true`/`false`, timestamps as ISO 8601 UTC strings with
/// microseconds and `Z`, IPs as strings, string lists as arrays. Timesketch wants the
/// `.jsonl` extension for such files.
public struct JSONLinesWriter: Sendable {
    /// The fields to write, in order; nil writes every column of the batch.
    public var fields: [String]?

    public init(fields: [String]? = nil) {
        self.fields = fields
    }

    /// Writes the batch to `handle`.
    /// - Throws: ``StoreError/Code/io`` when the file cannot be written.
    /// - Complexity: O(*rows* × *fields*); each distinct string is escaped once.
    public func write(_ batch: EventBatch, to handle: FileHandle) throws(StoreError) {
        var out = ExportOutput(handle)
        let names = fields ?? batch.fieldNames
        var keyed: [(Column, [UInt8])] = []
        for name in names {
            guard let column = batch.column(name) else { continue }
            var key: [UInt8] = []
            JSONText.appendQuoted(name, to: &key)
            key.append(UInt8(ascii: ":"))
            keyed.append((column, key))
        }
        var quoted = EncodedSymbols(form: .json, symbolCount: batch.symbols.count)
        for r in 0..<batch.count {
            out.buffer.append(UInt8(ascii: "{"))
            var first = true
            for (column, key) in keyed where column.isValid(r) {
                if !first { out.buffer.append(UInt8(ascii: ",")) }
                first = false
                out.buffer.append(contentsOf: key)
                switch column.kind {
                case .string: quoted.append(column.symbols[r], from: batch.symbols, to: &out.buffer)
                case .int: JSONText.appendInt(column.integers[r], to: &out.buffer)
                case .bool: JSONText.appendBool(column.integers[r] != 0, to: &out.buffer)
                case .double: JSONText.appendDouble(column.doubles[r], to: &out.buffer)
                case .timestamp:
                    out.buffer.append(UInt8(ascii: "\""))
                    out.buffer.append(contentsOf: Timestamp(microseconds: column.integers[r]).description.utf8)
                    out.buffer.append(UInt8(ascii: "\""))
                case .ip:
                    out.buffer.append(UInt8(ascii: "\""))
                    IPText.append(column.addresses[r], to: &out.buffer)
                    out.buffer.append(UInt8(ascii: "\""))
                case .stringList:
                    out.buffer.append(UInt8(ascii: "["))
                    let lo = Int(column.listStarts[r]), hi = Int(column.listStarts[r + 1])
                    for k in lo..<hi {
                        if k > lo { out.buffer.append(UInt8(ascii: ",")) }
                        quoted.append(column.listSymbols[k], from: batch.symbols, to: &out.buffer)
                    }
                    out.buffer.append(UInt8(ascii: "]"))
                }
            }
            out.buffer.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
            try out.flushIfFull()
        }
        try out.flush()
    }
}
