import Foundation
import SpoorCore

/// The direct path's walk over one record (see the notes at the top of EVTXEventView.swift).
struct EVTXViewWalker {
    let data: [UInt8]
    let view: EVTXEventView
    var values: [FastValue] = []
    var instances: [FastInstance] = []
    /// The shapes of the record's nested BinXML values read without a template.
    var streams = NestedStreams()
    /// The stream reading's plans by shape (`userDataStream`; the context's, held while a chunk
    /// is read), and the one being worked out.
    var streamPlans = StreamPlanTable()
    var streamPlanScratch = StreamPlan()
    /// Per name id: 0 not worked out yet, else 1 | 2 (the name is `Data`) | 4 (a plain name,
    /// see `XElement.hasPlainName`).
    var streamNameFlags: [UInt8] = []
    /// Per name id, the ids of `name_1`, `name_2` … (``key(id:among:)``).
    var suffixIDs: [Int32: [Int32]] = [:]
    /// Parsed nested BinXML of the record (the instances refer to them unretained).
    var held: [XTemplate] = []
    /// Keys of the object being read (name ids), for the `_1` suffixes of repeated names.
    var keys: [Int32] = []
    var seenSystem = false, seenEventData = false, seenUserData = false, sawElement = false
    var seenSystemChild = [Bool](repeating: false, count: EVTXEventRole.systemChildren)
    var unnamed: [(Int32, Int32)] = []
    var unnamedItems: [EVTXDataItem] = []
    /// Zeros to grow `text` from (``appendUTF16(_:count:)``).
    let zeros = [UInt8](repeating: 0, count: 1024)
    /// The items of an array value (text ranges).
    var items: [(Int32, Int32)] = []
    // The record's output, moved into `view` when the record is read (kept here while it is
    // written: appending to a class's array property costs an exclusivity check per call).
    var text: [UInt8] = []
    var system = [Int32](repeating: -1, count: 2 * EVTXSystemField.allCases.count)
    var eventData: [EVTXDataItem] = []
    var userData: [EVTXDataItem] = []
    var systemStamps = [Int32](repeating: -1, count: EVTXSystemField.allCases.count)
    var systemSlots = [Int32](repeating: -1, count: EVTXSystemField.allCases.count)
    var systemTime: Int64? = nil

    // Stamps (`EVTXDataItem.stamp`): while a plan is replayed, the value ops whose raw bytes
    // differ from the plan's previous replay so far (`changes`), its count at each mark, and
    // the last stamp given.
    var memo = true
    var changes = 0
    var markChanges: [Int] = []
    var nextStamp: Int32 = 0
    /// The memo of the plan being replayed (swapped with `EVTXPlan.memo`).
    var memoScratch = EVTXPlan.Memo()
    var unnamedStamps: [Int32] = []
    var stampHits = 0, stampedItems = 0
    /// Name ids of `param1`, `param2` … (``paramName(_:)``).
    var paramNames: [Int32] = []
    /// Per plan of the context (`EVTXPlan.index`), this reader's number of its first slot (-1: not
    /// met yet), and the slots given out so far (``slotBase(_:)``).
    var slotBases: [Int32] = []
    var slotsUsed: Int32 = 0

    /// The record is left to the JSON path.
    struct Fallback: Error {}

    /// The type of a text of nested BinXML read by its shape (`BinXMLReader.skeleton`): UTF-16LE
    /// as a value text token holds it (not trimmed); not a BinXML value type.
    static let textType: UInt8 = 0x7e

