import SpoorCore

/// One event as a row: field names and values in a stable order.
///
/// Rows exist at the edges (output, tests, the dashboard). Analytics run on ``EventBatch``.
public struct Event: Sendable, Hashable, CustomStringConvertible {
    /// Fields in the order the batch holds its columns.
    public var orderedFields: [(String, FieldValue)] {
        get { storage }
        set { storage = newValue }
    }
    private var storage: [(String, FieldValue)]

    public init(orderedFields: [(String, FieldValue)]) { storage = orderedFields }

    public subscript(_ name: String) -> FieldValue? {
        storage.first { $0.0 == name }?.1
    }

    /// `@timestamp`, if the event has one.
    public var timestamp: Timestamp? { self[Field.timestamp]?.timestampValue }

    public var fieldNames: [String] { storage.map(\.0) }

    public static func == (a: Event, b: Event) -> Bool {
        guard a.storage.count == b.storage.count else { return false }
        let l = a.storage.sorted { $0.0 < $1.0 }, r = b.storage.sorted { $0.0 < $1.0 }
        for (x, y) in zip(l, r) where x.0 != y.0 || x.1 != y.1 { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for (k, v) in storage.sorted(by: { $0.0 < $1.0 }) { hasher.combine(k); hasher.combine(v) }
    }

    public var description: String {
        "{" + storage.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "}"
    }
}
