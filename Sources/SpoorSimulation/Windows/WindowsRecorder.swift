import SpoorCore

/// A logon session: who, with which logon id, in which terminal session.
struct WinLogon: Sendable {
    var name: String
    var domain: String
    var sid: String
    var logonID: Int64
    var logonGuid: String
    var session: Int
    var isAdmin: Bool

    /// The machine's own SYSTEM session (LogonId 0x3e7).
    static func system(_ host: SimHost, _ client: SimClient) -> WinLogon {
        WinLogon(name: host.name + "$", domain: client.domain, sid: "S-1-5-18", logonID: 0x3E7,
                 logonGuid: WindowsEventWriter.hex(WindowsEventWriter.stableHash(host.name) >> 32, 8) + "-0000-0000-0000-000000000000",
                 session: 0, isAdmin: true)
    }

    var sysmonUser: String { sid == "S-1-5-18" ? "NT AUTHORITY\\SYSTEM" : domain + "\\" + name }
}

/// A running process as Sysmon and 4688 name it.
struct WinProcess: Sendable {
    var program: WinProgram
    var guid: String
    var pid: Int
    var commandLine: String
    var logon: WinLogon
    var integrity: String
}

/// Builds the Windows events of one client: the same builders serve benign activity and
/// scenarios, so an attack's 4624 or Sysmon 1 has the shape of a benign one.
struct WindowsRecorder {
    let client: SimClient
    var rng: SplitMix64
    var events: [WinEvent] = []
    /// Set while a scenario step writes; every event emitted meanwhile carries it.
    var label: TruthLabel? = nil

    init(client: SimClient, rng: SplitMix64) {
        self.client = client
        self.rng = rng
    }

    mutating func emit(_ host: SimHost, _ channel: WinChannel, _ id: Int, at t: Timestamp, _ data: [(String, WinValue)],
                       userSID: String? = nil, activity: Bool = false) {
        var e = WinEvent(time: t, host: host, channel: channel, id: id, data: data)
        e.userSID = channel == .sysmon ? "S-1-5-18" : userSID
        if activity { e.activityID = activityID(host) }
        e.threadID = 100 + rng.below(3_000) * 4
        e.label = label
        events.append(e)
    }

    /// A recorder for activity added on the side, with its own random stream derived from the
    /// run's seed and `key` (a host, a day, a moment): what it writes leaves the main stream, and
    /// so every other record of the run, unchanged. Its events go back with ``absorb(_:)``.
    func side(_ key: String, seed: UInt64) -> WindowsRecorder {
        var r = WindowsRecorder(client: client, rng: SplitMix64(seed: seed ^ WindowsEventWriter.stableHash(key)))
        r.label = label
        return r
    }

    mutating func absorb(_ other: WindowsRecorder) { events += other.events }

    /// Logon events share one ActivityID per host boot.
    func activityID(_ host: SimHost) -> String {
        let h = WindowsEventWriter.stableHash(host.name + "activity")
        return WindowsEventWriter.hex(h >> 32, 8) + "-" + WindowsEventWriter.hex((h >> 16) & 0xFFFF, 4) + "-0001-" + WindowsEventWriter.hex(h & 0xFFFF, 4) + "-" + WindowsEventWriter.hex(h &* 31 & 0xFFFF_FFFF_FFFF, 12)
    }

    mutating func newLogonID() -> Int64 { Int64(0x100000 + rng.below(0x3FFFFFF)) }
    mutating func newPID() -> Int { 1_000 + rng.below(7_000) * 4 }

    mutating func processGuid(_ host: SimHost, _ t: Timestamp) -> String {
        let secs = UInt64(max(0, t.microseconds / 1_000_000))
        let machine = WindowsEventWriter.stableHash(host.name) >> 32
        return WindowsEventWriter.hex(machine, 8) + "-" + WindowsEventWriter.hex(secs & 0xFFFF, 4) + "-" + WindowsEventWriter.hex((secs >> 16) & 0xFFFF, 4)
            + "-" + WindowsEventWriter.hex(UInt64(rng.below(0xFFFF)), 4) + "-" + WindowsEventWriter.hex(UInt64(rng.below(0x3FFF)), 12)
    }

    mutating func logonGuid(_ host: SimHost) -> String { WindowsEventWriter.guid(&rng) }

