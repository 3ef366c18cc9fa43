/// Bytes with the usual defanging undone, and for each output byte the input span it came from.
struct RefangedText {
    var bytes: [UInt8] = []
    /// Input offset where the token that produced output byte `k` starts.
    var origin: [Int32] = []
    /// Input offset where that token ends.
    var originEnd: [Int32] = []
    /// Whether output byte `k` was rewritten (part of a defang token).
    var changed: [Bool] = []

    mutating func append(_ c: UInt8, from: Int, to: Int, changed isChanged: Bool) {
        bytes.append(c); origin.append(Int32(truncatingIfNeeded: from)); originEnd.append(Int32(truncatingIfNeeded: to))
        changed.append(isChanged)
    }

    /// The input range covering output bytes `range`.
    func inputRange(_ range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else { return 0..<0 }
        return Int(origin[range.lowerBound])..<Int(originEnd[range.upperBound - 1])
    }

    func wasChanged(_ range: Range<Int>) -> Bool {
        for k in range where changed[k] { return true }
        return false
    }
}

/// Undoes the obfuscations analysts and feeds write to keep indicators from being clickable:
/// `hxxp`/`hxxps`/`fxp` schemes, `[.]` `(.)` `{.}` `[dot]` `(dot)`, `[@]` `[at]` `(at)`,
/// `[:]` `[://]` `[/]`, `\.`, and spaces around a dot between two letters or digits (`example . com`).
/// The bracket tokens may carry spaces inside (`[ . ]`) and around (`example [.] com`).
///
/// In `lone` mode (one value, as in an intel list line) also ` dot `/` at ` between words and a
/// dot with a space on one side are refanged; in free text those read as English and are left alone.
enum Refanger {
    /// Whether `b` might hold a defanged indicator (a cheap scan; false means refanging is a no-op).
    static func mightBeDefanged(_ b: Span<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        while i < n {
            // Skip to the next byte worth a closer look, through raw memory (every byte of every
            // line passes here).
            i = b.withUnsafeBufferPointer { p in
                interesting.withUnsafeBufferPointer { t in
                    var k = i
                    while k < n, t[Int(p[k])] == 0 { k += 1 }
                    return k
                }
            }
            guard i < n else { break }
            let c = b[i]
            switch c {
            case 0x5B, 0x28, 0x7B: // [ ( {: only a real token counts (`sshd[123]` is no defang)
                if tokenLength(b, i) != nil { return true }
            case 0x5C: // backslash-dot
                if i + 1 < n, b[i + 1] == 0x2E { return true }
            case 0x2E: // " . " between words
                if i >= 2, i + 2 < n, b[i - 1] == 0x20, b[i + 1] == 0x20, IndicatorSyntax.isAlnum(b[i - 2]), IndicatorSyntax.isAlnum(b[i + 2]) { return true }
            default: // x: hxxp / fxp
                if i >= 1, i + 1 < n {
                    let p = b[i - 1] | 0x20, q = b[i + 1] | 0x20
                    if (p == 0x68 && q == 0x78) || (p == 0x66 && q == 0x70) { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// Bytes ``mightBeDefanged(_:)`` looks at more closely: `[ ( { \ . x X`.
    static let interesting: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in "[({\\.xX".utf8 { t[Int(c)] = 1 }
        return t
    }()

    /// The refanged text, or nil when nothing was rewritten.
    static func refang(_ b: Span<UInt8>, lone: Bool = false) -> RefangedText? {
        guard lone || mightBeDefanged(b) else { return nil }
        var out = RefangedText()
        out.bytes.reserveCapacity(b.count)
        out.origin.reserveCapacity(b.count)
        out.originEnd.reserveCapacity(b.count)
        out.changed.reserveCapacity(b.count)
        var any = false
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            // Schemes: hxxp(s) and fxp at a word start.
            if (c | 0x20 == 0x68 || c | 0x20 == 0x66), i == 0 || !IndicatorSyntax.isAlnum(b[i - 1]) {
                if let (text, len) = schemeToken(b, i) {
                    for (k, t) in text.enumerated() { out.append(t, from: i + min(k, len - 1), to: i + min(k, len - 1) + 1, changed: true) }
                    i += len; any = true
                    continue
                }
            }
            if c == 0x5B || c == 0x28 || c == 0x7B, let (text, len) = bracketToken(b, i) {
                // Drop spaces written around a dot or at token (`example [.] com`).
                if text == [0x2E] || text == [0x40] {
                    while let last = out.bytes.last, last == 0x20, out.bytes.count >= 2, IndicatorSyntax.isAlnum(out.bytes[out.bytes.count - 2]) {
                        out.bytes.removeLast(); out.origin.removeLast(); out.originEnd.removeLast(); out.changed.removeLast()
                    }
                }
                for t in text { out.append(t, from: i, to: i + len, changed: true) }
                i += len; any = true
                if text == [0x2E] || text == [0x40] {
                    var j = i
                    while j < n, b[j] == 0x20 { j += 1 }
                    if j > i, j < n, IndicatorSyntax.isAlnum(b[j]) { i = j }
                }
                continue
            }
            if c == 0x5C, i + 1 < n, b[i + 1] == 0x2E {
                out.append(0x2E, from: i, to: i + 2, changed: true)
                i += 2; any = true
                continue
            }
            if c == 0x20, let (text, len) = spacedToken(b, i, lone: lone) {
                for t in text { out.append(t, from: i, to: i + len, changed: true) }
                i += len; any = true
                continue
            }
            out.append(c, from: i, to: i + 1, changed: false)
            i += 1
        }
        return any ? out : nil
    }

    /// `hxxp`, `hxxps`, `hXXp`, `fxp` followed by `:` or `[` (a scheme), as `http`/`https`/`ftp`.
    private static func schemeToken(_ b: Span<UInt8>, _ i: Int) -> ([UInt8], Int)? {
        let n = b.count
        func at(_ k: Int) -> UInt8 { i + k < n ? b[i + k] | 0x20 : 0 }
        var text: [UInt8]
        var len: Int
        if at(0) == 0x68, at(1) == 0x78, at(2) == 0x78, at(3) == 0x70 {
            if at(4) == 0x73 { text = Array("https".utf8); len = 5 } else { text = Array("http".utf8); len = 4 }
        } else if at(0) == 0x66, at(1) == 0x78, at(2) == 0x70 {
            text = Array("ftp".utf8); len = 3
        } else {
            return nil
        }
        let next = i + len < n ? b[i + len] : 0
        guard next == 0x3A || next == 0x5B || next == 0x28 else { return nil }
        return (text, len)
    }

    /// The replacement kind and length of a bracketed token at `i`, without allocating:
    /// 0 dot, 1 at, 2 colon, 3 `://`, 4 slash.
    static func tokenLength(_ b: Span<UInt8>, _ i: Int) -> (Int, Int)? {
        let open = b[i]
        let close: UInt8 = open == 0x5B ? 0x5D : (open == 0x28 ? 0x29 : 0x7D)
        let n = b.count
        var j = i + 1
        while j < n, j - i <= 8, b[j] == 0x20 { j += 1 }
        let innerStart = j
        while j < n, j - i <= 8, b[j] != close, b[j] != 0x20 { j += 1 }
        let innerEnd = j
        while j < n, j - i <= 8, b[j] == 0x20 { j += 1 }
        guard j < n, b[j] == close, innerEnd > innerStart, innerEnd - innerStart <= 3 else { return nil }
        let len = j + 1 - i
        let c0 = IndicatorSyntax.lower(b[innerStart])
        switch innerEnd - innerStart {
        case 1:
            switch c0 {
            case 0x2E: return (0, len)
            case 0x40: return (1, len)
            case 0x3A: return (2, len)
            case 0x2F: return (4, len)
            default: return nil
            }
        case 2:
            return c0 == 0x61 && IndicatorSyntax.lower(b[innerStart + 1]) == 0x74 ? (1, len) : nil
        default:
            let c1 = IndicatorSyntax.lower(b[innerStart + 1]), c2 = IndicatorSyntax.lower(b[innerStart + 2])
            if c0 == 0x64, c1 == 0x6F, c2 == 0x74 { return (0, len) }
            if c0 == 0x3A, c1 == 0x2F, c2 == 0x2F { return (3, len) }
            return nil
        }
    }

    /// A bracketed token at `i`: `[.]`, `(dot)`, `{@}`, `[at]`, `[:]`, `[://]`, `[/]`, with
    /// optional spaces inside. Returns the replacement and the bytes consumed.
    private static func bracketToken(_ b: Span<UInt8>, _ i: Int) -> ([UInt8], Int)? {
        guard let (kind, len) = tokenLength(b, i) else { return nil }
        switch kind {
        case 0: return ([0x2E], len)
        case 1: return ([0x40], len)
        case 2: return ([0x3A], len)
        case 3: return ([0x3A, 0x2F, 0x2F], len)
        default: return ([0x2F], len)
        }
    }

    /// A space-separated dot: ` . ` between alphanumerics; in lone mode also ` dot `, ` at `,
    /// `. ` and ` .`.
    private static func spacedToken(_ b: Span<UInt8>, _ i: Int, lone: Bool) -> ([UInt8], Int)? {
        let n = b.count
        guard i >= 1, IndicatorSyntax.isAlnum(b[i - 1]) else { return nil }
        var j = i
        while j < n, b[j] == 0x20 { j += 1 }
        if j < n, b[j] == 0x2E {
            var k = j + 1
            while k < n, b[k] == 0x20 { k += 1 }
            guard k > j + 1, k < n, IndicatorSyntax.isAlnum(b[k]) else {
                if lone, k < n, IndicatorSyntax.isAlnum(b[k]) { return ([0x2E], k - i) }
                return nil
            }
            return ([0x2E], k - i)
        }
        guard lone, j + 3 <= n else { return nil }
        let w0 = IndicatorSyntax.lower(b[j]), w1 = IndicatorSyntax.lower(b[j + 1])
        if w0 == 0x64, w1 == 0x6F, j + 3 < n, IndicatorSyntax.lower(b[j + 2]) == 0x74, b[j + 3] == 0x20 {
            var k = j + 4
            while k < n, b[k] == 0x20 { k += 1 }
            if k < n, IndicatorSyntax.isAlnum(b[k]) { return ([0x2E], k - i) }
        }
        if w0 == 0x61, w1 == 0x74, b[j + 2] == 0x20 {
            var k = j + 3
            while k < n, b[k] == 0x20 { k += 1 }
            if k < n, IndicatorSyntax.isAlnum(b[k]) { return ([0x40], k - i) }
        }
        return nil
    }
}
