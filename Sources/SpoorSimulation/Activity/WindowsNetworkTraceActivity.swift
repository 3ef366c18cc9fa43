import SpoorCore

/// An administrator's network trace with Windows' own tool: `netsh trace start capture=yes`
/// in an elevated console, the problem reproduced, `netsh trace stop`. On stop, netsh runs
/// Windows' network diagnostics collector (`cscript.exe gatherNetworkInfo.vbs`, in a
/// `…\AppData\Local\Temp\RPT….tmp\CabFolder\` folder), which writes its report through one
/// `cmd.exe /c` per item: `gpresult`, `reg export` of the network and credential-provider keys,
/// `systeminfo`, `tasklist /svc`, `wevtutil epl`/`al` of the network logs, `netsh … show`,
/// `ipconfig /all`, `route print`, `certutil -store`, `dxdiag` (Microsoft Learn, "Netsh
/// commands for network trace"; the sequence and its command lines as measured in real Sysmon:
/// OTRF Security-Datasets, `compound/LSASS_campaign_01`, where one `netsh trace stop` wrote 75
/// `cmd /c` and 56 children within 40 s; `_02` has the same sequence's first 21 when it ends).
/// `echo` and `set` are cmd built-ins and start no child. The commands run as the admin, at
/// high integrity, and reach Sysmon 1 and Security 4688 like any other process (Sysmon's
/// configuration drops `powercfg` and `conhost`).
///
/// How often: about one trace per admin every two working weeks (0.1 per working day); an
/// estimate for a small IT team troubleshooting Wi-Fi, VPN and proxy tickets, not a measured rate.
extension WindowsActivity.Generator {
    static let cscript = WinProgram.system("cscript.exe", "Microsoft ® Console Based Script Host", original: "cscript.exe")
    static let powercfg = WinProgram.system("powercfg.exe", "Power Settings Command-Line Tool", original: "PowerCfg.exe")
    static let route = WinProgram.system("ROUTE.EXE", "TCP/IP Route Command", original: "route.exe")
    static let certutil = WinProgram.system("certutil.exe", "CertUtil.exe", original: "CertUtil.exe")
    static let dxdiag = WinProgram.system("dxdiag.exe", "Microsoft DirectX Diagnostic Tool", original: "dxdiag.exe")

    /// Share of an admin's working days with a network trace.
    static let networkTraceRate = 0.1

