import Foundation
import SpoorCore
import SpoorEvents

/// Writes an ``EventBatch`` as an Apache Parquet file, with spoor's own encoder (no Parquet
/// library exists for Swift on this platform; see REFERENCE.md §6).
///
/// One column per field, all OPTIONAL:
///
/// | kind | Parquet | pyarrow reads it as |
/// |---|---|---|
/// | string | BYTE_ARRAY, STRING (UTF8) | `string` |
/// | int | INT64 | `int64` |
/// | double | DOUBLE | `double` |
/// | bool | BOOLEAN | `bool` |
/// | timestamp | INT64, TIMESTAMP(MICROS, UTC) | `timestamp[us, tz=UTC]` |
/// | ip | BYTE_ARRAY, STRING: the address's text | `string` |
/// | stringList | LIST of required STRING (three-level) | `list<element: string not null>` |
///
/// Strings holding bytes that are not UTF-8 are written under the ``ByteText`` policy, so
/// every STRING value is valid UTF-8 and `ByteText.decode` restores the bytes. Rows are split
/// into row groups of ``rowGroupRows``; each column chunk has DATA_PAGE v1 pages of about
/// 1 MiB with PLAIN values and RLE/bit-packed levels. No statistics or dictionary pages.
///
/// ```swift
/// let handle = try FileHandle(forWritingTo: url)
/// try ParquetWriter(compression: .gzip).write(batch, to: handle)
/// ```
public struct ParquetWriter: Sendable {
    /// The page codec.
    public enum Compression: Sendable, Hashable {
        /// Pages stored as they are (fastest to write).
        case none
        /// Pages compressed with zlib in gzip framing (smaller; every Parquet reader has it).
        case gzip
    }

    /// The page codec (default ``Compression/none``).
    public var compression: Compression
    /// Rows per row group (default 65,536).
    public var rowGroupRows: Int
    /// The fields to write, in order; nil writes every column of the batch.
    public var fields: [String]?
    /// A page is closed once its values pass this many bytes (smaller in tests, to get many pages).
    var pageBytes = 1 << 20

    public init(compression: Compression = .none, rowGroupRows: Int = 65_536, fields: [String]? = nil) {
        precondition(rowGroupRows > 0, "a row group needs at least one row")
        self.compression = compression
        self.rowGroupRows = rowGroupRows
        self.fields = fields
    }

    /// Writes the batch to `handle` as a complete Parquet file.
    /// - Throws: ``StoreError/Code/io`` when the file cannot be written.
    /// - Complexity: O(*rows* × *fields*).
    public func write(_ batch: EventBatch, to handle: FileHandle) throws(StoreError) {
        var out = ExportOutput(handle)
        try out.append(Array("PAR1".utf8))
        let columns = (fields ?? batch.fieldNames).compactMap { batch.column($0) }
        var texts = EncodedSymbols(form: .text, symbolCount: batch.symbols.count)
        var groups: [(rows: Int, chunks: [ParquetChunkInfo])] = []
        var start = 0
        while start < batch.count {
            let rows = start..<min(batch.count, start + rowGroupRows)
            var chunks: [ParquetChunkInfo] = []
            for column in columns {
                var writer = ParquetColumnWriter(column: column, symbols: batch.symbols, texts: texts,
                                                 compress: compression == .gzip, pageBytes: pageBytes)
                texts = EncodedSymbols(form: .text, symbolCount: 0) // the writer's copy is now unique
                chunks.append(try writer.write(rows: rows, to: &out))
                texts = writer.textCache
            }
            groups.append((rows.count, chunks))
            start = rows.upperBound
        }
        let layouts = columns.map { ParquetColumnLayout(name: $0.name, kind: $0.kind) }
        let footer = footer(layouts: layouts, rows: batch.count, groups: groups)
        try out.append(footer)
        var trailer: [UInt8] = []
        for k in 0..<4 { trailer.append(UInt8(truncatingIfNeeded: UInt32(footer.count) >> (8 * UInt32(k)))) }
        trailer.append(contentsOf: "PAR1".utf8)
        try out.append(trailer)
        try out.flush()
    }

