import SpoorCore

/// A per-batch cache of each string symbol's encoded bytes (JSON-quoted, a CSV cell, or plain
/// text under the ``ByteText`` policy), so a host name repeated on a million rows is escaped once.
///
/// - Complexity: the first use of a symbol is O(*n*) in its length; later uses are a copy.
struct EncodedSymbols {
    enum Form { case json, csv, text }
    let form: Form
    /// Start of each symbol's encoding in `arena`, or -1 when not yet encoded.
    private var starts: [Int]
    private var ends: [Int]
    private var arena: [UInt8] = []

    init(form: Form, symbolCount: Int) {
        self.form = form
        starts = [Int](repeating: -1, count: symbolCount)
        ends = [Int](repeating: 0, count: symbolCount)
    }

    /// Appends the encoding of `symbol` (which must be non-null) to `out`.
    @inline(__always)
    mutating func append(_ symbol: UInt32, from table: SymbolTable, to out: inout [UInt8]) {
        let s = Int(symbol)
        if s >= starts.count {
            // A symbol added after the cache was sized: encode without caching.
            table.withBytes(symbol) { Self.encode($0, form, to: &out) }
            return
        }
        if starts[s] < 0 {
            // A static encoder, so the closure borrows no copy of `self`: a copy would hold a
            // second reference to `arena` and make the append copy the whole arena.
            starts[s] = arena.count
            let form = form
            table.withBytes(symbol) { Self.encode($0, form, to: &arena) }
            ends[s] = arena.count
        }
        arena.withUnsafeBufferPointer { out.append(contentsOf: $0[starts[s]..<ends[s]]) }
    }

    @inline(__always)
    private static func encode(_ b: Span<UInt8>, _ form: Form, to out: inout [UInt8]) {
        switch form {
        case .json: JSONText.appendQuoted(bytes: b, to: &out)
        case .csv: CSVWriter.appendCell(bytes: b, to: &out)
        case .text:
            if ByteText.isPlain(b) {
                b.withUnsafeBufferPointer { out.append(contentsOf: $0) }
            } else {
                out.append(contentsOf: ByteText.string(b).utf8)
            }
        }
    }
}
