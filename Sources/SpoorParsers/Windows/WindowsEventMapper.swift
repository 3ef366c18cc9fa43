import SpoorCore
import SpoorEvents

/// Writes ``WindowsEvent``s into events: the raw fields under `winlog.*` (Winlogbeat's
/// names) and the ECS view from ``WindowsSemantics``.
///
/// One mapper serves one source: it caches column handles and reassembles PowerShell script
/// blocks across records (``ScriptBlockAssembler``). The EVTX reader calls
/// ``write(evtxRecord:into:)`` with each record rendered in evtx_dump's JSON shape; the JSON
/// parsers call ``write(_:into:)`` after their adapter.
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
            dataColumns.removeAll(); userDataColumns.removeAll(); resolved.removeAll(); ecsColumns.removeAll()
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
            writeSemantics(sem, e, log: log, time: time, f, &builder)
        }
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

    private mutating func writeSemantics(_ r: ResolvedSemantics, _ e: WindowsEvent, log: WindowsLog, time: Timestamp,
                                         _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        let sem = r.semantics
        builder.set(f.action, string: sem.action)
        builder.beginList(f.category)
        for c in sem.category { builder.appendToList(f.category, text: c) }
        builder.beginList(f.type)
        for t in sem.type { builder.appendToList(f.type, text: t) }
        if let o = sem.outcome { builder.set(f.outcome, string: o) }
        related.removeAll()
        var pid: Int64? = nil
        for (name, value) in e.eventData {
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
        if e.eventData.isEmpty, !e.userData.isEmpty {
            for (name, value) in e.userData {
                guard let targets = r.byName[name] else { continue }
                for t in targets { WindowsTargetWriter.write(t, value, &builder, &related) }
            }
        }
        if sem.entityFromStart, let pid, let host = e.computer {
            builder.set(f.entityID, string: "\(host)|\(pid)|\(time.microseconds)")
        }
        if log == .powerShell, e.eventID == 4104 { writeScriptBlock(e, f, &builder) }
        related.write(f, &builder)
    }

    private mutating func writeScriptBlock(_ e: WindowsEvent, _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        guard let text = e.data("ScriptBlockText") else { return }
        let number = e.data("MessageNumber").flatMap { Int($0) } ?? 1
        let total = e.data("MessageTotal").flatMap { Int($0) } ?? 1
        let id = e.data("ScriptBlockId") ?? ""
        if let whole = scripts.add(id: id, number: number, total: total, text: text) {
            builder.set(f.scriptBlockText, text: whole)
        }
    }
}

extension WindowsLog {
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
