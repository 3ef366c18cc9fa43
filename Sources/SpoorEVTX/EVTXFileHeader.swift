import SpoorCore

/// The 4,096-byte file header of a Windows XML Event Log (EVTX) file.
///
/// Layout from the libyal documentation "Windows XML Event Log (EVTX) format" (Joachim Metz),
/// section "File header": signature `ElfFile\0`, first and last chunk numbers, next record
/// identifier, header size (128), minor and major version (1, 3), header block size (4,096),
/// number of chunks, flags (0x1 dirty, 0x2 full) and a CRC32 of the first 120 bytes.
public struct EVTXFileHeader: Sendable, Hashable {
    public static let size = 4096
    public static let signature: [UInt8] = Array("ElfFile\0".utf8)

    public var firstChunk: UInt64
    public var lastChunk: UInt64
    public var nextRecordID: UInt64
    public var minorVersion: UInt16
    public var majorVersion: UInt16
    public var chunkCount: UInt16
    public var flags: UInt32
    public var checksum: UInt32

    /// Whether the log was not closed cleanly (its last chunks may be newer than the header says).
    public var isDirty: Bool { flags & 0x1 != 0 }
    /// Whether the log was full when written.
    public var isFull: Bool { flags & 0x2 != 0 }

    /// Reads the header from the first bytes of a file.
    public init(_ b: Span<UInt8>) throws(ParseError) {
        guard b.count >= 128 else { throw ParseError(.truncated, at: 0, "EVTX file header needs 128 bytes, found \(b.count)") }
        for (i, c) in EVTXFileHeader.signature.enumerated() where b[i] != c {
            throw ParseError(.badHeader, at: i, "not an EVTX file (signature ElfFile)")
        }
        firstChunk = LittleEndian.u64(b, 8)
        lastChunk = LittleEndian.u64(b, 16)
        nextRecordID = LittleEndian.u64(b, 24)
        minorVersion = LittleEndian.u16(b, 36)
        majorVersion = LittleEndian.u16(b, 38)
        chunkCount = LittleEndian.u16(b, 42)
        flags = LittleEndian.u32(b, 120)
        checksum = LittleEndian.u32(b, 124)
    }
}

/// Little-endian integer reads at byte offsets (callers check bounds).
public enum LittleEndian {
    @inline(__always) public static func u16(_ b: Span<UInt8>, _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    @inline(__always) public static func u32(_ b: Span<UInt8>, _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    @inline(__always) public static func u64(_ b: Span<UInt8>, _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
