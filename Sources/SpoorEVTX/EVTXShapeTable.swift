import SpoorCore

// The direct path's per-record shortcut. Nearly every record of a Windows log is one instance
// of a template met before in its chunk (the `System` template), whose values are scalars and
// one or a few BinXML values that are themselves instances of templates met before (the
// `EventData`/`UserData` template). For such a record the plan is fixed by the chunk's
// definition offsets and the values' types: the shortcut reads the root instance's and the
// nested instances' (size, type) descriptors in one loop over the raw bytes, compares the types
// with the plan's and replays it — no `fastFragment`, no template lookup by dictionary, no plan
// lookup. Any other record, or any difference, goes the usual way (`fastFragment`, `record`),
// which also registers the plans the shortcut uses.
//
// Layout (J. Metz, libevtx, "Windows XML Event Log (EVTX) format", sections "Binary XML",
// "Template instance" and "Template instance values"): fragment header `0f 01 01 00`, then
// `0c`, one unknown byte, the template id (u32) and the definition's chunk-relative offset
// (u32) — the definition follows inline when that offset points right after it, which is the
// template's first use in the chunk — then the number of values (u32), one 4-byte descriptor
// per value (size u16, type u8, one unused byte) and the values' bytes in order. A value of
// type 0x21 (BinXML) holds a fragment of the same form.

/// Per reader: for a (chunk, root template definition offset), the plan that the last record of
/// that template the usual way read as a shortcut shape replayed, and the definition offsets of
/// its nested instances in that chunk (a definition offset names one template within a chunk).
/// Direct-mapped: a later template at the same place evicts an earlier one; a miss only means
/// the usual way.
struct EVTXShapeTable {
    static let size = 512
    /// Nested instances a shortcut shape may have.
    static let maximumNested = 4
    /// `chunkStart << 16 | root definition offset` (chunk starts are 65,536 apart and offsets
    /// are below 65,536, so keys of one reader are distinct), -1: empty; and the first nested
    /// instance's definition offset (`UInt32.max`: none). Records of one root template (the
    /// `System` one) differ by their nested templates (`EventData` of each event id), so both
    /// choose the entry.
    var keys = [Int](repeating: -1, count: size)
    var firstNested = [UInt32](repeating: .max, count: size)
    /// The plans (held by the walker's `EVTXPlanCache` for the reader's life, so unretained here).
    var plans = [Unmanaged<EVTXPlan>?](repeating: nil, count: size)
    /// Per entry, `maximumNested` definition offsets of the nested instances, in value order.
    var nested = [UInt32](repeating: 0, count: size * maximumNested)

    @inline(__always) static func key(chunkStart: Int, definition: UInt32) -> Int { chunkStart << 16 | Int(definition) }
    @inline(__always) static func slot(_ key: Int, _ nested: UInt32) -> Int {
        let h = (UInt64(bitPattern: Int64(key)) ^ UInt64(nested) << 40 ^ UInt64(nested)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 55) & (size - 1)
    }
}

extension EVTXPlan {
    /// The number of nested instances when records of this plan may take the shortcut, -1 when
    /// not: the root's values are scalars or BinXML values that are each one nested instance,
    /// the nested instances' values only scalars (no arrays, whose item count the plan does not
    /// fix, no texts of nested BinXML read by its shape), in the order `fastInstance` lists
    /// them (the root's values, then each nested instance's in the order of the root's values).
    var shortcutNested: Int {
        let rootCount = Int(counts[0])
        guard pointers.count >= 1, pointers.count <= EVTXShapeTable.maximumNested + 1, rootCount <= types.count else { return -1 }
        func scalar(_ t: UInt8) -> Bool { t & 0x80 == 0 && t != 0x21 && t != EVTXViewWalker.textType }
        var nested = 0
        for t in types[..<rootCount] where !scalar(t) {
            guard t == 0x21 else { return -1 }
            nested += 1
        }
        guard nested == pointers.count - 1, types[rootCount...].allSatisfy(scalar) else { return -1 }
        return nested
    }
}

extension EVTXViewWalker {
    /// The definition offset of the instance the fragment at `p ..< end` holds when it is a
    /// template instance, after one fragment header or none (nil otherwise).
    @inline(__always) func fragmentDefinition(_ p: Int, end: Int) -> UInt32? {
        guard p >= 0, end <= data.count, p < end else { return nil }
        let i = data[p] == 0x0f ? p + 4 : p
        guard i + 14 <= end, data[i] == 0x0c else { return nil }
        return u32(i + 6)
    }