    mutating func user(_ u: SimUser) -> WinLogon {
        WinLogon(name: u.name, domain: client.domain, sid: u.sid, logonID: newLogonID(), logonGuid: WindowsEventWriter.guid(&rng),
                 session: 1 + rng.below(3), isAdmin: u.role == .admin)
    }

    /// A process that exists but whose start is not in the window (services.exe, userinit).
    mutating func existing(_ program: WinProgram, on host: SimHost, logon: WinLogon, commandLine: String? = nil, at t: Timestamp) -> WinProcess {
        WinProcess(program: program, guid: processGuid(host, Timestamp(microseconds: t.microseconds - Int64(rng.below(3_600)) * 1_000_000)),
                   pid: newPID(), commandLine: commandLine ?? program.image, logon: logon,
                   integrity: logon.sid == "S-1-5-18" ? "System" : (logon.isAdmin ? "High" : "Medium"))
    }

    // MARK: Process creation (Sysmon 1 + 4688)

    @discardableResult
    mutating func start(_ program: WinProgram, _ commandLine: String, parent: WinProcess, logon: WinLogon? = nil, on host: SimHost, at t: Timestamp,
                        directory: String? = nil, integrity: String? = nil) -> WinProcess {
        let logon = logon ?? parent.logon
        let level = integrity ?? (logon.sid == "S-1-5-18" ? "System" : (logon.isAdmin && parent.integrity == "High" ? "High" : "Medium"))
        let p = WinProcess(program: program, guid: processGuid(host, t), pid: newPID(), commandLine: commandLine, logon: logon, integrity: level)
        let cwd = directory ?? (logon.sid == "S-1-5-18" ? "C:\\Windows\\system32\\" : "C:\\Users\\\(logon.name)\\")
        if Self.sysmonLogsProcess(program, commandLine, parent: parent.program) {
            emit(host, .sysmon, 1, at: t, [
                ("RuleName", .s("-")), ("UtcTime", .s(WindowsEventWriter.sysmonTime(t))), ("ProcessGuid", .s(p.guid)), ("ProcessId", .n(Int64(p.pid))),
                ("Image", .s(program.image)), ("FileVersion", .s(program.fileVersion)), ("Description", .s(program.description)),
                ("Product", .s(program.product)), ("Company", .s(program.company)), ("OriginalFileName", .s(program.originalFileName)),
                ("CommandLine", .s(commandLine)), ("CurrentDirectory", .s(cwd)), ("User", .s(logon.sysmonUser)), ("LogonGuid", .s(logon.logonGuid)),
                ("LogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("TerminalSessionId", .n(Int64(logon.session))),
                ("IntegrityLevel", .s(level)), ("Hashes", .s(program.hashes)), ("ParentProcessGuid", .s(parent.guid)),
                ("ParentProcessId", .n(Int64(parent.pid))), ("ParentImage", .s(parent.program.image)), ("ParentCommandLine", .s(parent.commandLine)),
                ("ParentUser", .s(parent.logon.sysmonUser)),
            ])
        } else {
            // The draw the skipped event would have made: the rest of the run stays as it was.
            _ = rng.below(3_000)
        }
        let elevation = level == "System" ? "%%1936" : (level == "High" ? "%%1937" : (logon.isAdmin ? "%%1938" : "%%1936"))
        let label = ["Medium": "S-1-16-8192", "High": "S-1-16-12288", "System": "S-1-16-16384"][level] ?? "S-1-16-8192"
        emit(host, .security, 4688, at: Timestamp(microseconds: t.microseconds + Int64(rng.below(900))), [
            ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
            ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("NewProcessId", .s(WindowsEventWriter.hexID(Int64(p.pid)))),
            ("NewProcessName", .s(program.image)), ("TokenElevationType", .s(elevation)), ("ProcessId", .s(WindowsEventWriter.hexID(Int64(parent.pid)))),
            ("CommandLine", .s(commandLine)), ("TargetUserSid", .s("S-1-0-0")), ("TargetUserName", .s("-")), ("TargetDomainName", .s("-")),
            ("TargetLogonId", .s("0x0")), ("ParentProcessName", .s(parent.program.image)), ("MandatoryLabel", .s(label)),
        ])
        return p
    }

    /// Whether the Sysmon configuration logs a process creation (event 1). The configuration is
    /// sysmon-modular's (Olaf Hartong, github.com/olafhartong/sysmon-modular): ProcessCreate logs
    /// every process but its exclusions, of which these match what the simulator starts:
    /// generic Windows processes (`1_process_creation/exclude_windows_generic_processes.xml`:
    /// COM surrogates `DllHost.exe /Processid…`, `conhost.exe`, `wermgr.exe`, `sppsvc.exe`,
    /// `CompatTelRunner.exe`, `audiodg.exe`, `powercfg.exe`, `WmiApSrv.exe`) and Chrome's
    /// (`exclude_google_chrome.xml`: its `--type=` child processes, "massive command-line
    /// arguments", and Google Update and its children). Conditions are case-insensitive.
    /// Security 4688 has no such filter and logs them all. Applies to every process alike,
    /// benign or not.
    static func sysmonLogsProcess(_ program: WinProgram, _ commandLine: String, parent: WinProgram) -> Bool {
        let image = program.image.lowercased(), line = commandLine.lowercased()
        if sysmonExcludedImages.contains(image) { return false }
        if line.hasPrefix("c:\\windows\\system32\\dllhost.exe /processid") { return false }
        if line.hasPrefix("\"c:\\program files\\google\\chrome\\application\\chrome.exe\" --type=")
            || line.hasPrefix("\"c:\\program files (x86)\\google\\chrome\\application\\chrome.exe\" --type=") { return false }
        let update = "c:\\program files (x86)\\google\\update\\"
        return !image.hasPrefix(update) && !parent.image.lowercased().hasPrefix(update)
    }

    static let sysmonExcludedImages: Set<String> = [
        "c:\\windows\\system32\\conhost.exe", "c:\\windows\\system32\\wermgr.exe", "c:\\windows\\syswow64\\wermgr.exe",
        "c:\\windows\\system32\\sppsvc.exe", "c:\\windows\\system32\\compattelrunner.exe", "c:\\windows\\system32\\audiodg.exe",
        "c:\\windows\\system32\\powercfg.exe", "c:\\windows\\system32\\wbem\\wmiapsrv.exe",
    ]

    // MARK: Sysmon network, DNS, files, process access

    mutating func connect(_ p: WinProcess, on host: SimHost, at t: Timestamp, to ip: String, name: String = "-", port: Int, portName: String = "-") {
        emit(host, .sysmon, 3, at: t, [
            ("RuleName", .s("-")), ("UtcTime", .s(WindowsEventWriter.sysmonTime(t))), ("ProcessGuid", .s(p.guid)), ("ProcessId", .n(Int64(p.pid))),
            ("Image", .s(p.program.image)), ("User", .s(p.logon.sysmonUser)), ("Protocol", .s("tcp")), ("Initiated", .b(true)),
            ("SourceIsIpv6", .b(false)), ("SourceIp", .s(host.ip.description)), ("SourceHostname", .s(host.fqdn(client))),
            ("SourcePort", .n(Int64(49_152 + rng.below(16_000)))), ("SourcePortName", .s("-")), ("DestinationIsIpv6", .b(false)),
            ("DestinationIp", .s(ip)), ("DestinationHostname", .s(name)), ("DestinationPort", .n(Int64(port))), ("DestinationPortName", .s(portName)),
        ])
    }

    mutating func dns(_ p: WinProcess, on host: SimHost, at t: Timestamp, query: String, answer: String) {
        emit(host, .sysmon, 22, at: t, [
            ("RuleName", .s("-")), ("UtcTime", .s(WindowsEventWriter.sysmonTime(t))), ("ProcessGuid", .s(p.guid)), ("ProcessId", .n(Int64(p.pid))),
            ("QueryName", .s(query)), ("QueryStatus", .s("0")), ("QueryResults", .s("::ffff:" + answer + ";")), ("Image", .s(p.program.image)),
            ("User", .s(p.logon.sysmonUser)),
        ])
    }

    mutating func fileCreate(_ p: WinProcess, on host: SimHost, at t: Timestamp, path: String) {
        emit(host, .sysmon, 11, at: t, [
            ("RuleName", .s("-")), ("UtcTime", .s(WindowsEventWriter.sysmonTime(t))), ("ProcessGuid", .s(p.guid)), ("ProcessId", .n(Int64(p.pid))),
            ("Image", .s(p.program.image)), ("TargetFilename", .s(path)), ("CreationUtcTime", .s(WindowsEventWriter.sysmonTime(t))),
            ("User", .s(p.logon.sysmonUser)),
        ])
    }

    mutating func access(_ source: WinProcess, _ target: WinProcess, on host: SimHost, at t: Timestamp, mask: String, callTrace: String) {
        emit(host, .sysmon, 10, at: t, [
            ("RuleName", .s("-")), ("UtcTime", .s(WindowsEventWriter.sysmonTime(t))), ("SourceProcessGUID", .s(source.guid)),
            ("SourceProcessId", .n(Int64(source.pid))), ("SourceThreadId", .n(Int64(100 + rng.below(4_000) * 4))), ("SourceImage", .s(source.program.image)),
            ("TargetProcessGUID", .s(target.guid)), ("TargetProcessId", .n(Int64(target.pid))), ("TargetImage", .s(target.program.image)),
            ("GrantedAccess", .s(mask)), ("CallTrace", .s(callTrace)), ("SourceUser", .s(source.logon.sysmonUser)), ("TargetUser", .s(target.logon.sysmonUser)),
        ])
    }

    /// A command line as cmd.exe writes it for a command typed at its prompt or after `/c`: the
    /// typed program name, two spaces, the arguments (`ipconfig  /all`, `net  use …`). cmd
    /// writes the two spaces whether or not the name was typed with its extension or path: real
    /// Sysmon records show `powercfg.exe  /batteryreport …` and `reg  export …` under `cmd /c`
    /// (OTRF Security-Datasets, LSASS campaigns 01 and 02, the lab's network-diagnostics
    /// collection), `Sysmon64.exe  -c sysmon.workstations.cfg` and
    /// `C:\Windows\system32\ipconfig  /release` (evtx-rs test sample `sysmon.evtx`). Benign
    /// consoles, agents' `cmd /c` runs and the scenarios' shells all go through it, so a typed
    /// command reads the same in any of them.
    static func typed(_ line: String) -> String {
        guard let space = line.firstIndex(of: " ") else { return line }
        let name = line[..<space]
        if line[line.index(after: space)...].hasPrefix(" ") { return line }
        return name + "  " + line[line.index(after: space)...]
    }

    // MARK: PsExec's remote side

    /// What PsExec does on the target before its command runs (Sysinternals, "PsExec",
    /// Microsoft Learn: it copies PSEXESVC.exe to the target's ADMIN$ share and installs and
    /// starts the PSEXESVC service, which starts the command; the account's network logon and
    /// share access are Security 4624 type 3, 5140 and 5145 on the target): a service ticket
    /// for the target, the admin's network logon, ADMIN$ and the copied binary. The same code
    /// writes IT's everyday PsExec and an intruder's. Returns the remote logon.
    mutating func psexecConnect(_ account: SimUser, from source: SimHost, to target: SimHost, dc: SimHost, at t: Timestamp) -> WinLogon {
        serviceTicket(account.name, service: target.name + "$", serviceSID: computerSID(target), from: source, on: dc, at: t)
        var remote = user(account)
        remote.isAdmin = true
        logon(remote, type: 3, on: target, at: Self.plus(t, 0.1), from: source)
        shareAccess(remote, on: target, at: Self.plus(t, 0.2), from: source, share: "\\\\*\\ADMIN$", path: "\\??\\C:\\Windows")
        shareAccess(remote, on: target, at: Self.plus(t, 0.3), from: source, share: "\\\\*\\ADMIN$", path: "\\??\\C:\\Windows", relative: "PSEXESVC.exe")
        return remote
    }

    /// The PSEXESVC service (7045, 4697), its process under services.exe, and the command it
    /// starts as SYSTEM (`-s`): the program name as typed on PsExec's command line, quoted, then
    /// its arguments (`"cmd.exe" `, `"gpupdate" /force`).
    mutating func psexecService(_ remote: WinLogon, on target: SimHost, at t: Timestamp, program: WinProgram, typed name: String, arguments: String) -> WinProcess {
        serviceInstalled(remote, on: target, at: t, name: "PSEXESVC", display: "PSEXESVC", path: "%SystemRoot%\\PSEXESVC.exe", start: "demand start")
        let system = WinLogon.system(target, client)
        let services = existing(.services, on: target, logon: system, commandLine: "C:\\Windows\\system32\\services.exe", at: t)
        let svc = start(.psexesvc, "C:\\Windows\\PSEXESVC.exe", parent: services, on: target, at: Self.plus(t, 0.3))
        return start(program, "\"" + name + "\" " + arguments, parent: svc, on: target, at: Self.plus(t, 0.8))
    }

    static func plus(_ t: Timestamp, _ seconds: Double) -> Timestamp { Timestamp(microseconds: t.microseconds + Int64(seconds * 1_000_000)) }

    static let callTrace = "C:\\Windows\\SYSTEM32\\ntdll.dll+9f8a4|C:\\Windows\\System32\\KERNELBASE.dll+7a5fe"

    // MARK: Logons

    /// 4624 (+ 4672 for administrators) for `logon` on `host`.
    mutating func logon(_ logon: WinLogon, type: Int, on host: SimHost, at t: Timestamp, from source: SimHost? = nil, sourceIP: String? = nil,
                        kerberos: Bool = true, workstation: String? = nil) {
        let interactive = type == 2 || type == 7 || type == 10 || type == 11
        let ip = sourceIP ?? (interactive && type != 10 ? "127.0.0.1" : source?.ip.description ?? "-")
        let port = ip == "-" ? "-" : (interactive && type != 10 ? "0" : String(49_152 + rng.below(16_000)))
        let package = interactive ? "Negotiate" : (kerberos ? "Kerberos" : "NTLM")
        emit(host, .security, 4624, at: t, [
            ("SubjectUserSid", .s(interactive ? "S-1-5-18" : "S-1-0-0")), ("SubjectUserName", .s(interactive ? host.name + "$" : "-")),
            ("SubjectDomainName", .s(interactive ? client.domain : "-")), ("SubjectLogonId", .s(interactive ? "0x3e7" : "0x0")),
            ("TargetUserSid", .s(logon.sid)), ("TargetUserName", .s(logon.name)), ("TargetDomainName", .s(logon.domain)),
            ("TargetLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("LogonType", .n(Int64(type))),
            ("LogonProcessName", .s(interactive ? "User32 " : (kerberos ? "Kerberos" : "NtLmSsp "))), ("AuthenticationPackageName", .s(package)),
            // The machine the logon came from (Microsoft, "4624(S): An account was successfully
            // logged on": "machine name from which logon attempt was performed"): the host itself
            // for a console logon, the RDP client for a remote interactive one (type 10).
            ("WorkstationName", .s(interactive ? (type == 10 ? (workstation ?? source?.name ?? host.name) : host.name)
                                               : (kerberos ? "-" : (workstation ?? source?.name ?? "-")))),
            ("LogonGuid", .s(kerberos || interactive ? logon.logonGuid : "00000000-0000-0000-0000-000000000000")),
            ("TransmittedServices", .s("-")), ("LmPackageName", .s(!kerberos && !interactive ? "NTLM V2" : "-")),
            ("KeyLength", .n(!kerberos && !interactive ? 128 : 0)),
            ("ProcessId", .s(interactive ? WindowsEventWriter.hexID(Int64(WindowsEventWriter.stableHash(host.name + "winlogon") % 400 * 4 + 700)) : "0x0")),
            ("ProcessName", .s(interactive ? "C:\\Windows\\System32\\winlogon.exe" : "-")), ("IpAddress", .s(ip)), ("IpPort", .s(port)),
            ("ImpersonationLevel", .s("%%1833")), ("RestrictedAdminMode", .s(type == 10 ? "%%1843" : "-")), ("TargetOutboundUserName", .s("-")),
            ("TargetOutboundDomainName", .s("-")), ("VirtualAccount", .s("%%1843")), ("TargetLinkedLogonId", .s("0x0")),
            ("ElevatedToken", .s(logon.isAdmin ? "%%1842" : "%%1843")),
        ], activity: true)
        if logon.isAdmin {
            emit(host, .security, 4672, at: Timestamp(microseconds: t.microseconds + 10 + Int64(rng.below(400))), [
                ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
                ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))),
                ("PrivilegeList", .s("SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege")),
            ], activity: true)
        }
    }

    /// 4625. `status`/`failureReason` default to a bad password or unknown name (0xC000006D,
    /// %%2313); a locked-out account is 0xC0000234 with sub-status 0x0 and %%2307 (Microsoft,
    /// "4625(F): An account failed to log on", status and sub-status tables). `subject`: the
    /// local process that asked (a scheduled task's batch logon, type 4, by the Task Scheduler
    /// service), else a network logon by NTLM.
    mutating func failedLogon(_ name: String, sid: String = "S-1-0-0", type: Int, on host: SimHost, at t: Timestamp, sourceIP: String, workstation: String,
                              subStatus: String = "0xc000006a", domain: String? = nil, status: String = "0xc000006d", failureReason: String = "%%2313",
                              subject: (process: WinProcess, logon: WinLogon)? = nil) {
        let local = subject
        emit(host, .security, 4625, at: t, [
            ("SubjectUserSid", .s(local?.logon.sid ?? "S-1-0-0")), ("SubjectUserName", .s(local?.logon.name ?? "-")),
            ("SubjectDomainName", .s(local?.logon.domain ?? "-")), ("SubjectLogonId", .s(local.map { WindowsEventWriter.hexID($0.logon.logonID) } ?? "0x0")),
            ("TargetUserSid", .s(sid)), ("TargetUserName", .s(name)), ("TargetDomainName", .s(domain ?? client.domain)),
            ("Status", .s(status)), ("FailureReason", .s(failureReason)), ("SubStatus", .s(subStatus)),
            ("LogonType", .n(Int64(type))), ("LogonProcessName", .s(local == nil ? "NtLmSsp " : "Advapi  ")),
            ("AuthenticationPackageName", .s(local == nil ? "NTLM" : "Negotiate")),
            ("WorkstationName", .s(workstation)), ("TransmittedServices", .s("-")), ("LmPackageName", .s("-")), ("KeyLength", .n(0)),
            ("ProcessId", .s(local.map { WindowsEventWriter.hexID(Int64($0.process.pid)) } ?? "0x0")), ("ProcessName", .s(local?.process.program.image ?? "-")),
            ("IpAddress", .s(sourceIP)), ("IpPort", .s(local == nil ? String(49_152 + rng.below(16_000)) : "-")),
        ], activity: true)
    }

    /// 4771 on the DC: Kerberos pre-authentication failed (0x18: a wrong password; Microsoft,
    /// "4771(F): Kerberos pre-authentication failed").
    mutating func preauthFailure(_ name: String, sid: String, from source: SimHost, on dc: SimHost, at t: Timestamp, status: String = "0x18") {
        emit(dc, .security, 4771, at: t, [
            ("TargetUserName", .s(name)), ("TargetSid", .s(sid)), ("ServiceName", .s("krbtgt/" + client.dnsDomain.uppercased())),
            ("TicketOptions", .s("0x40810010")), ("Status", .s(status)), ("PreAuthType", .s("2")),
            ("IpAddress", .s("::ffff:" + source.ip.description)), ("IpPort", .s(String(49_152 + rng.below(16_000)))),
            ("CertIssuerName", .s("")), ("CertSerialNumber", .s("")), ("CertThumbprint", .s("")),
        ], keywords: false)
    }

    /// 4740 on the DC: the account reached the lockout threshold (`caller`: the machine the
    /// last bad attempt came from; Microsoft, "4740(S): A user account was locked out").
    mutating func lockedOut(_ name: String, sid: String, caller: String, on dc: SimHost, at t: Timestamp) {
        emit(dc, .security, 4740, at: t, [
            ("TargetUserName", .s(name)), ("TargetDomainName", .s(caller)), ("TargetSid", .s(sid)),
            ("SubjectUserSid", .s("S-1-5-18")), ("SubjectUserName", .s(dc.name + "$")), ("SubjectDomainName", .s(client.domain)),
            ("SubjectLogonId", .s("0x3e7")),
        ])
    }

    mutating func logoff(_ logon: WinLogon, type: Int, on host: SimHost, at t: Timestamp, userInitiated: Bool = false) {
        if userInitiated {
            emit(host, .security, 4647, at: t, [
                ("TargetUserSid", .s(logon.sid)), ("TargetUserName", .s(logon.name)), ("TargetDomainName", .s(logon.domain)),
                ("TargetLogonId", .s(WindowsEventWriter.hexID(logon.logonID))),
            ], activity: true)
        }
        emit(host, .security, 4634, at: Timestamp(microseconds: t.microseconds + (userInitiated ? Int64(1_000_000 + rng.below(3_000_000)) : 0)), [
            ("TargetUserSid", .s(logon.sid)), ("TargetUserName", .s(logon.name)), ("TargetDomainName", .s(logon.domain)),
            ("TargetLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("LogonType", .n(Int64(type))),
        ])
    }

    mutating func lock(_ logon: WinLogon, on host: SimHost, at t: Timestamp, unlock: Bool) {
        emit(host, .security, unlock ? 4801 : 4800, at: t, [
            ("TargetUserSid", .s(logon.sid)), ("TargetUserName", .s(logon.name)), ("TargetDomainName", .s(logon.domain)),
            ("TargetLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("SessionId", .n(Int64(logon.session))),
        ])
    }

    /// 4778 (reconnect) / 4779 (disconnect) of an RDP session.
    mutating func rdpSession(_ logon: WinLogon, on host: SimHost, at t: Timestamp, from client: SimHost, reconnect: Bool, sessionNumber: Int) {
        emit(host, .security, reconnect ? 4778 : 4779, at: t, [
            ("AccountName", .s(logon.name)), ("AccountDomain", .s(logon.domain)), ("LogonID", .s(WindowsEventWriter.hexID(logon.logonID))),
            ("SessionName", .s("RDP-Tcp#\(sessionNumber)")), ("ClientName", .s(client.name)), ("ClientAddress", .s(client.ip.description)),
        ])
    }

    // MARK: Domain controller

    mutating func tgt(_ name: String, sid: String, from source: SimHost, on dc: SimHost, at t: Timestamp) {
        emit(dc, .security, 4768, at: t, [
            ("TargetUserName", .s(name)), ("TargetDomainName", .s(client.domain)), ("TargetSid", .s(sid)), ("ServiceName", .s("krbtgt")),
            ("ServiceSid", .s(sidBase + "-502")), ("TicketOptions", .s("0x40810010")), ("Status", .s("0x0")), ("TicketEncryptionType", .s("0x12")),
            ("PreAuthType", .s("2")), ("IpAddress", .s("::ffff:" + source.ip.description)), ("IpPort", .s(String(49_152 + rng.below(16_000)))),
            ("CertIssuerName", .s("")), ("CertSerialNumber", .s("")), ("CertThumbprint", .s("")),
        ])
    }

    mutating func serviceTicket(_ name: String, service: String, serviceSID: String, from source: SimHost, on dc: SimHost, at t: Timestamp) {
        emit(dc, .security, 4769, at: t, [
            ("TargetUserName", .s(name + "@" + client.dnsDomain.uppercased())), ("TargetDomainName", .s(client.dnsDomain.uppercased())),
            ("ServiceName", .s(service)), ("ServiceSid", .s(serviceSID)), ("TicketOptions", .s("0x40810000")), ("TicketEncryptionType", .s("0x12")),
            ("IpAddress", .s("::ffff:" + source.ip.description)), ("IpPort", .s(String(49_152 + rng.below(16_000)))), ("Status", .s("0x0")),
            ("LogonGuid", .s(WindowsEventWriter.guid(&rng))), ("TransmittedServices", .s("-")),
        ])
    }

    mutating func ntlmValidation(_ name: String, workstation: String, on dc: SimHost, at t: Timestamp, status: String = "0x0") {
        emit(dc, .security, 4776, at: t, [
            ("PackageName", .s("MICROSOFT_AUTHENTICATION_PACKAGE_V1_0")), ("TargetUserName", .s(name)), ("Workstation", .s(workstation)),
            ("Status", .s(status)),
        ], keywords: status == "0x0")
    }

    var sidBase: String {
        let s = client.users.first?.sid ?? "S-1-5-21-0-0-0-1000"
        return String(s[..<(s.lastIndex(of: "-") ?? s.endIndex)])
    }

    /// The SID of a computer account (stable per host).
    func computerSID(_ host: SimHost) -> String { sidBase + "-" + String(1_000 + Int(WindowsEventWriter.stableHash(host.name) % 90)) }

    // MARK: Shares, tasks, services, log clearing

    mutating func shareAccess(_ logon: WinLogon, on host: SimHost, at t: Timestamp, from source: SimHost?, sourceIP: String? = nil, share: String, path: String,
                              relative: String? = nil) {
        let ip = sourceIP ?? source?.ip.description ?? "-"
        if let relative {
            emit(host, .security, 5145, at: t, [
                ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
                ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("ObjectType", .s("File")), ("IpAddress", .s(ip)),
                ("IpPort", .s(String(49_152 + rng.below(16_000)))), ("ShareName", .s(share)), ("ShareLocalPath", .s(path)),
                ("RelativeTargetName", .s(relative)), ("AccessMask", .s("0x12019f")),
                ("AccessList", .s("%%1538\r\n\t\t\t\t%%1541\r\n\t\t\t\t%%4416\r\n\t\t\t\t%%4417\r\n\t\t\t\t%%4418\r\n\t\t\t\t%%4419\r\n\t\t\t\t%%4420\r\n\t\t\t\t%%4423\r\n\t\t\t\t%%4424\r\n\t\t\t\t")),
                ("AccessReason", .s("-")),
            ])
        } else {
            emit(host, .security, 5140, at: t, [
                ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
                ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("ObjectType", .s("File")), ("IpAddress", .s(ip)),
                ("IpPort", .s(String(49_152 + rng.below(16_000)))), ("ShareName", .s(share)), ("ShareLocalPath", .s(path)),
                ("AccessMask", .s("0x1")), ("AccessList", .s("%%4416\r\n\t\t\t\t")),
            ])
        }
    }

    mutating func taskCreated(_ logon: WinLogon, on host: SimHost, at t: Timestamp, name: String, command: String, arguments: String, author: String) {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n  <RegistrationInfo>\r\n    <Author>\(author)</Author>\r\n    <URI>\(name)</URI>\r\n  </RegistrationInfo>\r\n  <Triggers>\r\n    <CalendarTrigger>\r\n      <StartBoundary>2026-03-01T09:00:00</StartBoundary>\r\n      <Enabled>true</Enabled>\r\n      <ScheduleByDay>\r\n        <DaysInterval>1</DaysInterval>\r\n      </ScheduleByDay>\r\n    </CalendarTrigger>\r\n  </Triggers>\r\n  <Principals>\r\n    <Principal id=\"Author\">\r\n      <UserId>\(logon.sid)</UserId>\r\n      <RunLevel>HighestAvailable</RunLevel>\r\n    </Principal>\r\n  </Principals>\r\n  <Settings>\r\n    <Enabled>true</Enabled>\r\n  </Settings>\r\n  <Actions Context=\"Author\">\r\n    <Exec>\r\n      <Command>\(command)</Command>\r\n      <Arguments>\(arguments)</Arguments>\r\n    </Exec>\r\n  </Actions>\r\n</Task>"
        emit(host, .security, 4698, at: t, [
            ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
            ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("TaskName", .s(name)), ("TaskContent", .s(xml)),
            ("ClientProcessStartKey", .n(Int64(4_503_599_627_370_000 + rng.below(9_000)))), ("ClientProcessId", .n(Int64(newPID()))),
            ("ParentProcessId", .n(Int64(newPID()))), ("RpcCallClientLocality", .n(0)), ("FQDN", .s(host.fqdn(client))),
        ])
    }

    /// 7045 in System and 4697 in Security for a service install.
    mutating func serviceInstalled(_ logon: WinLogon, on host: SimHost, at t: Timestamp, name: String, display: String, path: String, start: String = "auto start",
                                   account: String = "LocalSystem") {
        emit(host, .system, 7045, at: t, [
            ("ServiceName", .s(display)), ("ImagePath", .s(path)), ("ServiceType", .s("user mode service")), ("StartType", .s(start)),
            ("AccountName", .s(account)),
        ], userSID: logon.sid)
        emit(host, .security, 4697, at: Timestamp(microseconds: t.microseconds + Int64(rng.below(2_000))), [
            ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
            ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))), ("ServiceName", .s(name)), ("ServiceFileName", .s(path)),
            ("ServiceType", .s("0x10")), ("ServiceStartType", .n(start == "auto start" ? 2 : 3)), ("ServiceAccount", .s(account)),
        ])
    }

    mutating func logCleared(_ logon: WinLogon, on host: SimHost, at t: Timestamp) {
        emit(host, .security, 1102, at: t, [
            ("SubjectUserSid", .s(logon.sid)), ("SubjectUserName", .s(logon.name)), ("SubjectDomainName", .s(logon.domain)),
            ("SubjectLogonId", .s(WindowsEventWriter.hexID(logon.logonID))),
        ])
    }
}

extension WindowsRecorder {
    /// 4776 failures carry the failure keyword.
    mutating func emit(_ host: SimHost, _ channel: WinChannel, _ id: Int, at t: Timestamp, _ data: [(String, WinValue)], keywords success: Bool) {
        emit(host, channel, id, at: t, data)
        if !success, var last = events.popLast() {
            last.keywordsOverride = WinEventKind.failure
            events.append(last)
        }
    }
}
