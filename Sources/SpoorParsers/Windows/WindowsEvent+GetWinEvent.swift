import SpoorCore

extension WindowsEvent {
    /// Reads one `EventLogRecord` as `Get-WinEvent … | ConvertTo-Json` writes it: `Id`,
    /// `Version`, `Level`, `Task`, `Opcode`, `Keywords` (signed decimal), `RecordId`,
    /// `ProviderName`, `ProviderId`, `LogName`, `ProcessId`, `ThreadId`, `MachineName`,
    /// `UserId` (a `SecurityIdentifier`: `{"Value": "S-1-5-18", …}` or a string),
    /// `TimeCreated` (`/Date(ms)/` in Windows PowerShell 5.1, ISO 8601 with offset in
    /// PowerShell 7, or an object whose `value` is one of those), `ActivityId`,
    /// `RelatedActivityId`, `Message`, and `Properties`: `[{"Value": …}, …]`.
    ///
    /// `Properties` carry no names: they are the template's values in order. Names come
    /// from ``GetWinEventNames`` for the events it lists, else `param1`, `param2`, ….
    /// A property that is an object with a `Value` (a SID) gives that value; a number
    /// for a hex-typed field (``WindowsValue/hexFields``) is written `0x…`.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` without `Id` and `LogName`.
    public init(getWinEventJSON root: JSONValue, zone: TimeZoneRule = .utc) throws(ParseError) {
        self.init()
        guard case .object(let members) = root else {
            throw ParseError(.unrecognized, at: 0, "a Get-WinEvent record is a JSON object")
        }
        var properties: [JSONValue] = []
        for (key, v) in members {
            switch key {
            case "Id": eventID = WindowsValue.text(v).flatMap { Int($0) }
            case "Version": version = WindowsValue.text(v).flatMap { Int($0) }
            case "Level": level = WindowsValue.text(v).flatMap { Int($0) }
            case "Task": task = WindowsValue.text(v).flatMap { Int($0) }
            case "Opcode": opcode = WindowsValue.text(v).flatMap { Int($0) }
            case "Keywords": keywords = WindowsValue.text(v).map(WindowsEvent.keywordsText)
            case "RecordId": recordID = WindowsValue.text(v).flatMap { Int64($0) }
            case "ProviderName": providerName = WindowsValue.text(v)
            case "ProviderId": providerGUID = WindowsValue.text(v)
            case "LogName": channel = WindowsValue.text(v)
            case "ProcessId": processID = WindowsValue.text(v).flatMap { Int64($0) }
            case "ThreadId": threadID = WindowsValue.text(v).flatMap { Int64($0) }
            case "MachineName": computer = WindowsValue.text(v)
            case "UserId": userSID = (v["Value"] ?? v).flatMapText
            case "ActivityId": activityID = WindowsValue.text(v)
            case "RelatedActivityId": relatedActivityID = WindowsValue.text(v)
            case "Message": message = WindowsValue.text(v)
            case "TimeCreated":
                if let s = (v["value"] ?? v["DateTime"] ?? v).flatMapText, let t = WindowsValue.time(s, zone: zone) {
                    timeCreated = Timestamp(microseconds: t.microseconds)
                    timeOffsetSeconds = t.offsetSeconds
                }
            case "Properties":
                if case .array(let items) = v { properties = items } else { properties = [v] }
            default: break
            }
        }
        guard eventID != nil, channel != nil else {
            throw ParseError(.unrecognized, at: 0, "a Get-WinEvent record has Id and LogName")
        }
        let names = GetWinEventNames.names(provider: providerName, eventID: eventID, count: properties.count)
        let isSecurity = providerName == "Microsoft-Windows-Security-Auditing"
        for (k, p) in properties.enumerated() {
            let name = k < names.count ? names[k] : "param\(k + 1)"
            var value = p
            if case .object = p, let inner = p["Value"] ?? p["value"] { value = inner }
            // A SecurityIdentifier nested in the property.
            if case .object = value, let sid = value["Value"] { value = sid }
            guard var text = WindowsValue.text(value) else { continue }
            if case .number = value,
               WindowsValue.hexFields.contains(name) || (isSecurity && WindowsValue.securityHexFields.contains(name)) {
                text = WindowsValue.hex(decimal: text) ?? text
            }
            try WindowsEvent.append(name, text, &eventData)
        }
    }
}

extension JSONValue {
    fileprivate var flatMapText: String? { WindowsValue.text(self) }
}

