import CLzma
import SpoorCore

/// Decompresses xz data (concatenated streams too) with liblzma.
public final class XzStream: CodecStream {
    private var strm = lzma_stream()

    public init(_ upstream: ByteStream, limits: DecompressionLimits) throws(IngestError) {
        super.init(upstream: upstream, limits: limits)
        // 0x08 = LZMA_CONCATENATED: decode every concatenated .xz stream.
        guard lzma_stream_decoder(&strm, UInt64.max, 0x08) == LZMA_OK else {
            throw IngestError(.corruptArchive, source: upstream.name, "xz initialisation failed")
        }
    }

    deinit { lzma_end(&strm) }

    override var formatName: String { "xz" }

    /// With LZMA_CONCATENATED, liblzma reports the end only after a call with LZMA_FINISH.
    override var needsFinishCall: Bool { true }

    override func code(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, finish: Bool) -> (Int, Int, Result) {
        strm.next_in = input.baseAddress
        strm.avail_in = input.count
        strm.next_out = output.baseAddress
        strm.avail_out = output.count
        let rc = lzma_code(&strm, finish ? LZMA_FINISH : LZMA_RUN)
        let consumed = input.count - strm.avail_in, made = output.count - strm.avail_out
        switch rc {
        case LZMA_OK: return (consumed, made, .ok)
        case LZMA_STREAM_END: return (consumed, made, .streamEnd)
        case LZMA_BUF_ERROR: return (consumed, made, .bufferError)
        default: return (consumed, made, .failed("liblzma \(rc.rawValue)"))
        }
    }
}
