import SpoorCore

/// Key words seen so far in one text that introduce a user name or a secret.
struct CredentialState {
    var user: Range<Int>?
    var secret: Range<Int>?
    var secretKeyStart = 0
}

extension IndicatorExtractor {
    /// A run of letters, digits, `_`, `-` and `.` at `s`: an IPv4 address or CIDR block, a CVE
    /// id, an ASN, a hash, a cryptocurrency address or a domain (and a scheme-less URL after it).
    func word(_ b: Span<UInt8>, _ start: Int, inURL: Bool, urlEnd: inout Int, creds: inout CredentialState, found: inout [Found]) -> Int {
        let n = b.count
        var s = start
        // A percent escape (`%2Fevil.com`): the two hex digits belong to the escape, not the word.
        if s > 0, b[s - 1] == 0x25, s + 2 < n, IndicatorSyntax.isHex(b[s]), IndicatorSyntax.isHex(b[s + 1]) { s += 2 }
        var e = s
        var dots = 0, nonDigit = 0, nonHex = 0
        while e < n {
            let c = b[e]
            if c == 0x2E { dots += 1 } else if IndicatorSyntax.isLabelByte(c) {
                if !IndicatorSyntax.isDigit(c) { nonDigit += 1; if !IndicatorSyntax.isHex(c) { nonHex += 1 } }
            } else { break }
            e += 1
        }
        // E-mail addresses: the word (with `+` or `%` in the local part) runs into an `@`.
        if !inURL, e < n, b[e] == 0x40 || b[e] == 0x2B || b[e] == 0x25, let r = email(b, s, found: &found) { return r }
        var t = e
        while t > s, b[t - 1] == 0x2E || b[t - 1] == 0x2D || b[t - 1] == 0x5F {
            if b[t - 1] == 0x2E { dots -= 1 }
            t -= 1
        }
        guard t > s else { return e }
        let len = t - s
        let next: UInt8 = t < n ? b[t] : 0

        // IPv4 (dotted quad only: `1.2.3.4.5` is an OID or a version, not an address).
        if nonDigit == 0 {
            guard dots == 3, t == e || b[t] != 0x2E, let v = IPAddress.parseIPv4(b, s, t, allowLeadingZeros: false) else { return e }
            let ip = IPAddress(ipv4: v)
            if next == 0x2F, t + 1 < n, IndicatorSyntax.isDigit(b[t + 1]), let (net, pe) = prefix(b, t + 1, limit: 32, ip) {
                if wants(.ipv4) {
                    found.append(Found(indicator: Indicator(kind: .ipv4, value: net.description), start: s, end: pe))
                    if net.address != ip { found.append(Found(indicator: Indicator(kind: .ipv4, value: ip.description), start: s, end: t)) }
                }
                return pe
            }
            // Without leading zeros a dotted quad as written is already canonical: copy the bytes.
            if wants(.ipv4) { found.append(Found(indicator: Indicator(kind: .ipv4, value: lowerASCII(b, s..<t)), start: s, end: t)) }
            if !inURL { schemelessURL(b, s, t, urlEnd: &urlEnd, found: &found) }
            return t
        }
        let c0 = IndicatorSyntax.lower(b[s])
        // CVE ids: `CVE-2021-44228`, and `CVE 2021-44228` as prose writes them.
        if c0 == 0x63, len >= 3, IndicatorSyntax.lower(b[s + 1]) == 0x76, IndicatorSyntax.lower(b[s + 2]) == 0x65 {
            if let r = cve(b, s, t, found: &found) { return r }
        }
        // ASNs: `AS15169`, `ASN15169`, `AS 15169` (upper case only: lower-case `as 2014` is English), `asn 15169`.
        if c0 == 0x61, len >= 2, len <= 13, IndicatorSyntax.lower(b[s + 1]) == 0x73 {
            if let r = asn(b, s, t, found: &found) { return r }
        }
        // Hashes: hex runs of the four lengths, unless a context word says they hash something else.
        if nonHex == 0, dots == 0, let kind = IndicatorSyntax.hashKind(length: len), t == e {
            if wants(kind), hashContextAllows(b, s) {
                found.append(Found(indicator: Indicator(kind: kind, value: lowerASCII(b, s..<t)), start: s, end: t))
            }
            return e
        }
        // Cryptocurrency addresses (each checked by its checksum).
        if dots == 0, len >= 26, len <= 95, wants(.cryptoAddress), CryptoSyntax.isAddress(b, s..<t) {
            found.append(Found(indicator: Indicator(kind: .cryptoAddress, value: ascii(b, s..<t)), start: s, end: t))
            return e
        }
        // Credential key words (`password=`, `user:`; as options `--password=` too, see `scan`).
        if dots == 0, len <= 8, next == 0x3D || next == 0x3A, wants(.credential) || wants(.userAccount) {
            noteCredentialKey(b, s, t, &creds)
        }
        // Domains.
        if dots >= 1, isFreeTextDomain(b, s, t, inURL: inURL) {
            if wants(.domain) { found.append(Found(indicator: Indicator(kind: .domain, value: lowerASCII(b, s..<t)), start: s, end: t)) }
            if !inURL { schemelessURL(b, s, t, urlEnd: &urlEnd, found: &found) }
            return t
        }
        return e
    }

