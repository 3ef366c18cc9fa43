import SpoorCore
import SpoorEvents

/// Parses JSON Lines: any JSON object per line becomes an event with its members flattened
/// under `json.<dotted.path>`.
///
/// - Nested objects flatten with dots (`{"a":{"b":1}}` → `json.a.b`); an empty object is absent.
/// - Strings are strings; numbers written as integers are ints, others doubles (an integer
///   too large for 64 bits stays text); booleans are bools; `null` is absent.
/// - An array of scalars is a string list (each item as text); any other array (of objects,
///   of arrays, mixed) is kept as its compact JSON text in a string.
/// - `@timestamp` is read from the first of these top-level keys that holds a readable time:
///   `@timestamp`, `timestamp`, `time`, `ts`, `datetime`, `date`, `eventTime`, `TimeCreated`,
///   `TimeGenerated`, `published`, `EventTime` (``LooseTimestamp``: ISO 8601, epoch by
///   magnitude, `Mon DD HH:MM:SS` …), with `event.timezone`.
/// - JSON already in ECS shape is promoted: a key (flat `"source.ip"` or nested) that is an
///   ECS name spoor knows is also written to that field, typed (addresses as `.ip`, ports and
///   byte counts as ints); a value of the wrong shape is not promoted (it stays under `json.`).
/// - A line that is not a JSON object is rejected (`.unrecognized`); more than
///   ``maximumFields`` leaves is `.badField`.
///
/// Columns are looked up by name per field: keys differ from record to record, so there is
/// no fixed set to resolve once. Specific JSON formats (Zeek, Suricata, journald) have their
/// own parsers and win the sniff; this one scores at most 60.
public struct JSONLinesParser: LogParser {
    /// The most leaf values one record may write.
    public static let maximumFields = 4096
    /// Top-level keys holding the event time, in order of preference.
    static let timeKeys = ["@timestamp", "timestamp", "time", "ts", "datetime", "date", "eventTime",
                           "TimeCreated", "TimeGenerated", "published", "EventTime"]

    let context: ParseContext
    let json = JSONParser(maximumDepth: 64)
    private var offsetText = OffsetText()
    private var leaves = 0

    public init(context: ParseContext) {
        self.context = context
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        // A UTF-8 byte order mark before the first line is not content.
        let hasBOM = record.count >= 3 && record[0] == 0xEF && record[1] == 0xBB && record[2] == 0xBF
        let value = try json.parse(hasBOM ? record.extracting(3..<record.count) : record)
        guard case .object(let members) = value else {
            throw ParseError(.unrecognized, at: 0, "the line is JSON but not an object")
        }
        leaves = 0
        for (key, member) in members {
            try write(member, path: key, into: &builder)
        }
        promoteTime(members, into: &builder)
        return .event
    }

    private mutating func write(_ v: JSONValue, path: String, into builder: inout EventBatchBuilder) throws(ParseError) {
        switch v {
        case .object(let members):
            for (key, member) in members {
                try write(member, path: path + "." + key, into: &builder)
            }
            return
        case .null:
            return
        case .array(let items) where items.isEmpty:
            return
        default:
            break
        }
        leaves += 1
        guard leaves <= Self.maximumFields else {
            throw ParseError(.badField, at: 0, "more than \(Self.maximumFields) fields in one object")
        }
        Self.set(v, in: "json." + path, builder: &builder)
        if let kind = Self.ecsFields[path] { Self.promote(v, to: path, kind: kind, builder: &builder) }
    }

    /// Writes a non-null, non-object value into column `name` (created with the value's kind).
    static func set(_ v: JSONValue, in name: String, builder: inout EventBatchBuilder) {
        switch v {
        case .string(let s):
            builder.set(builder.column(name, .string), text: s)
        case .number(let n):
            if let i = Int64(n) {
                builder.set(builder.column(name, .int), int: i)
            } else if isInteger(n) {
                builder.set(builder.column(name, .string), string: n)
            } else if let d = Double(n) {
                builder.set(builder.column(name, .double), double: d)
            } else {
                builder.set(builder.column(name, .string), string: n)
            }
        case .bool(let b):
            builder.set(builder.column(name, .bool), bool: b)
        case .array(let items):
            if items.allSatisfy(\.isScalar) {
                let h = builder.column(name, .stringList)
                builder.beginList(h)
                for item in items { builder.appendToList(h, text: item.text) }
            } else {
                builder.set(builder.column(name, .string), text: v.jsonText)
            }
        case .object, .null:
            break
        }
    }

