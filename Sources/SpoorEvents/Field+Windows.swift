/// Windows event fields that `Field.swift` does not list: Winlogbeat's `winlog.*` names
/// (Winlogbeat/Elastic Agent field reference) and the PowerShell fields of Elastic's module.
extension Field {
    // Windows event fields, named as Winlogbeat names them (`winlog.*`).
    public static let winlogChannel = "winlog.channel"
    public static let winlogEventID = "winlog.event_id"
    public static let winlogProviderName = "winlog.provider_name"
    public static let winlogProviderGUID = "winlog.provider_guid"
    public static let winlogComputerName = "winlog.computer_name"
    public static let winlogRecordID = "winlog.record_id"
    public static let winlogProcessPID = "winlog.process.pid"
    public static let winlogProcessThreadID = "winlog.process.thread.id"
    public static let winlogActivityID = "winlog.activity_id"
    public static let winlogRelatedActivityID = "winlog.related_activity_id"
    public static let winlogUserIdentifier = "winlog.user.identifier"
    public static let winlogVersion = "winlog.version"
    public static let winlogTask = "winlog.task"
    public static let winlogOpcode = "winlog.opcode"
    public static let winlogKeywords = "winlog.keywords"
    /// The logon type by name (`RemoteInteractive`); the number stays in `winlog.event_data.LogonType`.
    public static let winlogLogonType = "winlog.logon.type"
    /// The logon session id (`0x3e7`): `TargetLogonId` for logons/logoffs, `SubjectLogonId` otherwise.
    public static let winlogLogonID = "winlog.logon.id"
    /// Prefix of `EventData` items: `winlog.event_data.<Name>`.
    public static let winlogEventDataPrefix = "winlog.event_data."
    /// Prefix of `UserData` items: `winlog.user_data.<Name>`.
    public static let winlogUserDataPrefix = "winlog.user_data."
    /// ECS `event.provider`: the Windows event provider.
    public static let eventProvider = "event.provider"
    /// A PowerShell script block's whole text, reassembled from its 4104 parts.
    public static let powershellScriptBlockText = "powershell.file.script_block_text"
    public static let powershellScriptBlockID = "powershell.file.script_block_id"
}
