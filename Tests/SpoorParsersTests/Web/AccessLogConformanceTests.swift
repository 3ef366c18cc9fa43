import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// The access logs among fail2ban's filter test files, with fail2ban's own expectations
/// (`# failJSON: {"time": …, "host": …}` before a line) as the oracle, and loghub's Apache
/// sample, which is an *error* log and must not be taken for an access log.
@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/data (fail2ban test logs, loghub)"))
struct AccessLogConformanceTests {
    static let folder = "fail2ban-testlogs/fail2ban/tests/files/logs"
    /// The files in Common/Combined Log Format (found by grepping for `[dd/Mon/yyyy:hh:mm:ss ±hhmm] "`).
    static let accessLogs = ["apache-badbots", "nginx-bad-request", "nginx-botsearch", "traefik-auth"]

    struct Expectation { var line: [UInt8]; var time: String?; var host: String? }

    /// Data lines of a fail2ban test file with the failJSON before each.
    static func cases(_ name: String) throws -> [Expectation] {
        let url = try #require(SharedData.url(folder + "/" + name))
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var out: [Expectation] = []
        var pending: [String: Any]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# failJSON:") {
                let json = line.dropFirst("# failJSON:".count)
                pending = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
            } else if line.hasPrefix("#") {
                continue
            } else {
                out.append(Expectation(line: Array(line.utf8), time: pending?["time"] as? String, host: pending?["host"] as? String))
                pending = nil
            }
        }
        return out
    }

    @Test func fail2banAccessLogsParseAndAgree() throws {
        // fail2ban's tests run in CET/CEST and write expected times in that zone.
        let cet = try #require(TimeZoneRule("Europe/Berlin"))
        var lines = 0, parsed = 0, errorLogLines = 0, timesCompared = 0, timesAgreeing = 0, hostsCompared = 0, hostsAgreeing = 0
        for name in Self.accessLogs {
            for c in try Self.cases(name) {
                lines += 1
                var p = AccessLogParser(context: testContext)
                let e: Event
                do {
                    e = try #require(try parseOne(bytes: c.line, with: &p))
                } catch let error as ParseError {
                    // nginx-botsearch also holds nginx *error* log lines (`2015/01/21 10:56:10
                    // [error] …`): those, and only those, are rejected, as not this format.
                    let isErrorLog = String(decoding: c.line, as: UTF8.self).contains(" [error] ")
                    #expect(isErrorLog && error.code == .unrecognized, "\(name): \(error)")
                    if isErrorLog { errorLogLines += 1 }
                    continue
                }
                parsed += 1
                if let time = c.time, let t = e.timestamp {
                    timesCompared += 1
                    let local = t.iso8601(offsetSeconds: cet.offset(atUTC: t.microseconds))
                    if local.hasPrefix(time + ".000000") { timesAgreeing += 1 } else { Issue.record("\(name): \(local) ≠ \(time)") }
                }
                if let host = c.host {
                    hostsCompared += 1
                    let got = e[Field.sourceIP]?.description ?? e[Field.sourceDomain]?.stringValue
                    if got == host { hostsAgreeing += 1 } else { Issue.record("\(name): host \(got ?? "nil") ≠ \(host)") }
                }
            }
        }
        // Measured: 26 data lines, 20 in access-log format, all parsed, 6 nginx error-log
        // lines rejected; 20 failJSON times and 20 hosts compared, all agree.
        #expect(lines == 26)
        #expect(parsed == 20)
        #expect(errorLogLines == 6)
        print("fail2ban access logs: \(parsed)/\(lines) parsed; times \(timesAgreeing)/\(timesCompared), hosts \(hostsAgreeing)/\(hostsCompared) agree")
        #expect(timesCompared == 20 && timesAgreeing == timesCompared)
        #expect(hostsCompared == 20 && hostsAgreeing == hostsCompared)
    }

    @Test func loghubApacheIsAnErrorLogNotAnAccessLog() throws {
        let url = try #require(SharedData.url("loghub2-2k/2k_dataset/Apache/Apache_2k.log"))
        let bytes = Array(try Data(contentsOf: url))
        let sample = SampleLines(prefix: Array(bytes.prefix(64 * 1024)), isComplete: false)
        #expect(LogFormat.accessCombined.sniff(sample) == 0)
        let (batch, rejects) = Fixtures.parseLines(bytes, with: AccessLogParser(context: testContext))
        #expect(batch.count == 0)
        #expect(rejects.count == 2_000)
        #expect(rejects.allSatisfy { $0.error.code == .unrecognized })
    }

    @Test func fail2banErrorLogsAreNotSniffedAsAccessLogs() throws {
        for name in ["apache-auth", "apache-noscript", "apache-overflows", "nginx-http-auth", "nginx-limit-req"] {
            let url = try #require(SharedData.url(Self.folder + "/" + name))
            let sample = SampleLines(prefix: Array(try Data(contentsOf: url)), isComplete: true)
            #expect(LogFormat.accessCombined.sniff(sample) == 0, "\(name)")
        }
    }
}
