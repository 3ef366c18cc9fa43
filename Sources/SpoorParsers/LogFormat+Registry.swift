import SpoorCore

extension LogFormat {
    /// Every built-in format, in the order ties are broken when sniffing.
    ///
    /// Add a format by adding its `static let` in its own file and listing it here.
    public static let builtIn: [LogFormat] = [
        .syslog, .journaldJSON,
        .zeekTSV, .zeekJSON,
        .accessCombined,
        .w3cExtended,
        .windowsEVTXJSON, .windowsFlatJSON, .winlogbeatJSON, .getWinEventJSON,
        .jsonLines,
        .csv,
        .tsv,
    ]

    /// The built-in format named `name` (the `text` fallback included).
    public static func named(_ name: String, among formats: [LogFormat] = builtIn) -> LogFormat? {
        (formats + [plainText]).first { $0.name == name }
    }

    /// The best-scoring format for a sample, with its score; nil when nothing scores above
    /// `threshold`.
    public static func recognise(_ sample: SampleLines, among formats: [LogFormat] = builtIn,
                                 threshold: Int = 50) -> (format: LogFormat, score: Int)? {
        var best: (LogFormat, Int)? = nil
        for f in formats {
            let s = f.sniff(sample)
            if s > threshold, s > (best?.1 ?? 0) { best = (f, s) }
        }
        return best.map { (format: $0.0, score: $0.1) }
    }
}
