import SpoorCore

/// One dated IP → origin-AS table held in memory: a pyasn `ipasn` file (RIB-derived
/// `prefix<TAB>asn` lines), an iptoasn.com TSV (`start end asn country description`), or
/// entries given in code.
///
/// Lookups are a longest-prefix match for IPv4 and IPv6. The prefixes are flattened into
/// disjoint intervals (``RangeMap``) when the table is built, so a lookup is one binary search
/// in a 16-bit bucket: about 20 comparisons on the 2014 table's ~1M intervals at worst.
///
/// ```swift
/// let t2014 = try PrefixTable.load(contentsOf: URL(fileURLWithPath: "ipasn_20140513.dat.gz"))
/// t2014.lookup(IPAddress("8.8.8.8")!)?.asn   // 15169, prefix 8.8.8.0/24
/// ```
public struct PrefixTable: DatedPrefixLookup {
    /// One prefix of a table as given to ``init(name:validFrom:entries:)``.
    public struct Entry: Sendable, Hashable {
        public var prefix: IPNetwork
        public var asn: UInt32
        public var organization: String?
        public var country: String?

        public init(prefix: IPNetwork, asn: UInt32, organization: String? = nil, country: String? = nil) {
            self.prefix = prefix
            self.asn = asn
            self.organization = organization
            self.country = country
        }
    }

    struct Stored: Sendable {
        var prefix: IPNetwork
        var asn: UInt32
        var organization: Int32   // index in `names`, -1 = none
        var country: Int32
    }

    public var name: String
    public var validFrom: Timestamp
    /// The number of prefixes (after CIDR decomposition of ranges).
    public var count: Int { stored.count }
    public private(set) var coversIPv4: Bool
    public private(set) var coversIPv6: Bool

    var stored: [Stored]
    var names: [String]
    var v4: RangeMap<UInt32>
    var v6: RangeMap<UInt128>

    /// Builds a table from entries. When a prefix is given twice the later entry wins.
    public init(name: String = "entries", validFrom: Timestamp = Timestamp(microseconds: 0), entries: [Entry]) {
        var names: [String] = [], index: [String: Int32] = [:]
        func intern(_ s: String?) -> Int32 {
            guard let s else { return -1 }
            if let i = index[s] { return i }
            names.append(s)
            index[s] = Int32(names.count - 1)
            return Int32(names.count - 1)
        }
        let stored = entries.map { Stored(prefix: $0.prefix, asn: $0.asn, organization: intern($0.organization), country: intern($0.country)) }
        self.init(name: name, validFrom: validFrom, stored: stored, names: names)
    }

    init(name: String, validFrom: Timestamp, stored: [Stored], names: [String]) {
        self.name = name
        self.validFrom = validFrom
        self.stored = stored
        self.names = names
        var four: [(start: UInt32, end: UInt32, value: Int32)] = []
        var six: [(start: UInt128, end: UInt128, value: Int32)] = []
        four.reserveCapacity(stored.count)
        for (i, e) in stored.enumerated() {
            let a = e.prefix.address
            if a.isIPv4 {
                let start = UInt32(truncatingIfNeeded: a.low)
                let size = e.prefix.prefixLength == 0 ? UInt32.max : (UInt32(1) << UInt32(32 - e.prefix.prefixLength)) - 1
                four.append((start, start | size, Int32(i)))
            } else {
                let start = a.key128
                let size = e.prefix.prefixLength == 0 ? UInt128.max : (UInt128(1) << UInt128(128 - e.prefix.prefixLength)) - 1
                six.append((start, start | size, Int32(i)))
            }
        }
        v4 = RangeMap(nested: four)
        v6 = RangeMap(nested: six)
        coversIPv4 = !four.isEmpty
        coversIPv6 = !six.isEmpty
    }

    public func lookup(_ ip: IPAddress) -> ASNMatch? {
        let i = ip.isIPv4 ? v4.value(at: UInt32(truncatingIfNeeded: ip.low)) : v6.value(at: ip.key128)
        guard i >= 0 else { return nil }
        let e = stored[Int(i)]
        return ASNMatch(asn: e.asn, prefix: e.prefix,
                        organization: e.organization >= 0 ? names[Int(e.organization)] : nil,
                        country: e.country >= 0 ? names[Int(e.country)] : nil)
    }

    /// The origin AS alone, without building an ``ASNMatch`` (for hot loops).
    public func originASN(_ ip: IPAddress) -> UInt32? {
        let i = ip.isIPv4 ? v4.value(at: UInt32(truncatingIfNeeded: ip.low)) : v6.value(at: ip.key128)
        return i >= 0 ? stored[Int(i)].asn : nil
    }

    /// Every entry, in the order loaded.
    public var entries: [Entry] {
        stored.map { Entry(prefix: $0.prefix, asn: $0.asn,
                           organization: $0.organization >= 0 ? names[Int($0.organization)] : nil,
                           country: $0.country >= 0 ? names[Int($0.country)] : nil) }
    }
}
