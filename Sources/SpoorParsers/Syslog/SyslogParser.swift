import SpoorCore
import SpoorEvents

/// Parses syslog records (RFC 3164 as files hold them, rsyslog's high-precision form, RFC 5424)
/// and reads each message by the program that wrote it.
///
/// Writes the envelope to `@timestamp`, `event.timezone`, `log.syslog.priority`,
/// `log.syslog.facility.code`/`.name`, `log.syslog.severity.code`/`.name`,
/// `log.syslog.hostname`, `log.syslog.appname`, `log.syslog.procid`, `log.syslog.msgid`,
/// `log.syslog.version`, `log.syslog.structured_data.<SD-ID>.<PARAM>`, `host.name`,
/// `process.name`, `process.pid` and `message`; then what ``ProgramSemantics`` reads from the
/// message (`event.action`, `event.category`, `event.type`, `event.outcome`, `user.*`,
/// `source.*`, …). Every record that has a syslog header becomes an event, whatever its
/// program; a record without one is a ``ParseError`` with code `unrecognized`.
///
/// Years of year-less dates and zones of local times: see ``SyslogClock``.
public struct SyslogParser: LogParser {
    var clock: SyslogClock
    var columns = SyslogColumns()
    var structuredDataColumns: [String: ColumnHandle] = [:]
    var structuredDataGeneration = 0
    var structuredData: [SyslogEnvelope.SDParameter] = []
    var zoneText: (offset: Int, text: String) = (0, "+00:00")

    public init(context: ParseContext) {
        clock = SyslogClock(context: context)
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        structuredData.removeAll(keepingCapacity: true)
        let env = try SyslogEnvelope.parse(record, clock: &clock, sd: &structuredData)
        let kind = columns.bind(&builder)
        if columns.generation != structuredDataGeneration {
            structuredDataColumns.removeAll()
            structuredDataGeneration = columns.generation
        }
        SyslogColumns.set(&builder, kind, "event")
        if let t = env.timestamp {
            let ts = columns(.timestamp, &builder)
            builder.set(ts, timestamp: Timestamp(microseconds: t))
            if zoneText.offset != env.offset { zoneText = (env.offset, formatUTCOffset(env.offset)) }
            let tz = columns(.timezone, &builder)
            builder.set(tz, string: zoneText.text)
        }
        if let p = env.priority {
            let hp = columns(.priority, &builder), hf = columns(.facility, &builder), hs = columns(.severity, &builder)
            let hfn = columns(.facilityName, &builder), hsn = columns(.severityName, &builder)
            builder.set(hp, int: Int64(p))
            builder.set(hf, int: Int64(p >> 3))
            builder.set(hs, int: Int64(p & 7))
            SyslogColumns.set(&builder, hfn, SyslogNames.facility(p >> 3))
            SyslogColumns.set(&builder, hsn, SyslogNames.severity(p & 7))
        }
        if let v = env.version { let h = columns(.version, &builder); builder.set(h, int: Int64(v)) }
        if let r = env.hostname {
            let h1 = columns(.hostname, &builder), h2 = columns(.hostName, &builder)
            builder.set(h1, bytes: record, range: r)
            builder.set(h2, bytes: record, range: r)
        }
        if let r = env.tag {
            let h1 = columns(.appname, &builder), h2 = columns(.processName, &builder)
            builder.set(h1, bytes: record, range: r)
            builder.set(h2, bytes: record, range: r)
        }
        if let p = env.pid { let h = columns(.processPID, &builder); builder.set(h, int: p) }
        if let r = env.procID { let h = columns(.procid, &builder); builder.set(h, bytes: record, range: r) }
        if let r = env.msgID { let h = columns(.msgid, &builder); builder.set(h, bytes: record, range: r) }
        if !structuredData.isEmpty { writeStructuredData(record, into: &builder) }
        if !env.message.isEmpty { let h = columns(.message, &builder); builder.set(h, bytes: record, range: env.message) }

        var facts = MessageFacts()
        ProgramSemantics.analyse(Program.of(record, env.tag), record, env.message, into: &facts)
        columns.write(facts, record, into: &builder)
        return .event
    }

    mutating func writeStructuredData(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) {
        for p in structuredData {
            // SD-IDs and PARAM-NAMEs are printable US-ASCII (RFC 5424 §6.3.2–6.3.3).
            let name = Field.logSyslogStructuredDataPrefix + Bytes.string(record, p.id) + "." + Bytes.string(record, p.name)
            let h: ColumnHandle
            if let known = structuredDataColumns[name] { h = known } else {
                h = builder.column(name, .string)
                structuredDataColumns[name] = h
            }
            if MessageText.find("\\", in: record, from: p.value.lowerBound, to: p.value.upperBound) == nil {
                builder.set(h, bytes: record, range: p.value)
            } else {
                builder.set(h, bytes: SyslogEnvelope.unescapeSDValue(record, p.value).span)
            }
        }
    }
}

/// RFC 5424 §6.2.1 facility and severity keywords (ECS `log.syslog.*.name`).
enum SyslogNames {
    static func facility(_ f: Int) -> StaticString {
        switch f {
        case 0: "kern"
        case 1: "user"
        case 2: "mail"
        case 3: "daemon"
        case 4: "auth"
        case 5: "syslog"
        case 6: "lpr"
        case 7: "news"
        case 8: "uucp"
        case 9: "cron"
        case 10: "authpriv"
        case 11: "ftp"
        case 12: "ntp"
        case 13: "security"
        case 14: "console"
        case 15: "solaris-cron"
        case 16: "local0"
        case 17: "local1"
        case 18: "local2"
        case 19: "local3"
        case 20: "local4"
        case 21: "local5"
        case 22: "local6"
        default: "local7"
        }
    }

    static func severity(_ s: Int) -> StaticString {
        switch s {
        case 0: "emergency"
        case 1: "alert"
        case 2: "critical"
        case 3: "error"
        case 4: "warning"
        case 5: "notice"
        case 6: "informational"
        default: "debug"
        }
    }
}
