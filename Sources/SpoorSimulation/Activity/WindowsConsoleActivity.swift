import SpoorCore

/// System tools that a domain runs all day under its own accounts: the logon script, the
/// admins' and helpdesk's console checks, developers' shells, the inventory agent.
///
/// - **Logon script.** The user object's logon script (`scriptPath`, run from the NETLOGON
///   share by userinit at each logon) maps the drives with `net use` (Microsoft, "Logon
///   scripts", Active Directory Users and Computers, Profile tab; "net use", Windows Commands
///   reference). Every working day, every person.
/// - **Administrators and helpdesk** at their own workstation: a console to answer a ticket:
///   who is logged on, the network, name resolution, an account's lockout and group state, a
///   service on a server (`whoami`, `ipconfig`, `ping`, `nslookup`, `net user … /domain`,
///   `quser`, `sc \\server query`, `tasklist /s`, `systeminfo`, `gpresult /r`; the tools of the
///   Windows Commands reference, Microsoft Learn). About ten consoles a day, one to five
///   commands each.
/// - **Developers**: a shell with git and network checks, about six a day, one to four commands.
/// - **Inventory agent** (as SYSTEM): an inventory run every four hours through `cmd.exe /c` with
///   `reg.exe query`, `wmic` and `ipconfig`, as RMM and inventory agents collect installed
///   software and network configuration.
extension WindowsActivity.Generator {
    static let net = WinProgram.system("net.exe", "Net Command", original: "net.exe")
    static let ipconfig = WinProgram.system("ipconfig.exe", "IP Configuration Utility", original: "ipconfig.exe")
    static let ping = WinProgram.system("PING.EXE", "TCP/IP Ping Command", original: "ping.exe")
    static let nslookup = WinProgram.system("nslookup.exe", "nslookup", original: "nslookup.exe")
    static let quser = WinProgram.system("quser.exe", "Query User Utility", original: "quser.exe")
    static let tasklist = WinProgram.system("tasklist.exe", "Lists the current running tasks", original: "tasklist.exe")
    static let systeminfo = WinProgram.system("systeminfo.exe", "Displays system information", original: "sysinfo.exe")
    static let gpresult = WinProgram.system("gpresult.exe", "Query Group Policy RSOP Data", original: "gprslt.exe")
    static let reg = WinProgram.system("reg.exe", "Registry Console Tool", original: "reg.exe")
    static let wmic = WinProgram.system("WMIC.exe", "WMI Commandline Utility", original: "wmic.exe", folder: "C:\\Windows\\System32\\wbem\\")
    static let hostname = WinProgram.system("HOSTNAME.EXE", "Hostname APP", original: "hostname.exe")
    static let git = WinProgram(image: "C:\\Program Files\\Git\\cmd\\git.exe", fileVersion: "2.47.1.1", description: "Git for Windows",
                                product: "Git", company: "The Git Development Community", originalFileName: "git.exe")
    static let inventoryAgent = WinProgram(image: "C:\\Program Files\\IT Inventory\\InventoryAgent.exe", fileVersion: "8.4.2.0", description: "Inventory Agent",
                                           product: "IT Inventory", company: "IT Inventory", originalFileName: "InventoryAgent.exe")

    static let sihost = WinProgram.system("sihost.exe", "Shell Infrastructure Host", original: "sihost.exe")
    static let ctfmon = WinProgram.system("ctfmon.exe", "CTF Loader", original: "CTFMON.EXE")
    static let dllhost = WinProgram.system("dllhost.exe", "COM Surrogate", original: "dllhost.exe")
    static let securityHealthSystray = WinProgram.system("SecurityHealthSystray.exe", "Windows Security notification icon", original: "SecurityHealthSystray.exe")
    static let consoleHost = "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1"

