import SpoorCore
import SpoorEvents

/// How one ``EventBatch`` column is laid out in Parquet: its physical type, annotations and
/// maximum levels. Every column is OPTIONAL (nulls are allowed); string lists are the
/// three-level LIST group (`optional group name (LIST) { repeated group list { required
/// binary element (STRING) } }`), so their leaf has repetition level 1 and definition
/// levels 0 = null list, 1 = empty list, 2 = an item.
struct ParquetColumnLayout {
    enum Physical: Int32 { case boolean = 0, int64 = 2, double = 5, byteArray = 6 }

    let name: String
    let kind: FieldKind
    var physical: Physical {
        switch kind {
        case .bool: .boolean
        case .int, .timestamp: .int64
        case .double: .double
        case .string, .ip, .stringList: .byteArray
        }
    }
    var maxDefinition: Int { kind == .stringList ? 2 : 1 }
    var maxRepetition: Int { kind == .stringList ? 1 : 0 }
    var path: [String] { kind == .stringList ? [name, "list", "element"] : [name] }
}

/// Where one column chunk landed in the file, for the footer.
struct ParquetChunkInfo {
    var layout: ParquetColumnLayout
    var offset: Int
    var values: Int
    var uncompressed: Int
    var compressed: Int
}

/// Writes the data pages of one column for a range of rows (one row group).
///
/// Pages are DATA_PAGE v1 with PLAIN values: INT64 and DOUBLE as 8 little-endian bytes,
/// BOOLEAN bit-packed LSB first, BYTE_ARRAY as a 4-byte little-endian length and the bytes
/// (text under the ``ByteText`` policy, so always valid UTF-8). Nulls have no value, only a
/// definition level. A page is closed once its values pass `pageBytes`.
struct ParquetColumnWriter {
    let layout: ParquetColumnLayout
    let column: Column
    let symbols: SymbolTable
    let compress: Bool
    let pageBytes: Int
    private var texts: EncodedSymbols
    private var repetition: [UInt8] = []
    private var definition: [UInt8] = []
    private var values: [UInt8] = []
    private var booleans: [Bool] = []

    init(column: Column, symbols: SymbolTable, texts: EncodedSymbols, compress: Bool, pageBytes: Int) {
        self.pageBytes = pageBytes
        layout = ParquetColumnLayout(name: column.name, kind: column.kind)
        self.column = column
        self.symbols = symbols
        self.texts = texts
        self.compress = compress
    }

    /// The per-symbol text cache, handed on to the next row group's writer.
    var textCache: EncodedSymbols { texts }

    /// Writes rows `rows` of the column as one or more pages at the end of `out`.
    mutating func write(rows: Range<Int>, to out: inout ExportOutput) throws(StoreError) -> ParquetChunkInfo {
        var info = ParquetChunkInfo(layout: layout, offset: out.position, values: 0, uncompressed: 0, compressed: 0)
        for r in rows {
            appendRow(r)
            if values.count >= pageBytes || booleans.count >= 8 * pageBytes {
                try flushPage(to: &out, info: &info)
            }
        }
        if !definition.isEmpty { try flushPage(to: &out, info: &info) }
        return info
    }

    private mutating func appendRow(_ r: Int) {
        guard column.isValid(r) else {
            definition.append(0)
            if layout.maxRepetition > 0 { repetition.append(0) }
            return
        }
        switch column.kind {
        case .string:
            definition.append(1)
            appendText(column.symbols[r])
        case .int, .timestamp:
            definition.append(1)
            appendLittleEndian(UInt64(bitPattern: column.integers[r]))
        case .double:
            definition.append(1)
            appendLittleEndian(column.doubles[r].bitPattern)
        case .bool:
            definition.append(1)
            booleans.append(column.integers[r] != 0)
        case .ip:
            definition.append(1)
            let at = values.count
            appendLittleEndian32(0)
            IPText.append(column.addresses[r], to: &values)
            let length = UInt32(values.count - at - 4)
            for k in 0..<4 { values[at + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
        case .stringList:
            let lo = Int(column.listStarts[r]), hi = Int(column.listStarts[r + 1])
            if lo == hi {
                repetition.append(0)
                definition.append(1)
                return
            }
            for k in lo..<hi {
                repetition.append(k == lo ? 0 : 1)
                definition.append(2)
                appendText(column.listSymbols[k])
            }
        }
    }

    private mutating func appendText(_ symbol: UInt32) {
        let at = values.count
        values.append(contentsOf: [0, 0, 0, 0])
        texts.append(symbol, from: symbols, to: &values)
        let length = UInt32(values.count - at - 4)
        for k in 0..<4 { values[at + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
    }

    private mutating func appendLittleEndian(_ v: UInt64) {
        for k in 0..<8 { values.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    private mutating func appendLittleEndian32(_ v: UInt32) {
        for k in 0..<4 { values.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    private mutating func flushPage(to out: inout ExportOutput, info: inout ParquetChunkInfo) throws(StoreError) {
        var body: [UInt8] = []
        body.reserveCapacity(values.count + definition.count / 4 + 16)
        if layout.maxRepetition > 0 { LevelEncoder.append(repetition, bitWidth: 1, to: &body) }
        LevelEncoder.append(definition, bitWidth: layout.maxDefinition > 1 ? 2 : 1, to: &body)
        if layout.physical == .boolean {
            var byte: UInt8 = 0
            for (i, b) in booleans.enumerated() {
                if b { byte |= 1 << UInt8(i % 8) }
                if i % 8 == 7 { body.append(byte); byte = 0 }
            }
            if booleans.count % 8 != 0 { body.append(byte) }
        } else {
            body.append(contentsOf: values)
        }
        let stored = compress ? try GzipCompressor.compress(body) : body
        var header = ThriftCompactWriter()
        header.i32(1, 0) // DATA_PAGE
        header.i32(2, Int32(body.count))
        header.i32(3, Int32(stored.count))
        header.beginStruct(5) // DataPageHeader
        header.i32(1, Int32(definition.count))
        header.i32(2, 0) // PLAIN
        header.i32(3, 3) // RLE definition levels
        header.i32(4, 3) // RLE repetition levels
        header.endStruct()
        header.endStruct()
        try out.append(header.bytes)
        try out.append(stored)
        info.values += definition.count
        info.uncompressed += header.bytes.count + body.count
        info.compressed += header.bytes.count + stored.count
        repetition.removeAll(keepingCapacity: true)
        definition.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        booleans.removeAll(keepingCapacity: true)
    }
}
