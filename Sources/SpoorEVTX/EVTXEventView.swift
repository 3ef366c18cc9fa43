import SpoorCore

// The direct path: a record's Windows event read straight from BinXML — the `System` values and
// the `EventData`/`UserData` name–value pairs as UTF-8 text in one reusable buffer — without
// building the evtx_dump JSON (`EVTXRenderer`).
//
// It gives exactly what reading the JSON rendering gives (`WindowsEvent(evtxJSON:)` in
// SpoorParsers): the same first-of-its-name lookups, `_1` suffixes, `Data` names, unnamed `Data`
// as `param1`…, empty values dropped or kept as the JSON shape drops or keeps them, values as
// their JSON text. Whatever it does not cover (array values, text mixed with elements, nested
// `UserData` payloads, records that are not one template instance …) is handed over as the JSON
// rendering instead, record by record, so both paths always give the same event; a test checks
// this for every record of the sample files.

/// The `System` values of a Windows event.
public enum EVTXSystemField: Int, CaseIterable, Sendable {
    case providerName, providerGUID, eventID, version, level, task, opcode, keywords, eventRecordID,
         processID, threadID, activityID, relatedActivityID, channel, computer, userID, systemTime
}

/// Element names with a meaning for the direct path (set on `XElement` once per template).
enum EVTXEventRole {
    static let system: UInt8 = 1
    static let eventData: UInt8 = 2
    static let userData: UInt8 = 3
    static let event: UInt8 = 4
    static let systemChildren = 14

    static func of(_ name: String) -> (role: UInt8, systemChild: Int8, textField: Int8) {
        func f(_ x: EVTXSystemField) -> Int8 { Int8(x.rawValue) }
        switch name {
        case "System": return (system, -1, -1)
        case "EventData": return (eventData, -1, -1)
        case "UserData": return (userData, -1, -1)
        case "Event": return (event, -1, -1)
        case "Provider": return (0, 0, -1)
        case "EventID": return (0, 1, f(.eventID))
        case "Version": return (0, 2, f(.version))
        case "Level": return (0, 3, f(.level))
        case "Task": return (0, 4, f(.task))
        case "Opcode": return (0, 5, f(.opcode))
        case "Keywords": return (0, 6, f(.keywords))
        case "TimeCreated": return (0, 7, -1)
        case "EventRecordID": return (0, 8, f(.eventRecordID))
        case "Correlation": return (0, 9, -1)
        case "Execution": return (0, 10, -1)
        case "Channel": return (0, 11, f(.channel))
        case "Computer": return (0, 12, f(.computer))
        case "Security": return (0, 13, -1)
        default: return (0, -1, -1)
        }
    }

    static func attributeField(element: String, attribute: String) -> Int8 {
        let f: EVTXSystemField? = switch (element, attribute) {
        case ("Provider", "Name"): .providerName
        case ("Provider", "Guid"): .providerGUID
        case ("TimeCreated", "SystemTime"): .systemTime
        case ("Correlation", "ActivityID"): .activityID
        case ("Correlation", "RelatedActivityID"): .relatedActivityID
        case ("Execution", "ProcessID"): .processID
        case ("Execution", "ThreadID"): .threadID
        case ("Security", "UserID"): .userID
        default: nil
        }
        return f.map { Int8($0.rawValue) } ?? -1
    }
}

/// The data names met by one ``EVTXEventReader``, numbered from 0 in order of first use, so a
/// consumer can keep per-name state in an array instead of hashing names per record.
public final class EVTXNameTable {
    public private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]
    /// Distinguishes tables (a consumer's per-id state belongs to one table).
    public let identity = UInt64.random(in: 1...UInt64.max)

    init() {}

    func id(_ s: String) -> Int32 {
        if let i = ids[s] { return i }
        let i = Int32(names.count)
        names.append(s)
        ids[s] = i
        return i
    }

    /// The name with id `id`.
    public func name(_ id: Int32) -> String { names[Int(id)] }
}

