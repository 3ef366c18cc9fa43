import Foundation

/// An interpolated Kneser–Ney character n-gram model (Kneser & Ney 1995, "Improved backing-off
/// for m-gram language modeling", ICASSP; interpolated form as in Chen & Goodman 1998, "An
/// empirical study of smoothing techniques for language modeling", Harvard TR-10-98, §2.7):
///
///     p(c | h) = max(N(h c) − D, 0) / N(h •) + D · T(h •) / N(h •) · p(c | h′)
///
/// where h′ is h without its first symbol; at the highest order N counts occurrences, below it
/// N(h c) is the continuation count (the number of distinct symbols seen before `h c`),
/// T(h •) the number of distinct symbols seen after h, and the recursion ends at the uniform
/// distribution. One discount per order, D = n₁ / (n₁ + 2 n₂) from the counts of grams seen
/// once and twice (Ney, Essen & Kneser 1994, "On structuring probabilistic dependences in
/// stochastic language modelling", the estimate Chen & Goodman use).
///
/// Symbols are `DGAModel.code` values (< 64) packed 6 bits each into a `UInt64` key with the
/// gram length on top, so lookups are integer-keyed (an open-addressing table, no strings). Only
/// the highest-order counts are stored (JSON); everything else is derived from them on load.
struct KneserNeyModel: Sendable {
    let order: Int
    /// Highest-order grams (packed, no length tag) and their counts, sorted by key.
    private(set) var grams: [UInt64]
    private(set) var counts: [Float]
    /// Derived: per order, gram → (continuation) count; context → (total, distinct followers).
    private var gramTable = PackedTable()
    private var contextTable = PackedTable()
    private(set) var discounts: [Double] = []

    static let bits: UInt64 = 6
    static let mask: UInt64 = (1 << 6) - 1

    /// `order` is clamped to 2…8 (what fits the packed keys).
    init(labels: [[Int]], order: Int) {
        let order = min(max(order, 2), 8)
        self.order = order
        var table: [UInt64: Float] = [:]
        let full: UInt64 = (1 << UInt64(order * 6)) - 1
        for codes in labels {
            var key: UInt64 = 0
            for _ in 0..<(order - 1) { key = (key << Self.bits | UInt64(DGAModel.boundary)) & full }
            for c in codes + [DGAModel.boundary] {
                key = (key << Self.bits | UInt64(c)) & full
                table[key, default: 0] += 1
            }
        }
        let sorted = table.sorted { $0.key < $1.key }
        grams = sorted.map(\.key)
        counts = sorted.map(\.value)
        derive()
    }

    init(order: Int, grams: [UInt64], counts: [Float]) {
        self.order = order
        self.grams = grams
        self.counts = counts
        derive()
    }

    static func tag(_ length: Int) -> UInt64 { UInt64(length + 1) << 58 }
    static func contextTag(_ length: Int) -> UInt64 { UInt64(length + 17) << 58 }

    /// Builds the lower orders' continuation counts, the context totals and the discounts.
    private mutating func derive() {
        var level: [UInt64: Float] = Dictionary(uniqueKeysWithValues: zip(grams, counts))
        var all: [(UInt64, Float)] = []
        var contexts: [UInt64: (Float, Float)] = [:]
        discounts = [Double](repeating: 0.75, count: order + 1)
        for k in stride(from: order, through: 1, by: -1) {
            var n1 = 0.0, n2 = 0.0
            var lower: [UInt64: Float] = [:]
            let lowMask: UInt64 = (1 << UInt64((k - 1) * 6)) - 1
            for (g, v) in level {
                all.append((Self.tag(k) | g, v))
                if v == 1 { n1 += 1 } else if v == 2 { n2 += 1 }
                let ctx = Self.contextTag(k) | (g >> Self.bits)
                let e = contexts[ctx] ?? (0, 0)
                contexts[ctx] = (e.0 + v, e.1 + 1)
                if k > 1 { lower[g & lowMask, default: 0] += 1 }   // one more distinct left extension
            }
            if n1 > 0 { discounts[k] = min(max(n1 / (n1 + 2 * n2), 0.1), 0.95) }
            level = lower
        }
        gramTable = PackedTable(all)
        contextTable = PackedTable(contexts.map { ($0.key, $0.value.0, $0.value.1) })
    }