    /// The collector's `cmd /c` lines, in its order (OTRF, above; without most of its `echo` lines
    /// and the mobile-broadband and connection-security items).
    static let networkDiagnostics: [String] = {
        var lines = ["gpresult /scope:computer /v 1> config\\gpresult.txt 2>&1"]
        for (key, file) in [("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Winlogon\\Notifications", "Notif"),
                            ("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Authentication\\Credential Providers", "AllCred"),
                            ("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Authentication\\Credential Provider Filters", "AllCredFilter"),
                            ("HKLM\\SYSTEM\\CurrentControlSet\\Services\\Wlansvc\\Parameters\\WlanAPIPermissions", "APIPerm"),
                            ("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\Wireless\\GPTWirelessPolicy", "GPT"),
                            ("HKCU\\SOFTWARE\\Microsoft\\Wlansvc", "HKCUWlanSvc"), ("HKLM\\SOFTWARE\\Microsoft\\Wlansvc", "HKLMWlanSvc"),
                            ("HKLM\\SOFTWARE\\Microsoft\\dot3svc", "HKLMDot3Svc"), ("HKCU\\SOFTWARE\\Microsoft\\dot3svc", "HKCUDot3Svc"),
                            ("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WiredL2\\GP_Policy", "L2GP"),
                            ("HKLM\\SOFTWARE\\MICROSOFT\\Windows NT\\CurrentVersion\\NetworkList", "NetworkProfiles"),
                            ("HKLM\\SOFTWARE\\Policies\\Microsoft\\WcmSvc", "WCMPolicy")] {
            lines.append("reg export \"\(key)\"  Reg\\\(file).reg.txt /y")
        }
        lines += ["set processor >> config\\osinfo.txt", "systeminfo >> config\\osinfo.txt", "set u >> config\\osinfo.txt",
                  "powercfg.exe /batteryreport /output config\\battery-report.html", "tasklist /svc > processes.txt"]
        for (log, file) in [("Microsoft-Windows-WLAN-AutoConfig/Operational", "WLANAutoConfigLog"), ("Microsoft-Windows-Wcmsvc/Operational", "WCMLog"),
                            ("Microsoft-Windows-WWAN-SVC-EVENTS/Operational", "WWANLog")] {
            lines += ["wevtutil epl \"\(log)\" config\\\(file).evtx", "wevtutil al config\\\(file).evtx"]
        }
        lines += ["netsh wlan show all > config\\envinfo.txt", "netsh lan show interfaces >> config\\envinfo.txt", "netsh lan show settings >> config\\envinfo.txt",
                  "netsh lan show profiles >> config\\envinfo.txt", "ipconfig /all >> config\\envinfo.txt", "echo. >> config\\envinfo.txt",
                  "echo ROUTE PRINT: >> config\\envinfo.txt", "route print >> config\\envinfo.txt",
                  "certutil -v -store -silent My >> config\\envinfo.txt", "certutil -v -store -silent -user My >> config\\envinfo.txt",
                  "certutil -v -store -silent root >> config\\envinfo.txt", "netsh winsock show catalog > config\\WinsockCatalog.txt",
                  "echo Current Profiles: > config\\WindowsFirewallConfig.txt", "netsh advfirewall monitor show currentprofile >> config\\WindowsFirewallConfig.txt",
                  "echo Firewall Configuration: >> config\\WindowsFirewallConfig.txt", "netsh advfirewall monitor show firewall >> config\\WindowsFirewallConfig.txt",
                  "netsh advfirewall firewall show rule name=all verbose >> config\\WindowsFirewallConfig.txt",
                  "netsh advfirewall monitor show firewall rule name=all >> config\\WindowsFirewallEffectiveRules.txt"]
        for (log, file) in [("Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "WindowsFirewallLog"),
                            ("Microsoft-Windows-Windows Firewall With Advanced Security/ConnectionSecurity", "WindowsFirewallConsecLog")] {
            lines += ["wevtutil epl \"\(log)\" config\\\(file).evtx", "wevtutil al config\\\(file).evtx"]
        }
        lines.append("dxdiag /t dxdiag.txt")
        return lines
    }()

    /// The command cmd starts for a `/c` line: the part before any output redirection, as typed
    /// (`tasklist /svc > processes.txt` → `tasklist  /svc `), or nil for a built-in (`echo`, `set`).
    static func diagnosticsChild(_ line: String) -> (WinProgram, String)? {
        guard let program = Self.program(named: String(line.prefix { $0 != " " })) else { return nil }
        var typed = line
        if let redirect = line.firstIndex(of: ">") {
            var cut = redirect
            if cut > line.startIndex, "12".contains(line[line.index(before: cut)]) { cut = line.index(before: cut) }
            typed = String(line[..<cut])
        }
        return (program, WindowsRecorder.typed(typed))
    }

    /// One admin's network trace at their own workstation on `day`, on its own random stream.
    func networkTrace(_ user: SimUser, on ws: SimHost, logon: WinLogon, explorer: WinProcess, from arrive: Double, to leave: Double, day: Int,
                      _ rec: inout WindowsRecorder) {
        guard user.role == .admin, leave - arrive > 3_600 else { return }
        var side = rec.side("netsh-trace|" + ws.name + "|\(day)", seed: context.config.seed)
        guard side.rng.chance(Self.networkTraceRate) else { return }
        let begin = arrive + side.rng.unit() * (leave - arrive - 3_600)
        let now = t(day, begin)
        let shell = side.start(.cmd, "\"C:\\Windows\\system32\\cmd.exe\" ", parent: explorer, on: ws, at: now, integrity: "High")
        side.start(.conhost, Self.consoleHost, parent: shell, on: ws, at: Self.plus(now, 0.05), directory: "C:\\Windows\\system32\\", integrity: "High")
        let file = "C:\\Temp\\" + side.rng.pick(["trace", "nettrace", ws.name.lowercased(), "wlan"]) + ".etl"
        side.start(Self.netsh, WindowsRecorder.typed("netsh trace start capture=yes tracefile=" + file), parent: shell, on: ws,
                   at: Self.plus(now, 8 + side.rng.exponential(mean: 10)), integrity: "High")
        let stopAt = Self.plus(now, 180 + side.rng.exponential(mean: 600))
        let stop = side.start(Self.netsh, WindowsRecorder.typed("netsh trace stop"), parent: shell, on: ws, at: stopAt, integrity: "High")
        let folder = "C:\\Users\\\(user.name)\\AppData\\Local\\Temp\\RPT" + WindowsEventWriter.hex(side.rng.next(), 4) + ".tmp\\CabFolder\\"
        var at = Self.plus(stopAt, 10 + side.rng.unit() * 8)
        let script = side.start(Self.cscript, "C:\\Windows\\system32\\cscript.exe C:\\Windows\\system32\\gatherNetworkInfo.vbs", parent: stop, on: ws, at: at,
                                directory: folder, integrity: "High")
        side.start(.conhost, Self.consoleHost, parent: script, on: ws, at: Self.plus(at, 0.05), directory: "C:\\Windows\\system32\\", integrity: "High")
        at = Self.plus(at, 1.5)
        for line in Self.networkDiagnostics {
            let cmd = side.start(.cmd, "\"C:\\Windows\\System32\\cmd.exe\" /c " + line, parent: script, on: ws, at: at, directory: folder, integrity: "High")
            if let (program, typed) = Self.diagnosticsChild(line) {
                side.start(program, typed, parent: cmd, on: ws, at: Self.plus(at, 0.02 + side.rng.unit() * 0.1), directory: folder, integrity: "High")
            }
            at = Self.plus(at, 0.1 + side.rng.exponential(mean: 0.4))
        }
        rec.absorb(side)
    }
}
