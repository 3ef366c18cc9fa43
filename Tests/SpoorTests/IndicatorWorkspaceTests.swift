import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIngest
import SpoorIntel
import SpoorStore
import SpoorTesting
@testable import Spoor

/// Indicators in a case: sightings from the demo organisation's logs (sshd, sudo, nginx, Zeek),
/// extraction that resumes without double counting, retro-hunting and exports.
@Suite struct IndicatorWorkspaceTests {
    /// A case with the demo's logs ingested.
    static func demoCase() async throws -> (Workspace, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-iocs-\(UUID().uuidString)")
        let logs = root.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let paths = try DemoLogs.write(to: logs)
        let workspace = try await Workspace.open(caseDirectory: root.appendingPathComponent("case").path)
        let report = try await workspace.ingest(paths, options: IngestOptions(organization: "acme"))
        #expect(report.rejects == 0)
        return (workspace, root.path)
    }

    @Test func sightingsSayWhereAndInWhichRole() async throws {
        let (workspace, root) = try await Self.demoCase()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = try await workspace.extractIndicators()
        #expect(report.events > 6_000 && report.sightings > report.indicators && report.indicators > 50)

        // The SSH guesser: a network source on web01, seen by sshd (syslog).
        let guesser = try await workspace.sightings(of: Indicator(kind: .ipv4, value: "203.0.113.45"))
        #expect(!guesser.isEmpty)
        #expect(guesser.allSatisfy { $0.key.role == .source && $0.key.place == .network && $0.key.host == "web01" })
        #expect(guesser.reduce(0) { $0 + $1.count } > 100)

        // The C2 address: Zeek flows from 10.0.0.23 to it (destination; the host is the client),
        // hour by hour from the intrusion on.
        let c2 = try await workspace.sightings(of: Indicator(kind: .ipv4, value: "198.51.100.7"))
        let flows = c2.filter { $0.key.field == Field.destinationIP }
        #expect(flows.allSatisfy { $0.key.role == .destination && $0.key.place == .network && $0.key.host == "10.0.0.23" })
        #expect(Set(flows.map(\.key.hour)).count >= 20)     // a beacon: every hour of the day after 02:40
        #expect(flows.allSatisfy { $0.firstEvent > 0 && $0.firstSeen <= $0.lastSeen })

        // The download in sudo's command line is a URL sighting; the SQL-injection scanner's
        // address is a web client (source).
        let records = try await workspace.indicators()
        #expect(records.contains { $0.indicator == Indicator(kind: .url, value: "http://198.51.100.7/k.sh") })
        let scanner = try #require(records.first { $0.indicator == Indicator(kind: .ipv4, value: "192.0.2.77") })
        #expect(scanner.roles == [.source] && scanner.sightings == 120)

        // Extracting again reads nothing new and counts nothing twice.
        let again = try await workspace.extractIndicators()
        #expect(again.events == 0 && again.sightings == 0)
        let after = try await workspace.indicators()
        #expect(after == records)
    }