    /// Notes the plan the usual path just read the record at `p ..< end` by (`lastPlan`), for
    /// the shortcut of later records of the same templates in the chunk.
    mutating func registerShape(_ p: Int, end: Int, chunkStart: Int) {
        guard let ref = lastPlan, let root = fragmentDefinition(p, end: end) else { return }
        let plan = ref.takeUnretainedValue()
        if plan.shortcutShape == -2 { plan.shortcutShape = Int8(plan.shortcutNested) }
        let nested = Int(plan.shortcutShape)
        guard nested >= 0, values.count == plan.types.count else { return }
        // The nested instances' definition offsets (at most `maximumNested`), without an array.
        var defs: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
        let key = EVTXShapeTable.key(chunkStart: chunkStart, definition: root)
        let count = Int(plan.counts[0])
        withUnsafeMutableBytes(of: &defs) { raw in
            let d = raw.bindMemory(to: UInt32.self)
            let n = min(d.count, EVTXShapeTable.maximumNested)
            var j = 0
            for v in values[..<count] where v.type == 0x21 {
                guard j < n, let def = fragmentDefinition(v.pos, end: v.pos + v.size) else { return }
                d[j] = def
                j += 1
            }
            guard j == nested else { return }
            let first = nested > 0 ? d[0] : UInt32.max
            let s = EVTXShapeTable.slot(key, first)
            shapes.keys[s] = key
            shapes.firstNested[s] = first
            shapes.plans[s] = ref
            for k in 0..<n { shapes.nested[s * EVTXShapeTable.maximumNested + k] = d[k] }
        }
    }

