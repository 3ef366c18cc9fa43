import CZlib
import SpoorCore

extension IndicatorExtractor {
    /// Finds encoded runs in `b`, decodes them and extracts from the decoded text at `depth + 1`.
    func decodeLayers(_ b: Span<UInt8>, depth: Int, budget: inout Int, into out: inout [ExtractedIndicator]) {
        let n = b.count
        var i = 0
        var hasPercent = false, hasEntity = false
        while i < n, budget > 0 {
            // The next run of 16 or more base64 bytes (this scan sees every byte of every line,
            // so it reads through a buffer pointer, without bounds checks).
            guard let run = Self.nextRun(b, from: i, hasPercent: &hasPercent, hasEntity: &hasEntity) else { break }
            i = run.start
            let j = run.end
            let upper = run.upper, lower = run.lower, hexOnly = run.hexOnly
            var e = j
            while e < n, b[e] == 0x3D, e - j < 2 { e += 1 }
            let len = j - i
            // Hex first: a hex run is also valid base64.
            if hexOnly, len % 2 == 0, e == j, j == n || !IndicatorSyntax.isAlnum(b[j]) {
                if let text = Self.decodeHex(b, i..<j), Self.isText(text) {
                    budget -= text.count
                    nested(text, [.hex], i, j, depth: depth, budget: &budget, into: &out)
                }
            } else if len >= options.minimumBase64Length, upper && lower, run.digitOrSign || len >= 40, (len + (e - j)) % 4 != 1, e == n || !IndicatorSyntax.isAlnum(b[e]) {
                if var bytes = Self.decodeBase64(b, i..<j) {
                    budget -= bytes.count
                    var chain: [IndicatorDecoding] = [.base64]
                    if let inflated = inflate(bytes, budget: budget) {
                        chain.append(inflated.1); bytes = inflated.0; budget -= bytes.count
                    }
                    if let utf8 = Self.utf16leToUTF8(bytes) {
                        chain.append(.utf16le); bytes = utf8
                    }
                    if Self.isText(bytes) { nested(bytes, chain, i, e, depth: depth, budget: &budget, into: &out) }
                }
            }
            i = e
        }
        if hasPercent, budget > 0, let m = Self.percentDecode(b) {
            budget -= m.bytes.count
            mapped(m, .url, depth: depth, budget: &budget, into: &out)
        }
        if hasEntity, budget > 0, let m = Self.htmlDecode(b) {
            budget -= m.bytes.count
            mapped(m, .html, depth: depth, budget: &budget, into: &out)
        }
    }

    struct Run { var start: Int, end: Int, upper: Bool, lower: Bool, hexOnly: Bool, digitOrSign: Bool }

    /// The next run of at least 16 base64 bytes at or after `from` that is not glued to `-` or
    /// `_` (an identifier); notes `%XX` and `&#`/`&name` on the way.
    static func nextRun(_ b: Span<UInt8>, from: Int, hasPercent: inout Bool, hasEntity: inout Bool) -> Run? {
        b.withUnsafeBufferPointer { p -> Run? in
            base64Value.withUnsafeBufferPointer { table -> Run? in
                let n = p.count
                var i = from
                while i < n {
                    let c = p[i]
                    if table[Int(c)] < 0 {
                        if c == 0x25, i + 2 < n, IndicatorSyntax.isHex(p[i + 1]), IndicatorSyntax.isHex(p[i + 2]) { hasPercent = true }
                        if c == 0x26, i + 2 < n, p[i + 1] == 0x23 || IndicatorSyntax.isAlpha(p[i + 1]) { hasEntity = true }
                        i += 1
                        continue
                    }
                    let glued = i > 0 && (p[i - 1] == 0x2D || p[i - 1] == 0x5F)
                    var j = i
                    var upper = false, lower = false, hexOnly = true, digitOrSign = false
                    while j < n {
                        let d = p[j]
                        guard table[Int(d)] >= 0 else { break }
                        if d &- 65 < 26 { upper = true } else if d &- 97 < 26 { lower = true } else { digitOrSign = true }
                        if hexOnly, !IndicatorSyntax.isHex(d) { hexOnly = false }
                        j += 1
                    }
                    if !glued, j - i >= 16 {
                        return Run(start: i, end: j, upper: upper, lower: lower, hexOnly: hexOnly, digitOrSign: digitOrSign)
                    }
                    i = j
                }
                return nil
            }
        }
    }

