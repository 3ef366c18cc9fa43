import SpoorCore

extension WindowsEvent {
    /// Reads Winlogbeat / Elastic Agent JSON: `winlog.channel`, `winlog.event_id`,
    /// `winlog.provider_name`, `winlog.provider_guid`, `winlog.computer_name`,
    /// `winlog.record_id`, `winlog.process.pid`, `winlog.process.thread.id`,
    /// `winlog.activity_id`, `winlog.related_activity_id`, `winlog.user.identifier`,
    /// `winlog.version`, `winlog.event_data.*`, `winlog.user_data.*`, `@timestamp`, `message`.
    ///
    /// Nested objects and dotted keys (`"winlog.event_data.Image": …`) are both accepted.
    /// Winlogbeat renders `Level`, `Task`, `Opcode` and `Keywords` as display names
    /// (`log.level: information`, `winlog.task: "Process Create (rule: ProcessCreate)"`);
    /// those cannot be turned back into numbers, so they are read only when numeric, and
    /// the level from `log.level`'s name.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` without `winlog.channel` and `winlog.event_id`.
    public init(winlogbeatJSON root: JSONValue, zone: TimeZoneRule = .utc) throws(ParseError) {
        self.init()
        guard case .object = root else {
            throw ParseError(.unrecognized, at: 0, "a Winlogbeat event is a JSON object")
        }
        var stamp: String? = nil
        var hostName: String? = nil
        for (key, v) in root.flattened() {
            if key.hasPrefix("winlog.event_data.") {
                if let t = WindowsValue.text(v) { try WindowsEvent.append(String(key.dropFirst(18)), t, &eventData) }
                continue
            }
            if key.hasPrefix("winlog.user_data.") {
                if let t = WindowsValue.text(v) { try WindowsEvent.append(String(key.dropFirst(17)), t, &userData) }
                continue
            }
            switch key {
            case "winlog.channel": channel = WindowsValue.text(v)
            case "winlog.event_id": eventID = WindowsValue.text(v).flatMap { Int($0) }
            case "winlog.provider_name": providerName = WindowsValue.text(v)
            case "winlog.provider_guid": providerGUID = WindowsValue.text(v)
            case "winlog.computer_name": computer = WindowsValue.text(v)
            case "host.name", "host.hostname": hostName = hostName ?? WindowsValue.text(v)
            case "winlog.record_id": recordID = WindowsValue.text(v).flatMap { Int64($0) }
            case "winlog.process.pid": processID = WindowsValue.text(v).flatMap { Int64($0) }
            case "winlog.process.thread.id": threadID = WindowsValue.text(v).flatMap { Int64($0) }
            case "winlog.activity_id": activityID = WindowsValue.text(v)
            case "winlog.related_activity_id": relatedActivityID = WindowsValue.text(v)
            case "winlog.user.identifier": userSID = WindowsValue.text(v)
            case "winlog.version": version = WindowsValue.text(v).flatMap { Int($0) }
            case "winlog.task": task = WindowsValue.text(v).flatMap { Int($0) }
            case "winlog.opcode": opcode = WindowsValue.text(v).flatMap { Int($0) }
            case "log.level": level = WindowsValue.text(v).flatMap(WindowsEvent.levelNumber)
            case "@timestamp": stamp = WindowsValue.text(v)
            case "message": message = WindowsValue.text(v)
            default: break
            }
        }
        if computer == nil { computer = hostName }
        guard eventID != nil, channel != nil else {
            throw ParseError(.unrecognized, at: 0, "a Winlogbeat event has winlog.channel and winlog.event_id")
        }
        if let stamp, let t = WindowsValue.time(stamp, zone: zone) {
            timeCreated = Timestamp(microseconds: t.microseconds)
            timeOffsetSeconds = t.offsetSeconds
        }
    }

    /// The level number of a Winlogbeat `log.level` name (`information` is 4; LogAlways,
    /// level 0, is also rendered `information`, so 0 and 4 are not told apart).
    static func levelNumber(_ name: String) -> Int? {
        if let n = Int(name) { return n }
        switch name.lowercased() {
        case "critical": return 1
        case "error": return 2
        case "warning": return 3
        case "information", "info": return 4
        case "verbose": return 5
        default: return nil
        }
    }

    /// The ECS `log.level` name of a Windows level number (0, LogAlways, renders as
    /// `information`, as Windows' own viewer and Winlogbeat do).
    static func levelName(_ level: Int) -> String? {
        switch level {
        case 0, 4: return "information"
        case 1: return "critical"
        case 2: return "error"
        case 3: return "warning"
        case 5: return "verbose"
        default: return nil
        }
    }
}