    // Plans (see `EVTXPlan`): the walk of a record is recorded while it runs, and records of the
    // same shape replay the recording instead of walking the template again.
    let plans: EVTXPlanCache
    /// This reader's number among the readers of its context (``EVTXReadContext``): the owner
    /// of the plan memories it writes.
    let owner: Int
    /// The walk is being recorded.
    var tracing = false
    /// Nothing the recording depends on varies with the values themselves (see `EVTXPlan`).
    var traceOK = true
    var traceOps: [EVTXPlan.Op] = []
    var traceLiterals: [UInt8] = []
    var traceInts: [Int32] = []
    var traceMarks: Int32 = 0
    /// The mark the last `leafText`/`attributeText`/`dataText` made.
    var lastMark: Int32 = 0
    /// `System` fields the recorded walk tried (a field tried twice depends on the values).
    var traceFields: UInt32 = 0
    /// Text positions of the marks, while a plan is replayed.
    var marks: [Int] = []
    /// Records read by replaying a plan.
    var replayed = 0
    /// The plan `record(root:)` read the last record by (held by `plans`).
    var lastPlan: Unmanaged<EVTXPlan>? = nil
    /// The plans of flat records by (chunk, root template), for `shortcut` (EVTXShapeTable.swift).
    var shapes = EVTXShapeTable()
    /// Whether `shortcut` is tried (off: every record the usual way, for comparisons).
    var shortcuts = true
    /// Records read by `shortcut`.
    var shortcutRecords = 0
    /// The last FILETIME value `append` rendered in its usual 27-byte form: its UTC microseconds
    /// and where its text ends (-1: none in this record).
    var timeMicros: Int64 = 0
    var timeEnd = -1
    /// The UTC day (days since 1970) of the last FILETIME rendered and its date (year 0…9999).
    var lastDay: (day: Int64, year: Int, month: Int, dayOfMonth: Int) = (.min, 0, 0, 0)

    init(data: [UInt8], view: EVTXEventView, plans: EVTXPlanCache, owner: Int) {
        self.data = data
        self.view = view
        self.plans = plans
        self.owner = owner
        values.reserveCapacity(256)
        instances.reserveCapacity(8)
    }

    var names: EVTXNameTable { view.names }

    /// Takes the view's buffers and empties them for the next record.
    @inline(__always) mutating func startRecord() {
        view.take(&text, &system, &eventData, &userData, &systemStamps, &systemSlots, &systemTime)
        text.removeAll(keepingCapacity: true)
        for k in system.indices { system[k] = -1 }
        for k in systemStamps.indices { systemStamps[k] = -1; systemSlots[k] = -1 }
        eventData.removeAll(keepingCapacity: true)
        userData.removeAll(keepingCapacity: true)
        timeEnd = -1
        systemTime = nil
    }

    /// Reads the record (its values in `values`) by replaying `plan`; false when it is left to
    /// the JSON path.
    mutating func replayRecord(_ plan: EVTXPlan) -> Bool {
        startRecord()
        guard replay(plan) else { return false }
        replayed += 1
        view.take(&text, &system, &eventData, &userData, &systemStamps, &systemSlots, &systemTime)
        return true
    }

    /// Reads the record whose root instance is `root`; false when it is left to the JSON path.
    /// `lastPlan` is then the plan it was read by (nil: none).
    mutating func record(root: Int) -> Bool {
        lastPlan = nil
        // A record whose shape has a plan replays it.
        let rootTemplate = instances[root].template
        let cacheable = root == 0 && held.isEmpty
        if cacheable, let plan = plans.plan(for: rootTemplate, instances, values) {
            lastPlan = Unmanaged.passUnretained(plan)
            return replayRecord(plan)
        }
        startRecord()
        seenSystem = false; seenEventData = false; seenUserData = false; sawElement = false
        for k in seenSystemChild.indices { seenSystemChild[k] = false }
        tracing = cacheable && plans.count < EVTXPlanCache.maximumPlans
        if tracing {
            traceOK = true
            traceOps.removeAll(keepingCapacity: true)
            traceLiterals.removeAll(keepingCapacity: true)
            traceInts.removeAll(keepingCapacity: true)
            traceMarks = 0
            traceFields = 0
        }
        defer { tracing = false }
        do throws(Fallback) {
            let t = rootTemplate.takeUnretainedValue()
            guard let (x, vi) = try firstElement(t.parts, root), x.role == EVTXEventRole.event else { return false }
            try event(x.children, vi)
            guard sawElement, eventData.count <= 512, userData.count <= 512 else { return false }
            if tracing && traceOK {
                let plan = EVTXPlan(instances: instances, values: values, ops: traceOps, literals: traceLiterals, ints: traceInts, marks: Int(traceMarks))
                plans.add(plan)
                lastPlan = Unmanaged.passUnretained(plan)
            }
            view.take(&text, &system, &eventData, &userData, &systemStamps, &systemSlots, &systemTime)
            return true
        } catch {
            return false
        }
    }