    /// A domain as written in free text: ``IndicatorSyntax/isDomain`` and, for two-label names
    /// outside URLs, a TLD that is not a common file extension (see ``fileExtensionTLDs``).
    func isFreeTextDomain(_ b: Span<UInt8>, _ s: Int, _ t: Int, inURL: Bool) -> Bool {
        guard IndicatorSyntax.isDomain(b, s..<t, psl: psl) else { return false }
        var dots = 0, lastDot = s, firstDot = -1
        for k in s..<t where b[k] == 0x2E { dots += 1; lastDot = k; if firstDot < 0 { firstDot = k } }
        // Reverse-DNS identifiers (`com.huawei.health`, `org.apache.spark.run`): Java and Android
        // package names begin with a TLD; host names practically never do.
        if !inURL, dots >= 2, Self.reverseDNSHeads.contains(lowerASCII(b, s..<firstDot)) { return false }
        if dots == 1, t - lastDot - 1 <= 3, Self.fileExtensionTLDs.contains(lowerASCII(b, (lastDot + 1)..<t)) { return false }
        // Configuration keys (`user.name`, `mapred.job.id`, `os.name`): lower-case letters and
        // dots only, under a TLD that is also a common key word.
        if !inURL, t - lastDot - 1 <= 4, Self.propertyKeyTLDs.contains(lowerASCII(b, (lastDot + 1)..<t)) {
            var lettersOnly = true
            for k in s..<t where !(b[k] &- 97 < 26 || b[k] == 0x2E) { lettersOnly = false; break }
            if lettersOnly { return false }
        }
        return true
    }

    /// TLDs that are also words ending configuration keys (see ``isFreeTextDomain``; evidence:
    /// loghub Spark `mapred.job.id`, Zookeeper `user.name`, `os.name`, `host.name`).
    static let propertyKeyTLDs: Set<String> = ["id", "name", "map", "host", "run", "data", "type", "path", "file", "mode", "size", "user", "key"]

    /// First labels that mark a reverse-DNS identifier (see ``isFreeTextDomain``).
    static let reverseDNSHeads: Set<String> = ["com", "org", "net", "edu", "gov", "io", "android", "java", "javax", "kotlin", "sun"]

    func cve(_ b: Span<UInt8>, _ s: Int, _ t: Int, found: inout [Found]) -> Int? {
        let n = b.count
        var p = s + 3
        if p < t, b[p] == 0x2D {
            p += 1
        } else if p == t, p < n, b[p] == 0x20 {
            p += 1
        } else { return nil }
        guard p + 9 <= n else { return nil }
        var year = 0
        for k in p..<(p + 4) { guard IndicatorSyntax.isDigit(b[k]) else { return nil }; year = year * 10 + Int(b[k] - 48) }
        guard b[p + 4] == 0x2D, year >= 1999, year <= 2099 else { return nil }
        var q = p + 5
        while q < n, IndicatorSyntax.isDigit(b[q]), q - (p + 5) < IndicatorSyntax.cveMaximumSequenceDigits { q += 1 }
        guard q - (p + 5) >= 4, q == n || !IndicatorSyntax.isAlnum(b[q]) else { return nil }
        if wants(.cve) {
            var v = "CVE-"
            v += ascii(b, p..<q)
            found.append(Found(indicator: Indicator(kind: .cve, value: v), start: s, end: q))
        }
        return q
    }

    func asn(_ b: Span<UInt8>, _ s: Int, _ t: Int, found: inout [Found]) -> Int? {
        let n = b.count
        if let num = IndicatorSyntax.asNumber(b, s..<t) {
            if wants(.asn) { found.append(Found(indicator: Indicator(kind: .asn, value: "AS\(num)"), start: s, end: t)) }
            return t
        }
        // `AS 15169` / `ASN 15169` / `asn 15169`.
        let word = t - s
        guard word == 2 || word == 3, t + 1 < n, b[t] == 0x20, IndicatorSyntax.isDigit(b[t + 1]) else { return nil }
        if word == 2, !(b[s] == 0x41 && b[s + 1] == 0x53) { return nil }
        if word == 3, IndicatorSyntax.lower(b[s + 2]) != 0x6E { return nil }
        var q = t + 1
        while q < n, IndicatorSyntax.isDigit(b[q]), q - t <= 11 { q += 1 }
        guard q == n || !IndicatorSyntax.isAlnum(b[q]) && b[q] != 0x2E && b[q] != 0x2D, let num = IndicatorSyntax.asNumber(b, s..<q) else { return nil }
        if wants(.asn) { found.append(Found(indicator: Indicator(kind: .asn, value: "AS\(num)"), start: s, end: q)) }
        return q
    }