    /// The shortcut: reads the record's BinXML at `p ..< end` when it has the shape of a plan
    /// registered for its root template in this chunk, and replays the plan. Nil when it does
    /// not apply (the caller reads the record the usual way, which then gives exactly what it
    /// gave before); else what `record(root:)` gives. It takes only records the usual way reads
    /// without error and by the same plan: the same bounds, count, value size and trailing-token
    /// checks as `fastFragment`, within its depth and token limits (three tokens per instance).
    mutating func shortcut(_ p: Int, end: Int, chunkStart: Int, limits: EVTXLimits) -> Bool? {
        guard let definition = fragmentDefinition(p, end: end) else { return nil }
        let q = (data[p] == 0x0f ? p + 4 : p) + 10
        // The definition inline: the template's first use in the chunk (the usual way parses it).
        guard chunkStart + Int(definition) != q, q + 4 <= end else { return nil }
        let count = Int(u32(q))
        let first = firstNestedDefinition(q + 4, count: count, end: end)
        let key = EVTXShapeTable.key(chunkStart: chunkStart, definition: definition)
        let s = EVTXShapeTable.slot(key, first)
        guard shapes.keys[s] == key, shapes.firstNested[s] == first, let ref = shapes.plans[s] else { return nil }
        let plan = ref.takeUnretainedValue()
        guard limits.maximumDepth > 3, limits.maximumTokens >= 3 * plan.counts.count,
              count == Int(plan.counts[0]) else { return nil }
        let total = plan.types.count
        if values.count != total {
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: repeatElement(FastValue(type: 0, pos: 0, size: 0, nested: -1), count: total))
        }
        let nestedBase = s * EVTXShapeTable.maximumNested
        let matched = Self.scanShape(data, q + 4, end: end, chunkStart: chunkStart, maximumSubstitutions: limits.maximumSubstitutions,
                                     plan.types, plan.counts, shapes.nested, nestedBase, &values)
        guard matched else { return nil }
        shortcutRecords += 1
        return replayRecord(plan)
    }

    /// The definition offset of the first BinXML value among the `count` values whose
    /// descriptors are at `desc` when it holds one fragment header and a template instance
    /// (`UInt32.max` otherwise, or when there is none): with the root definition offset, what
    /// chooses the shape table's entry (checked again with the rest by `scanShape`).
    @inline(__always) func firstNestedDefinition(_ desc: Int, count: Int, end: Int) -> UInt32 {
        guard count >= 0, desc + 4 * count <= end, end <= data.count else { return .max }
        return data.withUnsafeBufferPointer { d -> UInt32 in
            var v = desc + 4 * count
            for k in 0..<count {
                let e = desc + 4 * k
                let size = Int(d[e]) | Int(d[e + 1]) << 8
                if d[e + 2] == 0x21 && size > 0 {
                    guard v + size <= end else { return .max }
                    let i = d[v] == 0x0f ? v + 4 : v
                    guard i + 14 <= v + size, d[i] == 0x0c else { return .max }
                    return UInt32(d[i + 6]) | UInt32(d[i + 7]) << 8 | UInt32(d[i + 8]) << 16 | UInt32(d[i + 9]) << 24
                }
                v += size
            }
            return .max
        }
    }

    /// Reads the root instance's values (their count already checked, descriptors at `desc`)
    /// and its nested instances' into `out` as `fastInstance` lists them, checking each value's
    /// type against the plan's `types` (a BinXML value of size 0 is type 0, as `fastInstance`
    /// makes it), its size against its type and the record, each nested fragment's definition
    /// offset against `nested` and its value count against `counts`. False at the first
    /// difference, or when the root or a nested fragment holds anything after its instance
    /// but the end-of-fragment token.
    static func scanShape(_ d: [UInt8], _ desc: Int, end: Int, chunkStart: Int, maximumSubstitutions: Int,
                          _ types: [UInt8], _ counts: [Int32],
                          _ nestedAll: [UInt32], _ nestedBase: Int, _ out: inout [FastValue]) -> Bool {
        let nested = nestedAll[nestedBase..<(nestedBase + EVTXShapeTable.maximumNested)]
        let count = Int(counts[0])
        guard desc + 4 * count <= end else { return false }
        var v = desc + 4 * count
        var next = count
        var j = 0
        for k in 0..<count {
            let e = desc + 4 * k
            let size = Int(d[e]) | Int(d[e + 1]) << 8
            var t = d[e + 2]
            guard v + size <= end else { return false }
            if t == 0x21 {
                if size == 0 {
                    t = 0
                } else {
                    // One nested instance: `[0f 01 01 00] 0c ?? id offset count`, then its values.
                    let nestedEnd = v + size
                    let i = d[v] == 0x0f ? v + 4 : v
                    guard types[k] == 0x21, j < EVTXShapeTable.maximumNested, j + 1 < counts.count, i + 14 <= nestedEnd, d[i] == 0x0c else { return false }
                    let definition = UInt32(d[i + 6]) | UInt32(d[i + 7]) << 8 | UInt32(d[i + 8]) << 16 | UInt32(d[i + 9]) << 24
                    let n = Int(d[i + 10]) | Int(d[i + 11]) << 8 | Int(d[i + 12]) << 16 | Int(d[i + 13]) << 24
                    guard definition == nested[nestedBase + j], chunkStart + Int(definition) != i + 10, n == Int(counts[j + 1]),
                          n <= maximumSubstitutions, next + n <= types.count else { return false }
                    guard scanValues(d, i + 14, count: n, end: nestedEnd, types, from: next, &out) else { return false }
                    out[k] = FastValue(type: 0x21, pos: v, size: size, nested: Int32(j + 1))
                    next += n
                    j += 1
                    v = nestedEnd
                    continue
                }
            }
            guard t == types[k], BinXMLReader.scalarFits(t, d, v, size) else { return false }
            out[k] = FastValue(type: t, pos: v, size: size, nested: -1)
            v += size
        }
        guard next == types.count, j + 1 == counts.count else { return false }
        return v >= end || d[v] == 0x00
    }

    /// The scalar values of one instance (`count` descriptors at `desc`, its fragment ending at
    /// `end`) against `types[first...]`, into `out[first...]`.
    @inline(__always)
    static func scanValues(_ d: [UInt8], _ desc: Int, count: Int, end: Int,
                           _ types: [UInt8], from first: Int, _ out: inout [FastValue]) -> Bool {
        guard desc + 4 * count <= end else { return false }
        var v = desc + 4 * count
        for k in 0..<count {
            let e = desc + 4 * k
            let size = Int(d[e]) | Int(d[e + 1]) << 8
            var t = d[e + 2]
            guard v + size <= end else { return false }
            if t == 0x21 && size == 0 { t = 0 }
            guard t == types[first + k], BinXMLReader.scalarFits(t, d, v, size) else { return false }
            out[first + k] = FastValue(type: t, pos: v, size: size, nested: -1)
            v += size
        }
        return v >= end || d[v] == 0x00
    }
}