    // MARK: plans

    /// Records a mark: the text position where a value's text starts.
    @inline(__always) mutating func mark() {
        lastMark = traceMarks
        traceMarks += 1
        traceOps.append(EVTXPlan.Op(kind: .mark, a: lastMark, b: 0))
    }

    @inline(__always) mutating func emit(_ kind: EVTXPlan.Kind, _ a: Int32, _ b: Int32) {
        traceOps.append(EVTXPlan.Op(kind: kind, a: a, b: b))
    }

    mutating func traceSystemField(_ f: Int) {
        if traceFields & (1 << UInt32(f)) != 0 { traceOK = false }
        traceFields |= 1 << UInt32(f)
    }

    /// A template's literal text piece (recorded).
    @inline(__always) mutating func appendText(_ t: JSONValue) throws(Fallback) {
        let start = text.count
        try appendLiteral(t)
        if tracing {
            emit(.literal, Int32(traceLiterals.count), Int32(text.count - start))
            traceLiterals.append(contentsOf: text[start...])
        }
    }

    /// Substitution value `i` of instance `vi` (recorded).
    @inline(__always) mutating func appendValue(_ vi: Int, _ i: Int, _ v: FastValue) throws(Fallback) {
        if tracing { emit(.value, Int32(instances[vi].first + i), 0) }
        try append(v)
    }

