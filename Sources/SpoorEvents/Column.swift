import SpoorCore

/// One column of an ``EventBatch``: values of one kind for every row, nulls included.
///
/// Storage is one typed array per kind (struct of arrays). Strings are symbols of the
/// batch's ``SymbolTable`` (0 = null), so repeated host names, users and template ids cost
/// four bytes a row.
public struct Column: Sendable {
    public let name: String
    public internal(set) var kind: FieldKind
    /// Symbols for `.string`; unused otherwise.
    public internal(set) var symbols: [UInt32] = []
    /// Values for `.int`, `.timestamp` (µs) and `.bool` (0/1); unused otherwise.
    public internal(set) var integers: [Int64] = []
    /// Values for `.double`.
    public internal(set) var doubles: [Double] = []
    /// Values for `.ip`.
    public internal(set) var addresses: [IPAddress] = []
    /// For `.stringList`: row `r` holds `listSymbols[listStarts[r]..<listStarts[r+1]]`.
    public internal(set) var listStarts: [Int32] = [0]
    public internal(set) var listSymbols: [UInt32] = []
    /// Validity for the non-string kinds (strings use symbol 0); empty when every row is valid
    /// is not assumed: one entry a row.
    public internal(set) var valid: [Bool] = []

    init(name: String, kind: FieldKind) {
        self.name = name
        self.kind = kind
    }

    /// Rows stored so far.
    public var count: Int {
        kind == .string ? symbols.count : (kind == .stringList ? listStarts.count - 1 : valid.count)
    }

    /// Whether row `r` has a value.
    @inline(__always)
    public func isValid(_ r: Int) -> Bool {
        guard r < count else { return false }
        switch kind {
        case .string: return symbols[r] != 0
        case .stringList: return valid[r]
        default: return valid[r]
        }
    }

    // One access to the column per value written (the builder's hot path).
    @inline(__always) mutating func append(integer v: Int64) { integers.append(v); valid.append(true) }
    @inline(__always) mutating func set(integer v: Int64, at r: Int) { integers[r] = v; valid[r] = true }
    @inline(__always) mutating func append(double v: Double) { doubles.append(v); valid.append(true) }
    @inline(__always) mutating func set(double v: Double, at r: Int) { doubles[r] = v; valid[r] = true }
    @inline(__always) mutating func append(address v: IPAddress) { addresses.append(v); valid.append(true) }
    @inline(__always) mutating func set(address v: IPAddress, at r: Int) { addresses[r] = v; valid[r] = true }

    mutating func appendNull() {
        switch kind {
        case .string: symbols.append(0)
        case .int, .bool, .timestamp: integers.append(0); valid.append(false)
        case .double: doubles.append(0); valid.append(false)
        case .ip: addresses.append(IPAddress(ipv4: 0)); valid.append(false)
        case .stringList: listStarts.append(Int32(listSymbols.count)); valid.append(false)
        }
    }

    mutating func pad(to rows: Int) {
        let k = rows - count
        guard k > 0 else { return }
        // One missing row (a column skipped by the previous row) is the common case: a plain append.
        if k == 1 { appendNull(); return }
        switch kind {
        case .string: symbols.append(contentsOf: repeatElement(0, count: k))
        case .int, .bool, .timestamp: integers.append(contentsOf: repeatElement(0, count: k)); valid.append(contentsOf: repeatElement(false, count: k))
        case .double: doubles.append(contentsOf: repeatElement(0, count: k)); valid.append(contentsOf: repeatElement(false, count: k))
        case .ip: addresses.append(contentsOf: repeatElement(IPAddress(ipv4: 0), count: k)); valid.append(contentsOf: repeatElement(false, count: k))
        case .stringList:
            listStarts.append(contentsOf: repeatElement(Int32(listSymbols.count), count: k))
            valid.append(contentsOf: repeatElement(false, count: k))
        }
    }

    /// Pads to `rows` with a constant: `symbol` in a string column, the list `list` in a list column.
    mutating func pad(to rows: Int, symbol: UInt32, list: [UInt32]) {
        let k = rows - count
        guard k > 0 else { return }
        switch kind {
        case .string: symbols.append(contentsOf: repeatElement(symbol, count: k))
        case .stringList:
            listSymbols.reserveCapacity(listSymbols.count + k * list.count)
            for _ in 0..<k {
                listSymbols.append(contentsOf: list)
                listStarts.append(Int32(listSymbols.count))
            }
            valid.append(contentsOf: repeatElement(true, count: k))
        default: pad(to: rows)
        }
    }

    mutating func truncate(to rows: Int) {
        guard count > rows else { return }
        switch kind {
        case .string: symbols.removeLast(symbols.count - rows)
        case .int, .bool, .timestamp: integers.removeLast(integers.count - rows); valid.removeLast(valid.count - rows)
        case .double: doubles.removeLast(doubles.count - rows); valid.removeLast(valid.count - rows)
        case .ip: addresses.removeLast(addresses.count - rows); valid.removeLast(valid.count - rows)
        case .stringList:
            listSymbols.removeLast(listSymbols.count - Int(listStarts[rows]))
            listStarts.removeLast(listStarts.count - rows - 1)
            valid.removeLast(valid.count - rows)
        }
    }

    /// Whether any of the first `rows` rows has a value (one typed scan).
    func hasValue(rows: Int) -> Bool {
        switch kind {
        case .string:
            return symbols.withUnsafeBufferPointer { b in
                for i in 0..<min(rows, b.count) where b[i] != 0 { return true }
                return false
            }
        default:
            return valid.withUnsafeBufferPointer { b in
                for i in 0..<min(rows, b.count) where b[i] { return true }
                return false
            }
        }
    }

    mutating func reserve(_ n: Int) {
        switch kind {
        case .string: symbols.reserveCapacity(n)
        case .int, .bool, .timestamp: integers.reserveCapacity(n); valid.reserveCapacity(n)
        case .double: doubles.reserveCapacity(n); valid.reserveCapacity(n)
        case .ip: addresses.reserveCapacity(n); valid.reserveCapacity(n)
        case .stringList: listStarts.reserveCapacity(n + 1); valid.reserveCapacity(n)
        }
    }
}
