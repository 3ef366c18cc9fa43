import SpoorCore

/// A value of `EventData` as evtx_dump renders it: the binary XML type decides whether it is
/// a JSON string (strings, SIDs, GUIDs, `HexInt64` as `"0x3e7"`), a number (`UInt32`
/// `LogonType`, Sysmon `ProcessId`) or a boolean (Sysmon 3 `Initiated`).
enum WinValue: Sendable, Hashable {
    case s(String), n(Int64), b(Bool)

    var json: String {
        switch self {
        case .s(let v): return JSONValue.quote(v)
        case .n(let v): return String(v)
        case .b(let v): return v ? "true" : "false"
        }
    }
}

/// The event log channels the simulation writes, each to its own file per client.
enum WinChannel: String, Sendable, Hashable, CaseIterable {
    case security = "Security", sysmon = "Microsoft-Windows-Sysmon/Operational", system = "System"

    var file: String {
        switch self {
        case .security: return "windows/security.jsonl"
        case .sysmon: return "windows/sysmon.jsonl"
        case .system: return "windows/system.jsonl"
        }
    }
}

/// One Windows event before rendering.
struct WinEvent: Sendable {
    var time: Timestamp
    var host: SimHost
    var channel: WinChannel
    var id: Int
    /// `EventData` items in the event's own order (the provider manifest's).
    var data: [(String, WinValue)]
    /// `System/Security/@UserID` (Sysmon: SYSTEM; SCM: the installing account); nil renders `null`
    /// as the Security-Auditing provider does.
    var userSID: String? = nil
    /// `System/Correlation/@ActivityID` (logon events carry one).
    var activityID: String? = nil
    /// `Execution/@ThreadID`; the process id is the writing service's (lsass, Sysmon, services).
    var threadID: Int = 0
    /// Audit Failure on an event id that also succeeds (4776).
    var keywordsOverride: String? = nil
    var label: TruthLabel? = nil
}

/// The `System` block constants of each (channel, event id): provider, version, task, keywords.
struct WinEventKind: Sendable {
    var provider: String
    var guid: String
    var sourceName: String? = nil
    var qualifiers: Int? = nil
    var version: Int
    var level: Int
    var task: Int
    var opcode: Int = 0
    var keywords: String
    /// `UserData` payload element instead of `EventData` (1102: `LogFileCleared`).
    var userData: (element: String, xmlns: String)? = nil

    static let auditing = "Microsoft-Windows-Security-Auditing", auditingGUID = "54849625-5478-4994-A5BA-3E3B0328C30D"
    static let success = "0x8020000000000000", failure = "0x8010000000000000"
    static let sysmonGUID = "5770385F-C22A-43E0-BF4C-06F5698FFBD9"

    static func security(_ version: Int, _ task: Int, _ keywords: String = success) -> WinEventKind {
        WinEventKind(provider: auditing, guid: auditingGUID, version: version, level: 0, task: task, keywords: keywords)
    }

    static func sysmon(_ id: Int, _ version: Int) -> WinEventKind {
        WinEventKind(provider: "Microsoft-Windows-Sysmon", guid: sysmonGUID, version: version, level: 4, task: id, keywords: "0x8000000000000000")
    }

    /// Versions, tasks and keywords as Windows 10/11 and Server 2019/2022 write them
    /// (Security-Auditing manifest; evtx-rs samples security.evtx, system.evtx; SigmaHQ regression data).
    static func of(_ channel: WinChannel, _ id: Int) -> WinEventKind {
        switch (channel, id) {
        case (.security, 4624): return security(2, 12544)
        case (.security, 4625): return security(0, 12544, failure)
        case (.security, 4634), (.security, 4647): return security(0, 12545)
        case (.security, 4672): return security(0, 12548)
        case (.security, 4688): return security(2, 13312)
        case (.security, 4697): return security(0, 12289)
        case (.security, 4698): return security(1, 12804)
        case (.security, 4768): return security(0, 14339)
        case (.security, 4769): return security(0, 14337)
        case (.security, 4776): return security(0, 14336)
        case (.security, 4771): return security(0, 14339, failure)
        case (.security, 4740): return security(0, 13824)
        case (.security, 4778), (.security, 4779), (.security, 4800), (.security, 4801): return security(0, 12551)
        case (.security, 5140): return security(1, 12808)
        case (.security, 5145): return security(0, 12811)
        case (.security, 1102):
            return WinEventKind(provider: "Microsoft-Windows-Eventlog", guid: "FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148", version: 0, level: 4,
                                task: 104, keywords: "0x4020000000000000",
                                userData: ("LogFileCleared", "http://manifests.microsoft.com/win/2004/08/windows/eventlog"))
        case (.system, 7045):
            return WinEventKind(provider: "Service Control Manager", guid: "{555908d1-a6d7-4695-8e1e-26931d2012f4}",
                                sourceName: "Service Control Manager", qualifiers: 16384, version: 0, level: 4, task: 0, keywords: "0x8080000000000000")
        case (.sysmon, 1), (.sysmon, 3), (.sysmon, 22): return sysmon(id, 5)
        case (.sysmon, 10): return sysmon(id, 3)
        case (.sysmon, 11): return sysmon(id, 2)
        default: return security(0, 0)
        }
    }
}

/// Renders Windows events as evtx_dump JSON lines and adds them to the output.
///
/// `EventRecordID` grows with time per host and channel: the base (drawn from the host and
/// channel names) plus the 5 ms ticks since the window start, so records written by the
/// benign activity and by a scenario, in any order, number the same way and increase in file
/// order (the files are written sorted by time). Benign activity spaces the events of one
/// host and channel at least one tick apart (``WindowsActivity``); the gaps stand for the
/// events the simulation does not model (a real Security log numbers 4703, 5379, … too).
enum WindowsEventWriter {
    static let tickMicroseconds: Int64 = 5_000

