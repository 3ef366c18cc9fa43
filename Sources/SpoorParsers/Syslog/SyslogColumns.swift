import SpoorCore
import SpoorEvents

/// The columns the syslog and journald parsers write, resolved once per builder.
///
/// Resolving a handle is a dictionary lookup by name; doing it once and keeping the handles
/// (`ColumnHandle` is an index) keeps the per-record cost to array writes.
struct SyslogColumns {
    let timestamp, timezone, message: ColumnHandle
    let priority, facility, severity, facilityName, severityName, hostname, appname, procid, msgid, version: ColumnHandle
    let hostName, processName, processPID: ColumnHandle
    let kind, category, type, outcome, action, reason: ColumnHandle
    let userName, userEffective, userTarget, userTargetID, groupName, groupID: ColumnHandle
    let sourceIP, sourcePort, sourceDomain, destinationIP, destinationPort, transport: ColumnHandle
    let commandLine, workingDirectory, sessionID: ColumnHandle
    let method, keyType, fingerprint, tty, pamService, pamModule, pamRuser: ColumnHandle

    init(_ b: inout EventBatchBuilder) {
        timestamp = b.column(Field.timestamp, .timestamp)
        timezone = b.column(Field.eventTimezone, .string)
        message = b.column(Field.message, .string)
        priority = b.column(Field.logSyslogPriority, .int)
        facility = b.column(Field.logSyslogFacility, .int)
        severity = b.column(Field.logSyslogSeverity, .int)
        facilityName = b.column(Field.logSyslogFacilityName, .string)
        severityName = b.column(Field.logSyslogSeverityName, .string)
        hostname = b.column(Field.logSyslogHostname, .string)
        appname = b.column(Field.logSyslogAppname, .string)
        procid = b.column(Field.logSyslogProcID, .string)
        msgid = b.column(Field.logSyslogMsgID, .string)
        version = b.column(Field.logSyslogVersion, .int)
        hostName = b.column(Field.hostName, .string)
        processName = b.column(Field.processName, .string)
        processPID = b.column(Field.processPID, .int)
        kind = b.column(Field.eventKind, .string)
        category = b.column(Field.eventCategory, .stringList)
        type = b.column(Field.eventType, .stringList)
        outcome = b.column(Field.eventOutcome, .string)
        action = b.column(Field.eventAction, .string)
        reason = b.column(Field.eventReason, .string)
        userName = b.column(Field.userName, .string)
        userEffective = b.column(Field.userEffectiveName, .string)
        userTarget = b.column(Field.userTargetName, .string)
        userTargetID = b.column(Field.userTargetID, .string)
        groupName = b.column(Field.groupName, .string)
        groupID = b.column(Field.groupID, .string)
        sourceIP = b.column(Field.sourceIP, .ip)
        sourcePort = b.column(Field.sourcePort, .int)
        sourceDomain = b.column(Field.sourceDomain, .string)
        destinationIP = b.column(Field.destinationIP, .ip)
        destinationPort = b.column(Field.destinationPort, .int)
        transport = b.column(Field.networkTransport, .string)
        commandLine = b.column(Field.processCommandLine, .string)
        workingDirectory = b.column(Field.processWorkingDirectory, .string)
        sessionID = b.column(Field.sessionID, .string)
        method = b.column(Field.syslogSSHDMethod, .string)
        keyType = b.column(Field.syslogSSHDKeyType, .string)
        fingerprint = b.column(Field.syslogSSHDFingerprint, .string)
        tty = b.column(Field.syslogSudoTTY, .string)
        pamService = b.column(Field.syslogPAMService, .string)
        pamModule = b.column(Field.syslogPAMModule, .string)
        pamRuser = b.column(Field.syslogPAMRuser, .string)
    }

    /// Writes the program semantics of one message; `b` is the buffer the ranges point into.
    func write(_ f: MessageFacts, _ b: Span<UInt8>, into builder: inout EventBatchBuilder) {
        if let a = f.action { SyslogColumns.set(&builder, action, a) }
        if !f.categories.isEmpty {
            builder.beginList(category)
            if f.categories.contains(.authentication) { SyslogColumns.append(&builder, category, "authentication") }
            if f.categories.contains(.session) { SyslogColumns.append(&builder, category, "session") }
            if f.categories.contains(.process) { SyslogColumns.append(&builder, category, "process") }
            if f.categories.contains(.iam) { SyslogColumns.append(&builder, category, "iam") }
            if f.categories.contains(.network) { SyslogColumns.append(&builder, category, "network") }
            if f.categories.contains(.email) { SyslogColumns.append(&builder, category, "email") }
        }
        if !f.types.isEmpty {
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
        case .success: SyslogColumns.set(&builder, outcome, "success")
        case .failure: SyslogColumns.set(&builder, outcome, "failure")
        case .unknown: SyslogColumns.set(&builder, outcome, "unknown")
        case nil: break
        }
        if let r = f.user, !r.isEmpty { builder.set(userName, bytes: b, range: r) }
        if let r = f.userEffective, !r.isEmpty { builder.set(userEffective, bytes: b, range: r) }
        if let r = f.userTarget, !r.isEmpty { builder.set(userTarget, bytes: b, range: r) }
        if let r = f.userTargetID, !r.isEmpty { builder.set(userTargetID, bytes: b, range: r) }
        if let r = f.groupName, !r.isEmpty { builder.set(groupName, bytes: b, range: r) }
        if let r = f.groupID, !r.isEmpty { builder.set(groupID, bytes: b, range: r) }
        if let ip = f.sourceIP { builder.set(sourceIP, ip: ip) }
        if let p = f.sourcePort { builder.set(sourcePort, int: p) }
        if let r = f.sourceDomain, !r.isEmpty { builder.set(sourceDomain, bytes: b, range: r) }
        if let ip = f.destinationIP { builder.set(destinationIP, ip: ip) }
        if let p = f.destinationPort { builder.set(destinationPort, int: p) }
        if let t = f.transport { SyslogColumns.set(&builder, transport, t) }
        if let r = f.commandLine, !r.isEmpty { builder.set(commandLine, bytes: b, range: r) }
        if let r = f.workingDirectory, !r.isEmpty { builder.set(workingDirectory, bytes: b, range: r) }
        if let r = f.sessionID, !r.isEmpty { builder.set(sessionID, bytes: b, range: r) }
        if let r = f.method, !r.isEmpty { builder.set(method, bytes: b, range: r) }
        if let r = f.keyType, !r.isEmpty { builder.set(keyType, bytes: b, range: r) }
        if let r = f.fingerprint, !r.isEmpty { builder.set(fingerprint, bytes: b, range: r) }
        if let r = f.reason, !r.isEmpty { builder.set(reason, bytes: b, range: r) }
        if let r = f.tty, !r.isEmpty { builder.set(tty, bytes: b, range: r) }
        if let r = f.pamService, !r.isEmpty { builder.set(pamService, bytes: b, range: r) }
        if let r = f.pamModule, !r.isEmpty { builder.set(pamModule, bytes: b, range: r) }
        if let r = f.pamRuser, !r.isEmpty { builder.set(pamRuser, bytes: b, range: r) }
    }

    @inline(__always)
    static func set(_ builder: inout EventBatchBuilder, _ h: ColumnHandle, _ s: StaticString) {
        s.withUTF8Buffer { buf in builder.set(h, bytes: buf.span) }
    }

    @inline(__always)
    static func append(_ builder: inout EventBatchBuilder, _ h: ColumnHandle, _ s: StaticString) {
        s.withUTF8Buffer { buf in builder.appendToList(h, bytes: buf.span) }
    }
}
