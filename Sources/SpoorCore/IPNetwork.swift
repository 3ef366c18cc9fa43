/// An IPv4 or IPv6 prefix (`10.0.0.0/8`, `fe80::/10`), compared by bits, never by text.
///
/// IPv4 networks hold IPv4 addresses only (as their IPv4-mapped IPv6 form, the way
/// ``IPAddress`` stores them), so `10.0.0.0/8` never contains an IPv6 address.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// Prefix length in bits: 0…32 for IPv4, 0…128 for IPv6.
    public let prefixLength: Int

    /// Parses `address/length`; an address alone is a host network (/32 or /128).
    /// Host bits set in the address are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = IPAddress(String(parts[0])) else { return nil }
        let limit = a.isIPv4 ? 32 : 128
        var length = limit
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= limit else { return nil }
            length = n
        }
        prefixLength = length
        let bits = a.isIPv4 ? 96 + length : length
        let (h, l) = IPNetwork.mask(bits)
        address = a.isIPv4 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: a.low & l))
                           : IPAddress(high: a.high & h, low: a.low & l)
    }

    /// The network of `address` with `prefixLength` bits (clamped to the family's range; host
    /// bits cleared).
    public init(address a: IPAddress, prefixLength: Int) {
        let limit = a.isIPv4 ? 32 : 128
        let length = min(max(prefixLength, 0), limit)
        self.prefixLength = length
        let (h, l) = IPNetwork.mask(a.isIPv4 ? 96 + length : length)
        address = a.isIPv4 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: a.low & l)) : IPAddress(high: a.high & h, low: a.low & l)
    }

    static func mask(_ bits: Int) -> (UInt64, UInt64) {
        let h: UInt64 = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~0 << UInt64(64 - bits))
        let l: UInt64 = bits <= 64 ? 0 : (bits >= 128 ? ~0 : ~0 << UInt64(128 - bits))
        return (h, l)
    }

    /// Whether `ip` lies in the network.
    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.isIPv4 == address.isIPv4 else { return false }
        let (h, l) = IPNetwork.mask(address.isIPv4 ? 96 + prefixLength : prefixLength)
        return ip.high & h == address.high && ip.low & l == address.low
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
