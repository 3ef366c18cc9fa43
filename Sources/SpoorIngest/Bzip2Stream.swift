import CBzip2
import SpoorCore

/// Decompresses bzip2 data (several concatenated streams too, as pbzip2 writes).
public final class Bzip2Stream: ByteStream {
    private let upstream: ByteStream
    private var bz = bz_stream()
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var upstreamDone = false
    private var finished = false
    private var produced = 0
    private var initialized = false
    private var atStreamEnd = false
    private let limits: DecompressionLimits

    public init(_ upstream: ByteStream, limits: DecompressionLimits) throws(IngestError) {
        self.upstream = upstream
        self.limits = limits
        super.init(name: upstream.name)
        try reset()
    }

    deinit { if initialized { BZ2_bzDecompressEnd(&bz) } }

    public override var compressedBytesRead: Int { upstream.compressedBytesRead }

    private func reset() throws(IngestError) {
        if initialized { BZ2_bzDecompressEnd(&bz) }
        bz = bz_stream()
        guard BZ2_bzDecompressInit(&bz, 0, 0) == BZ_OK else {
            throw IngestError(.corruptArchive, source: name, "bzip2 initialisation failed")
        }
        initialized = true
    }

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
            if available == 0 && upstreamDone {
                if !atStreamEnd {
                    failure = IngestError(.truncatedArchive, source: name, at: produced, "bzip2 stream ends early (truncated file)")
                }
                finished = true
                break
            }
            if atStreamEnd {
                // More bytes after a finished stream: another bzip2 stream.
                do { try reset() } catch { failure = error; break }
                atStreamEnd = false
            }
            var rc: Int32 = BZ_OK
            input.withUnsafeMutableBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    inBuf.withMemoryRebound(to: CChar.self) { inChars in
                        outBuf.withMemoryRebound(to: CChar.self) { outChars in
                            bz.next_in = inChars.baseAddress.map { $0 + inputPosition }
                            bz.avail_in = UInt32(available)
                            bz.next_out = outChars.baseAddress.map { $0 + old + written }
                            bz.avail_out = UInt32(maximum - written)
                            rc = BZ2_bzDecompress(&bz)
                            inputPosition += available - Int(bz.avail_in)
                            written = maximum - Int(bz.avail_out)
                        }
                    }
                }
            }
            if rc == BZ_STREAM_END {
                atStreamEnd = true
            } else if rc != BZ_OK {
                failure = IngestError(.corruptArchive, source: name, at: produced, "corrupt bzip2 data (\(rc))")
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
