import SpoorIndicators

/// The one table between MISP attribute types and ``IndicatorKind`` (MISP core format,
/// draft-dulaunoy-misp-core-format §2.3 "type"; the type list of MISP's `describeTypes.json`).
///
/// A composite type (`a|b`) has its value split at the first `|`; each part maps by its own
/// type and parts that are not indicators (`filename`, `port`) are dropped, so `filename|md5`
/// gives the MD5 and `domain|ip` gives both the domain and the address.
public enum MISPTypeMapping {
    /// MISP type → kind. `ip-*` map to ``IndicatorKind/ipv4`` or ``IndicatorKind/ipv6`` by the
    /// value's family (see ``kind(for:value:)``).
    public static let table: [String: IndicatorKind] = [
        "ip-src": .ipv4, "ip-dst": .ipv4, "ip": .ipv4,
        "domain": .domain, "hostname": .domain,
        "url": .url, "uri": .url, "link": .url,
        "email": .email, "email-src": .email, "email-dst": .email, "email-reply-to": .email, "target-email": .email,
        "md5": .md5, "sha1": .sha1, "sha256": .sha256, "sha512": .sha512,
        "regkey": .registryKey,
        "vulnerability": .cve,
        "AS": .asn,
        "btc": .cryptoAddress, "xmr": .cryptoAddress, "dash": .cryptoAddress, "bic": .cryptoAddress,
        "target-user": .userAccount, "github-username": .userAccount,
    ]

    /// Types kept out of facts even though they map: `link` is a reference to a report page,
    /// not an indicator of the attack.
    static let contextOnly: Set<String> = ["link"]

    /// The kind of one (non-composite) type for a value; nil when it is not an indicator.
    public static func kind(for type: String, value: String) -> IndicatorKind? {
        guard !contextOnly.contains(type), var kind = table[type] else { return nil }
        if kind == .ipv4, value.contains(":") { kind = .ipv6 }
        return kind
    }

    /// The indicators one attribute names, canonical; values that are not valid are dropped.
    static func indicators(type: String, value: String) -> [Indicator] {
        let types = type.split(separator: "|", maxSplits: 1).map(String.init)
        let values = types.count == 2 ? value.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init) : [value]
        guard values.count == types.count else { return [] }
        var out: [Indicator] = []
        for (t, v) in zip(types, values) {
            // `ip-dst|port` and `hostname|port` put the port in the second part; `regkey|value`
            // the registry value data, which is not an indicator.
            guard let k = kind(for: t, value: v), let i = IntelCanonical.indicator(v, kind: k) else { continue }
            out.append(i)
        }
        return out
    }

    /// Kind → (MISP type, category) for export.
    public static func exportType(for kind: IndicatorKind, value: String) -> (type: String, category: String)? {
        switch kind {
        case .ipv4, .ipv6: ("ip-dst", "Network activity")
        case .domain: ("domain", "Network activity")
        case .url: ("url", "Network activity")
        case .email: ("email-src", "Payload delivery")
        case .md5: ("md5", "Payload delivery")
        case .sha1: ("sha1", "Payload delivery")
        case .sha256: ("sha256", "Payload delivery")
        case .sha512: ("sha512", "Payload delivery")
        case .registryKey: ("regkey", "Persistence mechanism")
        case .cve: ("vulnerability", "External analysis")
        case .asn: ("AS", "Network activity")
        case .cryptoAddress: ("btc", "Financial fraud")
        case .userAccount: ("target-user", "Targeting data")
        case .windowsPath, .unixPath: ("filename", "Artifacts dropped")
        // Credentials are never exported: the value is a hash of a secret and MISP has no type for it.
        case .credential: nil
        }
    }
}