    /// Extracts from `text` (decoded from `b[start..<end]`) and reports each find at that span.
    func nested(_ text: [UInt8], _ chain: [IndicatorDecoding], _ start: Int, _ end: Int, depth: Int, budget: inout Int,
                into out: inout [ExtractedIndicator]) {
        guard budget >= 0 else { return }
        var inner: [ExtractedIndicator] = []
        text.withUnsafeBufferPointer { extract(Span(_unsafeElements: $0), depth: depth + 1, budget: &budget, into: &inner) }
        for var x in inner {
            x.start = start; x.end = end
            x.decoding = chain + x.decoding
            out.append(x)
        }
    }

    /// Extracts from an escape-decoded copy; keeps only finds that cover a decoded escape.
    func mapped(_ m: RefangedText, _ layer: IndicatorDecoding, depth: Int, budget: inout Int, into out: inout [ExtractedIndicator]) {
        var inner: [ExtractedIndicator] = []
        m.bytes.withUnsafeBufferPointer { extract(Span(_unsafeElements: $0), depth: depth + 1, budget: &budget, into: &inner) }
        let written = out
        for var x in inner {
            let r = m.inputRange(x.start..<x.end)
            // The decoded form of something found as written (a URL with escapes) is no new find.
            if written.contains(where: { $0.indicator.kind == x.indicator.kind && $0.start <= r.lowerBound && r.upperBound <= $0.end }) { continue }
            x.start = r.lowerBound; x.end = r.upperBound
            x.decoding = [layer] + x.decoding
            out.append(x)
        }
    }

    // MARK: Decoders

