import SpoorCore

/// Byte-level checks of one candidate span, shared by the free-text extractor and the normalizer.
/// Every function reads `b[range]` only, allocates nothing and never traps on any bytes.
enum IndicatorSyntax {
    // MARK: Character classes

    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 97 < 6 }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }
    /// A byte of a DNS label as found in logs: letters, digits, hyphen, and underscore (SRV and
    /// DKIM names such as `_dmarc.example.com` use it; RFC 2181 §11 allows any byte in DNS).
    @inline(__always) static func isLabelByte(_ c: UInt8) -> Bool { isAlnum(c) || c == 0x2D || c == 0x5F }

    // MARK: Domains

    /// Whether `b[range]` is a domain name under a listed public suffix: two or more labels of
    /// 1…63 letters/digits/hyphens/underscores, no label starting or ending with a hyphen, at
    /// most 253 bytes, a TLD of letters (or an IDN `xn--` label) that the public suffix list
    /// names, and the whole name not itself a public suffix. No trailing dot (callers strip it).
    /// - Parameter requireListedSuffix: true (free text, lone values of unknown kind) accepts only
    ///   names under a suffix of the public suffix list; false (a field or intel attribute typed
    ///   as a domain) also accepts names under the special-use and private-use top labels that
    ///   internal networks and documentation use (RFC 2606/6761 `example`, `test`, `invalid`,
    ///   `localhost`; `local` (RFC 6762), `internal`, `lan`, `corp`, `home`, `intranet`,
    ///   `localdomain`, `home.arpa`), since the type already says it is a name. A public suffix
    ///   alone (`co.uk`) is never a domain, and `invoice.pdf` is not one either way.
    static func isDomain(_ b: Span<UInt8>, _ range: Range<Int>, psl: PublicSuffixList = .shared,
                         requireListedSuffix: Bool = true) -> Bool {
        guard range.count >= 3, range.count <= 253 else { return false }
        var labelStart = range.lowerBound
        var lastDot = -1
        var dots = 0
        var i = range.lowerBound
        while i <= range.upperBound {
            if i == range.upperBound || b[i] == 0x2E {
                let len = i - labelStart
                guard len >= 1, len <= 63 else { return false }
                guard b[labelStart] != 0x2D, b[i - 1] != 0x2D else { return false }
                if i < range.upperBound { lastDot = i; dots += 1 }
                labelStart = i + 1
            } else if !isLabelByte(b[i]) {
                return false
            }
            i += 1
        }
        guard dots >= 1, lastDot >= 0 else { return false }
        let tld = (lastDot + 1)..<range.upperBound
        // The longest TLD on the list has 24 bytes (`xn--vermgensberatung-pwb`); longer last
        // labels (Java class names: `QuorumCnxManager$Listener`) need no lookup.
        guard tld.count >= 2, tld.count <= 24 else { return false }
        // TLDs are letters only, except IDN A-labels (`xn--p1ai`).
        let isIDN = tld.count > 4 && lower(b[tld.lowerBound]) == 0x78 && lower(b[tld.lowerBound + 1]) == 0x6E
            && b[tld.lowerBound + 2] == 0x2D && b[tld.lowerBound + 3] == 0x2D
        if !isIDN { for k in tld where !isAlpha(b[k]) { return false } }
        if !requireListedSuffix && isSpecialUseLabel(b, tld) { return true }
        guard psl.isListed(b, tld) else { return false }
        return !psl.isListed(b, range)
    }

    static let specialUseLabels: [[UInt8]] = ["example", "test", "invalid", "localhost", "local", "internal", "lan", "corp",
                                               "home", "intranet", "localdomain", "arpa"].map { Array($0.utf8) }

    static func isSpecialUseLabel(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        specialUseLabels.contains { label in
            label.count == r.count && label.indices.allSatisfy { lower(b[r.lowerBound + $0]) == label[$0] }
        }
    }

    // MARK: Hashes

    /// The hash kind a run of exactly 32/40/64/128 hex digits has by its length alone.
    static func hashKind(length: Int) -> IndicatorKind? {
        switch length {
        case 32: .md5
        case 40: .sha1
        case 64: .sha256
        case 128: .sha512
        default: nil
        }
    }

    static func isHexRun(_ b: Span<UInt8>, _ range: Range<Int>) -> Bool {
        for i in range where !isHex(b[i]) { return false }
        return true
    }

    // MARK: CVE, ASN

    /// The longest sequence number a CVE id may have here (the extractor and the normalizer agree).
    static let cveMaximumSequenceDigits = 19

    /// `CVE-YYYY-NNNN…` (the year 1999 or later, a sequence of 4 to 19 digits; CVE ID syntax
    /// since 2014 allows more than 4). Case-insensitive.
    static func isCVE(_ b: Span<UInt8>, _ range: Range<Int>) -> Bool {
        let n = range.count, s = range.lowerBound
        guard n >= 13, n <= 9 + cveMaximumSequenceDigits else { return false }
        guard lower(b[s]) == 0x63, lower(b[s + 1]) == 0x76, lower(b[s + 2]) == 0x65, b[s + 3] == 0x2D, b[s + 8] == 0x2D else { return false }
        var year = 0
        for k in (s + 4)..<(s + 8) { guard isDigit(b[k]) else { return false }; year = year * 10 + Int(b[k] - 48) }
        guard year >= 1999 else { return false }
        for k in (s + 9)..<range.upperBound where !isDigit(b[k]) { return false }
        return true
    }

    /// The number of `AS64496`, `ASN64496`, `AS 64496`, `ASN 64496` (any case), 1…4294967295
    /// (RFC 6793 four-octet numbers; 0 is reserved, RFC 7607).
    static func asNumber(_ b: Span<UInt8>, _ range: Range<Int>) -> UInt32? {
        var i = range.lowerBound
        guard range.count >= 3, lower(b[i]) == 0x61, lower(b[i + 1]) == 0x73 else { return nil }
        i += 2
        if i < range.upperBound, lower(b[i]) == 0x6E { i += 1 }
        if i < range.upperBound, b[i] == 0x20 { i += 1 }
        guard i < range.upperBound, range.upperBound - i <= 10 else { return nil }
        var v: UInt64 = 0
        for k in i..<range.upperBound { guard isDigit(b[k]) else { return nil }; v = v * 10 + UInt64(b[k] - 48) }
        guard v >= 1, v <= UInt64(UInt32.max) else { return nil }
        return UInt32(v)
    }
}