/// The names of the positional `Properties` of `Get-WinEvent` for events whose templates
/// are fixed, taken from the providers' manifests as EVTX renders them (field order as in
/// the SigmaHQ regression data and OTRF datasets).
///
/// Security templates only append fields across versions, so their names apply by prefix;
/// Sysmon's changed order between schema versions, so its names apply only when the
/// property count is exactly the current schema's.
public enum GetWinEventNames {
    // Each event's EventData names in template order, one list per template version seen:
    // a Get-WinEvent export carries only the values (`Properties`), so the number of values
    // picks the version. Read off real records (the evtx-rs samples and SigmaHQ's regression
    // EVTX files, rendered by the `evtx` package) and the Sysmon and Security manifests.
    static let sysmon: [Int: [[String]]] = [
        1: [
            ["UtcTime", "ProcessGuid", "ProcessId", "Image", "CommandLine", "CurrentDirectory", "User", "LogonGuid", "LogonId", "TerminalSessionId", "IntegrityLevel", "Hashes", "ParentProcessGuid", "ParentProcessId", "ParentImage", "ParentCommandLine"],
            ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "FileVersion", "Description", "Product", "Company", "OriginalFileName", "CommandLine", "CurrentDirectory", "User", "LogonGuid", "LogonId", "TerminalSessionId", "IntegrityLevel", "Hashes", "ParentProcessGuid", "ParentProcessId", "ParentImage", "ParentCommandLine", "ParentUser"],
        ],
        3: [
            ["UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol", "Initiated", "SourceIsIpv6", "SourceIp", "SourceHostname", "SourcePort", "SourcePortName", "DestinationIsIpv6", "DestinationIp", "DestinationHostname", "DestinationPort", "DestinationPortName"],
        ],
        7: [
            ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "ImageLoaded", "FileVersion", "Description", "Product", "Company", "OriginalFileName", "Hashes", "Signed", "Signature", "SignatureStatus", "User"],
        ],
        10: [
            ["UtcTime", "SourceProcessGUID", "SourceProcessId", "SourceThreadId", "SourceImage", "TargetProcessGUID", "TargetProcessId", "TargetImage", "GrantedAccess", "CallTrace"],
            ["RuleName", "UtcTime", "SourceProcessGUID", "SourceProcessId", "SourceThreadId", "SourceImage", "TargetProcessGUID", "TargetProcessId", "TargetImage", "GrantedAccess", "CallTrace", "SourceUser", "TargetUser"],
        ],
        11: [
            ["UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime"],
            ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "User"],
        ],
        12: [
            ["EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject"],
            ["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "User"],
        ],
        13: [
            ["EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "Details"],
            ["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "Details", "User"],
            ["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "Details"],
        ],
        15: [
            ["UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "Hash"],
        ],
        16: [
            ["UtcTime", "Configuration", "ConfigurationFileHash"],
        ],
        22: [
            ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus", "QueryResults", "Image"],
            ["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus", "QueryResults", "Image", "User"],
        ],
    ]

    static let security: [Int: [[String]]] = [
        4624: [
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType", "LogonProcessName", "AuthenticationPackageName", "WorkstationName", "LogonGuid", "TransmittedServices", "LmPackageName", "KeyLength", "ProcessId", "ProcessName", "IpAddress", "IpPort"],
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "TargetUserSid",
             "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType", "LogonProcessName",
             "AuthenticationPackageName", "WorkstationName", "LogonGuid", "TransmittedServices", "LmPackageName",
             "KeyLength", "ProcessId", "ProcessName", "IpAddress", "IpPort", "ImpersonationLevel",
             "RestrictedAdminMode", "TargetOutboundUserName", "TargetOutboundDomainName", "VirtualAccount",
             "TargetLinkedLogonId", "ElevatedToken"],
        ],
        4625: [
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "TargetUserSid", "TargetUserName", "TargetDomainName", "Status", "FailureReason", "SubStatus", "LogonType", "LogonProcessName", "AuthenticationPackageName", "WorkstationName", "TransmittedServices", "LmPackageName", "KeyLength", "ProcessId", "ProcessName", "IpAddress", "IpPort"],
        ],
        4634: [
            ["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType"],
        ],
        4647: [
            ["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"],
        ],
        4648: [
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "LogonGuid", "TargetUserName", "TargetDomainName", "TargetLogonGuid", "TargetServerName", "TargetInfo", "ProcessId", "ProcessName", "IpAddress", "IpPort"],
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "LogonGuid", "TargetUserName", "TargetDomainName", "TargetServerName", "TargetInfo", "ProcessId", "ProcessName", "IpAddress", "IpPort"],
        ],
        4672: [
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "PrivilegeList"],
        ],
        4720: [
            ["TargetUserName", "TargetDomainName", "TargetSid", "SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "PrivilegeList", "SamAccountName", "DisplayName", "UserPrincipalName", "HomeDirectory", "HomePath", "ScriptPath", "ProfilePath", "UserWorkstations", "PasswordLastSet", "AccountExpires", "PrimaryGroupId", "AllowedToDelegateTo", "OldUacValue", "NewUacValue", "UserAccountControl", "UserParameters", "SidHistory", "LogonHours"],
        ],
        4732: [
            ["MemberName", "MemberSid", "TargetUserName", "TargetDomainName", "TargetSid", "SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "PrivilegeList"],
        ],
        4776: [
            ["PackageName", "TargetUserName", "Workstation", "Status"],
        ],
        4688: [
            ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "NewProcessId",
             "NewProcessName", "TokenElevationType", "ProcessId", "CommandLine", "TargetUserSid", "TargetUserName",
             "TargetDomainName", "TargetLogonId", "ParentProcessName", "MandatoryLabel"],
        ],
    ]

    static let serviceControlManager: [Int: [[String]]] = [
        7045: [
            ["ServiceName", "ImagePath", "ServiceType", "StartType", "AccountName"],
        ],
    ]

    static let powerShell: [Int: [[String]]] = [
        4103: [["ContextInfo", "UserData", "Payload"]],
        4104: [["MessageNumber", "MessageTotal", "ScriptBlockText", "ScriptBlockId", "Path"]],
    ]

    /// The names for `count` properties of event `eventID` from `provider`: the template
    /// version with that many items; for Security events, whose templates only append fields
    /// across versions, else the longest known version as a prefix. Empty when unknown.
    public static func names(provider: String?, eventID: Int?, count: Int) -> [String] {
        guard let id = eventID, let provider else { return [] }
        let table: [Int: [[String]]]
        var appendsOnly = false
        switch provider {
        case "Microsoft-Windows-Sysmon": table = sysmon
        case "Microsoft-Windows-Security-Auditing": table = security; appendsOnly = true
        case "Service Control Manager": table = serviceControlManager
        case "Microsoft-Windows-PowerShell": table = powerShell
        default: return []
        }
        guard let versions = table[id] else { return [] }
        if let exact = versions.first(where: { $0.count == count }) { return exact }
        guard appendsOnly else { return [] }
        return versions.filter { $0.count < count }.max { $0.count < $1.count } ?? []
    }
}
