import SpoorCore

/// Which addresses are inside the client's network.
///
/// Always internal: RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), RFC 4193 unique local
/// (`fc00::/7`), loopback (`127/8`, `::1`) and link-local (RFC 3927 `169.254/16`, RFC 4291
/// `fe80::/10`), plus the client's own public blocks given in ``additional``. CGNAT
/// (`100.64/10`, RFC 6598) is not internal by default: from a client's logs it is usually the
/// provider's side of the link.
public struct InternalNetworks: Sendable, Hashable {
    public var additional: [IPNetwork]

    public init(_ additional: [IPNetwork] = []) {
        self.additional = additional
    }

    /// CGNAT, which `IPAddress.isPrivate` counts as private.
    static let sharedAddressSpace = IPNetwork(address: IPAddress(ipv4: 100 << 24 | 64 << 16), prefixLength: 10)

    public func contains(_ a: IPAddress) -> Bool {
        if a.isPrivate, !Self.sharedAddressSpace.contains(a) { return true }
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
