import CDeflate
import SpoorCore

/// One event record read from an EVTX file.
public struct EVTXRecord: Sendable, Hashable {
    /// The record identifier (`EventRecordID`).
    public var recordID: UInt64
    /// The record's written time (FILETIME in the record header), microseconds UTC.
    public var timestamp: Timestamp
    /// Byte offset of the record (its `2a 2a 00 00` signature) in the file.
    public var offset: Int
    /// The event in the JSON shape of the Rust `evtx` crate (`{"Event": {...}}`).
    public var event: JSONValue
}

/// Something wrong in a file, with where it is. The reader keeps going after every one of these.
public struct EVTXIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The file header's CRC32 does not match (informational: the header is still used).
        case badFileHeaderChecksum
        /// The file header says the log was not closed cleanly; chunks are read by scanning, not
        /// by trusting the header's chunk count.
        case dirtyFile
        /// A chunk without the `ElfChnk\0` signature: skipped (an all-zero chunk is unused space, not reported).
        case badChunkSignature
        /// A chunk header CRC32 mismatch (records are still read).
        case badChunkHeaderChecksum
        /// The CRC32 of the event records data does not match (records are still read).
        case badRecordsChecksum
        /// A record that could not be read: skipped. If its size field is unusable, the rest of
        /// the chunk is skipped too.
        case badRecord
        /// The file ends inside a chunk.
        case truncatedChunk
    }
    public var kind: Kind
    /// Chunk number (0-based), when the issue is in a chunk.
    public var chunk: Int?
    /// Byte offset in the file.
    public var offset: Int
    /// The record identifier when known.
    public var recordID: UInt64?
    public var error: ParseError

    public var description: String {
        "\(kind.rawValue) at byte \(offset)" + (chunk.map { " (chunk \($0))" } ?? "") + (recordID.map { " record \($0)" } ?? "") + ": \(error.message)"
    }
}

/// The records and issues of one 64 KiB chunk.
public struct EVTXChunkResult: Sendable {
    public var index: Int
    public var offset: Int
    public var records: [EVTXRecord]
    public var issues: [EVTXIssue]
}

/// A Windows XML Event Log file held in memory, read a chunk at a time.
///
/// Layout (libyal, "Windows XML Event Log (EVTX) format"): a 4,096-byte file header, then
/// 65,536-byte chunks. A chunk has a 512-byte header — `ElfChnk\0`, first/last record numbers
/// and identifiers (8, 16, 24, 32), header size (40), last record offset (44), free space offset
/// (48), CRC32 of the event records data (52), flags (120), CRC32 of bytes 0–120 and 128–512
/// (124), 64 common string offsets (128) and 32 template offsets (384) — followed by event
/// records: `2a 2a 00 00`, size (u32), identifier (u64), written FILETIME (u64), BinXML, size copy.
///
/// Names and templates are read from where the BinXML offsets point, so a damaged string or
/// template table in the chunk header does not matter.
public struct EVTXFile: Sendable {
    public static let chunkSize = 65_536
    public static let chunkHeaderSize = 512

    public let bytes: [UInt8]
    public let header: EVTXFileHeader
    public var limits = EVTXLimits()
    /// Issues of the file header (checksum, dirty flag).
    public let headerIssues: [EVTXIssue]

    public init(bytes: [UInt8]) throws(ParseError) {
        self.bytes = bytes
        header = try EVTXFileHeader(bytes.span)
        var issues: [EVTXIssue] = []
        let crc = bytes.withUnsafeBufferPointer { b in libdeflate_crc32(0, b.baseAddress, 120) }
        if crc != header.checksum {
            issues.append(EVTXIssue(kind: .badFileHeaderChecksum, chunk: nil, offset: 124, recordID: nil,
                                    error: ParseError(.badHeader, at: 124, "file header CRC32 does not match")))
        }
        if header.isDirty {
            issues.append(EVTXIssue(kind: .dirtyFile, chunk: nil, offset: 120, recordID: nil,
                                    error: ParseError(.badHeader, at: 120, "file header flag: not closed cleanly (dirty); all chunks present are read")))
        }
        headerIssues = issues
    }

