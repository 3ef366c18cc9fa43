import CZlib

/// Compresses Parquet pages with zlib in gzip framing (Parquet's GZIP codec, RFC 1952).
enum GzipCompressor {
    /// The gzip-framed deflate of `input`.
    /// - Throws: ``StoreError/Code/io`` when zlib fails (only on memory exhaustion in practice).
    static func compress(_ input: [UInt8], level: Int32 = 6) throws(StoreError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of zlib's.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw StoreError(.io, "zlib could not start a gzip stream")
        }
        defer { deflateEnd(&stream) }
        // deflateBound covers zlib's framing; gzip adds 18 bytes of header and trailer to it.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw StoreError(.io, "zlib could not compress a page (status \(status))") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
