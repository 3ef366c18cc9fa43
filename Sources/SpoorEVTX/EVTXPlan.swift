import SpoorCore

/// The recorded walk of one record shape: for a root template and the types of all substitution
/// values (with the nested instances' templates), which value texts and literal pieces make the
/// record's text and which item or `System` field each range becomes. Replaying it gives what
/// the walk gives for any record of that shape, since the walk's decisions depend only on the
/// shape, except where noted (the walk then records nothing usable, `traceOK`): `Data` names
/// taken from values, array values (as many items as the array holds), a `System` field met
/// twice. Empty texts are decided at replay (an item or field with empty text is dropped as the
/// walk drops it), and so are the size limits.
final class EVTXPlan {
    enum Kind: UInt8 {
        /// `marks[a]` = the text position now.
        case mark
        /// `literals[a ..< a + b]`.
        case literal
        /// The text of value `a` (index into the record's values).
        case value
        /// `System` field `a` = text from mark `b` (not when empty).
        case system
        /// `EventData` item named `a` from mark `b` (not when empty); `dataKeepEmpty` also when empty.
        case data, dataKeepEmpty
        /// `UserData` item named `a` from mark `b` (not when empty).
        case user
        /// Unnamed `Data` items go in at the current item count.
        case unnamedAt
        /// An unnamed `Data` item's text from mark `b`.
        case unnamed
        /// Inserts the `b` unnamed items, named `ints[a ..< a + b]`.
        case insertUnnamed
        /// A replay step only (`Step`): `mark`, `value` and an item op in one.
        case valueItem
        /// A replay step only (`Step`): `mark`, `literal` and an item op in one (a field whose
        /// text is the template's own, as `Computer` often is).
        case literalItem
        /// `<Data>` whose content is one array value: one item per array item. `ints[a]` is the
        /// value, `ints[a + 1]` the items' name (-1: unnamed `Data` items), `ints[a + 2]` 1 when
        /// the recorded walk met at least one item (the keys later names were chosen against
        /// depend on that, so a record with the other case is left to the JSON path).
        case arrayData
        /// `UserData` whose content is value `a`, nested BinXML read by its shape
        /// (`EVTXViewWalker.userDataStream`).
        case userStream
    }

    struct Op {
        var kind: Kind
        var a: Int32
        var b: Int32
    }

    /// The shape: per instance its template (held, so no other template takes its address) and
    /// value count; every value's type.
    let templates: [XTemplate]
    /// The templates' addresses (compared without retaining them).
    let pointers: [UnsafeMutableRawPointer]
    let counts: [Int32]
    let types: [UInt8]
    let ops: [Op]
    let literals: [UInt8]
    let ints: [Int32]
    let marks: Int

    /// The memo of the previous replay (see `EVTXViewWalker.replay`), one value so the walker
    /// takes it out and puts it back in one access each: per op, for a value op where that
    /// value's raw bytes were in the file (compared by length and bytes with the next record's,
    /// nothing rendered) and where its text is kept; per slot the stamp its text had.
    struct Memo {
        var previous: [EVTXPlan.Previous] = []
        var stamps: [Int32] = []
        /// The value texts kept from earlier replays, where `Previous.start ..< end` point.
        var text: [UInt8] = []
        /// Whether `previous` holds a whole replay (false after a replay that stopped half-way).
        var hasPrevious = false
        /// The reader whose replays these are (`EVTXViewWalker.owner`; 0: none yet).
        var owner = 0
    }
    var memo = Memo()
    /// Per op: the item's slot in this plan (-1 for other ops); the reader's base for the plan
    /// (`EVTXViewWalker.slotBase`) plus it is the item's number among all slots the reader met
    /// (`EVTXDataItem.slot`). Item ops are `system`, `data`, `dataKeepEmpty`, `user` and `unnamed`.
    let slots: [Int32]
    let slotCount: Int
    /// The plan's number in its cache (0, 1, …).
    var index = 0

    struct Previous {
        var pos: Int
        var size: Int
        /// Where the value's text was in `Memo.text` (start -1: not kept).
        var start: Int32 = -1
        var end: Int32 = -1
    }

    /// What the replay runs: `ops` with each `mark`, `value`, item op triple whose mark no
    /// other op uses as one `valueItem` step (`a`: the item's name or field, `b`: the value,
    /// `k`: the mark's op index; the item's kind is `ops[k + 2].kind`), each such `mark`,
    /// `literal`, item triple as one `literalItem` step (`b`: the literal's start), no step for
    /// a `mark` and a `system`, `data` or `user` op right after it (an empty text, which gives
    /// nothing), every other op as it is (`k`: its index). Fewer steps, fewer of the loop's
    /// unpredictable branches.
    struct Step {
        var kind: Kind
        var a: Int32
        var b: Int32
        var k: Int32
    }
    let steps: [Step]
    /// Whether an op is `arrayData` (then the number of unnamed `Data` items varies).
    let hasArrays: Bool