    /// The Thrift-compact `FileMetaData` (parquet.thrift).
    func footer(layouts: [ParquetColumnLayout], rows: Int, groups: [(rows: Int, chunks: [ParquetChunkInfo])]) -> [UInt8] {
        var t = ThriftCompactWriter()
        t.i32(1, 1) // version
        let elements = 1 + layouts.reduce(0) { $0 + ($1.kind == .stringList ? 3 : 1) }
        t.beginList(2, .structure, count: elements)
        t.beginListStruct() // the root
        t.string(4, "schema")
        t.i32(5, Int32(layouts.count))
        t.endStruct()
        for layout in layouts { schemaElements(layout, &t) }
        t.i64(3, Int64(rows))
        t.beginList(4, .structure, count: groups.count)
        for group in groups {
            t.beginListStruct() // RowGroup
            t.beginList(1, .structure, count: group.chunks.count)
            for chunk in group.chunks {
                t.beginListStruct() // ColumnChunk
                t.i64(2, Int64(chunk.offset))
                t.beginStruct(3) // ColumnMetaData
                t.i32(1, chunk.layout.physical.rawValue)
                t.beginList(2, .i32, count: 2)
                t.zigzag(0) // PLAIN
                t.zigzag(3) // RLE
                t.beginList(3, .binary, count: chunk.layout.path.count)
                for p in chunk.layout.path { t.rawString(p) }
                t.i32(4, compression == .gzip ? 2 : 0)
                t.i64(5, Int64(chunk.values))
                t.i64(6, Int64(chunk.uncompressed))
                t.i64(7, Int64(chunk.compressed))
                t.i64(9, Int64(chunk.offset))
                t.endStruct()
                t.endStruct()
            }
            t.i64(2, Int64(group.chunks.reduce(0) { $0 + $1.uncompressed }))
            t.i64(3, Int64(group.rows))
            t.endStruct()
        }
        t.string(6, "spoor")
        t.endStruct()
        return t.bytes
    }

    /// The schema elements of one column (one leaf, or the three of a LIST).
    private func schemaElements(_ layout: ParquetColumnLayout, _ t: inout ThriftCompactWriter) {
        // SchemaElement: 1 type, 3 repetition_type, 4 name, 5 num_children, 6 converted_type, 10 logicalType.
        // Repetition: 0 REQUIRED, 1 OPTIONAL, 2 REPEATED. Converted: 0 UTF8, 3 LIST, 10 TIMESTAMP_MICROS.
        func stringLogical(_ t: inout ThriftCompactWriter) {
            t.beginStruct(10); t.beginStruct(1); t.endStruct(); t.endStruct() // LogicalType.STRING
        }
        switch layout.kind {
        case .stringList:
            t.beginListStruct()
            t.i32(3, 1); t.string(4, layout.name); t.i32(5, 1); t.i32(6, 3)
            t.beginStruct(10); t.beginStruct(3); t.endStruct(); t.endStruct() // LogicalType.LIST
            t.endStruct()
            t.beginListStruct()
            t.i32(3, 2); t.string(4, "list"); t.i32(5, 1)
            t.endStruct()
            t.beginListStruct()
            t.i32(1, ParquetColumnLayout.Physical.byteArray.rawValue); t.i32(3, 0); t.string(4, "element"); t.i32(6, 0)
            stringLogical(&t)
            t.endStruct()
        default:
            t.beginListStruct()
            t.i32(1, layout.physical.rawValue)
            t.i32(3, 1)
            t.string(4, layout.name)
            switch layout.kind {
            case .string, .ip:
                t.i32(6, 0)
                stringLogical(&t)
            case .timestamp:
                t.i32(6, 10)
                t.beginStruct(10); t.beginStruct(8) // LogicalType.TIMESTAMP
                t.bool(1, true) // isAdjustedToUTC
                t.beginStruct(2); t.beginStruct(2); t.endStruct(); t.endStruct() // unit: MICROS
                t.endStruct(); t.endStruct()
            default: break
            }
            t.endStruct()
        }
    }
}
