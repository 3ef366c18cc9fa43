import SpoorCore

/// A property value of a cyber-observable object, as a pattern sees it.
public enum STIXValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case list([STIXValue])
    /// A nested dictionary (`hashes`, `extensions`, …).
    case dictionary([String: STIXValue])
    /// A reference (`*_ref`, elements of `*_refs`) to another object of the same observation, by its id.
    case ref(String)

    /// Converts JSON: objects become dictionaries, strings in `*_ref`/`*_refs` members become refs.
    public init(json: JSONValue, key: String = "") {
        switch json {
        case .string(let s): self = key.hasSuffix("_ref") ? .ref(s) : .string(s)
        case .number(let n):
            if let i = Int64(n) { self = .int(i) } else { self = .double(Double(n) ?? .nan) }
        case .bool(let b): self = .bool(b)
        case .null: self = .list([])
        case .array(let a):
            let isRefs = key.hasSuffix("_refs")
            self = .list(a.map { isRefs ? STIXValue(json: $0, key: "_ref") : STIXValue(json: $0) })
        case .object(let kv):
            var d: [String: STIXValue] = [:]
            for (k, v) in kv { d[k] = STIXValue(json: v, key: k) }
            self = .dictionary(d)
        }
    }
}

/// A cyber-observable object (SCO, STIX 2.1 §6): its type and properties.
public struct STIXCyberObject: Sendable, Hashable {
    /// `ipv4-addr`, `file`, `network-traffic`, …
    public var type: String
    /// The object's id (2.1) or its key in a 2.0 `objects` dictionary, for `*_ref` resolution.
    public var id: String?
    public var properties: [String: STIXValue]

    public init(type: String, id: String? = nil, properties: [String: STIXValue]) {
        self.type = type
        self.id = id
        self.properties = properties
    }

    /// An SCO from its JSON form; nil when it has no `type`.
    public init?(json: JSONValue, id fallbackID: String? = nil) {
        guard case .object(let kv) = json, let type = json["type"]?.stringValue else { return nil }
        var d: [String: STIXValue] = [:]
        for (k, v) in kv where k != "type" { d[k] = STIXValue(json: v, key: k) }
        self.init(type: type, id: json["id"]?.stringValue ?? fallbackID, properties: d)
    }
}

/// What one event shows: the objects it holds and when it happened (a STIX observed-data's
/// `first_observed`, or the event's `@timestamp`).
public struct STIXObservation: Sendable, Hashable {
    public var time: Timestamp
    public var objects: [STIXCyberObject]

    public init(time: Timestamp, objects: [STIXCyberObject]) {
        self.time = time
        self.objects = objects
    }

    func object(id: String) -> STIXCyberObject? { objects.first { $0.id == id } }
}