    /// Intel imported after ingest flags the earlier sightings with the right lead time and hosts;
    /// intel valid before the first sighting is a match but not "seen before it was known".
    @Test func retroHuntReportsLeadTime() async throws {
        let (workspace, root) = try await Self.demoCase()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try await workspace.extractIndicators()
        let guesser = try #require(try await workspace.indicators(value: "203.0.113.45").first)
        let c2 = try #require(try await workspace.indicators(value: "198.51.100.7").first)

        let late = (root as NSString).appendingPathComponent("late-feed.txt")
        try "# Last updated: 2026-11-03 00:00:00 UTC\n# SSH brute forcers\n203.0.113.45\n198.51.100.7\n# nothing of ours\n192.0.2.200\n# a scanning network\n192.0.2.0/24\n"
            .write(toFile: late, atomically: true, encoding: .utf8)
        let early = (root as NSString).appendingPathComponent("early.csv")
        try "id,dateadded,url,threat\n1,2026-11-01 00:00:00,http://198.51.100.7/k.sh,malware_download\n"
            .write(toFile: early, atomically: true, encoding: .utf8)
        let report = try await workspace.importIntel([late, early])
        #expect(report.files.map(\.format) == ["list", "list"] && report.files.map(\.facts) == [4, 1])
        #expect(report.matches.count == 4)
        // The block matches the SQL-injection scanner inside it.
        let block = try #require(report.matches.first { $0.fact.indicator.value == "192.0.2.0/24" })
        #expect(block.indicator == Indicator(kind: .ipv4, value: "192.0.2.77") && block.seenBeforeKnown)

        let known = try #require(PlainIntelList.parseDate("2026-11-03T00:00:00Z"))
        let g = try #require(report.matches.first { $0.indicator.value == "203.0.113.45" })
        #expect(g.seenBeforeKnown && g.knownAt == known && g.firstSeen == guesser.firstSeen)
        #expect(g.leadMicroseconds == known.microseconds - guesser.firstSeen.microseconds)
        #expect(g.hostsBefore == ["web01"] && g.sightingsBefore == guesser.sightings)
        #expect(g.fact.note == "SSH brute forcers" && g.fact.source == "late-feed.txt")
        let c = try #require(report.matches.first { $0.indicator.value == "198.51.100.7" })
        #expect(c.seenBeforeKnown && c.leadMicroseconds == known.microseconds - c2.firstSeen.microseconds && c.hostsBefore.contains("10.0.0.23"))
        let url = try #require(report.matches.first { $0.indicator.kind == .url })
        #expect(!url.seenBeforeKnown && url.leadMicroseconds == 0 && url.fact.labels == ["malware_download"])

        // The same files again: nothing new, no matches reported again.
        let second = try await workspace.importIntel([late, early])
        #expect(second.files.allSatisfy { !$0.isNew } && second.matches.isEmpty)
        #expect(try await workspace.intelMatches(polarity: .malicious).count == 4)
    }

    /// The case's indicators as a STIX 2.1 bundle that spoor's importer reads back, and as CSV.
    @Test func exportsReadBack() async throws {
        let (workspace, root) = try await Self.demoCase()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let stix = (root as NSString).appendingPathComponent("iocs.stix.json")
        FileManager.default.createFile(atPath: stix, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: stix))
        let n = try await workspace.exportIndicators(to: handle, format: .stix, kinds: [.ipv4, .domain, .url])
        try handle.close()
        #expect(n > 10)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: stix)))
        let document = STIXImporter.read(bytes, source: "iocs.stix.json")
        #expect(document.problems.isEmpty)
        let exported = Set(try await workspace.indicators(kinds: [.ipv4, .domain, .url]).map(\.indicator))
        #expect(Set(document.facts.map(\.indicator)) == exported)
        #expect(document.sightings.count == n)

        let csv = (root as NSString).appendingPathComponent("iocs.csv")
        FileManager.default.createFile(atPath: csv, contents: nil)
        let h2 = try FileHandle(forWritingTo: URL(fileURLWithPath: csv))
        let m = try await workspace.exportIndicators(to: h2, format: .csv)
        try h2.close()
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        // Records end at line breaks outside quoted cells (RFC 4180).
        var records = 0, quoted = false
        for c in text.unicodeScalars {
            if c == "\"" { quoted.toggle() } else if c == "\n" && !quoted { records += 1 }
        }
        #expect(records == m + 1 && text.hasPrefix("kind,value,first_seen"))
    }
}

