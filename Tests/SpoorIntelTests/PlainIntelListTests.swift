import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorIntel
import SpoorTesting

@Suite struct PlainIntelListTests {
    @Test func urlhausCSVWithCommentHeader() throws {
        let text = """
            ################################################################
            # abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #
            # Last updated: 2024-03-04 10:15:02 (UTC)                      #
            ################################################################
            #
            # id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
            "2801","2024-03-04 10:01:06","hxxp://182.116.4.19:36212/bin.sh","online","2024-03-04 10:01:06","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/2801/","lrz_urlhaus"
            "2800","2024-03-04 09:55:06","http://evil.example.com/x.exe","offline","","malware_download","exe","https://urlhaus.abuse.ch/url/2800/","x"
            "2799","2024-03-04 09:50:00","not a url","offline","","","","",""
            """
        let (facts, problems) = PlainIntelList.read(Array(text.utf8), source: "urlhaus")
        #expect(facts.map(\.indicator) == [Indicator(kind: .url, value: "http://182.116.4.19:36212/bin.sh"),
                                          Indicator(kind: .url, value: "http://evil.example.com/x.exe")])
        #expect(facts[0].validFrom == PlainIntelList.parseDate("2024-03-04T10:01:06Z"))
        #expect(facts[0].labels == ["malware_download", "32-bit", "elf", "mips", "Mozi"])
        #expect(problems.map(\.line) == [9])
    }

    @Test func oneValuePerLineWithNotesAndFeedDate() throws {
        let text = """
            # Feodo Tracker botnet C2 IP blocklist
            # Last updated: 2024-03-04 10:00:00 UTC
            #
            # Operation Example https://example.org/report
            203.0.113[.]9
            198.51.100.7;second stage
            hxxps://c2[.]example[.]net/gate.php

            # Hashes
            D41D8CD98F00B204E9800998ECF8427E;empty file
            garbage-line that is nothing
            """
        let (facts, problems) = PlainIntelList.read(Array(text.utf8), source: "feed")
        let date = PlainIntelList.parseDate("2024-03-04T10:00:00Z")
        #expect(facts.map(\.indicator) == [Indicator(kind: .ipv4, value: "203.0.113.9"), Indicator(kind: .ipv4, value: "198.51.100.7"),
                                          Indicator(kind: .url, value: "https://c2.example.net/gate.php"),
                                          Indicator(kind: .md5, value: "d41d8cd98f00b204e9800998ecf8427e")])
        #expect(facts.allSatisfy { $0.validFrom == date && $0.polarity == .malicious && $0.source == "feed" })
        #expect(facts[0].note == "Operation Example https://example.org/report")
        #expect(facts[1].note == "Operation Example https://example.org/report — second stage")
        #expect(facts[3].note == "Hashes — empty file")
        #expect(problems.map(\.line) == [11])
    }

    /// signature-base's LOKI lists: C2 servers (domains and IPs) and hashes with descriptions.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func signatureBaseLists() throws {
        let c2 = try [UInt8](Data(contentsOf: try #require(SharedData.url("signature-base/iocs/c2-iocs.txt"))))
        let (servers, serverProblems) = PlainIntelList.read(c2, source: "c2-iocs")
        let hashes = try [UInt8](Data(contentsOf: try #require(SharedData.url("signature-base/iocs/hash-iocs.txt"))))
        let (files, hashProblems) = PlainIntelList.read(hashes, source: "hash-iocs")
        print("signature-base: c2-iocs \(servers.count) indicators (\(serverProblems.count) lines not read), hash-iocs \(files.count) (\(hashProblems.count))")
        for p in (serverProblems + hashProblems).prefix(10) { print("  line \(p.line): \(p.message)") }
        // 1,844 data lines, 1,773 distinct; 3,224 hash lines, 3,053 distinct hashes (counted with grep/sort).
        #expect(servers.count == 1_773 && serverProblems.isEmpty)
        #expect(Set(servers.map(\.indicator.kind)).isSubset(of: [.domain, .ipv4, .ipv6, .url]))
        #expect(files.count == 3_053 && hashProblems.isEmpty)
        #expect(files.allSatisfy { $0.indicator.kind.isHash && $0.note != nil })
    }
}
