import CBzip2
import SpoorCore

/// Decompresses bzip2 data (several concatenated streams too, as pbzip2 writes).
public final class Bzip2Stream: CodecStream {
    private var bz = bz_stream()
    private var initialized = false

    public init(_ upstream: ByteStream, limits: DecompressionLimits) throws(IngestError) {
        super.init(upstream: upstream, limits: limits)
        _ = try startNextStream()
    }

    deinit { if initialized { BZ2_bzDecompressEnd(&bz) } }

    override var formatName: String { "bzip2" }

    override func startNextStream() throws(IngestError) -> Bool {
        if initialized { BZ2_bzDecompressEnd(&bz) }
        bz = bz_stream()
        guard BZ2_bzDecompressInit(&bz, 0, 0) == BZ_OK else {
            throw IngestError(.corruptArchive, source: name, "bzip2 initialisation failed")
        }
        initialized = true
        return true
    }

    override func code(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, finish: Bool) -> (Int, Int, Result) {
        var rc: Int32 = BZ_OK
        input.withMemoryRebound(to: CChar.self) { inChars in
            output.withMemoryRebound(to: CChar.self) { outChars in
                bz.next_in = UnsafeMutablePointer(mutating: inChars.baseAddress)
                bz.avail_in = UInt32(inChars.count)
                bz.next_out = outChars.baseAddress
                bz.avail_out = UInt32(outChars.count)
                rc = BZ2_bzDecompress(&bz)
            }
        }
        let consumed = input.count - Int(bz.avail_in), made = output.count - Int(bz.avail_out)
        switch rc {
        case BZ_OK: return (consumed, made, .ok)
        case BZ_STREAM_END: return (consumed, made, .streamEnd)
        default: return (consumed, made, .failed("bzip2 \(rc)"))
        }
    }
}
