import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Conformance against fail2ban's annotated test logs (`fail2ban/tests/files/logs/`).
///
/// fail2ban annotates log lines with `# failJSON: {…}` on the line before: `time` (local time
/// in Europe/Zurich, the zone fail2ban's tests set; year-less dates get their year from the
/// tests' fixed "now", 2005-08-14), `host` (the offending peer), `match` and free-form keys
/// (`desc`, `constraint`, `user`, …). Measured here, per annotated line:
/// - (a) `host`, when the text of the host appears in the line itself (fail2ban also reports
///   hosts remembered from earlier lines of a connection, which no single-line parser can):
///   the event's `source.ip` must equal it, or `source.domain` when the host is a name;
/// - (b) `time`: `@timestamp` must equal it to the second.
///
/// Which lines are syslog is decided per line, because fail2ban's files mix forms: services
/// whose files are syslog throughout (sshd, postfix, dropbear, …), syslog sections in other
/// services' files (apache-auth's `ErrorLog syslog`, asterisk and mysqld over syslog), and
/// journal sections whose lines are fail2ban's rendering of journal entries,
/// `HOST IDENT[PID]: MESSAGE` without a time (sshd-journal and the `logtype: journal`
/// sections). Syslog lines are parsed by ``SyslogParser``; journal lines are turned into the
/// `journalctl -o json` entry they came from and parsed by ``JournaldParser`` (host only,
/// they carry no time). Lines in other formats (Apache, nginx, JSON, …) belong to other
/// parsers and are counted as skipped.
@Suite struct Fail2banConformanceTests {
    static let folder = "fail2ban-testlogs/fail2ban/tests/files/logs"

    /// Disagreements accepted, with the reason; any other disagreement fails the test.
    static let tolerated: [(service: String, lineContains: String, reason: String)] = [
        ("asterisk", "NOTICE[566]: chan_sip.c:28926 handle_request_register: Registration from '\"1000\"",
         "journal section whose `server asterisk[123]: ` prefix is only in fail2ban's filterOptions (test.prefix-line), "
            + "so the line reads as syslog with Asterisk's bracketed date; the message names two addresses (the SIP URI's "
            + "host and the peer after `failed for`) and no program-independent pattern says which is the peer"),
        ("xrdp", "user=loginjector ip=192.168.0.4",
         "log injection test: the attacker's user name holds a literal `\\n` and a forged second record with its own "
            + "`ip=`; fail2ban anchors on the last `ip=`, the generic key=value pattern takes the first (for PAM, where "
            + "`user=` follows `rhost=`, the first is the right one)"),
    ]

    struct Tally {
        var hostChecked = 0, hostAgreed = 0, timeChecked = 0, timeAgreed = 0
        var journalChecked = 0, journalAgreed = 0, skipped = 0
        var checks: Int { hostChecked + timeChecked + journalChecked }
        var agreed: Int { hostAgreed + timeAgreed + journalAgreed }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (fail2ban test logs)"))
    func fail2banAnnotatedLines() throws {
        let dir = try #require(SharedData.url(Self.folder))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let zurich = try #require(TimeZoneRule("Europe/Zurich"))
        let collectedAt = Timestamp(seconds: 1_123_977_600) // 2005-08-14T00:00:00Z
        let context = ParseContext(timeZone: zurich, collectedAt: collectedAt, isTimeZoneExplicit: true)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Zurich"))

        var tallies: [String: Tally] = [:]
        var disagreements: [(service: String, line: String, what: String)] = []

        for name in names {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var tally = Tally()
            var i = 0
            while i < lines.count {
                defer { i += 1 }
                guard let annotation = Self.annotation(lines[i]), i + 1 < lines.count else { continue }
                let line = lines[i + 1]
                let host = annotation["host"] as? String
                let time = annotation["time"] as? String
                guard host != nil || time != nil else { continue }
                let hostInLine = host.map { line.contains($0) } ?? false

                if Self.isSyslog(line) {
                    let event = Self.parse(line, with: SyslogParser(context: context))
                    if let host, hostInLine {
                        tally.hostChecked += 1
                        if Self.peerMatches(event, host) { tally.hostAgreed += 1 } else {
                            disagreements.append((name, line, "host \(host): got ip=\(Self.describe(event?[Field.sourceIP])) domain=\(Self.describe(event?[Field.sourceDomain]))"))
                        }
                    }
                    if let time {
                        tally.timeChecked += 1
                        let expected = try #require(Self.expectedSeconds(time, calendar), "unreadable annotated time \(time)")
                        let got = event?.timestamp?.seconds
                        if got == expected { tally.timeAgreed += 1 } else {
                            disagreements.append((name, line, "time \(time): got \(Self.describe(event?[Field.timestamp]))"))
                        }
                    }
                } else if let entry = Self.journalEntry(line) {
                    if let host, hostInLine {
                        tally.journalChecked += 1
                        let event = Self.parse(entry, with: JournaldParser(context: context))
                        if Self.peerMatches(event, host) { tally.journalAgreed += 1 } else {
                            disagreements.append((name, line, "journal host \(host): got ip=\(Self.describe(event?[Field.sourceIP])) domain=\(Self.describe(event?[Field.sourceDomain]))"))
                        }
                    }
                } else {
                    tally.skipped += 1
                }
            }
            tallies[name] = tally
        }

        // The table.
        var report = "fail2ban conformance (host = source.ip/source.domain, time = @timestamp to the second)\n"
        report += "service                      host agree/n   time agree/n   journal agree/n   skipped\n"
        var total = Tally()
        var skippedServices: [String] = []
        for name in names {
            guard let t = tallies[name] else { continue }
            if t.checks == 0 { skippedServices.append(name); continue }
            report += name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + " \(t.hostAgreed)/\(t.hostChecked)".padding(toLength: 15, withPad: " ", startingAt: 0)
                + " \(t.timeAgreed)/\(t.timeChecked)".padding(toLength: 15, withPad: " ", startingAt: 0)
                + " \(t.journalAgreed)/\(t.journalChecked)".padding(toLength: 18, withPad: " ", startingAt: 0)
                + " \(t.skipped)\n"
            total.hostChecked += t.hostChecked; total.hostAgreed += t.hostAgreed
            total.timeChecked += t.timeChecked; total.timeAgreed += t.timeAgreed
            total.journalChecked += t.journalChecked; total.journalAgreed += t.journalAgreed
        }
        let overall = Double(total.agreed) / Double(max(total.checks, 1))
        let sshd = tallies["sshd", default: Tally()]
        let sshdRate = Double(sshd.agreed) / Double(max(sshd.checks, 1))
        report += "overall: \(total.agreed)/\(total.checks) = \(String(format: "%.4f", overall)); sshd: \(sshd.agreed)/\(sshd.checks) = \(String(format: "%.4f", sshdRate))\n"
        report += "not syslog-based (no syslog or journal line annotated; other parsers' formats): \(skippedServices.joined(separator: ", "))\n"
        var unexpected: [String] = []
        for d in disagreements {
            if let t = Self.tolerated.first(where: { $0.service == d.service && d.line.contains($0.lineContains) }) {
                report += "tolerated [\(d.service)] \(d.what) — \(t.reason)\n    \(d.line)\n"
            } else {
                unexpected.append("[\(d.service)] \(d.what)\n    \(d.line)")
            }
        }
        print(report)
        for u in unexpected { print("DISAGREEMENT " + u) }

        #expect(total.checks > 650, "the annotated corpus shrank: \(total.checks) checks")
        #expect(sshd.checks > 150)
        #expect(sshdRate >= 0.99, "sshd agreement \(sshdRate) below 0.99")
        #expect(overall >= 0.99, "overall agreement \(overall) below 0.99")
        #expect(unexpected.isEmpty, "\(unexpected.count) disagreements not in the tolerated list")
    }

