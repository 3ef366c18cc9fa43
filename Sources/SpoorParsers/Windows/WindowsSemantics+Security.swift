extension WindowsSemantics {
    /// The subject (the account that acted) as the event's user.
    private static let subject: [(String, WindowsTarget)] = [
        ("SubjectUserName", .userName("user.name")), ("SubjectDomainName", .text("user.domain")),
        ("SubjectUserSid", .text("user.id")), ("SubjectLogonId", .text("winlog.logon.id")),
    ]

    /// The target (the account logged on or off) as the event's user.
    private static let target: [(String, WindowsTarget)] = [
        ("TargetUserName", .userName("user.name")), ("TargetDomainName", .text("user.domain")),
        ("TargetUserSid", .text("user.id")), ("TargetLogonId", .text("winlog.logon.id")),
    ]

    /// Where a logon came from, and the process that handled it.
    private static let logonOrigin: [(String, WindowsTarget)] = [
        ("LogonType", .logonType), ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port")),
        ("WorkstationName", .text("source.domain")), ("ProcessName", .path("process.executable", name: "process.name")),
        ("ProcessId", .int("process.pid")),
    ]

    /// The account a user-management event acts on.
    private static let targetAccount: [(String, WindowsTarget)] = [
        ("TargetUserName", .text("user.target.name")), ("TargetDomainName", .text("user.target.domain")),
        ("TargetSid", .text("user.target.id")),
    ]

    /// A remote-desktop session event's account and client (4778/4779).
    private static let rdpSession: [(String, WindowsTarget)] = [
        ("AccountName", .userName("user.name")), ("AccountDomain", .text("user.domain")),
        ("LogonID", .text("winlog.logon.id")), ("ClientName", .text("source.domain")), ("ClientAddress", .ip("source.ip")),
    ]

    /// Windows Security event ids (Microsoft's "Audit …" documentation of each id; fields
    /// measured in the OTRF datasets for 4624, 4634, 4648, 4672, 4688, 4697).
    ///
    /// `user.*` is the target account for logon/logoff events and the subject otherwise.
    /// For 4648 the `IpAddress` is the server the explicit credentials were used against,
    /// so it is `destination.ip`.
    static let security: [Int: WindowsSemantics] = [
        4624: WindowsSemantics("logged-in", ["authentication"], ["start"], outcome: "success", target + logonOrigin),
        4625: WindowsSemantics("logon-failed", ["authentication"], ["start"], outcome: "failure", [
            ("TargetUserName", .userName("user.name")), ("TargetDomainName", .text("user.domain")),
            ("TargetUserSid", .text("user.id"))] + logonOrigin),
        4634: WindowsSemantics("logged-out", ["authentication"], ["end"], outcome: "success", target + [("LogonType", .logonType)]),
        4647: WindowsSemantics("logged-out", ["authentication"], ["end"], outcome: "success", target),
        4648: WindowsSemantics("logged-in-explicit", ["authentication"], ["start"], outcome: "success", subject + [
            ("TargetUserName", .text("user.target.name")), ("TargetDomainName", .text("user.target.domain")),
            ("TargetServerName", .text("destination.domain")), ("IpAddress", .ip("destination.ip")),
            ("IpPort", .port("destination.port")), ("ProcessName", .path("process.executable", name: "process.name")),
            ("ProcessId", .int("process.pid"))]),
        4672: WindowsSemantics("logged-in-special", ["iam"], ["admin"], outcome: "success", subject),
        4688: WindowsSemantics("created-process", ["process"], ["start"], outcome: "success", subject + [
            ("NewProcessName", .path("process.executable", name: "process.name")), ("NewProcessId", .int("process.pid")),
            ("CommandLine", .text("process.command_line")), ("ProcessId", .int("process.parent.pid")),
            ("ParentProcessName", .path("process.parent.executable", name: "process.parent.name"))],
            entityFromStart: true),
        4689: WindowsSemantics("exited-process", ["process"], ["end"], outcome: "success", subject + [
            ("ProcessName", .path("process.executable", name: "process.name")), ("ProcessId", .int("process.pid"))]),
        4697: WindowsSemantics("service-installed", ["iam", "configuration"], ["admin", "change"], outcome: "success", subject + [
            ("ServiceName", .text("service.name")), ("ServiceFileName", .text("service.executable"))]),
        4698: WindowsSemantics("scheduled-task-created", ["iam", "configuration"], ["creation", "admin"], outcome: "success", subject),
        4720: WindowsSemantics("added-user-account", ["iam"], ["user", "creation"], outcome: "success", subject + targetAccount),
        4726: WindowsSemantics("deleted-user-account", ["iam"], ["user", "deletion"], outcome: "success", subject + targetAccount),
        4732: WindowsSemantics("added-member-to-group", ["iam"], ["group", "change"], outcome: "success", subject + [
            ("MemberName", .text("user.target.name")), ("MemberSid", .text("user.target.id")),
            ("TargetUserName", .text("group.name")), ("TargetDomainName", .text("group.domain")),
            ("TargetSid", .text("group.id"))]),
        4768: WindowsSemantics("kerberos-authentication-ticket-requested", ["authentication"], ["start"], [
            ("TargetUserName", .userName("user.name")), ("TargetDomainName", .text("user.domain")),
            ("TargetSid", .text("user.id")), ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port")),
            ("Status", .status)]),
        4769: WindowsSemantics("kerberos-service-ticket-requested", ["authentication"], ["start"], [
            ("TargetUserName", .userName("user.name")), ("TargetDomainName", .text("user.domain")),
            ("ServiceName", .text("service.name")), ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port")),
            ("Status", .status)]),
        4771: WindowsSemantics("kerberos-preauth-failed", ["authentication"], ["start"], outcome: "failure", [
            ("TargetUserName", .userName("user.name")), ("TargetSid", .text("user.id")),
            ("ServiceName", .text("service.name")), ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port"))]),
        4776: WindowsSemantics("credential-validated", ["authentication"], ["start"], [
            ("TargetUserName", .userName("user.name")), ("Workstation", .text("source.domain")), ("Status", .status)]),
        4778: WindowsSemantics("session-reconnected", ["authentication", "session"], ["start"], outcome: "success", rdpSession),
        4779: WindowsSemantics("session-disconnected", ["authentication", "session"], ["end"], outcome: "success", rdpSession),
        4800: WindowsSemantics("workstation-locked", ["session"], ["change"], outcome: "success", target),
        4801: WindowsSemantics("workstation-unlocked", ["session"], ["change"], outcome: "success", target),
        5140: WindowsSemantics("network-share-object-accessed", ["network", "file"], ["connection", "access"], outcome: "success", subject + [
            ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port")), ("ShareLocalPath", .text("file.directory"))]),
        5145: WindowsSemantics("network-share-object-access-checked", ["network", "file"], ["connection", "access"], subject + [
            ("IpAddress", .ip("source.ip")), ("IpPort", .port("source.port")), ("RelativeTargetName", .path("file.path", name: "file.name"))]),
        // 1102 is logged by Microsoft-Windows-Eventlog with its fields in UserData/LogFileCleared.
        1102: WindowsSemantics("audit-log-cleared", ["host"], ["change"], outcome: "success", subject),
    ]
}