    /// Number of chunk slots present in the bytes (the header's count is not trusted: dirty files
    /// have more chunks than it says).
    public var chunkCount: Int {
        bytes.count <= EVTXFileHeader.size ? 0 : (bytes.count - EVTXFileHeader.size + EVTXFile.chunkSize - 1) / EVTXFile.chunkSize
    }

    /// About how many records chunks `range` hold, from their headers' first and last record
    /// numbers (a chunk whose header is not a chunk's, or whose numbers make no sense, counts as
    /// none): a hint for sizing buffers, never trusted for reading.
    public func estimatedRecords(chunks range: Range<Int>) -> Int {
        var n = 0
        for i in range where i >= 0 && i < chunkCount {
            let o = EVTXFileHeader.size + i * EVTXFile.chunkSize
            guard o + 24 <= bytes.count, bytes[o..<(o + 8)].elementsEqual("ElfChnk\0".utf8) else { continue }
            let first = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self) }
            let last = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self) }
            // A 64 KiB chunk holds at most a few thousand records.
            if last >= first, last - first < 8192 { n += Int(last - first) + 1 }
        }
        return n
    }

    /// All records and issues (header issues first).
    public func records() -> (records: [EVTXRecord], issues: [EVTXIssue]) {
        var records: [EVTXRecord] = []
        var issues = headerIssues
        for i in 0..<chunkCount {
            let c = chunk(i)
            records += c.records
            issues += c.issues
        }
        return (records, issues)
    }

    /// Reads chunk `index` (0-based).
    public func chunk(_ index: Int) -> EVTXChunkResult {
        var records: [EVTXRecord] = []
        var renderer = EVTXRenderer(maximumDepth: limits.maximumDepth * 2)
        let issues = scanChunk(index, reserve: { records.reserveCapacity($0) }) {
            (reader: inout BinXMLReader, pos: Int, size: Int, id: UInt64, written: UInt64) throws(ParseError) in
            let parts = try reader.fragment(pos + 24, end: pos + size - 4, depth: 0)
            let json = try renderer.record(parts, at: pos + 24)
            records.append(EVTXRecord(recordID: id, timestamp: Timestamp(microseconds: BinXMLReader.filetimeMicroseconds(written)),
                                      offset: pos, event: json))
        }
        return EVTXChunkResult(index: index, offset: EVTXFileHeader.size + index * EVTXFile.chunkSize, records: records, issues: issues)
    }

    /// Whether `bytes[range]` are all zero, read eight bytes at a time (unused chunk slots at the
    /// end of a preallocated file are 64 KiB of zeros each; a byte-by-byte `contains(where:)`
    /// over them was 2% of the direct path's time).
    static func isZero(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return false }
        return bytes.withUnsafeBytes { b in
            var i = range.lowerBound
            // 32 bytes a step (one test of four words or'ed together), then 8, then 1.
            while i + 32 <= range.upperBound {
                let w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self) | b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    | b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                if w != 0 { return false }
                i += 32
            }
            while i + 8 <= range.upperBound {
                if b.loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 { return false }
                i += 8
            }
            while i < range.upperBound {
                if b[i] != 0 { return false }
                i += 1
            }
            return true
        }
    }

    /// Checks chunk `index` and hands each record that has a plausible header to `record`
    /// (the reader of the chunk, the record's offset, size, identifier and written FILETIME); a
    /// record it throws for becomes a `badRecord` issue. Returns the chunk's issues in order.
    func scanChunk(_ index: Int, templates: EVTXTemplateCache? = nil, reserve: (Int) -> Void,
                   _ record: (inout BinXMLReader, Int, Int, UInt64, UInt64) throws(ParseError) -> Void) -> [EVTXIssue] {
        let start = EVTXFileHeader.size + index * EVTXFile.chunkSize
        var issues: [EVTXIssue] = []
        func issue(_ kind: EVTXIssue.Kind, _ offset: Int, _ id: UInt64?, _ e: ParseError) {
            issues.append(EVTXIssue(kind: kind, chunk: index, offset: offset, recordID: id, error: e))
        }
        guard start + EVTXFile.chunkHeaderSize <= bytes.count else {
            if start < bytes.count && !Self.isZero(bytes, start..<bytes.count) {
                issue(.truncatedChunk, start, nil, ParseError(.truncated, at: start, "file ends inside a chunk header"))
            }
            return issues
        }
        let end = min(start + EVTXFile.chunkSize, bytes.count)
        let signature: [UInt8] = Array("ElfChnk\0".utf8)
        guard bytes[start..<(start + 8)].elementsEqual(signature) else {
            if !Self.isZero(bytes, start..<end) {
                issue(.badChunkSignature, start, nil, ParseError(.badHeader, at: start, "chunk signature is not ElfChnk; chunk skipped"))
            }
            return issues
        }
        if end - start < EVTXFile.chunkSize {
            issue(.truncatedChunk, start, nil, ParseError(.truncated, at: start, "file ends inside the chunk; reading what is there"))
        }
        let h = LittleEndian.self
        let s = bytes.span
        let freeSpace = Int(h.u32(s, start + 48))
        let recordsCRC = h.u32(s, start + 52)
        let headerCRC = h.u32(s, start + 124)
        let computedHeaderCRC = bytes.withUnsafeBufferPointer { b -> UInt32 in
            let base = b.baseAddress.map { $0 + start }
            let c = libdeflate_crc32(0, base, 120)
            return libdeflate_crc32(c, base.map { $0 + 128 }, 384)
        }
        if computedHeaderCRC != headerCRC {
            issue(.badChunkHeaderChecksum, start + 124, nil, ParseError(.badHeader, at: start + 124, "chunk header CRC32 does not match; records are still read"))
        }
        let dataEnd = (freeSpace >= EVTXFile.chunkHeaderSize && freeSpace <= end - start) ? start + freeSpace : end
        if dataEnd > start + EVTXFile.chunkHeaderSize {
            let c = bytes.withUnsafeBufferPointer { b -> UInt32 in
                libdeflate_crc32(0, b.baseAddress.map { $0 + start + EVTXFile.chunkHeaderSize }, dataEnd - start - EVTXFile.chunkHeaderSize)
            }
            if c != recordsCRC {
                issue(.badRecordsChecksum, start + 52, nil, ParseError(.badHeader, at: start + 52, "event records CRC32 does not match; records are still read"))
            }
        }

        // The chunk header's first and last record numbers (libyal: "Chunk header") size the
        // records array once (a hint only; at most what a chunk can hold).
        let firstID = h.u64(s, start + 8), lastID = h.u64(s, start + 16)
        if lastID >= firstID { reserve(Int(min(lastID - firstID + 1, 2_048))) }
        var reader = BinXMLReader(data: bytes, chunkStart: start, chunkEnd: end, limits: limits)
        reader.shared = templates
        var pos = start + EVTXFile.chunkHeaderSize
        while pos + 24 <= dataEnd {
            guard bytes[pos] == 0x2a, bytes[pos + 1] == 0x2a, bytes[pos + 2] == 0, bytes[pos + 3] == 0 else {
                if !Self.isZero(bytes, pos..<dataEnd) {
                    issue(.badRecord, pos, nil, ParseError(.badHeader, at: pos, "record signature is not 2a2a0000; rest of the chunk skipped"))
                }
                break
            }
            let size = Int(h.u32(s, pos + 4))
            let id = h.u64(s, pos + 8)
            guard size >= 28, pos + size <= end else {
                issue(.badRecord, pos, id, ParseError(.badField, at: pos + 4, "record size \(size) is impossible; rest of the chunk skipped"))
                break
            }
            let written = h.u64(s, pos + 16)
            reader.tokens = 0
            do throws(ParseError) {
                try record(&reader, pos, size, id, written)
            } catch {
                issue(.badRecord, pos, id, error)
            }
            pos += size
        }
        return issues
    }
}