    // MARK: - Helpers

    /// The JSON of a `# failJSON: {…}` line.
    static func annotation(_ line: String) -> [String: Any]? {
        guard line.hasPrefix("#"), let r = line.range(of: "failJSON:") else { return nil }
        let prefix = line[line.startIndex..<r.lowerBound]
        guard prefix.allSatisfy({ $0 == "#" || $0 == " " }) else { return nil }
        let json = line[r.upperBound...]
        return (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }

    /// Whether a line is syslog by the format's own sniffing rule.
    static func isSyslog(_ line: String) -> Bool {
        SyslogFormatSniffer.score(SampleLines(lines: [Array(line.utf8)])) == 100
    }

    /// `HOST IDENT[PID]: MESSAGE` as a `journalctl -o json` line, or nil.
    static func journalEntry(_ line: String) -> String? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[0].hasPrefix("["), let open = parts[1].firstIndex(of: "["),
              parts[1].hasSuffix("]:"), open > parts[1].startIndex else { return nil }
        let ident = String(parts[1][parts[1].startIndex..<open])
        let pid = String(parts[1][parts[1].index(after: open)..<parts[1].index(parts[1].endIndex, offsetBy: -2)])
        guard Int(pid) != nil else { return nil }
        let object: [String: String] = [
            "__REALTIME_TIMESTAMP": "1124013600000000", "_HOSTNAME": String(parts[0]),
            "SYSLOG_IDENTIFIER": ident, "_PID": pid, "MESSAGE": String(parts[2]),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func parse(_ line: String, with parser: some LogParser) -> Event? {
        let result = Fixtures.parseLines(Array(line.utf8), with: parser)
        return result.batch.count == 1 ? result.batch.row(0) : nil
    }

    /// Whether the event names `host`: as an address (read like ``MessageText/address``) or a name.
    static func peerMatches(_ event: Event?, _ host: String) -> Bool {
        guard let event else { return false }
        if let ip = IPAddress(host) {
            if case .ip(let got)? = event[Field.sourceIP] { return got == ip }
            return false
        }
        if case .string(let got)? = event[Field.sourceDomain] { return got.lowercased() == host.lowercased() }
        return false
    }

    /// Seconds since the epoch of an annotated local time (`2005-03-7T02:09:33`, `….123`),
    /// computed with Foundation's calendar, independently of the parser's zone code.
    static func expectedSeconds(_ text: String, _ calendar: Calendar) -> Int64? {
        let fields = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" || $0 == "." }).compactMap { Int($0) }
        guard fields.count >= 6 else { return nil }
        let c = DateComponents(year: fields[0], month: fields[1], day: fields[2], hour: fields[3], minute: fields[4], second: fields[5])
        return calendar.date(from: c).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    }

    static func describe(_ v: FieldValue?) -> String { v.map { "\($0)" } ?? "nil" }
}
