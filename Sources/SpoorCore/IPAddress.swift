/// An IPv4 or IPv6 address as a value: 16 bytes and a family.
///
/// IPv4 addresses are held as IPv4-mapped IPv6 (`::ffff:a.b.c.d`) with `isIPv4` set, so both
/// families sort, hash and store as one 128-bit key while printing as the log wrote them.
public struct IPAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The upper and lower 64 bits of the 128-bit address, big-endian order of bits.
    public var high: UInt64
    public var low: UInt64
    public var isIPv4: Bool

    public init(ipv4: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(ipv4)
        isIPv4 = true
    }

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isIPv4 = false
    }

    /// The IPv4 value when this is an IPv4 address.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        (a.high, a.low, a.isIPv4 ? 0 : 1) < (b.high, b.low, b.isIPv4 ? 0 : 1)
    }

    /// The 16 network-order bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i))) }
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i))) }
        return out
    }

    /// RFC 1918, RFC 4193, loopback, link-local and CGNAT: addresses that name a host only
    /// inside one client's network (and so collide across clients).
    public var isPrivate: Bool {
        if let v = ipv4 {
            return v >> 24 == 10 || v >> 20 == 0xAC1 || v >> 16 == 0xC0A8 || v >> 24 == 127
                || v >> 16 == 0xA9FE || v >> 22 == (100 << 2 | 1)
        }
        let top = high >> 48
        return (top & 0xFE00) == 0xFC00 || (top & 0xFFC0) == 0xFE80 || (high == 0 && low == 1)
    }

    /// Loopback (127.0.0.0/8, `::1`, IPv4-mapped loopback) or unspecified (`0.0.0.0`, `::`):
    /// the host itself, never another machine (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2–2.5.3).
    public var isThisHost: Bool {
        if let v = ipv4 { return v >> 24 == 127 || v == 0 }
        if high == 0 && (low == 0 || low == 1) { return true }
        return high == 0 && low >> 32 == 0xFFFF && (low & 0xFFFF_FFFF) >> 24 == 127
    }

    public var description: String {
        if let v = ipv4 {
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 { groups[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i))) }
        for i in 0..<4 { groups[4 + i] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i))) }
        // RFC 5952: compress the longest run (≥ 2) of zero groups, the first on a tie.
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > bestLen, j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let head = groups[0..<bestStart].map(hex).joined(separator: ":")
        let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return head + "::" + tail
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with an optional `%zone`, dropped, and
    /// IPv4-mapped forms). Returns nil on anything else.
    public init?(_ text: String) {
        guard let v = IPAddress.parse(text.utf8.span) else { return nil }
        self = v
    }

    /// Parses an address from bytes; see ``init(_:)``.
    ///
    /// - Parameter allowLeadingZeros: Read IPv4 octets like `030` as decimal 30 (what most
    ///   daemons print and mean). When false such octets are rejected.
    public static func parse(_ b: Span<UInt8>, allowLeadingZeros: Bool = true) -> IPAddress? {
        guard b.count >= 2, b.count <= 64 else { return nil }
        var hasColon = false
        for i in 0..<b.count where b[i] == UInt8(ascii: ":") { hasColon = true; break }
        if hasColon { return parseIPv6(b) }
        guard let v = parseIPv4(b, 0, b.count, allowLeadingZeros: allowLeadingZeros) else { return nil }
        return IPAddress(ipv4: v)
    }

    /// Parses dotted-quad IPv4 in `b[start..<end]`.
    public static func parseIPv4(_ b: Span<UInt8>, _ start: Int, _ end: Int, allowLeadingZeros: Bool = true) -> UInt32? {
        var value: UInt32 = 0
        var octet = 0, digits = 0, dots = 0
        var i = start
        var leadingZero = false
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                if leadingZero && digits > 1 && !allowLeadingZeros { return nil }
                value = value << 8 | UInt32(octet)
                octet = 0; digits = 0; dots += 1
            } else {
                let d = c &- 48
                guard d < 10, digits < 3 else { return nil }
                if digits == 0 { leadingZero = d == 0 }
                octet = octet * 10 + Int(d)
                guard octet <= 255 else { return nil }
                digits += 1
            }
            i += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        if leadingZero && digits > 1 && !allowLeadingZeros { return nil }
        return value << 8 | UInt32(octet)
    }

    static func parseIPv6(_ b: Span<UInt8>) -> IPAddress? {
        var end = b.count
        for i in 0..<b.count where b[i] == UInt8(ascii: "%") { end = i; break }
        var start = 0
        if end >= 2, b[0] == UInt8(ascii: "["), b[end - 1] == UInt8(ascii: "]") { start = 1; end -= 1 }
        var groups = [UInt16](repeating: 0, count: 8)
        var n = 0
        var gap = -1
        var i = start
        if i + 1 < end, b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: ":") {
            gap = 0; i += 2
            if i == end { return IPAddress(high: 0, low: 0) }
        } else if i < end, b[i] == UInt8(ascii: ":") { return nil }
        while i < end {
            // An embedded IPv4 tail (::ffff:1.2.3.4).
            var j = i, sawDot = false
            while j < end, b[j] != UInt8(ascii: ":") { if b[j] == UInt8(ascii: ".") { sawDot = true }; j += 1 }
            if sawDot {
                guard j == end, n <= 6, let v4 = parseIPv4(b, i, end) else { return nil }
                groups[n] = UInt16(v4 >> 16); groups[n + 1] = UInt16(v4 & 0xFFFF); n += 2
                i = end
                break
            }
            guard j > i, j - i <= 4, n < 8 else { return nil }
            var g: UInt16 = 0
            for k in i..<j {
                guard let d = Bytes.hexValue(b[k]) else { return nil }
                g = g << 4 | UInt16(d)
            }
            groups[n] = g; n += 1
            i = j
            if i < end {
                i += 1 // the colon
                if i < end, b[i] == UInt8(ascii: ":") {
                    guard gap < 0 else { return nil }
                    gap = n; i += 1
                } else if i == end { return nil }
            }
        }
        if gap >= 0 {
            guard n < 8 else { return nil }
            let tail = n - gap
            var out = [UInt16](repeating: 0, count: 8)
            for k in 0..<gap { out[k] = groups[k] }
            for k in 0..<tail { out[8 - tail + k] = groups[gap + k] }
            groups = out
        } else if n != 8 { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        // IPv4-mapped addresses are IPv4 addresses (Sysmon and Windows write `::ffff:1.2.3.4`).
        if hi == 0, lo >> 32 == 0xFFFF { return IPAddress(ipv4: UInt32(truncatingIfNeeded: lo)) }
        return IPAddress(high: hi, low: lo)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = IPAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IP address"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
