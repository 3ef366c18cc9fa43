import Foundation
import SpoorCore

// The direct path's reading of nested BinXML that is not a template instance from its shape scan
// (`NestedStreams`).

extension EVTXViewWalker {
    // MARK: nested BinXML read by its shape

    /// A `UserData` whose whole content is nested BinXML that is not a template instance (CAPI2's
    /// certificate chains), read from its shape (`NestedStreams`: the tokens and name ids
    /// `BinXMLReader.skeleton` wrote, and where its texts are) as `userDataContent`, `payload`
    /// and `nestedContent` read the template `fragment` parses from it (texts as substitutions):
    /// the payload elements' leaves under their keys, deeper leaves under dotted names,
    /// attributes not read; text beside elements, a `Data` or special name, leaves the record
    /// to the JSON path. Items get no stamps.
    ///
    /// What it gives depends on the shape alone but for the texts, so each shape is worked out
    /// once (`StreamPlan`: per leaf its name and its pieces, texts by index and entity
    /// references as literals) and the value's texts are put in by it.
    mutating func userDataStream(_ v: FastValue) throws(Fallback) {
        let s = Int(v.stream)
        guard s >= 0, s < streams.spans.count else { throw Fallback() }
        let span = streams.spans[s]
        let textEnd = s + 1 < streams.spans.count ? Int(streams.spans[s + 1].textStart) : streams.texts.count
        let i = try streamPlan(Int(span.keyStart), Int(span.keyEnd), texts: textEnd - Int(span.textStart))
        var plan = StreamPlan()
        if i >= 0 { swap(&plan, &streamPlans.plans[i]) } else { swap(&plan, &streamPlanScratch) }
        defer { if i >= 0 { swap(&plan, &streamPlans.plans[i]) } else { swap(&plan, &streamPlanScratch) } }
        let first = Int(span.textStart)
        var start = 0
        for op in plan.ops {
            switch op.kind {
            case .leaf:
                start = text.count
            case .text:
                let j = first + Int(op.a)
                guard j < streams.texts.count else { throw Fallback() }
                let (p, n) = streams.texts[j]
                try append(FastValue(type: Self.textType, pos: p, size: n, nested: -1))
            case .literal:
                try checkSize()
                plan.literals.withUnsafeBufferPointer { l in
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: l[Int(op.a)..<Int(op.b)]))
                }
            case .end:
                if text.count > start {
                    userData.append(EVTXDataItem(name: op.a, start: Int32(start), end: Int32(text.count)))
                    if userData.count > 512 { throw Fallback() }
                }
            }
        }
    }

    /// The index in `streamPlans` of the plan of the shape `streams.key[k ..< end]` (with `texts`
    /// texts), worked out when not met before (-1: worked out into `streamPlanScratch`, the
    /// table being full). Throws when the walk leaves such a shape to the JSON path.
    mutating func streamPlan(_ k: Int, _ end: Int, texts: Int) throws(Fallback) -> Int {
        guard k >= 0, k <= end, end <= streams.key.count else { throw Fallback() }
        if let i = streamPlans.find(streams.key, k, end) {
            guard streamPlans.plans[i].usable else { throw Fallback() }
            return i
        }
        var plan = StreamPlan()
        swap(&plan, &streamPlanScratch)
        plan.ops.removeAll(keepingCapacity: true)
        plan.literals.removeAll(keepingCapacity: true)
        plan.usable = false
        var failed = false
        do throws(Fallback) {
            var q = k, t = 0
            var payloadKeys: [Int32] = []
            while q < end {
                // Top level: payload elements only.
                guard streams.key[q] == 0x01 else { throw Fallback() }
                let (id, closing) = try streamElementHeader(&q, &t, end)
                let key = try key(id: id, among: payloadKeys)
                payloadKeys.append(key)
                if closing == 0x02 { try streamContent(&q, &t, end, prefix: -1, texts: texts, &plan) }
            }
            plan.usable = true
        } catch {
            failed = true
        }
        if failed {
            plan.ops.removeAll()
            plan.literals.removeAll()
        }
        let i = streamPlans.add(streams.key, k, end, plan)
        if i < 0 { swap(&plan, &streamPlanScratch) }
        if failed { throw Fallback() }
        return i
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
    /// under `prefix`), or texts and entity references (a leaf, whose text is not read here),
    /// into `plan`.
    mutating func streamContent(_ k: inout Int, _ t: inout Int, _ end: Int, prefix: Int32, texts: Int, _ plan: inout StreamPlan) throws(Fallback) {
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
                    try streamContent(&k, &t, end, prefix: name, texts: texts, &plan)
                } else {
                    try streamLeaf(&k, &t, end, name: name, texts: texts, &plan)
                }
            default:
                // Text beside elements (or directly in a payload element).
                throw Fallback()
            }
        }
    }

    /// A leaf's texts and entity references from `k` to its end (0x04), as `leafText` renders
    /// them, into `plan`: an item named `name` when the text is not empty.
    mutating func streamLeaf(_ k: inout Int, _ t: inout Int, _ end: Int, name: Int32, texts: Int, _ plan: inout StreamPlan) throws(Fallback) {
        plan.ops.append(StreamPlan.Op(kind: .leaf, a: 0, b: 0))
        while true {
            guard k < end else { throw Fallback() }
            switch streams.key[k] {
            case 0x04:
                k += 1
                plan.ops.append(StreamPlan.Op(kind: .end, a: name, b: 0))
                return
            case 0x05:
                guard t < texts else { throw Fallback() }
                plan.ops.append(StreamPlan.Op(kind: .text, a: Int32(t), b: 0))
                t += 1
                k += 1
            case 0x09:
                guard k + 5 <= end else { throw Fallback() }
                let key = streams.key
                let id = Int32(bitPattern: UInt32(key[k + 1]) | UInt32(key[k + 2]) << 8 | UInt32(key[k + 3]) << 16 | UInt32(key[k + 4]) << 24)
                guard id >= 0, Int(id) < names.names.count else { throw Fallback() }
                let start = plan.literals.count
                plan.literals.append(contentsOf: BinXMLReader.entity(names.name(id)).utf8)
                plan.ops.append(StreamPlan.Op(kind: .literal, a: Int32(start), b: Int32(plan.literals.count)))
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
}

/// What the stream reading (`EVTXViewWalker.userDataStream`) does for one shape of nested
/// BinXML: per leaf, `leaf`, its pieces (`text` `a`: the value's text number `a`; `literal`:
/// `literals[a ..< b]`, an entity reference's text) and `end` (`a`: the item's name id). Not
/// `usable` when the walk leaves the shape to the JSON path.
struct StreamPlan {
    enum Kind: UInt8 { case leaf, text, literal, end }
    struct Op {
        var kind: Kind
        var a: Int32
        var b: Int32
    }
    var ops: [Op] = []
    var literals: [UInt8] = []
    var usable = false
}

/// A context's stream plans by shape key (the key's bytes in a `ByteKeyTable`), at most
/// `maximumPlans` (then, or when the table's arena is full, a new shape is worked out for each
/// value).
struct StreamPlanTable {
    static let maximumPlans = 4096
    var plans: [StreamPlan] = []
    private var byKey = ByteKeyTable()

    /// The plan whose key is `bytes[k ..< end]` (in bounds).
    func find(_ bytes: [UInt8], _ k: Int, _ end: Int) -> Int? {
        byKey.id(bytes, k, end - k).map(Int.init)
    }

    /// Keeps `plan` for key `bytes[k ..< end]` (in bounds, not kept yet); its index, or -1 when
    /// the table is full.
    mutating func add(_ bytes: [UInt8], _ k: Int, _ end: Int, _ plan: StreamPlan) -> Int {
        guard plans.count < Self.maximumPlans, byKey.add(bytes, k, end - k, id: Int32(plans.count)) else { return -1 }
        plans.append(plan)
        return plans.count - 1
    }
}
