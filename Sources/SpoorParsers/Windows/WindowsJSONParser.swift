import SpoorCore
import SpoorEvents

/// Parses Windows events written as JSON, in any of the forms ``WindowsJSONForm`` lists,
/// into the same events (see ``WindowsEventMapper``).
///
/// The form is recognised per document from its keys, so a file mixing forms still reads;
/// the ``LogFormat``s differ only in how they recognise a file. Documents may be one per
/// line or pretty-printed over many lines (see ``JSONDocumentAccumulator``: the event's
/// provenance then points at the document's last line, and a document still open when the
/// source ends is not reported).
///
/// ## One event, any form
///
/// Every form goes through an adapter into ``WindowsEvent`` and then through the same
/// ``WindowsEventMapper``, so the same Windows event gives the same values for these fields
/// (checked by `WindowsJSONFormsTests` on one set of events written in all four forms):
/// `winlog.channel`, `winlog.event_id`, `event.code`, `winlog.provider_name`,
/// `winlog.computer_name`, `host.name`, `event.module`, `log.level`, every
/// `winlog.event_data.<Name>`, and the whole ECS view (`event.action`/`category`/`type`/
/// `outcome`, `user.*`, `process.*`, `source.*`, `*.hash.*`, `related.*`, `winlog.logon.*`,
/// `powershell.*`). `@timestamp` agrees to the millisecond: OTRF, Winlogbeat and
/// `/Date(ms)/` keep milliseconds, EVTX 100 ns ticks.
///
/// Type normalisation (``WindowsValue``): data values are text; numbers as written; GUIDs
/// upper-case without braces; `HexInt` fields (`*LogonId`, and Security's process ids) as
/// lowercase `0x…` even where `Get-WinEvent` gives a decimal; `Keywords` as lowercase `0x…`
/// hex (`Get-WinEvent`'s signed decimal is converted); `null` is absent.
///
/// What forms lack, so those fields are written only when present: OTRF has no record id,
/// execution process/thread, version or opcode; Winlogbeat renders task, opcode and
/// keywords as names (not kept) and level 0 as `information`; `Get-WinEvent` has no data
/// names (see ``GetWinEventNames``); only OTRF, Winlogbeat and `Get-WinEvent` carry the
/// rendered `message`.
public struct WindowsJSONParser: LogParser {
    private var mapper: WindowsEventMapper
    private var accumulator = JSONDocumentAccumulator()
    private let json = JSONParser(maximumDepth: WindowsEventLimits.maximumDepth)
    private let zone: TimeZoneRule

    public init(context: ParseContext) {
        mapper = WindowsEventMapper(context: context)
        zone = context.timeZone
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        let value: JSONValue
        switch try accumulator.feed(record) {
        case .pending:
            return .directive
        case .line(let r):
            value = try json.parse(record.extracting(r))
        case .buffered:
            defer { accumulator.consume() }
            value = try json.parse(accumulator.buffer.span)
        }
        let event = try WindowsJSONParser.event(from: value, zone: zone)
        try mapper.write(event, into: &builder)
        return .event
    }

    /// Reads one document in whichever form it is.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` when it is none of the forms.
    public static func event(from value: JSONValue, zone: TimeZoneRule = .utc) throws(ParseError) -> WindowsEvent {
        switch WindowsJSONForm.detect(value) {
        case .evtx?: return try WindowsEvent(evtxJSON: value, zone: zone)
        case .winlogbeat?: return try WindowsEvent(winlogbeatJSON: value, zone: zone)
        case .getWinEvent?: return try WindowsEvent(getWinEventJSON: value, zone: zone)
        case .flat?: return try WindowsEvent(flatJSON: value, zone: zone)
        case nil: throw ParseError(.unrecognized, at: 0, "not a Windows event in a known JSON form")
        }
    }
}

/// The JSON forms Windows events come in.
public enum WindowsJSONForm: String, Sendable, CaseIterable {
    /// evtx_dump / the `evtx` Python package: `{"Event": {"System": …, "EventData": …}}`.
    case evtx
    /// OTRF Security-Datasets (and NXLog): `System` fields and event data as top-level keys.
    case flat
    /// Winlogbeat / Elastic Agent: `winlog.*`.
    case winlogbeat
    /// `Get-WinEvent | ConvertTo-Json`: `Id`, `LogName`, positional `Properties`.
    case getWinEvent

    /// The form of a document, from its top-level keys.
    public static func detect(_ v: JSONValue) -> WindowsJSONForm? {
        guard case .object(let members) = v else { return nil }
        var hasEventID = false, hasChannel = false, hasId = false, hasLogName = false
        for (k, value) in members {
            switch k {
            case "Event": if case .object = value { return .evtx }
            case "event_record_id": return .evtx
            case "winlog": return .winlogbeat
            case "EventID": hasEventID = true
            case "Channel": hasChannel = true
            case "Id": hasId = true
            case "LogName": hasLogName = true
            default: if k.hasPrefix("winlog.") { return .winlogbeat }
            }
        }
        if hasId && hasLogName { return .getWinEvent }
        if hasEventID && hasChannel { return .flat }
        return nil
    }
}
