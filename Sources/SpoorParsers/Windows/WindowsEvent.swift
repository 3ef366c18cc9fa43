import SpoorCore

/// One Windows event in a neutral form: the `System` fields and the `EventData`/`UserData`
/// name–value pairs, whatever it was read from.
///
/// Every Windows source spoor reads (an EVTX record rendered as evtx_dump JSON, the flat
/// OTRF layout, Winlogbeat/Elastic Agent JSON, a `Get-WinEvent | ConvertTo-Json` export) is
/// first turned into this value by an adapter, and ``WindowsEventMapper`` writes the value
/// into events. So one event read from any form yields the same spoor event, for the
/// fields the form carries (see ``WindowsJSONParser`` for the compared fields and what each
/// form lacks).
///
/// Values are text, normalised as described in ``WindowsValue``: numbers in decimal,
/// `HexInt` fields as lowercase `0x…`, GUIDs upper-case without braces, booleans
/// `true`/`false`.
public struct WindowsEvent: Sendable, Hashable {
    /// `System/Provider/@Name` (`Microsoft-Windows-Sysmon`).
    public var providerName: String?
    /// `System/Provider/@Guid`, normalised like every GUID.
    public var providerGUID: String?
    /// `System/EventID`.
    public var eventID: Int?
    /// `System/Version`.
    public var version: Int?
    /// `System/Level` (0 LogAlways, 1 critical … 5 verbose).
    public var level: Int?
    /// `System/Task`, as the number (its display name needs the provider's message table).
    public var task: Int?
    /// `System/Opcode`.
    public var opcode: Int?
    /// `System/Keywords`, as `0x…` hex text.
    public var keywords: String?
    /// `System/EventRecordID`.
    public var recordID: Int64?
    /// `System/Execution/@ProcessID`: the process that logged the event.
    public var processID: Int64?
    /// `System/Execution/@ThreadID`.
    public var threadID: Int64?
    /// `System/Correlation/@ActivityID`.
    public var activityID: String?
    /// `System/Correlation/@RelatedActivityID`.
    public var relatedActivityID: String?
    /// `System/Channel` (`Security`, `Microsoft-Windows-Sysmon/Operational`).
    public var channel: String?
    /// `System/Computer`.
    public var computer: String?
    /// `System/Security/@UserID`: the SID the event was logged for, if any.
    public var userSID: String?
    /// `System/TimeCreated/@SystemTime`, in UTC.
    public var timeCreated: Timestamp?
    /// The offset the source wrote its time with (0 for `Z`), or the `--tz` offset used for
    /// a time written without one.
    public var timeOffsetSeconds: Int?
    /// The rendered message, when the source has one (EVTX itself does not).
    public var message: String?
    /// `EventData/Data` by `@Name`, in order. Unnamed items are `param1`, `param2`, ….
    public var eventData: [(name: String, value: String)] = []
    /// `UserData` leaves by name (the payload element's children), in order.
    public var userData: [(name: String, value: String)] = []

    public init() {}

    /// The value of `EventData` item `name`, if present.
    public func data(_ name: String) -> String? {
        for (n, v) in eventData where n == name { return v }
        return nil
    }

    public static func == (a: WindowsEvent, b: WindowsEvent) -> Bool {
        a.systemKey == b.systemKey && a.message == b.message
            && a.eventData.elementsEqual(b.eventData, by: { $0 == $1 })
            && a.userData.elementsEqual(b.userData, by: { $0 == $1 })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(systemKey)
        for (n, v) in eventData { hasher.combine(n); hasher.combine(v) }
    }

    private var systemKey: [String?] {
        [providerName, providerGUID, eventID.map { "\($0)" }, version.map { "\($0)" }, level.map { "\($0)" },
         task.map { "\($0)" }, opcode.map { "\($0)" }, keywords, recordID.map { "\($0)" }, processID.map { "\($0)" },
         threadID.map { "\($0)" }, activityID, relatedActivityID, channel, computer, userSID,
         timeCreated.map { "\($0.microseconds)" }, timeOffsetSeconds.map { "\($0)" }]
    }
}

/// Limits on one Windows event, so hostile input cannot make unbounded columns or memory.
public enum WindowsEventLimits {
    /// The most `EventData`/`UserData` items of one event (real events have under 100).
    public static let maximumDataItems = 512
    /// The most distinct data names one source may introduce (each becomes a column).
    public static let maximumDistinctNames = 4096
    /// The longest data name kept, in bytes.
    public static let maximumNameLength = 256
    /// JSON nesting accepted in a Windows event document.
    public static let maximumDepth = 32
}