    /// Whether the word before a hex run allows reading it as a file hash. Words naming a
    /// hash of something else turn it off: `imphash`/`import hash` (of a PE import table),
    /// `authentihash` (of a PE without its signature), `ntlm`/`nthash`/`lm`, `ssdeep`, `tlsh`,
    /// `sha3…`, `keccak`, `blake…`. Only the nearest word counts (Sysmon's
    /// `MD5=…,SHA256=…,IMPHASH=…` names each hash just before it).
    func hashContextAllows(_ b: Span<UInt8>, _ s: Int) -> Bool {
        var k = s
        var skipped = 0
        while k > 0, skipped < 8 {
            let c = b[k - 1]
            guard c == 0x20 || c == 0x3A || c == 0x3D || c == 0x22 || c == 0x27 || c == 0x09 || c == 0x2C || c == 0x28
                || c == 0x0A || c == 0x0D || c == 0x2D else { break }
            k -= 1; skipped += 1
        }
        let wordEnd = k
        while k > 0, wordEnd - k < 16, IndicatorSyntax.isAlnum(b[k - 1]) || b[k - 1] == 0x2D || b[k - 1] == 0x5F { k -= 1 }
        guard wordEnd > k else { return true }
        let word = lowerASCII(b, k..<wordEnd)
        if word.hasPrefix("sha3") || word.hasPrefix("blake") || word.hasPrefix("keccak") { return false }
        switch word {
        case "imphash", "authentihash", "ntlm", "nthash", "lm", "lmhash", "ssdeep", "tlsh", "pehash", "telfhash", "vhash", "ja3", "ja3s", "jarm":
            return false
        case "hash":
            // `import hash` (any case, one space).
            if k >= 7, b[k - 1] == 0x20, lowerASCII(b, (k - 7)..<(k - 1)) == "import" { return false }
            return true
        default:
            return true
        }
    }

    // MARK: Credentials

    func noteCredentialKey(_ b: Span<UInt8>, _ s: Int, _ t: Int, _ creds: inout CredentialState) {
        func matches(_ words: [[UInt8]]) -> Bool {
            outer: for w in words where w.count == t - s {
                for (k, c) in w.enumerated() where IndicatorSyntax.lower(b[s + k]) != c { continue outer }
                return true
            }
            return false
        }
        // The value: quoted, or up to whitespace or a separator.
        let n = b.count
        var v = t + 1
        guard v < n else { return }
        var end = v
        if b[v] == 0x22 || b[v] == 0x27 {
            let q = b[v]; v += 1; end = v
            while end < n, b[end] != q, end - v < 256 { end += 1 }
        } else {
            while end < n, b[end] > 0x20, b[end] != 0x26, b[end] != 0x3B, b[end] != 0x2C, end - v < 256 { end += 1 }
        }
        guard end > v else { return }
        // `PWD=/home/deploy` is the working directory (sudo, environment dumps), not a password.
        if t - s == 3, IndicatorSyntax.lower(b[s]) == 0x70, IndicatorSyntax.lower(b[s + 1]) == 0x77,
           IndicatorSyntax.lower(b[s + 2]) == 0x64, b[v] == 0x2F || b[v] == 0x7E { return }
        if matches(Self.secretWords) {
            if creds.secret == nil { creds.secret = v..<end; creds.secretKeyStart = s }
        } else if matches(Self.userWords) {
            if creds.user == nil { creds.user = v..<end }
        }
    }

    /// `password=` with the user named in the same text (`user=`), else `*` for an unknown user.
    func emitCredential(_ b: Span<UInt8>, _ creds: CredentialState, _ found: inout [Found]) {
        guard let secret = creds.secret else { return }
        let user = creds.user.map { ascii(b, $0) } ?? "*"
        if let u = creds.user, wants(.userAccount) {
            found.append(Found(indicator: Indicator(kind: .userAccount, value: user), start: u.lowerBound, end: u.upperBound))
        }
        if wants(.credential) {
            let value = Indicator.credential(user: user, secret: ascii(b, secret))
            found.append(Found(indicator: value, start: creds.secretKeyStart, end: secret.upperBound))
        }
    }

    /// `user:password@` in a URL's authority.
    func urlCredential(_ b: Span<UInt8>, _ userinfo: Range<Int>, _ s: Int, _ e: Int, _ found: inout [Found]) {
        var colon = -1
        for k in userinfo where b[k] == 0x3A { colon = k; break }
        let userEnd = colon >= 0 ? colon : userinfo.upperBound
        guard userEnd > userinfo.lowerBound else { return }
        let user = ascii(b, userinfo.lowerBound..<userEnd)
        if wants(.userAccount) {
            found.append(Found(indicator: Indicator(kind: .userAccount, value: user), start: userinfo.lowerBound, end: userEnd))
        }
        if colon >= 0, colon + 1 < userinfo.upperBound, wants(.credential) {
            found.append(Found(indicator: .credential(user: user, secret: ascii(b, (colon + 1)..<userinfo.upperBound)), start: s, end: e))
        }
    }
}