    /// `shortcutNested` once worked out (-2: not yet; see EVTXShapeTable.swift).
    var shortcutShape: Int8 = -2

    init(instances: [FastInstance], values: [FastValue], ops: [Op], literals: [UInt8], ints: [Int32], marks: Int) {
        templates = instances.map { $0.template.takeUnretainedValue() }
        pointers = instances.map { $0.template.toOpaque() }
        counts = instances.map { Int32($0.count) }
        types = values.map(\.type)
        self.ops = ops
        self.literals = literals
        self.ints = ints
        self.marks = marks
        memo.previous = [Previous](repeating: Previous(pos: 0, size: -1), count: ops.count)
        var slots = [Int32](repeating: -1, count: ops.count)
        var n: Int32 = 0
        var uses = [Int](repeating: 0, count: marks)
        for (k, op) in ops.enumerated() {
            switch op.kind {
            case .system, .data, .dataKeepEmpty, .user, .unnamed:
                slots[k] = n; n += 1
                if op.b >= 0 && Int(op.b) < marks { uses[Int(op.b)] += 1 }
            default: break
            }
        }
        self.slots = slots
        slotCount = Int(n)
        hasArrays = ops.contains { $0.kind == .arrayData }
        memo.stamps = [Int32](repeating: -1, count: Int(n))
        var steps: [Step] = []
        var k = 0
        while k < ops.count {
            let op = ops[k]
            if op.kind == .mark, k + 1 < ops.count, op.a >= 0, Int(op.a) < marks, uses[Int(op.a)] == 1 {
                // A field or item from this mark right after it has no text, and gives nothing
                // (`system`, `data` and `user` drop an empty one): no step (a `Correlation`
                // without attributes in most `System` templates).
                let next = ops[k + 1]
                if next.b == op.a && (next.kind == .system || next.kind == .data || next.kind == .user) {
                    k += 2
                    continue
                }
            }
            if op.kind == .mark, k + 2 < ops.count, ops[k + 1].kind == .value || ops[k + 1].kind == .literal,
               op.a >= 0, Int(op.a) < marks, uses[Int(op.a)] == 1 {
                let item = ops[k + 2]
                switch item.kind {
                case .system, .data, .dataKeepEmpty, .user, .unnamed:
                    guard item.b == op.a else { break }
                    let fused: Kind = ops[k + 1].kind == .value ? .valueItem : .literalItem
                    steps.append(Step(kind: fused, a: item.a, b: ops[k + 1].a, k: Int32(k)))
                    k += 3
                    continue
                default: break
                }
            }
            steps.append(Step(kind: op.kind, a: op.a, b: op.b, k: Int32(k)))
            k += 1
        }
        self.steps = steps
    }

    /// Whether the record read into `instances` and `values` has this plan's shape.
    func matches(_ instances: [FastInstance], _ values: [FastValue]) -> Bool {
        guard instances.count == pointers.count, values.count == types.count else { return false }
        let same = instances.withUnsafeBufferPointer { i in
            pointers.withUnsafeBufferPointer { p in
                counts.withUnsafeBufferPointer { c in
                    for k in 0..<i.count where i[k].template.toOpaque() != p[k] || i[k].count != Int(c[k]) { return false }
                    return true
                }
            }
        }
        guard same else { return false }
        return types.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                for k in 0..<t.count where t[k] != v[k].type { return false }
                return true
            }
        }
    }
}

/// The plans of one context (``EVTXReadContext``), by root template.
final class EVTXPlanCache {
    static let maximumPlans = 8192
    private var byRoot: [UnsafeMutableRawPointer: [EVTXPlan]] = [:]
    private(set) var count = 0
    /// The stream reading's plans (`EVTXViewWalker.userDataStream`), shared the same way: the
    /// reader reading a chunk holds them meanwhile (`EVTXEventReader.readChunk`).
    var streamPlans = StreamPlanTable()

    /// The plan found last: consecutive records often share a shape, so it is tried first.
    private var last: EVTXPlan? = nil

    func plan(for root: Unmanaged<XTemplate>, _ instances: [FastInstance], _ values: [FastValue]) -> EVTXPlan? {
        if let p = last, p.pointers.first == root.toOpaque(), p.matches(instances, values) { return p }
        guard let list = byRoot[root.toOpaque()] else { return nil }
        for p in list where p.matches(instances, values) { last = p; return p }
        return nil
    }

    func add(_ plan: EVTXPlan) {
        guard let root = plan.templates.first else { return }
        byRoot[Unmanaged.passUnretained(root).toOpaque(), default: []].append(plan)
        plan.index = count
        count += 1
    }
}
