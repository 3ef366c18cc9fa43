import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct RelayFixtureTests {
    /// `syslog/relay.log` mixes programs and devices; each record is read by its own program.
    @Test func eachRecordIsReadByItsProgram() throws {
        let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(seconds: 1_772_600_000), isTimeZoneExplicit: true) // 2026-03-04
        let (batch, rejects) = Fixtures.parseLines(try Fixtures.bytes("syslog/relay.log"), with: SyslogParser(context: context))
        #expect(rejects.isEmpty)
        #expect(batch.count == 20)
        let events = batch.events
        func action(_ i: Int) -> String? { events[i].string(Field.eventAction) }
        let expected: [(program: String, action: String?)] = [
            ("sshd", "ssh-login"), ("sshd", "session-opened"), ("systemd-logind", "session-opened"), ("sudo", "sudo-command"),
            ("sudo", "session-opened"), ("sshd", "ssh-login"), ("sshd", "ssh-invalid-user"), ("sshd", "ssh-connection-closed"),
            ("su", "su"), ("su", "session-opened"), ("CRON", "cron-command"), ("CRON", "session-opened"),
            ("useradd", "user-created"), ("useradd", "user-added-to-group"), ("systemd-logind", "session-closed"),
            ("%ASA-6-302013", nil), ("kernel", "netfilter-log"), ("postfix/smtpd", "smtp-reject"), ("myapp", nil), ("smbd", nil),
        ]
        for (i, want) in expected.enumerated() {
            #expect(events[i].string(Field.processName) == want.program, "record \(i + 1)")
            #expect(action(i) == want.action, "record \(i + 1)")
        }
        // Spot checks of what each program's semantics gave.
        #expect(events[0].ip(Field.sourceIP) == "203.0.113.7")
        #expect(events[0].string(Field.syslogSSHDKeyType) == "ED25519")
        #expect(events[0].timestamp == Timestamp(seconds: 1_772_529_242))   // 2026-03-03T09:14:02Z
        #expect(events[2].string(Field.sessionID) == "42")
        #expect(events[3].string(Field.processCommandLine) == "/usr/bin/systemctl restart nginx")
        #expect(events[3].string(Field.userEffectiveName) == "root")
        #expect(events[5].string(Field.eventOutcome) == "failure")
        #expect(events[8].string(Field.userName) == "bob")
        #expect(events[10].string(Field.processCommandLine) == "/usr/lib/php/sessionclean")
        #expect(events[12].string(Field.userTargetName) == "mallory")
        #expect(events[15].string(Field.hostName) == "fw01")
        #expect(events[15].int(Field.logSyslogFacility) == 20)
        #expect(events[16].ip(Field.sourceIP) == "203.0.113.99")
        #expect(events[16].ip(Field.destinationIP) == "10.0.0.5")
        #expect(events[16].int(Field.destinationPort) == 23)
        #expect(events[16].string(Field.networkTransport) == "tcp")
        #expect(events[16].string(Field.eventReason) == "[UFW BLOCK]")
        #expect(events[17].ip(Field.sourceIP) == "192.0.2.150")
        #expect(events[18].int(Field.logSyslogVersion) == 1)
        #expect(events[18].string("log.syslog.structured_data.exampleSDID@32473.eventID") == "1011")
        #expect(events[18].string(Field.eventTimezone) == "+01:00")
        #expect(events[19][Field.logSyslogPriority] == nil)
        #expect(events[19].ip(Field.sourceIP) == "203.0.113.44")
    }

    /// The same file split into arbitrary batches (a finished builder, then a fresh one) gives
    /// the same events: cached column handles follow the builder.
    @Test func builderRestartKeepsColumnsRight() throws {
        let bytes = try Fixtures.bytes("syslog/relay.log")
        let lines = bytes.split(separator: UInt8(ascii: "\n")).map(Array.init)
        var parser = SyslogParser(context: SyslogTesting.context)
        var builder = EventBatchBuilder()
        var rows: [Event] = []
        for (i, line) in lines.enumerated() {
            builder.beginRow()
            _ = try parser.parse(line.span, into: &builder)
            builder.endRow()
            if i % 3 == 2 { rows += builder.finish().events }
        }
        rows += builder.finish().events
        let whole = Fixtures.parseLines(bytes, with: SyslogParser(context: SyslogTesting.context)).batch.events
        #expect(rows == whole)
    }
}

