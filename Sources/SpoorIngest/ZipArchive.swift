import Foundation
import SpoorCore

/// Reads the table of contents of a ZIP archive (PKWARE APPNOTE 6.3.x: end of central
/// directory, central directory headers, ZIP64 extra fields) and opens members as streams.
///
/// Members are read member by member: stored (method 0) or deflated (method 8). Other
/// methods and encrypted members are reported as skipped with their reason.
public struct ZipArchive: Sendable {
    public struct Member: Sendable, Hashable {
        public var name: String
        public var method: UInt16
        public var flags: UInt16
        public var compressedSize: Int
        public var uncompressedSize: Int
        public var localHeaderOffset: Int
        public var isDirectory: Bool { name.hasSuffix("/") }
        public var isEncrypted: Bool { flags & 1 != 0 }
    }

    public let path: String
    public let members: [Member]

    /// Reads the central directory of the archive at `path`.
    public init(path: String) throws(IngestError) {
        self.path = path
        let fileSize: Int
        do {
            let attrs = try FileManager.default.attributesOfItem(atPath: path)
            fileSize = (attrs[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw IngestError(.unreadable, source: path, "cannot stat the archive")
        }
        // The end-of-central-directory record sits in the last 22 + 65,535 bytes.
        let tailLength = min(fileSize, 22 + 65_535)
        let tail = try ZipArchive.readBytes(path: path, offset: fileSize - tailLength, count: tailLength)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw IngestError(.corruptArchive, source: path, "no ZIP end-of-central-directory record (truncated archive?)") }
        var entries = Int(ZipArchive.u16(tail, eocd + 10))
        var cdSize = Int(ZipArchive.u32(tail, eocd + 12))
        var cdOffset = Int(ZipArchive.u32(tail, eocd + 16))
        // ZIP64: a locator 20 bytes before the EOCD points at the ZIP64 EOCD record.
        if (entries == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF), eocd >= 20,
           ZipArchive.u32(tail, eocd - 20) == 0x0706_4B50 {
            let z64Offset = Int(ZipArchive.u64(tail, eocd - 20 + 8))
            let rec = try ZipArchive.readBytes(path: path, offset: z64Offset, count: 56)
            guard ZipArchive.u32(rec, 0) == 0x0606_4B50 else { throw IngestError(.corruptArchive, source: path, "bad ZIP64 end record") }
            entries = Int(ZipArchive.u64(rec, 32))
            cdSize = Int(ZipArchive.u64(rec, 40))
            cdOffset = Int(ZipArchive.u64(rec, 48))
        }
        guard cdOffset >= 0, cdSize >= 0, cdOffset + cdSize <= fileSize, entries <= 1_000_000 else {
            throw IngestError(.corruptArchive, source: path, "ZIP central directory out of bounds")
        }
        let cd = try ZipArchive.readBytes(path: path, offset: cdOffset, count: cdSize)
        var out: [Member] = []
        var p = 0
        for _ in 0..<entries {
            guard p + 46 <= cd.count, ZipArchive.u32(cd, p) == 0x0201_4B50 else {
                throw IngestError(.corruptArchive, source: path, at: cdOffset + p, "bad ZIP central directory entry")
            }
            let flags = ZipArchive.u16(cd, p + 8)
            let method = ZipArchive.u16(cd, p + 10)
            var csize = Int(ZipArchive.u32(cd, p + 20))
            var usize = Int(ZipArchive.u32(cd, p + 24))
            let nameLen = Int(ZipArchive.u16(cd, p + 28))
            let extraLen = Int(ZipArchive.u16(cd, p + 30))
            let commentLen = Int(ZipArchive.u16(cd, p + 32))
            var local = Int(ZipArchive.u32(cd, p + 42))
            guard p + 46 + nameLen + extraLen + commentLen <= cd.count else {
                throw IngestError(.corruptArchive, source: path, at: cdOffset + p, "ZIP entry runs past the directory")
            }
            let name = ByteText.string(Array(cd[(p + 46)..<(p + 46 + nameLen)]))
            // ZIP64 extended information (header id 0x0001): only the fields that overflowed.
            var e = p + 46 + nameLen
            let eEnd = e + extraLen
            while e + 4 <= eEnd {
                let id = ZipArchive.u16(cd, e), len = Int(ZipArchive.u16(cd, e + 2))
                if id == 0x0001 {
                    var q = e + 4
                    if usize == 0xFFFF_FFFF, q + 8 <= eEnd { usize = Int(ZipArchive.u64(cd, q)); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= eEnd { csize = Int(ZipArchive.u64(cd, q)); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= eEnd { local = Int(ZipArchive.u64(cd, q)); q += 8 }
                }
                e += 4 + len
            }
            out.append(Member(name: name, method: method, flags: flags, compressedSize: csize,
                              uncompressedSize: usize, localHeaderOffset: local))
            p += 46 + nameLen + extraLen + commentLen
        }
        members = out
    }

    /// A stream of a member's decompressed bytes.
    public func open(_ member: Member, limits: DecompressionLimits) throws(IngestError) -> ByteStream {
        let source = path + "!" + member.name
        guard !member.isEncrypted else { throw IngestError(.unsupported, source: source, "encrypted ZIP member") }
        let header = try ZipArchive.readBytes(path: path, offset: member.localHeaderOffset, count: 30)
        guard ZipArchive.u32(header, 0) == 0x0403_4B50 else {
            throw IngestError(.corruptArchive, source: source, "bad ZIP local header")
        }
        let dataOffset = member.localHeaderOffset + 30 + Int(ZipArchive.u16(header, 26)) + Int(ZipArchive.u16(header, 28))
        let raw = try FileStream(path: path, name: source, offset: dataOffset, length: member.compressedSize)
        switch member.method {
        case 0: return raw
        case 8: return try InflateStream(raw, wrapper: .raw, limits: limits)
        default:
            throw IngestError(.unsupported, source: source, "ZIP compression method \(member.method) is not supported (stored and deflate are)")
        }
    }

    static func readBytes(path: String, offset: Int, count: Int) throws(IngestError) -> [UInt8] {
        guard offset >= 0, count >= 0 else { throw IngestError(.corruptArchive, source: path, "negative offset") }
        let stream = try FileStream(path: path, offset: offset, length: count)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if try stream.read(into: &out, maximum: count - out.count) == 0 { break }
        }
        guard out.count == count else { throw IngestError(.truncatedArchive, source: path, at: offset, "archive ends early") }
        return out
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
