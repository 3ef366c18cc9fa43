extension WindowsSemantics {
    /// The acting process of most Sysmon events.
    private static let process: [(String, WindowsTarget)] = [
        ("ProcessGuid", .text("process.entity_id")), ("ProcessId", .int("process.pid")),
        ("Image", .path("process.executable", name: "process.name")),
        ("User", .account(name: "user.name", domain: "user.domain")),
    ]

    /// Sysmon event ids 1–29 (Sysmon's schema, `sysmon -s`; field names as in the SigmaHQ
    /// regression data). Actions are Sysmon's rule names in kebab case.
    static let sysmon: [Int: WindowsSemantics] = [
        1: WindowsSemantics("process-created", ["process"], ["start"], process + [
            ("CommandLine", .text("process.command_line")), ("CurrentDirectory", .text("process.working_directory")),
            ("OriginalFileName", .text("process.pe.original_file_name")), ("Hashes", .hashes(prefix: "process")),
            ("ParentProcessGuid", .text("process.parent.entity_id")), ("ParentProcessId", .int("process.parent.pid")),
            ("ParentImage", .path("process.parent.executable", name: "process.parent.name")),
            ("ParentCommandLine", .text("process.parent.command_line")), ("LogonId", .text("winlog.logon.id"))]),
        2: WindowsSemantics("file-creation-time-changed", ["file"], ["change"], process + [
            ("TargetFilename", .path("file.path", name: "file.name"))]),
        3: WindowsSemantics("network-connection-detected", ["network"], ["connection", "start"], process + [
            ("Protocol", .lowercased("network.transport")), ("Initiated", .direction),
            ("SourceIp", .ip("source.ip")), ("SourcePort", .port("source.port")), ("SourceHostname", .text("source.domain")),
            ("DestinationIp", .ip("destination.ip")), ("DestinationPort", .port("destination.port")),
            ("DestinationHostname", .text("destination.domain"))]),
        4: WindowsSemantics("sysmon-service-state-changed", ["process"], ["change"], []),
        5: WindowsSemantics("process-terminated", ["process"], ["end"], process),
        6: WindowsSemantics("driver-loaded", ["driver"], ["start"], [
            ("ImageLoaded", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file")),
            ("Signature", .text("file.code_signature.subject_name"))]),
        7: WindowsSemantics("image-loaded", ["library"], ["start"], process + [
            ("ImageLoaded", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file")),
            ("OriginalFileName", .text("file.pe.original_file_name")),
            ("Signature", .text("file.code_signature.subject_name"))]),
        8: WindowsSemantics("create-remote-thread", ["process"], ["change"], [
            ("SourceProcessGuid", .text("process.entity_id")), ("SourceProcessId", .int("process.pid")),
            ("SourceImage", .path("process.executable", name: "process.name")),
            ("SourceUser", .account(name: "user.name", domain: "user.domain"))]),
        9: WindowsSemantics("raw-access-read", ["file"], ["access"], process + [("Device", .text("file.path"))]),
        10: WindowsSemantics("process-accessed", ["process"], ["access"], [
            ("SourceProcessGUID", .text("process.entity_id")), ("SourceProcessId", .int("process.pid")),
            ("SourceThreadId", .int("process.thread.id")),
            ("SourceImage", .path("process.executable", name: "process.name")),
            ("SourceUser", .account(name: "user.name", domain: "user.domain"))]),
        11: WindowsSemantics("file-created", ["file"], ["creation"], process + [
            ("TargetFilename", .path("file.path", name: "file.name"))]),
        12: WindowsSemantics("registry-object-added-or-deleted", ["registry"], ["change"], process + [
            ("TargetObject", .text("registry.path"))]),
        13: WindowsSemantics("registry-value-set", ["registry"], ["change"], process + [
            ("TargetObject", .text("registry.path")), ("Details", .text("registry.data.strings"))]),
        14: WindowsSemantics("registry-object-renamed", ["registry"], ["change"], process + [
            ("TargetObject", .text("registry.path"))]),
        15: WindowsSemantics("file-stream-created", ["file"], ["creation"], process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hash", .hashes(prefix: "file"))]),
        16: WindowsSemantics("sysmon-config-state-changed", ["configuration"], ["change"], []),
        17: WindowsSemantics("pipe-created", ["file"], ["creation"], process + [("PipeName", .text("file.name"))]),
        18: WindowsSemantics("pipe-connected", ["file"], ["access"], process + [("PipeName", .text("file.name"))]),
        19: WindowsSemantics("wmi-event-filter-activity", ["configuration"], ["change"], [
            ("User", .account(name: "user.name", domain: "user.domain"))]),
        20: WindowsSemantics("wmi-event-consumer-activity", ["configuration"], ["change"], [
            ("User", .account(name: "user.name", domain: "user.domain"))]),
        21: WindowsSemantics("wmi-event-consumer-to-filter-activity", ["configuration"], ["change"], [
            ("User", .account(name: "user.name", domain: "user.domain"))]),
        22: WindowsSemantics("dns-query", ["network"], ["protocol", "info"], process + [
            ("QueryName", .text("dns.question.name")), ("QueryResults", .resolvedAddresses)]),
        23: WindowsSemantics("file-deleted", ["file"], ["deletion"], process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file"))]),
        24: WindowsSemantics("clipboard-changed", ["host"], ["change"], process + [("Hashes", .hashes(prefix: "file"))]),
        25: WindowsSemantics("process-tampering", ["process"], ["change"], process),
        26: WindowsSemantics("file-delete-detected", ["file"], ["deletion"], process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file"))]),
        27: WindowsSemantics("file-block-executable", ["file", "intrusion_detection"], ["creation", "denied"], outcome: "failure", process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file"))]),
        28: WindowsSemantics("file-block-shredding", ["file", "intrusion_detection"], ["deletion", "denied"], outcome: "failure", process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file"))]),
        29: WindowsSemantics("file-executable-detected", ["file"], ["creation"], process + [
            ("TargetFilename", .path("file.path", name: "file.name")), ("Hashes", .hashes(prefix: "file"))]),
    ]
}
