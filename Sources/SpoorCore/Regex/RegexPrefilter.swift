import Foundation

/// A literal every match must contain, found before the automaton runs: most log values that
/// cannot match are rejected by one `memchr`-driven scan.
///
/// Each byte carries a mask: `0x20` for an ASCII letter under `(?i)` (compared after OR-ing
/// the input byte with `0x20`), `0` for an exact byte. Case-insensitive `i`, `k` and `s` are
/// never part of the literal: they also match `İ`, `ı`, KELVIN SIGN and LONG S, which are not ASCII.
struct RegexPrefilter: Sendable {
    var bytes: [UInt8]
    var masks: [UInt8]
    /// The literal is the whole pattern: finding it is the answer.
    var isComplete: Bool

    /// The longest literal run required by `node`, or nil when there is none worth searching.
    static func extract(from node: RegexNode) -> RegexPrefilter? {
        var hasAssertion = false
        node.forEachAssertion { _ in hasAssertion = true }
        let info = analyze(node)
        if let exact = info.exact, !exact.isEmpty, !hasAssertion {
            return RegexPrefilter(bytes: exact.map(\.0), masks: exact.map(\.1), isComplete: true)
        }
        guard let best = info.best, !best.isEmpty else { return nil }
        return RegexPrefilter(bytes: best.map(\.0), masks: best.map(\.1), isComplete: false)
    }

    private typealias Literal = [(UInt8, UInt8)]
    /// `exact`: the node always matches exactly this literal. `best`: a literal inside every match.
    private struct Info { var exact: Literal?; var best: Literal? }

    private static let maximumLength = 64

    private static func longer(_ a: Literal?, _ b: Literal?) -> Literal? {
        guard let a else { return b }
        guard let b else { return a }
        return b.count > a.count ? b : a
    }

    private static func analyze(_ node: RegexNode) -> Info {
        switch node {
        case .empty, .assertion:
            return Info(exact: [], best: nil)
        case .char(let c, let caseless):
            if !caseless { let e = RegexCompiler.encode(c).map { ($0, UInt8(0)) }; return Info(exact: e, best: e) }
            let v = CaseFolding.variants(of: c)
            if v.count == 2, v.allSatisfy({ $0 < 0x80 }), v[0] | 0x20 == v[1] | 0x20 {
                let e: Literal = [(UInt8(v[0] | 0x20), 0x20)]
                return Info(exact: e, best: e)
            }
            return Info(exact: nil, best: nil)
        case .set(let set):
            let r = set.ranges
            if r.count == 1, r[0].lowerBound == r[0].upperBound {
                return analyze(.char(r[0].lowerBound, caseless: false))
            }
            // [Aa]: one ASCII letter in both cases and nothing else.
            if r.count == 2, r[0].count == 1, r[1].count == 1, r[1].lowerBound < 0x80,
               r[0].lowerBound | 0x20 == r[1].lowerBound, (r[1].lowerBound &- 0x61) < 26 {
                let e: Literal = [(UInt8(r[1].lowerBound), 0x20)]
                return Info(exact: e, best: e)
            }
            return Info(exact: nil, best: nil)
        case .concat(let items):
            var run: Literal = []
            var best: Literal? = nil
            var exactSoFar = true
            for item in items {
                let info = analyze(item)
                best = longer(best, info.best)
                if let e = info.exact, run.count + e.count <= maximumLength {
                    run += e
                } else {
                    exactSoFar = false
                    best = longer(best, run)
                    run = []
                }
            }
            best = longer(best, run)
            return Info(exact: exactSoFar ? run : nil, best: best)
        case .alternation:
            return Info(exact: nil, best: nil)
        case .repetition(let child, let minimum, let maximum):
            let info = analyze(child)
            if minimum == 0 { return Info(exact: maximum == 0 ? [] : nil, best: nil) }
            if let e = info.exact, minimum == maximum, e.count * minimum <= maximumLength {
                let repeated = Array([Literal](repeating: e, count: minimum).joined())
                return Info(exact: repeated, best: repeated)
            }
            return Info(exact: nil, best: longer(info.best, info.exact))
        }
    }

    /// Whether the literal occurs in `input`.
    func occurs(in input: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard n <= input.count, let base = input.baseAddress else { return n == 0 }
        // Anchor on the first exact byte (memchr); all-letter literals scan with the mask.
        if let k = masks.firstIndex(of: 0) {
            var from = k
            let last = input.count - (n - k) // the anchor's last possible index
            while from <= last {
                guard let hit = memchr(base + from, Int32(bytes[k]), last - from + 1) else { return false }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if matchesAt(input, at - k) { return true }
                from = at + 1
            }
            return false
        }
        let first = bytes[0]
        var i = 0
        let last = input.count - n
        while i <= last {
            if input[i] | 0x20 == first && matchesAt(input, i) { return true }
            i += 1
        }
        return false
    }

    @inline(__always)
    private func matchesAt(_ input: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        for k in 0..<bytes.count where input[at + k] | masks[k] != bytes[k] { return false }
        return true
    }
}
