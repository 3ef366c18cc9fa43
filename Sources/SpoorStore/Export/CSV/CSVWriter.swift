import Foundation
import SpoorCore
import SpoorEvents

/// Writes an ``EventBatch`` as CSV (RFC 4180): a header row of field names, then one row per
/// event, every line ended by CR LF, UTF-8 without a byte-order mark.
///
/// - A null is an empty cell; an empty string is `""`, so the two stay apart for readers
///   that care.
/// - Timestamps are ISO 8601 in UTC with microseconds and `Z` (`2024-05-01T12:00:00.000123Z`);
///   IPs are their text; bools `true`/`false`; doubles the shortest text that reads back
///   exactly (`NaN`, `Infinity`, `-Infinity` for non-finite values); string lists a JSON array
///   (`["a","b"]`), which spreadsheet users can still read and scripts can parse.
/// - Strings are written under the ``ByteText`` policy, so invalid bytes survive as private-use
///   characters and the file is always valid UTF-8.
/// - **Formula injection.** A text cell (header, string, list) that starts with `=`, `+`, `-`,
///   `@`, a tab or a carriage return is prefixed with `'`, the OWASP advice: log fields are
///   attacker-controlled and spreadsheets run cells like `=HYPERLINK(…)` or `=cmd|…` as
///   formulas. Typed numbers are not prefixed (`-5` is a number, not a formula), nor is the
///   header `@timestamp`, a name spoor writes itself and tools look for verbatim.
/// - Cells holding `,`, `"`, CR or LF are quoted, with inner `"` doubled.
public struct CSVWriter: Sendable {
    /// The fields to write, in order; nil writes every column of the batch in batch order.
    public var fields: [String]?

    public init(fields: [String]? = nil) {
        self.fields = fields
    }

    /// Writes the batch to `handle`.
    /// - Throws: ``StoreError/Code/io`` when the file cannot be written.
    /// - Complexity: O(*rows* × *fields*); each distinct string is encoded once.
    public func write(_ batch: EventBatch, to handle: FileHandle) throws(StoreError) {
        var out = ExportOutput(handle)
        let names = fields ?? batch.fieldNames
        let columns: [Column?] = names.map { batch.column($0) }
        for (i, name) in names.enumerated() {
            if i > 0 { out.buffer.append(UInt8(ascii: ",")) }
            if name == Field.timestamp {
                out.buffer.append(contentsOf: name.utf8) // spoor's own name, which tools look for as is
            } else {
                Self.appendCell(bytes: name.utf8.span, to: &out.buffer)
            }
        }
        out.buffer.append(contentsOf: [0x0D, 0x0A])
        var cells = EncodedSymbols(form: .csv, symbolCount: batch.symbols.count)
        var scratch: [UInt8] = []
        for r in 0..<batch.count {
            for (i, column) in columns.enumerated() {
                if i > 0 { out.buffer.append(UInt8(ascii: ",")) }
                guard let column, column.isValid(r) else { continue }
                switch column.kind {
                case .string:
                    cells.append(column.symbols[r], from: batch.symbols, to: &out.buffer)
                case .int:
                    JSONText.appendInt(column.integers[r], to: &out.buffer)
                case .bool:
                    out.buffer.append(contentsOf: column.integers[r] != 0 ? "true".utf8 : "false".utf8)
                case .double:
                    out.buffer.append(contentsOf: FieldValue.format(column.doubles[r]).utf8)
                case .timestamp:
                    out.buffer.append(contentsOf: Timestamp(microseconds: column.integers[r]).description.utf8)
                case .ip:
                    IPText.append(column.addresses[r], to: &out.buffer)
                case .stringList:
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(UInt8(ascii: "["))
                    let lo = Int(column.listStarts[r]), hi = Int(column.listStarts[r + 1])
                    for k in lo..<hi {
                        if k > lo { scratch.append(UInt8(ascii: ",")) }
                        batch.symbols.withBytes(column.listSymbols[k]) { JSONText.appendQuoted(bytes: $0, to: &scratch) }
                    }
                    scratch.append(UInt8(ascii: "]"))
                    Self.appendCell(utf8: scratch.span, to: &out.buffer)
                }
            }
            out.buffer.append(contentsOf: [0x0D, 0x0A])
            try out.flushIfFull()
        }
        try out.flush()
    }

    /// Appends a text cell from arbitrary bytes (``ByteText`` policy, neutralised, quoted as needed).
    static func appendCell(bytes b: Span<UInt8>, to out: inout [UInt8]) {
        if ByteText.isPlain(b) {
            appendCell(utf8: b, to: &out)
        } else {
            var text = ByteText.string(b)
            text.withUTF8 { appendCell(utf8: Span(_unsafeElements: $0), to: &out) }
        }
    }

    /// Whether a cell starting with `c` could be read as a formula by a spreadsheet.
    @inline(__always)
    static func isFormulaStart(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "=") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "@")
            || c == 0x09 || c == 0x0D
    }

    /// Appends a text cell from valid UTF-8.
    static func appendCell(utf8 b: Span<UInt8>, to out: inout [UInt8]) {
        let neutralise = b.count > 0 && isFormulaStart(b[0])
        var needsQuotes = b.count == 0
        for i in 0..<b.count {
            let c = b[i]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D { needsQuotes = true; break }
        }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
        if neutralise { out.append(UInt8(ascii: "'")) }
        for i in 0..<b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { out.append(c) }
            out.append(c)
        }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
    }
}
