import SpoorCore

/// What an indicator is, named as STIX 2.1 cyber-observables name them (STIX 2.1 §6, the
/// `object-type:property` of a pattern's object path) where STIX has a name, and with the
/// `x-` prefix STIX reserves for custom kinds (§11.1) where it has none.
public enum IndicatorKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// An IPv4 address or, with a `/`, a CIDR block (STIX `ipv4-addr:value` holds both).
    case ipv4 = "ipv4-addr"
    /// An IPv6 address or CIDR block, in RFC 5952 form.
    case ipv6 = "ipv6-addr"
    /// A fully qualified domain name under a public suffix, lower case, no trailing dot.
    case domain = "domain-name"
    case url = "url"
    case email = "email-addr"
    case md5 = "file:hashes.MD5"
    case sha1 = "file:hashes.SHA-1"
    case sha256 = "file:hashes.SHA-256"
    case sha512 = "file:hashes.SHA-512"
    /// A Windows file path (`C:\…`, `\\server\share\…`, `%APPDATA%\…`).
    case windowsPath = "x-windows-path"
    /// A Unix file path (`/tmp/…`).
    case unixPath = "x-unix-path"
    /// A registry key (`HKLM\Software\…`), hive names in their long form.
    case registryKey = "windows-registry-key"
    /// A CVE identifier (`CVE-2021-44228`), upper case.
    case cve = "vulnerability"
    /// An autonomous system number, as `AS64496` text.
    case asn = "autonomous-system"
    /// A cryptocurrency address (Bitcoin, Ethereum, Monero, …).
    case cryptoAddress = "x-cryptocurrency-address"
    /// A user account name (`DOMAIN\user` kept whole, `user@realm`).
    case userAccount = "user-account"
    /// A credential (`user:password`, `password=` in a command line or URL). The value is
    /// never the password in clear: it is `user:sha256(password)` truncated, see ``Indicator/credential(user:secret:)``.
    case credential = "x-credential"

    public static func < (a: IndicatorKind, b: IndicatorKind) -> Bool { a.rawValue < b.rawValue }

    /// True for the kinds that are addresses on the network (IPs, CIDR blocks).
    public var isAddress: Bool { self == .ipv4 || self == .ipv6 }
    /// True for file hashes.
    public var isHash: Bool { self == .md5 || self == .sha1 || self == .sha256 || self == .sha512 }
}

/// One indicator: its kind and its value in canonical form (lower-case hashes and domains,
/// compressed IPv6, refanged URLs), so that equal indicators compare equal.
public struct Indicator: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: IndicatorKind
    public var value: String

    public init(kind: IndicatorKind, value: String) {
        self.kind = kind
        self.value = value
    }

    public static func < (a: Indicator, b: Indicator) -> Bool {
        a.kind != b.kind ? a.kind < b.kind : a.value < b.value
    }

    public var description: String { "\(kind.rawValue):\(value)" }
}

/// Where an indicator was seen (the "disk, memory, network").
public enum SightingPlace: String, Sendable, Hashable, Codable, CaseIterable {
    /// A file on a host: a path, a file hash from a file event, a registry value.
    case disk
    /// A running program: a process image, a loaded module, a command line.
    case memory
    /// On the wire: a flow, a DNS query or answer, an HTTP request, a TLS handshake.
    case network
    /// In a log's free text, where the record says nothing more precise.
    case log
}

/// The part an indicator played where it was seen.
public enum SightingRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// It started the exchange (a flow's originator, a mail's sender, a logon's source).
    case source
    /// It was the target (a flow's responder, a name looked up, a URL requested).
    case destination
    /// It relayed the exchange for someone else (a proxy, a forwarding resolver, a NAT).
    case passThrough = "pass-through"
    /// The record does not say.
    case unknown
}
