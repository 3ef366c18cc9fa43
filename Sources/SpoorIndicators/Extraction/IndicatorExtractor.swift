import SpoorCore

/// Finds indicators in free text: any bytes in, never a crash, no regex.
///
/// One pass over the bytes with a byte-class table: a candidate starts only where a word starts
/// (the byte before is not a letter, digit, `_`, `-` or `.`), and each candidate is read to its
/// end once and checked by a cheap validator (``IndicatorSyntax`` and friends). Strings are made
/// only for accepted indicators. Defanged text (`hxxp`, `[.]`, …) is refanged into a copy first,
/// only when a cheap scan sees a defang marker. Encoded runs (base64, hex, URL and HTML escapes,
/// gzip/deflate inside base64) are decoded, recursively up to
/// ``ExtractionOptions/maximumDecodingDepth``, and the indicators found inside carry the chain.
///
/// The rules, and each deliberate difference from iocextract and ioc-finder, are in
/// `Docs/Indicators.md`.
///
/// ```swift
/// let found = IndicatorExtractor().extract("beacon to hxxp://evil[.]example[.]com/a from 10.0.0.5")
/// // url http://evil.example.com/a (wasDefanged), domain evil.example.com, ipv4 10.0.0.5
/// ```
///
/// - Complexity: O(*n*) in the input bytes for the scan; decoding adds at most
///   ``ExtractionOptions/maximumDecodedBytes`` per call.
public struct IndicatorExtractor: Sendable {
    public let options: ExtractionOptions
    let kindMask: UInt32
    let psl: PublicSuffixList

    public init(options: ExtractionOptions = .init()) {
        self.options = options
        var mask: UInt32 = 0
        for k in options.kinds { mask |= Self.bit(k) }
        kindMask = mask
        psl = .shared
    }

    @inline(__always) static func bit(_ k: IndicatorKind) -> UInt32 {
        switch k {
        case .ipv4: 1 << 0
        case .ipv6: 1 << 1
        case .domain: 1 << 2
        case .url: 1 << 3
        case .email: 1 << 4
        case .md5: 1 << 5
        case .sha1: 1 << 6
        case .sha256: 1 << 7
        case .sha512: 1 << 8
        case .windowsPath: 1 << 9
        case .unixPath: 1 << 10
        case .registryKey: 1 << 11
        case .cve: 1 << 12
        case .asn: 1 << 13
        case .cryptoAddress: 1 << 14
        case .userAccount: 1 << 15
        case .credential: 1 << 16
        }
    }

    @inline(__always) func wants(_ k: IndicatorKind) -> Bool { kindMask & Self.bit(k) != 0 }

    /// The indicators in `text`, in order of their start offset (ties: longer first).
    public func extract(_ text: Span<UInt8>) -> [ExtractedIndicator] {
        var out: [ExtractedIndicator] = []
        var budget = options.maximumDecodedBytes
        extract(text, depth: 0, budget: &budget, into: &out)
        return out
    }

    /// The indicators in `text`; offsets are UTF-8 byte offsets.
    public func extract(_ text: String) -> [ExtractedIndicator] {
        var copy = text
        return copy.withUTF8 { extract(Span(_unsafeElements: $0)) }
    }

    /// Extraction at one decoding depth; appends to `out`.
    func extract(_ whole: Span<UInt8>, depth: Int, budget: inout Int, into out: inout [ExtractedIndicator]) {
        let text = whole.count > options.maximumInputBytes ? whole.extracting(0..<options.maximumInputBytes) : whole
        let first = out.count
        var decodedFrom = Int.max
        if options.refang, let refanged = Refanger.refang(text) {
            var local: [Found] = []
            refanged.bytes.withUnsafeBufferPointer { buf in
                scan(Span(_unsafeElements: buf), into: &local)
            }
            for f in local {
                let r = refanged.inputRange(f.start..<f.end)
                out.append(ExtractedIndicator(indicator: f.indicator, start: r.lowerBound, end: r.upperBound,
                                              wasDefanged: refanged.wasChanged(f.start..<f.end)))
            }
            if options.decode, depth < options.maximumDecodingDepth {
                refanged.bytes.withUnsafeBufferPointer { buf in
                    var decoded: [ExtractedIndicator] = []
                    decodedFrom = out.count
                    decodeLayers(Span(_unsafeElements: buf), depth: depth, budget: &budget, into: &decoded)
                    for var d in decoded {
                        let r = refanged.inputRange(d.start..<d.end)
                        d.start = r.lowerBound; d.end = r.upperBound
                        out.append(d)
                    }
                }
            }
        } else {
            var local: [Found] = []
            scan(text, into: &local)
            for f in local { out.append(ExtractedIndicator(indicator: f.indicator, start: f.start, end: f.end)) }
            if options.decode, depth < options.maximumDecodingDepth {
                decodedFrom = out.count
                decodeLayers(text, depth: depth, budget: &budget, into: &out)
            }
        }
        if out.count > decodedFrom { dedupe(&out, from: first) }
    }

    /// Drops repeats of one indicator at one span (a URL-decoded copy finds what the text
    /// already showed) and sorts by start.
    func dedupe(_ out: inout [ExtractedIndicator], from first: Int) {
        var tail = Array(out[first...])
        tail.sort { a, b in a.start != b.start ? a.start < b.start : (a.end != b.end ? a.end > b.end : a.decoding.count < b.decoding.count) }
        var kept: [ExtractedIndicator] = []
        kept.reserveCapacity(tail.count)
        // The furthest end of each indicator kept so far: a later copy starting before it overlaps.
        var reach: [Indicator: Int] = [:]
        for x in tail {
            if let e = reach[x.indicator], x.start < e { continue }
            reach[x.indicator] = max(reach[x.indicator] ?? 0, x.end)
            kept.append(x)
        }
        out.removeSubrange(first...)
        out.append(contentsOf: kept)
    }
}

/// An accepted candidate before it becomes an ``ExtractedIndicator``.
struct Found {
    var indicator: Indicator
    var start: Int
    var end: Int
}
