import Foundation

// The `detection` section (Sigma specification v2.1.0 §"Detection"): named search
// identifiers and a condition over them.

/// A YAML scalar as the rule author wrote it: its text and the type YAML 1.1 gives it.
///
/// The text is kept even for numbers so that an unquoted `0x17` or `010` (YAML 1.1 reads
/// them as 23 and 8) still compares as written where text is compared (REFERENCE §2.3).
public struct SigmaScalar: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case string, integer, float, bool, null }

    public var kind: Kind
    public var text: String
    public var location: SigmaLocation

    public init(_ kind: Kind, _ text: String, at location: SigmaLocation) {
        self.kind = kind
        self.text = text
        self.location = location
    }

    /// The number a YAML integer or float stands for.
    public var number: Double? {
        switch kind {
        case .integer: SigmaScalar.integerValue(text).map(Double.init) ?? Double(text)
        case .float: Double(text)
        default: nil
        }
    }

    /// YAML 1.1 integers: decimal, `0x…`, `0o…`/leading-zero octal, `0b…`, with `_` separators.
    static func integerValue(_ text: String) -> Int64? {
        var t = text.replacingOccurrences(of: "_", with: "")
        var sign: Int64 = 1
        if t.hasPrefix("-") { sign = -1; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
        let v: Int64?
        if t.hasPrefix("0x") || t.hasPrefix("0X") { v = Int64(t.dropFirst(2), radix: 16) }
        else if t.hasPrefix("0o") { v = Int64(t.dropFirst(2), radix: 8) }
        else if t.hasPrefix("0b") { v = Int64(t.dropFirst(2), radix: 2) }
        else if t.count > 1, t.hasPrefix("0") { v = Int64(t.dropFirst(), radix: 8) }
        else { v = Int64(t) }
        return v.map { $0 * sign }
    }

    /// The value as it is compared with event text: numbers in canonical decimal (`0x17` → `23`,
    /// as pySigma and every YAML 1.1 reader see them), booleans `true`/`false`, strings verbatim.
    public var comparisonText: String {
        switch kind {
        case .integer: SigmaScalar.integerValue(text).map { String($0) } ?? text
        case .bool: ["y", "yes", "true", "on"].contains(text.lowercased()) ? "true" : "false"
        default: text
        }
    }
}

/// The value modifiers (spec appendix "Modifiers", v2.1.0), in the order written.
public enum SigmaModifier: String, Sendable, Hashable, CaseIterable {
    case contains, startswith, endswith, all
    case base64, base64offset, utf16le, utf16be, utf16, wide, windash
    case re, i, ignorecase, m, multiline, s, dotall
    case cidr, lt, lte, gt, gte, exists, fieldref, expand, cased, neq
    case minute, hour, day, week, month, year

    /// Sub-modifiers of `re` (spec: `re|i`, `re|m`, `re|s`).
    var isRegexFlag: Bool {
        switch self {
        case .i, .ignorecase, .m, .multiline, .s, .dotall: true
        default: false
        }
    }
}

/// One `field|modifier…: value(s)` item of a search map, or the keyword items of a list.
public struct SigmaFieldItem: Sendable {
    /// The field; `nil` for keywords (a plain list, or a `|all` key with no field name).
    public var field: String?
    public var modifiers: [SigmaModifier]
    /// One or more values; a list is OR-linked unless `all` is among the modifiers.
    public var values: [SigmaScalar]
    /// Where the item's key is.
    public var location: SigmaLocation

    public init(field: String?, modifiers: [SigmaModifier], values: [SigmaScalar], location: SigmaLocation) {
        self.field = field
        self.modifiers = modifiers
        self.values = values
        self.location = location
    }
}

/// A search identifier's definition.
public indirect enum SigmaSearch: Sendable {
    /// A map: all of its items must hold (AND).
    case allOf([SigmaFieldItem])
    /// A list of maps (or of keyword lists): any must hold (OR).
    case anyOf([SigmaSearch])
    /// A plain list of values matched against the whole event (OR).
    case keywords(SigmaFieldItem)
}

/// The condition grammar (spec §"Condition"): identifiers, `and`, `or`, `not`, parentheses,
/// `1 of x*`, `all of x*`, `1 of them`, `all of them`.
public indirect enum SigmaCondition: Sendable, Hashable, CustomStringConvertible {
    case identifier(String)
    case and(SigmaCondition, SigmaCondition)
    case or(SigmaCondition, SigmaCondition)
    case not(SigmaCondition)
    /// `1 of pattern` / `any of pattern` (`them` is the pattern of every identifier not starting with `_`).
    case oneOf(String)
    /// `all of pattern`.
    case allOf(String)

    public var description: String {
        switch self {
        case .identifier(let n): n
        case .and(let a, let b): "(\(a) and \(b))"
        case .or(let a, let b): "(\(a) or \(b))"
        case .not(let a): "not \(a)"
        case .oneOf(let p): "1 of \(p)"
        case .allOf(let p): "all of \(p)"
        }
    }
}

/// A rule's `detection` block.
public struct SigmaDetection: Sendable {
    /// The search identifiers in the order written.
    public var searches: [(name: String, search: SigmaSearch, location: SigmaLocation)]
    /// The condition; several (a YAML list) are OR-linked.
    public var condition: SigmaCondition
    public var conditionLocation: SigmaLocation

    public func search(_ name: String) -> SigmaSearch? {
        searches.first { $0.name == name }?.search
    }
}
