import SpoorCore
import SpoorEvents

/// A column the syslog and journald parsers write.
enum SyslogColumn: Int, CaseIterable {
    case timestamp, timezone, message, priority, facility, severity, facilityName, severityName, hostname, appname, procid, msgid, version, hostName, processName, processPID, processExecutable, kind, category, type, outcome, action, reason, userName, userEffective, userTarget, userTargetID, groupName, groupID, sourceIP, sourcePort, sourceDomain, destinationIP, destinationPort, transport, commandLine, workingDirectory, sessionID, method, keyType, fingerprint, tty, pamService, pamModule, pamRuser

    var name: String {
        switch self {
        case .timestamp: Field.timestamp
        case .timezone: Field.eventTimezone
        case .message: Field.message
        case .priority: Field.logSyslogPriority
        case .facility: Field.logSyslogFacility
        case .severity: Field.logSyslogSeverity
        case .facilityName: Field.logSyslogFacilityName
        case .severityName: Field.logSyslogSeverityName
        case .hostname: Field.logSyslogHostname
        case .appname: Field.logSyslogAppname
        case .procid: Field.logSyslogProcID
        case .msgid: Field.logSyslogMsgID
        case .version: Field.logSyslogVersion
        case .hostName: Field.hostName
        case .processName: Field.processName
        case .processPID: Field.processPID
        case .processExecutable: Field.processExecutable
        case .kind: Field.eventKind
        case .category: Field.eventCategory
        case .type: Field.eventType
        case .outcome: Field.eventOutcome
        case .action: Field.eventAction
        case .reason: Field.eventReason
        case .userName: Field.userName
        case .userEffective: Field.userEffectiveName
        case .userTarget: Field.userTargetName
        case .userTargetID: Field.userTargetID
        case .groupName: Field.groupName
        case .groupID: Field.groupID
        case .sourceIP: Field.sourceIP
        case .sourcePort: Field.sourcePort
        case .sourceDomain: Field.sourceDomain
        case .destinationIP: Field.destinationIP
        case .destinationPort: Field.destinationPort
        case .transport: Field.networkTransport
        case .commandLine: Field.processCommandLine
        case .workingDirectory: Field.processWorkingDirectory
        case .sessionID: Field.sessionID
        case .method: Field.syslogSSHDMethod
        case .keyType: Field.syslogSSHDKeyType
        case .fingerprint: Field.syslogSSHDFingerprint
        case .tty: Field.syslogSudoTTY
        case .pamService: Field.syslogPAMService
        case .pamModule: Field.syslogPAMModule
        case .pamRuser: Field.syslogPAMRuser
        }
    }

    var kind: FieldKind {
        switch self {
        case .timestamp: .timestamp
        case .timezone: .string
        case .message: .string
        case .priority: .int
        case .facility: .int
        case .severity: .int
        case .facilityName: .string
        case .severityName: .string
        case .hostname: .string
        case .appname: .string
        case .procid: .string
        case .msgid: .string
        case .version: .int
        case .hostName: .string
        case .processName: .string
        case .processPID: .int
        case .processExecutable: .string
        case .kind: .string
        case .category: .stringList
        case .type: .stringList
        case .outcome: .string
        case .action: .string
        case .reason: .string
        case .userName: .string
        case .userEffective: .string
        case .userTarget: .string
        case .userTargetID: .string
        case .groupName: .string
        case .groupID: .string
        case .sourceIP: .ip
        case .sourcePort: .int
        case .sourceDomain: .string
        case .destinationIP: .ip
        case .destinationPort: .int
        case .transport: .string
        case .commandLine: .string
        case .workingDirectory: .string
        case .sessionID: .string
        case .method: .string
        case .keyType: .string
        case .fingerprint: .string
        case .tty: .string
        case .pamService: .string
        case .pamModule: .string
        case .pamRuser: .string
        }
    }
}

/// The column handles of the builder being written, created on first use.
///
/// Resolving a handle is a dictionary lookup by name; keeping the handles (`ColumnHandle` is
/// an index) keeps the per-record cost to array writes. Columns are created only when a record
/// has a value for them, so a batch of plain auth.log lines carries no empty
/// `log.syslog.structured_data.*` or `destination.*` columns.
///
/// A handle is valid only in the builder that made it, and a parser is not told which builder
/// it is given. ``bind(_:)`` runs once per record: when the builder's row count is not the
/// one the previous record left (a finished and restarted builder starts at zero, another
/// builder has its own count) or `event.kind` is not where it was, every handle is dropped
/// and resolved again on use.
struct SyslogColumns {
    private var handles = [ColumnHandle?](repeating: nil, count: SyslogColumn.allCases.count)
    private var expectedRows = -1
    /// Bumped whenever handles are dropped, so dependent caches (structured-data columns,
    /// `journald.*` columns) know to drop theirs.
    private(set) var generation = 0

    /// Checks the builder (see above); returns the handle of `event.kind`.
    mutating func bind(_ b: inout EventBatchBuilder) -> ColumnHandle {
        // The cheap check first (no dictionary lookup): the cached `event.kind` handle still
        // names `event.kind` in this builder.
        if b.count == expectedRows, let cached = handles[SyslogColumn.kind.rawValue],
           b.hasColumn(cached, named: Field.eventKind) {
            expectedRows = b.count + 1
            return cached
        }
        let kind = b.column(Field.eventKind, .string)
        if b.count != expectedRows || handles[SyslogColumn.kind.rawValue] != kind {
            for i in handles.indices { handles[i] = nil }
            handles[SyslogColumn.kind.rawValue] = kind
            generation &+= 1
        }
        expectedRows = b.count + 1
        return kind
    }

