import SpoorCore
import SpoorEvents

/// Parses Zeek's JSON logs (`LogAscii::use_json=T`, or the json-streaming-logs package): one
/// object per line, giving the same events as the TSV form of the same log.
///
/// JSON has no `#types` line and omits unset fields, so types come from ``ZeekSchema`` (and
/// are inferred from the JSON value only for fields it does not list). `ts` and other times
/// may be epoch numbers or ISO 8601 strings. The log path comes from `_path` when the writer
/// added it, else from the file name (``ParseContext/sourceName``: `dns.log`,
/// `conn.20200101.log.gz`), else from the set of fields.
///
/// Differences from the TSV form that are Zeek's, not the parser's: JSON can tell a set with
/// one empty string (`[""]`) from an empty set, TSV cannot (both `(empty)`); and the
/// json-streaming-logs package adds `_write_ts`, kept as `zeek._write_ts`.
public struct ZeekJSONParser: LogParser {
    /// Zeek's JSON is flat (dotted keys); nesting beyond this is not a Zeek log.
    public static let maximumDepth = 16
    /// The most distinct fields one log may have, so a stream of random keys cannot make
    /// unbounded columns.
    public static let maximumFieldsPerLog = 1024

    private struct Log {
        var path: String
        var schema: String?
        var mapping: ZeekLogMapping?
        var constants: ZeekRowConstants
        var slots: [String: ZeekSlot] = [:]
    }

    private let context: ParseContext
    private let json = JSONParser(maximumDepth: ZeekJSONParser.maximumDepth)
    private let pathFromName: String?
    private var inferredPath: String? = nil
    private var hasInferredPath = false
    private var logs: [String: Log] = [:]
    private var probe = ZeekBuilderProbe()
    private var scratch: [UInt8] = []

    public init(context: ParseContext) {
        self.context = context
        pathFromName = ZeekSchema.path(fromSourceName: context.sourceName)
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        let value = try json.parse(record)
        guard case .object(var members) = value, !members.isEmpty else {
            throw ParseError(.unrecognized, at: 0, "a Zeek JSON record is a non-empty JSON object")
        }
        if members.contains(where: { if case .object = $0.1 { true } else { false } }) {
            members = value.flattened()
        }
        if !logs.isEmpty, !probe.matches(&builder) {
            logs.removeAll(keepingCapacity: true)
            probe.reset()
        }

        var path: String? = nil
        for (k, v) in members where k == "_path" {
            if case .string(let s) = v, !s.isEmpty { path = s }
            break
        }
        if path == nil { path = pathFromName }
        if path == nil {
            // Inferred once per source from its first record: the field set of one log does
            // not change, and inferring per record would cost a table scan each time.
            if !hasInferredPath {
                inferredPath = ZeekSchema.inferSchema(fields: members.map(\.0))
                hasInferredPath = true
            }
            path = inferredPath
        }
        let logPath = path ?? "unknown"

        var log: Log
        if let existing = logs[logPath] {
            log = existing
        } else {
            let schema = ZeekSchema.schemaName(forPath: logPath) ?? ZeekSchema.inferSchema(fields: members.map(\.0))
            let mapping = ZeekMapping.mapping(forPath: logPath, schema: schema)
            log = Log(path: logPath, schema: schema, mapping: mapping,
                      constants: ZeekRowConstants(path: logPath, mapping: mapping, builder: &builder, probe: &probe))
        }
        defer { logs[logPath] = log }

        log.constants.write(into: &builder)
        var buffer = [UInt8]()
        swap(&buffer, &scratch)
        defer { swap(&buffer, &scratch) }
        for (key, v) in members {
            if key == "_path" { continue }
            if case .null = v { continue }
            let slot: ZeekSlot
            if let s = log.slots[key] {
                slot = s
            } else {
                guard log.slots.count < ZeekJSONParser.maximumFieldsPerLog else {
                    throw ParseError(.badField, at: 0, "more than \(ZeekJSONParser.maximumFieldsPerLog) distinct fields in one Zeek log")
                }
                let type = ZeekSchema.type(of: key, inSchema: log.schema) ?? ZeekJSONParser.inferType(v)
                slot = ZeekSlot(field: key, type: type, mapping: log.mapping, builder: &builder, probe: &probe)
                log.slots[key] = slot
            }
            try write(v, slot, key: key, &builder, &buffer)
        }
        return .event
    }

