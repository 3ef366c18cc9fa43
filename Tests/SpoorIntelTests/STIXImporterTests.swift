import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorTesting
@testable import SpoorIntel

@Suite struct STIXImporterTests {
    static func files(_ dir: String) -> [URL] {
        guard let root = SharedData.url(dir) else { return [] }
        let all = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(".json") }.sorted().map { root.appendingPathComponent($0) }
    }

    /// Every example of cti-stix2-json-schemas imports with no problem; objects counted by type.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func everySchemaExampleImports() throws {
        let urls = Self.files("stix2-json-schemas/examples")
        #expect(urls.count == 8)
        var total = IntelDocument()
        for url in urls {
            let doc = STIXImporter.read(Array(try Data(contentsOf: url)), source: url.lastPathComponent)
            #expect(doc.problems.isEmpty, "\(url.lastPathComponent): \(doc.problems)")
            total.merge(doc)
        }
        let summary = total.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("STIX examples: \(urls.count) files, \(total.counts.values.reduce(0, +)) objects: \(summary)")
        print("  facts \(total.facts.count), patterns \(total.patterns.count), sightings \(total.sightings.count), entities \(total.entities.count), relationships \(total.relationships.count)")
        // The 8 files hold 43 indicators, 130 relationships, 34 malware (counted with python's json module).
        let ex = total
        #expect(ex.counts["indicator"] == 43)
        #expect(ex.counts["relationship"] == 130)
        #expect(ex.counts["malware"] == 34)
        #expect(ex.counts.values.reduce(0, +) == 260)
        // Patterns that are not equality disjunctions: 2 x509 ANDs, 2 MATCHES, 2 `file:name`, and
        // one value that is not a domain name ('domain autuo.xicp.net').
        #expect(ex.patterns.count == 7, "\(ex.patterns.map(\.pattern.text))")
        #expect(ex.facts.count == 77)
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func poisonIvyIndicatorsBecomeFactsLabelledWithTheMalware() throws {
        let url = try #require(SharedData.url("stix2-json-schemas/examples/threat-reports/poisonivy.json"))
        let doc = STIXImporter.read(Array(try Data(contentsOf: url)), source: "poisonivy")
        let fact = try #require(doc.facts.first { $0.indicator == Indicator(kind: .domain, value: "www.webserver.dynssl.com") })
        #expect(fact.labels.contains { $0.hasPrefix("PIVY Variant") }, "\(fact.labels)")
        #expect(fact.validFrom != nil && fact.reference?.hasPrefix("indicator--") == true)
        let weird = try #require(doc.patterns.first { $0.pattern.text.contains("domain autuo") })
        #expect(weird.pattern.matches([STIXObservation(time: Timestamp(seconds: 0), objects: [
            STIXCyberObject(type: "ipv4-addr", properties: ["value": .string("60.10.1.115")])])]))
    }

    @Test func bundleWithProblemsStillImportsTheRest() throws {
        let json = """
        {"type":"bundle","id":"bundle--1","objects":[
          {"type":"indicator","spec_version":"2.1","id":"indicator--a","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","valid_until":"2024-02-01T00:00:00Z","indicator_types":["malicious-activity"],"confidence":80},
          {"type":"indicator","spec_version":"2.1","id":"indicator--b","pattern":"[ipv4-addr:value = ","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"},
          {"type":"indicator","spec_version":"2.1","id":"indicator--c","pattern":"rule x {}","pattern_type":"yara","valid_from":"2024-01-01T00:00:00Z"},
          {"spec_version":"2.1","id":"x--1"},
          {"type":"malware","spec_version":"2.1","id":"malware--m","name":"Evil RAT","is_family":true},
          {"type":"relationship","spec_version":"2.1","id":"relationship--r","relationship_type":"indicates","source_ref":"indicator--a","target_ref":"malware--m"},
          {"type":"identity","spec_version":"2.1","id":"identity--i","name":"ACME SOC"},
          {"type":"sighting","spec_version":"2.1","id":"sighting--s","sighting_of_ref":"indicator--a","first_seen":"2024-01-05T10:00:00Z","last_seen":"2024-01-06T10:00:00Z","count":7,"where_sighted_refs":["identity--i"]}
        ]}
        """
        let doc = STIXImporter.read(Array(json.utf8), source: "test")
        #expect(doc.problems.count == 3)
        #expect(doc.problems.map(\.index) == [1, 2, 3])
        let fact = try #require(doc.facts.first)
        #expect(fact.indicator == Indicator(kind: .ipv4, value: "203.0.113.9"))
        #expect(fact.labels == ["malicious-activity", "Evil RAT"])
        #expect(fact.confidence == 80)
        #expect(fact.isValid(at: Timestamp(seconds: 1_704_500_000)) && !fact.isValid(at: Timestamp(seconds: 1_706_745_600)))
        let s = try #require(doc.sightings.first)
        #expect(s.count == 7 && s.indicators == [fact.indicator] && s.whereSightedNames == ["ACME SOC"])
        #expect(s.firstSeen == Timestamp(seconds: 1_704_448_800))
        #expect(doc.entities.map(\.name) == ["Evil RAT"])
    }

    @Test(arguments: ["", "{", "[1,2]", "\"x\"", "{\"type\":\"bundle\",\"objects\":5}", String(repeating: "[", count: 10_000)])
    func garbageIsAProblemNotACrash(_ text: String) {
        let doc = STIXImporter.read(Array(text.utf8), source: "g")
        #expect(!doc.problems.isEmpty)
        #expect(doc.facts.isEmpty)
    }
}
