import SpoorCore
import SpoorEvents
import SpoorEVTX

/// Writes ``WindowsEvent``s into events: the raw fields under `winlog.*` (Winlogbeat's
/// names) and the ECS view from ``WindowsSemantics``.
///
/// One mapper serves one source: it caches column handles and reassembles PowerShell script
/// blocks across records (``ScriptBlockAssembler``). EVTX ingest calls ``write(evtx:into:)``
/// with each record as `SpoorEVTX`'s direct path reads it (values as bytes, no JSON), and
/// ``write(evtxRecord:into:)`` for the few records that path hands over rendered in evtx_dump's
/// JSON shape; both give the event ``write(_:into:)`` gives for the `WindowsEvent` read from
/// that JSON. The JSON parsers call ``write(_:into:)`` after their adapter.
///
/// Raw fields: `winlog.channel`, `winlog.event_id` (text, as Winlogbeat), `winlog.provider_name`,
/// `winlog.provider_guid`, `winlog.computer_name`, `winlog.record_id`, `winlog.process.pid`,
/// `winlog.process.thread.id`, `winlog.activity_id`, `winlog.related_activity_id`,
/// `winlog.user.identifier`, `winlog.version`, `winlog.task`, `winlog.opcode`,
/// `winlog.keywords`, `winlog.event_data.<Name>`, `winlog.user_data.<Name>`; then
/// `event.code`, `event.provider`, `event.module`, `event.kind`, `host.name`, `@timestamp`,
/// `event.timezone`, `log.level`, `message`.
public struct WindowsEventMapper: Sendable {
    private let context: ParseContext
    private var probe = ZeekBuilderProbe()
    private var fixed: FixedColumns? = nil
    private var dataColumns: [String: ColumnHandle] = [:]
    private var userDataColumns: [String: ColumnHandle] = [:]
    private var resolved: [Int: ResolvedSemantics] = [:]
    private var ecsColumns: [String: ColumnHandle] = [:]
    private var scripts = ScriptBlockAssembler()
    private var related = RelatedValues()
    // The direct EVTX path (`write(evtx:into:)`): per name id of the reader's name table,
    // the column (and, per semantics, whether the item is read), so no name is hashed per record.
    private var nameTable: UInt64 = 0
    private var dataByID: [ColumnHandle?] = []
    private var userDataByID: [ColumnHandle?] = []
    private var readByID: [Int: [UInt8]] = [:]
    private var lastKeywords: [UInt8] = []
    private var lastKeywordsText: [UInt8] = []
    private var guidScratch: [UInt8] = []
    private var lastOffset = 0
    private var lastOffsetText = formatUTCOffset(0)
    private var semanticData: [(name: String, value: String)] = []
    private var semanticUserData: [(name: String, value: String)] = []

    public init(context: ParseContext) {
        self.context = context
    }

    /// Writes an EVTX record rendered in evtx_dump's JSON shape (`{"Event": {…}}`).
    ///
    /// - Throws: ``ParseError`` when the value is not that shape or breaks a limit.
    public mutating func write(evtxRecord: JSONValue, into builder: inout EventBatchBuilder) throws(ParseError) {
        try write(WindowsEvent(evtxJSON: evtxRecord, zone: context.timeZone), into: &builder)
    }

