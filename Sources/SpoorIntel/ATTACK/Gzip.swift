import CZlib

/// Inflates a whole gzip (or zlib) buffer, for intel files shipped compressed (the ATT&CK
/// bundles). Output is bounded so a gzip bomb ends in an error, not in memory exhaustion.
public enum Gzip {
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Whether `bytes` start with the gzip magic number (RFC 1952 §2.3.1).
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    public static func decompress(_ bytes: [UInt8], maximumSize: Int = 512 << 20) throws(Error) -> [UInt8] {
        var z = z_stream()
        // 15 + 32: a gzip or zlib header, detected automatically.
        guard inflateInit2_(&z, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Error(message: "zlib initialisation failed")
        }
        defer { inflateEnd(&z) }
        var out: [UInt8] = []
        out.reserveCapacity(min(maximumSize, bytes.count * 6))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var rc: Int32 = Z_OK
        var input = bytes
        try input.withUnsafeMutableBufferPointer { (inBuf: inout UnsafeMutableBufferPointer<UInt8>) throws(Error) in
            z.next_in = inBuf.baseAddress
            z.avail_in = UInt32(inBuf.count)
            repeat {
                let made: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    z.next_out = outBuf.baseAddress
                    z.avail_out = UInt32(outBuf.count)
                    rc = inflate(&z, Z_NO_FLUSH)
                    return outBuf.count - Int(z.avail_out)
                }
                guard rc == Z_OK || rc == Z_STREAM_END || (rc == Z_BUF_ERROR && made > 0) else {
                    throw Error(message: "corrupt or truncated gzip data (zlib \(rc))")
                }
                out.append(contentsOf: chunk[0..<made])
                guard out.count <= maximumSize else { throw Error(message: "decompressed size above \(maximumSize) bytes") }
                if rc == Z_STREAM_END, z.avail_in > 0 {
                    // Another gzip member follows (concatenated .gz files).
                    guard inflateReset(&z) == Z_OK else { throw Error(message: "zlib reset failed") }
                    rc = Z_OK
                }
                if rc == Z_OK, z.avail_in == 0, made == 0 { throw Error(message: "truncated gzip data") }
            } while rc != Z_STREAM_END
        }
        return out
    }
}
