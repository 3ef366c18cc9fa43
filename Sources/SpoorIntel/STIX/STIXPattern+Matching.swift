import SpoorCore

extension STIXPattern {
    /// The most partial matches kept per sub-expression; beyond it, further combinations are
    /// dropped (a pattern over thousands of observations with `REPEATS` would otherwise explode).
    static let maximumBindings = 4096

    /// Whether the pattern matches the observations (in any order; time comes from each one).
    ///
    /// Semantics (STIX 2.1 §9.5, choices in Docs/Intel-STIX.md): `[…]` matches one observation in
    /// which one object satisfies the comparison expression (comparisons joined by `AND` hold on
    /// the same object); observation expressions joined by `AND` and `FOLLOWEDBY` are satisfied
    /// by distinct observations, `FOLLOWEDBY` with the left side's latest time at or before the
    /// right side's earliest; `WITHIN n SECONDS` bounds the span of a match (inclusive);
    /// `REPEATS n TIMES` needs n matches on pairwise distinct observations; `START a STOP b` keeps
    /// matches whose observations all lie in [a, b).
    public func matches(_ observations: [STIXObservation]) -> Bool {
        !STIXMatcher(observations: observations).bindings(expression).isEmpty
    }
}

/// One way a part of the pattern is satisfied: the observations used (sorted indexes).
struct STIXBinding: Hashable {
    var observations: [Int]
    var first: Int64
    var last: Int64

    func isDisjoint(from o: STIXBinding) -> Bool {
        var i = 0, j = 0
        while i < observations.count, j < o.observations.count {
            if observations[i] == o.observations[j] { return false }
            if observations[i] < o.observations[j] { i += 1 } else { j += 1 }
        }
        return true
    }

    func union(_ o: STIXBinding) -> STIXBinding {
        STIXBinding(observations: (observations + o.observations).sorted(), first: min(first, o.first), last: max(last, o.last))
    }
}

struct STIXMatcher {
    let observations: [STIXObservation]

    func bindings(_ e: STIXObservationExpression) -> [STIXBinding] {
        switch e {
        case .observation(let c):
            var out: [STIXBinding] = []
            for (i, o) in observations.enumerated() where o.objects.contains(where: { evaluate(c, on: $0, in: o) }) {
                out.append(STIXBinding(observations: [i], first: o.time.microseconds, last: o.time.microseconds))
            }
            return out
        case .or(let parts):
            var seen = Set<STIXBinding>(), out: [STIXBinding] = []
            for p in parts { for b in bindings(p) where seen.insert(b).inserted && out.count < STIXPattern.maximumBindings { out.append(b) } }
            return out
        case .and(let parts):
            return combine(parts) { _, _ in true }
        case .followedBy(let parts):
            return combine(parts) { left, right in left.last <= right.first }
        case .qualified(let inner, let q):
            let base = bindings(inner)
            switch q {
            case .within(let seconds):
                let limit = Int64((seconds * 1_000_000).rounded())
                return base.filter { $0.last - $0.first <= limit }
            case .startStop(let start, let stop):
                return base.filter { $0.first >= start.microseconds && $0.last < stop.microseconds }
            case .repeats(let n):
                var out: [STIXBinding] = []
                var seen = Set<STIXBinding>()
                func pick(_ from: Int, _ acc: STIXBinding?, _ left: Int) {
                    if out.count >= STIXPattern.maximumBindings { return }
                    if left == 0 { if let acc, seen.insert(acc).inserted { out.append(acc) }; return }
                    guard from < base.count, base.count - from >= left else { return }
                    for k in from..<base.count {
                        let b = base[k]
                        if let acc, !acc.isDisjoint(from: b) { continue }
                        pick(k + 1, acc.map { $0.union(b) } ?? b, left - 1)
                        if out.count >= STIXPattern.maximumBindings { return }
                    }
                }
                pick(0, nil, n)
                return out
            }
        }
    }