    /// Writes `v` to an ECS field when it has the field's shape.
    static func promote(_ v: JSONValue, to name: String, kind: FieldKind, builder: inout EventBatchBuilder) {
        switch kind {
        case .ip:
            if case .string(let s) = v, let ip = IPAddress(s) { builder.set(builder.column(name, .ip), ip: ip) }
        case .int:
            if let i = v.intValue { builder.set(builder.column(name, .int), int: i) }
        default:
            set(v, in: name, builder: &builder)
        }
    }

    private mutating func promoteTime(_ members: [(String, JSONValue)], into builder: inout EventBatchBuilder) {
        for key in Self.timeKeys {
            guard let v = members.first(where: { $0.0 == key })?.1 else { continue }
            let parsed: LooseTimestamp.Result?
            switch v {
            case .string(let s): parsed = LooseTimestamp.parse(s.utf8.span, context: context)
            case .number(let n): parsed = LooseTimestamp.parse(n.utf8.span, context: context)
            default: parsed = nil
            }
            guard let parsed else { continue }
            builder.set(builder.column(Field.timestamp, .timestamp), timestamp: parsed.timestamp)
            builder.set(builder.column(Field.eventTimezone, .string), string: offsetText.text(parsed.offsetSeconds))
            return
        }
    }

    /// Digits with an optional sign: an integer too large for `Int64`.
    static func isInteger(_ n: String) -> Bool {
        var digits = 0
        for (k, c) in n.utf8.enumerated() {
            if k == 0, c == UInt8(ascii: "-") { continue }
            guard Bytes.isDigit(c) else { return false }
            digits += 1
        }
        return digits > 0
    }

    /// ECS names promoted from JSON that already uses them, with their ECS types.
    static let ecsFields: [String: FieldKind] = {
        var t: [String: FieldKind] = [:]
        for name in [Field.sourceIP, Field.destinationIP, Field.hostIP, Field.observerIP, Field.sourceNATIP,
                     Field.destinationNATIP, "client.ip", "server.ip"] { t[name] = .ip }
        for name in [Field.sourcePort, Field.destinationPort, Field.sourceBytes, Field.destinationBytes,
                     Field.sourcePackets, Field.destinationPackets, Field.networkBytes, Field.networkPackets,
                     Field.sourceNATPort, Field.destinationNATPort, Field.httpResponseStatusCode,
                     Field.httpResponseBytes, Field.httpRequestBytes, Field.processPID, Field.processParentPID,
                     Field.eventDuration, Field.urlPort, "client.port", "server.port"] { t[name] = .int }
        for name in [Field.message, Field.eventKind, Field.eventCategory, Field.eventType, Field.eventOutcome,
                     Field.eventCode, Field.eventAction, Field.eventDataset, Field.eventModule, Field.eventReason,
                     Field.hostName, Field.userName, Field.userDomain, Field.userID, Field.userTargetName,
                     Field.processName, Field.processExecutable, Field.processCommandLine, Field.processEntityID,
                     Field.processParentExecutable, Field.sourceDomain, Field.destinationDomain,
                     Field.networkTransport, Field.networkProtocol, Field.networkDirection, Field.networkCommunityID,
                     Field.relatedIP, Field.relatedUser, Field.relatedHosts, Field.relatedHash,
                     Field.dnsQuestionName, Field.dnsQuestionType, Field.dnsResponseCode,
                     Field.httpRequestMethod, Field.httpRequestReferrer, Field.httpVersion, Field.urlOriginal,
                     Field.urlDomain, Field.urlPath, Field.urlQuery, Field.userAgentOriginal,
                     Field.tlsVersion, Field.tlsServerName, Field.filePath, Field.fileName,
                     Field.fileHashMD5, Field.fileHashSHA1, Field.fileHashSHA256, Field.logLevel,
                     Field.observerHostname, Field.observerProduct, Field.observerVendor] { t[name] = .string }
        return t
    }()
}

extension JSONValue {
    /// A string, number or boolean (not null, array or object).
    var isScalar: Bool {
        switch self {
        case .string, .number, .bool: true
        default: false
        }
    }
}
