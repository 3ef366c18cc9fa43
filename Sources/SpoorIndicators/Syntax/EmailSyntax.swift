/// E-mail addresses: `local@domain`, the domain under a listed public suffix.
enum EmailSyntax {
    /// A byte of an unquoted local part (RFC 5322 §3.2.3 `atext` and dots).
    @inline(__always) static func isLocalByte(_ c: UInt8) -> Bool {
        if IndicatorSyntax.isAlnum(c) { return true }
        switch c {
        case 0x2E, 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E: return true
        default: return false
        }
    }

    /// Whether `b[local]` is a local part: 1…64 bytes, no leading, trailing or doubled dot.
    static func isLocalPart(_ b: Span<UInt8>, _ local: Range<Int>) -> Bool {
        guard !local.isEmpty, local.count <= 64, b[local.lowerBound] != 0x2E, b[local.upperBound - 1] != 0x2E else { return false }
        var prevDot = false
        for i in local {
            let c = b[i]
            guard isLocalByte(c) else { return false }
            if c == 0x2E { if prevDot { return false }; prevDot = true } else { prevDot = false }
        }
        return true
    }

    /// The canonical (lower-case) address when `b[range]` is exactly one address.
    static func normalize(_ b: Span<UInt8>, _ range: Range<Int>, requireListedSuffix: Bool = true) -> String? {
        var at = -1
        for i in range where b[i] == 0x40 { guard at < 0 else { return nil }; at = i }
        guard at > range.lowerBound else { return nil }
        var domain = (at + 1)..<range.upperBound
        if domain.count > 1, b[domain.upperBound - 1] == 0x2E { domain = domain.lowerBound..<(domain.upperBound - 1) }
        guard isLocalPart(b, range.lowerBound..<at), IndicatorSyntax.isDomain(b, domain, requireListedSuffix: requireListedSuffix) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for i in range.lowerBound..<domain.upperBound { out.append(IndicatorSyntax.lower(b[i])) }
        return String(decoding: out, as: UTF8.self)
    }
}