    /// Writes one event into the open row of `builder`.
    ///
    /// - Throws: ``ParseError`` `.badTimestamp` when the event has no time, `.badField` when
    ///   it would introduce more than ``WindowsEventLimits/maximumDistinctNames`` data columns.
    public mutating func write(_ e: WindowsEvent, into builder: inout EventBatchBuilder) throws(ParseError) {
        guard let time = e.timeCreated else {
            throw ParseError(.badTimestamp, at: 0, "the Windows event has no readable TimeCreated")
        }
        if fixed == nil || !probe.matches(&builder) {
            probe.reset()
            fixed = FixedColumns(&builder, &probe)
            resetColumns()
        }
        guard let f = fixed else { return }
        builder.set(f.timestamp, timestamp: time)
        builder.set(f.timezone, string: formatUTCOffset(e.timeOffsetSeconds ?? 0))
        builder.set(f.kind, string: "event")
        let log = WindowsLog.of(provider: e.providerName, channel: e.channel)
        builder.set(f.module, string: log.module)
        if let v = e.channel { builder.set(f.channel, text: v) }
        if let id = e.eventID {
            let text = String(id)
            builder.set(f.eventID, string: text)
            builder.set(f.code, string: text)
        }
        if let v = e.providerName { builder.set(f.provider, text: v); builder.set(f.eventProvider, text: v) }
        if let v = e.providerGUID { builder.set(f.providerGUID, text: v) }
        if let v = e.computer { builder.set(f.computer, text: v); builder.set(f.host, text: v) }
        if let v = e.recordID { builder.set(f.recordID, int: v) }
        if let v = e.processID { builder.set(f.pid, int: v) }
        if let v = e.threadID { builder.set(f.tid, int: v) }
        if let v = e.activityID { builder.set(f.activity, text: v) }
        if let v = e.relatedActivityID { builder.set(f.relatedActivity, text: v) }
        if let v = e.userSID { builder.set(f.userIdentifier, text: v) }
        if let v = e.version { builder.set(f.version, int: Int64(v)) }
        if let v = e.task { builder.set(f.task, int: Int64(v)) }
        if let v = e.opcode { builder.set(f.opcode, int: Int64(v)) }
        if let v = e.keywords { builder.set(f.keywords, text: v) }
        if let v = e.level.flatMap(WindowsEvent.levelName) { builder.set(f.level, string: v) }
        if let v = e.message { builder.set(f.message, text: v) }

        for (name, value) in e.eventData {
            let h = try column(name, prefix: "winlog.event_data.", cache: \.dataColumns, &builder)
            builder.set(h, text: value)
        }
        for (name, value) in e.userData {
            let h = try column(name, prefix: "winlog.user_data.", cache: \.userDataColumns, &builder)
            builder.set(h, text: value)
        }
        if let id = e.eventID, let sem = semantics(log, id, &builder) {
            writeSemantics(sem, e.eventData, eventDataIsEmpty: e.eventData.isEmpty, e.userData, computer: e.computer, eventID: id,
                           log: log, time: time, f, &builder)
        }
    }

    private mutating func resetColumns() {
        dataColumns.removeAll(); userDataColumns.removeAll(); resolved.removeAll(); ecsColumns.removeAll()
        dataByID.removeAll(); userDataByID.removeAll(); readByID.removeAll()
    }

