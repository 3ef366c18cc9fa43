/// Parses the PCRE subset Sigma allows into a ``RegexNode`` tree.
///
/// Syntax follows Python's `re` (the reference Sigma tools use) where PCRE and Python agree,
/// and accepts a few PCRE spellings Python lacks (`(?<name>…)`, `\x{HHHH}`, `\z`, `\e`,
/// `\Q…\E`, inline flags after the start, scoped to the rest of their group as in PCRE).
/// Constructs that need backtracking are rejected with ``RegexError/Code-swift.struct/unsupported``.
struct RegexParser {
    struct Flags {
        var ignoreCase = false
        var multiline = false
        var dotAll = false
        var verbose = false
    }

    /// Repetition counts above this are rejected, so `{n,m}` cannot blow up the program.
    static let maximumRepetition = 1000
    /// Groups nested deeper than this are rejected (the parser and compiler recurse).
    static let maximumDepth = 250

    private let s: [UInt32]
    private var i = 0

    init(_ pattern: String) {
        s = pattern.unicodeScalars.map(\.value)
    }

    static func parse(_ pattern: String, flags: Flags) throws(RegexError) -> RegexNode {
        var p = RegexParser(pattern)
        var f = flags
        let node = try p.parseAlternation(&f, depth: 0)
        if p.i < p.s.count {
            // Only an unmatched ")" stops the top level early.
            throw RegexError(.syntax, at: p.i, "unbalanced parenthesis")
        }
        return node
    }

    // MARK: - Scanning helpers

    private var atEnd: Bool { i >= s.count }
    private func peek(_ k: Int = 0) -> UInt32? { i + k < s.count ? s[i + k] : nil }
    private func isChar(_ c: Character, _ k: Int = 0) -> Bool {
        guard let v = peek(k) else { return false }
        return v == c.unicodeScalars.first!.value // Character literals here are single ASCII scalars.
    }
    private static func ascii(_ c: Character) -> UInt32 { c.unicodeScalars.first!.value } // single-scalar literals only

