import SpoorCore

extension IndicatorExtractor {
    /// Byte classes: bit 0 a word byte (letter, digit, `_`, `-`, `.`), bit 1 a byte a candidate
    /// may start with (letters, digits, `_`, and the path, registry and IPv6 openers `\ / ~ % < :`).
    static let byteClass: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = 3 }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = 3; t[Int(c - 32)] = 3 }
        t[Int(UInt8(ascii: "_"))] = 3
        t[Int(UInt8(ascii: "-"))] = 1
        t[Int(UInt8(ascii: "."))] = 1
        for c in "\\/~%<:".utf8 { t[Int(c)] = 2 }
        return t
    }()

    /// Two-label names whose last label is a TLD that is also a common file extension
    /// (`setup.py`, `run.sh`, `Makefile.am`, `config.h.in`, `libc.so`, `readme.md`, `a.zip`).
    /// In free text, outside a URL host or an e-mail address, such a name is read as a file
    /// name. Evidence: Docs/Indicators.md (loghub file names; ioc-finder reports `abc.py`).
    static let fileExtensionTLDs: Set<String> = [
        "ac", "ai", "am", "app", "cat", "cc", "in", "md", "mk", "ml", "mo", "mov", "pl", "pm", "ps", "py", "rs", "sh", "so", "zip",
    ]

    /// Words that, followed by `=` or `:`, introduce a secret or a user name in a command line
    /// or key-value log (`password=…`, `/user:…`).
    static let secretWords: [[UInt8]] = ["password", "passwd", "pwd", "pass", "secret"].map { Array($0.utf8) }
    static let userWords: [[UInt8]] = ["user", "username", "login", "userid", "uid"].map { Array($0.utf8) }

    /// Scans `b` once and appends every accepted candidate.
    func scan(_ b: Span<UInt8>, into found: inout [Found]) {
        let n = b.count
        var i = 0
        var urlEnd = -1
        var creds = CredentialState()
        Self.byteClass.withUnsafeBufferPointer { table in
            var prevIsWord = false
            while i < n {
                let cls = table[Int(b[i])]
                if cls & 2 == 0 || prevIsWord {
                    // The dashes of a command-line option (`--password=`, `-enc`) do not make
                    // what follows the middle of a word.
                    prevIsWord = cls & 1 != 0 && !(b[i] == 0x2D && !prevIsWord)
                    i += 1
                    continue
                }
                let e = candidate(b, i, urlEnd: &urlEnd, creds: &creds, found: &found)
                if e > i {
                    i = e
                    prevIsWord = table[Int(b[i - 1])] & 1 != 0
                } else {
                    prevIsWord = cls & 1 != 0
                    i += 1
                }
            }
        }
        if creds.secret != nil, wants(.credential) || wants(.userAccount) { emitCredential(b, creds, &found) }
    }

    /// Reads the candidate starting at `s`; returns where scanning resumes (≤ `s` for "nothing here").
    func candidate(_ b: Span<UInt8>, _ s: Int, urlEnd: inout Int, creds: inout CredentialState, found: inout [Found]) -> Int {
        let n = b.count
        let c = b[s]
        let inURL = s < urlEnd
        // Registry keys (`HKLM\…`, `<HKCU>\…`, `\REGISTRY\MACHINE\…`).
        if !inURL, c | 0x20 == 0x68 || c == 0x3C || c == 0x5C, let (long, slash) = PathSyntax.hive(b, s, n) {
            if let e = PathSyntax.pathEnd(b, slash + 1, n, sep: 0x5C), e > slash + 1 {
                if wants(.registryKey) {
                    found.append(Found(indicator: Indicator(kind: .registryKey, value: long + ascii(b, slash..<e)), start: s, end: e))
                }
                return e
            }
        }
        // Windows paths (`C:\…`, `\\host\share\…`, `%APPDATA%\…`).
        if !inURL, IndicatorSyntax.isAlpha(c) || c == 0x5C || c == 0x25, let p = PathSyntax.windowsPrefix(b, s, n) {
            if let e = PathSyntax.pathEnd(b, s + p, n, sep: 0x5C), e > s + p {
                if wants(.windowsPath) { found.append(Found(indicator: Indicator(kind: .windowsPath, value: ascii(b, s..<e)), start: s, end: e)) }
                return e
            }
        }
        // Unix paths under a known root, or `~/…`.
        if c == 0x2F || c == 0x7E {
            guard !inURL, s == 0 || b[s - 1] != 0x3A && b[s - 1] != 0x2F else { return s }
            let body = c == 0x7E ? s + 1 : s
            guard body < n, b[body] == 0x2F else { return s }
            if let e = PathSyntax.pathEnd(b, body + 1, n, sep: 0x2F), e > body + 1, let v = PathSyntax.unixPath(b, s..<e, anyRoot: false) {
                if wants(.unixPath) { found.append(Found(indicator: Indicator(kind: .unixPath, value: v), start: s, end: e)) }
                return e
            }
            return s
        }
        // URLs with a scheme.
        if !inURL, IndicatorSyntax.isAlpha(c), let after = URLSyntax.schemeEnd(b, s..<n) {
            return url(b, s, after, urlEnd: &urlEnd, found: &found, creds: &creds)
        }
        // IPv6 (and `::ffff:` IPv4) addresses.
        if IndicatorSyntax.isHex(c) || c == 0x3A, let e = ipv6(b, s, found: &found) { return e }
        guard c != 0x5C, c != 0x25, c != 0x3C, c != 0x3A else { return s }
        return word(b, s, inURL: inURL, urlEnd: &urlEnd, creds: &creds, found: &found)
    }

    // MARK: URLs

    /// The end of a URL starting at `s`: the first byte that cannot be in a URL written in
    /// text (whitespace, controls, quotes, `<>`, `` ` ``, `,`, `|`, `^`, `{}`, non-ASCII), then
    /// trailing sentence punctuation and unbalanced closing brackets dropped.
    func urlEnd(_ b: Span<UInt8>, _ from: Int) -> Int {
        let n = b.count
        var e = from
        var parens = 0, brackets = 0
        while e < n {
            let c = b[e]
            if c <= 0x20 || c >= 0x7F { break }
            switch c {
            case 0x22, 0x27, 0x3C, 0x3E, 0x60, 0x2C, 0x7C, 0x5E, 0x7B, 0x7D: break
            case 0x28: parens += 1; e += 1; continue
            case 0x29: if parens == 0 { break }; parens -= 1; e += 1; continue
            case 0x5B: brackets += 1; e += 1; continue
            case 0x5D: if brackets == 0 { break }; brackets -= 1; e += 1; continue
            default: e += 1; continue
            }
            break
        }
        while e > from, [0x2E, 0x3A, 0x3B, 0x21, 0x3F].contains(b[e - 1]) { e -= 1 }
        return e
    }

    func url(_ b: Span<UInt8>, _ s: Int, _ after: Int, urlEnd: inout Int, found: inout [Found], creds: inout CredentialState) -> Int {
        let e = self.urlEnd(b, after)
        guard e > after, let auth = URLSyntax.authority(b, after, e, requireListedHost: true),
              let value = URLSyntax.normalize(b, s..<e, requireListedHost: true) else { return after }
        if wants(.url) { found.append(Found(indicator: Indicator(kind: .url, value: value), start: s, end: e)) }
        if let u = auth.userinfo { urlCredential(b, u, s, e, &found) }
        if options.includeParts { host(b, auth.host, isIP: auth.isIP, found: &found) }
        urlEnd = e
        return options.includeParts ? auth.end : e
    }

    /// The host of a URL as a domain or an address.
    func host(_ b: Span<UInt8>, _ h: Range<Int>, isIP: Bool, found: inout [Found]) {
        if isIP {
            let inner = b[h.lowerBound] == 0x5B ? (h.lowerBound + 1)..<(h.upperBound - 1) : h
            guard let ip = IPAddress.parse(b.extracting(inner)) else { return }
            let kind: IndicatorKind = ip.isIPv4 ? .ipv4 : .ipv6
            if wants(kind) { found.append(Found(indicator: Indicator(kind: kind, value: ip.description), start: inner.lowerBound, end: inner.upperBound)) }
        } else if wants(.domain) {
            found.append(Found(indicator: Indicator(kind: .domain, value: lowerASCII(b, h)), start: h.lowerBound, end: h.upperBound))
        }
    }

    /// A URL without a scheme after a host at `s..<hostEnd` (`example.com/a`, `10.0.0.1:80/a`):
    /// a `/` (or `:port/`) must follow the host directly.
    func schemelessURL(_ b: Span<UInt8>, _ s: Int, _ hostEnd: Int, urlEnd: inout Int, found: inout [Found]) {
        let n = b.count
        var p = hostEnd
        if p < n, b[p] == 0x3A {
            var q = p + 1
            while q < n, IndicatorSyntax.isDigit(b[q]), q - p <= 5 { q += 1 }
            guard q > p + 1, URLSyntax.isPort(b, (p + 1)..<q) else { return }
            p = q
        }
        guard p < n, b[p] == 0x2F, p + 1 >= n || b[p + 1] != 0x2F else { return }
        let e = self.urlEnd(b, p)
        guard wants(.url) else { urlEnd = e; return }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        for k in s..<hostEnd { out.append(IndicatorSyntax.lower(b[k])) }
        URLSyntax.appendMaskingSecrets(b, hostEnd..<e, into: &out)
        found.append(Found(indicator: Indicator(kind: .url, value: String(decoding: out, as: UTF8.self)), start: s, end: e))
        urlEnd = e
    }

    // MARK: IPv6

    /// An IPv6 address at `s`: a run of hex digits, colons and dots with at least two colons,
    /// an optional `%zone` and `/prefix`. Returns the end, or nil when it is none.
    ///
    /// Not an address: times (`12:34:56` has no `::` and too few groups), MAC addresses (six
    /// groups), C++ names (`std::string`: not hex), and `::` alone or with one group of at most
    /// one digit (`a::b`, `1::`: counters and separators), which RFC 4291 allows but logs
    /// write as punctuation far more often.
    func ipv6(_ b: Span<UInt8>, _ s: Int, found: inout [Found]) -> Int? {
        let n = b.count
        var j = s, colons = 0, dots = 0, hexDigits = 0
        while j < n, j - s <= 45 {
            let c = b[j]
            if c == 0x3A { colons += 1 } else if c == 0x2E { dots += 1 } else if IndicatorSyntax.isHex(c) { hexDigits += 1 } else { break }
            j += 1
        }
        guard colons >= 2, hexDigits >= 1 else { return nil }
        var e = j
        while e > s, b[e - 1] == 0x2E || (b[e - 1] == 0x3A && !(e - 2 >= s && b[e - 2] == 0x3A)) { e -= 1 }
        // Followed by a word byte: part of something longer (`abc::defg`).
        if j < n, Self.byteClass[Int(b[j])] & 1 != 0, b[j] != 0x2E, b[j] != 0x2D { return nil }
        guard let ip = IPAddress.parse(b.extracting(s..<e)) else { return nil }
        // Compressed forms with almost nothing written are punctuation, not addresses.
        var groups = 0, longest = 0, run = 0
        for k in s..<e {
            if b[k] == 0x3A { run = 0 } else { if run == 0 { groups += 1 }; run += 1; longest = max(longest, run) }
        }
        guard groups >= 3 || longest >= 3 || (b[s] == 0x3A && groups == 1) else { return nil }
        var end = e
        // Zone id (`fe80::1%eth0`): part of the text, dropped from the value.
        if end < n, b[end] == 0x25 {
            var z = end + 1
            while z < n, IndicatorSyntax.isLabelByte(b[z]), z - end <= 16 { z += 1 }
            if z > end + 1 { end = z }
        }
        let kind: IndicatorKind = ip.isIPv4 ? .ipv4 : .ipv6
        if end == e, end + 1 < n, b[end] == 0x2F, let (net, pe) = prefix(b, end + 1, limit: ip.isIPv4 ? 32 : 128, ip) {
            if wants(kind) {
                found.append(Found(indicator: Indicator(kind: kind, value: net.description), start: s, end: pe))
                if net.address != ip { found.append(Found(indicator: Indicator(kind: kind, value: ip.description), start: s, end: e)) }
            }
            return pe
        }
        if wants(kind) { found.append(Found(indicator: Indicator(kind: kind, value: ip.description), start: s, end: e)) }
        return end
    }

    /// A `/nn` prefix length at `p` (1–3 digits, ≤ `limit`, not followed by a word byte or `/`).
    func prefix(_ b: Span<UInt8>, _ p: Int, limit: Int, _ ip: IPAddress) -> (IPNetwork, Int)? {
        let n = b.count
        var q = p, v = 0
        while q < n, IndicatorSyntax.isDigit(b[q]), q - p < 3 { v = v * 10 + Int(b[q] - 48); q += 1 }
        guard q > p, v <= limit else { return nil }
        if q < n, Self.byteClass[Int(b[q])] & 1 != 0 && b[q] != 0x2E || b[q] == 0x2F { return nil }
        guard let net = IPNetwork("\(ip)/\(v)") else { return nil }
        return (net, q)
    }

    // MARK: E-mail

    func email(_ b: Span<UInt8>, _ s: Int, found: inout [Found]) -> Int? {
        let n = b.count
        var j = s
        while j < n, j - s <= 64 {
            let c = b[j]
            guard IndicatorSyntax.isAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D else { break }
            j += 1
        }
        guard j < n, b[j] == 0x40, j > s else { return nil }
        var e = j + 1
        while e < n, IndicatorSyntax.isLabelByte(b[e]) || b[e] == 0x2E { e += 1 }
        var t = e
        while t > j + 1, b[t - 1] == 0x2E || b[t - 1] == 0x2D { t -= 1 }
        guard EmailSyntax.isLocalPart(b, s..<j), IndicatorSyntax.isDomain(b, (j + 1)..<t, psl: psl) else { return nil }
        if wants(.email) { found.append(Found(indicator: Indicator(kind: .email, value: lowerASCII(b, s..<t)), start: s, end: t)) }
        if options.includeParts, wants(.domain) {
            found.append(Found(indicator: Indicator(kind: .domain, value: lowerASCII(b, (j + 1)..<t)), start: j + 1, end: t))
        }
        return e
    }

    // MARK: Helpers

    func ascii(_ b: Span<UInt8>, _ r: Range<Int>) -> String {
        ByteText.string(b.extracting(r))
    }

    func lowerASCII(_ b: Span<UInt8>, _ r: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: r.count) { out in
            var k = 0
            for i in r { out[k] = IndicatorSyntax.lower(b[i]); k += 1 }
            return k
        }
    }
}
