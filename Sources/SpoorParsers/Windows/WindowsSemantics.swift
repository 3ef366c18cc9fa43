/// The log a Windows event comes from, as far as its meaning is concerned.
public enum WindowsLog: Sendable, Hashable {
    case sysmon, security, system, powerShell, other

    /// The log of an event from its provider and channel.
    public static func of(provider: String?, channel: String?) -> WindowsLog {
        if provider == "Microsoft-Windows-Sysmon" || channel == "Microsoft-Windows-Sysmon/Operational" { return .sysmon }
        if channel == "Security" { return .security }
        if channel == "Microsoft-Windows-PowerShell/Operational" || provider == "Microsoft-Windows-PowerShell" { return .powerShell }
        if channel == "System" { return .system }
        return .other
    }

    /// `event.module`, as Winlogbeat names its modules.
    var module: String {
        switch self {
        case .sysmon: "sysmon"
        case .security: "security"
        case .system: "system"
        case .powerShell: "powershell"
        case .other: "windows"
        }
    }
}

/// How one `EventData` item feeds the ECS view.
enum WindowsTarget: Sendable {
    /// The text as it is.
    case text(String)
    /// A path, and its last component into a name field (`process.executable` + `process.name`).
    case path(String, name: String?)
    /// An integer written in decimal or `0x…` hex (Security writes process ids in hex).
    case int(String)
    /// An address; placeholders (`-`, empty, `::`, `0.0.0.0`, and loopback `::1`/`127.0.0.1`,
    /// which Windows writes for local logons) are skipped. `::ffff:a.b.c.d` becomes IPv4.
    /// Also fills `related.ip`.
    case ip(String)
    /// A port; `-` and `0` (Windows' "none") are skipped.
    case port(String)
    /// `DOMAIN\user` split into a name field and a domain field (`user.name`, `user.domain`);
    /// a value without a backslash is the name only. Also fills `related.user`.
    case account(name: String, domain: String)
    /// A user name alone (also fills `related.user`); `-` is skipped.
    case userName(String)
    /// Sysmon `Hashes` (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`) into `<prefix>.hash.*` and
    /// `<prefix>.pe.imphash`, and every hash into `related.hash`.
    case hashes(prefix: String)
    /// The logon type number, named as Winlogbeat names it, into `winlog.logon.type`.
    case logonType
    /// Sysmon `Initiated` (`true` = this host opened the connection) into `network.direction`.
    case direction
    /// A protocol name, lower-cased (`tcp`).
    case lowercased(String)
    /// An NTSTATUS / Kerberos result code: `0x0` = success, anything else failure, into
    /// `event.outcome`.
    case status
    /// Sysmon `QueryResults` (`type:  5 host;::ffff:1.2.3.4;`): the addresses into `dns.resolved_ip`.
    case resolvedAddresses
}

/// What one Windows event id means: ECS categorisation and where its data items go.
struct WindowsSemantics: Sendable {
    var action: String
    var category: [String]
    var type: [String]
    /// `success`/`failure` when the id alone says so (4624 vs 4625); else nil.
    var outcome: String?
    var fields: [(String, WindowsTarget)]
    /// Whether `process.entity_id` is made from host, pid and the event's time, because the
    /// event is the process's start (Security 4688) and no ProcessGuid exists.
    var entityFromStart = false

    init(_ action: String, _ category: [String], _ type: [String], outcome: String? = nil,
         _ fields: [(String, WindowsTarget)], entityFromStart: Bool = false) {
        self.action = action
        self.category = category
        self.type = type
        self.outcome = outcome
        self.fields = fields
        self.entityFromStart = entityFromStart
    }

    /// The semantics of event `id` in `log`, if spoor knows them.
    static func lookup(_ log: WindowsLog, _ id: Int) -> WindowsSemantics? {
        switch log {
        case .sysmon: sysmon[id]
        case .security: security[id]
        case .system: system[id]
        case .powerShell: powerShell[id]
        case .other: nil
        }
    }

    static let system: [Int: WindowsSemantics] = [
        7045: WindowsSemantics("service-installed", ["configuration"], ["creation"], [
            ("ServiceName", .text("service.name")), ("ImagePath", .text("service.executable")),
            ("AccountName", .userName("user.name"))]),
    ]

    static let powerShell: [Int: WindowsSemantics] = [
        4103: WindowsSemantics("pipeline-executed", ["process"], ["info"], [("Payload", .text("powershell.command.payload"))]),
        4104: WindowsSemantics("script-block-logged", ["process"], ["info"], [
            ("ScriptBlockId", .text("powershell.file.script_block_id")), ("MessageNumber", .int("powershell.sequence")),
            ("MessageTotal", .int("powershell.total")), ("Path", .path("file.path", name: "file.name"))]),
    ]
}
