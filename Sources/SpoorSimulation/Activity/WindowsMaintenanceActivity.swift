import SpoorCore

/// What every Windows machine starts on its own, as SYSTEM, from the tasks in the Task
/// Scheduler Library (`\Microsoft\Windows\…`) and the services that run on demand. Security
/// 4688 logs them all; Sysmon logs those its configuration does not exclude (sysmon-modular's
/// process-creation rules log every process but a list of exclusions, which drops `wermgr`,
/// `sppsvc` and `CompatTelRunner`: `WindowsRecorder.sysmonLogsProcess`). Before this the
/// simulated machines started almost nothing by themselves, so a system tool started as SYSTEM
/// on a server was mostly an intruder's (PsExec's children).
///
/// - **Update Orchestrator**: `usoclient.exe StartScan` (task `UpdateOrchestrator\Schedule
///   Scan`) and the orchestrator's COM worker `MoUsoCoreWorker.exe -Embedding` several times a day
///   (Microsoft Learn, "Windows Update: … Update Orchestrator"; "Manage additional Windows
///   Update settings").
/// - **Windows Error Reporting**: `wermgr.exe -upload` (task `Windows Error
///   Reporting\QueueReporting`; Microsoft Learn, "Windows Error Reporting").
/// - **Compatibility Appraiser**: `compattelrunner.exe` (task `Application
///   Experience\Microsoft Compatibility Appraiser`; Microsoft Learn, "Configure Windows
///   diagnostic data in your organization").
/// - **Software Protection**: the on-demand `sppsvc.exe` under services.exe, then
///   `SppExtComObj.Exe -Embedding` (task `SoftwareProtectionPlatform\SvcRestartTask`).
/// - **Defender's idle tasks**: `MpCmdRun.exe -IdleTask -TaskName WdCacheMaintenance`
///   (`…Cleanup`, `…Verification`; tasks `Windows Defender\Windows Defender Cache
///   Maintenance` and the others).
/// - **Time synchronisation**: `sc.exe start w32time task_started` (task `Time
///   Synchronization\SynchronizeTime`; Microsoft Learn, "Windows Time service tools and settings").
/// - **Startup-app scan** (workstations): `rundll32.exe Startupscan.dll,SusRunTask` (task
///   `Application Experience\StartupAppTask`).
/// - **Drive optimisation**, weekly under Automatic Maintenance: `defrag.exe -c -h -o -$` (task
///   `Defrag\ScheduledDefrag`; Microsoft Learn, "Automatic Maintenance").
/// - **Device census**: `devicecensus.exe SystemCxt` (task `Device Information\Device`).
extension WindowsActivity.Generator {
    static let moUsoCoreWorker = WinProgram.system("MoUsoCoreWorker.exe", "MoUSO Core Worker Process", original: "MoUsoCoreWorker.exe")
    static let usoClient = WinProgram.system("usoclient.exe", "UsoClient", original: "UsoClient")
    static let wermgr = WinProgram.system("wermgr.exe", "Windows Problem Reporting", original: "WerMgr")
    static let compatTelRunner = WinProgram.system("CompatTelRunner.exe", "Microsoft Compatibility Telemetry", original: "CompatTelRunner.exe")
    static let sppsvc = WinProgram.system("sppsvc.exe", "Microsoft Software Protection Platform Service", original: "sppsvc.exe")
    static let sppExtComObj = WinProgram.system("SppExtComObj.Exe", "KMS Connection Broker", original: "sppextcomobj.exe")
    static let defrag = WinProgram.system("Defrag.exe", "Disk Defragmenter Module", original: "Defrag.EXE")
    static let deviceCensus = WinProgram.system("DeviceCensus.exe", "Device Census", original: "DeviceCensus.exe")

    /// One day of a machine's own maintenance processes (about fourteen).
    func maintenance(_ host: SimHost, day: Int, _ rec: inout WindowsRecorder) {
        let system = WinLogon.system(host, client)
        let dayStart = t(day, 0)
        let schedule = rec.existing(.svchost, on: host, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", at: dayStart)
        let dcomLaunch = rec.existing(.svchost, on: host, logon: system, commandLine: "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", at: dayStart)
        let services = rec.existing(.services, on: host, logon: system, commandLine: "C:\\Windows\\system32\\services.exe", at: dayStart)
        func at(_ rng: inout SplitMix64) -> Timestamp { t(day, rng.unit() * 86_400) }
        let dir = "C:\\Windows\\system32\\"
        for _ in 0..<(2 + rec.rng.below(3)) {
            rec.start(Self.moUsoCoreWorker, "C:\\Windows\\System32\\MoUsoCoreWorker.exe -Embedding", parent: dcomLaunch, on: host, at: at(&rec.rng), directory: dir)
        }
        if rec.rng.chance(0.7) { rec.start(Self.usoClient, "C:\\Windows\\system32\\usoclient.exe StartScan", parent: schedule, on: host, at: at(&rec.rng), directory: dir) }
        if rec.rng.chance(0.8) { rec.start(Self.wermgr, "C:\\Windows\\system32\\wermgr.exe -upload", parent: schedule, on: host, at: at(&rec.rng), directory: dir) }
        if rec.rng.chance(0.9) { rec.start(Self.compatTelRunner, "C:\\Windows\\system32\\compattelrunner.exe", parent: schedule, on: host, at: at(&rec.rng), directory: dir) }
        for _ in 0..<(1 + rec.rng.below(3)) {
            let now = at(&rec.rng)
            rec.start(Self.sppsvc, "C:\\Windows\\system32\\sppsvc.exe", parent: services, on: host, at: now, directory: dir)
            rec.start(Self.sppExtComObj, "C:\\Windows\\system32\\SppExtComObj.Exe -Embedding", parent: dcomLaunch, on: host, at: Self.plus(now, 0.4 + rec.rng.unit()), directory: dir)
        }
        let task = rec.rng.pick(["WdCacheMaintenance", "WdCleanup", "WdVerification"])
        rec.start(.mpCmdRun, "\"" + WinProgram.mpCmdRun.image + "\" -IdleTask -TaskName " + task, parent: schedule, on: host, at: at(&rec.rng), directory: dir)
        rec.start(.sc, "C:\\Windows\\system32\\sc.exe start w32time task_started", parent: schedule, on: host, at: at(&rec.rng), directory: dir)
        if host.role == .workstation, rec.rng.chance(0.8) {
            rec.start(.rundll32, "C:\\Windows\\system32\\rundll32.exe Startupscan.dll,SusRunTask", parent: schedule, on: host, at: at(&rec.rng), directory: dir)
        }
        if rec.rng.chance(1.0 / 7) { rec.start(Self.defrag, "C:\\Windows\\system32\\defrag.exe -c -h -o -$", parent: schedule, on: host, at: at(&rec.rng), directory: dir) }
        if rec.rng.chance(0.5) { rec.start(Self.deviceCensus, "C:\\Windows\\system32\\devicecensus.exe SystemCxt", parent: schedule, on: host, at: at(&rec.rng), directory: dir) }
    }
}
