import SpoorCore
import SpoorEvents

/// Parses `journalctl -o json` (one JSON object per line) and reads `MESSAGE` by the program
/// that wrote it, with the same semantics as syslog (``ProgramSemantics``).
///
/// Every field is kept verbatim under `journald.<FIELD>` (`journald._SYSTEMD_UNIT`,
/// `journald.__CURSOR`, …). The common view: `@timestamp` from `__REALTIME_TIMESTAMP`
/// (µs since the epoch, so `event.timezone` is `+00:00`), `host.name` from `_HOSTNAME`,
/// `process.name` from `SYSLOG_IDENTIFIER` (else `_COMM`), `process.pid` from `_PID` (else
/// `SYSLOG_PID`), `process.executable` from `_EXE`, `log.syslog.severity.code` from
/// `PRIORITY`, `log.syslog.facility.code` from `SYSLOG_FACILITY`, `message` from `MESSAGE`.
///
/// journald stores fields as bytes: `journalctl` writes a value that is not valid UTF-8 as
/// an array of byte values (`"MESSAGE":[72,105,255]`), a field set several times as an array
/// of strings, and a value too large to show as `null`. Byte arrays are read back to their
/// bytes; repeated values are joined with newlines.
public struct JournaldParser: LogParser {
    let json = JSONParser(maximumDepth: 8)
    var columns = SyslogColumns()
    var fieldColumns: [String: ColumnHandle] = [:]
    var fieldGeneration = 0
    /// The most fields kept per entry (journald itself allows many; real entries have ~30).
    static let maximumFields = 512
    /// The most distinct `journald.*` columns per batch: field names come from the input, and
    /// a hostile source must not create columns without bound. Later new names are dropped.
    static let maximumDistinctFields = 2048

    public init(context: ParseContext) {}

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        let value = try json.parse(record)
        guard case .object(let members) = value else {
            throw ParseError(.unrecognized, at: 0, "journald JSON entry is not an object")
        }
        guard members.count <= JournaldParser.maximumFields else {
            throw ParseError(.badField, at: 0, "journald entry with more than \(JournaldParser.maximumFields) fields")
        }
        let kind = columns.bind(&builder)
        if columns.generation != fieldGeneration {
            fieldColumns.removeAll()
            fieldGeneration = columns.generation
        }

        var message: [UInt8] = []
        var identifier: [UInt8] = []
        var comm: [UInt8] = []
        SyslogColumns.set(&builder, kind, "event")
        for (key, v) in members {
            let bytes = JournaldParser.bytes(of: v)
            guard let bytes else { continue }
            if let h = fieldColumns[key] {
                builder.set(h, bytes: bytes.span)
            } else if fieldColumns.count < JournaldParser.maximumDistinctFields {
                let h = builder.column("journald." + key, .string)
                fieldColumns[key] = h
                builder.set(h, bytes: bytes.span)
            }
            switch key {
            case "__REALTIME_TIMESTAMP":
                if let us = Bytes.int(bytes.span, 0..<bytes.count) {
                    builder.set(columns(.timestamp, &builder), timestamp: Timestamp(microseconds: us))
                    SyslogColumns.set(&builder, columns(.timezone, &builder), "+00:00")
                }
            case "_HOSTNAME": builder.set(columns(.hostName, &builder), bytes: bytes.span)
            case "SYSLOG_IDENTIFIER": identifier = bytes
            case "_COMM": comm = bytes
            case "_PID": if let p = Bytes.int(bytes.span, 0..<bytes.count) { builder.set(columns(.processPID, &builder), int: p) }
            case "SYSLOG_PID": if !builder.isSet(columns(.processPID, &builder)), let p = Bytes.int(bytes.span, 0..<bytes.count) { builder.set(columns(.processPID, &builder), int: p) }
            case "_EXE": builder.set(columns(.processExecutable, &builder), bytes: bytes.span)
            case "PRIORITY":
                if let p = Bytes.int(bytes.span, 0..<bytes.count), (0...7).contains(p) {
                    builder.set(columns(.severity, &builder), int: p)
                    SyslogColumns.set(&builder, columns(.severityName, &builder), SyslogNames.severity(Int(p)))
                }
            case "SYSLOG_FACILITY":
                if let f = Bytes.int(bytes.span, 0..<bytes.count), (0...23).contains(f) {
                    builder.set(columns(.facility, &builder), int: f)
                    SyslogColumns.set(&builder, columns(.facilityName, &builder), SyslogNames.facility(Int(f)))
                }
            case "MESSAGE": message = bytes
            default: break
            }
        }
        let program = identifier.isEmpty ? comm : identifier
        if !program.isEmpty { builder.set(columns(.processName, &builder), bytes: program.span) }
        if !message.isEmpty {
            var end = message.count
            while end > 0, message[end - 1] == MessageText.lf || message[end - 1] == MessageText.cr { end -= 1 }
            let m = message.span
            builder.set(columns(.message, &builder), bytes: m, range: 0..<end)
            var facts = MessageFacts()
            let start = MessageText.skipSpaces(m, 0, to: end)
            ProgramSemantics.analyse(Program.of(program.span, 0..<program.count), m, start..<end, into: &facts)
            columns.write(facts, m, into: &builder)
        }
        return .event
    }

    /// The bytes of a journald field value; nil for `null`.
    static func bytes(of v: JSONValue) -> [UInt8]? {
        switch v {
        case .string(let s): return ByteText.decode(s)
        case .number(let n): return Array(n.utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .null, .object: return nil
        case .array(let items):
            // An array of numbers 0…255 is a binary value; an array of strings a repeated field.
            var out: [UInt8] = []
            out.reserveCapacity(items.count)
            var isBinary = true
            for item in items {
                guard case .number(let n) = item, let byte = UInt8(n) else { isBinary = false; break }
                out.append(byte)
            }
            if isBinary { return out }
            out.removeAll()
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(MessageText.lf) }
                if let b = bytes(of: item) { out.append(contentsOf: b) }
            }
            return out
        }
    }
}

extension LogFormat {
    /// `journalctl -o json` / `-o json-seq`-less exports: one journal entry per line.
    public static let journaldJSON = LogFormat(
        name: "journald-json",
        summary: "systemd journal export from journalctl -o json, MESSAGE read with the syslog program semantics",
        sniff: { sample in JournaldFormatSniffer.score(sample) },
        makeParser: { context in JournaldParser(context: context) })
}

/// Recognises `journalctl -o json` lines: JSON objects with both `__REALTIME_TIMESTAMP` and
/// `MESSAGE` keys. Scores 95 when every sampled line has them, so journald wins over a
/// generic JSON-lines format on journald files.
enum JournaldFormatSniffer {
    static func score(_ sample: SampleLines) -> Int {
        let share = sample.percent { line in
            let start = MessageText.skipSpaces(line, 0, to: line.count)
            guard start < line.count, line[start] == UInt8(ascii: "{") else { return false }
            return MessageText.find("\"__REALTIME_TIMESTAMP\"", in: line, from: start, to: line.count) != nil
                && MessageText.find("\"MESSAGE\"", in: line, from: start, to: line.count) != nil
        }
        return share * 95 / 100
    }
}
