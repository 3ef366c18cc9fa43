import SpoorCore

/// A handle on a column of the batch being built, resolved once and reused for every row.
public struct ColumnHandle: Sendable, Hashable {
    public let index: Int
}

/// Builds an ``EventBatch`` row by row, writing straight into columns.
///
/// Parsers resolve the handles of the columns they write once (``column(_:_:)``), then per
/// record call ``beginRow()``, the `set` methods and ``endRow()``; on a bad record
/// ``cancelRow()`` removes whatever the row had written. Strings are interned from the
/// parser's input bytes with no intermediate `String`.
///
/// A value of another kind than its column's (a JSON key that holds numbers in some records
/// and text in others) widens the column: int to double, anything to string.
public struct EventBatchBuilder: Sendable {
    var batch: EventBatch
    private var rowOpen = false
    /// Rows stored in each column (kept here so the hot path never reads a whole `Column`).
    private var filled: [Int] = []
    /// Each column's kind, likewise.
    private var kinds: [FieldKind] = []
    /// Per column, ``recentWays`` symbols last written by ``set(_:bytes:)`` or
    /// ``appendToList(_:bytes:)`` (the column's kind tells which), each with its byte length in
    /// the high 32 bits (0 when none): a value seen lately in the column is compared with its
    /// entry instead of hashed and probed in the whole table. The entry is chosen by the length
    /// and the first and last byte, so a few values alternating in one column (several event
    /// kinds, hosts or users mixed) keep their entries; most misses end at the length compare.
    private var recent: [UInt64] = []
    static let recentWays = 4
    /// Distinguishes batches: a symbol from ``intern(_:)`` is valid while this is unchanged
    /// (``finish()`` changes it), so a parser may keep the symbols of its constant strings
    /// (event kinds, actions, categories) and set them with ``set(_:symbol:)`` and
    /// ``appendToList(_:symbol:)`` instead of comparing their bytes in every row.
    public private(set) var generation = UInt64.random(in: 1...UInt64.max)
    /// Constants (``setConstant(_:items:)``): their items, kept as bytes so they outlive the
    /// symbol table of one batch.
    private var constants: [Int: [[UInt8]]] = [:]
    /// Per column: whether it has a constant, and the constant interned in the current table
    /// (its symbol for a string column, its symbols for a list column).
    private var hasConstant: [Bool] = []
    private var constantSymbols: [UInt32] = []
    private var constantLists: [Int: [UInt32]] = [:]
    /// List items bound for string columns in the open row, joined when the row ends.
    private var joined: [Int: [UInt8]] = [:]
    /// Rows to reserve in every column when the next batch gets its first row (``finish()``
    /// leaves it, so a last batch that never gets a row allocates nothing).
    private var pendingReserve = 0
    /// Rows the current batch is expected to hold (``reserve(rows:)``): the room new columns get.
    private var rowsHint = 0

    public init(symbolCapacity: Int = 4096) {
        batch = EventBatch(symbolCapacity: symbolCapacity)
    }

    init(continuing batch: EventBatch) {
        self.batch = batch
        filled = batch.columns.map(\.count)
        kinds = batch.columns.map(\.kind)
        recent = [UInt64](repeating: 0, count: batch.columns.count * Self.recentWays)
        hasConstant = [Bool](repeating: false, count: batch.columns.count)
        constantSymbols = [UInt32](repeating: 0, count: batch.columns.count)
    }

    /// Rows finished so far.
    public var count: Int { batch.count }

    /// The symbol table, for parsers that intern once and reuse the symbol.
    public var symbols: SymbolTable { batch.symbols }