    /// Left-to-right combination of the parts' bindings on distinct observations.
    func combine(_ parts: [STIXObservationExpression], _ ordered: (STIXBinding, STIXBinding) -> Bool) -> [STIXBinding] {
        guard var acc = parts.first.map({ bindings($0) }) else { return [] }
        for p in parts.dropFirst() {
            let right = bindings(p)
            var next: [STIXBinding] = []
            var seen = Set<STIXBinding>()
            outer: for l in acc {
                for r in right where l.isDisjoint(from: r) && ordered(l, r) {
                    let u = l.union(r)
                    if seen.insert(u).inserted { next.append(u) }
                    if next.count >= STIXPattern.maximumBindings { break outer }
                }
            }
            acc = next
            if acc.isEmpty { return [] }
        }
        return acc
    }

    // MARK: Comparison expressions on one object

    func evaluate(_ c: STIXComparisonExpression, on object: STIXCyberObject, in observation: STIXObservation) -> Bool {
        switch c {
        case .and(let parts): return parts.allSatisfy { evaluate($0, on: object, in: observation) }
        case .or(let parts): return parts.contains { evaluate($0, on: object, in: observation) }
        case .test(let t):
            guard t.path.objectType == object.type else { return false }
            let values = resolve(t.path, object, observation)
            if t.op == .exists { return values.isEmpty == t.isNegated }
            // A comparison on a property that is absent is false, with or without NOT (§9.6).
            return values.contains { v in
                guard let r = STIXMatcher.compare(v, t) else { return false }
                return r != t.isNegated
            }
        }
    }

    func resolve(_ path: STIXObjectPath, _ object: STIXCyberObject, _ observation: STIXObservation) -> [STIXValue] {
        var current: [STIXValue] = [.dictionary(object.properties)]
        for step in path.steps {
            var next: [STIXValue] = []
            for v in current {
                switch step {
                case .property(let name):
                    var dict: [String: STIXValue]?
                    switch v {
                    case .dictionary(let d): dict = d
                    case .ref(let id): dict = observation.object(id: id)?.properties
                    default: dict = nil
                    }
                    guard let dict else { continue }
                    if let x = dict[name] { next.append(x) }
                    // Hash names are case-insensitive in practice (`hashes.md5` in the STIX
                    // examples' apt1.json, `MD5` in the hashing-algorithm vocabulary).
                    else if let x = dict.first(where: { $0.key.lowercased() == name.lowercased() })?.value { next.append(x) }
                case .index(let n):
                    if case .list(let a) = v, n < a.count { next.append(a[n]) }
                case .anyIndex:
                    if case .list(let a) = v { next.append(contentsOf: a) }
                }
            }
            current = next
        }
        return current
    }

    /// The operator's verdict before NOT; nil when the value and constant cannot be compared.
    static func compare(_ v: STIXValue, _ t: STIXPropertyTest) -> Bool? {
        switch t.op {
        case .equal: return equal(v, t.constant, path: t.path)
        case .notEqual: return equal(v, t.constant, path: t.path).map { !$0 }
        case .greater: return order(v, t.constant, path: t.path).map { $0 > 0 }
        case .less: return order(v, t.constant, path: t.path).map { $0 < 0 }
        case .greaterOrEqual: return order(v, t.constant, path: t.path).map { $0 >= 0 }
        case .lessOrEqual: return order(v, t.constant, path: t.path).map { $0 <= 0 }
        case .in:
            guard case .set(let items) = t.constant else { return nil }
            var comparable = false
            for item in items {
                if let r = equal(v, item, path: t.path) { comparable = true; if r { return true } }
            }
            return comparable ? false : nil
        case .like:
            guard case .string(let s) = v, case .string(let p) = t.constant else { return nil }
            return like(Array(s.unicodeScalars), Array(p.unicodeScalars))
        case .matches:
            guard case .string(let s) = v, let re = t.regex?.regex else { return nil }
            return re.matches(s)
        case .isSubset, .isSuperset:
            guard case .string(let s) = v, case .string(let c) = t.constant,
                  let value = IPNetwork(s), let constant = IPNetwork(c) else { return nil }
            return t.op == .isSubset ? subset(value, of: constant) : subset(constant, of: value)
        case .exists: return true
        }
    }

