import Foundation
import SpoorCore

/// Benign Windows activity of every client: people log on at their working hours, lock and
/// unlock, browse, open documents and log off; machines renew Kerberos tickets and run their
/// scheduled housekeeping; admins work on the servers over RDP (and run encoded PowerShell,
/// the hard negative); the backup account reads the file server at night; updates install
/// services and tasks.
enum WindowsActivity {
    static let all: [ActivityEntry] = [ActivityEntry(name: "windows", run: { run(&$0) })]

    static func run(_ context: inout SimulationContext) {
        let client = context.client
        guard let dc = client.domainController else { return }
        var rec = WindowsRecorder(client: client, rng: context.rng.split())
        let g = Generator(client: client, dc: dc, fs: client.hosts(.fileServer).first ?? dc, context: context)
        let stale = g.staleSources(&rec.rng)
        for day in 0..<context.config.days {
            for host in client.hosts where host.os == .windows { g.machineDay(host, day: day, &rec) }
            for ws in client.workstations {
                if let owner = ws.owner.flatMap(client.user) { g.userDay(owner, at: ws, day: day, &rec) }
            }
            for (i, admin) in client.admins.enumerated() where !client.workstations.isEmpty {
                let ws = client.workstations[client.workstations.count - 1 - i % client.workstations.count]
                g.userDay(admin, at: ws, day: day, &rec)
            }
            g.backupNight(day: day, &rec)
            g.internetRDPNoise(day: day, &rec)
            g.staleCredentials(day: day, &rec)
            g.staleFailures(stale, day: day, &rec)
        }
        flush(rec.events, into: &context)
    }

    /// Spaces the events of each host and channel at least one record-id tick apart (so ids
    /// increase strictly in file order), then adds them in generation order.
    static func flush(_ events: [WinEvent], into context: inout SimulationContext) {
        var order = Array(events.indices)
        order.sort { a, b in
            let x = events[a], y = events[b]
            if x.host.name != y.host.name { return x.host.name < y.host.name }
            if x.channel != y.channel { return x.channel.rawValue < y.channel.rawValue }
            if x.time != y.time { return x.time < y.time }
            return a < b
        }
        var spaced = events
        var previous: (String, WinChannel, Int64)? = nil
        let tick = WindowsEventWriter.tickMicroseconds
        let start = context.start.microseconds
        for i in order {
            var e = events[i]
            let t = e.time.microseconds
            if let p = previous, p.0 == e.host.name, p.1 == e.channel, (t - start) / tick <= (p.2 - start) / tick {
                e.time = Timestamp(microseconds: ((p.2 - start) / tick + 1) * tick + start + (t % 997))
            }
            previous = (e.host.name, e.channel, e.time.microseconds)
            spaced[i] = e
        }
        for e in spaced where e.time >= context.start && e.time < context.end { WindowsEventWriter.add(e, to: &context) }
    }

    struct Generator {
        let client: SimClient
        let dc: SimHost
        let fs: SimHost
        let context: SimulationContext

        init(client: SimClient, dc: SimHost, fs: SimHost, context: SimulationContext) {
            self.client = client
            self.dc = dc
            self.fs = fs
            self.context = context
        }

        func t(_ day: Int, _ seconds: Double) -> Timestamp { context.time(day: day, localSeconds: seconds) }
        func weekday(_ day: Int) -> Int { context.local(t(day, 43_200)).weekday }
        static func plus(_ t: Timestamp, _ seconds: Double) -> Timestamp { Timestamp(microseconds: t.microseconds + Int64(seconds * 1_000_000)) }

