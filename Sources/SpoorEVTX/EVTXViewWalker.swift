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
        unnamed.removeAll(keepingCapacity: true)
        unnamedStamps.removeAll(keepingCapacity: true)
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
                guard let v = value(vi, i), v.type == 0x21 else { continue }
                guard v.nested >= 0 else { if v.stream >= 0 { throw Fallback() }; continue }
                if let r = try firstElement(self.parts(v.nested), Int(v.nested)) { return r }
            case .template:
                throw Fallback()
            }
        }
        return nil
    }

    // MARK: Event, System

    mutating func event(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let x):
                if x.isData || !x.hasPlainName || isRepeated(x, vi) { throw Fallback() }
                sawElement = true
                switch x.role {
                case EVTXEventRole.system:
                    if !seenSystem { seenSystem = true; try system(x.children, vi) }
                case EVTXEventRole.eventData:
                    if !seenEventData { seenEventData = true; try eventData(x, vi) }
                case EVTXEventRole.userData:
                    if !seenUserData { seenUserData = true; try userData(x, vi) }
                default:
                    continue
                }
            case .value:
                continue
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type == 0x21 else { continue }
                guard v.nested >= 0 else { if v.stream >= 0 { throw Fallback() }; continue }
                try event(self.parts(v.nested), Int(v.nested))
            case .template:
                throw Fallback()
            }
        }
    }

    mutating func system(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let e):
                if e.isData || !e.hasPlainName { throw Fallback() }
                let c = Int(e.systemChild)
                guard c >= 0, !seenSystemChild[c] else { continue }
                if isRepeated(e, vi) { throw Fallback() }
                seenSystemChild[c] = true
                let start = text.count
                if tracing && e.textField >= 0 { traceSystemField(Int(e.textField)) }
                if let r = try leafText(e, vi, render: e.textField >= 0) {
                    setSystem(Int(e.textField), r)
                } else {
                    text.removeSubrange(start...)
                }
                if tracing && e.textField >= 0 { emit(.system, Int32(e.textField), lastMark) }
                for k in e.attributes.indices {
                    let f = Int(e.attributeFields[k])
                    guard f >= 0 else { continue }
                    if tracing { traceSystemField(f) }
                    guard system[2 * f] < 0 else { continue }
                    let s = text.count
                    if let r = try attributeText(e.attributes[k].1, vi) { setSystem(f, r) } else { text.removeSubrange(s...) }
                    if tracing { emit(.system, Int32(f), lastMark) }
                }
            case .value:
                continue
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type == 0x21 else { continue }
                guard v.nested >= 0 else { if v.stream >= 0 { throw Fallback() }; continue }
                try system(self.parts(v.nested), Int(v.nested))
            case .template:
                throw Fallback()
            }
        }
    }

    @inline(__always) mutating func setSystem(_ f: Int, _ r: Range<Int>) {
        guard f >= 0 else { return }
        system[2 * f] = Int32(r.lowerBound)
        system[2 * f + 1] = Int32(r.upperBound)
    }

    // MARK: element and attribute text

    /// The text of an element without child elements (empty text: nil, as the JSON shape has
    /// no text for it). `render: false` only checks that the element is such a leaf.
    mutating func leafText(_ e: XElement, _ vi: Int, render: Bool) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if render && tracing { mark() }
        if let i = e.soleSubstitution {
            guard let v = value(vi, i), v.type != 0 else { return nil }
            if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
            if render { try appendValue(vi, i, v) }
        } else {
            var pieces = 0
            for part in e.children {
                switch part {
                case .element, .template:
                    throw Fallback()
                case .value(let t):
                    if render { try appendText(t) }
                    pieces += 1
                case .substitution(let i, _):
                    guard let v = value(vi, i), v.type != 0 else { continue }
                    if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
                    if render { try appendValue(vi, i, v) }
                    pieces += 1
                }
            }
            if pieces == 0 { return nil }
        }
        return text.count > start ? start..<text.count : nil
    }

    /// An attribute's value as the JSON shape has it (nil when left out: no value or empty).
    mutating func attributeText(_ parts: [XPart], _ vi: Int) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if tracing { mark() }
        var pieces = 0
        for part in parts {
            switch part {
            case .value(let t):
                try appendText(t)
                pieces += 1
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0, v.type != 0x21 else { continue }
                if v.type & 0x80 != 0 { throw Fallback() }
                try appendValue(vi, i, v)
                pieces += 1
            default:
                // Only one part that is not text: no value; else skipped.
                if parts.count == 1 { return nil }
            }
        }
        if pieces == 0 { return nil }
        return text.count > start ? start..<text.count : nil
    }

    /// A `Data` element's text (empty text kept, unlike other elements).
    mutating func dataText(_ e: XElement, _ vi: Int) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if tracing { mark() }
        if let i = e.soleSubstitution {
            guard let v = value(vi, i), v.type != 0 else { return nil }
            if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
            try appendValue(vi, i, v)
            return start..<text.count
        }
        var pieces = 0
        for part in e.children {
            switch part {
            case .element:
                continue
            case .template:
                throw Fallback()
            case .value(let t):
                try appendText(t)
                pieces += 1
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
                try appendValue(vi, i, v)
                pieces += 1
            }
        }
        return pieces == 0 ? nil : start..<text.count
    }

    // MARK: EventData, UserData

    /// A key not yet in `keys` for an element named `e.name`: the name, or `name_1`, `name_2` ….
    mutating func key(_ e: XElement) throws(Fallback) -> Int32 {
        if e.nameID < 0 {
            guard e.name.utf8.count <= 256 else { throw Fallback() }
            e.nameID = names.id(e.name)
        }
        return try key(id: e.nameID, among: keys)
    }

    /// A key not yet in `keys` for the name numbered `id`: the name, or `name_1`, `name_2` ….
    mutating func key(id: Int32, among keys: [Int32]) throws(Fallback) -> Int32 {
        // Finding a free suffix is quadratic in the keys: many keys are left to the JSON path.
        guard keys.count <= 1024 else { throw Fallback() }
        if !keys.contains(id) { return id }
        var suffixes = suffixIDs[id] ?? []
        defer { suffixIDs[id] = suffixes }
        var k = 1
        while true {
            if k > suffixes.count { suffixes.append(names.id(names.name(id) + "_" + String(k))) }
            let s = suffixes[k - 1]
            if !keys.contains(s) { return s }
            k += 1
        }
    }

    /// A `Data` element's `Name` (nil: unnamed).
    mutating func dataName(_ e: XElement, _ vi: Int) throws(Fallback) -> Int32? {
        if e.dataNameID >= 0 { return e.dataNameID }
        if e.dataNameID == -1 {
            e.dataNameID = -2
            for (n, parts) in e.attributes where n == "Name" {
                if parts.count == 1, case .value(.string(let s)) = parts[0], !s.isEmpty {
                    guard Self.isUsableDataName(s) else { throw Fallback() }
                    e.dataNameID = names.id(s)
                    return e.dataNameID
                }
                break
            }
        }
        let start = text.count
        defer { text.removeSubrange(start...) }
        for (n, parts) in e.attributes where n == "Name" {
            // The name depends on the record's values: a plan cannot hold it.
            traceOK = false
            if let r = try attributeText(parts, vi) {
                let s = String(decoding: text[r], as: UTF8.self)
                guard Self.isUsableDataName(s) else { throw Fallback() }
                return names.id(s)
            }
        }
        return nil
    }

    /// Names the JSON reading treats specially, or refuses.
    static func isUsableDataName(_ s: String) -> Bool {
        s != "Data" && s != "#text" && s != "#attributes" && s != "xmlns" && s.utf8.count <= 256
    }

    mutating func eventData(_ x: XElement, _ vi: Int) throws(Fallback) {
        keys.removeAll(keepingCapacity: true)
        unnamed.removeAll(keepingCapacity: true)
        var unnamedAt = -1
        try eventDataContent(x.children, vi, &unnamedAt)
        if unnamedAt >= 0 {
            var items: [EVTXDataItem] = []
            if tracing { emit(.insertUnnamed, Int32(traceInts.count), Int32(unnamed.count)) }
            for (k, r) in unnamed.enumerated() {
                let id = paramName(k)
                if tracing { traceInts.append(id) }
                items.append(EVTXDataItem(name: id, start: r.0, end: r.1))
            }
            eventData.insert(contentsOf: items, at: unnamedAt)
        }
    }

    mutating func eventDataContent(_ parts: [XPart], _ vi: Int, _ unnamedAt: inout Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let e):
                if isRepeated(e, vi) {
                    // `<Data>%n</Data>` with an array value: one Data per item.
                    guard e.isData, let i = e.soleSubstitution, let v = value(vi, i) else { throw Fallback() }
                    let id = try dataName(e, vi)
                    items.removeAll(keepingCapacity: true)
                    try arrayItems(v)
                    if tracing {
                        // As many items as the array holds: replayed by `arrayData`.
                        if id == nil, unnamedAt < 0, !items.isEmpty { emit(.unnamedAt, 0, 0) }
                        emit(.arrayData, Int32(traceInts.count), 0)
                        traceInts.append(Int32(instances[vi].first + i))
                        traceInts.append(id ?? -1)
                        traceInts.append(items.isEmpty ? 0 : 1)
                    }
                    for (s, t) in items {
                        if let id {
                            keys.append(id)
                            eventData.append(EVTXDataItem(name: id, start: s, end: t))
                        } else {
                            if unnamedAt < 0 {
                                unnamedAt = eventData.count
                                keys.append(names.id("Data"))
                            }
                            unnamed.append((s, t))
                        }
                    }
                    if eventData.count + unnamed.count > 512 { throw Fallback() }
                    continue
                }
                if e.isData {
                    if let id = try dataName(e, vi) {
                        keys.append(id)
                        if let r = try dataText(e, vi) {
                            eventData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                            if tracing { emit(.dataKeepEmpty, id, lastMark) }
                        }
                    } else {
                        if unnamedAt < 0 {
                            unnamedAt = eventData.count
                            keys.append(names.id("Data"))
                            if tracing { emit(.unnamedAt, 0, 0) }
                        }
                        let start = text.count
                        let r = try dataText(e, vi) ?? start..<start
                        unnamed.append((Int32(r.lowerBound), Int32(r.upperBound)))
                        if tracing { emit(.unnamed, 0, lastMark) }
                    }
                } else {
                    guard e.hasPlainName else { throw Fallback() }
                    let id = try key(e)
                    keys.append(id)
                    if Self.hasElementChildren(e) {
                        try nested(e, vi, prefix: id, user: false)
                    } else {
                        if let r = try leafText(e, vi, render: true) {
                            eventData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                        }
                        if tracing { emit(.data, id, lastMark) }
                    }
                }
                if eventData.count + unnamed.count > 512 { throw Fallback() }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                guard v.type == 0x21, v.nested >= 0 else { throw Fallback() }
                try eventDataContent(self.parts(v.nested), Int(v.nested), &unnamedAt)
            }
        }
    }

    mutating func userData(_ x: XElement, _ vi: Int) throws(Fallback) {
        if x.children.count == 1, case .substitution(let i, _) = x.children[0], let v = value(vi, i), v.type == 0x21, v.stream >= 0 {
            if tracing { emit(.userStream, Int32(instances[vi].first + i), 0) }
            try userDataStream(v)
            return
        }
        var payloadKeys: [Int32] = []
        try userDataContent(x.children, vi, &payloadKeys)
    }

    mutating func userDataContent(_ parts: [XPart], _ vi: Int, _ payloadKeys: inout [Int32]) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let p):
                if p.isData || !p.hasPlainName || isRepeated(p, vi) || p.soleSubstitution != nil { throw Fallback() }
                swap(&keys, &payloadKeys)
                let id = try key(p)
                keys.append(id)
                swap(&keys, &payloadKeys)
                keys.removeAll(keepingCapacity: true)
                try payload(p.children, vi)
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                guard v.type == 0x21, v.nested >= 0 else { throw Fallback() }
                try userDataContent(self.parts(v.nested), Int(v.nested), &payloadKeys)
            }
        }
    }

    /// The children of a `UserData` payload element (leaves only).
    mutating func payload(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let c):
                if c.isData || !c.hasPlainName || isRepeated(c, vi) { throw Fallback() }
                let id = try key(c)
                keys.append(id)
                if Self.hasElementChildren(c) {
                    try nested(c, vi, prefix: id, user: true)
                } else {
                    if let r = try leafText(c, vi, render: true) {
                        userData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                        if userData.count > 512 { throw Fallback() }
                    }
                    if tracing { emit(.user, id, lastMark) }
                }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                guard v.type == 0x21, v.nested >= 0 else { throw Fallback() }
                try payload(self.parts(v.nested), Int(v.nested))
            }
        }
    }

    /// Whether an element's own parts hold an element.
    static func hasElementChildren(_ e: XElement) -> Bool {
        e.children.contains { if case .element = $0 { true } else { false } }
    }

    /// An element with child elements inside `EventData` or a `UserData` payload: its leaves
    /// under dotted names (`prefix.Child`, `prefix.Child.Leaf`), as the JSON reading flattens
    /// the object it renders to. Text next to the children (which the JSON reading would take
    /// instead of them) is left to the JSON path.
    mutating func nested(_ e: XElement, _ vi: Int, prefix: Int32, user: Bool) throws(Fallback) {
        var local: [Int32] = []
        try nestedContent(e.children, vi, prefix: prefix, user: user, &local)
    }

    mutating func nestedContent(_ parts: [XPart], _ vi: Int, prefix: Int32, user: Bool, _ local: inout [Int32]) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let g):
                if g.isData || !g.hasPlainName || isRepeated(g, vi) { throw Fallback() }
                swap(&keys, &local)
                let id = try key(g)
                keys.append(id)
                swap(&keys, &local)
                // `prefix.key`, remembered on the element for the usual case of the same prefix and key.
                let full: Int32
                if g.dottedName.prefix == prefix, g.dottedName.key == id {
                    full = g.dottedName.full
                } else {
                    guard let d = names.dotted(prefix, id, limit: 256) else { throw Fallback() }
                    full = d
                    g.dottedName = (prefix, id, full)
                }
                if Self.hasElementChildren(g) {
                    try nested(g, vi, prefix: full, user: user)
                } else {
                    if let r = try leafText(g, vi, render: true) {
                        let item = EVTXDataItem(name: full, start: Int32(r.lowerBound), end: Int32(r.upperBound))
                        if user { userData.append(item) } else { eventData.append(item) }
                        if userData.count > 512 || eventData.count + unnamed.count > 512 { throw Fallback() }
                    }
                    if tracing { emit(user ? .user : .data, full, lastMark) }
                }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                guard v.type == 0x21, v.nested >= 0 else { throw Fallback() }
                try nestedContent(self.parts(v.nested), Int(v.nested), prefix: prefix, user: user, &local)
            }
        }
    }

    // MARK: nested BinXML read by its shape

    /// A `UserData` whose whole content is nested BinXML that is not a template instance (CAPI2's
    /// certificate chains), read from its shape (`NestedStreams`: the tokens and name ids
    /// `BinXMLReader.skeleton` wrote, and where its texts are) as `userDataContent`, `payload`
    /// and `nestedContent` read the template `fragment` parses from it (texts as substitutions):
    /// the payload elements' leaves under their keys, deeper leaves under dotted names,
    /// attributes not read; text beside elements, a `Data` or special name, leaves the record
    /// to the JSON path. Items get no stamps.
    mutating func userDataStream(_ v: FastValue) throws(Fallback) {
        let s = Int(v.stream)
        guard s >= 0, s < streams.spans.count else { throw Fallback() }
        let span = streams.spans[s]
        var k = Int(span.keyStart)
        let end = Int(span.keyEnd)
        var t = Int(span.textStart)
        var payloadKeys: [Int32] = []
        while k < end {
            // Top level: payload elements only.
            guard streams.key[k] == 0x01 else { throw Fallback() }
            let (id, closing) = try streamElementHeader(&k, &t, end)
            let key = try key(id: id, among: payloadKeys)
            payloadKeys.append(key)
            if closing == 0x02 { try streamContent(&k, &t, end, prefix: -1) }
        }
    }

    /// An element's start in a stream's key at `k` (0x01): its name id and the token that closes
    /// its start (0x02: content follows, 0x03: none), with `k` after that token and `t` past the
    /// texts of its attributes. Throws for a `Data` or special name, as the walk does.
    mutating func streamElementHeader(_ k: inout Int, _ t: inout Int, _ end: Int) throws(Fallback) -> (Int32, UInt8) {
        let key = streams.key
        guard k + 5 < end else { throw Fallback() }
        let id = Int32(bitPattern: UInt32(key[k + 1]) | UInt32(key[k + 2]) << 8 | UInt32(key[k + 3]) << 16 | UInt32(key[k + 4]) << 24)
        k += 5
        while k < end, key[k] == 0x06 {
            k += 5
            attribute: while k < end {
                switch key[k] {
                case 0x05: t += 1; k += 1
                case 0x09: k += 5
                case 0x07: k += 1; break attribute
                default: throw Fallback()
                }
            }
        }
        guard k < end, key[k] == 0x02 || key[k] == 0x03 else { throw Fallback() }
        let closing = key[k]
        k += 1
        let flags = try streamNameFlags(id)
        guard flags & 2 == 0, flags & 4 != 0 else { throw Fallback() }
        return (id, closing)
    }

    /// The content of an element from `k` to its end (0x04): child elements (`payload`,
    /// `nestedContent`; `prefix` -1: a payload's children, named by their keys, else dotted
    /// under `prefix`), or texts and entity references (a leaf, whose text is not read here).
    mutating func streamContent(_ k: inout Int, _ t: inout Int, _ end: Int, prefix: Int32) throws(Fallback) {
        var local: [Int32] = []
        while true {
            guard k < end else { throw Fallback() }
            switch streams.key[k] {
            case 0x04:
                k += 1
                return
            case 0x01:
                let (id, closing) = try streamElementHeader(&k, &t, end)
                let key = try key(id: id, among: local)
                local.append(key)
                let name: Int32
                if prefix < 0 {
                    name = key
                } else {
                    guard let d = names.dotted(prefix, key, limit: 256) else { throw Fallback() }
                    name = d
                }
                guard closing == 0x02 else { continue }
                guard k < end else { throw Fallback() }
                if streams.key[k] == 0x01 {
                    try streamContent(&k, &t, end, prefix: name)
                } else {
                    try streamLeaf(&k, &t, end, name: name)
                }
            default:
                // Text beside elements (or directly in a payload element).
                throw Fallback()
            }
        }
    }

    /// A leaf's texts and entity references from `k` to its end (0x04), as `leafText` renders
    /// them: an item named `name` when the text is not empty.
    mutating func streamLeaf(_ k: inout Int, _ t: inout Int, _ end: Int, name: Int32) throws(Fallback) {
        let start = text.count
        while true {
            guard k < end else { throw Fallback() }
            switch streams.key[k] {
            case 0x04:
                k += 1
                if text.count > start {
                    userData.append(EVTXDataItem(name: name, start: Int32(start), end: Int32(text.count)))
                    if userData.count > 512 { throw Fallback() }
                }
                return
            case 0x05:
                guard t < streams.texts.count else { throw Fallback() }
                let (p, n) = streams.texts[t]
                t += 1
                try append(FastValue(type: Self.textType, pos: p, size: n, nested: -1))
                k += 1
            case 0x09:
                guard k + 5 <= end else { throw Fallback() }
                let key = streams.key
                let id = Int32(bitPattern: UInt32(key[k + 1]) | UInt32(key[k + 2]) << 8 | UInt32(key[k + 3]) << 16 | UInt32(key[k + 4]) << 24)
                guard id >= 0, Int(id) < names.names.count else { throw Fallback() }
                try appendLiteral(.string(BinXMLReader.entity(names.name(id))))
                k += 5
            default:
                // An element after text: mixed content.
                throw Fallback()
            }
        }
    }

    /// The flags of name `id` (see `streamNameFlags`).
    mutating func streamNameFlags(_ id: Int32) throws(Fallback) -> UInt8 {
        guard id >= 0, Int(id) < names.names.count else { throw Fallback() }
        let i = Int(id)
        if i < streamNameFlags.count, streamNameFlags[i] != 0 { return streamNameFlags[i] }
        if i >= streamNameFlags.count { streamNameFlags.append(contentsOf: repeatElement(0, count: i + 1 - streamNameFlags.count)) }
        let n = names.name(id)
        var f: UInt8 = 1
        if n == "Data" { f |= 2 }
        if XElement.isPlainName(n) { f |= 4 }
        streamNameFlags[i] = f
        return f
    }

    // MARK: value text

    @inline(__always) func u16(_ p: Int) -> UInt16 { UInt16(data[p]) | UInt16(data[p + 1]) << 8 }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
    }
    @inline(__always) func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }

    /// The most text one record may render here. Values are copied into the buffer, where the
    /// JSON rendering shares the template's strings, so a hostile record that instantiates a big
    /// template many times is left to the JSON path.
    static let maximumText = 1 << 24

    @inline(__always) func checkSize() throws(Fallback) {
        if text.count > Self.maximumText { throw Fallback() }
    }

    /// A literal text piece of a template (`EVTXJSON.text` of it).
    mutating func appendLiteral(_ v: JSONValue) throws(Fallback) {
        try checkSize()
        if case .string(let s) = v { text.append(contentsOf: s.utf8) } else { text.append(contentsOf: EVTXJSON.text(v).utf8) }
    }

    mutating func appendDecimal(_ v: UInt64, negative: Bool = false) {
        if negative { text.append(0x2d) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[19 - n] = 0x30 + UInt8(x % 10); x /= 10; n += 1 } while x > 0
            // A typed buffer: `append(contentsOf:)` of a raw buffer's slice takes the generic,
            // byte-by-byte path.
            Self.append(&text, d, from: 20 - n, count: n)
        }
    }

    mutating func appendSigned(_ v: Int64) {
        appendDecimal(v.magnitude, negative: v < 0)
    }

    /// Appends `count` bytes of `raw` from `start` to `text` (one copy).
    @inline(__always) static func append(_ text: inout [UInt8], _ raw: UnsafeMutableRawBufferPointer, from start: Int, count: Int) {
        guard let base = raw.baseAddress, start >= 0, count >= 0, start + count <= raw.count else { return }
        text.append(contentsOf: UnsafeBufferPointer(start: (base + start).assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// The upper-case hex digit of `d` (0…15).
    @inline(__always) static func upperHex(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 &+ d : 0x37 &+ d }

    /// `0x` and lower-case hex digits without leading zeros.
    mutating func appendHex(_ v: UInt64) {
        text.append(0x30); text.append(0x78)
        let digits = max(1, (64 - v.leadingZeroBitCount + 3) / 4)
        for k in stride(from: digits - 1, through: 0, by: -1) {
            let d = UInt8(truncatingIfNeeded: (v >> (4 * UInt64(k))) & 15)
            text.append(d < 10 ? 0x30 &+ d : 0x57 &+ d)
        }
    }

    /// UTF-16LE code units as UTF-8 (ill-formed units become U+FFFD, as `String(decoding:as:)`).
    mutating func appendUTF16(_ p: Int, count n: Int) {
        guard n > 0 else { return }
        data.withUnsafeBufferPointer { b in
            // ASCII (the usual case) is written in place; the first other unit ends that.
            let base = text.count
            // Room for `n` bytes, copied from a buffer of zeros (appending `repeatElement`
            // takes the generic path, element by element).
            var left = n
            zeros.withUnsafeBufferPointer { z in
                while left > 0 {
                    let k = min(left, z.count)
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: z[0..<k]))
                    left -= k
                }
            }
            var ascii = 0
            text.withUnsafeMutableBufferPointer { t in
                guard let src = UnsafeRawPointer(b.baseAddress), let dst = t.baseAddress else { return }
                // Four units at a time while all are ASCII (each unit's high byte 0, low < 0x80).
                while ascii + 4 <= n {
                    let w = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: p + 2 * ascii, as: UInt64.self))
                    if w & 0xff80_ff80_ff80_ff80 != 0 { break }
                    dst[base + ascii] = UInt8(truncatingIfNeeded: w)
                    dst[base + ascii + 1] = UInt8(truncatingIfNeeded: w >> 16)
                    dst[base + ascii + 2] = UInt8(truncatingIfNeeded: w >> 32)
                    dst[base + ascii + 3] = UInt8(truncatingIfNeeded: w >> 48)
                    ascii += 4
                }
                while ascii < n {
                    let lo = b[p + 2 * ascii]
                    if lo >= 0x80 || b[p + 2 * ascii + 1] != 0 { break }
                    t[base + ascii] = lo
                    ascii += 1
                }
            }
            if ascii == n { return }
            text.removeSubrange((base + ascii)...)
            var k = ascii
            while k < n {
                let u = UInt32(b[p + 2 * k]) | UInt32(b[p + 2 * k + 1]) << 8
                k += 1
                if u < 0x80 {
                    text.append(UInt8(u))
                } else if u < 0x800 {
                    text.append(0xc0 | UInt8(u >> 6)); text.append(0x80 | UInt8(u & 0x3f))
                } else if u & 0xfc00 == 0xd800, k < n,
                          case let l = UInt32(b[p + 2 * k]) | UInt32(b[p + 2 * k + 1]) << 8, l & 0xfc00 == 0xdc00 {
                    k += 1
                    let c = 0x10000 + ((u & 0x3ff) << 10) + (l & 0x3ff)
                    text.append(0xf0 | UInt8(c >> 18)); text.append(0x80 | UInt8((c >> 12) & 0x3f))
                    text.append(0x80 | UInt8((c >> 6) & 0x3f)); text.append(0x80 | UInt8(c & 0x3f))
                } else if u & 0xf800 == 0xd800 {
                    text.append(0xef); text.append(0xbf); text.append(0xbd)
                } else {
                    text.append(0xe0 | UInt8(u >> 12)); text.append(0x80 | UInt8((u >> 6) & 0x3f)); text.append(0x80 | UInt8(u & 0x3f))
                }
            }
        }
    }

    /// Appends the items of an array value (as `array(type:at:size:)` gives them) and notes
    /// their ranges in `items`.
    mutating func arrayItems(_ v: FastValue) throws(Fallback) {
        try checkSize()
        let type = v.type & 0x7f, p = v.pos, size = v.size
        func note(_ start: Int) { items.append((Int32(start), Int32(text.count))) }
        switch type {
        case 0x01:
            // NUL-terminated UTF-16LE strings (not trimmed).
            var start = p
            var i = p
            let e = p + size - size % 2
            while i < e {
                if u16(i) == 0 {
                    let s = text.count
                    appendUTF16(start, count: (i - start) / 2)
                    note(s)
                    start = i + 2
                }
                i += 2
            }
            if start < e { let s = text.count; appendUTF16(start, count: (e - start) / 2); note(s) }
        case 0x02:
            var start = p
            for i in p..<(p + size) where data[i] == 0 {
                let s = text.count
                text.append(contentsOf: BinXMLReader.windows1252(data[start..<i]).utf8)
                note(s)
                start = i + 1
            }
            if start < p + size { let s = text.count; text.append(contentsOf: BinXMLReader.windows1252(data[start..<(p + size)]).utf8); note(s) }
        case 0x13:
            var i = p
            while i + 8 <= p + size {
                let n = 8 + 4 * Int(data[i + 1])
                guard i + n <= p + size else { break }
                let s = text.count
                try append(FastValue(type: 0x13, pos: i, size: n, nested: -1))
                note(s)
                i += n
            }
        default:
            let width: Int
            switch type {
            case 0x03, 0x04: width = 1
            case 0x05, 0x06: width = 2
            case 0x07, 0x08, 0x0b, 0x0d, 0x14: width = 4
            case 0x09, 0x0a, 0x0c, 0x11, 0x15, 0x10: width = 8
            case 0x0f, 0x12: width = 16
            default: throw Fallback()
            }
            var i = p
            while i + width <= p + size {
                let s = text.count
                try append(FastValue(type: type, pos: i, size: width, nested: -1))
                note(s)
                i += width
            }
        }
    }


    /// Appends a substitution value's text as `scalar` and `EVTXJSON.text` give it.
    mutating func append(_ v: FastValue) throws(Fallback) {
        try checkSize()
        let p = v.pos, size = v.size
        switch v.type {
        case 0x01:
            var n = size / 2
            while n > 0 && u16(p + 2 * (n - 1)) == 0 { n -= 1 }
            appendUTF16(p, count: n)
        case 0x02:
            var n = size
            while n > 0 && data[p + n - 1] == 0 { n -= 1 }
            let bytes = data[p..<(p + n)]
            if bytes.allSatisfy({ $0 < 0x80 }) { text.append(contentsOf: bytes) } else { text.append(contentsOf: BinXMLReader.windows1252(bytes).utf8) }
        case 0x03: appendSigned(Int64(Int8(bitPattern: data[p])))
        case 0x04: appendDecimal(UInt64(data[p]))
        case 0x05: appendSigned(Int64(Int16(bitPattern: u16(p))))
        case 0x06: appendDecimal(UInt64(u16(p)))
        case 0x07: appendSigned(Int64(Int32(bitPattern: u32(p))))
        case 0x08: appendDecimal(UInt64(u32(p)))
        case 0x09: appendSigned(Int64(bitPattern: u64(p)))
        case 0x0a: appendDecimal(u64(p))
        case 0x0b:
            try appendLiteral(BinXMLReader.number(Double(Float(bitPattern: u32(p))), float: Float(bitPattern: u32(p))))
        case 0x0c:
            try appendLiteral(BinXMLReader.number(Double(bitPattern: u64(p)), float: nil))
        case 0x0d:
            let raw = size >= 4 ? Int32(bitPattern: u32(p)) : Int32(data[p])
            if raw == 0 || raw == 1 { text.append(contentsOf: raw == 1 ? "true".utf8 : "false".utf8) } else { appendSigned(Int64(raw)) }
        case 0x0e:
            for b in data[p..<(p + size)] {
                text.append(Self.upperHex(b >> 4)); text.append(Self.upperHex(b & 15))
            }
        case 0x0f:
            // `BinXMLReader.guidOrder` written out: data1 (u32 LE), data2, data3 (u16 LE), then
            // eight bytes in order, upper-case hex (no static tables: each use of one costs a
            // `swift_once` check).
            var b: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &b) { t in
                var k = 0
                func put(_ x: UInt8) { t[k] = Self.upperHex(x >> 4); t[k + 1] = Self.upperHex(x & 15); k += 2 }
                put(data[p + 3]); put(data[p + 2]); put(data[p + 1]); put(data[p]); t[k] = 0x2d; k += 1
                put(data[p + 5]); put(data[p + 4]); t[k] = 0x2d; k += 1
                put(data[p + 7]); put(data[p + 6]); t[k] = 0x2d; k += 1
                put(data[p + 8]); put(data[p + 9]); t[k] = 0x2d; k += 1
                for i in 10..<16 { put(data[p + i]) }
                Self.append(&text, t, from: 0, count: 36)
            }
        case 0x10:
            appendHex(size == 8 ? u64(p) : UInt64(u32(p)))
        case 0x11:
            let c = CivilTime(utcMicroseconds: BinXMLReader.filetimeMicroseconds(u64(p)))
            guard (0...9999).contains(c.year), (0...99).contains(c.month), (0...99).contains(c.day), (0...99).contains(c.hour),
                  (0...99).contains(c.minute), (0...99).contains(c.second), (0...999_999).contains(c.microsecond) else {
                text.append(contentsOf: BinXMLReader.isoText(c).utf8)
                return
            }
            // YYYY-MM-DDTHH:MM:SS.ffffffZ
            var b: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &b) { t in
                func put(_ v: Int, _ width: Int, _ at: Int) {
                    var x = v
                    for i in stride(from: at + width - 1, through: at, by: -1) { t[i] = 0x30 + UInt8(x % 10); x /= 10 }
                }
                put(c.year, 4, 0); t[4] = 0x2d; put(c.month, 2, 5); t[7] = 0x2d; put(c.day, 2, 8); t[10] = 0x54
                put(c.hour, 2, 11); t[13] = 0x3a; put(c.minute, 2, 14); t[16] = 0x3a; put(c.second, 2, 17); t[19] = 0x2e
                put(c.microsecond, 6, 20); t[26] = 0x5a
                Self.append(&text, t, from: 0, count: 27)
            }
            timeMicros = BinXMLReader.filetimeMicroseconds(u64(p))
            timeEnd = text.count
        case 0x12:
            let year = Int(u16(p)), month = Int(u16(p + 2)), day = Int(u16(p + 6))
            let hour = Int(u16(p + 8)), minute = Int(u16(p + 10)), second = Int(u16(p + 12)), ms = Int(u16(p + 14))
            let c = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: ms * 1000)
            text.append(contentsOf: BinXMLReader.isoText(c).utf8)
        case 0x13:
            let n = Int(data[p + 1])
            text.append(0x53); text.append(0x2d)
            appendDecimal(UInt64(data[p]))
            var authority: UInt64 = 0
            for k in 2..<8 { authority = authority << 8 | UInt64(data[p + k]) }
            text.append(0x2d)
            appendDecimal(authority)
            for i in 0..<n {
                text.append(0x2d)
                appendDecimal(UInt64(u32(p + 8 + 4 * i)))
            }
        case 0x14: appendHex(UInt64(u32(p)))
        case 0x15: appendHex(u64(p))
        case Self.textType: appendUTF16(p, count: size / 2)
        default:
            throw Fallback()
        }
    }
}