/// ASN as of the time seen, through the case: the pyasn tables imported as intel, the same
/// address sighted in 2008 and in 2014 gets each date's origin AS.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct SightingASNTests {
    @Test func eachSightingGetsTheASNOfItsTime() async throws {
        let t2008 = try #require(SharedData.url("pyasn-data/data/ipasn_20080501_v12.dat.gz"))
        let t2014 = try #require(SharedData.url("pyasn-data/data/ipasn_20140513.dat.gz"))
        let old = try PrefixTable.load(contentsOf: t2008), new = try PrefixTable.load(contentsOf: t2014)
        // An address of Team Cymru's list whose origin changed between the two snapshots.
        let cymru = try String(contentsOf: try #require(SharedData.url("pyasn-data/data/cymru.map")), encoding: .utf8)
        var address: IPAddress?
        for line in cymru.split(separator: "\n") {
            // `'135.89.101.26' : 7018,` (a Python dict literal)
            let parts = line.split(separator: "'")
            guard parts.count >= 2, let a = IPAddress(String(parts[parts[0].isEmpty ? 1 : (line.hasPrefix("'") ? 0 : 1)])), let o = old.lookup(a), let n = new.lookup(a), o.asn != n.asn else { continue }
            address = a
            break
        }
        let ip = try #require(address)

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-asn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let log = root.appendingPathComponent("auth.log")
        try """
            2008-09-01T10:00:00+00:00 gw sshd[100]: Failed password for root from \(ip) port 40000 ssh2
            2014-09-01T10:00:00+00:00 gw sshd[200]: Failed password for root from \(ip) port 40001 ssh2

            """.write(to: log, atomically: true, encoding: .utf8)
        let workspace = try await Workspace.open(caseDirectory: root.appendingPathComponent("case").path)
        let ingest = try await workspace.ingest([log.path], options: IngestOptions(organization: "t"))
        #expect(ingest.events == 2)
        _ = try await workspace.extractIndicators()
        let imported = try await workspace.importIntel([t2008.path, t2014.path])
        #expect(imported.files.map(\.format) == ["asn-table", "asn-table"] && imported.files.allSatisfy { $0.problems.isEmpty })

        let report = try await workspace.sightingReport(of: Indicator(kind: .ipv4, value: ip.description), daily: true)
        #expect(report.buckets.count == 2)
        #expect(report.buckets.first?.asn == old.lookup(ip)?.asn && report.buckets.first?.asnTable == "ipasn_20080501_v12.dat")
        #expect(report.buckets.last?.asn == new.lookup(ip)?.asn && report.buckets.last?.asnTable == "ipasn_20140513.dat")
    }
}

/// STIX patterns that are more than equalities, matched over the case's events by spoor's own
/// matcher: one `[…]` per event, and a FOLLOWEDBY across two events of one host (a qualifier
/// binds to the observation expression just before it, STIX 2.1 §9.5 grammar, hence the parentheses).
@Suite struct IntelPatternWorkspaceTests {
    @Test func patternsMatchEventsAndSequences() async throws {
        let (workspace, root) = try await IndicatorWorkspaceTests.demoCase()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bundle = """
            {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
              {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
               "created": "2026-11-05T00:00:00Z", "modified": "2026-11-05T00:00:00Z", "name": "Ubuntu NTP lookups",
               "pattern": "[domain-name:value LIKE '%.ubuntu.com']", "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"},
              {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-17d4-4cbf-938f-98ee46b3cd3f",
               "created": "2026-11-05T00:00:00Z", "modified": "2026-11-05T00:00:00Z", "name": "Guessing then download",
               "pattern": "([ipv4-addr:value ISSUBSET '203.0.113.0/24'] FOLLOWEDBY [url:value MATCHES '^http://198[.]51[.]100[.]7/']) WITHIN 3600 SECONDS",
               "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"},
              {"type": "indicator", "spec_version": "2.1", "id": "indicator--99999999-17d4-4cbf-938f-98ee46b3cd3f",
               "created": "2026-11-05T00:00:00Z", "modified": "2026-11-05T00:00:00Z", "name": "Never",
               "pattern": "([ipv4-addr:value = '203.0.113.45'] FOLLOWEDBY [url:value = 'http://198.51.100.7/k.sh']) WITHIN 1 SECONDS",
               "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"}
            ]}
            """
        let path = (root as NSString).appendingPathComponent("patterns.json")
        try bundle.write(toFile: path, atomically: true, encoding: .utf8)
        let report = try await workspace.importIntel([path])
        #expect(report.files.first?.format == "stix" && report.files.first?.patterns == 3)
        let p = try #require(report.patterns)
        #expect(p.patterns == 3 && p.unreadable == 0)
        let found = try await workspace.detections().filter { $0.engine == "stix-pattern" }
        let ntp = found.filter { $0.ruleID == "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" }
        let ntpEvents = try await workspace.events(where: [FieldEquality(parsing: "dns.question.name=ntp.ubuntu.com")!])
        #expect(ntp.count == ntpEvents.count && ntp.count > 0)
        let sequence = found.filter { $0.ruleID == "indicator--1a2b3c4d-17d4-4cbf-938f-98ee46b3cd3f" }
        #expect(sequence.count == 1 && (sequence.first?.eventIDs.count ?? 0) >= 2)
        #expect(!found.contains { $0.ruleID == "indicator--99999999-17d4-4cbf-938f-98ee46b3cd3f" })
    }
}