    /// Standard (`+/`) and URL-safe (`-_`) alphabets (RFC 4648 §4, §5); -1 for other bytes.
    static let base64Value: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    static func decodeBase64(_ b: Span<UInt8>, _ r: Range<Int>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(r.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0
        for i in r {
            let v = base64Value[Int(b[i])]
            guard v >= 0 else { return nil }
            acc = acc << 6 | UInt32(v); bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits))) }
        }
        return out.isEmpty ? nil : out
    }

    static func decodeHex(_ b: Span<UInt8>, _ r: Range<Int>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(r.count / 2)
        var i = r.lowerBound
        while i + 1 < r.upperBound {
            guard let h = Bytes.hexValue(b[i]), let l = Bytes.hexValue(b[i + 1]) else { return nil }
            out.append(h << 4 | l); i += 2
        }
        return out
    }

    /// Whether `bytes` read as text: at least 8 bytes, at least 90% printable ASCII, tab, CR, LF,
    /// or bytes of valid multi-byte UTF-8. Random bytes (a hash, a key, compressed data) fail.
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8 else { return false }
        var good = 0
        for c in bytes where (c >= 0x20 && c < 0x7F) || c == 0x09 || c == 0x0A || c == 0x0D || c >= 0xC2 && c < 0xF5 { good += 1 }
        // Continuation bytes of UTF-8 count as good when their lead byte did.
        var cont = 0
        for c in bytes where c >= 0x80 && c < 0xC0 { cont += 1 }
        return (good + min(cont, good)) * 10 >= bytes.count * 9
    }

    /// UTF-16LE text as UTF-8, when at least 75% of the code units have a zero high byte
    /// (ASCII-heavy text such as PowerShell); nil otherwise.
    static func utf16leToUTF8(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 8 else { return nil }
        let units = bytes.count / 2
        var zeroHigh = 0
        for k in 0..<units where bytes[2 * k + 1] == 0 && bytes[2 * k] != 0 { zeroHigh += 1 }
        guard zeroHigh * 4 >= units * 3 else { return nil }
        var scalars = String.UnicodeScalarView()
        var it = (0..<units).lazy.map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: break loop
            case .error: scalars.append("\u{FFFD}")
            }
        }
        return Array(String(scalars).utf8)
    }

    /// gzip (magic 1f 8b) or zlib (RFC 1950 header) data, inflated up to `budget` bytes; raw
    /// deflate (PowerShell's `DeflateStream`) is tried last when the bytes are not text.
    func inflate(_ bytes: [UInt8], budget: Int) -> ([UInt8], IndicatorDecoding)? {
        guard bytes.count >= 4, budget > 0 else { return nil }
        if bytes[0] == 0x1F, bytes[1] == 0x8B {
            return Self.zlibInflate(bytes, windowBits: 15 + 16, limit: budget).map { ($0, .gzip) }
        }
        if bytes[0] & 0x0F == 8, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 {
            if let r = Self.zlibInflate(bytes, windowBits: 15, limit: budget) { return (r, .deflate) }
        }
        guard !Self.isText(bytes) else { return nil }
        guard let raw = Self.zlibInflate(bytes, windowBits: -15, limit: budget), Self.isText(raw) || Self.utf16leToUTF8(raw) != nil else { return nil }
        return (raw, .deflate)
    }

    /// Inflates with zlib; nil on any error or when the output would pass `limit` bytes.
    static func zlibInflate(_ input: [UInt8], windowBits: Int32, limit: Int) -> [UInt8]? {
        var z = z_stream()
        guard inflateInit2_(&z, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var input = input
        return input.withUnsafeMutableBufferPointer { inBuf -> [UInt8]? in
            z.next_in = inBuf.baseAddress
            z.avail_in = UInt32(inBuf.count)
            while true {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
                    z.next_out = outBuf.baseAddress
                    z.avail_out = UInt32(outBuf.count)
                    let rc = CZlib.inflate(&z, Z_NO_FLUSH)
                    return (rc, outBuf.count - Int(z.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                guard out.count <= limit else { return nil }
                if rc == Z_STREAM_END { return out.isEmpty ? nil : out }
                guard rc == Z_OK, produced > 0 || z.avail_in > 0 else { return out.isEmpty ? nil : out }
            }
        }
    }

    /// `%XX` escapes decoded (RFC 3986 §2.1), with each output byte's source span.
    static func percentDecode(_ b: Span<UInt8>) -> RefangedText? {
        var m = RefangedText()
        m.bytes.reserveCapacity(b.count)
        var i = 0, any = false
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = Bytes.hexValue(b[i + 1]), let l = Bytes.hexValue(b[i + 2]) {
                m.append(h << 4 | l, from: i, to: i + 3, changed: true); i += 3; any = true
            } else {
                m.append(b[i], from: i, to: i + 1, changed: false); i += 1
            }
        }
        return any ? m : nil
    }

    /// HTML character references decoded: `&#NN;`, `&#xHH;` (ASCII only) and the five XML
    /// entities; with each output byte's source span.
    static func htmlDecode(_ b: Span<UInt8>) -> RefangedText? {
        let named: [([UInt8], UInt8)] = [(Array("amp;".utf8), 0x26), (Array("lt;".utf8), 0x3C), (Array("gt;".utf8), 0x3E),
                                        (Array("quot;".utf8), 0x22), (Array("apos;".utf8), 0x27)]
        var m = RefangedText()
        var i = 0, any = false
        let n = b.count
        outer: while i < n {
            if b[i] == 0x26, i + 3 < n {
                if b[i + 1] == 0x23 {
                    var j = i + 2
                    let hex = j < n && b[j] | 0x20 == 0x78
                    if hex { j += 1 }
                    var v = 0
                    let d0 = j
                    while j < n, j - d0 < 6, let d = Bytes.hexValue(b[j]), hex || d < 10 { v = v * (hex ? 16 : 10) + Int(d); j += 1 }
                    if j > d0, j < n, b[j] == 0x3B, v > 0, v < 0x80 {
                        m.append(UInt8(v), from: i, to: j + 1, changed: true); i = j + 1; any = true
                        continue
                    }
                } else {
                    for (name, value) in named where i + name.count < n {
                        var ok = true
                        for (k, c) in name.enumerated() where b[i + 1 + k] != c { ok = false; break }
                        if ok { m.append(value, from: i, to: i + 1 + name.count, changed: true); i += 1 + name.count; any = true; continue outer }
                    }
                }
            }
            m.append(b[i], from: i, to: i + 1, changed: false); i += 1
        }
        return any ? m : nil
    }
}
