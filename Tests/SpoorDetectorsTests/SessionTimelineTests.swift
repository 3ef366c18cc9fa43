import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorParsers
@testable import SpoorDetectors
import SpoorIngest
import SpoorTesting

/// Windows Security events as the Windows parsers write them (raw names under winlog.event_data).
struct WindowsEvents {
    var builder = EventBatchBuilder()
    let base = CivilTime(year: 2024, month: 3, day: 4, hour: 8).utcMicroseconds

    mutating func add(_ minute: Int, _ code: Int, host: String = "WS01", _ data: [String: String]) {
        builder.beginRow()
        builder.set(builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: base + Int64(minute) * 60_000_000))
        builder.set(builder.column(Field.hostName, .string), string: host)
        builder.set(builder.column(Field.eventCode, .string), string: String(code))
        builder.set(builder.column("winlog.channel", .string), string: "Security")
        builder.set(builder.column(Field.organizationID, .string), string: "acme")
        for (k, v) in data.sorted(by: { $0.key < $1.key }) {
            builder.set(builder.column("winlog.event_data." + k, .string), string: v)
        }
        builder.endRow()
    }

    func at(_ minute: Int) -> Timestamp { Timestamp(microseconds: base + Int64(minute) * 60_000_000) }
    mutating func batch() -> EventBatch { builder.finish() }
}

