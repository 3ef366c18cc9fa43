import CZlib
import SpoorCore

/// Inflates gzip (RFC 1952, several members concatenated too), zlib or raw deflate data.
public final class InflateStream: ByteStream {
    public enum Wrapper: Sendable { case gzipOrZlib, raw }

    private let upstream: ByteStream
    private var z = z_stream()
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var upstreamDone = false
    private var finished = false
    private var produced = 0
    private let limits: DecompressionLimits
    private let wrapper: Wrapper
    private var initialized = false

    public init(_ upstream: ByteStream, wrapper: Wrapper = .gzipOrZlib, limits: DecompressionLimits) throws(IngestError) {
        self.upstream = upstream
        self.limits = limits
        self.wrapper = wrapper
        super.init(name: upstream.name)
        try reset()
    }

    deinit { if initialized { inflateEnd(&z) } }

    public override var compressedBytesRead: Int { upstream.compressedBytesRead }

    private func reset() throws(IngestError) {
        if initialized { inflateEnd(&z) }
        z = z_stream()
        // 15 + 32: a gzip or zlib header, detected; -15: raw deflate (zip members).
        let bits: Int32 = wrapper == .raw ? -15 : 15 + 32
        let rc = inflateInit2_(&z, bits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw IngestError(.corruptArchive, source: name, "zlib initialisation failed (\(rc))") }
        initialized = true
    }

    private func refill() throws(IngestError) {
        if inputPosition >= input.count {
            input.removeAll(keepingCapacity: true)
            inputPosition = 0
            if !upstreamDone, try upstream.read(into: &input, maximum: 256 << 10) == 0 { upstreamDone = true }
        }
    }

    public override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        guard !finished, maximum > 0 else { return 0 }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: maximum))
        var written = 0
        var failure: IngestError? = nil
        while written == 0 {
            do { try refill() } catch { failure = error; break }
            let available = input.count - inputPosition
            if available == 0 && upstreamDone {
                if z.total_in > 0 || produced > 0 {
                    // The stream ended without its trailer.
                    if !streamEndSeen {
                        failure = IngestError(.truncatedArchive, source: name, at: produced,
                                              "compressed stream ends early (truncated file)")
                    }
                }
                finished = true
                break
            }
            var rc: Int32 = Z_OK
            input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    z.next_in = inBuf.baseAddress.map { $0 + inputPosition }
                    z.avail_in = UInt32(available)
                    z.next_out = outBuf.baseAddress.map { $0 + old + written }
                    z.avail_out = UInt32(maximum - written)
                    rc = inflate(&z, Z_NO_FLUSH)
                    let consumed = available - Int(z.avail_in)
                    inputPosition += consumed
                    written = maximum - Int(z.avail_out)
                }
            }
            streamEndSeen = false
            if rc == Z_STREAM_END {
                streamEndSeen = true
                // Another gzip member may follow (concatenated .gz files, bgzip).
                try? refill()
                if wrapper == .gzipOrZlib, inputPosition < input.count {
                    do { try reset() } catch { failure = error; break }
                    streamEndSeen = false
                } else if inputPosition >= input.count && upstreamDone {
                    finished = true
                    break
                } else if wrapper == .raw {
                    finished = true
                    break
                }
            } else if rc == Z_BUF_ERROR {
                if available == 0 && upstreamDone { continue }
            } else if rc != Z_OK {
                failure = IngestError(.corruptArchive, source: name, at: produced, "corrupt compressed data (zlib \(rc))")
                break
            }
        }
        buffer.removeLast(maximum - written)
        produced += written
        if let failure { finished = true; throw failure }
        try limits.check(output: produced, input: upstream.compressedBytesRead, source: name)
        return written
    }

    private var streamEndSeen = false
}
