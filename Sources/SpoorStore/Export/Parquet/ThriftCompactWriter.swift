/// Encodes Thrift structs in the compact protocol, the encoding of Parquet's metadata.
///
/// Only what writing Parquet needs: structs, i32/i64 (zigzag varints), binary/string, bool
/// fields and lists (thrift's `doc/specs/thrift-compact-protocol.md`). A field header packs the
/// field id as a delta from the previous field of the same struct (1…15) with the type in one
/// byte; otherwise the type byte is followed by the id as a zigzag varint. Each struct ends
/// with a stop byte 0. A list header packs size (< 15) and element type in one byte.
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id written in the struct being written, and those of enclosing structs.
    private var lastField: Int16 = 0
    private var enclosing: [Int16] = []

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    private mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastField)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, .i32); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, .i64); zigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }

    mutating func string(_ id: Int16, _ s: String) {
        fieldHeader(id, .binary)
        rawString(s)
    }

    /// A string as a list element or after a header: length varint, then UTF-8 bytes.
    mutating func rawString(_ s: String) {
        varint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    /// Opens a struct-valued field; close with ``endStruct()``.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        beginListStruct()
    }

    /// Opens a struct that is a list element (no field header).
    mutating func beginListStruct() {
        enclosing.append(lastField)
        lastField = 0
    }

    mutating func endStruct() {
        bytes.append(0)
        lastField = enclosing.popLast() ?? 0
    }

    /// A list field header; then write `count` elements (``rawString(_:)``, ``zigzag(_:)``,
    /// or ``beginListStruct()``…``endStruct()``).
    mutating func beginList(_ id: Int16, _ element: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }
}