    static func subset(_ a: IPNetwork, of b: IPNetwork) -> Bool {
        a.address.isIPv4 == b.address.isIPv4 && a.prefixLength >= b.prefixLength && b.contains(a.address)
    }

    static func equal(_ v: STIXValue, _ c: STIXConstant, path: STIXObjectPath) -> Bool? {
        let objectType = path.objectType
        switch (v, c) {
        case (.string(let a), .string(let b)):
            // Addresses compare as networks, so '10.0.0.1' equals '10.0.0.1/32' (§6.4/6.5 allow both forms).
            if objectType == "ipv4-addr" || objectType == "ipv6-addr", let x = IPNetwork(a), let y = IPNetwork(b) { return x == y }
            return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .binary(let b)): return decodeBinary(a, path: path) == b
        case (.string(let a), .timestamp(let t)): return parseTime(a).map { $0 == t }
        default:
            if let o = order(v, c, path: path) { return o == 0 }
            return nil
        }
    }

    /// -1, 0, 1; nil when not comparable.
    static func order(_ v: STIXValue, _ c: STIXConstant, path: STIXObjectPath) -> Int? {
        func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (v, c) {
        case (.int(let a), .int(let b)): return cmp(a, b)
        case (.int(let a), .double(let b)): return cmp(Double(a), b)
        case (.double(let a), .int(let b)): return cmp(a, Double(b))
        case (.double(let a), .double(let b)): return cmp(a, b)
        case (.string(let a), .string(let b)):
            // Code point order (§9.6 "strings are compared by code point").
            return lexicographic(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
        case (.string(let a), .timestamp(let t)): return parseTime(a).map { cmp($0, t) }
        case (.string(let a), .binary(let b)): return decodeBinary(a, path: path).map { lexicographic($0, b) }
        default: return nil
        }
    }

    static func lexicographic<T: Comparable>(_ a: [T], _ b: [T]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
    }

    static func parseTime(_ s: String) -> Timestamp? {
        let bytes = Array(s.utf8)
        guard let p = TimestampText.parseISO8601(bytes.span), p.length == bytes.count else { return nil }
        return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000)
    }

    /// A binary property's bytes. STIX names `hex` properties `*_hex` and `binary` (base64)
    /// properties `*_bin` (§2.4, §2.7); other names try base64, then hex.
    static func decodeBinary(_ s: String, path: STIXObjectPath) -> [UInt8]? {
        let name: String? = path.steps.last.flatMap { if case .property(let p) = $0 { p } else { nil } }
        if !(name?.hasSuffix("_hex") ?? false), let b = Base64.decode(s) { return b }
        if name?.hasSuffix("_bin") ?? false { return nil }
        let bytes = Array(s.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var k = 0
        while k < bytes.count {
            guard let hi = STIXPatternParser.hexValue(bytes[k]), let lo = STIXPatternParser.hexValue(bytes[k + 1]) else { return nil }
            out.append(hi << 4 | lo); k += 2
        }
        return out
    }

    /// SQL LIKE (§9.6): `%` any run of characters, `_` exactly one; no escape character. Linear
    /// greedy matching with backtracking to the last `%` only.
    static func like(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
        var i = 0, j = 0
        var star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == "_" || (p[j] != "%" && p[j] == s[i]) { i += 1; j += 1 }
            else if j < p.count, p[j] == "%" { star = j; mark = i; j += 1 }
            else if star >= 0 { j = star + 1; mark += 1; i = mark }
            else { return false }
        }
        while j < p.count, p[j] == "%" { j += 1 }
        return j == p.count
    }
}
