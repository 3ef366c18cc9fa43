import SpoorCore

/// A Windows program as Sysmon describes it (version resource, hashes).
struct WinProgram: Sendable, Hashable {
    var image: String
    var fileVersion: String
    var description: String
    var product: String
    var company: String
    var originalFileName: String

    var fileName: String { String(image.split(separator: "\\").last ?? "") }

    /// `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`: one fixed set per program and version, so the same
    /// binary hashes the same on every host.
    var hashes: String {
        var r = SplitMix64(seed: WindowsEventWriter.stableHash(image.lowercased() + "|" + fileVersion))
        func hexDigits(_ n: Int) -> String {
            var s = ""
            while s.count < n { s += WindowsEventWriter.hex(r.next(), 16) }
            return String(s.prefix(n))
        }
        return "SHA1=\(hexDigits(40)),MD5=\(hexDigits(32)),SHA256=\(hexDigits(64)),IMPHASH=\(hexDigits(32))"
    }

    static let ms = "Microsoft Corporation", os = "Microsoft® Windows® Operating System", office = "Microsoft Office"
    static let build = "10.0.22621.4317 (WinBuild.160101.0800)"

    static func system(_ name: String, _ description: String, original: String? = nil, folder: String = "C:\\Windows\\System32\\") -> WinProgram {
        WinProgram(image: folder + name, fileVersion: build, description: description, product: os, company: ms,
                   originalFileName: original ?? name)
    }

    static let explorer = system("explorer.exe", "Windows Explorer", original: "EXPLORER.EXE", folder: "C:\\Windows\\")
    static let userinit = system("userinit.exe", "Userinit Logon Application", original: "USERINIT.EXE")
    static let svchost = system("svchost.exe", "Host Process for Windows Services")
    static let services = system("services.exe", "Services and Controller app")
    static let lsass = system("lsass.exe", "Local Security Authority Process")
    static let taskhostw = system("taskhostw.exe", "Host Process for Windows Tasks")
    static let runtimeBroker = system("RuntimeBroker.exe", "Runtime Broker")
    static let backgroundTaskHost = system("backgroundTaskHost.exe", "Background Task Host")
    static let searchProtocolHost = system("SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host", original: "SearchProtocolHost.exe")
    static let wmiPrvSE = system("WmiPrvSE.exe", "WMI Provider Host", original: "Wmiprvse.exe", folder: "C:\\Windows\\System32\\wbem\\")
    static let conhost = system("conhost.exe", "Console Window Host", original: "CONHOST.EXE")
    static let cmd = system("cmd.exe", "Windows Command Processor", original: "Cmd.Exe")
    static let powershell = WinProgram(image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", fileVersion: build,
                                       description: "Windows PowerShell", product: os, company: ms, originalFileName: "PowerShell.EXE")
    static let mstsc = system("mstsc.exe", "Remote Desktop Connection", original: "mstsc.exe")
    static let mmc = system("mmc.exe", "Microsoft Management Console", original: "MMC.EXE")
    static let notepad = system("notepad.exe", "Notepad", original: "NOTEPAD.EXE")
    static let schtasks = system("schtasks.exe", "Task Scheduler Configuration Tool", original: "schtasks.exe")
    static let sc = system("sc.exe", "Service Control Manager Configuration Tool", original: "sc.exe")
    static let rundll32 = system("rundll32.exe", "Windows host process (Rundll32)", original: "RUNDLL32.EXE")
    static let wevtutil = system("wevtutil.exe", "Eventing Command Line Utility", original: "wevtutil.exe")
    static let whoami = system("whoami.exe", "whoami - displays logged on user information", original: "whoami.exe")
    static let gpupdate = system("gpupdate.exe", "Microsoft® Windows Group Policy Update Utility", original: "GPUpdate.exe")
    static let wuauclt = system("wuauclt.exe", "Windows Update", original: "wuauclt.exe")
    static let msiexec = system("msiexec.exe", "Windows® installer", original: "msiexec.exe")
    static let chrome = WinProgram(image: "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", fileVersion: "131.0.6778.86",
                                   description: "Google Chrome", product: "Google Chrome", company: "Google LLC", originalFileName: "chrome.exe")
    static let edge = WinProgram(image: "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", fileVersion: "131.0.2903.70",
                                 description: "Microsoft Edge", product: "Microsoft Edge", company: ms, originalFileName: "msedge.exe")
    static func officeApp(_ name: String, _ description: String, _ original: String) -> WinProgram {
        WinProgram(image: "C:\\Program Files\\Microsoft Office\\root\\Office16\\" + name, fileVersion: "16.0.18129.20158",
                   description: description, product: office, company: ms, originalFileName: original)
    }
    static let outlook = officeApp("OUTLOOK.EXE", "Microsoft Outlook", "Outlook.exe")
    static let word = officeApp("WINWORD.EXE", "Microsoft Word", "WinWord.exe")
    static let excel = officeApp("EXCEL.EXE", "Microsoft Excel", "Excel.exe")
    static func teams(_ user: String) -> WinProgram {
        WinProgram(image: "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe", fileVersion: "24295.605.3225.8804",
                   description: "Microsoft Teams", product: "Microsoft Teams", company: ms, originalFileName: "ms-teams.exe")
    }
    static let oneDrive = WinProgram(image: "C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe", fileVersion: "24.211.1020.0001",
                                     description: "Microsoft OneDrive", product: "Microsoft OneDrive", company: ms, originalFileName: "OneDrive.exe")
    static let acrobat = WinProgram(image: "C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe", fileVersion: "24.4.20272.0",
                                    description: "Adobe Acrobat", product: "Adobe Acrobat", company: "Adobe Systems Incorporated", originalFileName: "Acrobat.exe")
    static let defenderPlatform = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\"
    static let msMpEng = WinProgram(image: defenderPlatform + "MsMpEng.exe", fileVersion: "4.18.24090.11 (WinBuild.160101.0800)",
                                    description: "Antimalware Service Executable", product: os, company: ms, originalFileName: "MsMpEng.exe")
    static let mpCmdRun = WinProgram(image: defenderPlatform + "MpCmdRun.exe", fileVersion: "4.18.24090.11 (WinBuild.160101.0800)",
                                     description: "Microsoft Malware Protection Command Line Utility", product: os, company: ms, originalFileName: "MpCmdRun.exe")
    static let googleUpdate = WinProgram(image: "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", fileVersion: "1.3.36.372",
                                         description: "Google Installer", product: "Google Update", company: "Google LLC", originalFileName: "GoogleUpdate.exe")
    static let edgeUpdate = WinProgram(image: "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe", fileVersion: "1.3.195.35",
                                       description: "Microsoft Edge Update", product: "Microsoft Edge Update", company: ms, originalFileName: "msedgeupdate.dll")
    static let procdump = WinProgram(image: "C:\\Users\\Public\\procdump64.exe", fileVersion: "11.0", description: "Sysinternals process dump utility",
                                     product: "ProcDump", company: "Sysinternals - www.sysinternals.com", originalFileName: "procdump")
    static let psexesvc = WinProgram(image: "C:\\Windows\\PSEXESVC.exe", fileVersion: "2.43", description: "PsExec Service",
                                     product: "Sysinternals PsExec", company: "Sysinternals - www.sysinternals.com", originalFileName: "psexesvc.exe")
}