    /// Writes one EVTX record read by the direct path into the open row of `builder`: the same
    /// fields, values and errors as ``write(_:into:)`` of the `WindowsEvent` read from the
    /// record's JSON rendering, written from the view's bytes.
    ///
    /// - Throws: as ``write(_:into:)``.
    public mutating func write(evtx v: EVTXEventView, into builder: inout EventBatchBuilder) throws(ParseError) {
        let text = v.text
        let system = v.system
        let escapes = Bytes.find(0xEE, in: text.span) != nil
        func range(_ f: EVTXSystemField) -> Range<Int>? {
            let s = system[2 * f.rawValue]
            return s < 0 ? nil : Int(s)..<Int(system[2 * f.rawValue + 1])
        }
        guard let tr = range(.systemTime), let t = WindowsValue.time(text.span.extracting(tr), zone: context.timeZone) else {
            throw ParseError(.badTimestamp, at: 0, "the Windows event has no readable TimeCreated")
        }
        let time = Timestamp(microseconds: t.microseconds)
        if fixed == nil || !probe.matches(&builder) {
            probe.reset()
            fixed = FixedColumns(&builder, &probe)
            resetColumns()
        }
        if v.names.identity != nameTable {
            nameTable = v.names.identity
            dataByID.removeAll(); userDataByID.removeAll(); readByID.removeAll()
        }
        guard let f = fixed else { return }
        builder.set(f.timestamp, timestamp: time)
        if t.offsetSeconds != lastOffset {
            lastOffset = t.offsetSeconds
            lastOffsetText = formatUTCOffset(t.offsetSeconds)
        }
        builder.set(f.timezone, string: lastOffsetText)
        builder.set(f.kind, string: "event")
        let providerRange = range(.providerName), channelRange = range(.channel)
        let log = WindowsLog.of(text, provider: providerRange, channel: channelRange)
        builder.set(f.module, string: log.module)
        if let r = channelRange { setText(f.channel, text, r, escapes, &builder) }
        let eventID: Int? = range(.eventID).flatMap { Self.integer(text, $0) }
        if let id = eventID {
            let s = String(id)
            builder.set(f.eventID, string: s)
            builder.set(f.code, string: s)
        }
        if let r = providerRange { setText(f.provider, text, r, escapes, &builder); setText(f.eventProvider, text, r, escapes, &builder) }
        if let r = range(.providerGUID) { setText(f.providerGUID, text, r, escapes, &builder) }
        let computerRange = range(.computer)
        if let r = computerRange { setText(f.computer, text, r, escapes, &builder); setText(f.host, text, r, escapes, &builder) }
        if let r = range(.eventRecordID), let n: Int64 = Self.integer(text, r) { builder.set(f.recordID, int: n) }
        if let r = range(.processID), let n: Int64 = Self.integer(text, r) { builder.set(f.pid, int: n) }
        if let r = range(.threadID), let n: Int64 = Self.integer(text, r) { builder.set(f.tid, int: n) }
        if let r = range(.activityID) { setText(f.activity, text, r, escapes, &builder) }
        if let r = range(.relatedActivityID) { setText(f.relatedActivity, text, r, escapes, &builder) }
        if let r = range(.userID) { setText(f.userIdentifier, text, r, escapes, &builder) }
        if let r = range(.version), let n: Int = Self.integer(text, r) { builder.set(f.version, int: Int64(n)) }
        if let r = range(.task), let n: Int = Self.integer(text, r) { builder.set(f.task, int: Int64(n)) }
        if let r = range(.opcode), let n: Int = Self.integer(text, r) { builder.set(f.opcode, int: Int64(n)) }
        if let r = range(.keywords) {
            if !text[r].elementsEqual(lastKeywords) {
                lastKeywords = Array(text[r])
                // What `set(h, text:)` would write.
                let t = WindowsEvent.keywordsText(Self.string(text, r))
                lastKeywordsText = ByteText.hasEscapes(t) ? ByteText.decode(t) : Array(t.utf8)
            }
            builder.set(f.keywords, bytes: lastKeywordsText.span)
        }
        if let r = range(.level), let n: Int = Self.integer(text, r), let name = WindowsEvent.levelName(n) { builder.set(f.level, string: name) }

        for item in v.eventData {
            let id = Int(item.name)
            let h: ColumnHandle
            if id < dataByID.count, let c = dataByID[id] {
                h = c
            } else {
                h = try column(v.names.name(item.name), prefix: "winlog.event_data.", cache: \.dataColumns, &builder)
                if id >= dataByID.count { dataByID.append(contentsOf: repeatElement(nil, count: id + 1 - dataByID.count)) }
                dataByID[id] = h
            }
            setText(h, text, item.range, escapes, &builder)
        }
        for item in v.userData {
            let id = Int(item.name)
            let h: ColumnHandle
            if id < userDataByID.count, let c = userDataByID[id] {
                h = c
            } else {
                h = try column(v.names.name(item.name), prefix: "winlog.user_data.", cache: \.userDataColumns, &builder)
                if id >= userDataByID.count { userDataByID.append(contentsOf: repeatElement(nil, count: id + 1 - userDataByID.count)) }
                userDataByID[id] = h
            }
            setText(h, text, item.range, escapes, &builder)
        }
        if let id = eventID, let sem = semantics(log, id, &builder) {
            // Only the items the semantics read become Strings.
            let key = id << 3 | log.index
            let script = log == .powerShell && id == 4104
            var data: [(name: String, value: String)] = []
            var user: [(name: String, value: String)] = []
            swap(&data, &semanticData)
            swap(&user, &semanticUserData)
            defer {
                data.removeAll(keepingCapacity: true)
                user.removeAll(keepingCapacity: true)
                swap(&data, &semanticData)
                swap(&user, &semanticUserData)
            }
            // Per name id: 0 not known yet, 1 read by the semantics, 2 not read.
            var known = readByID[key] ?? []
            var learnt = false
            for item in v.eventData {
                let id = Int(item.name)
                var state: UInt8 = id < known.count ? known[id] : 0
                if state == 0 {
                    let n = v.names.name(item.name)
                    state = sem.byName[n] != nil || (script && Self.scriptBlockNames.contains(n)) ? 1 : 2
                    if id >= known.count { known.append(contentsOf: repeatElement(0, count: id + 1 - known.count)) }
                    known[id] = state
                    learnt = true
                }
                if state == 1 { data.append((v.names.name(item.name), Self.string(text, item.range))) }
            }
            if learnt { readByID[key] = known }
            if v.eventData.isEmpty {
                for item in v.userData where sem.byName[v.names.name(item.name)] != nil {
                    user.append((v.names.name(item.name), Self.string(text, item.range)))
                }
            }
            writeSemantics(sem, data, eventDataIsEmpty: v.eventData.isEmpty, user, computer: computerRange.map { Self.string(text, $0) },
                           eventID: id, log: log, time: time, f, &builder)
        }
    }

