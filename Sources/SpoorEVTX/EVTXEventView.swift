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

    /// Dotted names by the ids they are made of (`prefix.key`), so that a new record shape's
    /// nested elements (CAPI2's certificate chains: about 60 a shape) find theirs without
    /// joining and hashing the texts. One entry per pair met, whose text is one of `names` (pairs
    /// giving the same text are rare), so it grows with them.
    private var dotted: [Int64: Int32] = [:]

    /// The id of `name(prefix) + "." + name(key)`; nil when that text is over `limit` bytes.
    func dotted(_ prefix: Int32, _ key: Int32, limit: Int) -> Int32? {
        let k = Int64(prefix) << 32 | Int64(UInt32(bitPattern: key))
        if let id = dotted[k] { return id }
        let text = names[Int(prefix)] + "." + names[Int(key)]
        guard text.utf8.count <= limit else { return nil }
        let id = id(text)
        dotted[k] = id
        return id
    }
}

/// One `EventData` or `UserData` item: its name id and its value's bytes in ``EVTXEventView/text``.
///
/// `slot` and `stamp` let a consumer memoise what it derives from the item's text (see
/// ``EVTXEventView/systemStamps``): two items of one reader with the same `stamp` (not -1)
/// have the same slot (the same place in one record shape, hence the same name) and the same
/// text. `slot` (≥ 0) numbers the places of all record shapes the reader met densely, for an
/// array of memos; -1 for both when the record was not read by a plan or the memo is off.
public struct EVTXDataItem: Sendable, Hashable {
    public var name: Int32
    public var start: Int32
    public var end: Int32
    public var slot: Int32 = -1
    public var stamp: Int32 = -1
    public var range: Range<Int> { Int(start)..<Int(end) }

    public init(name: Int32, start: Int32, end: Int32, slot: Int32 = -1, stamp: Int32 = -1) {
        self.name = name
        self.start = start
        self.end = end
        self.slot = slot
        self.stamp = stamp
    }
}

