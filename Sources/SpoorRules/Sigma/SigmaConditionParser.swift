/// Parses a `condition` (Sigma specification v2.1.0 §"Condition").
///
/// Grammar, loosest first (the precedence pySigma's parser gives, REFERENCE §2.3):
/// `or` < `and` < `not` < `x of` < `( … )`; `and`/`or` are left-associative, `not` is a prefix.
/// Operators are the lowercase words `and`, `or`, `not` (pySigma declares exactly these).
/// Identifiers are `[A-Za-z0-9_-]+`; an `of` pattern is `[A-Za-z0-9_*-]+` or `them`.
/// The obsolete v1 aggregation (`| count() by …`) and `near` are reported as unsupported.
struct SigmaConditionParser {
    struct Failure: Error {
        var column: Int
        var message: String
        var unsupported: Bool
    }

    private enum Token: Equatable {
        case word(String)
        case open, close, pipe
    }

    private var tokens: [(Token, Int)] = []
    private var i = 0

    static func parse(_ text: String) throws(Failure) -> SigmaCondition {
        var p = SigmaConditionParser()
        try p.tokenize(text)
        guard !p.tokens.isEmpty else { throw Failure(column: 0, message: "the condition is empty", unsupported: false) }
        let c = try p.parseOr()
        if p.i < p.tokens.count {
            let (t, col) = p.tokens[p.i]
            if t == .pipe {
                throw Failure(column: col, message: "the v1 aggregation syntax (`| count() …`) is obsolete; write a correlation rule", unsupported: true)
            }
            throw Failure(column: col, message: "unexpected \(p.describe(t)) after a complete condition", unsupported: false)
        }
        return c
    }

    private mutating func tokenize(_ text: String) throws(Failure) {
        let u = Array(text.utf8)
        var k = 0
        while k < u.count {
            let c = u[k]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): k += 1
            case UInt8(ascii: "("): tokens.append((.open, k)); k += 1
            case UInt8(ascii: ")"): tokens.append((.close, k)); k += 1
            case UInt8(ascii: "|"):
                // The obsolete v1 aggregation follows; it is reported, not tokenised.
                tokens.append((.pipe, k))
                return
            default:
                guard Self.isWordByte(c) else {
                    throw Failure(column: k, message: "unexpected character '\(Character(Unicode.Scalar(c)))' in the condition", unsupported: false)
                }
                let start = k
                while k < u.count, Self.isWordByte(u[k]) { k += 1 }
                tokens.append((.word(String(decoding: u[start..<k], as: UTF8.self)), start))
            }
        }
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "*")
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .word(let w): "'\(w)'"
        case .open: "'('"
        case .close: "')'"
        case .pipe: "'|'"
        }
    }

    private var column: Int { i < tokens.count ? tokens[i].1 : (tokens.last.map { $0.1 + 1 } ?? 0) }

    private func peekWord() -> String? {
        guard i < tokens.count, case .word(let w) = tokens[i].0 else { return nil }
        return w
    }

    private mutating func parseOr() throws(Failure) -> SigmaCondition {
        var left = try parseAnd()
        while peekWord() == "or" {
            i += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(Failure) -> SigmaCondition {
        var left = try parseNot()
        while peekWord() == "and" {
            i += 1
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(Failure) -> SigmaCondition {
        if peekWord() == "not" {
            i += 1
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(Failure) -> SigmaCondition {
        guard i < tokens.count else { throw Failure(column: column, message: "the condition ends where an identifier was expected", unsupported: false) }
        let (t, col) = tokens[i]
        switch t {
        case .open:
            i += 1
            let inner = try parseOr()
            guard i < tokens.count, tokens[i].0 == .close else {
                throw Failure(column: column, message: "missing ')' for the '(' at column \(col + 1)", unsupported: false)
            }
            i += 1
            return inner
        case .close, .pipe:
            throw Failure(column: col, message: "unexpected \(describe(t)) where an identifier was expected", unsupported: false)
        case .word(let w):
            if w == "1" || w == "any" || w == "all" {
                if i + 1 < tokens.count, case .word("of") = tokens[i + 1].0 {
                    guard i + 2 < tokens.count, case .word(let pattern) = tokens[i + 2].0 else {
                        throw Failure(column: tokens[i + 1].1, message: "'\(w) of' needs a pattern or 'them'", unsupported: false)
                    }
                    if pattern.contains("-") {
                        // pySigma's selector pattern is [A-Za-z0-9*_]+ (REFERENCE §2.3).
                        throw Failure(column: tokens[i + 2].1, message: "an 'of' pattern may not contain '-'", unsupported: false)
                    }
                    i += 3
                    return w == "all" ? .allOf(pattern) : .oneOf(pattern)
                }
            }
            if ["and", "or", "not", "of"].contains(w) {
                throw Failure(column: col, message: "'\(w)' where an identifier was expected", unsupported: false)
            }
            if w == "near" {
                throw Failure(column: col, message: "the v1 'near' operator is obsolete; write a temporal correlation rule", unsupported: true)
            }
            if w.contains("*") {
                throw Failure(column: col, message: "a wildcard identifier needs '1 of' or 'all of'", unsupported: false)
            }
            i += 1
            return .identifier(w)
        }
    }
}

extension SigmaCondition {
    /// The identifiers an `of` pattern selects, in the order the detection lists them.
    /// `them` selects every identifier not starting with `_` (spec §"Condition").
    static func select(_ pattern: String, from names: [String]) -> [String] {
        if pattern == "them" { return names.filter { !$0.hasPrefix("_") } }
        return names.filter { wildcardMatch(pattern, $0) }
    }

    /// `*` matches any run, everything else itself (pySigma: fullmatch after `*` → `.*`).
    static func wildcardMatch(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") { star = pi; mark = ni; pi += 1 }
            else if pi < p.count, p[pi] == n[ni] { pi += 1; ni += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ni = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// Every identifier the condition names directly (not through `of`).
    var identifiers: [String] {
        switch self {
        case .identifier(let n): [n]
        case .and(let a, let b), .or(let a, let b): a.identifiers + b.identifiers
        case .not(let a): a.identifiers
        case .oneOf, .allOf: []
        }
    }

    /// Every `of` pattern the condition uses.
    var patterns: [String] {
        switch self {
        case .identifier: []
        case .and(let a, let b), .or(let a, let b): a.patterns + b.patterns
        case .not(let a): a.patterns
        case .oneOf(let p), .allOf(let p): [p]
        }
    }
}
