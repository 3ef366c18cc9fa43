import SpoorCore

/// The origin of an address in one routing table: the AS that announced the most specific
/// prefix holding it.
public struct ASNMatch: Sendable, Hashable, CustomStringConvertible {
    /// The origin AS number (32-bit, RFC 6793).
    public var asn: UInt32
    /// The most specific prefix of the table that holds the address. For range files
    /// (iptoasn) it is the CIDR block of the range's CIDR decomposition that holds the address.
    public var prefix: IPNetwork
    /// The AS holder's name, when the source gives one (iptoasn, MMDB).
    public var organization: String?
    /// A two-letter country code, when the source gives one: iptoasn's is the AS holder's
    /// registry country; an MMDB's is its `country.iso_code` (geolocation).
    public var country: String?

    public init(asn: UInt32, prefix: IPNetwork, organization: String? = nil, country: String? = nil) {
        self.asn = asn
        self.prefix = prefix
        self.organization = organization
        self.country = country
    }

    public var description: String { "AS\(asn) \(prefix)" + (organization.map { " \($0)" } ?? "") }
}

/// Something that answers "which AS originates this address?" from one snapshot of routing data.
public protocol PrefixLookup: Sendable {
    /// The longest-prefix match for `ip`, or nil when no prefix holds it (not routed).
    func lookup(_ ip: IPAddress) -> ASNMatch?
}

/// A prefix lookup that is a snapshot taken on a known date, so that ``ASNHistory`` can pick
/// the one valid when an address was seen.
public protocol DatedPrefixLookup: PrefixLookup {
    /// A label for reports (the file name).
    var name: String { get }
    /// When the snapshot was taken (the RIB dump's time, an MMDB's `build_epoch`).
    var validFrom: Timestamp { get }
    /// Whether it holds IPv4 prefixes.
    var coversIPv4: Bool { get }
    /// Whether it holds IPv6 prefixes.
    var coversIPv6: Bool { get }
}