    /// The handle of column `name`, created with `kind` if new.
    public mutating func column(_ name: String, _ kind: FieldKind) -> ColumnHandle {
        if let i = batch.columnIndex[name] { return ColumnHandle(index: i) }
        var col = Column(name: name, kind: kind)
        col.reserve(max(batch.count, 64, rowsHint))
        col.pad(to: batch.count)
        batch.columns.append(col)
        filled.append(batch.count)
        kinds.append(kind)
        recent.append(contentsOf: repeatElement(0, count: Self.recentWays))
        hasConstant.append(false)
        constantSymbols.append(0)
        batch.columnIndex[name] = batch.columns.count - 1
        return ColumnHandle(index: batch.columns.count - 1)
    }

    /// The handle of column `name` if the builder has it (never creates it).
    public func existingColumn(_ name: String) -> ColumnHandle? {
        batch.columnIndex[name].map { ColumnHandle(index: $0) }
    }

    /// The kind a column ended up with.
    public func kind(of h: ColumnHandle) -> FieldKind { kinds[h.index] }

    /// Room for about `rows` rows in every column of the current batch, those created later
    /// included (at most 4,096: room for a column no row uses is memory spent for nothing), for
    /// a parser that knows how many records the batch will get (an EVTX file's record count):
    /// the columns then grow less often while it fills.
    public mutating func reserve(rows: Int) {
        rowsHint = max(0, min(rows, 4096))
        pendingReserve = max(pendingReserve, rowsHint)
    }

    public mutating func beginRow() {
        precondition(!rowOpen, "beginRow() called twice without endRow() or cancelRow()")
        rowOpen = true
        if pendingReserve > 0 {
            for c in batch.columns.indices { batch.columns[c].reserve(pendingReserve) }
            pendingReserve = 0
        }
    }

    /// Finishes the row: columns it did not set get a null.
    public mutating func endRow() {
        precondition(rowOpen, "endRow() without beginRow()")
        if !joined.isEmpty {
            for (c, bytes) in joined { set(ColumnHandle(index: c), bytes: bytes.span) }
            joined.removeAll(keepingCapacity: true)
        }
        batch.count += 1
        rowOpen = false
    }

    /// Discards everything the open row wrote.
    public mutating func cancelRow() {
        guard rowOpen else { return }
        joined.removeAll(keepingCapacity: true)
        let rows = batch.count
        for c in filled.indices where filled[c] > rows {
            batch.columns[c].truncate(to: rows)
            filled[c] = rows
            for k in 0..<Self.recentWays { recent[c * Self.recentWays + k] = 0 }
        }
        rowOpen = false
    }

    /// Whether the open row already holds a value in `h` (a constant counts).
    public func isSet(_ h: ColumnHandle) -> Bool {
        filled[h.index] > batch.count || hasConstant[h.index]
    }

    /// Whether `h` is the handle of column `name` in this builder: a cheap check that handles
    /// a parser cached still belong to the builder it is given.
    public func hasColumn(_ h: ColumnHandle, named name: String) -> Bool {
        h.index >= 0 && h.index < batch.columns.count && batch.columns[h.index].name == name
    }

    /// Makes `items` the value of column `h` in the open row and in every later row, across
    /// ``finish()``, that does not set the column itself, until changed; nil removes it.
    ///
    /// Rows get the same value as if it were set in each of them before any other field (one
    /// item in a string column, the items joined with commas in a string column, the list in
    /// a list column; other kinds are widened to string), at no cost per row.
    public mutating func setConstant(_ h: ColumnHandle, items: [[UInt8]]?) {
        let c = h.index
        // Rows before the open one keep what they had.
        padColumn(c, to: batch.count)
        if items != nil, kinds[c] != .string, kinds[c] != .stringList { widenToString(c) }
        constants[c] = items
        internConstant(c)
    }

    /// Interns the constant of column `c` (if any) in the current symbol table.
    private mutating func internConstant(_ c: Int) {
        guard let items = constants[c] else {
            hasConstant[c] = false
            constantSymbols[c] = 0
            constantLists[c] = nil
            return
        }
        hasConstant[c] = true
        if kinds[c] == .stringList {
            constantLists[c] = items.map { batch.symbols.intern($0.span) }
            constantSymbols[c] = 0
        } else {
            var text: [UInt8] = []
            for (k, item) in items.enumerated() {
                if k > 0 { text.append(UInt8(ascii: ",")) }
                text.append(contentsOf: item)
            }
            constantSymbols[c] = batch.symbols.intern(text.span)
            constantLists[c] = nil
        }
    }