        /// What every Windows machine does around the clock: service housekeeping, Kerberos
        /// renewals of its computer account, Defender touching lsass, updates.
        func machineDay(_ host: SimHost, day: Int, _ rec: inout WindowsRecorder) {
            let system = WinLogon.system(host, client)
            let dayStart = t(day, 0)
            let services = rec.existing(.services, on: host, logon: system, commandLine: "C:\\Windows\\system32\\services.exe", at: dayStart)
            let svchost = rec.existing(.svchost, on: host, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", at: dayStart)
            let lsass = rec.existing(.lsass, on: host, logon: system, commandLine: "C:\\Windows\\system32\\lsass.exe", at: dayStart)
            let defender = rec.existing(.msMpEng, on: host, logon: system, commandLine: "\"" + WinProgram.msMpEng.image + "\"", at: dayStart)
            var s = rec.rng.exponential(mean: 1_800)
            while s < 86_400 {
                let now = t(day, s)
                switch rec.rng.below(6) {
                case 0: rec.start(.taskhostw, "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly", parent: svchost, on: host, at: now)
                case 1: rec.start(.backgroundTaskHost, "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:BackgroundTaskHost.WebAccountProvider", parent: svchost, on: host, at: now)
                case 2:
                    let w = rec.start(.wmiPrvSE, "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", parent: svchost, on: host, at: now)
                    rec.access(w, lsass, on: host, at: Self.plus(now, 0.4), mask: "0x1400", callTrace: WindowsRecorder.callTrace + "|C:\\Windows\\System32\\wbem\\cimwin32.dll+1b9f2")
                case 3: rec.start(.searchProtocolHost, "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646 \"Software\\Microsoft\\Windows Search\" \"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)\" \"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" \"DownLevelDaemon\"", parent: svchost, on: host, at: now)
                case 4:
                    let (name, ip) = rec.rng.pick(WinSites.microsoft)
                    rec.dns(svchost, on: host, at: now, query: name, answer: ip)
                    rec.connect(svchost, on: host, at: Self.plus(now, 0.05), to: ip, port: 443, portName: "https")
                default:
                    // Defender's scans open lsass with narrow rights and, for memory scans, full
                    // access (0x1FFFFF: sysmon-modular's lsass rule notes "Expect EDRs/AVs to also
                    // trigger this"); Sysmon writes the mask in upper-case hex.
                    rec.access(defender, lsass, on: host, at: now, mask: rec.rng.pick(["0x1000", "0x101000", "0x1410", "0x1FFFFF"]),
                               callTrace: WindowsRecorder.callTrace + "|" + WinProgram.defenderPlatform + "MpSvc.dll+4c8a1")
                }
                s += rec.rng.exponential(mean: 1_500)
            }
            inventoryRuns(host, day: day, &rec)
            var side = rec.side("maintenance|" + host.name + "|\(day)", seed: context.config.seed)
            maintenance(host, day: day, &side)
            rec.absorb(side)
            // The computer account renews its tickets with the DC a few times a day.
            var k = rec.rng.exponential(mean: 10_000)
            while k < 86_400 {
                let now = t(day, k)
                rec.tgt(host.name + "$", sid: rec.computerSID(host), from: host, on: dc, at: now)
                rec.serviceTicket(host.name + "$", service: dc.name + "$", serviceSID: rec.computerSID(dc), from: host, on: dc, at: Self.plus(now, 0.02))
                if host.name != dc.name {
                    var m = WinLogon.system(host, client)
                    m.sid = rec.computerSID(host); m.logonID = rec.newLogonID(); m.logonGuid = WindowsEventWriter.guid(&rec.rng); m.isAdmin = false
                    rec.logon(m, type: 3, on: dc, at: Self.plus(now, 0.05), from: host)
                    rec.logoff(m, type: 3, on: dc, at: Self.plus(now, 0.3 + rec.rng.unit()))
                }
                k += rec.rng.exponential(mean: 10_000)
            }
            // Device management runs its PowerShell scripts encoded (Intune's management
            // extension, SCCM's client): the hard negative for encoded PowerShell on workstations.
            if host.role == .workstation, rec.rng.chance(0.3) {
                let w = t(day, 3_600 * (8 + rec.rng.unit() * 10))
                let ime = rec.existing(Self.intuneExtension, on: host, logon: system, commandLine: "\"" + Self.intuneExtension.image + "\"", at: dayStart)
                let script = rec.rng.pick(Self.managementScripts)
                let encoded = Data(Array(script.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).base64EncodedString()
                let ps = rec.start(.powershell, "powershell.exe -NoLogo -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + encoded, parent: ime, on: host, at: w, integrity: "System")
                if rec.rng.chance(0.5) {
                    rec.dns(ps, on: host, at: Self.plus(w, 1.1), query: "inventory.mdmcloud.net", answer: "52.157.12.80")
                    rec.connect(ps, on: host, at: Self.plus(w, 1.2), to: "52.157.12.80", port: 443, portName: "https")
                }
                if rec.rng.chance(0.3) {
                    rec.fileCreate(ps, on: host, at: Self.plus(w, 2), path: "C:\\Windows\\Temp\\" + rec.rng.pick(["inventory.json", "compliance.log", "IntuneDetection.ps1"]))
                }
            }
            // Updates: a signature update most days; now and then a product update that
            // registers its task and service (benign 4698 / 7045 / 4697).
            let u = t(day, 3_600 * (10 + rec.rng.unit() * 8))
            let mp = rec.start(.mpCmdRun, "\"" + WinProgram.mpCmdRun.image + "\" SignaturesUpdateService -ScheduleJob -UnmanagedUpdate", parent: defender, on: host, at: u)
            rec.dns(mp, on: host, at: Self.plus(u, 0.3), query: "definitionupdates.microsoft.com", answer: "20.76.201.171")
            rec.connect(mp, on: host, at: Self.plus(u, 0.4), to: "20.76.201.171", port: 443, portName: "https")
            if rec.rng.chance(0.12) {
                let w = t(day, 3_600 * (9 + rec.rng.unit() * 9))
                if rec.rng.chance(0.5) {
                    let up = rec.start(.googleUpdate, "\"" + WinProgram.googleUpdate.image + "\" /ua /installsource scheduler", parent: svchost, on: host, at: w)
                    let guid = "{" + WindowsEventWriter.guid(&rec.rng) + "}"
                    rec.taskCreated(system, on: host, at: Self.plus(w, 20), name: "\\GoogleUpdateTaskMachineUA" + guid, command: WinProgram.googleUpdate.image,
                                    arguments: "/ua /installsource scheduler", author: "Google LLC")
                    rec.fileCreate(up, on: host, at: Self.plus(w, 18), path: "C:\\Program Files (x86)\\Google\\Update\\Download\\" + guid + "\\131.0.6778.86\\131.0.6778.86_chrome_installer.exe")
                    rec.serviceInstalled(system, on: host, at: Self.plus(w, 25), name: "GoogleChromeElevationService", display: "Google Chrome Elevation Service (GoogleChromeElevationService)",
                                         path: "\"C:\\Program Files\\Google\\Chrome\\Application\\131.0.6778.86\\elevation_service.exe\"", start: "demand start")
                } else {
                    let up = rec.start(.edgeUpdate, "\"" + WinProgram.edgeUpdate.image + "\" /ua /installsource scheduler", parent: svchost, on: host, at: w)
                    rec.fileCreate(up, on: host, at: Self.plus(w, 15), path: "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\Download\\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}\\131.0.2903.70\\MicrosoftEdge_X64_131.0.2903.70.exe")
                    rec.taskCreated(system, on: host, at: Self.plus(w, 30), name: "\\MicrosoftEdgeUpdateTaskMachineCore{" + WindowsEventWriter.guid(&rec.rng) + "}",
                                    command: WinProgram.edgeUpdate.image, arguments: "/c", author: "Microsoft Corporation")
                    rec.serviceInstalled(system, on: host, at: Self.plus(w, 35), name: "MicrosoftEdgeElevationService", display: "Microsoft Edge Elevation Service (MicrosoftEdgeElevationService)",
                                         path: "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\131.0.2903.70\\elevation_service.exe\"", start: "demand start")
                }
            }
        }

        /// One person's day at a workstation (admins add RDP sessions to the servers).
        func userDay(_ user: SimUser, at ws: SimHost, day: Int, _ rec: inout WindowsRecorder) {
            let wd = weekday(day)
            let works = wd < 6 ? rec.rng.chance(0.93) : (user.worksWeekends && rec.rng.chance(0.35))
            guard works else { return }
            let weekend = wd >= 6
            let arrive = Double(user.workStart) * 3_600 + rec.rng.normal(mean: weekend ? 3_600 : 0, deviation: 900)
            let leave = weekend ? arrive + 3_600 * (1 + 2 * rec.rng.unit()) : Double(user.workEnd) * 3_600 + rec.rng.normal(mean: 0, deviation: 1_200)
            let start = t(day, arrive)
            var logon = rec.user(user)
            rec.tgt(user.name, sid: user.sid, from: ws, on: dc, at: start)
            rec.serviceTicket(user.name, service: ws.name + "$", serviceSID: rec.computerSID(ws), from: ws, on: dc, at: Self.plus(start, 0.05))
            rec.logon(logon, type: rec.rng.chance(0.08) ? 11 : 2, on: ws, at: Self.plus(start, 0.4))
            let system = WinLogon.system(ws, client)
            let userinit = rec.existing(.userinit, on: ws, logon: logon, commandLine: "C:\\Windows\\system32\\userinit.exe", at: Self.plus(start, 1))
            _ = system
            let explorer = rec.start(.explorer, "C:\\Windows\\Explorer.EXE", parent: userinit, on: ws, at: Self.plus(start, 2), directory: "C:\\Windows\\system32\\")
            logonScript(user, on: ws, userinit: userinit, at: Self.plus(start, 1.5), &rec)
            rec.start(.oneDrive, "\"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe\" /background", parent: explorer, on: ws, at: Self.plus(start, 8))
            let teams = rec.start(WinProgram.teams(user.name), "\"ms-teams.exe\" msteams:system-initiated", parent: explorer, on: ws, at: Self.plus(start, 12))
            let outlook = rec.start(.outlook, "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ", parent: explorer, on: ws, at: Self.plus(start, 25 + 60 * rec.rng.unit()))
            let usesChrome = WindowsEventWriter.stableHash(user.name) % 3 != 0
            let browserProgram: WinProgram = usesChrome ? .chrome : .edge
            let browser = rec.start(browserProgram, "\"" + browserProgram.image + "\" ", parent: explorer, on: ws, at: Self.plus(start, 90 + 300 * rec.rng.unit()))
            // Drive mapping and group policy: the file server and SYSVOL on the DC.
            rec.serviceTicket(user.name, service: fs.name + "$", serviceSID: rec.computerSID(fs), from: ws, on: dc, at: Self.plus(start, 3))
            var fsLogon = logon
            fsLogon.logonID = rec.newLogonID(); fsLogon.isAdmin = false
            rec.logon(fsLogon, type: 3, on: fs, at: Self.plus(start, 3.2), from: ws)
            rec.shareAccess(fsLogon, on: fs, at: Self.plus(start, 3.3), from: ws, share: "\\\\*\\Shares", path: "\\??\\D:\\Shares")
            var dcLogon = logon
            dcLogon.logonID = rec.newLogonID(); dcLogon.isAdmin = false
            rec.logon(dcLogon, type: 3, on: dc, at: Self.plus(start, 4), from: ws)
            rec.shareAccess(dcLogon, on: dc, at: Self.plus(start, 4.1), from: ws, share: "\\\\*\\SYSVOL", path: "\\??\\C:\\Windows\\SYSVOL\\sysvol")
            rec.logoff(dcLogon, type: 3, on: dc, at: Self.plus(start, 9 + 5 * rec.rng.unit()))

            // The working day: browsing, mail, documents, breaks.
            var s = arrive + 120
            var lockedUntil = 0.0
            while s < leave {
                let now = t(day, s)
                if s < lockedUntil { s = lockedUntil; continue }
                let r = rec.rng.unit()
                if r < 0.012 {
                    let pause = 300 + rec.rng.exponential(mean: 900)
                    rec.lock(logon, on: ws, at: now, unlock: false)
                    let back = t(day, s + pause)
                    rec.lock(logon, on: ws, at: back, unlock: true)
                    var unlock = logon
                    unlock.logonID = rec.newLogonID()
                    rec.logon(unlock, type: 7, on: ws, at: Self.plus(back, -0.2))
                    lockedUntil = s + pause + 1
                } else if r < 0.62 {
                    let (name, ip) = rec.rng.pick(WinSites.browsing)
                    // Community Sysmon configurations (sysmon-modular, SwiftOnSecurity's) drop
                    // most browser DNS queries and connections (exclusion lists of popular
                    // domains and of browser images); the rest are logged.
                    if rec.rng.chance(0.2) {
                        rec.dns(browser, on: ws, at: now, query: name, answer: ip)
                        rec.connect(browser, on: ws, at: Self.plus(now, 0.03 + rec.rng.unit() * 0.1), to: ip, port: 443, portName: "https")
                    }
                    if rec.rng.chance(0.1) {
                        rec.start(browserProgram, "\"" + browserProgram.image + "\" --type=renderer --lang=de --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id=\(20 + rec.rng.below(300)) --mojo-platform-channel-handle=\(3_000 + rec.rng.below(9_000)) /prefetch:1",
                                  parent: browser, on: ws, at: Self.plus(now, 0.2))
                    }
                    if rec.rng.chance(0.04) {
                        rec.fileCreate(browser, on: ws, at: Self.plus(now, 2), path: "C:\\Users\\\(user.name)\\Downloads\\" + rec.rng.pick(["invoice", "report", "offer", "minutes", "presentation", "timesheet"]) + "-\(2026_0300 + rec.rng.below(40)).pdf")
                    }
                } else if r < 0.80 {
                    let (name, ip) = rec.rng.chance(0.5) ? ("outlook.office365.com", "52.97.201.82") : ("teams.microsoft.com", "52.113.194.132")
                    let p = name.hasPrefix("outlook") ? outlook : teams
                    rec.dns(p, on: ws, at: now, query: name, answer: ip)
                    rec.connect(p, on: ws, at: Self.plus(now, 0.05), to: ip, port: 443, portName: "https")
                } else if r < 0.88 {
                    let word = rec.rng.chance(0.55)
                    let doc = rec.rng.pick(["Budget", "Projektplan", "Offerte", "Protokoll", "Kundenliste", "Bericht"]) + "_\(rec.rng.below(40))" + (word ? ".docx" : ".xlsx")
                    let parent = rec.rng.chance(0.3) ? outlook : explorer
                    let path = parent.program == .outlook ? "C:\\Users\\\(user.name)\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\\(WindowsEventWriter.hex(rec.rng.next(), 8))\\" + doc
                                                         : "\\\\\(fs.fqdn(client))\\Shares\\" + doc
                    let app = rec.start(word ? .word : .excel, "\"" + (word ? WinProgram.word.image : WinProgram.excel.image) + "\" /n \"" + path + "\"", parent: parent, on: ws, at: now)
                    rec.fileCreate(app, on: ws, at: Self.plus(now, 3), path: "C:\\Users\\\(user.name)\\AppData\\Roaming\\Microsoft\\Office\\Recent\\" + doc + ".LNK")
                    if !path.hasPrefix("C:") {
                        rec.shareAccess(fsLogon, on: fs, at: Self.plus(now, 0.5), from: ws, share: "\\\\*\\Shares", path: "\\??\\D:\\Shares", relative: doc)
                    }
                } else if r < 0.92 {
                    rec.start(.notepad, "\"C:\\Windows\\system32\\notepad.exe\" ", parent: explorer, on: ws, at: now)
                } else if r < 0.96 {
                    rec.start(.runtimeBroker, "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding", parent: rec.existing(.svchost, on: ws, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", at: now), logon: logon, on: ws, at: now)
                } else if user.role == .admin {
                    adminSession(user, from: ws, logon: logon, explorer: explorer, at: now, &rec)
                    s += 1_800
                }
                s += rec.rng.exponential(mean: weekend ? 300 : 100)
            }
            consoleWork(user, on: ws, logon: logon, explorer: explorer, from: arrive + 600, to: leave, day: day, &rec)
            networkTrace(user, on: ws, logon: logon, explorer: explorer, from: arrive + 600, to: leave, day: day, &rec)
            sessionProcesses(user, on: ws, logon: logon, explorer: explorer, from: arrive, to: leave, day: day, &rec)
            let end = t(day, max(leave, s))
            rec.logoff(logon, type: 2, on: ws, at: end, userInitiated: true)
            rec.logoff(fsLogon, type: 3, on: fs, at: Self.plus(end, 2))
            logon.logonID = 0
        }

        /// An admin's RDP session to the DC or the file server: logon type 10, admin tools,
        /// sometimes encoded PowerShell (the hard negative), disconnect/reconnect, logoff.
        func adminSession(_ user: SimUser, from ws: SimHost, logon: WinLogon, explorer: WinProcess, at now: Timestamp, _ rec: inout WindowsRecorder) {
            let server = rec.rng.chance(0.5) ? dc : fs
            let mstsc = rec.start(.mstsc, "\"C:\\Windows\\system32\\mstsc.exe\" /v:" + server.fqdn(client), parent: explorer, on: ws, at: now)
            rec.connect(mstsc, on: ws, at: Self.plus(now, 1), to: server.ip.description, name: server.fqdn(client), port: 3389, portName: "ms-wbt-server")
            rec.serviceTicket(user.name, service: server.name + "$", serviceSID: rec.computerSID(server), from: ws, on: dc, at: Self.plus(now, 1.2))
            var remote = rec.user(user)
            remote.session = 2 + rec.rng.below(4)
            let session = 1 + rec.rng.below(30)
            let at = Self.plus(now, 4)
            rec.logon(remote, type: 10, on: server, at: at, from: ws, sourceIP: ws.ip.description)
            rec.rdpSession(remote, on: server, at: Self.plus(at, 0.5), from: ws, reconnect: true, sessionNumber: session)
            let userinit = rec.existing(.userinit, on: server, logon: remote, at: at)
            var serverExplorer = rec.start(.explorer, "C:\\Windows\\Explorer.EXE", parent: userinit, on: server, at: Self.plus(at, 3), directory: "C:\\Windows\\system32\\")
            serverExplorer.integrity = "High"
            var s = 30.0
            for _ in 0..<(1 + rec.rng.below(4)) {
                let w = Self.plus(at, s)
                switch rec.rng.below(8) {
                case 4:
                    // Checks from a console: who am I, the network, the admins group.
                    let cmd = rec.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                    var k = 4.0
                    for line in ["whoami /all", rec.rng.pick(["net group \"Domain Admins\" /domain", "net localgroup administrators", "net user " + user.name + " /domain"]), "ipconfig /all"].prefix(1 + rec.rng.below(3)) {
                        let prog: WinProgram = line.hasPrefix("whoami") ? .whoami : (line.hasPrefix("net ") ? .system("net.exe", "Net Command", original: "net.exe") : .system("ipconfig.exe", "IP Configuration Utility", original: "ipconfig.exe"))
                        rec.start(prog, WindowsRecorder.typed(line), parent: cmd, on: server, at: Self.plus(w, k), integrity: "High")
                        k += 3 + rec.rng.exponential(mean: 8)
                    }
                case 5:
                    // PsExec to a workstation to fix something (IT's everyday remote tool): on the
                    // target, the same remote side as any PsExec (WindowsRecorder.psexecConnect/Service).
                    guard let target = client.workstations.isEmpty ? nil : rec.rng.pick(client.workstations) else { break }
                    let tool = WinProgram(image: "C:\\Tools\\SysinternalsSuite\\PsExec64.exe", fileVersion: "2.43", description: "Execute processes remotely", product: "Sysinternals PsExec",
                                          company: "Sysinternals - www.sysinternals.com", originalFileName: "psexec.c")
                    let (program, typed, arguments) = rec.rng.pick(Self.psexecFixes)
                    let px = rec.start(tool, "PsExec64.exe -accepteula \\\\" + target.fqdn(client) + " -s " + typed + (arguments.isEmpty ? "" : " " + arguments),
                                       parent: serverExplorer, on: server, at: w, integrity: "High")
                    rec.connect(px, on: server, at: Self.plus(w, 0.2), to: target.ip.description, name: target.fqdn(client), port: 445, portName: "microsoft-ds")
                    // The remote side on a side recorder: it leaves the rest of the run as it was.
                    var it = rec.side("psexec|" + target.name + "|\(w.microseconds)", seed: context.config.seed)
                    let remote = it.psexecConnect(user, from: server, to: target, dc: dc, at: Self.plus(w, 0.3))
                    let child = it.psexecService(remote, on: target, at: Self.plus(w, 1.0), program: program, typed: typed, arguments: arguments)
                    if program == .cmd {
                        // `cmd /c …` runs its command; an interactive `cmd.exe` one or two checks.
                        let lines = arguments.hasPrefix("/c ") ? [String(arguments.dropFirst(3))]
                            : Array(["gpupdate /force", "ipconfig /all", "sc query spooler", "netsh winhttp show proxy"].shuffledStable(&it.rng).prefix(1 + it.rng.below(2)))
                        var k = 1.5
                        for line in lines {
                            let name = String(line.prefix { $0 != " " })
                            it.start(Self.program(named: name) ?? .cmd, WindowsRecorder.typed(line), parent: child, on: target, at: Self.plus(w, k))
                            k += 3 + it.rng.exponential(mean: 8)
                        }
                    }
                    rec.absorb(it)
                case 6:
                    // A maintenance task (schtasks /create, 4698) or a look at a service (sc.exe).
                    let cmd = rec.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                    if rec.rng.chance(0.5) {
                        let name = rec.rng.pick(["Maintenance\\CleanupTemp", "Maintenance\\RotateLogs", "IT\\InventoryUpload", "IT\\RestartSpooler"])
                        let binary = rec.rng.pick(["C:\\Scripts\\cleanup.cmd", "C:\\Scripts\\rotate-logs.ps1", "C:\\Program Files\\Inventory\\agent.exe"])
                        rec.start(.schtasks, "schtasks  /create /tn \"\(name)\" /tr \"\(binary)\" /sc daily /st 02:00 /ru SYSTEM /f", parent: cmd, on: server, at: Self.plus(w, 5), integrity: "High")
                        var logon = remote
                        logon.isAdmin = true
                        rec.taskCreated(logon, on: server, at: Self.plus(w, 5.3), name: "\\" + name, command: binary, arguments: "", author: client.domain + "\\" + user.name)
                    } else {
                        rec.start(.sc, WindowsRecorder.typed("sc.exe " + rec.rng.pick(["query spooler", "qc wuauserv", "config spooler start= auto", "query type= service state= all"])),
                                  parent: cmd, on: server, at: Self.plus(w, 5), integrity: "High")
                    }
                case 7:
                    // Clearing a log after testing audit settings (rare, with wevtutil).
                    if rec.rng.chance(0.15) {
                        let cmd = rec.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                        let log = rec.rng.pick(["Application", "Microsoft-Windows-PowerShell/Operational", "Security"])
                        rec.start(.wevtutil, "wevtutil  cl " + log, parent: cmd, on: server, at: Self.plus(w, 3), integrity: "High")
                        if log == "Security" {
                            var logon = remote
                            logon.isAdmin = true
                            rec.logCleared(logon, on: server, at: Self.plus(w, 3.2))
                        }
                    } else {
                        rec.start(.mmc, "\"C:\\Windows\\system32\\mmc.exe\" \"C:\\Windows\\system32\\eventvwr.msc\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                    }
                case 0:
                    let script = rec.rng.pick(Self.adminScripts)
                    let encoded = Data(Array(script.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).base64EncodedString()
                    let ps = rec.start(.powershell, "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -ExecutionPolicy Bypass -EncodedCommand " + encoded,
                                       parent: serverExplorer, on: server, at: w, integrity: "High")
                    rec.start(.conhost, "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", parent: ps, on: server, at: Self.plus(w, 0.1))
                case 1:
                    rec.start(.mmc, "\"C:\\Windows\\system32\\mmc.exe\" \"C:\\Windows\\system32\\" + rec.rng.pick(["dsa.msc", "gpmc.msc", "services.msc", "eventvwr.msc", "compmgmt.msc"]) + "\" ",
                              parent: serverExplorer, on: server, at: w, integrity: "High")
                case 2:
                    let cmd = rec.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                    rec.start(.gpupdate, "gpupdate  /force", parent: cmd, on: server, at: Self.plus(w, 20), integrity: "High")
                default:
                    rec.start(.powershell, "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" ", parent: serverExplorer, on: server, at: w, integrity: "High")
                }
                s += 60 + rec.rng.exponential(mean: 400)
            }
            if rec.rng.chance(0.3) {
                rec.rdpSession(remote, on: server, at: Self.plus(at, s), from: ws, reconnect: false, sessionNumber: session)
                s += 300 + rec.rng.exponential(mean: 900)
                rec.rdpSession(remote, on: server, at: Self.plus(at, s), from: ws, reconnect: true, sessionNumber: session)
                s += 60
            }
            rec.rdpSession(remote, on: server, at: Self.plus(at, s), from: ws, reconnect: false, sessionNumber: session)
            rec.logoff(remote, type: 10, on: server, at: Self.plus(at, s + 1), userInitiated: true)
        }

        /// What IT starts on a workstation with `psexec -s`: a policy refresh, a DNS cache flush,
        /// a service check, a console (program, name as typed, arguments).
        static let psexecFixes: [(WinProgram, String, String)] = [
            (.gpupdate, "gpupdate", "/force"), (.cmd, "cmd", "/c ipconfig /flushdns"), (.cmd, "cmd.exe", ""), (.sc, "sc", "query spooler"),
        ]

        /// The program of a command typed at a prompt or run by `cmd /c`, by its name (`.exe`
        /// optional, any case); nil for a name no generator starts (cmd's built-ins `echo`, `set`).
        static func program(named typed: String) -> WinProgram? {
            var name = typed.lowercased()
            if name.hasSuffix(".exe") { name.removeLast(4) }
            switch name {
            case "gpupdate": return .gpupdate
            case "ipconfig": return ipconfig
            case "sc": return .sc
            case "whoami": return .whoami
            case "net": return net
            case "netsh": return netsh
            case "gpresult": return gpresult
            case "reg": return reg
            case "systeminfo": return systeminfo
            case "powercfg": return powercfg
            case "tasklist": return tasklist
            case "wevtutil": return .wevtutil
            case "route": return route
            case "certutil": return certutil
            case "dxdiag": return dxdiag
            default: return nil
            }
        }

        static let netsh = WinProgram.system("netsh.exe", "Network Command Shell", original: "netsh.exe")

        static let intuneExtension = WinProgram(image: "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Microsoft.Management.Services.IntuneWindowsAgent.exe",
                                                fileVersion: "1.83.107.0", description: "Microsoft Intune Management Extension", product: "Microsoft Intune Management Extension",
                                                company: "Microsoft Corporation", originalFileName: "Microsoft.Management.Services.IntuneWindowsAgent.exe")

        static let managementScripts = [
            "Get-CimInstance Win32_OperatingSystem | Select-Object Caption, Version, LastBootUpTime | ConvertTo-Json",
            "if (Test-Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate') { exit 0 } else { exit 1 }",
            "Get-BitLockerVolume -MountPoint C: | Select-Object VolumeStatus, ProtectionStatus | ConvertTo-Json",
            "$p = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*' | Select-Object DisplayName, DisplayVersion; $p | ConvertTo-Json | Out-File C:\\Windows\\Temp\\inventory.json",
            "Remove-Item -Path $env:TEMP\\* -Recurse -Force -ErrorAction SilentlyContinue",
        ]

        static let adminScripts = [
            "Get-Service | Where-Object { $_.Status -eq 'Stopped' -and $_.StartType -eq 'Automatic' } | Select-Object Name, DisplayName",
            "Get-ADUser -Filter 'Enabled -eq $true' -Properties LastLogonDate | Where-Object { $_.LastLogonDate -lt (Get-Date).AddDays(-90) } | Select-Object SamAccountName, LastLogonDate",
            "Get-PSDrive -PSProvider FileSystem | Select-Object Name, @{n='FreeGB';e={[math]::Round($_.Free/1GB,1)}}",
            "Get-WinEvent -LogName System -MaxEvents 50 | Where-Object { $_.LevelDisplayName -eq 'Error' } | Format-Table TimeCreated, Id, Message -AutoSize",
            "Restart-Service -Name Spooler -Force; Get-Service Spooler",
            "Get-SmbSession | Sort-Object -Property NumOpens -Descending | Select-Object -First 20 ClientComputerName, ClientUserName, NumOpens",
        ]

        /// The internet against the file server's RDP port, which the client exposes (the
        /// brute-force and spraying scenarios come in the same way): bots guess common account
        /// names from ever new addresses, about one attempt a minute and a half, now and then a
        /// bot stays for a burst of guesses. Each attempt is a 4625 (network logon over NLA,
        /// NTLM) on the file server and the DC's 4776 for the name. Benign background, as the
        /// SSH noise on the Linux web server.
        func internetRDPNoise(day: Int, _ rec: inout WindowsRecorder) {
            guard let server = client.hosts(.fileServer).first else { return }
            var s = rec.rng.exponential(mean: 90)
            while s < 86_400 {
                let ip = InternetAddresses.random(&rec.rng).description
                let machine = rec.rng.pick(Self.botWorkstations)
                let burst = rec.rng.chance(0.08) ? 5 + rec.rng.below(40) : 1 + (rec.rng.chance(0.25) ? rec.rng.below(3) : 0)
                var at = s
                for _ in 0..<burst {
                    // Common names, the built-in accounts, and names in the company's own
                    // `first.last` convention from breach corpora and the web (some real).
                    let draw = rec.rng.unit()
                    let name = draw < 0.2 ? rec.rng.pick(["administrator", "Administrator", "guest"])
                        : (draw < 0.55 ? rec.rng.pick(Self.botNames) : Self.guessedName(client, &rec.rng))
                    let now = t(day, at)
                    let exists = name.lowercased() == "administrator" || client.user(name) != nil
                    rec.failedLogon(name, type: 3, on: server, at: now, sourceIP: ip, workstation: machine, subStatus: exists ? "0xc000006a" : "0xc0000064",
                                    domain: rec.rng.chance(0.3) ? "" : nil)
                    rec.ntlmValidation(name, workstation: machine, on: dc, at: Self.plus(now, 0.01), status: exists ? "0xc000006a" : "0xc0000064")
                    at += 0.3 + rec.rng.exponential(mean: 2)
                }
                s = at + rec.rng.exponential(mean: 90)
            }
        }

        /// A `first.last` name as outsiders guess them: half the time a real person's (from
        /// a leaked address list), else common given names and surnames in the same shape.
        static func guessedName(_ client: SimClient, _ rng: inout SplitMix64) -> String {
            if rng.chance(0.5), !client.people.isEmpty { return rng.pick(client.people).name }
            return rng.pick(Organisation.givenNames) + "." + rng.pick(Organisation.surnames)
        }

        static let botWorkstations = ["-", "-", "kali", "WIN-3J8GK2L1QO", "DESKTOP-7N4PQ2", "WORKSTATION", "USER-PC", "WIN-CLIENT", "ADMIN-PC", "DESKTOP-U3259VU",
                                      "WIN-R8M4CUS1T5T", "RDP-CLIENT", "Hello"]
        static let botNames = ["admin", "user", "test", "test1", "scanner", "backup", "sql", "sqladmin", "support", "user1", "server", "guest",
                               "adm", "helpdesk", "office", "reception", "scan", "sa", "admin1", "administrador", "Administrateur", "buh", "ADMIN", "USER",
                               "remote", "rdp", "demo", "it", "manager", "accounting", "ftp", "www", "temp", "owner"]

        /// Stale and mistyped passwords: after a password change a user's second device or a
        /// mapped drive keeps the old password and retries for a while (a classic cause of
        /// lockouts), and people mistype at the file server's share prompt. Network logons
        /// (NTLM) from the user's own workstation: 4625 on the file server, 4776 failures on
        /// the DC, then the logon that works.
        func staleCredentials(day: Int, _ rec: inout WindowsRecorder) {
            for ws in client.workstations {
                guard let user = ws.owner.flatMap(client.user), client.isWorking(user, at: t(day, Double(user.workStart + 2) * 3_600)) else { continue }
                let stale = rec.rng.chance(0.06)
                guard stale || rec.rng.chance(0.35) else { continue }
                var s = Double(user.workStart) * 3_600 + rec.rng.unit() * Double(max(1, user.workEnd - user.workStart) * 3_600)
                let tries = stale ? 3 + rec.rng.below(25) : 1 + rec.rng.below(3)
                for _ in 0..<tries {
                    let now = t(day, s)
                    rec.failedLogon(user.name, type: 3, on: fs, at: now, sourceIP: ws.ip.description, workstation: ws.name)
                    rec.ntlmValidation(user.name, workstation: ws.name, on: dc, at: Self.plus(now, 0.01), status: "0xc000006a")
                    s += stale ? 30 + rec.rng.exponential(mean: 240) : 4 + rec.rng.exponential(mean: 6)
                }
                if !stale {
                    var logon = rec.user(user)
                    logon.isAdmin = false
                    rec.ntlmValidation(user.name, workstation: ws.name, on: dc, at: t(day, s))
                    rec.logon(logon, type: 3, on: fs, at: t(day, s + 0.02), sourceIP: ws.ip.description, kerberos: false, workstation: ws.name)
                }
            }
        }

        /// The backup account reads the file server over SMB from the backup server at night
        /// (NTLM, as the Linux backup client authenticates).
        func backupNight(day: Int, _ rec: inout WindowsRecorder) {
            guard let backup = client.hosts(.backupServer).first, let svc = client.user("svc_backup") else { return }
            let start = t(day, 5_400 + rec.rng.unit() * 600)
            var logon = rec.user(svc)
            logon.isAdmin = false
            rec.ntlmValidation(svc.name, workstation: backup.name.uppercased(), on: dc, at: start)
            rec.logon(logon, type: 3, on: fs, at: Self.plus(start, 0.02), from: backup, kerberos: false, workstation: backup.name.uppercased())
            rec.shareAccess(logon, on: fs, at: Self.plus(start, 0.1), from: backup, share: "\\\\*\\D$", path: "\\??\\D:\\")
            rec.logoff(logon, type: 3, on: fs, at: Self.plus(start, 3_600 + rec.rng.exponential(mean: 2_400)))
        }
    }
}