    /// Whether the adjacent pair `a b` occurred in training (inside a label or at its edges).
    func hasSeen(_ a: Int, _ b: Int) -> Bool {
        gramTable.value(Self.tag(2) | UInt64(a) << Self.bits | UInt64(b)) > 0
    }

    /// Natural-log probabilities of each symbol of the label and of the end boundary.
    func logProbabilities(_ codes: [Int], into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        let uniform = 1 / Double(DGAModel.symbols)
        var history = [Int](repeating: DGAModel.boundary, count: order - 1)
        history.reserveCapacity(order - 1 + codes.count + 1)
        for c in codes + [DGAModel.boundary] {
            var p = uniform
            var ctx: UInt64 = 0
            // k = 1 … order: the context is the last k − 1 symbols.
            for k in 1...order {
                if k > 1 { ctx |= UInt64(history[history.count - k + 1]) << (Self.bits * UInt64(k - 2)) }
                guard let (total, types) = contextTable.pair(Self.contextTag(k) | ctx), total > 0 else { break }
                let n = gramTable.value(Self.tag(k) | (ctx << Self.bits) | UInt64(c))
                let d = discounts[k]
                p = max(Double(n) - d, 0) / Double(total) + d * Double(types) / Double(total) * p
            }
            out.append(log(max(p, 1e-12)))
            history.append(c)
        }
    }
}

extension KneserNeyModel: Hashable, Codable {
    enum CodingKeys: String, CodingKey { case order, grams, counts }

    static func == (a: Self, b: Self) -> Bool { a.order == b.order && a.grams == b.grams && a.counts == b.counts }
    func hash(into h: inout Hasher) { h.combine(order); h.combine(grams); h.combine(counts) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let order = try c.decode(Int.self, forKey: .order)
        let grams = try c.decode([UInt64].self, forKey: .grams)
        let counts = try c.decode([Float].self, forKey: .counts)
        guard (2...8).contains(order) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "n-gram model of order \(order), not 2…8"))
        }
        let full: UInt64 = (1 << UInt64(order * 6)) - 1
        guard grams.count == counts.count, grams.allSatisfy({ $0 <= full }),
              counts.allSatisfy({ $0.isFinite && $0 >= 0 }), zip(grams, grams.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "n-gram model of the wrong shape"))
        }
        self.init(order: order, grams: grams, counts: counts)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(order, forKey: .order)
        try c.encode(grams, forKey: .grams)
        try c.encode(counts, forKey: .counts)
    }
}

/// An open-addressing hash table from nonzero `UInt64` keys to one or two `Float`s (linear
/// probing, load ≤ 0.5), built once.
struct PackedTable: Sendable {
    private var keys: [UInt64] = [0]
    private var first: [Float] = [0]
    private var second: [Float] = [0]
    private var mask = 0

    init() {}

    init(_ entries: [(UInt64, Float)]) {
        self.init(entries.map { ($0.0, $0.1, 0) })
    }

    init(_ entries: [(UInt64, Float, Float)]) {
        var size = 16
        while size < entries.count * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        first = [Float](repeating: 0, count: size)
        second = [Float](repeating: 0, count: size)
        mask = size - 1
        for (k, a, b) in entries where k != 0 {
            var i = Self.slot(k) & mask
            while keys[i] != 0 && keys[i] != k { i = (i + 1) & mask }
            keys[i] = k
            first[i] = a
            second[i] = b
        }
    }

    @inline(__always)
    static func slot(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    @inline(__always)
    func find(_ k: UInt64) -> Int? {
        var i = Self.slot(k) & mask
        while true {
            let v = keys[i]
            if v == k { return i }
            if v == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    func value(_ k: UInt64) -> Float { find(k).map { first[$0] } ?? 0 }
    func pair(_ k: UInt64) -> (Float, Float)? { find(k).map { (first[$0], second[$0]) } }
}