    /// Pads column `c` to `rows` with nulls, or with its constant.
    @inline(__always)
    private mutating func padColumn(_ c: Int, to rows: Int) {
        guard filled[c] < rows else { return }
        if hasConstant[c] {
            batch.columns[c].pad(to: rows, symbol: constantSymbols[c], list: constantLists[c] ?? [])
        } else {
            batch.columns[c].pad(to: rows)
        }
        filled[c] = rows
    }

    /// Prepares column `h` for a value in the open row and reports whether it was already set.
    @inline(__always)
    private mutating func prepare(_ h: ColumnHandle) -> Bool {
        let rows = batch.count
        let c = h.index
        let n = filled[c]
        if n > rows {
            return true
        }
        if n < rows { padColumn(c, to: rows) }
        filled[c] = rows + 1
        return false
    }

    /// The symbol of `bytes` for column `c`: a recent symbol of the column when the value
    /// repeats (common: host names, programs, actions, users), else interned.
    @inline(__always)
    private mutating func internCached(_ c: Int, _ bytes: Span<UInt8>) -> UInt32 {
        let n = bytes.count
        let mix = n == 0 ? 0 : n &+ Int(bytes[0]) &+ Int(bytes[n - 1]) &* 3
        let slot = c &* Self.recentWays &+ (mix & (Self.recentWays - 1))
        let e = recent[slot]
        let symbol = UInt32(truncatingIfNeeded: e)
        if e != 0 && Int(truncatingIfNeeded: e >> 32) == n && batch.symbols.matches(symbol, bytes) { return symbol }
        let s = batch.symbols.intern(bytes)
        recent[slot] = UInt64(s) | UInt64(UInt32(truncatingIfNeeded: n)) << 32
        return s
    }

    /// Sets a string from bytes; returns its symbol when the column holds strings (0 when the
    /// value was converted), for ``set(_:symbol:)`` of the same value in other columns.
    @discardableResult
    public mutating func set(_ h: ColumnHandle, bytes: Span<UInt8>) -> UInt32 {
        let kind = kinds[h.index]
        if kind != .string {
            set(h, .string(ByteText.string(bytes)))
            return 0
        }
        let c = h.index
        let s = internCached(c, bytes)
        if prepare(h) { batch.columns[c].symbols[batch.count] = s } else { batch.columns[c].symbols.append(s) }
        return s
    }

    /// The symbol ``set(_:bytes:)`` would write into `h` for `bytes` (a recent symbol of the
    /// column, else interned), without writing it: for ``set(cells:)``. Nil when `h` does not
    /// hold strings (then write the value with ``set(_:bytes:)``, which converts it).
    public mutating func symbol(_ h: ColumnHandle, bytes: Span<UInt8>) -> UInt32? {
        guard kinds[h.index] == .string else { return nil }
        return internCached(h.index, bytes)
    }

    /// One value for ``set(cells:)``: a symbol of the current batch (``symbol(_:_:)``), an
    /// integer (``integer(_:_:)``) or a time (``timestamp(_:_:)``), written as
    /// ``set(_:symbol:)``, ``set(_:int:)`` or ``set(_:timestamp:)`` writes it (converted when the
    /// column is of another kind).
    public struct Cell: Sendable {
        public let column: Int32
        /// `.string` (a symbol), `.int` or `.timestamp` (µs).
        public let kind: FieldKind
        public let value: Int64

        @inlinable init(column: Int32, kind: FieldKind, value: Int64) {
            self.column = column
            self.kind = kind
            self.value = value
        }

