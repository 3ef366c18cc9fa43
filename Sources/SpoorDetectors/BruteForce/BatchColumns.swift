import SpoorCore
import SpoorEvents

/// A detector's own dense string ids (0 = none), stable across the pages it observes.
///
/// Each ``EventBatch`` has its own symbol table, so a page's symbols are translated once per
/// page and distinct symbol (``PageSymbols``), never once per row. Shared by the host detectors
/// (brute force, DGA, rare process pairs).
struct DetectorStrings: Sendable {
    private(set) var strings: [String] = [""]
    private var ids: [String: UInt32] = [:]

    mutating func id(_ s: String) -> UInt32 {
        if let i = ids[s] { return i }
        let i = UInt32(strings.count)
        strings.append(s)
        ids[s] = i
        return i
    }

    func lookup(_ s: String) -> UInt32? { ids[s] }

    subscript(_ i: UInt32) -> String { strings[Int(i)] }

    var count: Int { strings.count }
}

/// One page's symbol → detector id translation for one way of normalising a value (a cache as
/// long as the page's symbol table; filled on first use of each symbol).
struct PageSymbols {
    private var map: [UInt32]
    private let normalise: (String) -> String?

    /// `normalise` returns nil for values to treat as absent (`-`, empty).
    init(_ batch: EventBatch, normalise: @escaping (String) -> String?) {
        map = [UInt32](repeating: .max, count: batch.symbols.count + 1)
        self.normalise = normalise
    }

    /// The detector id of page symbol `s` (0 when absent or normalised away).
    @inline(__always)
    mutating func id(_ s: UInt32, _ batch: EventBatch, _ strings: inout DetectorStrings) -> UInt32 {
        guard s != 0 else { return 0 }
        let k = Int(s)
        if k < map.count, map[k] != .max { return map[k] }
        var v: UInt32 = 0
        if let text = batch.symbols.string(s), let n = normalise(text) { v = strings.id(n) }
        if k < map.count { map[k] = v }
        return v
    }
}

/// Column lookups a detector does once per page.
enum PageColumns {
    /// A looked-up DNS name as the DNS detectors key it: lower case, trailing dots dropped; nil
    /// for what is no name to score (empty, `-`, reverse lookups under `.arpa`, addresses).
    static func lookupName(_ s: String) -> String? {
        var n = s.lowercased()
        while n.hasSuffix(".") { n.removeLast() }
        if n.isEmpty || n == "-" || n.hasSuffix(".arpa") || IPAddress(n) != nil { return nil }
        return n
    }

    /// The column index of `name` if it exists with `kind`.
    static func index(_ batch: EventBatch, _ name: String, _ kind: FieldKind) -> Int? {
        guard let c = batch.columnIndex[name], batch.columns[c].kind == kind else { return nil }
        return c
    }

    /// Whether row `r` of the list column `c` holds `symbol`.
    @inline(__always)
    static func list(_ col: Column, _ r: Int, contains symbol: UInt32) -> Bool {
        guard r < col.listStarts.count - 1 else { return false }
        let lo = Int(col.listStarts[r]), hi = Int(col.listStarts[r + 1])
        var i = lo
        while i < hi {
            if col.listSymbols[i] == symbol { return true }
            i += 1
        }
        return false
    }

    /// `s` lower-cased, or nil when empty or `-` (how logs write "no value").
    static func lowercasedValue(_ s: String) -> String? {
        s.isEmpty || s == "-" ? nil : s.lowercased()
    }

    /// `s` as written, or nil when empty or `-`.
    static func value(_ s: String) -> String? {
        s.isEmpty || s == "-" ? nil : s
    }
}

/// Caps an evidence list: the ids once each, ascending, at most `limit`.
func cappedEvidence(_ ids: [Int64], limit: Int) -> [Int64] {
    Array(Set(ids).sorted().prefix(limit))
}
