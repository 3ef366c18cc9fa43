import SpoorCore
import SpoorEvents

/// The type of a Zeek log field, as a `#types` header line names it (`time`, `addr`,
/// `set[string]`, `vector[interval]`).
///
/// Zeek's logging framework writes a small set of base types (Zeek documentation, "Log
/// Formats" and "Types and Attributes"); everything else (`subnet`, `enum`, `pattern`, and
/// types a plugin invents) is kept as text. Containers are `set[T]` and `vector[T]`; their
/// elements are kept as text in a string list.
public struct ZeekType: Sendable, Hashable, CustomStringConvertible {
    /// The scalar type of a field or of a container's elements.
    public enum Base: UInt8, Sendable, Hashable {
        /// Seconds since the epoch with a fraction (`1521911720.865716`).
        case time
        case addr
        case port
        case count
        case int
        /// Seconds with a fraction (`0.000870`).
        case interval
        case double
        /// `T` or `F`.
        case bool
        /// Text: `string`, `enum`, `pattern`, `subnet` and any type this parser does not know.
        case string
    }

    public var base: Base
    /// Whether this is a `set[…]` or `vector[…]` of `base`.
    public var isContainer: Bool

    public init(_ base: Base, isContainer: Bool = false) {
        self.base = base
        self.isContainer = isContainer
    }

    public static let time = ZeekType(.time)
    public static let addr = ZeekType(.addr)
    public static let port = ZeekType(.port)
    public static let count = ZeekType(.count)
    public static let int = ZeekType(.int)
    public static let interval = ZeekType(.interval)
    public static let double = ZeekType(.double)
    public static let bool = ZeekType(.bool)
    public static let string = ZeekType(.string)
    /// `set[string]` / `vector[string]`: the commonest container.
    public static let strings = ZeekType(.string, isContainer: true)
    public static func list(_ base: Base) -> ZeekType { ZeekType(base, isContainer: true) }

    /// The column kind values of this type are stored as.
    public var kind: FieldKind {
        if isContainer { return .stringList }
        switch base {
        case .time: return .timestamp
        case .addr: return .ip
        case .port, .count, .int: return .int
        case .interval, .double: return .double
        case .bool: return .bool
        case .string: return .string
        }
    }

    public var description: String {
        let name: String
        switch base {
        case .time: name = "time"
        case .addr: name = "addr"
        case .port: name = "port"
        case .count: name = "count"
        case .int: name = "int"
        case .interval: name = "interval"
        case .double: name = "double"
        case .bool: name = "bool"
        case .string: name = "string"
        }
        return isContainer ? "vector[\(name)]" : name
    }

    /// Reads a type name from `b[range]` (one entry of a `#types` line).
    ///
    /// Unknown names (`subnet`, `enum`, `int64` from a hand-edited test file) are text, so a
    /// header from a newer Zeek never makes records unreadable.
    public static func parse(_ b: Span<UInt8>, _ range: Range<Int>) -> ZeekType {
        var r = range
        var container = false
        if let open = Bytes.find(UInt8(ascii: "["), in: b, from: r.lowerBound, to: r.upperBound),
           r.upperBound > open + 1, b[r.upperBound - 1] == UInt8(ascii: "]") {
            container = true
            r = (open + 1)..<(r.upperBound - 1)
        }
        return ZeekType(base(b, r), isContainer: container)
    }

    static func base(_ b: Span<UInt8>, _ r: Range<Int>) -> Base {
        if Bytes.equals(b, r, "string") { return .string }
        if Bytes.equals(b, r, "time") { return .time }
        if Bytes.equals(b, r, "addr") { return .addr }
        if Bytes.equals(b, r, "port") { return .port }
        if Bytes.equals(b, r, "count") { return .count }
        if Bytes.equals(b, r, "int") { return .int }
        if Bytes.equals(b, r, "interval") { return .interval }
        if Bytes.equals(b, r, "double") { return .double }
        if Bytes.equals(b, r, "bool") { return .bool }
        return .string
    }

    /// Parses a type name from text (the type tables use this).
    public static func parse(_ text: String) -> ZeekType {
        let bytes = Array(text.utf8)
        return parse(bytes.span, 0..<bytes.count)
    }
}