    private static let scriptBlockNames: Set<String> = ["ScriptBlockText", "MessageNumber", "MessageTotal", "ScriptBlockId"]

    /// A view value as the String the JSON reading gives it (GUIDs normalised).
    private static func string(_ text: [UInt8], _ r: Range<Int>) -> String {
        WindowsValue.normalisedString(String(decoding: text[r], as: UTF8.self))
    }

    /// Sets a view value as `set(h, text:)` of ``string(_:_:)`` would, from the bytes (a GUID
    /// normalised in a scratch buffer; a String only when a ``ByteText`` escape may be in it).
    /// `escapes`: whether the record's text may hold a ``ByteText`` escape (U+EF80…U+EFFF, UTF-8
    /// lead byte 0xEE); when not, no value needs the String.
    @inline(__always)
    private mutating func setText(_ h: ColumnHandle, _ text: [UInt8], _ r: Range<Int>, _ escapes: Bool, _ b: inout EventBatchBuilder) {
        let n = r.count
        if n == 36 || n == 38 {
            switch Self.guidForm(text, r) {
            case .canonical:
                let p = n == 38 ? r.lowerBound + 1 : r.lowerBound
                b.set(h, bytes: text.span.extracting(p..<(p + 36)))
                return
            case .other:
                normaliseGUID(text, r)
                b.set(h, bytes: guidScratch.span)
                return
            case .none:
                break
            }
        }
        if escapes && text[r].contains(0xEE) {
            b.set(h, text: Self.string(text, r))
        } else {
            b.set(h, bytes: text.span.extracting(r))
        }
    }

    enum GUIDForm { case none, canonical, other }

