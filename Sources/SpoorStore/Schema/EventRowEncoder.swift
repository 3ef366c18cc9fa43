import SpoorCore
import SpoorEvents

/// Turns the rows of an ``EventBatch`` into the values of an `events` row: the promoted
/// fields for the fixed columns and every other field as one JSON object (see ``StoreSchema``).
///
/// The encoder is built once per batch: it resolves which column feeds which fixed column,
/// pre-encodes the JSON keys, and caches each string symbol's JSON form, so the per-row work
/// is copying bytes and formatting numbers.
struct EventRowEncoder {
    let batch: EventBatch
    /// Batch column feeding each promoted field (by `Promoted.rawValue`), or nil.
    let promoted: [Int?]
    /// Columns written into the JSON object, with their `"name":` prefix.
    private let jsonColumns: [(column: Int, key: [UInt8])]
    private var quoted: EncodedSymbols
    private var texts: EncodedSymbols

    init(batch: EventBatch) {
        self.batch = batch
        var promoted = [Int?](repeating: nil, count: StoreSchema.Promoted.allCases.count)
        var json: [(Int, [UInt8])] = []
        for (c, column) in batch.columns.enumerated() {
            if let p = StoreSchema.Promoted(name: column.name), p.kind == column.kind {
                promoted[p.rawValue] = c
                continue
            }
            var key: [UInt8] = []
            JSONText.appendQuoted(column.name, to: &key)
            key.append(UInt8(ascii: ":"))
            json.append((c, key))
        }
        self.promoted = promoted
        jsonColumns = json
        quoted = EncodedSymbols(form: .json, symbolCount: batch.symbols.count)
        texts = EncodedSymbols(form: .text, symbolCount: batch.symbols.count)
    }

    /// The batch columns whose names and kinds go into the field catalog.
    var catalog: [FieldDescriptor] { batch.columns.map { FieldDescriptor(name: $0.name, kind: $0.kind) } }

    /// The integer of a promoted int or timestamp field in row `r`, or nil.
    @inline(__always)
    func integer(_ p: StoreSchema.Promoted, row r: Int) -> Int64? {
        guard let c = promoted[p.rawValue] else { return nil }
        return batch.columns[c].valid[r] ? batch.columns[c].integers[r] : nil
    }

    /// The symbol of a promoted string field in row `r`, or nil.
    @inline(__always)
    func symbol(_ p: StoreSchema.Promoted, row r: Int) -> UInt32? {
        guard let c = promoted[p.rawValue] else { return nil }
        let s = batch.columns[c].symbols[r]
        return s == 0 ? nil : s
    }

    /// Appends the text (``ByteText`` policy) of a symbol.
    @inline(__always)
    mutating func appendText(_ symbol: UInt32, to out: inout [UInt8]) {
        texts.append(symbol, from: batch.symbols, to: &out)
    }

    /// Appends row `r`'s non-promoted fields as a JSON object; nulls are left out.
    mutating func appendFields(row r: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        // Columns are read in place through a pointer: copying a `Column` out of the array
        // retains its eight arrays, which cost more than the encoding of small fields.
        batch.columns.withUnsafeBufferPointer { columns in
            for (c, key) in jsonColumns {
                let column = columns.baseAddress.unsafelyUnwrapped + c // c < columns.count: built from batch.columns
                let kind = column.pointee.kind
                if kind == .string ? column.pointee.symbols[r] == 0 : !column.pointee.valid[r] { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: key)
                switch kind {
                case .string:
                    quoted.append(column.pointee.symbols[r], from: batch.symbols, to: &out)
                case .int, .timestamp:
                    JSONText.appendInt(column.pointee.integers[r], to: &out)
                case .bool:
                    JSONText.appendBool(column.pointee.integers[r] != 0, to: &out)
                case .double:
                    JSONText.appendDouble(column.pointee.doubles[r], to: &out)
                case .ip:
                    out.append(UInt8(ascii: "\""))
                    IPText.append(column.pointee.addresses[r], to: &out)
                    out.append(UInt8(ascii: "\""))
                case .stringList:
                    out.append(UInt8(ascii: "["))
                    let lo = Int(column.pointee.listStarts[r]), hi = Int(column.pointee.listStarts[r + 1])
                    for k in lo..<hi {
                        if k > lo { out.append(UInt8(ascii: ",")) }
                        quoted.append(column.pointee.listSymbols[k], from: batch.symbols, to: &out)
                    }
                    out.append(UInt8(ascii: "]"))
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
