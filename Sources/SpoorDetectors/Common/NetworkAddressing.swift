import SpoorCore

/// A block of addresses in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`).
public struct AddressBlock: Sendable, Hashable, CustomStringConvertible {
    public let base: IPAddress
    /// Prefix length in bits of the address's own family (0…32 for IPv4, 0…128 for IPv6).
    public let prefixLength: Int

    /// Parses `a.b.c.d/n` or `v6::/n`; a bare address is a block of one. Nil on anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let limit = address.isIPv4 ? 32 : 128
        var length = limit
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...limit).contains(n) else { return nil }
            length = n
        }
        self.init(base: address, prefixLength: length)
    }

    public init(base: IPAddress, prefixLength: Int) {
        let limit = base.isIPv4 ? 32 : 128
        let n = min(max(prefixLength, 0), limit)
        // Keep the base canonical (host bits cleared) so equal blocks compare equal.
        if base.isIPv4, let v = base.ipv4 {
            let mask: UInt32 = n == 0 ? 0 : ~UInt32(0) << UInt32(32 - n)
            self.base = IPAddress(ipv4: v & mask)
        } else {
            let (h, l) = AddressBlock.masks(n)
            self.base = IPAddress(high: base.high & h, low: base.low & l)
        }
        self.prefixLength = n
    }

    static func masks(_ n: Int) -> (UInt64, UInt64) {
        let h: UInt64 = n <= 0 ? 0 : (n >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - n))
        let l: UInt64 = n <= 64 ? 0 : (n >= 128 ? ~0 : ~UInt64(0) << UInt64(128 - n))
        return (h, l)
    }

    /// Whether `address` lies in the block (an IPv4 block never contains an IPv6 address).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.isIPv4 == base.isIPv4 else { return false }
        if let v = address.ipv4, let b = base.ipv4 {
            let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
            return v & mask == b
        }
        let (h, l) = AddressBlock.masks(prefixLength)
        return address.high & h == base.high && address.low & l == base.low
    }

    public var description: String { "\(base)/\(prefixLength)" }
}

/// Which addresses are inside the client's network.
///
/// Always internal: RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), RFC 4193 unique local
/// (`fc00::/7`), loopback (`127/8`, `::1`) and link-local (RFC 3927 `169.254/16`, RFC 4291
/// `fe80::/10`), plus the client's own public blocks given in ``additional``. CGNAT
/// (`100.64/10`, RFC 6598) is not internal by default: from a client's logs it is usually the
/// provider's side of the link.
public struct InternalNetworks: Sendable, Hashable {
    public var additional: [AddressBlock]

    public init(_ additional: [AddressBlock] = []) {
        self.additional = additional
    }

    public func contains(_ a: IPAddress) -> Bool {
        if let v = a.ipv4 {
            if v >> 24 == 10 || v >> 20 == 0xAC1 || v >> 16 == 0xC0A8 || v >> 24 == 127 || v >> 16 == 0xA9FE { return true }
        } else {
            let top = a.high >> 48
            if (top & 0xFE00) == 0xFC00 || (top & 0xFFC0) == 0xFE80 || (a.high == 0 && a.low == 1) { return true }
        }
        for block in additional where block.contains(a) { return true }
        return false
    }

    /// Multicast (`224/4`, `ff00::/8`), limited broadcast and the unspecified address: not a peer
    /// a host talks to on its own, so neither a beacon's nor an exfiltration's destination.
    public static func isGroupOrUnspecified(_ a: IPAddress) -> Bool {
        if let v = a.ipv4 { return v >> 28 == 0xE || v == 0xFFFF_FFFF || v == 0 }
        return a.high >> 56 == 0xFF || (a.high == 0 && a.low == 0)
    }
}
