import SpoorCore

/// The shared loop of the decompressors: feeds input from an upstream stream to a codec,
/// detects a truncated stream, and enforces ``DecompressionLimits``.
///
/// A subclass implements ``code(_:_:finish:)`` (one call of its library: zlib's `inflate`,
/// `BZ2_bzDecompress`, liblzma's `lzma_code`) and, for formats whose files may hold several
/// streams back to back (gzip members, bzip2 streams), ``startNextStream()``.
public class CodecStream: ByteStream {
    enum Result { case ok, streamEnd, bufferError, failed(String) }

    let upstream: ByteStream
    let limits: DecompressionLimits
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var upstreamDone = false
    private var finished = false
    private var atStreamEnd = false
    private var produced = 0

    init(upstream: ByteStream, limits: DecompressionLimits) {
        self.upstream = upstream
        self.limits = limits
        super.init(name: upstream.name)
    }

    public override var compressedBytesRead: Int { upstream.compressedBytesRead }

    /// The format's name in error messages (`gzip`, `bzip2`, `xz`).
    var formatName: String { "compressed" }

    /// Whether the codec must be called once more with no input at the end (liblzma's `LZMA_FINISH`).
    var needsFinishCall: Bool { false }

    /// Decodes from `input` into `output`; returns bytes consumed and produced.
    func code(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, finish: Bool) -> (Int, Int, Result) {
        (0, 0, .failed("no codec"))
    }

    /// Prepares for another stream after the end of one; false when the format has none.
    func startNextStream() throws(IngestError) -> Bool { false }

    public override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        guard !finished, maximum > 0 else { return 0 }
        let old = buffer.count
        buffer.append(contentsOf: [UInt8](repeating: 0, count: maximum))   // one memset (repeatElement iterates in debug builds)
        var written = 0
        var failure: IngestError? = nil
        loop: while written == 0 {
            if inputPosition >= input.count && !upstreamDone {
                input.removeAll(keepingCapacity: true)
                inputPosition = 0
                do {
                    if try upstream.read(into: &input, maximum: 256 << 10) == 0 { upstreamDone = true }
                } catch {
                    failure = error
                    break
                }
            }
            let available = input.count - inputPosition
            if atStreamEnd {
                if available > 0 {
                    do {
                        guard try startNextStream() else { finished = true; break loop }
                    } catch {
                        failure = error
                        break
                    }
                    atStreamEnd = false
                } else if upstreamDone {
                    finished = true
                    break
                } else {
                    continue
                }
            }
            if available == 0 && upstreamDone && !needsFinishCall {
                failure = truncated()
                break
            }
            let (consumed, made, result) = input.withUnsafeBufferPointer { inBuf in
                buffer.withUnsafeMutableBufferPointer { outBuf in
                    code(UnsafeBufferPointer(rebasing: inBuf[inputPosition...]),
                         UnsafeMutableBufferPointer(rebasing: outBuf[(old + written)...]), finish: upstreamDone)
                }
            }
            inputPosition += consumed
            written += made
            switch result {
            case .ok:
                if consumed == 0 && made == 0 && available == 0 && upstreamDone { failure = truncated() }
            case .streamEnd:
                atStreamEnd = true
                if needsFinishCall { finished = true }
            case .bufferError:
                if upstreamDone && available - consumed == 0 && made == 0 { failure = truncated() }
            case .failed(let message):
                failure = IngestError(.corruptArchive, source: name, at: produced + written, "corrupt \(formatName) data (\(message))")
            }
            if failure != nil || finished { break }
        }
        buffer.removeLast(maximum - written)
        produced += written
        if let failure { finished = true; throw failure }
        try limits.check(output: produced, input: upstream.compressedBytesRead, source: name)
        return written
    }

    private func truncated() -> IngestError {
        IngestError(.truncatedArchive, source: name, at: produced, "\(formatName) stream ends early (truncated file)")
    }
}
