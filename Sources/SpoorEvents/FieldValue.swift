import SpoorCore

/// The kind of values a column holds.
public enum FieldKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Bytes, shown as text under the ``ByteText`` policy.
    case string
    /// A 64-bit signed integer (ports, byte counts, event codes, pids).
    case int
    /// A 64-bit float (durations in seconds, scores).
    case double
    case bool
    /// An instant, microseconds since the epoch, UTC.
    case timestamp
    /// An IPv4 or IPv6 address.
    case ip
    /// A list of strings (Zeek sets and vectors, `related.*`).
    case stringList
}

/// One field's value, at the edges of spoor (rows for output, JSON, tests).
///
/// Inside, batches keep values in typed columns; a `FieldValue` is what one cell looks like
/// when taken out.
public enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case timestamp(Timestamp)
    case ip(IPAddress)
    case list([String])

    public var kind: FieldKind {
        switch self {
        case .string: .string
        case .int: .int
        case .double: .double
        case .bool: .bool
        case .timestamp: .timestamp
        case .ip: .ip
        case .list: .stringList
        }
    }

    /// Text for display and for string comparisons (Sigma compares on this).
    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let v): String(v)
        case .double(let v): FieldValue.format(v)
        case .bool(let v): v ? "true" : "false"
        case .timestamp(let t): t.description
        case .ip(let a): a.description
        case .list(let l): l.joined(separator: ",")
        }
    }

    /// Shortest round-tripping text for a double; integral values keep one decimal (`3.0`).
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v < 0 ? "-Infinity" : "Infinity") }
        return "\(v)"
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let v): v
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: Int64(d)
        default: nil
        }
    }
    public var ipValue: IPAddress? { if case .ip(let a) = self { a } else { nil } }
    public var timestampValue: Timestamp? { if case .timestamp(let t) = self { t } else { nil } }
}