        @inlinable public static func symbol(_ h: ColumnHandle, _ s: UInt32) -> Cell {
            Cell(column: Int32(truncatingIfNeeded: h.index), kind: .string, value: Int64(s))
        }

        @inlinable public static func integer(_ h: ColumnHandle, _ v: Int64) -> Cell {
            Cell(column: Int32(truncatingIfNeeded: h.index), kind: .int, value: v)
        }

        @inlinable public static func timestamp(_ h: ColumnHandle, _ t: Timestamp) -> Cell {
            Cell(column: Int32(truncatingIfNeeded: h.index), kind: .timestamp, value: t.microseconds)
        }
    }

    /// Writes `cells` into the open row in order: the same as ``set(_:)`` of each cell, but the builder's arrays are reached once per run of cells
    /// instead of once per cell (each access to a stored array to write it checks that it is
    /// uniquely referenced), for a parser that stages a row's cells and writes them at once.
    public mutating func set(cells: UnsafeBufferPointer<Cell>) {
        var i = 0
        let n = cells.count
        while i < n {
            i = setRun(cells, from: i)
            guard i < n else { return }
            // A cell the run leaves: another kind than its column's, or a column to pad with its constant.
            set(cells[i])
            i += 1
        }
    }

    /// Writes one cell: ``set(_:symbol:)``, ``set(_:int:)`` or ``set(_:timestamp:)`` of it.
    public mutating func set(_ cell: Cell) {
        let h = ColumnHandle(index: Int(cell.column))
        switch cell.kind {
        case .string: set(h, symbol: UInt32(truncatingIfNeeded: cell.value))
        case .timestamp: set(h, timestamp: Timestamp(microseconds: cell.value))
        default: set(h, int: cell.value)
        }
    }

    /// Writes cells from `start` on while each goes to a column of its kind that needs no
    /// constant padded in; returns the index of the first cell it did not write.
    private mutating func setRun(_ cells: UnsafeBufferPointer<Cell>, from start: Int) -> Int {
        let rows = batch.count
        return kinds.withUnsafeBufferPointer { kinds in
            hasConstant.withUnsafeBufferPointer { constant in
                filled.withUnsafeMutableBufferPointer { filled in
                    batch.columns.withUnsafeMutableBufferPointer { columns in
                        var i = start
                        while i < cells.count {
                            let cell = cells[i]
                            let c = Int(cell.column)
                            precondition(c >= 0 && c < columns.count && c < filled.count, "a cell for a column this builder does not have")
                            let kind = kinds[c]
                            guard kind == cell.kind, kind == .string || kind == .int || kind == .timestamp else { return i }
                            let integer = kind != .string
                            let n = filled[c]
                            if n > rows {
                                if integer {
                                    columns[c].set(integer: cell.value, at: rows)
                                } else {
                                    columns[c].symbols[rows] = UInt32(truncatingIfNeeded: cell.value)
                                }
                            } else {
                                if n < rows {
                                    if constant[c] { return i }
                                    columns[c].pad(to: rows)
                                }
                                filled[c] = rows + 1
                                if integer {
                                    columns[c].append(integer: cell.value)
                                } else {
                                    columns[c].symbols.append(UInt32(truncatingIfNeeded: cell.value))
                                }
                            }
                            i += 1
                        }
                        return i
                    }
                }
            }
        }
    }

    /// Interns `bytes` once, for a value many rows will share (``set(_:symbol:)``).
    public mutating func intern(_ bytes: Span<UInt8>) -> UInt32 { batch.symbols.intern(bytes) }

    /// Sets a string column to a symbol from ``intern(_:)`` of this builder.
    public mutating func set(_ h: ColumnHandle, symbol s: UInt32) {
        guard kinds[h.index] == .string else {
            if let text = batch.symbols.string(s) { set(h, .string(text)) }
            return
        }
        if prepare(h) { batch.columns[h.index].symbols[batch.count] = s } else { batch.columns[h.index].symbols.append(s) }
    }

