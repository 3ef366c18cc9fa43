import SpoorCore
import SpoorIndicators

/// A parsed STIX 2.1 pattern (STIX 2.1 §9, grammar `STIXPattern.g4` of cti-stix2-json-schemas).
///
/// ```swift
/// let p = try STIXPattern.parse("[ipv4-addr:value ISSUBSET '198.51.100.0/24'] REPEATS 2 TIMES")
/// p.matches(observations)
/// ```
///
/// Parsing checks everything the grammar checks plus the constraints the specification states in
/// prose (positive `WITHIN`/`REPEATS`, `START` before `STOP`, list indexes not negative, CIDR
/// literals for `ISSUBSET`/`ISSUPERSET`, `MATCHES` regexes that spoor's linear-time
/// ``ByteRegex`` accepts); anything else is a ``STIXPatternError`` with the character position.
public struct STIXPattern: Sendable, CustomStringConvertible {
    /// The pattern text as given.
    public let text: String
    public let expression: STIXObservationExpression

    /// Parses `text`.
    /// - Throws: ``STIXPatternError`` with the 0-based character offset of the problem.
    public static func parse(_ text: String) throws(STIXPatternError) -> STIXPattern {
        var parser = STIXPatternParser(text)
        let expression = try parser.parsePattern()
        return STIXPattern(text: text, expression: expression)
    }

    public var description: String { text }
}

/// An observation expression (§9.5): one `[…]`, or several joined by `AND`/`OR`/`FOLLOWEDBY`,
/// optionally qualified.
public indirect enum STIXObservationExpression: Sendable, Hashable {
    case observation(STIXComparisonExpression)
    case and([STIXObservationExpression])
    case or([STIXObservationExpression])
    case followedBy([STIXObservationExpression])
    case qualified(STIXObservationExpression, STIXQualifier)
}

/// A qualifier (§9.4, §9.5).
public enum STIXQualifier: Sendable, Hashable {
    /// `WITHIN n SECONDS`: all observations of a match lie within `n` seconds of each other.
    case within(seconds: Double)
    /// `REPEATS n TIMES`: the expression matches `n` times on distinct observations.
    case repeats(Int)
    /// `START t STOP t`: every observation of a match has `start <= time < stop`.
    case startStop(start: Timestamp, stop: Timestamp)
}

/// A comparison expression inside `[…]` (§9.5): property tests joined by `AND` and `OR`.
public indirect enum STIXComparisonExpression: Sendable, Hashable {
    case test(STIXPropertyTest)
    case and([STIXComparisonExpression])
    case or([STIXComparisonExpression])
}

/// One test of an object path against a constant (§9.6 comparison operators).
public struct STIXPropertyTest: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
        case `in` = "IN", like = "LIKE", matches = "MATCHES", isSubset = "ISSUBSET", isSuperset = "ISSUPERSET"
        case exists = "EXISTS"
    }
    public var path: STIXObjectPath
    public var op: Operator
    /// `NOT` written before the operator (or before `EXISTS`).
    public var isNegated: Bool
    /// The constant; `.set` for `IN`; `.bool(true)` for `EXISTS` (unused).
    public var constant: STIXConstant
    /// The compiled regex for `MATCHES`.
    var regex: ByteRegexBox?

    public static func == (a: STIXPropertyTest, b: STIXPropertyTest) -> Bool {
        a.path == b.path && a.op == b.op && a.isNegated == b.isNegated && a.constant == b.constant
    }
    public func hash(into h: inout Hasher) { h.combine(path); h.combine(op); h.combine(isNegated); h.combine(constant) }
}

/// A compiled regex carried by a property test (``ByteRegex`` is not `Hashable`).
struct ByteRegexBox: Sendable {
    let regex: ByteRegex
}

/// An object path (§9.2): `file:hashes.'SHA-256'`, `email-message:body_multipart[*].body_raw_ref.name`.
public struct STIXObjectPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case property(String)
        case index(Int)
        case anyIndex
    }
    public var objectType: String
    /// The first step is always a property.
    public var steps: [Step]

    public init(objectType: String, steps: [Step]) {
        self.objectType = objectType
        self.steps = steps
    }

    public var description: String {
        var s = objectType + ":"
        for (i, step) in steps.enumerated() {
            switch step {
            case .property(let name):
                if i > 0 { s += "." }
                s += name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } ? name : "'" + name + "'"
            case .index(let n): s += "[\(n)]"
            case .anyIndex: s += "[*]"
            }
        }
        return s
    }

    /// The property names joined by dots, with indexes dropped (`hashes.SHA-256`): the key used
    /// by the indicator mapping table.
    var dottedProperties: String {
        steps.compactMap { if case .property(let p) = $0 { p } else { nil } }.joined(separator: ".")
    }
}

/// A constant (§9.3): string, integer, float, boolean, binary (`b'…'` base64), hex (`h'…'`),
/// timestamp (`t'…'`), or a set for `IN`.
public enum STIXConstant: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// `b'…'` and `h'…'` both decode to bytes.
    case binary([UInt8])
    case timestamp(Timestamp)
    case set([STIXConstant])
}

/// A pattern that does not parse, with where.
public struct STIXPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 0-based offset in characters (Unicode scalars) from the start of the pattern.
    public var position: Int
    public var message: String
    /// True when the pattern is valid STIX but uses something spoor does not evaluate.
    public var isUnsupported: Bool

    public init(position: Int, _ message: String, isUnsupported: Bool = false) {
        self.position = position
        self.message = message
        self.isUnsupported = isUnsupported
    }

    public var description: String { "\(isUnsupported ? "unsupported" : "syntax error") at \(position): \(message)" }
}
