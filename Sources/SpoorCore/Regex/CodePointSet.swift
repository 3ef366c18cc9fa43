/// A set of Unicode code points as sorted, disjoint, non-adjacent closed ranges.
struct CodePointSet: Hashable, Sendable {
    static let maximum: UInt32 = 0x10FFFF
    private(set) var ranges: [ClosedRange<UInt32>] = []

    init() {}
    init(_ ranges: [ClosedRange<UInt32>]) {
        self.ranges = ranges
        normalize()
    }
    static func single(_ c: UInt32) -> CodePointSet { CodePointSet([c...c]) }
    static var all: CodePointSet { CodePointSet([0...maximum]) }

    mutating func insert(_ r: ClosedRange<UInt32>) { ranges.append(r); normalize() }
    mutating func insert(contentsOf other: CodePointSet) { ranges += other.ranges; normalize() }

    /// Appends without normalizing; call ``normalize()`` after a batch.
    mutating func append(_ r: ClosedRange<UInt32>) { ranges.append(r) }

    mutating func normalize() {
        guard ranges.count > 1 else { return }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        out.reserveCapacity(ranges.count)
        for r in ranges {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        ranges = out
    }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(c)
    }

    var isEmpty: Bool { ranges.isEmpty }

    /// Every code point not in the set.
    func inverted() -> CodePointSet {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
            if r.upperBound == Self.maximum { next = Self.maximum + 1 }
        }
        if next <= Self.maximum { out.append(next...Self.maximum) }
        var s = CodePointSet()
        s.ranges = out
        return s
    }

    /// The set closed under simple case folding (see ``CaseFolding``).
    func caseFolded() -> CodePointSet {
        var s = self
        for (c, orbit) in CaseFolding.orbits where contains(c) {
            for o in orbit { s.ranges.append(o...o) }
        }
        s.normalize()
        return s
    }
}

/// The Unicode classes of Python's `re` for `str` patterns, which Sigma's reference tools use.
///
/// `\d` is category Nd; `\w` is every character for which `str.isalnum()` holds (letters Lu, Ll,
/// Lt, Lm, Lo and every character with a numeric type) plus `_`; `\s` is `str.isspace()`
/// (Unicode White_Space plus the separators U+001C…U+001F). The tables come from the Swift
/// runtime's Unicode data, so characters assigned after Python's Unicode version can differ.
enum UnicodeClasses {
    static let digit: CodePointSet = build { $0.properties.numericType == .decimal }
    static let word: CodePointSet = {
        var s = build { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
            default: return scalar.properties.numericType != nil
            }
        }
        s.insert(0x5F...0x5F)
        return s
    }()
    static let space = CodePointSet([0x09...0x0D, 0x1C...0x20, 0x85...0x85, 0xA0...0xA0, 0x1680...0x1680,
                                     0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000])

    /// Whether `c` is a word character for `\b` and `\w`; ASCII without a table lookup.
    @inline(__always)
    static func isWord(_ c: UInt32) -> Bool {
        if c < 0x80 { return isASCIIWord(UInt8(truncatingIfNeeded: c)) }
        return word.contains(c)
    }

    @inline(__always)
    static func isASCIIWord(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x5F
    }

    /// Planes 0–3 hold every letter and number; planes 4–16 are unassigned, tags or private use.
    private static func build(_ predicate: (Unicode.Scalar) -> Bool) -> CodePointSet {
        var s = CodePointSet()
        var start: UInt32? = nil
        for c in UInt32(0)..<0x40000 {
            let inSet = Unicode.Scalar(c).map(predicate) ?? false
            if inSet { if start == nil { start = c } } else if let b = start { s.append(b...(c - 1)); start = nil }
        }
        if let b = start { s.append(b...0x3FFFF) }
        s.normalize()
        return s
    }
}

/// Simple Unicode case folding for `(?i)`.
///
/// Two characters are equivalent when a chain of one-character lowercase or uppercase mappings
/// links them (`k`, `K`, KELVIN SIGN; `s`, `S`, LATIN SMALL LETTER LONG S). This is close to
/// Python's `re.IGNORECASE` for `str` (lowercase equality plus its table of special pairs).
/// Mappings that produce several characters (`ß` → `SS`, `İ` → `i̇`) are not used: a character
/// never matches a string of another length.
enum CaseFolding {
    /// Each cased character with the other members of its equivalence class, sorted by character.
    static let orbits: [(UInt32, [UInt32])] = {
        var parent: [UInt32: UInt32] = [:]
        func find(_ x: UInt32) -> UInt32 {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        func union(_ a: UInt32, _ b: UInt32) {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        func single(_ s: String) -> UInt32? {
            var it = s.unicodeScalars.makeIterator()
            guard let first = it.next(), it.next() == nil else { return nil }
            return first.value
        }
        // Every cased script lies in planes 0 and 1.
        for c in UInt32(0)..<0x20000 {
            guard let scalar = Unicode.Scalar(c), scalar.properties.changesWhenCaseMapped else { continue }
            if let l = single(scalar.properties.lowercaseMapping), l != c { union(c, l) }
            if let u = single(scalar.properties.uppercaseMapping), u != c { union(c, u) }
        }
        // The one simple lowercase mapping whose full mapping is longer: İ → i (i̇ in full).
        union(0x130, 0x69)
        var groups: [UInt32: [UInt32]] = [:]
        for c in parent.keys { groups[find(c), default: []].append(c) }
        var out: [(UInt32, [UInt32])] = []
        for (_, members) in groups where members.count > 1 {
            for m in members { out.append((m, members.filter { $0 != m }.sorted())) }
        }
        out.sort { $0.0 < $1.0 }
        return out
    }()

    /// The characters equivalent to `c` under case folding, including `c`.
    static func variants(of c: UInt32) -> [UInt32] {
        if c < 0x80 {
            let b = UInt8(c)
            if (b | 0x20) &- 0x61 < 26 {
                // ASCII letters: i, k and s have non-ASCII partners (İ and ı, KELVIN SIGN, LONG S).
                if b | 0x20 == 0x69 || b | 0x20 == 0x6B || b | 0x20 == 0x73 { return lookup(c) }
                return [UInt32(b | 0x20), UInt32(b & ~0x20)]
            }
            return [c]
        }
        return lookup(c)
    }

    private static func lookup(_ c: UInt32) -> [UInt32] {
        var lo = 0, hi = orbits.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if orbits[mid].0 < c { lo = mid + 1 } else { hi = mid }
        }
        if lo < orbits.count, orbits[lo].0 == c { return [c] + orbits[lo].1 }
        return [c]
    }
}