    /// One value of the open row as the builder stores it, with the kind of its column then:
    /// what ``openRowCell(_:)`` reads and ``set(_:cell:)`` writes again, so a parser that derives
    /// the same values from a repeated input can store what it wrote once and write it again
    /// without converting or interning (a symbol is valid while ``generation`` is unchanged).
    public enum RowCell: Sendable, Equatable {
        case symbol(UInt32)
        case integer(Int64, FieldKind)
        case double(Double)
        case address(IPAddress)
    }

    /// The value the open row holds in column `h` when the row itself set it (not a constant);
    /// nil when it did not, or for a list column.
    public func openRowCell(_ h: ColumnHandle) -> RowCell? {
        let c = h.index
        let r = batch.count
        guard c >= 0, c < filled.count, filled[c] > r else { return nil }
        switch kinds[c] {
        case .string:
            let s = batch.columns[c].symbols[r]
            return s == 0 ? nil : .symbol(s)
        case .int, .bool, .timestamp:
            return batch.columns[c].valid[r] ? .integer(batch.columns[c].integers[r], kinds[c]) : nil
        case .double:
            return batch.columns[c].valid[r] ? .double(batch.columns[c].doubles[r]) : nil
        case .ip:
            return batch.columns[c].valid[r] ? .address(batch.columns[c].addresses[r]) : nil
        case .stringList:
            return nil
        }
    }

    /// Writes a value read by ``openRowCell(_:)`` in this batch (same ``generation``) into the
    /// open row: the same as the `set` call that first wrote it (converted when the column has
    /// been widened since).
    public mutating func set(_ h: ColumnHandle, cell: RowCell) {
        switch cell {
        case .symbol(let s):
            set(h, symbol: s)
        case .integer(let v, let kind):
            if kinds[h.index] == kind { setInteger(h, v); return }
            switch kind {
            case .bool: set(h, bool: v != 0)
            case .timestamp: set(h, timestamp: Timestamp(microseconds: v))
            default: set(h, int: v)
            }
        case .double(let d):
            set(h, double: d)
        case .address(let a):
            set(h, ip: a)
        }
    }

    /// Sets a string from `bytes[range]`.
    @inline(__always) @discardableResult
    public mutating func set(_ h: ColumnHandle, bytes: Span<UInt8>, range: Range<Int>) -> UInt32 {
        set(h, bytes: bytes.extracting(range))
    }

    /// Sets a string.
    public mutating func set(_ h: ColumnHandle, string: String) {
        set(h, bytes: string.utf8.span)
    }

    /// Sets a string that is written under the ``ByteText`` policy (decoded to its bytes first).
    public mutating func set(_ h: ColumnHandle, text: String) {
        if ByteText.hasEscapes(text) { set(h, bytes: ByteText.decode(text).span) } else { set(h, string: text) }
    }

    public mutating func set(_ h: ColumnHandle, int v: Int64) {
        switch kinds[h.index] {
        case .int: setInteger(h, v)
        case .double: set(h, double: Double(v))
        default: set(h, .int(v))
        }
    }

    public mutating func set(_ h: ColumnHandle, double v: Double) {
        switch kinds[h.index] {
        case .double:
            if prepare(h) { batch.columns[h.index].set(double: v, at: batch.count) } else { batch.columns[h.index].append(double: v) }
        case .int:
            widenToDouble(h.index)
            set(h, double: v)
        default: set(h, .double(v))
        }
    }

    public mutating func set(_ h: ColumnHandle, bool v: Bool) {
        if kinds[h.index] == .bool { setInteger(h, v ? 1 : 0) } else { set(h, .bool(v)) }
    }

    public mutating func set(_ h: ColumnHandle, timestamp t: Timestamp) {
        if kinds[h.index] == .timestamp { setInteger(h, t.microseconds) } else { set(h, .timestamp(t)) }
    }

