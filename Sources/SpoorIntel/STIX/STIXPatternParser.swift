import SpoorCore

/// Lexer and recursive-descent parser for STIX 2.1 patterns, following the ANTLR grammar
/// `STIXPattern.g4` (cti-stix2-json-schemas `pattern_grammar/`) rule by rule; precedence from
/// loosest to tightest: `FOLLOWEDBY`, observation `OR`, observation `AND`, qualifiers;
/// inside `[…]`: `OR`, then `AND` (§9.5, "operator precedence").
struct STIXPatternParser {
    enum Kind: Equatable {
        case identifier(String)      // IdentifierWithHyphen / WithoutHyphen and keywords
        case string(String)          // '…' with \' and \\ resolved
        case binary([UInt8])         // b'…' and h'…'
        case timestamp(Timestamp)    // t'…'
        case int(Int64)
        case float(Double)
        case punct(String)           // : . , ( ) [ ] * and operators = == != <> < <= > >=
        case end
    }
    struct Token { var kind: Kind; var position: Int }

    /// Patterns longer than this are refused (a feed's indicator is a few KB at most).
    static let maximumLength = 256 * 1024
    /// Nesting of parentheses and brackets.
    static let maximumDepth = 64

    let scalars: [Unicode.Scalar]
    var tokens: [Token] = []
    var index = 0
    var depth = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    static let keywords: Set<String> = ["AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET",
                                        "EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES"]

    // MARK: Lexer