    /// Replays `plan` over the record's values: the text and items the walk gives.
    ///
    /// With `memo`, each item and `System` field also gets a stamp (``EVTXDataItem/stamp``):
    /// the stamp it had in the plan's previous replay when every value whose text went into it
    /// has the same raw bytes as then (the literal pieces between are the plan's own, so the
    /// text is the same), else a new one. The raw bytes are compared where they lie in the file
    /// (length, then `memcmp`), before and without rendering.
    mutating func replay(_ plan: EVTXPlan) -> Bool {
        if marks.count < plan.marks {
            marks = [Int](repeating: 0, count: plan.marks)
            markChanges = [Int](repeating: 0, count: plan.marks)
        }
        // (The walk empties `unnamed` alone: each is emptied when it holds anything.)
        if !unnamed.isEmpty { unnamed.removeAll(keepingCapacity: true) }
        if !unnamedStamps.isEmpty { unnamedStamps.removeAll(keepingCapacity: true) }
        var unnamedAt = -1
        // The plan's memo, held here during the replay (one access to the plan's property in,
        // one out: each access to a class's stored property costs a dynamic exclusivity check).
        let memo = self.memo
        if memo {
            swap(&memoScratch, &plan.memo)
            if memoScratch.owner != owner {
                // The previous replay was another reader's (another file's bytes, its stamps):
                // this reader's memory of the plan starts over.
                memoScratch.owner = owner
                memoScratch.hasPrevious = false
                memoScratch.text.removeAll(keepingCapacity: true)
                for j in memoScratch.stamps.indices { memoScratch.stamps[j] = -1 }
            }
        }
        var hadPrevious = memo && memoScratch.hasPrevious
        if memo && memoScratch.text.count > 1 << 15 {
            // The arena of kept value texts is rebuilt now and then (it only grows between).
            memoScratch.text.removeAll(keepingCapacity: true)
            hadPrevious = false
        }
        memoScratch.hasPrevious = false
        changes = 0
        let base = slotBase(plan)
        let steps = plan.steps
        let complete: Bool
        do throws(Fallback) {
            for step in steps {
                let k = Int(step.k)
                switch step.kind {
                case .mark:
                    marks[Int(step.a)] = text.count
                    markChanges[Int(step.a)] = changes
                case .literal:
                    try checkSize()
                    plan.literals.withUnsafeBufferPointer { l in
                        text.append(contentsOf: UnsafeBufferPointer(rebasing: l[Int(step.a)..<Int(step.a + step.b)]))
                    }
                case .value:
                    try replayValue(k, values[Int(step.a)], memo: memo, hadPrevious: hadPrevious)
                case .system, .data, .dataKeepEmpty, .user, .unnamed:
                    // The item's text began at mark `b`.
                    try replayItem(step.kind, step.a, k, marks[Int(step.b)], markChanges[Int(step.b)], plan, base, memo: memo)
                case .valueItem:
                    // `mark`, `value`, item (ops k, k + 1, k + 2) in one step: the mark is this one's alone.
                    let s = text.count, c = changes
                    try replayValue(k + 1, values[Int(step.b)], memo: memo, hadPrevious: hadPrevious)
                    try replayItem(plan.ops[k + 2].kind, step.a, k + 2, s, c, plan, base, memo: memo)
                case .literalItem:
                    // `mark`, `literal`, item (ops k, k + 1, k + 2) in one step.
                    let s = text.count, c = changes
                    try checkSize()
                    let n = Int(plan.ops[k + 1].b)
                    plan.literals.withUnsafeBufferPointer { l in
                        text.append(contentsOf: UnsafeBufferPointer(rebasing: l[Int(step.b)..<(Int(step.b) + n)]))
                    }
                    try replayItem(plan.ops[k + 2].kind, step.a, k + 2, s, c, plan, base, memo: memo)
                case .userStream:
                    let v = values[Int(step.a)]
                    guard v.type == 0x21, v.stream >= 0 else { throw Fallback() }
                    try userDataStream(v)
                case .unnamedAt:
                    unnamedAt = eventData.count
                case .insertUnnamed:
                    // `b` items were recorded; an array among them may give another count.
                    guard unnamedAt >= 0, Int(step.b) == unnamed.count || plan.hasArrays else { throw Fallback() }
                    // Built in a reused buffer (no allocation per record).
                    unnamedItems.removeAll(keepingCapacity: true)
                    for (j, r) in unnamed.enumerated() {
                        let name = j < Int(step.b) ? plan.ints[Int(step.a) + j] : paramName(j)
                        unnamedItems.append(EVTXDataItem(name: name, start: r.0, end: r.1,
                                                         slot: unnamedStamps[2 * j], stamp: unnamedStamps[2 * j + 1]))
                    }
                    eventData.insert(contentsOf: unnamedItems, at: unnamedAt)
                case .arrayData:
                    let a = Int(step.a)
                    let v = values[Int(plan.ints[a])]
                    let name = plan.ints[a + 1]
                    guard v.type & 0x80 != 0 else { throw Fallback() }
                    // Not compared with the previous record's bytes: the items get no stamps,
                    // and the value counts as changed.
                    changes += 1
                    items.removeAll(keepingCapacity: true)
                    try arrayItems(v)
                    guard items.isEmpty == (plan.ints[a + 2] == 0) else { throw Fallback() }
                    if name < 0 && unnamedAt < 0 && !items.isEmpty { throw Fallback() }
                    for (s, t) in items {
                        if name >= 0 {
                            eventData.append(EVTXDataItem(name: name, start: s, end: t))
                        } else {
                            unnamed.append((s, t))
                            unnamedStamps.append(-1)
                            unnamedStamps.append(-1)
                        }
                    }
                    if eventData.count + unnamed.count > 512 { throw Fallback() }
                }
            }
            complete = true
        } catch {
            complete = false
        }
        if memo {
            // A replay that stopped half-way leaves `previous` and the stamps out of step: start over.
            if !complete {
                for j in memoScratch.stamps.indices { memoScratch.stamps[j] = -1 }
            }
            memoScratch.hasPrevious = complete
            swap(&memoScratch, &plan.memo)
        }
        return complete && eventData.count <= 512 && userData.count <= 512
    }

    /// The number of `plan`'s first slot among the slots this reader met: the plans of a context
    /// are shared by its readers, and each reader numbers the slots of the plans it replays
    /// densely, in the order it meets them (a consumer's per-slot memos stay as small as the
    /// shapes of its own file).
    @inline(__always) mutating func slotBase(_ plan: EVTXPlan) -> Int32 {
        let i = plan.index
        if i < slotBases.count, slotBases[i] >= 0 { return slotBases[i] }
        if i >= slotBases.count { slotBases.append(contentsOf: repeatElement(-1, count: i + 1 - slotBases.count)) }
        slotBases[i] = slotsUsed
        slotsUsed += Int32(plan.slotCount)
        return slotBases[i]
    }

