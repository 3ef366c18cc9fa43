import Foundation
import Testing
import SpoorCore
@testable import SpoorParsers
import SpoorTesting

/// The sniffers of the web and generic formats pick their own fixtures and leave the others'.
@Suite struct WebAndGenericSniffTests {
    static let mine: [LogFormat] = [.accessCombined, .w3cExtended, .jsonLines, .csv, .tsv]

    func sample(_ fixture: String) throws -> SampleLines {
        SampleLines(prefix: try Fixtures.bytes(fixture), isComplete: true)
    }

    @Test(arguments: [
        ("web/access-combined.log", "access-combined"),
        ("web/iis-w3c.log", "w3c-extended"),
        ("generic/events.jsonl", "jsonl"),
        ("generic/logons.csv", "csv"),
        ("generic/flows.tsv", "tsv"),
    ])
    func recognisesItsFixture(fixture: String, format: String) throws {
        let s = try sample(fixture)
        #expect(LogFormat.recognise(s, among: Self.mine)?.format.name == format)
        for other in Self.mine where other.name != format {
            #expect(other.sniff(s) <= 50, "\(other.name) scores \(other.sniff(s)) on \(fixture)")
        }
    }

    @Test func scoreCeilings() throws {
        #expect(LogFormat.jsonLines.sniff(try sample("generic/events.jsonl")) == 60)
        #expect(LogFormat.csv.sniff(try sample("generic/logons.csv")) == 70)
        #expect(LogFormat.accessCombined.sniff(try sample("web/access-combined.log")) == 95)
    }

    /// Zeek TSV opens with `#separator`; CSV/TSV must not take it.
    @Test func zeekTSVIsNotTSV() {
        let zeek = """
        #separator \\x09
        #set_separator\t,
        #empty_field\t(empty)
        #unset_field\t-
        #path\tconn
        #fields\tts\tuid\tid.orig_h\tid.orig_p
        #types\ttime\tstring\taddr\tport
        1425565514.419939\tCXWv6p3arKYeMETxOg\t192.168.1.5\t51403
        1425565515.419939\tCXWv6p3arKYeMETxOh\t192.168.1.6\t51404

        """
        let s = SampleLines(prefix: Array(zeek.utf8), isComplete: true)
        #expect(LogFormat.tsv.sniff(s) == 0)
        #expect(LogFormat.csv.sniff(s) == 0)
        #expect(LogFormat.w3cExtended.sniff(s) == 0)
    }

    @Test func syslogIsNoneOfThese() {
        let syslog = """
        Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8
        Oct 11 22:14:16 mymachine sshd[123]: Failed password for root from 1.2.3.4 port 22 ssh2, again
        Oct 11 22:14:17 mymachine sshd[123]: Accepted publickey for alice from 1.2.3.5 port 22 ssh2, key
        """
        let s = SampleLines(prefix: Array(syslog.utf8), isComplete: true)
        for f in Self.mine { #expect(f.sniff(s) <= 30, "\(f.name)") }
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data (msticpy test data)"))
    func msticpyExportsSniffAsCSV() throws {
        for url in MsticpyCSVConformanceTests.exports() {
            let s = SampleLines(prefix: Array(try Data(contentsOf: url).prefix(64 * 1024)), isComplete: false)
            #expect(LogFormat.recognise(s, among: Self.mine)?.format.name == "csv", "\(url.lastPathComponent)")
        }
    }
}
