import SpoorCore

/// Several dated prefix tables at once, so that each sighting gets the origin AS from the
/// routing table valid when it was seen.
///
/// Policy (per address family, because an IPv4-only table says nothing about IPv6):
/// - the table used is the latest whose ``DatedPrefixLookup/validFrom`` is at or before the
///   sighting's time, among the tables that hold prefixes of the address's family;
/// - a sighting earlier than every such table gets the earliest one, and the answer says so
///   (``Answer/isBeforeFirstTable``): routing before the first snapshot is unknown, the
///   earliest snapshot is the best guess, and the caller can decide to distrust it;
/// - tables with the same date: the one given last wins;
/// - only the chosen table answers: an address it does not route gets no answer, even if an
///   older or newer table routes it (the address was not announced then, as far as we know).
public struct ASNHistory: Sendable {
    /// An answer with where it came from.
    public struct Answer: Sendable, Hashable {
        public var match: ASNMatch
        /// The chosen table's date.
        public var tableDate: Timestamp
        /// The chosen table's name.
        public var tableName: String
        /// True when the sighting is older than every table of its family.
        public var isBeforeFirstTable: Bool
    }

    /// The tables, oldest first (stable for equal dates).
    public let tables: [any DatedPrefixLookup]
    private let v4: [Int]   // indices in `tables`, oldest first
    private let v6: [Int]

    public init(tables: [any DatedPrefixLookup]) {
        let order = tables.indices.sorted { a, b in
            tables[a].validFrom != tables[b].validFrom ? tables[a].validFrom < tables[b].validFrom : a < b
        }
        let sorted = order.map { tables[$0] }
        self.tables = sorted
        v4 = sorted.indices.filter { sorted[$0].coversIPv4 }
        v6 = sorted.indices.filter { sorted[$0].coversIPv6 }
    }

    /// The index in ``tables`` of the table valid at `time` for `ip`'s family, and whether
    /// `time` is before all of them; nil when no table holds that family.
    public func tableIndex(for ip: IPAddress, at time: Timestamp) -> (index: Int, isBeforeFirstTable: Bool)? {
        let candidates = ip.isIPv4 ? v4 : v6
        guard let first = candidates.first else { return nil }
        // Last candidate with validFrom <= time (binary search: a case can hold years of tables).
        var lo = 0, hi = candidates.count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if tables[candidates[mid]].validFrom <= time { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found < 0 ? (first, true) : (candidates[found], false)
    }

    /// The origin AS of `ip` at `time`, with the date of the table that said so.
    public func lookup(_ ip: IPAddress, at time: Timestamp) -> (match: ASNMatch, tableDate: Timestamp)? {
        guard let a = answer(ip, at: time) else { return nil }
        return (a.match, a.tableDate)
    }

    /// ``lookup(_:at:)`` with the table's name and whether the time was before every table.
    public func answer(_ ip: IPAddress, at time: Timestamp) -> Answer? {
        guard let (i, before) = tableIndex(for: ip, at: time), let m = tables[i].lookup(ip) else { return nil }
        return Answer(match: m, tableDate: tables[i].validFrom, tableName: tables[i].name, isBeforeFirstTable: before)
    }
}