    public mutating func set(_ h: ColumnHandle, ip a: IPAddress) {
        guard kinds[h.index] == .ip else { set(h, .ip(a)); return }
        if prepare(h) { batch.columns[h.index].set(address: a, at: batch.count) } else { batch.columns[h.index].append(address: a) }
    }

    @inline(__always)
    private mutating func setInteger(_ h: ColumnHandle, _ v: Int64) {
        if prepare(h) { batch.columns[h.index].set(integer: v, at: batch.count) } else { batch.columns[h.index].append(integer: v) }
    }

    /// Sets any value, converting to the column's kind or widening the column.
    public mutating func set(_ h: ColumnHandle, _ value: FieldValue) {
        let kind = kinds[h.index]
        switch (kind, value) {
        case (.string, .string(let s)): set(h, text: s)
        case (.string, _): set(h, string: value.description)
        case (.int, .int(let v)): setInteger(h, v)
        case (.int, .double(let d)): widenToDouble(h.index); set(h, double: d)
        case (.double, .double(let d)): set(h, double: d)
        case (.double, .int(let v)): set(h, double: Double(v))
        case (.bool, .bool(let b)): setInteger(h, b ? 1 : 0)
        case (.timestamp, .timestamp(let t)): setInteger(h, t.microseconds)
        case (.ip, .ip(let a)): set(h, ip: a)
        case (.stringList, .list(let items)):
            beginList(h)
            for item in items { appendToList(h, text: item) }
        case (.stringList, _):
            beginList(h)
            appendToList(h, text: value.description)
        default:
            widenToString(h.index)
            set(h, value)
        }
    }

    /// Starts (or restarts) the list value of the open row in a `.stringList` column.
    public mutating func beginList(_ h: ColumnHandle) {
        if kinds[h.index] != .stringList {
            // A string column (widened, or made as one): items are joined with commas, in a
            // buffer written once when the row ends (joining in place would be quadratic).
            widenToString(h.index)
            joined[h.index] = []
            return
        }
        let r = batch.count
        if prepare(h) {
            // Already set this row: drop its items and start again.
            let start = Int(batch.columns[h.index].listStarts[r])
            batch.columns[h.index].listSymbols.removeLast(batch.columns[h.index].listSymbols.count - start)
            batch.columns[h.index].listStarts[r + 1] = Int32(start)
        } else {
            batch.columns[h.index].listStarts.append(Int32(batch.columns[h.index].listSymbols.count))
            batch.columns[h.index].valid.append(true)
        }
    }

    /// Appends an item to the list begun with ``beginList(_:)``.
    public mutating func appendToList(_ h: ColumnHandle, bytes: Span<UInt8>) {
        if kinds[h.index] != .stringList {
            var buffer = joined[h.index] ?? []
            if !buffer.isEmpty { buffer.append(UInt8(ascii: ",")) }
            bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
            joined[h.index] = buffer
            return
        }
        let s = internCached(h.index, bytes)
        batch.columns[h.index].listSymbols.append(s)
        batch.columns[h.index].listStarts[batch.count + 1] = Int32(batch.columns[h.index].listSymbols.count)
    }

    /// Appends an item given by its symbol from ``intern(_:)`` of this builder's current batch.
    public mutating func appendToList(_ h: ColumnHandle, symbol s: UInt32) {
        guard kinds[h.index] == .stringList else {
            appendToList(h, text: batch.symbols.string(s) ?? "")
            return
        }
        batch.columns[h.index].listSymbols.append(s)
        batch.columns[h.index].listStarts[batch.count + 1] = Int32(batch.columns[h.index].listSymbols.count)
    }

    public mutating func appendToList(_ h: ColumnHandle, text: String) {
        if ByteText.hasEscapes(text) { appendToList(h, bytes: ByteText.decode(text).span) } else { appendToList(h, bytes: text.utf8.span) }
    }