    mutating func tokenize() throws(STIXPatternError) {
        guard scalars.count <= Self.maximumLength else {
            throw STIXPatternError(position: Self.maximumLength, "pattern longer than \(Self.maximumLength) characters")
        }
        var i = 0
        let n = scalars.count
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < n {
            let c = scalars[i]
            // WS: the grammar's list is Unicode White_Space; Swift's property is the same set.
            if c.properties.isWhitespace { i += 1; continue }
            if c == "/", i + 1 < n, scalars[i + 1] == "*" {
                var j = i + 2
                while j + 1 < n, !(scalars[j] == "*" && scalars[j + 1] == "/") { j += 1 }
                guard j + 1 < n else { throw STIXPatternError(position: i, "unterminated /* comment") }
                i = j + 2; continue
            }
            if c == "/", i + 1 < n, scalars[i + 1] == "/" {
                while i < n, scalars[i] != "\n", scalars[i] != "\r" { i += 1 }
                continue
            }
            let start = i
            if c == "'" {
                let (s, next) = try readQuoted(from: i)
                tokens.append(Token(kind: .string(s), position: start)); i = next; continue
            }
            if (c == "b" || c == "h" || c == "t"), i + 1 < n, scalars[i + 1] == "'" {
                let (s, next) = try readQuoted(from: i + 1)
                switch c {
                case "h": tokens.append(Token(kind: .binary(try Self.hex(s, at: start)), position: start))
                case "b": tokens.append(Token(kind: .binary(try Self.base64(s, at: start)), position: start))
                default: tokens.append(Token(kind: .timestamp(try Self.timestamp(s, at: start)), position: start))
                }
                i = next; continue
            }
            if isIdentStart(c) {
                var j = i + 1
                while j < n, isIdentStart(scalars[j]) || isDigit(scalars[j]) || scalars[j] == "-" { j += 1 }
                tokens.append(Token(kind: .identifier(String(String.UnicodeScalarView(scalars[i..<j]))), position: start))
                i = j; continue
            }
            if isDigit(c) || ((c == "-" || c == "+" || c == ".") && i + 1 < n && (isDigit(scalars[i + 1]) || (scalars[i + 1] == "." && c != "."))) {
                var j = i
                if c == "-" || c == "+" { j += 1 }
                while j < n, isDigit(scalars[j]) { j += 1 }
                var isFloat = false
                if j < n, scalars[j] == "." {
                    isFloat = true
                    j += 1
                    let digitsStart = j
                    while j < n, isDigit(scalars[j]) { j += 1 }
                    guard j > digitsStart else { throw STIXPatternError(position: start, "a float needs digits after the point") }
                }
                let text = String(String.UnicodeScalarView(scalars[i..<j]))
                if isFloat {
                    guard let d = Double(text) else { throw STIXPatternError(position: start, "malformed float") }
                    tokens.append(Token(kind: .float(d), position: start))
                } else {
                    guard let v = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                        throw STIXPatternError(position: start, "integer out of range")
                    }
                    tokens.append(Token(kind: .int(v), position: start))
                }
                i = j; continue
            }
            let two = i + 1 < n ? String(String.UnicodeScalarView([c, scalars[i + 1]])) : ""
            if ["==", "!=", "<>", "<=", ">="].contains(two) {
                tokens.append(Token(kind: .punct(two == "==" ? "=" : two == "<>" ? "!=" : two), position: start))
                i += 2; continue
            }
            if ":.,()[]*=<>".unicodeScalars.contains(c) {
                tokens.append(Token(kind: .punct(String(c)), position: start))
                i += 1; continue
            }
            throw STIXPatternError(position: i, "unexpected character U+\(String(c.value, radix: 16, uppercase: true))")
        }
        tokens.append(Token(kind: .end, position: n))
    }

    /// Reads `'…'` starting at the quote; only `\'` and `\\` are escapes (§9.3, grammar `StringLiteral`).
    func readQuoted(from quote: Int) throws(STIXPatternError) -> (String, Int) {
        var out = String.UnicodeScalarView()
        var j = quote + 1
        while j < scalars.count {
            let c = scalars[j]
            if c == "'" { return (String(out), j + 1) }
            if c == "\\" {
                guard j + 1 < scalars.count, scalars[j + 1] == "'" || scalars[j + 1] == "\\" else {
                    throw STIXPatternError(position: j, "only \\' and \\\\ are escapes in a STIX string")
                }
                out.append(scalars[j + 1]); j += 2; continue
            }
            out.append(c); j += 1
        }
        throw STIXPatternError(position: quote, "unterminated string")
    }

    static func hex(_ s: String, at position: Int) throws(STIXPatternError) -> [UInt8] {
        let digits = Array(s.utf8)
        guard digits.count % 2 == 0 else { throw STIXPatternError(position: position, "h'' needs an even number of hex digits") }
        var out: [UInt8] = []
        var k = 0
        while k < digits.count {
            guard let hi = hexValue(digits[k]), let lo = hexValue(digits[k + 1]) else {
                throw STIXPatternError(position: position + 2 + k, "not a hex digit")
            }
            out.append(hi << 4 | lo); k += 2
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func base64(_ s: String, at position: Int) throws(STIXPatternError) -> [UInt8] {
        guard let bytes = Base64.decode(s), !s.isEmpty else {
            throw STIXPatternError(position: position, "b'' needs padded base64 (RFC 4648 §4)")
        }
        return bytes
    }

    /// `t'YYYY-MM-DDTHH:MM:SS[.s+]Z'`, UTC only (grammar `TimestampLiteral`, §9.3).
    static func timestamp(_ s: String, at position: Int) throws(STIXPatternError) -> Timestamp {
        let bytes = Array(s.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), bytes.last == UInt8(ascii: "Z"),
              let parsed = TimestampText.parseISO8601(bytes.span), parsed.length == bytes.count, parsed.offsetSeconds == 0
        else { throw STIXPatternError(position: position, "t'' must be an RFC 3339 UTC time, YYYY-MM-DDTHH:MM:SS[.s]Z") }
        return Timestamp(microseconds: parsed.civil.utcMicroseconds)
    }

    // MARK: Parser

    var current: Token { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func isKeyword(_ k: String) -> Bool { if case .identifier(k) = current.kind { true } else { false } }
    func isPunct(_ p: String) -> Bool { if case .punct(p) = current.kind { true } else { false } }

    mutating func expectPunct(_ p: String, _ what: String) throws(STIXPatternError) {
        guard isPunct(p) else { throw STIXPatternError(position: current.position, "expected \(what)") }
        advance()
    }

    mutating func expectKeyword(_ k: String) throws(STIXPatternError) {
        guard isKeyword(k) else { throw STIXPatternError(position: current.position, "expected \(k)") }
        advance()
    }

    mutating func parsePattern() throws(STIXPatternError) -> STIXObservationExpression {
        try tokenize()
        let e = try observationExpressions()
        guard current.kind == .end else { throw STIXPatternError(position: current.position, "unexpected text after the pattern") }
        return e
    }

    mutating func enter() throws(STIXPatternError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw STIXPatternError(position: current.position, "nesting deeper than \(Self.maximumDepth)") }
    }

    mutating func observationExpressions() throws(STIXPatternError) -> STIXObservationExpression {
        var parts = [try observationOr()]
        while isKeyword("FOLLOWEDBY") { advance(); parts.append(try observationOr()) }
        return parts.count == 1 ? parts[0] : .followedBy(parts)
    }

    mutating func observationOr() throws(STIXPatternError) -> STIXObservationExpression {
        var parts = [try observationAnd()]
        while isKeyword("OR") { advance(); parts.append(try observationAnd()) }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func observationAnd() throws(STIXPatternError) -> STIXObservationExpression {
        var parts = [try observationExpression()]
        while isKeyword("AND") { advance(); parts.append(try observationExpression()) }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func observationExpression() throws(STIXPatternError) -> STIXObservationExpression {
        try enter(); defer { depth -= 1 }
        var e: STIXObservationExpression
        if isPunct("[") {
            advance()
            e = .observation(try comparisonOr())
            try expectPunct("]", "']' closing the observation expression")
        } else if isPunct("(") {
            advance()
            e = try observationExpressions()
            try expectPunct(")", "')'")
        } else {
            throw STIXPatternError(position: current.position, "expected '[' or '(' starting an observation expression")
        }
        while true {
            let at = current.position
            if isKeyword("WITHIN") {
                advance()
                let seconds: Double
                switch current.kind {
                case .int(let v): seconds = Double(v)
                case .float(let d): seconds = d
                default: throw STIXPatternError(position: current.position, "WITHIN needs a number of seconds")
                }
                guard seconds > 0 else { throw STIXPatternError(position: current.position, "WITHIN needs a positive number (§9.5)") }
                advance()
                try expectKeyword("SECONDS")
                e = .qualified(e, .within(seconds: seconds))
            } else if isKeyword("REPEATS") {
                advance()
                guard case .int(let v) = current.kind, v > 0 else {
                    throw STIXPatternError(position: current.position, "REPEATS needs a positive integer (§9.5)")
                }
                guard v <= 1000 else { throw STIXPatternError(position: current.position, "REPEATS above 1000 is not evaluated", isUnsupported: true) }
                advance()
                try expectKeyword("TIMES")
                e = .qualified(e, .repeats(Int(v)))
            } else if isKeyword("START") {
                advance()
                guard case .timestamp(let start) = current.kind else { throw STIXPatternError(position: current.position, "START needs a t'' timestamp") }
                advance()
                try expectKeyword("STOP")
                guard case .timestamp(let stop) = current.kind else { throw STIXPatternError(position: current.position, "STOP needs a t'' timestamp") }
                guard start < stop else { throw STIXPatternError(position: at, "STOP must be later than START (§9.5)") }
                advance()
                e = .qualified(e, .startStop(start: start, stop: stop))
            } else if isKeyword("LAST") {
                throw STIXPatternError(position: at, "LAST is a reserved keyword, not a qualifier of STIX 2.1", isUnsupported: true)
            } else {
                return e
            }
        }
    }

    mutating func comparisonOr() throws(STIXPatternError) -> STIXComparisonExpression {
        var parts = [try comparisonAnd()]
        while isKeyword("OR") { advance(); parts.append(try comparisonAnd()) }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func comparisonAnd() throws(STIXPatternError) -> STIXComparisonExpression {
        let start = current.position
        var parts = [try propertyTest()]
        while isKeyword("AND") { advance(); parts.append(try propertyTest()) }
        if parts.count == 1 { return parts[0] }
        // §9.5: comparison expressions joined by AND must all name the same object type.
        let types = Set(parts.flatMap { Self.objectTypes($0) })
        guard types.count <= 1 else {
            throw STIXPatternError(position: start, "comparisons joined by AND must name the same object type (§9.5)")
        }
        return .and(parts)
    }

    mutating func propertyTest() throws(STIXPatternError) -> STIXComparisonExpression {
        try enter(); defer { depth -= 1 }
        if isPunct("(") {
            advance()
            let inner = try comparisonOr()
            try expectPunct(")", "')'")
            return inner
        }
        var negated = false
        if isKeyword("NOT") { negated = true; advance() }
        if isKeyword("EXISTS") {
            advance()
            let path = try objectPath()
            return .test(STIXPropertyTest(path: path, op: .exists, isNegated: negated, constant: .bool(true)))
        }
        if negated { throw STIXPatternError(position: current.position, "NOT before an object path is only allowed with EXISTS") }
        let path = try objectPath()
        if isKeyword("NOT") { negated = true; advance() }
        let opPosition = current.position
        let op: STIXPropertyTest.Operator
        switch current.kind {
        case .punct("="): op = .equal
        case .punct("!="): op = .notEqual
        case .punct(">"): op = .greater
        case .punct("<"): op = .less
        case .punct(">="): op = .greaterOrEqual
        case .punct("<="): op = .lessOrEqual
        case .identifier("IN"): op = .in
        case .identifier("LIKE"): op = .like
        case .identifier("MATCHES"): op = .matches
        case .identifier("ISSUBSET"): op = .isSubset
        case .identifier("ISSUPERSET"): op = .isSuperset
        default: throw STIXPatternError(position: opPosition, "expected a comparison operator")
        }
        advance()
        let constantPosition = current.position
        var test = STIXPropertyTest(path: path, op: op, isNegated: negated, constant: .bool(false))
        switch op {
        case .equal, .notEqual:
            test.constant = try primitiveLiteral()
        case .greater, .less, .greaterOrEqual, .lessOrEqual:
            let c = try primitiveLiteral()
            if case .bool = c { throw STIXPatternError(position: constantPosition, "booleans are not orderable (§9.6)") }
            test.constant = c
        case .in:
            try expectPunct("(", "'(' starting a set")
            var items: [STIXConstant] = []
            if !isPunct(")") {
                items.append(try primitiveLiteral())
                while isPunct(",") { advance(); items.append(try primitiveLiteral()) }
            }
            try expectPunct(")", "')' closing the set")
            test.constant = .set(items)
        case .like, .matches, .isSubset, .isSuperset:
            guard case .string(let s) = current.kind else {
                throw STIXPatternError(position: constantPosition, "\(op.rawValue) needs a string constant")
            }
            advance()
            test.constant = .string(s)
            if op == .matches {
                do {
                    test.regex = ByteRegexBox(regex: try ByteRegex(s, options: []))
                } catch {
                    throw STIXPatternError(position: constantPosition + 1 + error.position, "MATCHES regex: \(error.message)",
                                           isUnsupported: error.code != .syntax)
                }
            }
            if op == .isSubset || op == .isSuperset {
                guard IPNetwork(s) != nil else {
                    throw STIXPatternError(position: constantPosition, "\(op.rawValue) is defined for IP addresses and CIDR blocks only (§9.6)", isUnsupported: true)
                }
            }
        case .exists:
            break
        }
        return .test(test)
    }

    static func objectTypes(_ c: STIXComparisonExpression) -> [String] {
        switch c {
        case .test(let t): [t.path.objectType]
        case .and(let p), .or(let p): p.flatMap { objectTypes($0) }
        }
    }

    mutating func primitiveLiteral() throws(STIXPatternError) -> STIXConstant {
        defer { advance() }
        switch current.kind {
        case .string(let s): return .string(s)
        case .int(let v): return .int(v)
        case .float(let d): return .double(d)
        case .binary(let b): return .binary(b)
        case .timestamp(let t): return .timestamp(t)
        case .identifier("true"): return .bool(true)
        case .identifier("false"): return .bool(false)
        default: throw STIXPatternError(position: current.position, "expected a constant")
        }
    }

    mutating func objectPath() throws(STIXPatternError) -> STIXObjectPath {
        guard case .identifier(let type) = current.kind, !Self.keywords.contains(type) else {
            throw STIXPatternError(position: current.position, "expected an object path (object-type:property)")
        }
        let typePosition = current.position
        advance()
        guard isPunct(":") else { throw STIXPatternError(position: current.position, "expected ':' after the object type") }
        advance()
        guard type.first != "-" && type.last != "-" else { throw STIXPatternError(position: typePosition, "malformed object type") }
        var steps: [STIXObjectPath.Step] = [try propertyName()]
        while true {
            if isPunct(".") {
                advance()
                steps.append(try propertyName())
            } else if isPunct("[") {
                advance()
                switch current.kind {
                case .punct("*"): steps.append(.anyIndex)
                case .int(let v) where v >= 0: steps.append(.index(Int(v)))
                case .int: throw STIXPatternError(position: current.position, "negative list indexes are not defined by STIX 2.1 (§9.2)", isUnsupported: true)
                default: throw STIXPatternError(position: current.position, "expected a list index or *")
                }
                advance()
                try expectPunct("]", "']' closing the list index")
            } else {
                return STIXObjectPath(objectType: type, steps: steps)
            }
        }
    }

    /// A property name: an identifier without hyphen, or a quoted string (`hashes.'SHA-256'`).
    mutating func propertyName() throws(STIXPatternError) -> STIXObjectPath.Step {
        defer { advance() }
        switch current.kind {
        case .string(let s): return .property(s)
        case .identifier(let s):
            guard !s.contains("-") else {
                throw STIXPatternError(position: current.position, "a property name with '-' must be quoted (§9.2)")
            }
            return .property(s)
        default: throw STIXPatternError(position: current.position, "expected a property name")
        }
    }
}

/// Base64 (RFC 4648 §4, padded), as STIX `binary` properties and `b''` constants use it.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func decode(_ s: String) -> [UInt8]? {
        let chars = Array(s.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var k = 0
        while k < chars.count {
            var v: UInt32 = 0
            var pad = 0
            for j in 0..<4 {
                let c = chars[k + j]
                if c == UInt8(ascii: "=") {
                    guard k + 4 == chars.count, j >= 2 else { return nil }
                    pad += 1; v <<= 6
                } else {
                    guard pad == 0, let d = value(c) else { return nil }
                    v = v << 6 | UInt32(d)
                }
            }
            // Canonical encoding only (RFC 4648 §3.5): the bits under the padding are zero.
            if pad == 1 && v & 0xFF != 0 || pad == 2 && v & 0xFFFF != 0 { return nil }
            out.append(UInt8(truncatingIfNeeded: v >> 16))
            if pad < 2 { out.append(UInt8(truncatingIfNeeded: v >> 8)) }
            if pad < 1 { out.append(UInt8(truncatingIfNeeded: v)) }
            k += 4
        }
        return out
    }

    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var k = 0
        while k < bytes.count {
            let b0 = bytes[k], b1 = k + 1 < bytes.count ? bytes[k + 1] : 0, b2 = k + 2 < bytes.count ? bytes[k + 2] : 0
            let v = UInt32(b0) << 16 | UInt32(b1) << 8 | UInt32(b2)
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            out.append(k + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(k + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            k += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
