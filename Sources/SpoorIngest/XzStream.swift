import CLzma
import SpoorCore

/// Decompresses xz data (concatenated streams too) with liblzma.
public final class XzStream: ByteStream {
    private let upstream: ByteStream
    private var strm = lzma_stream()
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var upstreamDone = false
    private var finished = false
    private var produced = 0
    private let limits: DecompressionLimits

    public init(_ upstream: ByteStream, limits: DecompressionLimits) throws(IngestError) {
        self.upstream = upstream
        self.limits = limits
        super.init(name: upstream.name)
        // 0x08 = LZMA_CONCATENATED: decode every concatenated .xz stream.
        let rc = lzma_stream_decoder(&strm, UInt64.max, 0x08)
        guard rc == LZMA_OK else { throw IngestError(.corruptArchive, source: upstream.name, "xz initialisation failed") }
    }

    deinit { lzma_end(&strm) }

    public override var compressedBytesRead: Int { upstream.compressedBytesRead }

    public override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        guard !finished, maximum > 0 else { return 0 }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: maximum))
        var written = 0
        var failure: IngestError? = nil
        while written == 0 {
            if inputPosition >= input.count {
                input.removeAll(keepingCapacity: true)
                inputPosition = 0
                if !upstreamDone {
                    do { if try upstream.read(into: &input, maximum: 256 << 10) == 0 { upstreamDone = true } }
                    catch { failure = error; break }
                }
            }
            let available = input.count - inputPosition
            var rc = LZMA_OK
            input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    strm.next_in = UnsafePointer(inBuf.baseAddress.map { $0 + inputPosition })
                    strm.avail_in = available
                    strm.next_out = outBuf.baseAddress.map { $0 + old + written }
                    strm.avail_out = maximum - written
                    rc = lzma_code(&strm, upstreamDone ? LZMA_FINISH : LZMA_RUN)
                    inputPosition += available - strm.avail_in
                    written = maximum - strm.avail_out
                }
            }
            if rc == LZMA_STREAM_END { finished = true; break }
            if rc == LZMA_BUF_ERROR && upstreamDone {
                failure = IngestError(.truncatedArchive, source: name, at: produced, "xz stream ends early (truncated file)")
                break
            }
            if rc != LZMA_OK && rc != LZMA_BUF_ERROR {
                failure = IngestError(rc == LZMA_DATA_ERROR || rc == LZMA_FORMAT_ERROR ? .corruptArchive : .truncatedArchive,
                                      source: name, at: produced, "corrupt xz data (\(rc.rawValue))")
                break
            }
            if available == 0 && upstreamDone && written == 0 {
                failure = IngestError(.truncatedArchive, source: name, at: produced, "xz stream ends early (truncated file)")
                break
            }
        }
        buffer.removeLast(maximum - written)
        produced += written
        if let failure { finished = true; throw failure }
        try limits.check(output: produced, input: upstream.compressedBytesRead, source: name)
        return written
    }
}