    /// Whether `text[r]` is a GUID (braced or not; `WindowsValue.guid`), and whether it is already
    /// in the normalised form (upper case) apart from braces.
    static func guidForm(_ text: [UInt8], _ r: Range<Int>) -> GUIDForm {
        var p = r.lowerBound
        if r.count == 38 {
            guard text[p] == UInt8(ascii: "{"), text[r.upperBound - 1] == UInt8(ascii: "}") else { return .none }
            p += 1
        }
        var lower = false
        for i in 0..<36 {
            let c = text[p + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return .none }
                continue
            }
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lower = true
            default: return .none
            }
        }
        return lower ? .other : .canonical
    }

    /// The normalised form of a GUID (``guidForm(_:_:)`` is not `.none`) into `guidScratch`.
    private mutating func normaliseGUID(_ text: [UInt8], _ r: Range<Int>) {
        let p = r.count == 38 ? r.lowerBound + 1 : r.lowerBound
        if guidScratch.count != 36 { guidScratch = [UInt8](repeating: 0, count: 36) }
        for i in 0..<36 {
            let c = text[p + i]
            guidScratch[i] = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") ? c - 32 : c
        }
    }

    /// `T(text)` of a view value (decimal digits read directly).
    private static func integer<T: FixedWidthInteger>(_ text: [UInt8], _ r: Range<Int>) -> T? {
        if r.count > 0, r.count <= 18 {
            var v: Int64 = 0
            var ok = true
            for k in r {
                let d = text[k] &- 0x30
                if d > 9 { ok = false; break }
                v = v * 10 + Int64(d)
            }
            if ok { return T(exactly: v) }
        }
        return T(String(decoding: text[r], as: UTF8.self))
    }

    private mutating func column(_ name: String, prefix: String, cache: WritableKeyPath<WindowsEventMapper, [String: ColumnHandle]>,
                                 _ builder: inout EventBatchBuilder) throws(ParseError) -> ColumnHandle {
        if let h = self[keyPath: cache][name] { return h }
        guard dataColumns.count + userDataColumns.count < WindowsEventLimits.maximumDistinctNames else {
            throw ParseError(.badField, at: 0, "more than \(WindowsEventLimits.maximumDistinctNames) distinct Windows data names in one source")
        }
        let h = probe.column(prefix + name, .string, &builder)
        self[keyPath: cache][name] = h
        return h
    }

    private mutating func semantics(_ log: WindowsLog, _ id: Int, _ builder: inout EventBatchBuilder) -> ResolvedSemantics? {
        let key = id << 3 | log.index
        if let r = resolved[key] { return r }
        guard let sem = WindowsSemantics.lookup(log, id) else { return nil }
        var byName: [String: [ResolvedTarget]] = [:]
        for (name, target) in sem.fields {
            let handles = target.columns.map { probe.column($0.0, $0.1, &builder) }
            byName[name, default: []].append(ResolvedTarget(target: target, handles: handles))
        }
        let r = ResolvedSemantics(semantics: sem, byName: byName)
        resolved[key] = r
        return r
    }

    /// `eventData`/`userData` hold at least the items the semantics read (in order).
    private mutating func writeSemantics(_ r: ResolvedSemantics, _ eventData: [(name: String, value: String)], eventDataIsEmpty: Bool,
                                         _ userData: [(name: String, value: String)], computer: String?, eventID: Int,
                                         log: WindowsLog, time: Timestamp, _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        let sem = r.semantics
        builder.set(f.action, string: sem.action)
        builder.beginList(f.category)
        for c in sem.category { builder.appendToList(f.category, text: c) }
        builder.beginList(f.type)
        for t in sem.type { builder.appendToList(f.type, text: t) }
        if let o = sem.outcome { builder.set(f.outcome, string: o) }
        related.removeAll()
        var pid: Int64? = nil
        for (name, value) in eventData {
            guard let targets = r.byName[name] else { continue }
            for t in targets {
                if case .status = t.target {
                    builder.set(f.outcome, string: WindowsValue.integer(value) == 0 ? "success" : "failure")
                    continue
                }
                WindowsTargetWriter.write(t, value, &builder, &related)
                if sem.entityFromStart, case .int("process.pid") = t.target { pid = WindowsValue.integer(value) }
            }
        }
        // Security 1102 keeps its subject in UserData.
        if eventDataIsEmpty, !userData.isEmpty {
            for (name, value) in userData {
                guard let targets = r.byName[name] else { continue }
                for t in targets { WindowsTargetWriter.write(t, value, &builder, &related) }
            }
        }
        if sem.entityFromStart, let pid, let host = computer {
            builder.set(f.entityID, string: "\(host)|\(pid)|\(time.microseconds)")
        }
        if log == .powerShell, eventID == 4104 { writeScriptBlock(eventData, f, &builder) }
        related.write(f, &builder)
    }

    private mutating func writeScriptBlock(_ eventData: [(name: String, value: String)], _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        func data(_ name: String) -> String? {
            for (n, v) in eventData where n == name { return v }
            return nil
        }
        guard let text = data("ScriptBlockText") else { return }
        let number = data("MessageNumber").flatMap { Int($0) } ?? 1
        let total = data("MessageTotal").flatMap { Int($0) } ?? 1
        let id = data("ScriptBlockId") ?? ""
        if let whole = scripts.add(id: id, number: number, total: total, text: text) {
            builder.set(f.scriptBlockText, text: whole)
        }
    }
}

extension WindowsLog {
    /// ``of(provider:channel:)`` of values in `text`.
    static func of(_ text: [UInt8], provider: Range<Int>?, channel: Range<Int>?) -> WindowsLog {
        func eq(_ r: Range<Int>?, _ s: StaticString) -> Bool {
            guard let r, r.count == s.utf8CodeUnitCount else { return false }
            return s.withUTF8Buffer { text[r].elementsEqual($0) }
        }
        if eq(provider, "Microsoft-Windows-Sysmon") || eq(channel, "Microsoft-Windows-Sysmon/Operational") { return .sysmon }
        if eq(channel, "Security") { return .security }
        if eq(channel, "Microsoft-Windows-PowerShell/Operational") || eq(provider, "Microsoft-Windows-PowerShell") { return .powerShell }
        if eq(channel, "System") { return .system }
        return .other
    }

    var index: Int {
        switch self {
        case .sysmon: 0
        case .security: 1
        case .system: 2
        case .powerShell: 3
        case .other: 4
        }
    }
}

/// A semantics entry with its columns resolved in one builder.
struct ResolvedSemantics: Sendable {
    var semantics: WindowsSemantics
    var byName: [String: [ResolvedTarget]]
}

/// One target with its columns resolved (in the order of ``WindowsTarget/columns``).
struct ResolvedTarget: Sendable {
    var target: WindowsTarget
    var handles: [ColumnHandle]
}