    private static func isDigit(_ c: UInt32?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    private static func isOctal(_ c: UInt32?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x37 } ?? false }
    private static func hexValue(_ c: UInt32?) -> UInt32? {
        guard let c else { return nil }
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x57
        case 0x41...0x46: return c - 0x37
        default: return nil
        }
    }
    private static func isASCIILetter(_ c: UInt32) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// In verbose mode, skips whitespace and `#` comments between tokens.
    private mutating func skipVerbose(_ f: Flags) {
        guard f.verbose else { return }
        while let c = peek() {
            if c == 0x20 || (c >= 0x09 && c <= 0x0D) { i += 1 }
            else if c == 0x23 { while let d = peek(), d != 0x0A { i += 1 }; if !atEnd { i += 1 } }
            else { break }
        }
    }

    // MARK: - Structure

    private mutating func parseAlternation(_ f: inout Flags, depth: Int) throws(RegexError) -> RegexNode {
        guard depth <= Self.maximumDepth else {
            throw RegexError(.tooLarge, at: i, "groups nested deeper than \(Self.maximumDepth)")
        }
        var alternatives: [RegexNode] = []
        var sequence: [RegexNode] = []
        func flush() {
            alternatives.append(sequence.count == 1 ? sequence[0] : (sequence.isEmpty ? .empty : .concat(sequence)))
            sequence = []
        }
        while true {
            skipVerbose(f)
            guard let c = peek() else { break }
            if c == Self.ascii("|") { i += 1; flush(); continue }
            if c == Self.ascii(")") { break }
            let start = i
            guard let atom = try parseAtom(&f, depth: depth) else { continue }
            let quantified = try parseQuantifiers(atom, atomStart: start, f)
            sequence.append(quantified)
        }
        flush()
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    /// Reads `*`, `+`, `?`, `{n}`, `{n,}`, `{,m}`, `{n,m}` and a lazy `?` after the atom.
    private mutating func parseQuantifiers(_ atom: RegexNode, atomStart: Int, _ f: Flags) throws(RegexError) -> RegexNode {
        skipVerbose(f)
        let qStart = i
        guard let (minimum, maximum) = try readQuantifier() else { return atom }
        // A bare assertion cannot be repeated (Python); a group holding one can, `(?:^)+`.
        if case .assertion = atom, s[atomStart] != Self.ascii("(") { throw RegexError(.syntax, at: qStart, "nothing to repeat") }
        // A lazy quantifier matches the same strings as a greedy one; only the extent differs.
        if isChar("?") { i += 1 } else if isChar("+") {
            throw RegexError(.unsupported, at: i, "possessive quantifier needs backtracking")
        }
        skipVerbose(f)
        let after = i
        if let _ = try readQuantifier() { throw RegexError(.syntax, at: after, "multiple repeat") }
        return .repetition(atom, min: minimum, max: maximum)
    }

    /// A quantifier at `i`, consumed, or nil (nothing consumed) when there is none. `{` that
    /// does not form a quantifier is a literal, as in Python.
    private mutating func readQuantifier() throws(RegexError) -> (Int, Int?)? {
        guard let c = peek() else { return nil }
        switch c {
        case Self.ascii("*"): i += 1; return (0, nil)
        case Self.ascii("+"): i += 1; return (1, nil)
        case Self.ascii("?"): i += 1; return (0, 1)
        case Self.ascii("{"):
            let here = i
            var k = i + 1
            func number(_ k: inout Int) -> (Int, Bool)? {
                var v = 0, any = false, over = false
                while k < s.count, Self.isDigit(s[k]) {
                    any = true
                    if v > 1_000_000 { over = true } else { v = v * 10 + Int(s[k] - 0x30) }
                    k += 1
                }
                return any ? (v, over) : nil
            }
            let lo = number(&k)
            var hi: (Int, Bool)?? = .none
            if k < s.count, s[k] == Self.ascii(",") {
                k += 1
                hi = .some(number(&k))
            }
            guard k < s.count, s[k] == Self.ascii("}"), !(lo == nil && hi == nil) else { return nil }
            let minimum = lo?.0 ?? 0
            let maximum: Int?
            switch hi {
            case .none: maximum = minimum
            case .some(.none): maximum = nil
            case .some(.some(let h)): maximum = h.0
            }
            if (lo?.1 ?? false) || minimum > Self.maximumRepetition || (maximum ?? 0) > Self.maximumRepetition {
                throw RegexError(.tooLarge, at: here, "repetition count above \(Self.maximumRepetition)")
            }
            if let maximum, maximum < minimum {
                throw RegexError(.syntax, at: here, "minimum repeat count greater than maximum")
            }
            i = k + 1
            return (minimum, maximum)
        default: return nil
        }
    }

    /// One atom, or nil for a construct that matches nothing by itself (a comment, a flag setting).
    private mutating func parseAtom(_ f: inout Flags, depth: Int) throws(RegexError) -> RegexNode? {
        let start = i
        let c = s[i]
        switch c {
        case Self.ascii("("):
            return try parseGroup(&f, depth: depth)
        case Self.ascii("["):
            i += 1
            return .set(try parseClass(f, start: start))
        case Self.ascii("."):
            i += 1
            return .set(f.dotAll ? .all : CodePointSet([0...0x09, 0x0B...CodePointSet.maximum]))
        case Self.ascii("^"):
            i += 1
            return .assertion(f.multiline ? .startLine : .startText)
        case Self.ascii("$"):
            i += 1
            return .assertion(f.multiline ? .endLine : .endTextOrFinalNewline)
        case Self.ascii("*"), Self.ascii("+"), Self.ascii("?"):
            throw RegexError(.syntax, at: start, "nothing to repeat")
        case Self.ascii("{"):
            if (try readQuantifier()) != nil { throw RegexError(.syntax, at: start, "nothing to repeat") }
            i += 1
            return literal(c, f)
        case Self.ascii("\\"):
            return try parseEscape(f)
        default:
            i += 1
            return literal(c, f)
        }
    }

    private func literal(_ c: UInt32, _ f: Flags) -> RegexNode {
        guard f.ignoreCase else { return .char(c, caseless: false) }
        let variants = CaseFolding.variants(of: c)
        if variants.count == 1 { return .char(c, caseless: false) }
        return .char(c, caseless: true)
    }

    // MARK: - Groups and flags

    private mutating func parseGroup(_ f: inout Flags, depth: Int) throws(RegexError) -> RegexNode? {
        let start = i
        i += 1 // "("
        var inner = f
        if isChar("?") {
            i += 1
            guard let c = peek() else { throw RegexError(.syntax, at: start, "unexpected end of pattern after (?") }
            switch c {
            case Self.ascii(":"):
                i += 1
            case Self.ascii("#"):
                while let d = peek(), d != Self.ascii(")") { i += 1 }
                guard !atEnd else { throw RegexError(.syntax, at: start, "missing ), unterminated comment") }
                i += 1
                return nil
            case Self.ascii("="), Self.ascii("!"):
                throw RegexError(.unsupported, at: start, "lookahead \(c == Self.ascii("=") ? "(?=" : "(?!") needs backtracking")
            case Self.ascii(">"):
                throw RegexError(.unsupported, at: start, "atomic group (?> needs backtracking")
            case Self.ascii("("):
                throw RegexError(.unsupported, at: start, "conditional group (?( needs backtracking")
            case Self.ascii("|"):
                throw RegexError(.unsupported, at: start, "branch reset group (?| is not supported")
            case Self.ascii("R"), Self.ascii("&"), Self.ascii("+"), 0x30...0x39:
                throw RegexError(.unsupported, at: start, "recursion or subroutine call is not supported")
            case Self.ascii("<"):
                if isChar("=", 1) || isChar("!", 1) {
                    throw RegexError(.unsupported, at: start, "lookbehind \(isChar("=", 1) ? "(?<=" : "(?<!") needs backtracking")
                }
                i += 1
                try skipGroupName(until: Self.ascii(">"), start: start)
            case Self.ascii("'"):
                i += 1
                try skipGroupName(until: Self.ascii("'"), start: start)
            case Self.ascii("P"):
                if isChar("<", 1) {
                    i += 2
                    try skipGroupName(until: Self.ascii(">"), start: start)
                } else if isChar("=", 1) {
                    throw RegexError(.unsupported, at: start, "backreference (?P=name) needs backtracking")
                } else if isChar(">", 1) {
                    throw RegexError(.unsupported, at: start, "recursion (?P>name) is not supported")
                } else {
                    throw RegexError(.syntax, at: start, "unknown extension ?P")
                }
            default:
                // Inline flags: (?imsx-imsx) for the rest of the group, or (?imsx-imsx:…) scoped.
                var on = true
                var sawFlag = false
                var scoped = inner
                while let d = peek(), d != Self.ascii(")"), d != Self.ascii(":") {
                    switch d {
                    case Self.ascii("-"):
                        guard on else { throw RegexError(.syntax, at: i, "bad inline flags") }
                        on = false
                    case Self.ascii("i"): scoped.ignoreCase = on
                    case Self.ascii("m"): scoped.multiline = on
                    case Self.ascii("s"): scoped.dotAll = on
                    case Self.ascii("x"): scoped.verbose = on
                    case Self.ascii("u"): break // Unicode is already the default, as in Python 3.
                    case Self.ascii("a"), Self.ascii("L"):
                        throw RegexError(.unsupported, at: i, "inline flag (?\(Unicode.Scalar(d).map(String.init) ?? "?")) (ASCII or locale classes) is not supported")
                    default:
                        throw RegexError(.syntax, at: i, "unknown inline flag")
                    }
                    sawFlag = true
                    i += 1
                }
                guard let end = peek(), sawFlag else { throw RegexError(.syntax, at: start, "missing flag or unknown extension") }
                i += 1
                if end == Self.ascii(")") {
                    // A flag setting changes the rest of the enclosing group (PCRE; Python allows it only at the start).
                    f = scoped
                    return nil
                }
                inner = scoped
            }
        }
        let node = try parseAlternation(&inner, depth: depth + 1)
        guard isChar(")") else { throw RegexError(.syntax, at: start, "missing ), unterminated subpattern") }
        i += 1
        return node
    }

    private mutating func skipGroupName(until close: UInt32, start: Int) throws(RegexError) {
        let nameStart = i
        while let d = peek(), d != close {
            guard d == Self.ascii("_") || Self.isDigit(d) || Self.isASCIILetter(d) || d >= 0x80 else {
                throw RegexError(.syntax, at: i, "bad character in group name")
            }
            i += 1
        }
        guard !atEnd, i > nameStart else { throw RegexError(.syntax, at: start, "missing or unterminated group name") }
        i += 1
    }

    // MARK: - Escapes

    private enum Escape {
        case char(UInt32)
        case set(CodePointSet)
        case assertion(RegexAssertion)
        case quoted([UInt32])
    }

    private mutating func parseEscape(_ f: Flags) throws(RegexError) -> RegexNode? {
        let start = i
        switch try readEscape(inClass: false) {
        case .char(let c): return literal(c, f)
        case .set(let set): return .set(f.ignoreCase ? set.caseFolded() : set)
        case .assertion(let a): return .assertion(a)
        case .quoted(let chars):
            if chars.isEmpty { return nil }
            _ = start
            let nodes = chars.map { literal($0, f) }
            return nodes.count == 1 ? nodes[0] : .concat(nodes)
        }
    }

    /// Reads the escape at `i` (a backslash).
    private mutating func readEscape(inClass: Bool) throws(RegexError) -> Escape {
        let start = i
        i += 1
        guard let c = peek() else { throw RegexError(.syntax, at: start, "bad escape (end of pattern)") }
        i += 1
        switch c {
        case Self.ascii("d"): return .set(UnicodeClasses.digit)
        case Self.ascii("D"): return .set(UnicodeClasses.digit.inverted())
        case Self.ascii("w"): return .set(UnicodeClasses.word)
        case Self.ascii("W"): return .set(UnicodeClasses.word.inverted())
        case Self.ascii("s"): return .set(UnicodeClasses.space)
        case Self.ascii("S"): return .set(UnicodeClasses.space.inverted())
        case Self.ascii("t"): return .char(0x09)
        case Self.ascii("n"): return .char(0x0A)
        case Self.ascii("r"): return .char(0x0D)
        case Self.ascii("f"): return .char(0x0C)
        case Self.ascii("v"): return .char(0x0B)
        case Self.ascii("a"): return .char(0x07)
        case Self.ascii("e"): return .char(0x1B)
        case Self.ascii("b"): return inClass ? .char(0x08) : .assertion(.wordBoundary)
        case Self.ascii("x"):
            if isChar("{") {
                i += 1
                var v: UInt32 = 0, n = 0
                while let h = Self.hexValue(peek()) { v = v &* 16 &+ h; n += 1; i += 1; if n > 8 { break } }
                guard isChar("}"), n > 0, n <= 8, v <= CodePointSet.maximum else {
                    throw RegexError(.syntax, at: start, "bad \\x{…} escape")
                }
                i += 1
                return .char(v)
            }
            return .char(try hexDigits(2, start: start, "\\x"))
        case Self.ascii("u"): return .char(try hexDigits(4, start: start, "\\u"))
        case Self.ascii("U"):
            let v = try hexDigits(8, start: start, "\\U")
            guard v <= CodePointSet.maximum else { throw RegexError(.syntax, at: start, "bad escape \\U: above U+10FFFF") }
            return .char(v)
        case Self.ascii("0"):
            var v: UInt32 = 0
            for _ in 0..<2 where Self.isOctal(peek()) { v = v * 8 + (s[i] - 0x30); i += 1 }
            return .char(v)
        case 0x31...0x39:
            // Three octal digits are an octal escape; in a class any octal digits are; else a backreference.
            if Self.isOctal(c), Self.isOctal(peek()), Self.isOctal(peek(1)) {
                let v = (c - 0x30) * 64 + (s[i] - 0x30) * 8 + (s[i + 1] - 0x30)
                i += 2
                guard v <= 0o377 else { throw RegexError(.syntax, at: start, "octal escape value outside of range 0-0o377") }
                return .char(v)
            }
            if inClass {
                guard Self.isOctal(c) else { throw RegexError(.syntax, at: start, "bad escape \\\(c - 0x30) in a class") }
                var v = c - 0x30
                if Self.isOctal(peek()) { v = v * 8 + (s[i] - 0x30); i += 1 }
                return .char(v)
            }
            throw RegexError(.unsupported, at: start, "backreference \\\(Character(Unicode.Scalar(c)!)) needs backtracking") // c is an ASCII digit
        case Self.ascii("A") where !inClass: return .assertion(.startText)
        case Self.ascii("Z") where !inClass: return .assertion(.endText)
        case Self.ascii("z") where !inClass: return .assertion(.endText)
        case Self.ascii("B") where !inClass: return .assertion(.notWordBoundary)
        case Self.ascii("Q") where !inClass:
            var chars: [UInt32] = []
            while let d = peek() {
                if d == Self.ascii("\\"), isChar("E", 1) { i += 2; return .quoted(chars) }
                chars.append(d)
                i += 1
            }
            return .quoted(chars)
        case Self.ascii("k"), Self.ascii("g"):
            throw RegexError(.unsupported, at: start, "backreference or subroutine \\\(c == Self.ascii("k") ? "k" : "g") needs backtracking")
        case Self.ascii("p"), Self.ascii("P"):
            throw RegexError(.unsupported, at: start, "Unicode property \\p{…} is not supported")
        case Self.ascii("N"):
            throw RegexError(.unsupported, at: start, "named character \\N{…} is not supported")
        case Self.ascii("G"), Self.ascii("K"):
            throw RegexError(.unsupported, at: start, "\\G and \\K are not supported")
        default:
            if Self.isASCIILetter(c) || Self.isDigit(c) {
                throw RegexError(.syntax, at: start, "bad escape \\\(Character(Unicode.Scalar(c)!))") // c is ASCII
            }
            return .char(c)
        }
    }

    private mutating func hexDigits(_ n: Int, start: Int, _ name: String) throws(RegexError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<n {
            guard let h = Self.hexValue(peek()) else { throw RegexError(.syntax, at: start, "incomplete escape \(name)") }
            v = v << 4 | h
            i += 1
        }
        return v
    }

    // MARK: - Classes

    /// Parses a class after its `[`, up to and including `]`.
    private mutating func parseClass(_ f: Flags, start: Int) throws(RegexError) -> CodePointSet {
        var negated = false
        if isChar("^") { negated = true; i += 1 }
        var set = CodePointSet()
        var first = true
        while true {
            guard let c = peek() else { throw RegexError(.syntax, at: start, "unterminated character set") }
            if c == Self.ascii("]") && !first { i += 1; break }
            first = false
            if c == Self.ascii("["), isChar(":", 1) || isChar(".", 1) || isChar("=", 1) {
                // PCRE reads [:alpha:] as a POSIX class, Python as literal characters: refuse to guess.
                var k = i + 2
                while k < s.count, Self.isASCIILetter(s[k]) { k += 1 }
                if k + 1 < s.count, s[k] == s[i + 1], s[k + 1] == Self.ascii("]"), k > i + 2 {
                    throw RegexError(.unsupported, at: i, "POSIX class [:name:] is not supported (PCRE and Python read it differently)")
                }
            }
            let itemStart = i
            let lo: UInt32
            if c == Self.ascii("\\") {
                switch try readEscape(inClass: true) {
                case .char(let v): lo = v
                case .set(let s):
                    if isChar("-"), let n = peek(1), n != Self.ascii("]") {
                        throw RegexError(.syntax, at: itemStart, "bad character range")
                    }
                    set.insert(contentsOf: s)
                    continue
                case .assertion, .quoted:
                    throw RegexError(.syntax, at: itemStart, "bad escape in a character set")
                }
            } else {
                lo = c
                i += 1
            }
            if isChar("-"), let n = peek(1), n != Self.ascii("]") {
                i += 1
                let hi: UInt32
                if n == Self.ascii("\\") {
                    guard case .char(let v) = try readEscape(inClass: true) else {
                        throw RegexError(.syntax, at: itemStart, "bad character range")
                    }
                    hi = v
                } else {
                    hi = n
                    i += 1
                }
                guard lo <= hi else { throw RegexError(.syntax, at: itemStart, "bad character range") }
                set.append(lo...hi)
            } else {
                set.append(lo...lo)
            }
        }
        set.normalize()
        if f.ignoreCase { set = set.caseFolded() }
        return negated ? set.inverted() : set
    }
}
