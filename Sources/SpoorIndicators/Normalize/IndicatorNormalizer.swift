import SpoorCore

/// Canonical forms of lone indicator values: typed event fields and lines of intel lists.
///
/// Canonical means equal indicators compare equal: domains, e-mail addresses, hashes and URL
/// schemes and hosts lower case; IPv6 in RFC 5952 form (zone id dropped: it names an interface
/// of the host that logged it, not the address); IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as the IPv4
/// address (what ``IPAddress`` does); CIDR blocks with host bits cleared; CVE ids upper case;
/// ASNs as `AS64496`; registry hives in their long form; the password of a URL masked.
public enum IndicatorNormalizer {
    /// The canonical indicator when `text` is a valid value of `kind` (refanged; lower-case
    /// domain/hash; RFC 5952 IPv6; CIDR normalised), else nil. For typed event fields
    /// (`source.ip`, `dns.question.name`, …).
    ///
    /// An address field may hold either family, so `.ipv4` and `.ipv6` accept both and the
    /// result carries the family found. `.credential` reads `user:secret` and returns the hashed
    /// form (``Indicator/credential(user:secret:)``).
    ///
    /// Domains and e-mail domains typed as such may also be under special-use or internal top
    /// labels (`corp.local`, `x.example`); ``classify(_:)`` asks for a listed public suffix.
    public static func normalize(_ text: String, as kind: IndicatorKind) -> Indicator? {
        normalize(text, as: kind, typed: true)
    }

    static func normalize(_ text: String, as kind: IndicatorKind, typed: Bool) -> Indicator? {
        let value = trimmed(Defang.refang(trimmed(text)))
        guard !value.isEmpty, value.utf8.count <= 4096 else { return nil }
        let bytes = Array(value.utf8)
        let span = bytes.span
        let all = 0..<bytes.count
        switch kind {
        case .ipv4, .ipv6:
            return address(value)
        case .domain:
            var r = all
            if bytes.last == 0x2E { r = 0..<(bytes.count - 1) }
            guard IndicatorSyntax.isDomain(span, r, requireListedSuffix: !typed) else { return nil }
            return Indicator(kind: .domain, value: lowerASCII(bytes[r]))
        case .url:
            return URLSyntax.normalize(span, all, requireListedHost: false).map { Indicator(kind: .url, value: $0) }
        case .email:
            return EmailSyntax.normalize(span, all, requireListedSuffix: !typed).map { Indicator(kind: .email, value: $0) }
        case .md5, .sha1, .sha256, .sha512:
            guard IndicatorSyntax.hashKind(length: bytes.count) == kind, IndicatorSyntax.isHexRun(span, all) else { return nil }
            return Indicator(kind: kind, value: lowerASCII(bytes[...]))
        case .cve:
            guard IndicatorSyntax.isCVE(span, all) else { return nil }
            return Indicator(kind: .cve, value: value.uppercased())
        case .asn:
            if let n = IndicatorSyntax.asNumber(span, all) { return Indicator(kind: .asn, value: "AS\(n)") }
            if let n = UInt32(value), n > 0 { return Indicator(kind: .asn, value: "AS\(n)") }
            return nil
        case .windowsPath:
            return PathSyntax.windowsPath(span, all).map { Indicator(kind: .windowsPath, value: $0) }
        case .unixPath:
            return PathSyntax.unixPath(span, all, anyRoot: true).map { Indicator(kind: .unixPath, value: $0) }
        case .registryKey:
            return PathSyntax.registryKey(span, all).map { Indicator(kind: .registryKey, value: $0) }
        case .cryptoAddress:
            return CryptoSyntax.isAddress(span, all) ? Indicator(kind: .cryptoAddress, value: value) : nil
        case .userAccount:
            guard bytes.count <= 256, !bytes.contains(where: { $0 < 0x20 }) else { return nil }
            return Indicator(kind: .userAccount, value: value)
        case .credential:
            guard let colon = value.firstIndex(of: ":") else { return nil }
            let user = String(value[..<colon]), secret = String(value[value.index(after: colon)...])
            guard !user.isEmpty, !secret.isEmpty else { return nil }
            return .credential(user: user, secret: secret)
        }
    }

    /// Guesses the kind of a lone value (one line of a plain intel list: an IP, CIDR, URL,
    /// e-mail, hash, domain, CVE, ASN, registry key, Windows path, cryptocurrency address),
    /// refanging it; nil when it is none of them.
    ///
    /// Order matters where forms overlap: a 40-hex-digit value is a SHA-1, not an Ethereum
    /// address (those start `0x`); `AS1234` is an ASN; a value with `://` is a URL.
    public static func classify(_ text: String) -> Indicator? {
        let value = trimmed(Defang.refang(trimmed(text)))
        guard !value.isEmpty, value.utf8.count <= 4096 else { return nil }
        let bytes = Array(value.utf8)
        let span = bytes.span
        let all = 0..<bytes.count
        if let kind = IndicatorSyntax.hashKind(length: bytes.count), IndicatorSyntax.isHexRun(span, all) {
            return Indicator(kind: kind, value: lowerASCII(bytes[...]))
        }
        if IndicatorSyntax.isCVE(span, all) { return Indicator(kind: .cve, value: value.uppercased()) }
        if let n = IndicatorSyntax.asNumber(span, all) { return Indicator(kind: .asn, value: "AS\(n)") }
        if let ip = address(value) { return ip }
        if value.contains("://") { return normalize(value, as: .url) }
        if bytes.contains(0x40) { return normalize(value, as: .email, typed: false) }
        if let d = normalize(value, as: .domain, typed: false) { return d }
        if let r = normalize(value, as: .registryKey) { return r }
        if let w = normalize(value, as: .windowsPath) { return w }
        if CryptoSyntax.isAddress(span, all) { return Indicator(kind: .cryptoAddress, value: value) }
        return nil
    }

    /// An IP address or CIDR block, in either family.
    static func address(_ value: String) -> Indicator? {
        if value.contains("/") {
            guard let net = IPNetwork(value) else { return nil }
            return Indicator(kind: net.address.isIPv4 ? .ipv4 : .ipv6, value: net.description)
        }
        guard let ip = IPAddress(value) else { return nil }
        return Indicator(kind: ip.isIPv4 ? .ipv4 : .ipv6, value: ip.description)
    }

    static func trimmed(_ s: String) -> String {
        let u = Array(s.utf8)
        var lo = 0, hi = u.count
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        while lo < hi, isSpace(u[lo]) { lo += 1 }
        while hi > lo, isSpace(u[hi - 1]) { hi -= 1 }
        if lo == 0, hi == u.count { return s }
        return String(decoding: u[lo..<hi], as: UTF8.self)
    }

    static func lowerASCII(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { IndicatorSyntax.lower($0) }, as: UTF8.self)
    }
}

extension Indicator {
    /// How many hex digits of SHA-256 a credential keeps (64 bits).
    public static let credentialHashDigits = 16

    /// A credential as an indicator: `user:sha256:` and the first 16 hex digits of the
    /// unsalted SHA-256 of the secret. Never the secret itself.
    ///
    /// Unsalted, so that the same password found in two logs or two cases gives the same
    /// indicator (reuse is what an analyst looks for). The price: a weak password can be found
    /// again by hashing guesses, so the value is as sensitive as a password hash and is
    /// truncated to 64 bits to make that confirmation weaker, not impossible.
    public static func credential(user: String, secret: String) -> Indicator {
        let digest = SHA256.hexDigest(Array(secret.utf8))
        return Indicator(kind: .credential, value: "\(user):sha256:\(digest.prefix(credentialHashDigits))")
    }
}