/// Sites users browse: name, resolved address. Shared names keep Sysmon 22 and 3 consistent.
enum WinSites {
    static let browsing: [(String, String)] = [
        ("www.google.com", "142.250.185.68"), ("outlook.office365.com", "52.97.201.82"), ("teams.microsoft.com", "52.113.194.132"),
        ("login.microsoftonline.com", "20.190.159.2"), ("www.linkedin.com", "13.107.42.14"), ("en.wikipedia.org", "185.15.59.224"),
        ("www.nzz.ch", "104.18.24.182"), ("www.srf.ch", "23.48.229.15"), ("github.com", "140.82.121.4"), ("stackoverflow.com", "104.18.32.7"),
        ("www.bbc.com", "151.101.64.81"), ("docs.microsoft.com", "23.36.72.48"), ("www.sbb.ch", "193.47.152.20"), ("www.youtube.com", "142.250.186.46"),
        ("weather.com", "23.42.176.61"), ("www.amazon.de", "18.66.122.90"), ("www.admin.ch", "162.23.137.20"), ("www.dropbox.com", "162.125.69.18"),
    ]
    static let microsoft: [(String, String)] = [
        ("settings-win.data.microsoft.com", "20.42.73.29"), ("v10.events.data.microsoft.com", "20.189.173.3"),
        ("ctldl.windowsupdate.com", "93.184.221.240"), ("go.microsoft.com", "23.35.74.22"), ("wdcp.microsoft.com", "20.44.10.123"),
    ]
}