/// One record's Windows event, as the direct path reads it (reused from record to record).
///
/// Values are the text the evtx_dump JSON shape gives them: strings as they are, numbers in
/// decimal, booleans `true`/`false`, GUIDs upper-case, hex integers `0x…`, times
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`. They are not further normalised (a GUID written as a string
/// keeps its braces; the Windows mapping normalises every form alike).
public final class EVTXEventView {
    /// The record's output as one value, exchanged with the walker's buffers in one access per
    /// record (each access to a class's stored property costs a dynamic exclusivity check: one
    /// per array made six per exchange).
    struct Buffers {
        var text: [UInt8] = []
        var system = [Int32](repeating: -1, count: 2 * EVTXSystemField.allCases.count)
        var eventData: [EVTXDataItem] = []
        var userData: [EVTXDataItem] = []
        var systemStamps = [Int32](repeating: -1, count: EVTXSystemField.allCases.count)
        var systemSlots = [Int32](repeating: -1, count: EVTXSystemField.allCases.count)
        var systemTimeMicroseconds: Int64? = nil
    }
    var buffers = Buffers()

    /// The UTF-8 text of all values of the record.
    public var text: [UInt8] { buffers.text }
    /// Per ``EVTXSystemField``: start and end of its value in ``text`` at `2 × rawValue` and
    /// `2 × rawValue + 1` (start -1: absent); ``range(_:)`` reads it.
    public var system: [Int32] { buffers.system }
    /// `EventData` items in order (unnamed `Data` as `param1`, `param2`, …).
    public var eventData: [EVTXDataItem] { buffers.eventData }
    /// `UserData` payload children in order.
    public var userData: [EVTXDataItem] { buffers.userData }
    /// The table the item names refer to.
    public let names: EVTXNameTable
    /// ``EVTXSystemField/systemTime`` as UTC microseconds when its text is exactly the rendering
    /// of one FILETIME value (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, which reads back to this value), so
    /// a consumer need not parse the text; nil otherwise (then read the text).
    public var systemTimeMicroseconds: Int64? { buffers.systemTimeMicroseconds }
    /// Per ``EVTXSystemField`` (at `rawValue`): a stamp of its text, -1 when none. Within one
    /// reader, equal stamps (not -1) of one field mean equal texts: a record read by the same
    /// plan as an earlier one whose value bytes (as they are in the file) were the same gets
    /// the earlier stamp, so a consumer can reuse what it derived from the text (a memo keyed
    /// by stamp) without reading or comparing the text. Stamps are unique across fields and
    /// items of the reader.
    public var systemStamps: [Int32] { buffers.systemStamps }
    /// Per ``EVTXSystemField``: the slot of the field's value in its record shape (as
    /// ``EVTXDataItem/slot``: dense over the reader, for an array of memos), -1 with no stamp.
    public var systemSlots: [Int32] { buffers.systemSlots }

    init(names: EVTXNameTable) {
        self.names = names
        buffers.text.reserveCapacity(4096)
        buffers.eventData.reserveCapacity(64)
    }

    /// Exchanges the view's buffers with the walker's (one access to `buffers`).
    func take(_ t: inout [UInt8], _ s: inout [Int32], _ e: inout [EVTXDataItem], _ u: inout [EVTXDataItem], _ st: inout [Int32], _ sl: inout [Int32], _ time: inout Int64?) {
        Self.exchange(&buffers, &t, &s, &e, &u, &st, &sl, &time)
    }

    @inline(__always)
    static func exchange(_ b: inout Buffers, _ t: inout [UInt8], _ s: inout [Int32], _ e: inout [EVTXDataItem], _ u: inout [EVTXDataItem],
                         _ st: inout [Int32], _ sl: inout [Int32], _ time: inout Int64?) {
        swap(&b.systemStamps, &st)
        swap(&b.systemSlots, &sl)
        swap(&b.text, &t)
        swap(&b.system, &s)
        swap(&b.eventData, &e)
        swap(&b.userData, &u)
        swap(&b.systemTimeMicroseconds, &time)
    }

    /// Where the value of `field` is in ``text``, or nil when the event has none.
    @inline(__always)
    public func range(_ field: EVTXSystemField) -> Range<Int>? {
        let s = buffers.system[2 * field.rawValue]
        return s < 0 ? nil : Int(s)..<Int(buffers.system[2 * field.rawValue + 1])
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

/// What the readers of one run learn about record shapes and keep for the next file: template
/// definitions (by GUID, bytes and names, see `EVTXTemplateCache`), the data names met
/// (``EVTXNameTable``) and the plans of record shapes (`EVTXPlan`). Files from one host, or from
/// hosts with the same providers, use the same templates; a reader given the context the readers
/// of earlier files used takes their definitions and plans instead of parsing and walking them
/// again (the file's own bytes are still read and checked as before: a definition is taken only
/// when it would parse to the same parts, a plan only for a record of its exact shape).
///
/// A context is used by one reader at a time (it is not thread-safe); concurrent readers each
/// need their own. What a plan remembers of the previous record it read (for stamps) belongs to
/// the reader that read it: another reader starts that memory over.
public final class EVTXReadContext {
    let names: EVTXNameTable
    let templates: EVTXTemplateCache
    let plans = EVTXPlanCache()
    private var readers = 0

    public init() {
        names = EVTXNameTable()
        templates = EVTXTemplateCache(names: names)
    }

    /// Most data names a context keeps before a run should start a fresh one (names come from
    /// the files: a run of many files with made-up names would otherwise grow it without end).
    static let maximumNames = 1 << 18

    /// Whether the context holds as many plans as it takes (a reader given it makes no new plan)
    /// or as many names as it should: a run should go on with a fresh context. What a context
    /// holds is bounded by these and by the template cache's own bound (`EVTXTemplateCache`
    /// starts over when full): at most 8,192 plans, each with the value texts of its last
    /// records (an arena started over once it passes 32 KiB), and, once nested BinXML has been
    /// read by its shape, 512 KiB of name ids by chunk offset and at most 65,536 names by their
    /// text (`SkeletonNames`), and 4,096 plans of such shapes (`StreamPlanTable`).
    public var isSaturated: Bool { plans.count >= EVTXPlanCache.maximumPlans || names.names.count >= Self.maximumNames }

    /// A number for the next reader (the owner of the plan memories it writes).
    func nextReader() -> Int {
        readers += 1
        return readers
    }
}

/// Reads a file's records chunk by chunk for ingest: each record's event through the direct
/// path when it can, else as JSON; issues exactly as ``EVTXFile/chunk(_:)`` reports them.
public final class EVTXEventReader {
    public let file: EVTXFile
    private var walker: EVTXViewWalker
    private let templates: EVTXTemplateCache
    /// Records the direct path handled and records handed over as JSON, so far.
    public private(set) var directRecords = 0
    public private(set) var jsonRecords = 0
    /// Records whose nested BinXML, read by its shape (`NestedStreams`), sat where the walk does
    /// not read such a value: read again with a template per shape.
    public private(set) var retriedRecords = 0
    /// Of the direct records, those read by replaying a plan (`EVTXPlan`).
    public var replayedRecords: Int { walker.replayed }
    /// Of the replayed records, those matched to their plan by the per-template shortcut
    /// (`EVTXViewWalker.shortcut`) instead of the instance scan.
    public var shortcutRecords: Int { walker.shortcutRecords }
    /// Whether the shortcut is tried (off: every record by the instance scan; for comparisons).
    var shortcuts: Bool {
        get { walker.shortcuts }
        set { walker.shortcuts = newValue }
    }
    /// Whether records read by a plan get stamps (``EVTXDataItem/stamp``,
    /// ``EVTXEventView/systemStamps``); off, every stamp is -1 (for tests: a consumer's memo
    /// must give what it gives without one).
    public var stamps: Bool {
        get { walker.memo }
        set { walker.memo = newValue }
    }
    /// Of the item and `System` values of replayed records, those whose value bytes were the
    /// same as in the previous record of the plan (they got its stamp), and all of them.
    public var stampHits: Int { walker.stampHits }
    public var stampedItems: Int { walker.stampedItems }

    /// A reader of `file`; `context` shared with the readers of earlier files of the same run
    /// (one reader at a time) lets it take what they learnt (see ``EVTXReadContext``).
    public init(file: EVTXFile, context: EVTXReadContext = EVTXReadContext()) {
        self.file = file
        templates = context.templates
        walker = EVTXViewWalker(data: file.bytes, view: EVTXEventView(names: context.names), plans: context.plans,
                                owner: context.nextReader())
    }

    /// Reads chunk `index`, handing each record to `body` in file order; returns the chunk's
    /// issues (a record that cannot be read is one, as in ``EVTXFile/chunk(_:)``).
    public func readChunk(_ index: Int, _ body: (EVTXRecordHeader, EVTXRecordContent) -> Void) -> [EVTXIssue] {
        var w = walker
        walker.values = []
        walker.instances = []
        // The context's stream plans, held by this reader's walker while it reads the chunk.
        swap(&w.streamPlans, &w.plans.streamPlans)
        defer {
            swap(&w.streamPlans, &w.plans.streamPlans)
            walker = w
        }
        var renderer = EVTXRenderer(maximumDepth: file.limits.maximumDepth * 2)
        var direct = 0, json = 0, retried = 0
        let issues = file.scanChunk(index, templates: templates, reserve: { _ in }) {
            (reader: inout BinXMLReader, pos: Int, size: Int, id: UInt64, written: UInt64) throws(ParseError) in
            let header = EVTXRecordHeader(recordID: id, timestamp: Timestamp(microseconds: BinXMLReader.filetimeMicroseconds(written)), offset: pos)
            if !w.held.isEmpty { w.held.removeAll(keepingCapacity: true) }
            var done = false
            do throws(ParseError) {
                if w.shortcuts, let d = w.shortcut(pos + 24, end: pos + size - 4, chunkStart: reader.chunkStart, limits: reader.limits) {
                    done = d
                } else {
                    w.values.removeAll(keepingCapacity: true)
                    w.instances.removeAll(keepingCapacity: true)
                    if !w.streams.isEmpty { w.streams.removeAll() }
                    if var root = try reader.fastFragment(pos + 24, end: pos + size - 4, depth: 0, &w.values, &w.instances, &w.held, &w.streams) {
                        done = w.record(root: root)
                        if !done, !w.streams.isEmpty {
                            // Nested BinXML read by its shape somewhere the walk does not read
                            // such a value: read again with a template per shape.
                            w.values.removeAll(keepingCapacity: true)
                            w.instances.removeAll(keepingCapacity: true)
                            w.held.removeAll(keepingCapacity: true)
                            w.streams.removeAll()
                            reader.tokens = 0
                            reader.streamsOff = true
                            defer { reader.streamsOff = false }
                            retried += 1
                            if let r = try reader.fastFragment(pos + 24, end: pos + size - 4, depth: 0, &w.values, &w.instances, &w.held, &w.streams) {
                                root = r
                                done = w.record(root: root)
                            }
                        }
                        if done, w.shortcuts, root == 0 {
                            w.registerShape(pos + 24, end: pos + size - 4, chunkStart: reader.chunkStart)
                        }
                    }
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
        retriedRecords += retried
        return issues
    }
}

extension EVTXEventReader {
    /// UTF-16LE bytes as UTF-8, decoded the way the direct path decodes string values (for tests).
    public static func utf8(utf16LE bytes: [UInt8]) -> [UInt8] {
        var w = EVTXViewWalker(data: bytes, view: EVTXEventView(names: EVTXNameTable()), plans: EVTXPlanCache(), owner: 1)
        w.appendUTF16(0, count: bytes.count / 2)
        return w.text
    }
}
