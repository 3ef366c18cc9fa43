import CZlib
import SpoorCore

/// Inflates gzip (RFC 1952, several members concatenated too), zlib or raw deflate data.
public final class InflateStream: CodecStream {
    public enum Wrapper: Sendable { case gzipOrZlib, raw }

    private var z = z_stream()
    private let wrapper: Wrapper
    private var initialized = false

    public init(_ upstream: ByteStream, wrapper: Wrapper = .gzipOrZlib, limits: DecompressionLimits) throws(IngestError) {
        self.wrapper = wrapper
        super.init(upstream: upstream, limits: limits)
        try reset()
    }

    deinit { if initialized { inflateEnd(&z) } }

    override var formatName: String { wrapper == .raw ? "deflate" : "gzip" }

    private func reset() throws(IngestError) {
        if initialized { inflateEnd(&z) }
        z = z_stream()
        // 15 + 32: a gzip or zlib header, detected; -15: raw deflate (zip members).
        let bits: Int32 = wrapper == .raw ? -15 : 15 + 32
        let rc = inflateInit2_(&z, bits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw IngestError(.corruptArchive, source: name, "zlib initialisation failed (\(rc))") }
        initialized = true
    }

    /// Another gzip member may follow (concatenated `.gz` files, bgzip); raw deflate ends here.
    override func startNextStream() throws(IngestError) -> Bool {
        guard wrapper == .gzipOrZlib else { return false }
        try reset()
        return true
    }

    override func code(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, finish: Bool) -> (Int, Int, Result) {
        z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        z.avail_in = UInt32(input.count)
        z.next_out = output.baseAddress
        z.avail_out = UInt32(output.count)
        let rc = inflate(&z, Z_NO_FLUSH)
        let consumed = input.count - Int(z.avail_in), made = output.count - Int(z.avail_out)
        switch rc {
        case Z_OK: return (consumed, made, .ok)
        case Z_STREAM_END: return (consumed, made, .streamEnd)
        case Z_BUF_ERROR: return (consumed, made, .bufferError)
        default: return (consumed, made, .failed("zlib \(rc)"))
        }
    }
}