    static func recordID(_ e: WinEvent, client: SimClient, windowStart: Timestamp) -> Int64 {
        let base = Int64(stableHash(e.host.name + "/" + e.channel.rawValue) % 4_000_000) + 100_000
        return base + max(0, e.time.microseconds - windowStart.microseconds) / tickMicroseconds
    }

    /// The writing service's process id per host: lsass for Security, Sysmon64 for Sysmon,
    /// services.exe for the Service Control Manager, the EventLog svchost for 1102.
    static func processID(_ e: WinEvent) -> Int {
        let h = stableHash(e.host.name)
        switch (e.channel, e.id) {
        case (.security, 1102): return 1_200 + Int(h % 300) * 4
        case (.security, _): return 600 + Int(h % 60) * 4
        case (.system, _): return 560 + Int(h % 40) * 4
        case (.sysmon, _): return 2_800 + Int(h % 500) * 4
        }
    }

    static func line(_ e: WinEvent, client: SimClient, windowStart: Timestamp) -> String {
        let k = WinEventKind.of(e.channel, e.id)
        var s = "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/event\"},\"System\":{"
        s += "\"Provider\":{\"#attributes\":{\"Name\":\(JSONValue.quote(k.provider)),\"Guid\":\(JSONValue.quote(k.guid))"
        if let n = k.sourceName { s += ",\"EventSourceName\":\(JSONValue.quote(n))" }
        s += "}},"
        if let q = k.qualifiers {
            s += "\"EventID\":{\"#attributes\":{\"Qualifiers\":\(q)},\"#text\":\(e.id)},"
        } else {
            s += "\"EventID\":\(e.id),"
        }
        s += "\"Version\":\(k.version),\"Level\":\(k.level),\"Task\":\(k.task),\"Opcode\":\(k.opcode),\"Keywords\":\"\(e.keywordsOverride ?? k.keywords)\","
        s += "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"\(systemTime(e.time))\"}},"
        s += "\"EventRecordID\":\(recordID(e, client: client, windowStart: windowStart)),"
        if let a = e.activityID {
            s += "\"Correlation\":{\"#attributes\":{\"ActivityID\":\(JSONValue.quote(a))}},"
        } else {
            s += "\"Correlation\":null,"
        }
        s += "\"Execution\":{\"#attributes\":{\"ProcessID\":\(processID(e)),\"ThreadID\":\(e.threadID)}},"
        s += "\"Channel\":\(JSONValue.quote(e.channel.rawValue)),\"Computer\":\(JSONValue.quote(e.host.fqdn(client))),"
        if let u = e.userSID {
            s += "\"Security\":{\"#attributes\":{\"UserID\":\(JSONValue.quote(u))}}"
        } else {
            s += "\"Security\":null"
        }
        s += "},"
        if let ud = k.userData {
            s += "\"UserData\":{\(JSONValue.quote(ud.element)):{\"#attributes\":{\"xmlns\":\(JSONValue.quote(ud.xmlns))}"
            for (name, v) in e.data { s += ",\(JSONValue.quote(name)):\(v.json)" }
            s += "}}}}"
        } else {
            s += "\"EventData\":{"
            var first = true
            for (name, v) in e.data {
                if !first { s += "," }
                first = false
                s += "\(JSONValue.quote(name)):\(v.json)"
            }
            s += "}}}"
        }
        return s
    }

    /// Adds `e` to the context's output.
    static func add(_ e: WinEvent, to context: inout SimulationContext) {
        let l = line(e, client: context.client, windowStart: context.start)
        context.output.add(context.path(e.channel.file), time: e.time, line: l, client: context.client.id, host: e.host.name, label: e.label)
    }

    /// `2026-03-02T08:00:01.1234567Z`: seven fraction digits as Windows keeps FILETIME (100 ns);
    /// the seventh comes from the microseconds so the text stays a function of the time.
    static func systemTime(_ t: Timestamp) -> String {
        let c = CivilTime(utcMicroseconds: t.microseconds)
        let seventh = Int((UInt64(bitPattern: t.microseconds) &* 0x9E37_79B9_7F4A_7C15) >> 60) % 10
        return date(c) + "T" + clock(c) + "." + pad(c.microsecond, 6) + String(seventh) + "Z"
    }

    /// Sysmon's `UtcTime`: `2026-03-02 08:00:01.337` (milliseconds).
    static func sysmonTime(_ t: Timestamp) -> String {
        let c = CivilTime(utcMicroseconds: t.microseconds)
        return date(c) + " " + clock(c) + "." + pad(c.microsecond / 1000, 3)
    }

    static func date(_ c: CivilTime) -> String { pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) }
    static func clock(_ c: CivilTime) -> String { pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2) }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Upper-case hex, zero-padded.
    static func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count >= width ? String(s.suffix(width)) : String(repeating: "0", count: width - s.count) + s
    }

    /// `0x3e7`: lower-case hex as Windows writes logon ids and process ids.
    static func hexID(_ v: Int64) -> String { "0x" + String(UInt64(bitPattern: v), radix: 16) }

    /// FNV-1a: stable across runs and platforms (Swift's Hasher is seeded per process).
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// A GUID in the form evtx_dump renders GUID values (upper case, no braces).
    static func guid(_ rng: inout SplitMix64) -> String {
        let a = rng.next(), b = rng.next()
        return hex(a >> 32, 8) + "-" + hex((a >> 16) & 0xFFFF, 4) + "-" + hex(a & 0xFFFF, 4) + "-" + hex(b >> 48, 4) + "-" + hex(b & 0xFFFF_FFFF_FFFF, 12)
    }
}
