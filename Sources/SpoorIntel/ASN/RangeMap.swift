import SpoorCore

/// A map from every integer key to an optional value, held as sorted breakpoints: the value of
/// key `k` is `values[i]` for the last `i` with `starts[i] <= k` (-1 = none). Prefix tables
/// (nested CIDR blocks) and range files (iptoasn, RIR delegations) both become one of these,
/// so a longest-prefix match is one binary search over disjoint intervals, narrowed first by
/// a 65,537-entry index on the key's top 16 bits.
struct RangeMap<Key: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private(set) var starts: [Key] = [0]
    private(set) var values: [Int32] = [-1]
    /// `bucket[b]` = index of the interval holding key `b << (bitWidth - 16)`.
    private var bucket: [Int32] = []

    static var shift: Int { Key.bitWidth - 16 }

    /// Builds from intervals that are nested or disjoint (CIDR blocks always are): a key takes
    /// the value of the smallest interval holding it. When the same interval comes twice the
    /// later one wins (what a radix tree does when a prefix is added again). Intervals that
    /// overlap without nesting are resolved the same way by start order; callers that can
    /// produce them (range files) document it.
    init(nested input: [(start: Key, end: Key, value: Int32)]) {
        var order = Array(input.indices)
        order.sort { a, b in
            let x = input[a], y = input[b]
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return x.end > y.end }     // outer before inner
            return a < b
        }
        var out: [(Key, Int32)] = [(0, -1)]
        func emit(_ k: Key, _ v: Int32) {
            if out[out.count - 1].0 == k { out[out.count - 1].1 = v } else { out.append((k, v)) }
        }
        var stack: [(end: Key, value: Int32)] = []
        var i = 0
        while i < order.count {
            var item = input[order[i]]
            // Same interval again: the last given wins.
            while i + 1 < order.count, input[order[i + 1]].start == item.start, input[order[i + 1]].end == item.end {
                i += 1
                item = input[order[i]]
            }
            while let top = stack.last, top.end < item.start {
                stack.removeLast()
                emit(top.end + 1, stack.last?.value ?? -1)   // top.end < item.start: no overflow
            }
            emit(item.start, item.value)
            stack.append((item.end, item.value))
            i += 1
        }
        while let top = stack.popLast() {
            if top.end == Key.max { break }
            emit(top.end + 1, stack.last?.value ?? -1)
        }
        // Merge neighbours with equal values (left by overwrites).
        var s: [Key] = [], v: [Int32] = []
        s.reserveCapacity(out.count); v.reserveCapacity(out.count)
        for (k, val) in out where v.last != val { s.append(k); v.append(val) }
        starts = s
        values = v
        buildIndex()
    }

    /// Builds from precomputed breakpoints (`starts[0] == 0`, strictly increasing).
    init(starts: [Key], values: [Int32]) {
        precondition(starts.first == 0 && starts.count == values.count, "breakpoints start at 0")
        self.starts = starts
        self.values = values
        buildIndex()
    }

    private mutating func buildIndex() {
        var b = [Int32](repeating: 0, count: 65_537)
        var j = 0
        for top in 0..<65_536 {
            let key = Key(top) << Self.shift
            while j + 1 < starts.count, starts[j + 1] <= key { j += 1 }
            b[top] = Int32(j)
        }
        b[65_536] = Int32(starts.count - 1)
        bucket = b
    }

    /// The value at `key`, or -1.
    @inline(__always)
    func value(at key: Key) -> Int32 {
        let top = Int(truncatingIfNeeded: key >> Self.shift)
        return starts.withUnsafeBufferPointer { s in
            var lo = Int(bucket[top]), hi = Int(bucket[top + 1])
            // Invariant: s[lo] <= key; the answer is in lo...hi.
            while lo < hi {
                let mid = (lo + hi + 1) >> 1
                if s[mid] <= key { lo = mid } else { hi = mid - 1 }
            }
            return values[lo]
        }
    }

    /// The number of disjoint intervals (including the uncovered ones).
    var intervalCount: Int { starts.count }
}

extension IPAddress {
    /// The 128-bit key of an IPv6 address.
    var key128: UInt128 { UInt128(high) << 64 | UInt128(low) }
}
