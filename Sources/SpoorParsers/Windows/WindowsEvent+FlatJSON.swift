import SpoorCore

extension WindowsEvent {
    /// Top-level keys of the flat layout that are `System` fields or the writer's metadata,
    /// not event data.
    static let flatSystemKeys: Set<String> = [
        "SourceName", "ProviderName", "ProviderGuid", "EventID", "Version", "Level", "Task", "OpcodeValue",
        "Keywords", "RecordNumber", "EventRecordID", "ExecutionProcessID", "ExecutionThreadID", "ActivityID",
        "RelatedActivityID", "Channel", "Hostname", "Computer", "TimeCreated", "@timestamp", "EventTime", "Message",
    ]

    /// NXLog `im_msvistalog` metadata: present only when the record carries NXLog's marker
    /// keys (`EventReceivedTime`, `SourceModuleName`), because Sysmon and Security events have
    /// data items of the same names (`EventType`, `ProcessID`).
    static let nxlogKeys: Set<String> = [
        "EventReceivedTime", "SourceModuleName", "SourceModuleType", "SeverityValue", "Severity", "EventType",
        "ProcessID", "ThreadID", "UserID", "Domain", "AccountName", "AccountType", "Category", "Opcode",
    ]

    /// Reads the flat layout of OTRF Security-Datasets (and NXLog's `im_msvistalog` JSON it
    /// descends from): `System` fields as top-level keys (`Hostname`, `Channel`, `EventID`,
    /// `SourceName`, `ProviderGuid`, `Level`, `Task`, `Keywords`, `TimeCreated`,
    /// `@timestamp`, `Message`) and every other top-level key an `EventData` item.
    ///
    /// The time is `@timestamp` when it carries an offset, else `TimeCreated` (older OTRF
    /// datasets write `2020-10-19 12:28:44.333` without one: read in `zone`).
    /// Other `@`-prefixed keys (`@version`) are the shipper's and are skipped.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` without `EventID` or `Channel`.
    public init(flatJSON root: JSONValue, zone: TimeZoneRule = .utc) throws(ParseError) {
        self.init()
        guard case .object(let members) = root else {
            throw ParseError(.unrecognized, at: 0, "a flat Windows event is a JSON object")
        }
        let isNXLog = members.contains { $0.0 == "EventReceivedTime" || $0.0 == "SourceModuleName" }
        var stamp: String? = nil, created: String? = nil, eventTime: String? = nil
        for (key, v) in members {
            switch key {
            case "SourceName", "ProviderName": providerName = WindowsValue.text(v)
            case "ProviderGuid": providerGUID = WindowsValue.text(v)
            case "EventID": eventID = WindowsValue.text(v).flatMap { Int($0) }
            case "Version": version = WindowsValue.text(v).flatMap { Int($0) }
            case "Level": level = WindowsValue.text(v).flatMap { Int($0) }
            case "Task": task = WindowsValue.text(v).flatMap { Int($0) }
            case "OpcodeValue": opcode = WindowsValue.text(v).flatMap { Int($0) }
            case "Keywords": keywords = WindowsValue.text(v).map(WindowsEvent.keywordsText)
            case "RecordNumber", "EventRecordID": recordID = WindowsValue.text(v).flatMap { Int64($0) }
            case "ExecutionProcessID": processID = WindowsValue.text(v).flatMap { Int64($0) }
            case "ExecutionThreadID": threadID = WindowsValue.text(v).flatMap { Int64($0) }
            case "ActivityID": activityID = WindowsValue.text(v)
            case "RelatedActivityID": relatedActivityID = WindowsValue.text(v)
            case "Channel": channel = WindowsValue.text(v)
            case "Hostname", "Computer": computer = WindowsValue.text(v)
            case "@timestamp": stamp = WindowsValue.text(v)
            case "TimeCreated": created = WindowsValue.text(v)
            case "EventTime": eventTime = WindowsValue.text(v)
            case "Message": message = WindowsValue.text(v)
            default:
                if isNXLog, WindowsEvent.nxlogKeys.contains(key) {
                    switch key {
                    case "ProcessID": processID = WindowsValue.text(v).flatMap { Int64($0) }
                    case "ThreadID": threadID = WindowsValue.text(v).flatMap { Int64($0) }
                    case "UserID": userSID = WindowsValue.text(v)
                    default: break
                    }
                    continue
                }
                if key.hasPrefix("@") { continue }
                if let t = WindowsValue.text(v) { try WindowsEvent.append(key, t, &eventData) }
            }
        }
        guard eventID != nil, channel != nil else {
            throw ParseError(.unrecognized, at: 0, "a flat Windows event has EventID and Channel")
        }
        for text in [stamp, created, eventTime] {
            guard let text, let t = WindowsValue.time(text, zone: zone) else { continue }
            // `@timestamp` written by a shipper without an offset is less reliable than
            // TimeCreated; prefer a time that states its zone.
            if text == stamp, !WindowsEvent.hasOffset(text), created != nil { continue }
            timeCreated = Timestamp(microseconds: t.microseconds)
            timeOffsetSeconds = t.offsetSeconds
            break
        }
    }

    static func hasOffset(_ s: String) -> Bool {
        guard let p = TimestampText.parseISO8601(Array(s.utf8).span) else { return false }
        return p.offsetSeconds != nil
    }

    /// Keywords as lowercase `0x…` hex (`Get-WinEvent` gives a signed decimal).
    static func keywordsText(_ s: String) -> String {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return "0x" + s.dropFirst(2).lowercased() }
        return WindowsValue.hex(decimal: s) ?? s
    }
}