/// One `EventData` or `UserData` item: its name id and its value's bytes in ``EVTXEventView/text``.
public struct EVTXDataItem: Sendable, Hashable {
    public var name: Int32
    public var start: Int32
    public var end: Int32
    public var range: Range<Int> { Int(start)..<Int(end) }
}

/// One record's Windows event, as the direct path reads it (reused from record to record).
///
/// Values are the text the evtx_dump JSON shape gives them: strings as they are, numbers in
/// decimal, booleans `true`/`false`, GUIDs upper-case, hex integers `0x…`, times
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`. They are not further normalised (a GUID written as a string
/// keeps its braces; the Windows mapping normalises every form alike).
public final class EVTXEventView {
    /// The UTF-8 text of all values of the record.
    public internal(set) var text: [UInt8] = []
    /// Per ``EVTXSystemField``: start and end of its value in ``text`` at `2 × rawValue` and
    /// `2 × rawValue + 1` (start -1: absent); ``range(_:)`` reads it.
    public internal(set) var system = [Int32](repeating: -1, count: 2 * EVTXSystemField.allCases.count)
    /// `EventData` items in order (unnamed `Data` as `param1`, `param2`, …).
    public internal(set) var eventData: [EVTXDataItem] = []
    /// `UserData` payload children in order.
    public internal(set) var userData: [EVTXDataItem] = []
    /// The table the item names refer to.
    public let names: EVTXNameTable

    init(names: EVTXNameTable) {
        self.names = names
        text.reserveCapacity(4096)
        eventData.reserveCapacity(64)
    }

    /// Exchanges the view's buffers with the walker's.
    func take(_ t: inout [UInt8], _ s: inout [Int32], _ e: inout [EVTXDataItem], _ u: inout [EVTXDataItem]) {
        swap(&text, &t)
        swap(&system, &s)
        swap(&eventData, &e)
        swap(&userData, &u)
    }

    /// Where the value of `field` is in ``text``, or nil when the event has none.
    @inline(__always)
    public func range(_ field: EVTXSystemField) -> Range<Int>? {
        let s = system[2 * field.rawValue]
        return s < 0 ? nil : Int(s)..<Int(system[2 * field.rawValue + 1])
    }

    /// The value of `field` as a String (for tests and rare uses).
    public func string(_ field: EVTXSystemField) -> String? {
        range(field).map { String(decoding: text[$0], as: UTF8.self) }
    }
}

/// How a record reached the consumer.
public enum EVTXRecordContent {
    /// The direct path's reading (valid only during the call).
    case view(EVTXEventView)
    /// The record as evtx_dump JSON (the shape ``EVTXRecord/event`` has), for the records the
    /// direct path leaves to it.
    case json(JSONValue)
}

/// Where a record is and what its header says.
public struct EVTXRecordHeader: Sendable, Hashable {
    public var recordID: UInt64
    /// The record's written time (FILETIME in the record header), microseconds UTC.
    public var timestamp: Timestamp
    /// Byte offset of the record in the file.
    public var offset: Int
}

/// Reads a file's records chunk by chunk for ingest: each record's event through the direct
/// path when it can, else as JSON; issues exactly as ``EVTXFile/chunk(_:)`` reports them.
public final class EVTXEventReader {
    public let file: EVTXFile
    private var walker: EVTXViewWalker
    private let templates = EVTXTemplateCache()
    /// Records the direct path handled and records handed over as JSON, so far.
    public private(set) var directRecords = 0
    public private(set) var jsonRecords = 0
    /// Of the direct records, those read by replaying a plan (`EVTXPlan`).
    public var replayedRecords: Int { walker.replayed }

    public init(file: EVTXFile) {
        self.file = file
        walker = EVTXViewWalker(data: file.bytes, view: EVTXEventView(names: EVTXNameTable()))
    }

    /// Reads chunk `index`, handing each record to `body` in file order; returns the chunk's
    /// issues (a record that cannot be read is one, as in ``EVTXFile/chunk(_:)``).
    public func readChunk(_ index: Int, _ body: (EVTXRecordHeader, EVTXRecordContent) -> Void) -> [EVTXIssue] {
        var w = walker
        walker.values = []
        walker.instances = []
        defer { walker = w }
        var renderer = EVTXRenderer(maximumDepth: file.limits.maximumDepth * 2)
        var direct = 0, json = 0
        let issues = file.scanChunk(index, templates: templates, reserve: { _ in }) {
            (reader: inout BinXMLReader, pos: Int, size: Int, id: UInt64, written: UInt64) throws(ParseError) in
            let header = EVTXRecordHeader(recordID: id, timestamp: Timestamp(microseconds: BinXMLReader.filetimeMicroseconds(written)), offset: pos)
            w.values.removeAll(keepingCapacity: true)
            w.instances.removeAll(keepingCapacity: true)
            if !w.held.isEmpty { w.held.removeAll(keepingCapacity: true) }
            var done = false
            do throws(ParseError) {
                if let root = try reader.fastFragment(pos + 24, end: pos + size - 4, depth: 0, &w.values, &w.instances, &w.held) {
                    done = w.record(root: root)
                }
            } catch {
                // Left to the JSON path, which reports the error as the issue.
            }
            if done {
                direct += 1
                body(header, .view(w.view))
                return
            }
            reader.tokens = 0
            let parts = try reader.fragment(pos + 24, end: pos + size - 4, depth: 0)
            let event = try renderer.record(parts, at: pos + 24)
            json += 1
            body(header, .json(event))
        }
        directRecords += direct
        jsonRecords += json
        return issues
    }
}

extension EVTXEventReader {
    /// UTF-16LE bytes as UTF-8, decoded the way the direct path decodes string values (for tests).
    public static func utf8(utf16LE bytes: [UInt8]) -> [UInt8] {
        var w = EVTXViewWalker(data: bytes, view: EVTXEventView(names: EVTXNameTable()))
        w.appendUTF16(0, count: bytes.count / 2)
        return w.text
    }
}

/// A substitution value of the record being read: where its bytes are (nested BinXML: the
/// instance it holds).
struct FastValue {
    var type: UInt8
    var pos: Int
    var size: Int
    var nested: Int32
}

/// A template instance of the record being read: its definition and its values.
struct FastInstance {
    var template: Unmanaged<XTemplate>
    var first: Int
    var count: Int
}

extension BinXMLReader {
    /// Parses a fragment that is one template instance (after fragment headers), as
    /// `fragment` would, but keeping the values as byte ranges. Returns the instance, or nil
    /// when the fragment has another shape (the caller uses `fragment` then). Throws where
    /// `fragment` throws (the same checks, in the same order).
    mutating func fastFragment(_ p: Int, end: Int, depth: Int, _ values: inout [FastValue], _ instances: inout [FastInstance], _ held: inout [XTemplate]) throws(ParseError) -> Int? {
        guard depth < limits.maximumDepth else { throw ParseError(.tooDeep, at: p, "BinXML nested deeper than \(limits.maximumDepth) levels") }
        var pos = p
        var instance: Int? = nil
        while instance == nil {
            if pos >= end { return nil }
            try need(pos, 1, end)
            tokens += 1
            guard tokens <= limits.maximumTokens else { throw ParseError(.recordTooLong, at: pos, "more than \(limits.maximumTokens) BinXML tokens in a record") }
            switch u8(pos) {
            case 0x0f:
                try need(pos, 4, end)
                pos += 4
            case 0x0c:
                guard let i = try fastInstance(&pos, end: end, depth: depth + 1, &values, &instances, &held) else { return nil }
                instance = i
            default:
                return nil
            }
        }
        if pos < end {
            try need(pos, 1, end)
            tokens += 1
            guard tokens <= limits.maximumTokens else { throw ParseError(.recordTooLong, at: pos, "more than \(limits.maximumTokens) BinXML tokens in a record") }
            guard u8(pos) == 0x00 else { return nil }
        }
        return instance
    }

    mutating func fastInstance(_ pos: inout Int, end: Int, depth: Int, _ values: inout [FastValue], _ instances: inout [FastInstance], _ held: inout [XTemplate]) throws(ParseError) -> Int? {
        let template = try templateDefinition(&pos, end: end, depth: depth)
        try need(pos, 4, end)
        let count = Int(u32(pos))
        guard count <= limits.maximumSubstitutions else {
            throw ParseError(.recordTooLong, at: pos, "\(count) substitution values exceed the limit of \(limits.maximumSubstitutions)")
        }
        pos += 4
        try need(pos, 4 * count, end)
        let index = instances.count
        let first = values.count
        instances.append(FastInstance(template: .passUnretained(template), first: first, count: count))
        values.append(contentsOf: repeatElement(FastValue(type: 0, pos: 0, size: 0, nested: -1), count: count))
        var v = pos + 4 * count
        for k in 0..<count {
            let size = Int(u16(pos + 4 * k))
            let type = u8(pos + 4 * k + 2)
            try need(v, size, end)
            var fv = FastValue(type: type, pos: v, size: size, nested: -1)
            if type & 0x80 != 0 {
                guard Self.arrayTypeIsKnown(type & 0x7f) else {
                    throw ParseError(.badField, at: v, "array of unsupported value type 0x\(String(type & 0x7f, radix: 16))")
                }
            } else if type == 0x21 {
                if size == 0 {
                    fv.type = 0
                } else if isInstance(v, end: v + size) {
                    guard let n = try fastFragment(v, end: v + size, depth: depth + 1, &values, &instances, &held) else { return nil }
                    fv.nested = Int32(n)
                } else if let cache = shared, let n = skeleton(v, end: v + size, depth: depth + 1, cache),
                          tokens + n <= limits.maximumTokens,
                          let t = try skeletonTemplate(v, end: v + size, depth: depth + 1, cache, &held) {
                    // Elements and texts only: the template of its shape, its texts as the values.
                    tokens += n
                    fv.nested = Int32(instances.count)
                    let first = values.count
                    for (p, n) in cache.texts { values.append(FastValue(type: EVTXViewWalker.textType, pos: p, size: n, nested: -1)) }
                    instances.append(FastInstance(template: .passUnretained(t), first: first, count: cache.texts.count))
                } else {
                    // BinXML that is not a template instance (elements written out): parsed as
                    // `value` parses it, an instance without values (as the JSON rendering
                    // gives nested BinXML none).
                    let t = XTemplate(parts: try fragment(v, end: v + size, depth: depth + 1))
                    held.append(t)
                    fv.nested = Int32(instances.count)
                    instances.append(FastInstance(template: .passUnretained(t), first: values.count, count: 0))
                }
            } else if type != 0 {
                guard scalarFits(type: type, at: v, size: size) else {
                    throw ParseError(.badField, at: v, "value of type 0x\(String(type, radix: 16)) with size \(size)")
                }
            }
            values[first + k] = fv
            v += size
        }
        pos = v
        return index
    }

    /// The template of a nested fragment's shape (``skeleton(_:end:depth:_:)`` wrote it into
    /// `cache.key`): from the cache, or parsed as `fragment` parses it with its texts as
    /// substitutions 0, 1, … (in document order, as the scan lists them). Nil when the parse does
    /// not give one substitution per text (then the caller parses it the usual way).
    mutating func skeletonTemplate(_ p: Int, end: Int, depth: Int, _ cache: EVTXTemplateCache, _ held: inout [XTemplate]) throws(ParseError) -> XTemplate? {
        if let t = cache.skeletons[SkeletonKey(bytes: cache.key)] { return t }
        let saved = tokens
        textSubstitutions = 0
        defer { textSubstitutions = -1; tokens = saved }
        let t = XTemplate(parts: try fragment(p, end: end, depth: depth))
        guard textSubstitutions == cache.texts.count else { return nil }
        if cache.skeletons.count < EVTXTemplateCache.maximumEntries {
            cache.skeletons[SkeletonKey(bytes: cache.key)] = t
        } else {
            held.append(t)
        }
        return t
    }

    /// Scans nested BinXML that is not a template instance as `fragment` parses it, when it
    /// holds only fragment headers, elements, attributes and value texts: writes its shape (the
    /// tokens and names, not the texts) into `cache.key` and where its texts are into
    /// `cache.texts`, and returns the number of tokens `fragment` counts. Nil for anything else
    /// and wherever `fragment` would throw (the caller then parses it with `fragment`).
    mutating func skeleton(_ p: Int, end: Int, depth: Int, _ cache: EVTXTemplateCache) -> Int? {
        cache.key.removeAll(keepingCapacity: true)
        cache.texts.removeAll(keepingCapacity: true)
        var pos = p
        var count = 0
        guard skeletonContent(&pos, end: end, depth: depth, topLevel: true, &count, cache) else { return nil }
        return count
    }

    mutating func skeletonContent(_ pos: inout Int, end: Int, depth: Int, topLevel: Bool, _ count: inout Int, _ c: EVTXTemplateCache) -> Bool {
        guard depth < limits.maximumDepth else { return false }
        while true {
            if topLevel && pos >= end { return true }
            guard pos >= 0, pos < end else { return false }
            count += 1
            switch u8(pos) {
            case 0x00:
                pos += 1
                return topLevel
            case 0x04:
                pos += 1
                c.key.append(0x04)
                return !topLevel
            case 0x0f:
                guard pos <= end - 4 else { return false }
                pos += 4
            case 0x01, 0x41:
                guard skeletonElement(&pos, end: end, depth: depth + 1, &count, c) else { return false }
            case 0x05, 0x45:
                guard skeletonText(&pos, end: end, c) else { return false }
            default:
                return false
            }
        }
    }

    mutating func skeletonText(_ pos: inout Int, end: Int, _ c: EVTXTemplateCache) -> Bool {
        guard pos >= 0, pos <= end - 4 else { return false }
        let n = Int(u16(pos + 2))
        guard pos + 4 <= end - 2 * n else { return false }
        c.texts.append((pos + 4, 2 * n))
        c.key.append(0x05)
        pos += 4 + 2 * n
        return true
    }

    func skeletonName(_ s: String, _ c: EVTXTemplateCache) {
        let n = s.utf8.count
        c.key.append(UInt8(truncatingIfNeeded: n)); c.key.append(UInt8(truncatingIfNeeded: n >> 8))
        c.key.append(UInt8(truncatingIfNeeded: n >> 16))
        c.key.append(contentsOf: s.utf8)
    }

    /// `element` without building it (the same header variants, names and checks).
    mutating func skeletonElement(_ pos: inout Int, end: Int, depth: Int, _ count: inout Int, _ c: EVTXTemplateCache) -> Bool {
        guard depth < limits.maximumDepth else { return false }
        let hasAttributes = u8(pos) & 0x40 != 0
        guard pos >= 0, pos <= end - 11 else { return false }
        var headerSize = 11
        let here = UInt32(truncatingIfNeeded: pos - chunkStart)
        let withID = u32(pos + 7), withoutID = u32(pos + 5)
        if withID != here + 11 && (withoutID == here + 9 || (withID >= here && withoutID < here)) { headerSize = 9 }
        let nameOffset = headerSize == 11 ? withID : withoutID
        guard let (elementName, afterName) = try? name(at: nameOffset, position: pos + headerSize, end: end) else { return false }
        pos = afterName
        c.key.append(0x01)
        skeletonName(elementName, c)
        if hasAttributes {
            guard pos >= 0, pos <= end - 4 else { return false }
            pos += 4
            while true {
                guard pos >= 0, pos < end else { return false }
                let t = u8(pos)
                guard t & ~0x40 == 0x06 else { break }
                guard pos <= end - 5 else { return false }
                guard let (attrName, next) = try? name(at: u32(pos + 1), position: pos + 5, end: end) else { return false }
                pos = next
                c.key.append(0x06)
                skeletonName(attrName, c)
                while true {
                    guard pos >= 0, pos < end else { return false }
                    let v = u8(pos) & ~0x40
                    guard v == 0x05 || v == 0x07 || v == 0x08 || v == 0x09 || u8(pos) == 0x0d || u8(pos) == 0x0e else { break }
                    guard v == 0x05, skeletonText(&pos, end: end, c) else { return false }
                }
                c.key.append(0x07)
                if t & 0x40 == 0 { break }
            }
        }
        guard pos >= 0, pos < end else { return false }
        switch u8(pos) {
        case 0x03:
            pos += 1
            c.key.append(0x03)
            return true
        case 0x02:
            pos += 1
            c.key.append(0x02)
            return skeletonContent(&pos, end: end, depth: depth, topLevel: false, &count, c)
        default:
            return false
        }
    }

    /// Whether the fragment at `p` is (after fragment headers) a template instance; reads
    /// nothing else, so the caller may still parse it with `fragment`.
    func isInstance(_ p: Int, end: Int) -> Bool {
        var q = p
        while q < end {
            switch data[q] {
            case 0x0f: q += 4
            case 0x0c: return true
            default: return false
            }
        }
        return false
    }

    /// Whether `array(type:at:size:)` reads arrays of `type`.
    static func arrayTypeIsKnown(_ type: UInt8) -> Bool {
        switch type {
        case 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15: true
        default: false
        }
    }

    /// Whether `scalar(type:at:size:)` gives a value (the same conditions).
    func scalarFits(type: UInt8, at p: Int, size: Int) -> Bool {
        switch type {
        case 0x00, 0x01, 0x02, 0x0e: true
        case 0x03, 0x04, 0x0d: size >= 1
        case 0x05, 0x06: size >= 2
        case 0x07, 0x08, 0x0b, 0x14: size >= 4
        case 0x09, 0x0a, 0x0c, 0x11, 0x15: size >= 8
        case 0x0f, 0x12: size >= 16
        case 0x10: size == 8 || size == 4
        case 0x13: size >= 8 && 8 + 4 * Int(data[p + 1]) <= size
        default: false
        }
    }
}

/// The direct path's walk over one record (see the notes at the top of the file).
struct EVTXViewWalker {
    let data: [UInt8]
    let view: EVTXEventView
    var values: [FastValue] = []
    var instances: [FastInstance] = []
    /// Parsed nested BinXML of the record (the instances refer to them unretained).
    var held: [XTemplate] = []
    /// Keys of the object being read (name ids), for the `_1` suffixes of repeated names.
    var keys: [Int32] = []
    var seenSystem = false, seenEventData = false, seenUserData = false, sawElement = false
    var seenSystemChild = [Bool](repeating: false, count: EVTXEventRole.systemChildren)
    var unnamed: [(Int32, Int32)] = []
    /// The items of an array value (text ranges).
    var items: [(Int32, Int32)] = []
    // The record's output, moved into `view` when the record is read (kept here while it is
    // written: appending to a class's array property costs an exclusivity check per call).
    var text: [UInt8] = []
    var system = [Int32](repeating: -1, count: 2 * EVTXSystemField.allCases.count)
    var eventData: [EVTXDataItem] = []
    var userData: [EVTXDataItem] = []

    /// The record is left to the JSON path.
    struct Fallback: Error {}

    /// The type of a text of nested BinXML read by its shape (`BinXMLReader.skeleton`): UTF-16LE
    /// as a value text token holds it (not trimmed); not a BinXML value type.
    static let textType: UInt8 = 0x7e

    // Plans (see `EVTXPlan`): the walk of a record is recorded while it runs, and records of the
    // same shape replay the recording instead of walking the template again.
    let plans = EVTXPlanCache()
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

    init(data: [UInt8], view: EVTXEventView) {
        self.data = data
        self.view = view
        values.reserveCapacity(256)
        instances.reserveCapacity(8)
    }

    var names: EVTXNameTable { view.names }

    /// Reads the record whose root instance is `root`; false when it is left to the JSON path.
    mutating func record(root: Int) -> Bool {
        view.take(&text, &system, &eventData, &userData)
        text.removeAll(keepingCapacity: true)
        for k in system.indices { system[k] = -1 }
        eventData.removeAll(keepingCapacity: true)
        userData.removeAll(keepingCapacity: true)
        // A record whose shape has a plan replays it.
        let rootTemplate = instances[root].template
        let cacheable = root == 0 && held.isEmpty
        if cacheable, let plan = plans.plan(for: rootTemplate, instances, values) {
            guard replay(plan) else { return false }
            replayed += 1
            view.take(&text, &system, &eventData, &userData)
            return true
        }
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
                plans.add(EVTXPlan(instances: instances, values: values, ops: traceOps, literals: traceLiterals, ints: traceInts, marks: Int(traceMarks)))
            }
            view.take(&text, &system, &eventData, &userData)
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
    mutating func replay(_ plan: EVTXPlan) -> Bool {
        if marks.count < plan.marks { marks = [Int](repeating: 0, count: plan.marks) }
        unnamed.removeAll(keepingCapacity: true)
        var unnamedAt = -1
        do throws(Fallback) {
            for op in plan.ops {
                switch op.kind {
                case .mark:
                    marks[Int(op.a)] = text.count
                case .literal:
                    try checkSize()
                    text.append(contentsOf: plan.literals[Int(op.a)..<Int(op.a + op.b)])
                case .value:
                    try append(values[Int(op.a)])
                case .system:
                    let s = marks[Int(op.b)]
                    if text.count > s { setSystem(Int(op.a), s..<text.count) }
                case .data:
                    let s = marks[Int(op.b)]
                    if text.count > s { eventData.append(EVTXDataItem(name: op.a, start: Int32(s), end: Int32(text.count))) }
                case .dataKeepEmpty:
                    eventData.append(EVTXDataItem(name: op.a, start: Int32(marks[Int(op.b)]), end: Int32(text.count)))
                case .user:
                    let s = marks[Int(op.b)]
                    if text.count > s { userData.append(EVTXDataItem(name: op.a, start: Int32(s), end: Int32(text.count))) }
                case .unnamedAt:
                    unnamedAt = eventData.count
                case .unnamed:
                    unnamed.append((Int32(marks[Int(op.b)]), Int32(text.count)))
                case .insertUnnamed:
                    guard unnamedAt >= 0, Int(op.b) == unnamed.count else { return false }
                    var items: [EVTXDataItem] = []
                    items.reserveCapacity(unnamed.count)
                    for (k, r) in unnamed.enumerated() {
                        items.append(EVTXDataItem(name: plan.ints[Int(op.a) + k], start: r.0, end: r.1))
                    }
                    eventData.insert(contentsOf: items, at: unnamedAt)
                }
            }
        } catch {
            return false
        }
        return eventData.count <= 512 && userData.count <= 512
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
                guard let v = value(vi, i), v.type == 0x21, v.nested >= 0 else { continue }
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
                guard let v = value(vi, i), v.type == 0x21, v.nested >= 0 else { continue }
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
                guard let v = value(vi, i), v.type == 0x21, v.nested >= 0 else { continue }
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
        // Finding a free suffix is quadratic in the keys: many keys are left to the JSON path.
        guard keys.count <= 1024 else { throw Fallback() }
        if e.nameID < 0 {
            guard e.name.utf8.count <= 256 else { throw Fallback() }
            e.nameID = names.id(e.name)
        }
        if !keys.contains(e.nameID) { return e.nameID }
        var k = 1
        while true {
            let id: Int32
            if k <= e.suffixIDs.count {
                id = e.suffixIDs[k - 1]
            } else {
                id = names.id(e.name + "_" + String(k))
                e.suffixIDs.append(id)
            }
            if !keys.contains(id) { return id }
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
                let id = names.id("param" + String(k + 1))
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
                    // As many items as the array holds: not for a plan.
                    traceOK = false
                    let id = try dataName(e, vi)
                    items.removeAll(keepingCapacity: true)
                    try arrayItems(v)
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
                    let text = names.name(prefix) + "." + names.name(id)
                    guard text.utf8.count <= 256 else { throw Fallback() }
                    full = names.id(text)
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
            text.append(contentsOf: d[(20 - n)...])
        }
    }

    mutating func appendSigned(_ v: Int64) {
        appendDecimal(v.magnitude, negative: v < 0)
    }

    /// `0x` and lower-case hex digits without leading zeros.
    mutating func appendHex(_ v: UInt64) {
        text.append(0x30); text.append(0x78)
        let digits = max(1, (64 - v.leadingZeroBitCount + 3) / 4)
        for k in stride(from: digits - 1, through: 0, by: -1) {
            text.append(BinXMLReader.lowerHexDigits[Int((v >> (4 * UInt64(k))) & 15)])
        }
    }

    /// UTF-16LE code units as UTF-8 (ill-formed units become U+FFFD, as `String(decoding:as:)`).
    mutating func appendUTF16(_ p: Int, count n: Int) {
        guard n > 0 else { return }
        data.withUnsafeBufferPointer { b in
            // ASCII (the usual case) is written in place; the first other unit ends that.
            let base = text.count
            text.append(contentsOf: repeatElement(0, count: n))
            var ascii = 0
            text.withUnsafeMutableBufferPointer { t in
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
                text.append(BinXMLReader.hexDigits[Int(b >> 4)]); text.append(BinXMLReader.hexDigits[Int(b & 15)])
            }
        case 0x0f:
            for i in BinXMLReader.guidOrder {
                if i < 0 { text.append(0x2d); continue }
                let b = data[p + i]
                text.append(BinXMLReader.hexDigits[Int(b >> 4)]); text.append(BinXMLReader.hexDigits[Int(b & 15)])
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
                text.append(contentsOf: t[0..<27])
            }
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
    let counts: [Int32]
    let types: [UInt8]
    let ops: [Op]
    let literals: [UInt8]
    let ints: [Int32]
    let marks: Int

    init(instances: [FastInstance], values: [FastValue], ops: [Op], literals: [UInt8], ints: [Int32], marks: Int) {
        templates = instances.map { $0.template.takeUnretainedValue() }
        counts = instances.map { Int32($0.count) }
        types = values.map(\.type)
        self.ops = ops
        self.literals = literals
        self.ints = ints
        self.marks = marks
    }

    /// Whether the record read into `instances` and `values` has this plan's shape.
    func matches(_ instances: [FastInstance], _ values: [FastValue]) -> Bool {
        guard instances.count == templates.count, values.count == types.count else { return false }
        for k in instances.indices {
            guard instances[k].template.toOpaque() == Unmanaged.passUnretained(templates[k]).toOpaque(),
                  instances[k].count == Int(counts[k]) else { return false }
        }
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

    func plan(for root: Unmanaged<XTemplate>, _ instances: [FastInstance], _ values: [FastValue]) -> EVTXPlan? {
        guard let list = byRoot[root.toOpaque()] else { return nil }
        for p in list where p.matches(instances, values) { return p }
        return nil
    }

    func add(_ plan: EVTXPlan) {
        guard let root = plan.templates.first else { return }
        byRoot[Unmanaged.passUnretained(root).toOpaque(), default: []].append(plan)
        count += 1
    }
}