extension RelayFixtureTests {
    /// One parser writing into two builders in turn, one of which has other columns first.
    @Test func switchingBuildersKeepsColumnsRight() throws {
        var parser = SyslogParser(context: SyslogTesting.context)
        var a = EventBatchBuilder()
        var b = EventBatchBuilder()
        b.beginRow()
        b.set(b.column("other.field", .int), int: 7)
        b.set(b.column("other.text", .string), string: "x")
        b.endRow()
        let line = Array("Mar  7 18:53:20 bar sshd[1556]: Accepted password for rda from 192.0.2.113 port 52100 ssh2".utf8)
        for builderIndex in [0, 1, 0, 1] {
            if builderIndex == 0 {
                a.beginRow(); _ = try parser.parse(line.span, into: &a); a.endRow()
            } else {
                b.beginRow(); _ = try parser.parse(line.span, into: &b); b.endRow()
            }
        }
        let first = a.finish(), second = b.finish()
        #expect(first.count == 2 && second.count == 3)
        for e in first.events + second.events.dropFirst() {
            #expect(e.ip(Field.sourceIP) == "192.0.2.113")
            #expect(e.string(Field.userName) == "rda")
            #expect(e[Field.timestamp] != nil)
        }
        #expect(second.row(0).int("other.field") == 7)
    }
}

@Suite struct JournaldParserTests {
    @Test func journalEntriesAreReadWithSyslogSemantics() throws {
        let (batch, rejects) = Fixtures.parseLines(try Fixtures.bytes("journald/journal.json"), with: JournaldParser(context: SyslogTesting.context))
        #expect(rejects.isEmpty)
        #expect(batch.count == 5)
        let e = batch.events
        #expect(e[0].timestamp == Timestamp(microseconds: 1_772_529_242_123_456))
        #expect(e[0].string(Field.eventTimezone) == "+00:00")
        #expect(e[0].string(Field.hostName) == "bastion")
        #expect(e[0].string(Field.processName) == "sshd")
        #expect(e[0].int(Field.processPID) == 4121)
        #expect(e[0].string(Field.processExecutable) == "/usr/sbin/sshd")
        #expect(e[0].int(Field.logSyslogSeverity) == 6)
        #expect(e[0].int(Field.logSyslogFacility) == 4)
        #expect(e[0].string("journald._SYSTEMD_UNIT") == "ssh.service")
        #expect(e[0].string(Field.eventAction) == "ssh-login")
        #expect(e[0].ip(Field.sourceIP) == "203.0.113.7")
        #expect(e[1].string(Field.eventAction) == "sudo-command")
        #expect(e[1].string(Field.userName) == "alice")
        #expect(e[2].string(Field.sessionID) == "42")
        // MESSAGE as an array of bytes (not UTF-8): kept byte-exact, still understood.
        let message = try #require(e[3].string(Field.message))
        #expect(ByteText.decode(message) == Array("Invalid user ".utf8) + [0xFF, 0xFE] + Array(" from 198.51.100.23 port 41822".utf8))
        #expect(e[3].string(Field.eventAction) == "ssh-invalid-user")
        #expect(e[3].ip(Field.sourceIP) == "198.51.100.23")
        // MESSAGE null (too large for journalctl to show): an event without a message.
        #expect(e[4][Field.message] == nil)
        #expect(e[4].string(Field.processName) == "kernel")
    }

    @Test(arguments: ["[1,2]", "\"just a string\"", "{\"MESSAGE\": ", "not json"])
    func nonObjectsAreErrors(line: String) {
        var parser = JournaldParser(context: SyslogTesting.context)
        var builder = EventBatchBuilder()
        builder.beginRow()
        #expect(throws: ParseError.self) { _ = try parser.parse(Array(line.utf8).span, into: &builder) }
    }

    @Test func snifferPrefersJournaldOverGenericJSON() throws {
        let bytes = try Fixtures.bytes("journald/journal.json")
        let sample = SampleLines(prefix: bytes, isComplete: true)
        #expect(LogFormat.journaldJSON.sniff(sample) == 95)
        #expect(LogFormat.syslog.sniff(sample) == 0)
        #expect(LogFormat.recognise(sample)?.format.name == "journald-json")
        let plainJSON = SampleLines(lines: [Array("{\"a\":1,\"MESSAGE\":\"x\"}".utf8)])
        #expect(LogFormat.journaldJSON.sniff(plainJSON) == 0)
        let syslog = SampleLines(prefix: try Fixtures.bytes("syslog/relay.log"), isComplete: true)
        #expect(LogFormat.journaldJSON.sniff(syslog) == 0)
        #expect(LogFormat.recognise(syslog)?.format.name == "syslog")
    }
}
