import CZlib
import Foundation

/// Reads a whole enrichment file into memory, inflating gzip (by its magic bytes, not its name).
enum IntelFileReader {
    /// Tables are big (a full IPv4+IPv6 RIB table is ~40 MB as text) but bounded: a gzip bomb
    /// stops at this size with an error instead of filling memory.
    static let maximumInflatedSize = 1 << 30

    static func read(_ url: URL, maximumSize: Int = maximumInflatedSize) throws(IntelError) -> [UInt8] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw IntelError(file: url.path, "cannot read the file (\(error.localizedDescription))")
        }
        let bytes = [UInt8](data)
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            return try inflateGzip(bytes, file: url.path, maximumSize: maximumSize)
        }
        if bytes.count >= 3, bytes[0] == UInt8(ascii: "B"), bytes[1] == UInt8(ascii: "Z"), bytes[2] == UInt8(ascii: "h") {
            // SpoorIntel links zlib only (Package.swift); bzip2 would need CBzip2 in its dependencies.
            throw IntelError(file: url.path, "bzip2-compressed: decompress it first (bunzip2), SpoorIntel reads plain or gzip files")
        }
        return bytes
    }

    /// Inflates one or more concatenated gzip members (RFC 1952 §2.2 allows several).
    static func inflateGzip(_ input: [UInt8], file: String, maximumSize: Int) throws(IntelError) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(min(maximumSize, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var offset = 0
        while offset < input.count {
            var z = z_stream()
            // 15 + 16: gzip wrapper only.
            guard inflateInit2_(&z, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw IntelError(file: file, "zlib initialisation failed")
            }
            defer { inflateEnd(&z) }
            var ended = false
            let consumed: Int = try input.withUnsafeBufferPointer { (inBuf) throws(IntelError) -> Int in
                z.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + offset)  // safe: offset < count
                z.avail_in = UInt32(inBuf.count - offset)
                while true {
                    let (rc, made): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { out in
                        z.next_out = out.baseAddress
                        z.avail_out = UInt32(out.count)
                        let rc = inflate(&z, Z_NO_FLUSH)
                        return (rc, out.count - Int(z.avail_out))
                    }
                    output.append(contentsOf: chunk[0..<made])
                    guard output.count <= maximumSize else {
                        throw IntelError(file: file, "inflates to more than \(maximumSize) bytes: refused")
                    }
                    if rc == Z_STREAM_END { ended = true; break }
                    if rc == Z_BUF_ERROR && z.avail_in == 0 { break }
                    guard rc == Z_OK || rc == Z_BUF_ERROR else {
                        throw IntelError(file: file, "corrupt gzip data (zlib \(rc)) near compressed byte \(inBuf.count - Int(z.avail_in))")
                    }
                }
                return inBuf.count - offset - Int(z.avail_in)
            }
            guard ended else { throw IntelError(file: file, "truncated gzip data") }
            offset += consumed
            // Trailing zero padding after the last member is tolerated (as gzip(1) does).
            if offset < input.count, input[offset...].allSatisfy({ $0 == 0 }) { break }
        }
        return output
    }
}
