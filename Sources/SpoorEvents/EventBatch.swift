import SpoorCore

/// A columnar batch of events: the shape the rest of spoor computes on.
///
/// Struct of arrays: one ``Column`` per field name, every column as long as the batch, and one
/// ``SymbolTable`` for all strings. Rows exist only at the edges (``row(_:)``, ``value(row:column:)``).
/// Build batches with ``EventBatchBuilder``.
public struct EventBatch: Sendable {
    public internal(set) var symbols: SymbolTable
    public internal(set) var columns: [Column] = []
    public internal(set) var columnIndex: [String: Int] = [:]
    public internal(set) var count: Int = 0

    public init(symbolCapacity: Int = 1024) {
        symbols = SymbolTable(capacity: symbolCapacity)
    }

    /// The column of a field, if any row has it.
    public func column(_ name: String) -> Column? {
        columnIndex[name].map { columns[$0] }
    }

    /// Field names in the order their columns were created.
    public var fieldNames: [String] { columns.map(\.name) }

    /// The value of `column` in row `r`, or nil.
    public func value(row r: Int, column c: Int) -> FieldValue? {
        let col = columns[c]
        guard col.isValid(r) else { return nil }
        switch col.kind {
        case .string: return symbols.string(col.symbols[r]).map(FieldValue.string)
        case .int: return .int(col.integers[r])
        case .bool: return .bool(col.integers[r] != 0)
        case .timestamp: return .timestamp(Timestamp(microseconds: col.integers[r]))
        case .double: return .double(col.doubles[r])
        case .ip: return .ip(col.addresses[r])
        case .stringList:
            let lo = Int(col.listStarts[r]), hi = Int(col.listStarts[r + 1])
            return .list((lo..<hi).map { symbols.string(col.listSymbols[$0]) ?? "" })
        }
    }

    /// The value of field `name` in row `r`, or nil.
    public func value(row r: Int, field name: String) -> FieldValue? {
        guard let c = columnIndex[name] else { return nil }
        return value(row: r, column: c)
    }

    /// The string symbol of field `name` in row `r` without decoding (nil when absent or not a string).
    public func symbol(row r: Int, field name: String) -> UInt32? {
        guard let c = columnIndex[name], columns[c].kind == .string else { return nil }
        let s = columns[c].symbols[r]
        return s == 0 ? nil : s
    }

    /// One row as an ``Event``.
    public func row(_ r: Int) -> Event {
        var fields: [(String, FieldValue)] = []
        fields.reserveCapacity(16)
        for c in columns.indices {
            if let v = value(row: r, column: c) { fields.append((columns[c].name, v)) }
        }
        return Event(orderedFields: fields)
    }

    /// All rows as events (for tests and small outputs).
    public var events: [Event] { (0..<count).map(row) }

    /// Appends the rows of `other`, re-interning its strings into this batch's table.
    public mutating func append(contentsOf other: EventBatch) {
        guard other.count > 0 else { return }
        var builder = EventBatchBuilder(continuing: self)
        self = EventBatch()  // release our copy so the builder's storage is unique
        for r in 0..<other.count {
            builder.beginRow()
            for c in other.columns.indices {
                let col = other.columns[c]
                guard col.isValid(r) else { continue }
                let h = builder.column(col.name, col.kind)
                switch col.kind {
                case .string:
                    other.symbols.withBytes(col.symbols[r]) { _ = builder.set(h, bytes: $0) }
                case .stringList:
                    let lo = Int(col.listStarts[r]), hi = Int(col.listStarts[r + 1])
                    builder.beginList(h)
                    for k in lo..<hi { other.symbols.withBytes(col.listSymbols[k]) { builder.appendToList(h, bytes: $0) } }
                default:
                    if let v = other.value(row: r, column: c) { builder.set(h, v) }
                }
            }
            builder.endRow()
        }
        self = builder.finish()
    }
}
