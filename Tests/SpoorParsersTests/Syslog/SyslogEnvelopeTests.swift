import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct SyslogEnvelopeTests {
    @Test func rfc3164WithPriority() throws {
        let e = try SyslogTesting.parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8").get()
        #expect(e.int(Field.logSyslogPriority) == 34)
        #expect(e.int(Field.logSyslogFacility) == 4)
        #expect(e.int(Field.logSyslogSeverity) == 2)
        #expect(e.string(Field.logSyslogFacilityName) == "auth")
        #expect(e.string(Field.logSyslogSeverityName) == "critical")
        #expect(e.string(Field.hostName) == "mymachine")
        #expect(e.string(Field.logSyslogHostname) == "mymachine")
        #expect(e.string(Field.processName) == "su")
        #expect(e.string(Field.message) == "'su root' failed for lonvick on /dev/pts/8")
        // Oct 11 lies after collected-at (2005-08-14) + 1 day: last year's.
        #expect(e.timestamp?.seconds == SyslogTesting.zurichSeconds(2004, 10, 11, 22, 14, 15))
        #expect(e.string(Field.eventTimezone) == "+02:00")
        #expect(e.string(Field.eventKind) == "event")
    }

    @Test func noPriorityPaddedDayAndPID() throws {
        let e = try SyslogTesting.parse("Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port 56502 ssh2").get()
        #expect(e[Field.logSyslogPriority] == nil)
        #expect(e.int(Field.processPID) == 1571)
        #expect(e.string(Field.processName) == "sshd-session")
        #expect(e.timestamp?.seconds == SyslogTesting.zurichSeconds(2005, 7, 3, 14, 59, 17))
        #expect(e.string(Field.eventAction) == "ssh-login")
    }

    @Test(arguments: [
        ("Feb 11 15:23:17 dropbear[1252]: login attempt for nonexistent user", nil, "dropbear", Int64?(1252)),
        ("Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed", nil, "sshd", nil),
        ("Mar 24 08:58:32 sogod [26818]: SOGoRootPage Login from '173.194.44.31'", nil, "sogod", 26818),
        ("Jan 10 00:00:00 myhost proftpd[12345] myhost.domain.com (1.2.3.4[1.2.3.4]): USER x", "myhost", "proftpd", 12345),
        ("Apr 23 21:59:01 dns2 imapd: LOGIN FAILED, user=sales@example.com, ip=[::ffff:1.2.3.4]", "dns2", "imapd", nil),
        ("Jun 21 16:55:01 <auth.info> machine kernel: [  970.699396] F2B: failure", "machine", "kernel", nil),
    ] as [(String, String?, String, Int64?)])
    func hostAndTagForms(line: String, host: String?, tag: String, pid: Int64?) throws {
        let e = try SyslogTesting.parse(line).get()
        #expect(e.string(Field.hostName) == host)
        #expect(e.string(Field.processName) == tag)
        #expect(e.int(Field.processPID) == pid)
    }

    @Test func rsyslogHighPrecisionTimestamp() throws {
        let e = try SyslogTesting.parse("2015-04-16T18:02:50.568798+00:00 host sshd[2716]: Connection closed by 192.0.2.112 [preauth]").get()
        #expect(e.timestamp == Timestamp(microseconds: 1_429_207_370_568_798))
        #expect(e.string(Field.eventTimezone) == "+00:00")
        #expect(e.ip(Field.sourceIP) == "192.0.2.112")
    }

    @Test func isoLocalTimeWithUTCSuffixAndComma() throws {
        let utc = try SyslogTesting.parse("2005-06-21 14:55:10 UTC machine test-demo(pam_unix)[13709] F2B: error from 192.0.2.10").get()
        #expect(utc.timestamp?.seconds == SyslogTesting.zurichSeconds(2005, 6, 21, 16, 55, 10))
        let local = try SyslogTesting.parse("2013-11-16 21:59:30,121 novo proftpd[25891] localhost (andy[1.2.3.4]): USER kjsad: no such user").get()
        #expect(local.timestamp?.microseconds == SyslogTesting.zurichSeconds(2013, 11, 16, 21, 59, 30) * 1_000_000 + 121_000)
        #expect(local.string(Field.eventTimezone) == "+01:00")
    }

    @Test func rfc5424NilValuesAndStructuredData() throws {
        let line = #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\"li\]ca\\tion" eventID="1011"][examplePriority@32473 class="high"] An application event"#
        let e = try SyslogTesting.parse(line).get()
        #expect(e.int(Field.logSyslogVersion) == 1)
        #expect(e.timestamp == Timestamp(microseconds: 1_065_910_455_003_000))
        #expect(e.string(Field.hostName) == "mymachine.example.com")
        #expect(e.string(Field.logSyslogAppname) == "evntslog")
        #expect(e[Field.logSyslogProcID] == nil)
        #expect(e[Field.processPID] == nil)
        #expect(e.string(Field.logSyslogMsgID) == "ID47")
        #expect(e.string("log.syslog.structured_data.exampleSDID@32473.iut") == "3")
        #expect(e.string("log.syslog.structured_data.exampleSDID@32473.eventSource") == #"App"li]ca\tion"#)
        #expect(e.string("log.syslog.structured_data.examplePriority@32473.class") == "high")
        #expect(e.string(Field.message) == "An application event")
    }

    @Test func rfc5424AllNilAndBOM() throws {
        let bytes: [UInt8] = Array("<13>1 - - - - - - ".utf8) + [0xEF, 0xBB, 0xBF] + Array("hello".utf8)
        let e = try SyslogTesting.parse(bytes).get()
        #expect(e.timestamp == nil)
        #expect(e[Field.hostName] == nil)
        #expect(e[Field.processName] == nil)
        #expect(e.string(Field.message) == "hello")
        let pid = try SyslogTesting.parse("<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown for invalid user redmond from 192.0.2.1 port 59197 ssh2").get()
        #expect(pid.int(Field.processPID) == 57915)
        #expect(pid.string(Field.logSyslogProcID) == "57915")
        #expect(pid.string(Field.eventTimezone) == "-04:00")
        #expect(pid.ip(Field.sourceIP) == "192.0.2.1")
        #expect(pid.string(Field.userName) == "redmond")
    }

    @Test func rfc5424BadStructuredDataIsAnError() {
        #expect(throws: ParseError.self) { try SyslogTesting.parse(#"<13>1 2003-10-11T22:14:15Z h a - - [id k="unterminated] msg"#).get() }
        #expect(throws: ParseError.self) { try SyslogTesting.parse(#"<13>1 2003-10-11T22:14:15Z h a - - {no} msg"#).get() }
    }

    @Test func crlfIsNotPartOfTheMessage() throws {
        let e = try SyslogTesting.parse("Mar  7 18:53:20 bar sshd[1556]: Connection closed by 192.0.2.113\r").get()
        #expect(e.string(Field.message) == "Connection closed by 192.0.2.113")
        #expect(e.ip(Field.sourceIP) == "192.0.2.113")
    }

    @Test func invalidUTF8IsKeptUnderTheBytePolicy() throws {
        let bytes: [UInt8] = Array("Mar  7 18:53:20 bar sshd[1556]: Invalid user ".utf8) + [0xFF, 0xC3] + Array(" from 192.0.2.9 port 22".utf8)
        let e = try SyslogTesting.parse(bytes).get()
        let user = try #require(e.string(Field.userName))
        #expect(ByteText.decode(user) == [0xFF, 0xC3])
        #expect(e.ip(Field.sourceIP) == "192.0.2.9")
    }

    @Test func garbageIsUnrecognizedNotACrash() {
        var rng = SystemRandomNumberGenerator()
        let garbage = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // Start with a byte that cannot begin a syslog header, so the verdict is deterministic.
        let line = [UInt8(ascii: "#")] + garbage.map { $0 == 10 ? 32 : $0 }
        switch SyslogTesting.parse(line) {
        case .success: Issue.record("64 KiB of garbage parsed as syslog")
        case .failure(let error): #expect(error.code == .unrecognized)
        }
        // A syslog header followed by 64 KiB of garbage is still an event.
        let framed = Array("Mar  7 18:53:20 bar app: ".utf8) + garbage.map { $0 == 10 ? 32 : $0 }
        #expect((try? SyslogTesting.parse(framed).get()) != nil)
    }

    @Test(arguments: ["not a syslog line", "{\"json\": true}", "2024/01/01 12:00:00 [error] nginx", "Foo 11 22:14:15 host app: x", ""])
    func nonSyslogIsAParseError(line: String) {
        #expect(throws: ParseError.self) { try SyslogTesting.parse(line).get() }
    }

    @Test func badDatesAreBadTimestamp() {
        for line in ["Feb 30 10:00:00 host app: x", "Oct 11 25:14:15 host app: x", "Oct xx 22:14:15 host app: x"] {
            switch SyslogTesting.parse(line) {
            case .success: Issue.record("accepted \(line)")
            case .failure(let e): #expect(e.code == .badTimestamp)
            }
        }
    }

    /// Collected on Jan 2: a file that crosses New Year keeps December in the old year.
    @Test func yearRolloverDecemberToJanuary() throws {
        let context = ParseContext(timeZone: SyslogTesting.zurich, collectedAt: Timestamp(seconds: 1_136_160_000), isTimeZoneExplicit: true) // 2006-01-02T00:00:00Z
        let dec = try SyslogTesting.parse("Dec 31 23:59:58 host app: last of 2005", context: context).get()
        let jan = try SyslogTesting.parse("Jan  1 00:00:03 host app: first of 2006", context: context).get()
        #expect(dec.timestamp?.seconds == SyslogTesting.zurichSeconds(2005, 12, 31, 23, 59, 58))
        #expect(jan.timestamp?.seconds == SyslogTesting.zurichSeconds(2006, 1, 1, 0, 0, 3))
        // One day of slack: Jan 2 after midnight UTC (local Zurich time) is still this year.
        let slack = try SyslogTesting.parse("Jan  2 20:00:00 host app: later that day", context: context).get()
        #expect(slack.timestamp?.seconds == SyslogTesting.zurichSeconds(2006, 1, 2, 20, 0, 0))
        // Three days ahead is not: last year's.
        let ahead = try SyslogTesting.parse("Jan  5 00:00:00 host app: x", context: context).get()
        #expect(ahead.timestamp?.seconds == SyslogTesting.zurichSeconds(2005, 1, 5, 0, 0, 0))
    }

    @Test func leapDayFindsALeapYear() throws {
        let e = try SyslogTesting.parse("Feb 29 12:00:00 host app: x").get()   // collected 2005: 2004 was leap
        #expect(e.timestamp?.seconds == SyslogTesting.zurichSeconds(2004, 2, 29, 12, 0, 0))
    }

    @Test func sniffer() {
        let syslog = SampleLines(lines: [
            "Mar  7 18:53:20 bar sshd[1556]: Connection closed by 192.0.2.113",
            "2015-04-16T18:02:50.568798+00:00 host sshd[2716]: Connection closed",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg",
        ].map { Array($0.utf8) })
        #expect(LogFormat.syslog.sniff(syslog) == 100)
        let others = SampleLines(lines: [
            "2016-11-20T00:04:00.110+0100 [conn1] Failed to authenticate root@admin",
            "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326",
            "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}",
            "[2013-06-10 18:15:03] NOTICE[2723] chan_sip.c: Registration from x",
        ].map { Array($0.utf8) })
        #expect(LogFormat.syslog.sniff(others) == 0)
        #expect(LogFormat.recognise(syslog)?.format.name == "syslog")
    }

    /// Local times around daylight-saving changes, in the order a log would have them, agree
    /// with the zone rule computed afresh for each (the clock's per-day and per-minute caches
    /// must never serve a stale offset).
    @Test func localTimesAcrossDaylightSavingChanges() throws {
        let times: [(Int, Int, Int, Int, Int)] = [
            (3, 26, 23, 59, 0), (3, 27, 0, 0, 0), (3, 27, 1, 59, 59), (3, 27, 3, 0, 0), (3, 27, 23, 0, 0), (3, 28, 12, 0, 0),
            (10, 29, 12, 0, 0), (10, 30, 1, 59, 0), (10, 30, 2, 30, 0), (10, 30, 3, 0, 0), (10, 30, 4, 0, 0), (10, 31, 0, 0, 1),
        ]
        var parser = SyslogParser(context: ParseContext(timeZone: SyslogTesting.zurich, collectedAt: Timestamp(seconds: 1_136_160_000)))
        var builder = EventBatchBuilder()
        for (mo, d, h, mi, sec) in times {
            let month = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo]
            let line = "\(month) \(d < 10 ? " " : "")\(d) \(h < 10 ? "0" : "")\(h):\(mi < 10 ? "0" : "")\(mi):\(sec < 10 ? "0" : "")\(sec) host app: x"
            builder.beginRow()
            _ = try parser.parse(Array(line.utf8).span, into: &builder)
            builder.endRow()
            let want = SyslogTesting.zurich.utc(fromLocal: CivilTime(year: 2005, month: mo, day: d, hour: h, minute: mi, second: sec))
            let batch = builder.finish()
            #expect(batch.row(0).timestamp?.microseconds == want.microseconds, "\(line)")
            #expect(batch.row(0).string(Field.eventTimezone) == formatUTCOffset(want.offsetSeconds), "\(line)")
        }
    }
}
