import SpoorCore
import SpoorEvents

/// Pairs logon and logoff events into ``LogonSession``s (see ``SessionTimeline``).
///
/// Windows (Security log; raw field names as Windows writes them, under `winlog.event_data.*`):
/// | event | meaning | key |
/// |---|---|---|
/// | 4624 | logon: `TargetUserName`, `TargetDomainName`, `LogonType`, `IpAddress` | `TargetLogonId` |
/// | 4634, 4647 | logoff | `TargetLogonId` |
/// | 4800 / 4801 | workstation locked / unlocked | `TargetLogonId` |
/// | 4779 / 4778 | RDP session disconnected / reconnected | `LogonID` |
/// | 4608, 1100, 6005, 6006 | start-up, log service shut down: every open session on the host ends | — |
///
/// Linux (syslog and journald, as spoor's syslog parser classifies them): `session-opened` /
/// `session-closed` of a PAM service paired by host, program and pid (`sshd` sessions are
/// remote-interactive, `login` interactive, `cron` batch, `su`/`sudo` user switches), and
/// systemd-logind's `New session N` / `Removed session N` paired by session number. A logind
/// session that starts within 2 s of an sshd session for the same user on the same host is the
/// same login and is dropped in favour of the sshd one, which knows the source address.
struct SessionBuilder {
    let batch: EventBatch
    let policy: SessionPolicy

    private var open: [String: Int] = [:]          // key → index in `sessions`
    private var sessions: [LogonSession] = []
    private var lastSeen: [Int: Timestamp] = [:]    // session index → last sign of life
    private var sshSources: [String: IPAddress] = [:] // host|pid → address of the accepted login
    private let columns: [String: Int]

    init(batch: EventBatch, policy: SessionPolicy) {
        self.batch = batch
        self.policy = policy
        columns = batch.columnIndex
    }

    private func text(_ r: Int, _ field: String) -> String? {
        guard let c = columns[field], let v = batch.value(row: r, column: c) else { return nil }
        let s = v.description
        return s.isEmpty || s == "-" ? nil : s
    }