    /// The type of a field no table lists, from its JSON value.
    static func inferType(_ v: JSONValue) -> ZeekType {
        switch v {
        case .number(let n): return n.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } ? .double : .int
        case .bool: return .bool
        case .array: return .strings
        default: return .string
        }
    }

    // MARK: - Values

    private func write(_ v: JSONValue, _ slot: ZeekSlot, key: String, _ builder: inout EventBatchBuilder,
                       _ buffer: inout [UInt8]) throws(ParseError) {
        let type = slot.type
        if type.isContainer {
            slot.beginList(into: &builder)
            if case .array(let items) = v {
                for item in items { appendItem(item, slot, &builder, &buffer) }
            } else {
                appendItem(v, slot, &builder, &buffer)
            }
            return
        }
        switch (type.base, v) {
        case (.string, .string(let s)):
            writeString(s, slot, &builder, &buffer)
            return
        case (.string, .number(let n)):
            slot.write(string: n.utf8.span, into: &builder)
            return
        case (.string, .bool(let b)):
            slot.write(string: (b ? "true" : "false").utf8.span, into: &builder)
            return
        case (.time, _):
            if let us = ZeekJSONParser.microseconds(time: v) {
                slot.write(timestamp: us, into: &builder)
                return
            }
            if key == "ts" { throw ParseError(.badTimestamp, at: 0, "Zeek ts is neither epoch seconds nor ISO 8601") }
        case (.addr, .string(let s)):
            if let ip = IPAddress.parse(s.utf8.span) {
                slot.write(ip: ip, into: &builder)
                return
            }
        case (.port, .number(let n)), (.count, .number(let n)), (.int, .number(let n)):
            if let i = Int64(n) {
                slot.write(int: i, into: &builder)
                return
            }
        case (.interval, .number(let n)):
            if let us = ZeekText.microseconds(n.utf8.span, 0..<n.utf8.count) {
                slot.write(intervalMicroseconds: us, into: &builder)
                return
            }
        case (.double, .number(let n)):
            if let d = Double(n) {
                slot.write(double: d, into: &builder)
                return
            }
        case (.bool, .bool(let b)):
            slot.write(bool: b, into: &builder)
            return
        default:
            break
        }
        // The value does not have the type the table says (a field another Zeek version
        // types differently): keep it as the JSON gave it; the column widens if it must.
        builder.set(slot.raw, ZeekJSONParser.fieldValue(v))
    }

    private func writeString(_ s: String, _ slot: ZeekSlot, _ builder: inout EventBatchBuilder, _ buffer: inout [UInt8]) {
        if ByteText.hasEscapes(s) {
            // Invalid UTF-8 the JSON parser kept under the ByteText policy: back to bytes.
            let raw = ByteText.decode(s)
            if ZeekText.decodeJSONEscapes(raw.span, into: &buffer) { slot.write(string: buffer.span, into: &builder) }
            else { slot.write(string: raw.span, into: &builder) }
            return
        }
        let utf8 = s.utf8.span
        if ZeekText.hasBackslash(utf8, 0..<utf8.count), ZeekText.decodeJSONEscapes(utf8, into: &buffer) {
            slot.write(string: buffer.span, into: &builder)
        } else {
            slot.write(string: utf8, into: &builder)
        }
    }

    private func appendItem(_ item: JSONValue, _ slot: ZeekSlot, _ builder: inout EventBatchBuilder, _ buffer: inout [UInt8]) {
        switch item {
        case .string(let s):
            let base = slot.type.base
            if base == .time || base == .interval || base == .double {
                let utf8 = s.utf8.span
                if let text = ZeekCanonical.number(utf8, 0..<utf8.count, base) {
                    slot.appendItem(text.utf8.span, into: &builder)
                    return
                }
            }
            let bytes = ByteText.hasEscapes(s) ? ByteText.decode(s) : Array(s.utf8)
            if ZeekText.decodeJSONEscapes(bytes.span, into: &buffer) { slot.appendItem(buffer.span, into: &builder) }
            else { slot.appendItem(bytes.span, into: &builder) }
        case .number(let n):
            let utf8 = n.utf8.span
            if let text = ZeekCanonical.number(utf8, 0..<utf8.count, slot.type.base) {
                slot.appendItem(text.utf8.span, into: &builder)
            } else {
                slot.appendItem(utf8, into: &builder)
            }
        case .bool(let b):
            // Zeek TSV writes booleans in containers as T/F.
            slot.appendItem((b ? "T" : "F").utf8.span, into: &builder)
        case .null:
            slot.appendItem("-".utf8.span, into: &builder)
        case .array, .object:
            slot.appendItem(item.jsonText.utf8.span, into: &builder)
        }
    }

    /// Microseconds of a Zeek time in JSON: epoch seconds (number or numeric string) or ISO 8601.
    static func microseconds(time v: JSONValue) -> Int64? {
        let text: String
        switch v {
        case .number(let n): text = n
        case .string(let s): text = s
        default: return nil
        }
        let b = text.utf8.span
        if let us = ZeekText.microseconds(b, 0..<b.count) { return us }
        // Zeek writes ISO 8601 times in UTC (`JSON::TS_ISO8601`); one without an offset is UTC too.
        guard let p = TimestampText.parseISO8601(b), p.length == b.count else { return nil }
        return p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000
    }

    static func fieldValue(_ v: JSONValue) -> FieldValue {
        switch v {
        case .string(let s): .string(s)
        case .number(let n): Int64(n).map(FieldValue.int) ?? Double(n).map(FieldValue.double) ?? .string(n)
        case .bool(let b): .bool(b)
        case .array(let items): .list(items.map(\.text))
        case .object, .null: .string(v.jsonText)
        }
    }
}
