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

    init(instances: [FastInstance], values: [FastValue], ops: [Op], literals: [UInt8], ints: [Int32], marks: Int) {
        templates = instances.map { $0.template.takeUnretainedValue() }
        pointers = instances.map { $0.template.toOpaque() }
        counts = instances.map { Int32($0.count) }
        types = values.map(\.type)
        self.ops = ops
        self.literals = literals
        self.ints = ints
        self.marks = marks
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

/// The plans of one reader, by root template.
final class EVTXPlanCache {
    static let maximumPlans = 8192
    private var byRoot: [UnsafeMutableRawPointer: [EVTXPlan]] = [:]
    private(set) var count = 0

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
        count += 1
    }
}
