/// What ``IndicatorExtractor`` looks for and how far it decodes.
public struct ExtractionOptions: Sendable {
    /// The kinds reported (default: all).
    public var kinds: Set<IndicatorKind>
    /// How many layers of encoding are peeled (base64 → gzip → text is two). 0 turns decoding off.
    public var maximumDecodingDepth: Int
    /// The most bytes decoding may produce for one call of `extract`, all layers together
    /// (a gzip bomb stops here).
    public var maximumDecodedBytes: Int
    /// Decode base64 (and PowerShell's UTF-16LE inside it), hex, URL and HTML escapes, and
    /// gzip/zlib/raw deflate inside base64, and extract from the decoded text.
    public var decode: Bool
    /// Undo defanging (`hxxp`, `[.]`, …) before extracting.
    public var refang: Bool
    /// Also report the host of each URL (a domain or an IP address) and the domain of each
    /// e-mail address on its own, and domains written inside URL paths and queries (as
    /// ioc-finder does by default).
    public var includeParts: Bool
    /// Longer input is read up to this many bytes only.
    public var maximumInputBytes: Int
    /// The shortest base64 run that is decoded (shorter runs are mostly words and ids).
    public var minimumBase64Length: Int

    public init(kinds: Set<IndicatorKind> = Set(IndicatorKind.allCases), maximumDecodingDepth: Int = 3,
                maximumDecodedBytes: Int = 1 << 20, decode: Bool = true, refang: Bool = true,
                includeParts: Bool = true, maximumInputBytes: Int = 1 << 20, minimumBase64Length: Int = 20) {
        self.kinds = kinds
        self.maximumDecodingDepth = maximumDecodingDepth
        self.maximumDecodedBytes = maximumDecodedBytes
        self.decode = decode
        self.refang = refang
        self.includeParts = includeParts
        self.maximumInputBytes = maximumInputBytes
        self.minimumBase64Length = minimumBase64Length
    }
}

/// One layer of encoding an indicator was found under.
public enum IndicatorDecoding: String, Sendable, Hashable, Codable, CaseIterable {
    case base64
    /// UTF-16LE text (PowerShell's `-EncodedCommand` is base64 of UTF-16LE).
    case utf16le
    case hex
    /// Percent-escapes (RFC 3986 §2.1).
    case url
    /// HTML character references (`&amp;`, `&#46;`, `&#x2e;`).
    case html
    case gzip
    /// zlib-wrapped (RFC 1950) or raw (RFC 1951) deflate.
    case deflate
}

/// An indicator found in text, with where and how it was found.
public struct ExtractedIndicator: Sendable, Hashable {
    public var indicator: Indicator
    /// Byte offsets in the input. For a find inside decoded text: the encoded span it came from.
    public var start: Int
    public var end: Int
    /// The encodings peeled to find it, outermost first (`[.base64, .utf16le]`); empty when it
    /// was found as written.
    public var decoding: [IndicatorDecoding]
    /// Whether it was written defanged (`hxxp`, `[.]`, …) and refanged to be found.
    public var wasDefanged: Bool

    public init(indicator: Indicator, start: Int, end: Int, decoding: [IndicatorDecoding] = [], wasDefanged: Bool = false) {
        self.indicator = indicator
        self.start = start
        self.end = end
        self.decoding = decoding
        self.wasDefanged = wasDefanged
    }
}