    /// The handle of `c`, created in `b` if new.
    @inline(__always)
    mutating func callAsFunction(_ c: SyslogColumn, _ b: inout EventBatchBuilder) -> ColumnHandle {
        if let h = handles[c.rawValue] { return h }
        let h = b.column(c.name, c.kind)
        handles[c.rawValue] = h
        return h
    }

    /// Writes the program semantics of one message; `b` is the buffer the ranges point into.
    mutating func write(_ f: MessageFacts, _ b: Span<UInt8>, into builder: inout EventBatchBuilder) {
        if let a = f.action { SyslogColumns.set(&builder, self(.action, &builder), a) }
        if !f.categories.isEmpty {
            let category = self(.category, &builder)
            builder.beginList(category)
            if f.categories.contains(.authentication) { SyslogColumns.append(&builder, category, "authentication") }
            if f.categories.contains(.session) { SyslogColumns.append(&builder, category, "session") }
            if f.categories.contains(.process) { SyslogColumns.append(&builder, category, "process") }
            if f.categories.contains(.iam) { SyslogColumns.append(&builder, category, "iam") }
            if f.categories.contains(.network) { SyslogColumns.append(&builder, category, "network") }
            if f.categories.contains(.email) { SyslogColumns.append(&builder, category, "email") }
        }
        if !f.types.isEmpty {
            let type = self(.type, &builder)
            builder.beginList(type)
            if f.types.contains(.start) { SyslogColumns.append(&builder, type, "start") }
            if f.types.contains(.end) { SyslogColumns.append(&builder, type, "end") }
            if f.types.contains(.info) { SyslogColumns.append(&builder, type, "info") }
            if f.types.contains(.creation) { SyslogColumns.append(&builder, type, "creation") }
            if f.types.contains(.change) { SyslogColumns.append(&builder, type, "change") }
            if f.types.contains(.deletion) { SyslogColumns.append(&builder, type, "deletion") }
            if f.types.contains(.user) { SyslogColumns.append(&builder, type, "user") }
            if f.types.contains(.group) { SyslogColumns.append(&builder, type, "group") }
            if f.types.contains(.connection) { SyslogColumns.append(&builder, type, "connection") }
            if f.types.contains(.denied) { SyslogColumns.append(&builder, type, "denied") }
        }
        switch f.outcome {
        case .success: SyslogColumns.set(&builder, self(.outcome, &builder), "success")
        case .failure: SyslogColumns.set(&builder, self(.outcome, &builder), "failure")
        case .unknown: SyslogColumns.set(&builder, self(.outcome, &builder), "unknown")
        case nil: break
        }
        if let r = f.user, !r.isEmpty { builder.set(self(.userName, &builder), bytes: b, range: r) }
        if let r = f.userEffective, !r.isEmpty { builder.set(self(.userEffective, &builder), bytes: b, range: r) }
        if let r = f.userTarget, !r.isEmpty { builder.set(self(.userTarget, &builder), bytes: b, range: r) }
        if let r = f.userTargetID, !r.isEmpty { builder.set(self(.userTargetID, &builder), bytes: b, range: r) }
        if let r = f.groupName, !r.isEmpty { builder.set(self(.groupName, &builder), bytes: b, range: r) }
        if let r = f.groupID, !r.isEmpty { builder.set(self(.groupID, &builder), bytes: b, range: r) }
        if let ip = f.sourceIP { builder.set(self(.sourceIP, &builder), ip: ip) }
        if let p = f.sourcePort { builder.set(self(.sourcePort, &builder), int: p) }
        if let r = f.sourceDomain, !r.isEmpty { builder.set(self(.sourceDomain, &builder), bytes: b, range: r) }
        if let ip = f.destinationIP { builder.set(self(.destinationIP, &builder), ip: ip) }
        if let p = f.destinationPort { builder.set(self(.destinationPort, &builder), int: p) }
        if let t = f.transport { SyslogColumns.set(&builder, self(.transport, &builder), t) }
        if let r = f.commandLine, !r.isEmpty { builder.set(self(.commandLine, &builder), bytes: b, range: r) }
        if let r = f.workingDirectory, !r.isEmpty { builder.set(self(.workingDirectory, &builder), bytes: b, range: r) }
        if let r = f.sessionID, !r.isEmpty { builder.set(self(.sessionID, &builder), bytes: b, range: r) }
        if let r = f.method, !r.isEmpty { builder.set(self(.method, &builder), bytes: b, range: r) }
        if let r = f.keyType, !r.isEmpty { builder.set(self(.keyType, &builder), bytes: b, range: r) }
        if let r = f.fingerprint, !r.isEmpty { builder.set(self(.fingerprint, &builder), bytes: b, range: r) }
        if let r = f.reason, !r.isEmpty { builder.set(self(.reason, &builder), bytes: b, range: r) }
        if let r = f.tty, !r.isEmpty { builder.set(self(.tty, &builder), bytes: b, range: r) }
        if let r = f.pamService, !r.isEmpty { builder.set(self(.pamService, &builder), bytes: b, range: r) }
        if let r = f.pamModule, !r.isEmpty { builder.set(self(.pamModule, &builder), bytes: b, range: r) }
        if let r = f.pamRuser, !r.isEmpty { builder.set(self(.pamRuser, &builder), bytes: b, range: r) }
    }

    @inline(__always)
    static func set(_ builder: inout EventBatchBuilder, _ h: ColumnHandle, _ s: StaticString) {
        s.withUTF8Buffer { buf in _ = builder.set(h, bytes: buf.span) }
    }

    @inline(__always)
    static func append(_ builder: inout EventBatchBuilder, _ h: ColumnHandle, _ s: StaticString) {
        s.withUTF8Buffer { buf in builder.appendToList(h, bytes: buf.span) }
    }
}