    private func int(_ r: Int, _ field: String) -> Int? {
        guard let c = columns[field], let v = batch.value(row: r, column: c) else { return nil }
        if let i = v.intValue { return Int(i) }
        let s = v.description
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int(s.dropFirst(2), radix: 16) }
        return Int(s)
    }

    private func location(_ r: Int) -> String? {
        guard let path = text(r, Field.logFilePath) else { return nil }
        return "\(path):\(text(r, Field.spoorRecord) ?? "?"):\(text(r, Field.logOffset) ?? "?")"
    }

    /// A LogonId as one canonical text (`0x3e7` and `999` are the same id).
    private func logonID(_ r: Int, _ field: String) -> String? {
        guard let raw = text(r, field) else { return nil }
        return LogonID.number(raw).map { "0x" + String($0, radix: 16) } ?? raw.lowercased()
    }

    mutating func build() -> ([LogonSession], Timestamp?) {
        guard let ts = columns[Field.timestamp] else { return ([], nil) }
        let tcol = batch.columns[ts]
        let order = (0..<batch.count).filter { tcol.isValid($0) }.sorted { tcol.integers[$0] < tcol.integers[$1] }
        var dataEnd: Timestamp? = nil
        for r in order {
            let t = Timestamp(microseconds: tcol.integers[r])
            dataEnd = t
            let org = text(r, Field.organizationID) ?? "default"
            guard let host = text(r, Field.hostName)?.lowercased() ?? text(r, "winlog.computer_name")?.lowercased() else { continue }
            if text(r, "winlog.channel") != nil || text(r, "winlog.event_id") != nil {
                windows(r, t, org: org, host: host)
            } else if let action = text(r, Field.eventAction) {
                linux(r, t, org: org, host: host, action: action)
            }
        }
        // Close what never closed, by the policy.
        for i in sessions.indices where sessions[i].end == nil {
            let seen = lastSeen[i] ?? sessions[i].start
            let candidate = min(seen.microseconds + policy.idleGrace, sessions[i].start.microseconds + policy.maximumDuration)
            if let dataEnd, dataEnd.microseconds >= candidate {
                sessions[i].end = Timestamp(microseconds: candidate)
                sessions[i].endIsInferred = true
            }
        }
        return (dedupeLogind(sessions), dataEnd)
    }

    // MARK: Windows

    private mutating func windows(_ r: Int, _ t: Timestamp, org: String, host: String) {
        guard let code = int(r, Field.eventCode) ?? int(r, "winlog.event_id") else { return }
        let base = "\(org)|\(host)|win|"
        // Any event naming a LogonId is a sign of life for that session.
        for f in ["winlog.event_data.SubjectLogonId", "winlog.event_data.TargetLogonId", "winlog.event_data.LogonId", "winlog.event_data.LogonID"] {
            if let id = logonID(r, f), let i = open[base + id] { lastSeen[i] = t }
        }
        switch code {
        case 4624:
            guard let id = logonID(r, "winlog.event_data.TargetLogonId") else { return }
            let type = int(r, "winlog.event_data.LogonType") ?? -1
            if let i = open[base + id] { close(i, at: t, inferred: true, evidence: location(r)) }
            let user = text(r, "winlog.event_data.TargetUserName") ?? "?"
            var s = LogonSession(organization: org, host: host, user: user, domain: text(r, "winlog.event_data.TargetDomainName"),
                                 kind: LogonSession.Kind(windowsLogonType: type), logonType: type >= 0 ? type : nil,
                                 sessionID: id, source: "windows-security", sourceIP: nil, start: t, end: nil,
                                 endIsInferred: false, absences: [], startEvidence: location(r), endEvidence: nil)
            // `-`, `0.0.0.0`, `::` and loopback mean "this machine", not a remote peer.
            if let ip = text(r, "winlog.event_data.IpAddress"), let a = IPAddress(ip) {
                let isLocal = a.ipv4.map { $0 == 0 || $0 >> 24 == 127 } ?? (a.high == 0 && a.low <= 1)
                if !isLocal { s.sourceIP = a }
            }
            open[base + id] = sessions.count
            sessions.append(s)
        case 4634, 4647:
            if let id = logonID(r, "winlog.event_data.TargetLogonId"), let i = open[base + id] {
                close(i, at: t, inferred: false, evidence: location(r))
                open[base + id] = nil
            }
        case 4800, 4779:
            let field = code == 4800 ? "winlog.event_data.TargetLogonId" : "winlog.event_data.LogonID"
            if let id = logonID(r, field), let i = open[base + id] {
                sessions[i].absences.append(.init(reason: code == 4800 ? .locked : .disconnected, start: t, end: nil))
            }
        case 4801, 4778:
            let field = code == 4801 ? "winlog.event_data.TargetLogonId" : "winlog.event_data.LogonID"
            if let id = logonID(r, field), let i = open[base + id],
               let k = sessions[i].absences.lastIndex(where: { $0.end == nil }) {
                sessions[i].absences[k].end = t
            }
        case 4608, 1100, 6005, 6006:
            // The host (or its event log) started or stopped: nothing from before survives.
            for (key, i) in open where key.hasPrefix("\(org)|\(host)|") {
                close(i, at: t, inferred: true, evidence: location(r))
                open[key] = nil
            }
        default:
            break
        }
    }

    // MARK: Linux

    private mutating func linux(_ r: Int, _ t: Timestamp, org: String, host: String, action: String) {
        let program = text(r, Field.processName)?.lowercased() ?? ""
        let pid = text(r, Field.processPID) ?? ""
        let hostKey = "\(org)|\(host)|"
        if let i = open[hostKey + "pam|\(program)|\(pid)"] { lastSeen[i] = t }
        switch action {
        case "ssh-login":
            if text(r, Field.eventOutcome) == "success", let ip = text(r, Field.sourceIP).flatMap(IPAddress.init) {
                sshSources[hostKey + pid] = ip
            }
        case "session-opened":
            if program == "systemd-logind" {
                guard let id = text(r, Field.sessionID) else { return }
                let user = text(r, Field.userName) ?? "?"
                open[hostKey + "logind|" + id] = sessions.count
                sessions.append(LogonSession(organization: org, host: host, user: user, domain: nil, kind: .interactive, logonType: nil,
                                             sessionID: id, source: "logind", sourceIP: nil, start: t, end: nil, endIsInferred: false,
                                             absences: [], startEvidence: location(r), endEvidence: nil))
                return
            }
            let service = text(r, "syslog.pam.service")?.lowercased() ?? program
            let kind: LogonSession.Kind
            switch service {
            case "sshd": kind = .remoteInteractive
            case "login", "gdm-password", "lightdm", "sddm", "gdm-autologin": kind = .interactive
            case "cron": kind = .batch
            case "su", "su-l", "sudo", "sudo-i", "runuser", "runuser-l": kind = .switchUser
            case "systemd-user": kind = .service
            default: kind = .other
            }
            // For su/sudo the session belongs to the effective user; the actor is user.name.
            let user = (kind == .switchUser ? text(r, Field.userEffectiveName) : nil) ?? text(r, Field.userName) ?? "?"
            let key = hostKey + "pam|\(program)|\(pid)"
            if let i = open[key] { close(i, at: t, inferred: true, evidence: location(r)) }
            open[key] = sessions.count
            sessions.append(LogonSession(organization: org, host: host, user: user, domain: nil, kind: kind, logonType: nil,
                                         sessionID: pid, source: service == program ? program : "pam:\(service)",
                                         sourceIP: kind == .remoteInteractive ? sshSources[hostKey + pid] : nil,
                                         start: t, end: nil, endIsInferred: false, absences: [], startEvidence: location(r), endEvidence: nil))
        case "session-closed", "session-logged-out":
            if program == "systemd-logind" {
                if let id = text(r, Field.sessionID), let i = open[hostKey + "logind|" + id] {
                    close(i, at: t, inferred: false, evidence: location(r))
                    open[hostKey + "logind|" + id] = nil
                }
                return
            }
            let key = hostKey + "pam|\(program)|\(pid)"
            if let i = open[key] {
                close(i, at: t, inferred: false, evidence: location(r))
                open[key] = nil
            }
        default:
            break
        }
    }

    private mutating func close(_ i: Int, at t: Timestamp, inferred: Bool, evidence: String?) {
        guard sessions[i].end == nil else { return }
        sessions[i].end = t
        sessions[i].endIsInferred = inferred
        sessions[i].endEvidence = evidence
        for k in sessions[i].absences.indices where sessions[i].absences[k].end == nil { sessions[i].absences[k].end = t }
    }

    /// Drops logind sessions that are the same login as an sshd session (same host and user,
    /// starts within 2 s).
    private func dedupeLogind(_ all: [LogonSession]) -> [LogonSession] {
        let ssh = all.filter { $0.kind == .remoteInteractive && $0.source == "sshd" }
        return all.filter { s in
            guard s.source == "logind" else { return true }
            return !ssh.contains { $0.organization == s.organization && $0.host == s.host && $0.user == s.user
                && abs($0.start.microseconds - s.start.microseconds) <= 2_000_000 }
        }
    }
}
