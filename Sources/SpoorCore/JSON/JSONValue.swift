
/// A parsed JSON value that keeps object key order and the exact text of numbers.
public enum JSONValue: Sendable, Hashable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    /// A string, decoded (escapes resolved) under the ``ByteText`` policy.
    case string(String)
    /// A number as written, so integers never pass through a `Double`.
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .object(let kv): hasher.combine(0); for (k, v) in kv { hasher.combine(k); hasher.combine(v) }
        case .array(let a): hasher.combine(1); hasher.combine(a)
        case .string(let s): hasher.combine(2); hasher.combine(s)
        case .number(let n): hasher.combine(3); hasher.combine(n)
        case .bool(let b): hasher.combine(4); hasher.combine(b)
        case .null: hasher.combine(5)
        }
    }

    /// The member `key` of an object.
    public subscript(_ key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// The number as an integer when it is written as one.
    public var intValue: Int64? {
        switch self {
        case .number(let n): Int64(n)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .number(let n): Double(n)
        case .string(let s): Double(s)
        default: nil
        }
    }

    /// The value as text: strings as they are, numbers as written, others as JSON.
    public var text: String {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array(let a): "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .object: jsonText
        }
    }

    /// Compact JSON text.
    public var jsonText: String {
        switch self {
        case .string(let s): return JSONValue.quote(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a): return "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let kv): return "{" + kv.map { JSONValue.quote($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (control characters escaped).
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// Flattens nested objects into dotted keys (`a.b.c`), the way ECS names and Sigma's
    /// dotted field paths address nested JSON. Arrays stay values.
    public func flattened(prefix: String = "") -> [(String, JSONValue)] {
        guard case .object(let kv) = self else { return [(prefix, self)] }
        var out: [(String, JSONValue)] = []
        for (k, v) in kv {
            let key = prefix.isEmpty ? k : prefix + "." + k
            if case .object(let inner) = v, !inner.isEmpty {
                out.append(contentsOf: v.flattened(prefix: key))
            } else {
                out.append((key, v))
            }
        }
        return out
    }
}