    /// The processes Windows starts in every interactive session, as the user: the shell
    /// infrastructure host and the session's task host (by the user-manager and Task Scheduler
    /// services), the text-input loader, the Windows Security tray icon; then, through the day,
    /// COM surrogates (`dllhost.exe /Processid:{…}`: thumbnails, shell extensions) every 20
    /// minutes or so (Russinovich, Solomon and Ionescu, "Windows Internals", 7th ed., part 1,
    /// ch. 2 and 3: session start-up processes; Microsoft, "COM surrogate", DllSurrogate).
    func sessionProcesses(_ user: SimUser, on ws: SimHost, logon: WinLogon, explorer: WinProcess, from arrive: Double, to leave: Double, day: Int,
                          _ rec: inout WindowsRecorder) {
        let system = WinLogon.system(ws, client)
        let start = t(day, arrive)
        let userManager = rec.existing(.svchost, on: ws, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s UserManager", at: start)
        let schedule = rec.existing(.svchost, on: ws, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", at: start)
        let dcomLaunch = rec.existing(.svchost, on: ws, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", at: start)
        rec.start(Self.sihost, "sihost.exe", parent: userManager, logon: logon, on: ws, at: Self.plus(start, 0.6), directory: "C:\\Windows\\system32\\")
        rec.start(.taskhostw, "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", parent: schedule, logon: logon, on: ws, at: Self.plus(start, 0.8),
                  directory: "C:\\Windows\\system32\\")
        rec.start(Self.ctfmon, "\"ctfmon.exe\"", parent: schedule, logon: logon, on: ws, at: Self.plus(start, 1.1), directory: "C:\\Windows\\system32\\")
        rec.start(Self.securityHealthSystray, "\"C:\\Windows\\System32\\SecurityHealthSystray.exe\" ", parent: explorer, on: ws, at: Self.plus(start, 9))
        var s = arrive + rec.rng.exponential(mean: 1_200)
        while s < leave {
            rec.start(Self.dllhost, "C:\\Windows\\system32\\DllHost.exe /Processid:{" + rec.rng.pick(Self.surrogates) + "}", parent: dcomLaunch, logon: logon,
                      on: ws, at: t(day, s), directory: "C:\\Windows\\system32\\")
            s += rec.rng.exponential(mean: 1_200)
        }
    }

    /// COM classes Explorer and the shell start in a surrogate (thumbnail cache, shell
    /// notifications, the AppX/Start menu brokers).
    static let surrogates = ["AB8902B4-09CA-4BB6-B78D-A8F59079A8D5", "3EB3C877-1F16-487C-9050-104DBCD66683", "973D20D7-562D-44B9-B70B-5A0F49CCDF3F",
                             "76D0CB12-7604-4048-B83C-1005C7DDC503", "E10F6C3A-F1AE-4ADC-AA9D-2FE65525666E"]

    /// The logon script: `cmd.exe /c \\domain\NETLOGON\logon.bat`, then its `net use` lines.
    func logonScript(_ user: SimUser, on ws: SimHost, userinit: WinProcess, at start: Timestamp, _ rec: inout WindowsRecorder) {
        let cmd = rec.start(.cmd, "C:\\Windows\\system32\\cmd.exe /c \"\\\\" + client.dnsDomain + "\\NETLOGON\\logon.bat\"", parent: userinit, on: ws, at: start,
                            directory: "\\\\" + client.dnsDomain + "\\NETLOGON\\", integrity: "Medium")
        rec.start(.conhost, Self.consoleHost, parent: cmd, on: ws, at: Self.plus(start, 0.05), directory: "C:\\Windows\\system32\\", integrity: "Medium")
        var at = Self.plus(start, 0.3 + rec.rng.unit())
        let server = fs.name
        for line in ["net  use H: \\\\\(server)\\home$\\\(user.name) /persistent:no", "net  use S: \\\\\(server)\\Shares /persistent:no"] {
            rec.start(Self.net, line, parent: cmd, on: ws, at: at, directory: "\\\\" + client.dnsDomain + "\\NETLOGON\\", integrity: "Medium")
            at = Self.plus(at, 0.4 + rec.rng.exponential(mean: 0.8))
        }
        if rec.rng.chance(0.3) {
            rec.start(Self.net, "net  use P: \\\\\(server)\\Public /persistent:no", parent: cmd, on: ws, at: at, directory: "\\\\" + client.dnsDomain + "\\NETLOGON\\", integrity: "Medium")
        }
    }

    /// Console work at the user's own workstation during the day (admins and developers).
    func consoleWork(_ user: SimUser, on ws: SimHost, logon: WinLogon, explorer: WinProcess, from arrive: Double, to leave: Double, day: Int,
                     _ rec: inout WindowsRecorder) {
        let mean: Double = user.role == .admin ? 10 : (user.role == .developer ? 6 : 0)
        guard mean > 0, leave > arrive else { return }
        var s = arrive + rec.rng.exponential(mean: (leave - arrive) / mean)
        while s < leave {
            let now = t(day, s)
            let elevated = user.role == .admin && rec.rng.chance(0.3)
            let level = elevated ? "High" : "Medium"
            let usePowerShell = rec.rng.chance(user.role == .developer ? 0.4 : 0.2)
            let shell = rec.start(usePowerShell ? .powershell : .cmd,
                                  usePowerShell ? "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" " : "\"C:\\Windows\\system32\\cmd.exe\" ",
                                  parent: explorer, on: ws, at: now, integrity: level)
            rec.start(.conhost, Self.consoleHost, parent: shell, on: ws, at: Self.plus(now, 0.05), directory: "C:\\Windows\\system32\\", integrity: level)
            var k = 3 + rec.rng.exponential(mean: 6)
            let servers = client.hosts.filter { $0.role != .workstation }
            var side = rec.side("tnc|" + ws.name + "|\(now.microseconds)", seed: context.config.seed)
            if usePowerShell, !servers.isEmpty, side.rng.chance(0.3) {
                // A reachability check in PowerShell itself (`Test-NetConnection <host> -Port <n>`,
                // NetTCPIP module, Microsoft Learn): the shell resolves the name and connects.
                let server = side.rng.pick(servers)
                let at = Self.plus(now, k)
                side.dns(shell, on: ws, at: at, query: server.fqdn(client), answer: server.ip.description)
                side.connect(shell, on: ws, at: Self.plus(at, 0.02), to: server.ip.description, name: server.fqdn(client), port: side.rng.pick([445, 3389, 5985, 443, 22]))
                rec.absorb(side)
            }
            let lines = user.role == .admin ? adminCommands(user, &rec.rng) : developerCommands(user, &rec.rng)
            for (program, typed) in lines {
                // cmd writes the typed name and two spaces; PowerShell starts the resolved path, quoted.
                var line = typed
                if usePowerShell, let space = typed.firstIndex(of: " ") {
                    line = "\"" + program.image + "\" " + typed[space...].drop(while: { $0 == " " })
                } else if usePowerShell {
                    line = "\"" + program.image + "\""
                }
                rec.start(program, line, parent: shell, on: ws, at: Self.plus(now, k), integrity: level)
                k += 2 + rec.rng.exponential(mean: 15)
            }
            s += rec.rng.exponential(mean: (leave - arrive) / mean)
        }
    }

    /// One to four helpdesk checks: about a colleague, a server, the network.
    func adminCommands(_ user: SimUser, _ rng: inout SplitMix64) -> [(WinProgram, String)] {
        let colleague = client.people.isEmpty ? user.name : rng.pick(client.people).name
        let server = rng.pick(client.hosts.filter { $0.role != .workstation })
        let ws = client.workstations.isEmpty ? server : rng.pick(client.workstations)
        let choices: [(WinProgram, String)] = [
            (.whoami, rng.chance(0.5) ? "whoami" : "whoami  /groups"),
            (Self.ipconfig, rng.pick(["ipconfig", "ipconfig  /all", "ipconfig  /flushdns"])),
            (Self.ping, "ping  " + rng.pick([server.name, ws.name, server.fqdn(client), "8.8.8.8"])),
            (Self.nslookup, "nslookup  " + rng.pick([server.fqdn(client), ws.fqdn(client), "outlook.office365.com"])),
            (Self.net, "net  user " + colleague + " /domain"),
            (Self.net, "net  group \"" + rng.pick(["Domain Users", "Buchhaltung", "VPN-Users", "Remote Desktop Users"]) + "\" /domain"),
            (Self.quser, "quser  /server:" + rng.pick([server.name, ws.name])),
            (.sc, "sc.exe  \\\\" + server.name + " query " + rng.pick(["spooler", "wuauserv", "MSSQLSERVER", "LanmanServer"])),
            (Self.tasklist, "tasklist  /s " + ws.name + rng.pick(["", " /v", " /fi \"imagename eq outlook.exe\""])),
            (Self.systeminfo, "systeminfo  /s " + ws.name),
            (Self.gpresult, rng.pick(["gpresult  /r", "gpresult  /r /scope:user"])),
        ]
        return (0..<(1 + rng.below(5))).map { _ in rng.pick(choices) }
    }

    /// A developer's shell: git, a network check, now and then who-am-I.
    func developerCommands(_ user: SimUser, _ rng: inout SplitMix64) -> [(WinProgram, String)] {
        let choices: [(WinProgram, String)] = [
            (Self.git, "git  " + rng.pick(["status", "pull", "fetch --all", "log --oneline -20", "checkout -b feature/" + rng.pick(["invoice-export", "login-fix", "report-pdf"])])),
            (Self.git, "git  " + rng.pick(["push", "diff", "commit -m \"wip\"", "rebase main"])),
            (Self.ipconfig, rng.pick(["ipconfig", "ipconfig  /all"])),
            (Self.ping, "ping  " + rng.pick(["db01", "web01", "github.com"])),
            (Self.nslookup, "nslookup  " + rng.pick(["db01." + client.dnsDomain, "github.com"])),
            (.whoami, "whoami"),
            (Self.hostname, "hostname"),
        ]
        return (0..<(1 + rng.below(4))).map { _ in rng.pick(choices) }
    }

    /// The inventory agent's run as SYSTEM, about every four hours on every Windows machine.
    func inventoryRuns(_ host: SimHost, day: Int, _ rec: inout WindowsRecorder) {
        let system = WinLogon.system(host, client)
        let agent = rec.existing(Self.inventoryAgent, on: host, logon: system, commandLine: "\"" + Self.inventoryAgent.image + "\" -service", at: t(day, 0))
        var s = rec.rng.unit() * 14_400
        while s < 86_400 {
            let now = t(day, s)
            let cmd = rec.start(.cmd, "C:\\Windows\\system32\\cmd.exe /c " + rec.rng.pick([
                "reg query \"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\" /s",
                "wmic qfe list brief", "ipconfig /all", "wmic logicaldisk get size,freespace,caption",
            ]), parent: agent, on: host, at: now)
            let line = cmd.commandLine.dropFirst("C:\\Windows\\system32\\cmd.exe /c ".count)
            let program: WinProgram = line.hasPrefix("reg") ? Self.reg : (line.hasPrefix("wmic") ? Self.wmic : Self.ipconfig)
            // cmd starts the command as typed after `/c`, with its two spaces (`reg  query …`).
            rec.start(program, WindowsRecorder.typed(String(line)), parent: cmd, on: host, at: Self.plus(now, 0.05 + rec.rng.unit() * 0.2))
            s += 14_400 + rec.rng.normal(mean: 0, deviation: 300)
        }
    }
}
