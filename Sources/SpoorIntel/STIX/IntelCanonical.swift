import SpoorCore
import SpoorIndicators

/// Canonical indicator values for what STIX and MISP import and export.
// TODO(lead): use IndicatorNormalizer.normalize(_:as:) from SpoorIndicators once merged; this is
// a stop-gap with the same rules as Indicator's documentation (lower-case hashes and domains,
// RFC 5952 IPv6, long hive names, upper-case CVE ids, `AS` + number).
enum IntelCanonical {
    static func indicator(_ raw: String, kind: IndicatorKind) -> Indicator? {
        canonical(raw, kind: kind).map { Indicator(kind: kind, value: $0) }
    }

    static func canonical(_ raw: String, kind: IndicatorKind) -> String? {
        let s = trimmed(raw)
        guard !s.isEmpty, s.utf8.count <= 8192 else { return nil }
        switch kind {
        case .ipv4, .ipv6:
            if s.contains("/") {
                guard let n = IPNetwork(s), n.address.isIPv4 == (kind == .ipv4) else { return nil }
                return n.prefixLength == (kind == .ipv4 ? 32 : 128) ? n.address.description : n.description
            }
            guard let a = IPAddress(s), a.isIPv4 == (kind == .ipv4) else { return nil }
            return a.description
        case .domain:
            var d = s.lowercased()
            if d.hasSuffix(".") { d.removeLast() }
            let labels = d.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }), d.utf8.count <= 253,
                  d.unicodeScalars.allSatisfy({ $0.value > 0x7F || ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" || $0 == "." }),
                  !d.unicodeScalars.contains(where: { $0.properties.isWhitespace })
            else { return nil }
            return d
        case .md5, .sha1, .sha256, .sha512:
            let h = s.lowercased()
            let length = [IndicatorKind.md5: 32, .sha1: 40, .sha256: 64, .sha512: 128][kind] ?? 0
            guard h.utf8.count == length, h.utf8.allSatisfy({ STIXPatternParser.hexValue($0) != nil }) else { return nil }
            return h
        case .email:
            guard let at = s.lastIndex(of: "@"), at != s.startIndex, s.index(after: at) != s.endIndex,
                  !s.contains(where: { $0 == " " }) else { return nil }
            return String(s[..<at]) + "@" + s[s.index(after: at)...].lowercased()
        case .url:
            guard s.contains(":"), !s.contains(where: { $0 == " " || $0 == "\n" }) else { return nil }
            return s
        case .registryKey:
            let hives = [("HKLM\\", "HKEY_LOCAL_MACHINE\\"), ("HKCU\\", "HKEY_CURRENT_USER\\"), ("HKCR\\", "HKEY_CLASSES_ROOT\\"),
                         ("HKU\\", "HKEY_USERS\\"), ("HKCC\\", "HKEY_CURRENT_CONFIG\\")]
            for (short, long) in hives where s.uppercased().hasPrefix(short) { return long + s.dropFirst(short.count) }
            return s
        case .cve:
            let c = s.uppercased()
            guard c.hasPrefix("CVE-") else { return nil }
            return c
        case .asn:
            var digits = s.uppercased()
            if digits.hasPrefix("AS") { digits.removeFirst(2) }
            guard let n = UInt32(digits) else { return nil }
            return "AS\(n)"
        case .cryptoAddress, .userAccount, .windowsPath, .unixPath, .credential:
            return s
        }
    }

    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let a = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let b = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[a...b])
    }

    /// Parses an RFC 3339 / ISO 8601 timestamp; nil when malformed. A time without offset is UTC.
    static func time(_ s: String?) -> Timestamp? {
        guard let s else { return nil }
        let bytes = Array(s.utf8)
        guard let p = TimestampText.parseISO8601(bytes.span), p.length == bytes.count else { return nil }
        return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000)
    }
}