@Suite struct SessionTimelineTests {
    @Test func overlappingSessionsAndWhoIsPresent() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0x1a2b", "LogonType": "2", "TargetUserName": "alice", "TargetDomainName": "ACME"])
        w.add(10, 4624, ["TargetLogonId": "0x2000", "LogonType": "10", "TargetUserName": "bob", "TargetDomainName": "ACME", "IpAddress": "10.0.0.9"])
        w.add(20, 4634, ["TargetLogonId": "0x1a2b"])
        w.add(40, 4647, ["TargetLogonId": "0x2000"])
        w.add(300, 4624, ["TargetLogonId": "0x9", "LogonType": "3", "TargetUserName": "svc"])   // keeps data going
        let t = SessionTimeline(w.batch())
        #expect(t.present(host: "ws01", at: w.at(15)).map(\.user).sorted() == ["alice", "bob"])
        #expect(t.present(host: "WS01", at: w.at(30)).map(\.user) == ["bob"])
        #expect(t.present(host: "WS01", at: w.at(45)).isEmpty)
        let bob = t.sessions.first { $0.user == "bob" }
        #expect(bob?.kind == .remoteInteractive)
        #expect(bob?.sourceIP == IPAddress("10.0.0.9"))
        #expect(bob?.endIsInferred == false)
    }

    @Test func aNetworkLogonIsNotAPersonBeingThere() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0x77", "LogonType": "3", "TargetUserName": "alice"])
        w.add(1, 4624, ["TargetLogonId": "0x78", "LogonType": "5", "TargetUserName": "SYSTEM"])
        w.add(2, 4634, ["TargetLogonId": "0x77"])
        let t = SessionTimeline(w.batch())
        #expect(t.sessions(host: "WS01", at: w.at(1)).count == 2)
        #expect(t.present(host: "WS01", at: w.at(1)).isEmpty)
    }

    @Test func aMissingLogoffEndsAtTheLastSignOfLifePlusTheGrace() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0x500", "LogonType": "2", "TargetUserName": "carol"])
        w.add(50, 4688, ["SubjectLogonId": "0x500", "NewProcessName": "C:\\Windows\\notepad.exe"])   // activity
        w.add(600, 4624, ["TargetLogonId": "0x600", "LogonType": "3", "TargetUserName": "svc"])     // data goes on
        let t = SessionTimeline(w.batch(), policy: SessionPolicy(idleGraceSeconds: 1800))
        let carol = t.sessions.first { $0.user == "carol" }
        #expect(carol?.end == w.at(80))
        #expect(carol?.endIsInferred == true)
        #expect(t.present(host: "WS01", at: w.at(70)).map(\.user) == ["carol"])
        #expect(t.present(host: "WS01", at: w.at(90)).isEmpty)
    }

    @Test func aSessionStillGoingWhenTheDataEndsStaysOpen() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0x500", "LogonType": "2", "TargetUserName": "carol"])
        w.add(5, 4688, ["SubjectLogonId": "0x500"])
        let t = SessionTimeline(w.batch())
        #expect(t.sessions.first?.end == nil)
    }

    @Test func rdpReconnectsAndLocksAreAbsences() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0xabc", "LogonType": "10", "TargetUserName": "dave"])
        w.add(10, 4779, ["LogonID": "0xabc", "AccountName": "dave"])      // disconnected
        w.add(30, 4778, ["LogonID": "0xABC", "AccountName": "dave"])      // reconnected (case of the hex differs)
        w.add(40, 4800, ["TargetLogonId": "0xabc"])                       // locked
        w.add(50, 4801, ["TargetLogonId": "0xabc"])                       // unlocked
        w.add(60, 4634, ["TargetLogonId": "0xabc"])
        let t = SessionTimeline(w.batch())
        let s = t.sessions.first
        #expect(s?.absences.map(\.reason) == [.disconnected, .locked])
        #expect(t.present(host: "WS01", at: w.at(5)).count == 1)
        #expect(t.present(host: "WS01", at: w.at(20)).isEmpty)
        #expect(t.present(host: "WS01", at: w.at(35)).count == 1)
        #expect(t.present(host: "WS01", at: w.at(45)).isEmpty)
        #expect(t.present(host: "WS01", at: w.at(55)).count == 1)
        #expect(t.sessions(host: "WS01", at: w.at(20)).count == 1)   // still a session, nobody there
    }

    @Test func aReusedLogonIdOrARestartEndsTheOldSession() {
        var w = WindowsEvents()
        w.add(0, 4624, ["TargetLogonId": "0x10", "LogonType": "2", "TargetUserName": "erin"])
        w.add(100, 4608, [:])
        w.add(101, 4624, ["TargetLogonId": "0x10", "LogonType": "2", "TargetUserName": "frank"])
        let t = SessionTimeline(w.batch())
        #expect(t.sessions.count == 2)
        #expect(t.sessions[0].end == w.at(100) && t.sessions[0].endIsInferred)
        #expect(t.present(host: "WS01", at: w.at(102)).map(\.user) == ["frank"])
    }

    @Test func linuxSessionsFromTheDemoAuthLog() throws {
        // The demo's own auth.log, parsed by the real syslog parser.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-sessions-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = """
            Nov  2 02:29:05 web01 sshd[2417]: Accepted password for deploy from 203.0.113.45 port 51812 ssh2
            Nov  2 02:29:05 web01 sshd[2417]: pam_unix(sshd:session): session opened for user deploy(uid=1003) by (uid=0)
            Nov  2 02:29:05 web01 systemd-logind[601]: New session 42 of user deploy.
            Nov  2 02:29:55 web01 sudo: deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash
            Nov  2 02:29:55 web01 sudo: pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1003)
            Nov  2 02:30:00 web01 CRON[3001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
            Nov  2 02:30:02 web01 CRON[3001]: pam_unix(cron:session): session closed for user root
            Nov  2 02:35:45 web01 sshd[2417]: pam_unix(sshd:session): session closed for user deploy
            Nov  2 02:35:45 web01 systemd-logind[601]: Removed session 42.
            """
        _ = folder
        let context = ParseContext(collectedAt: Timestamp(microseconds: CivilTime(year: 2026, month: 11, day: 3).utcMicroseconds))
        let (batch, rejects) = Fixtures.parseLines(Array(text.utf8), with: LogFormat.syslog.makeParser(context))
        #expect(rejects.isEmpty)
        let t = SessionTimeline(batch)
        let at = Timestamp(microseconds: CivilTime(year: 2026, month: 11, day: 2, hour: 2, minute: 30).utcMicroseconds)
        let present = t.present(host: "web01", at: at)
        #expect(present.map(\.user) == ["deploy"])
        #expect(present.first?.sourceIP == IPAddress("203.0.113.45"))
        #expect(present.first?.kind == .remoteInteractive)
        // The logind session is the same login and is folded into the sshd one.
        #expect(!t.sessions.contains { $0.source == "logind" })
        let cron = t.sessions.first { $0.kind == .batch }
        #expect(cron?.user == "root" && cron?.isPresent(at: at) == false)
        let sudo = t.sessions.first { $0.kind == .switchUser }
        #expect(sudo?.user == "root")
    }
}

/// The timeline on real data: OTRF's LSASS_campaign_01 (Windows JSON from MKT01.pandalab.com).
///
/// Verified by hand in the data: at 2023-08-15T09:54:30.820Z two 4624 logons of
/// `pedro.gustavo` with LogonType 11 (cached interactive, the split elevated/non-elevated token
/// pair): LogonId 0xc10d0f, which is never logged off in the recording, and 0xc10d27, logged off
/// (4634) 2 ms later. The other logons are SYSTEM service logons (type 5, LogonId 0x3e7).
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct OTRFSessionTests {
    @Test func lsassCampaignLogonsMatchWhatTheDataSays() async throws {
        let zip = try #require(SharedData.url("otrf-security-datasets/datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump.zip"))
        let ledger = MemoryLedger()
        let report = try await Ingestor(options: IngestOptions(organization: "otrf")).run(paths: [zip.path], ledger: ledger)
        #expect(report.rejects == 0)
        let timeline = SessionTimeline(await ledger.batch)
        let host = "MKT01.pandalab.com"
        let pedro = timeline.sessions(host: host).filter { $0.user == "pedro.gustavo" }
        #expect(pedro.map(\.sessionID).sorted() == ["0xc10d0f", "0xc10d27"])
        #expect(pedro.allSatisfy { $0.kind == .cachedInteractive && $0.logonType == 11 })
        let closed = pedro.first { $0.sessionID == "0xc10d27" }
        #expect(closed?.end == Timestamp(microseconds: CivilTime(year: 2023, month: 8, day: 15, hour: 9, minute: 54, second: 30, microsecond: 822_000).utcMicroseconds))
        #expect(closed?.endIsInferred == false)
        let t = Timestamp(microseconds: CivilTime(year: 2023, month: 8, day: 15, hour: 9, minute: 56).utcMicroseconds)
        #expect(timeline.present(host: host, at: t).map(\.sessionID) == ["0xc10d0f"])
        #expect(timeline.sessions(host: host).filter { $0.user == "SYSTEM" }.allSatisfy { $0.kind == .service && !$0.kind.isPresence })
    }
}
