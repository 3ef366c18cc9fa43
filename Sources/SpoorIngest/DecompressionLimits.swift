/// Bounds on decompression, so a zip bomb ends one source with a clear error instead of
/// filling memory or disk.
public struct DecompressionLimits: Sendable, Hashable, Codable {
    /// The largest output/input ratio allowed once ``ratioFloor`` bytes have been produced.
    /// Text logs compress 5–20× with gzip and up to ~100× when very repetitive; bombs reach
    /// 1,000× and more (42.zip: about 4.5 PB from 42 KB).
    public var maximumRatio: Int
    /// Output below this size is never refused on ratio alone (small, repetitive files).
    public var ratioFloor: Int
    /// The largest decompressed size of one source.
    public var maximumOutput: Int

    public init(maximumRatio: Int = 250, ratioFloor: Int = 64 << 20, maximumOutput: Int = 64 << 30) {
        self.maximumRatio = maximumRatio
        self.ratioFloor = ratioFloor
        self.maximumOutput = maximumOutput
    }

    func check(output: Int, input: Int, source: String) throws(IngestError) {
        if output > maximumOutput {
            throw IngestError(.decompressionLimit, source: source, at: output,
                              "decompressed size exceeds \(maximumOutput) bytes")
        }
        if output > ratioFloor, output / max(input, 1) > maximumRatio {
            throw IngestError(.decompressionLimit, source: source, at: output,
                              "decompression ratio above \(maximumRatio):1 (a decompression bomb?)")
        }
    }
}