    private mutating func widenToDouble(_ c: Int) {
        var col = batch.columns[c]
        guard col.kind == .int else { return }
        col.doubles = col.integers.map(Double.init)
        col.integers = []
        col.kind = .double
        batch.columns[c] = col
        kinds[c] = .double
    }

    private mutating func widenToString(_ c: Int) {
        let col = batch.columns[c]
        guard col.kind != .string else { return }
        var widened = Column(name: col.name, kind: .string)
        widened.symbols.reserveCapacity(col.count + 1)
        let tmp = EventBatch.cellTexts(col, symbols: batch.symbols)
        for text in tmp {
            if let t = text { widened.symbols.append(batch.symbols.intern(t)) } else { widened.symbols.append(0) }
        }
        batch.columns[c] = widened
        kinds[c] = .string
        if hasConstant[c] { internConstant(c) }
    }

    /// The finished batch; every column padded to the row count.
    ///
    /// The builder starts over with no rows and a fresh symbol table but the same columns,
    /// so ``ColumnHandle``s a parser resolved stay valid for every batch of its source.
    public mutating func finish() -> EventBatch {
        cancelRow()
        for c in batch.columns.indices { padColumn(c, to: batch.count) }
        var next = EventBatch(symbolCapacity: max(1024, batch.symbols.count))
        next.symbols.reserve(symbols: batch.symbols.count, bytes: batch.symbols.byteCount)
        next.columns = batch.columns.map { Column(name: $0.name, kind: $0.kind) }
        // The columns' room is reserved when the next batch gets its first row (`beginRow`).
        pendingReserve = max(batch.count, 64)
        rowsHint = 0
        next.columnIndex = batch.columnIndex
        var out = batch
        batch = next
        out.dropEmptyColumns()
        generation = Self.nextGeneration(generation)
        for c in filled.indices { filled[c] = 0 }
        for k in recent.indices { recent[k] = 0 }
        for c in constants.keys { internConstant(c) }
        return out
    }

    /// The generation after `g`: a 64-bit mix (SplitMix64's finaliser, Steele, Lea and Flood,
    /// 2014, "Fast splittable pseudorandom number generators", OOPSLA) of `g` plus an odd
    /// constant, so successive batches of one builder never repeat a generation soon and
    /// builders started from random generations stay apart; never 0. (Drawing a random number
    /// per batch asked the kernel each time.)
    static func nextGeneration(_ g: UInt64) -> UInt64 {
        var z = g &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }

}

extension EventBatch {
    /// Leaves out the columns no row has a value in (columns created for earlier batches of a
    /// builder but unused in this one), in place.
    mutating func dropEmptyColumns() {
        let rows = count
        // One scan per column, each read in place (a closure over the columns copied each one).
        var empty: [Int] = []
        for c in columns.indices where !columns[c].hasValue(rows: rows) { empty.append(c) }
        guard !empty.isEmpty else { return }
        for c in empty.reversed() { columns.remove(at: c) }
        var index: [String: Int] = [:]
        index.reserveCapacity(columns.count)
        for (c, col) in columns.enumerated() { index[col.name] = c }
        columnIndex = index
    }
}

extension EventBatch {
    /// Text of every cell of a column (nil for null), used when a column is widened.
    static func cellTexts(_ col: Column, symbols: SymbolTable) -> [String?] {
        (0..<col.count).map { r -> String? in
            guard col.isValid(r) else { return nil }
            switch col.kind {
            case .string: return symbols.string(col.symbols[r])
            case .int: return String(col.integers[r])
            case .bool: return col.integers[r] != 0 ? "true" : "false"
            case .timestamp: return Timestamp(microseconds: col.integers[r]).description
            case .double: return FieldValue.format(col.doubles[r])
            case .ip: return col.addresses[r].description
            case .stringList:
                let lo = Int(col.listStarts[r]), hi = Int(col.listStarts[r + 1])
                return (lo..<hi).map { symbols.string(col.listSymbols[$0]) ?? "" }.joined(separator: ",")
            }
        }
    }
}