    /// The name id of unnamed `Data` item `j` (`param<j + 1>`, as the walk names them).
    mutating func paramName(_ j: Int) -> Int32 {
        while paramNames.count <= j { paramNames.append(names.id("param" + String(paramNames.count + 1))) }
        return paramNames[j]
    }

    /// Replays value op `k` (value `v`): its text, from the plan's arena when its raw bytes are
    /// those of the previous replay, else rendered (and kept in the arena).
    @inline(__always)
    mutating func replayValue(_ k: Int, _ v: FastValue, memo: Bool, hadPrevious: Bool) throws(Fallback) {
        guard memo else {
            try append(v)
            return
        }
        let p = memoScratch.previous[k]
        let start = text.count
        if hadPrevious && p.size == v.size && Self.sameBytes(data, p.pos, v.pos, v.size) {
            if p.start >= 0, p.start <= p.end, Int(p.end) <= memoScratch.text.count {
                // The same bytes render to the same text: copied from where it was kept (and stays).
                try checkSize()
                memoScratch.text.withUnsafeBufferPointer { t in
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: t[Int(p.start)..<Int(p.end)]))
                }
                memoScratch.previous[k].pos = v.pos
                return
            }
            try append(v)
        } else {
            changes += 1
            try append(v)
        }
        // The new text is kept in the plan's arena (a FILETIME's rendering also hands its value
        // over, `timeEnd`: always rendered).
        if v.type != 0x11 {
            let kept = Int32(memoScratch.text.count)
            text.withUnsafeBufferPointer { t in
                memoScratch.text.append(contentsOf: UnsafeBufferPointer(rebasing: t[start..<t.count]))
            }
            memoScratch.previous[k] = EVTXPlan.Previous(pos: v.pos, size: v.size, start: kept, end: Int32(memoScratch.text.count))
        } else {
            memoScratch.previous[k] = EVTXPlan.Previous(pos: v.pos, size: v.size, start: -1, end: -1)
        }
    }

    /// Replays item op `k` of kind `kind` (a `System` field, an `EventData`/`UserData` item or an
    /// unnamed `Data` item, named or numbered `a`) whose text began at `s`, when `changes` was `c`.
    @inline(__always)
    mutating func replayItem(_ kind: EVTXPlan.Kind, _ a: Int32, _ k: Int, _ s: Int, _ c: Int, _ plan: EVTXPlan, _ base: Int32, memo: Bool) throws(Fallback) {
        switch kind {
        case .system:
            if text.count > s {
                let f = Int(a)
                setSystem(f, s..<text.count)
                if memo {
                    systemStamps[f] = stamp(plan.slots[k], since: c)
                    systemSlots[f] = base + plan.slots[k]
                }
                // The time is exactly one FILETIME's text (replay only appends, so the last 27
                // bytes are that rendering): hand its value over as well.
                if a == Int32(EVTXSystemField.systemTime.rawValue), timeEnd == text.count, s == timeEnd - 27 {
                    systemTime = timeMicros
                }
            }
        case .data:
            if text.count > s {
                let (slot, st) = memo ? (base + plan.slots[k], stamp(plan.slots[k], since: c)) : (-1, -1)
                eventData.append(EVTXDataItem(name: a, start: Int32(s), end: Int32(text.count), slot: slot, stamp: st))
            }
        case .dataKeepEmpty:
            let (slot, st) = memo ? (base + plan.slots[k], stamp(plan.slots[k], since: c)) : (-1, -1)
            eventData.append(EVTXDataItem(name: a, start: Int32(s), end: Int32(text.count), slot: slot, stamp: st))
        case .user:
            if text.count > s {
                let (slot, st) = memo ? (base + plan.slots[k], stamp(plan.slots[k], since: c)) : (-1, -1)
                userData.append(EVTXDataItem(name: a, start: Int32(s), end: Int32(text.count), slot: slot, stamp: st))
            }
        case .unnamed:
            unnamed.append((Int32(s), Int32(text.count)))
            unnamedStamps.append(memo ? base + plan.slots[k] : -1)
            unnamedStamps.append(memo ? stamp(plan.slots[k], since: c) : -1)
        default:
            throw Fallback()
        }
    }

    /// The stamp of the item of plan slot `slot` whose text began when the count of changed
    /// values was `since`: the previous one when no value since then changed, else a new one
    /// (-1 once stamps run out).
    @inline(__always) mutating func stamp(_ slot: Int32, since: Int) -> Int32 {
        let s = Int(slot)
        stampedItems += 1
        let old = memoScratch.stamps[s]
        if old >= 0 && changes == since { stampHits += 1; return old }
        guard nextStamp < Int32.max else { memoScratch.stamps[s] = -1; return -1 }
        nextStamp += 1
        memoScratch.stamps[s] = nextStamp
        return nextStamp
    }

    /// Whether `data[a ..< a + n]` and `data[b ..< b + n]` are the same bytes (both ranges are
    /// values the scan checked to lie in the file).
    @inline(__always) static func sameBytes(_ data: [UInt8], _ a: Int, _ b: Int, _ n: Int) -> Bool {
        if a == b || n <= 0 { return true }
        guard a >= 0, b >= 0, a + n <= data.count, b + n <= data.count else { return false }
        return data.withUnsafeBytes { d in
            // Most values are short (integers, GUIDs, FILETIMEs, SIDs): compared a word at a
            // time here, `memcmp` (a call) only for longer ones.
            if n <= 16 {
                if n >= 8 {
                    return d.loadUnaligned(fromByteOffset: a, as: UInt64.self) == d.loadUnaligned(fromByteOffset: b, as: UInt64.self)
                        && d.loadUnaligned(fromByteOffset: a + n - 8, as: UInt64.self) == d.loadUnaligned(fromByteOffset: b + n - 8, as: UInt64.self)
                }
                var k = 0
                while k < n {
                    if d[a + k] != d[b + k] { return false }
                    k += 1
                }
                return true
            }
            // safe: both ranges are inside `data` (checked above; n > 0).
            return memcmp(d.baseAddress! + a, d.baseAddress! + b, n) == 0
        }
    }

    @inline(__always) func value(_ vi: Int, _ i: Int) -> FastValue? {
        let inst = instances[vi]
        return i < inst.count ? values[inst.first + i] : nil
    }

    /// The instance held by substitution `i` of instance `vi` when it is nested BinXML read as a
    /// template instance, for a walk into the element content it stands in (nil: not nested
    /// BinXML, or empty: nothing to walk). Throws for nested BinXML read by its shape
    /// (`NestedStreams`): the walk reads such a value only as the whole content of `UserData`.
    @inline(__always) func nestedInstance(_ vi: Int, _ i: Int) throws(Fallback) -> Int32? {
        guard let v = value(vi, i), v.type == 0x21 else { return nil }
        guard v.nested >= 0 else {
            if v.stream >= 0 { throw Fallback() }
            return nil
        }
        return v.nested
    }

    /// As `nestedInstance`, inside `EventData` and `UserData`, where any other value but an
    /// empty one (nil) leaves the record to the JSON path.
    @inline(__always) func onlyNestedInstance(_ vi: Int, _ i: Int) throws(Fallback) -> Int32? {
        guard let v = value(vi, i), v.type != 0 else { return nil }
        guard v.type == 0x21, v.nested >= 0 else { throw Fallback() }
        return v.nested
    }

    @inline(__always) func parts(_ nested: Int32) -> [XPart] {
        instances[Int(nested)].template.takeUnretainedValue().parts
    }

    /// An element whose content is one array substitution is repeated per item in the JSON shape.
    @inline(__always) func isRepeated(_ x: XElement, _ vi: Int) -> Bool {
        guard let i = x.soleSubstitution, let v = value(vi, i) else { return false }
        return v.type & 0x80 != 0
    }

    func firstElement(_ parts: [XPart], _ vi: Int) throws(Fallback) -> (XElement, Int)? {
        for part in parts {
            switch part {
            case .element(let x):
                if isRepeated(x, vi) { throw Fallback() }
                return (x, vi)
            case .value:
                continue
            case .substitution(let i, _):
                if let n = try nestedInstance(vi, i), let r = try firstElement(self.parts(n), Int(n)) { return r }
            case .template:
                throw Fallback()
            }
        }
        return nil
    }
}
