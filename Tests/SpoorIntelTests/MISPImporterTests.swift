import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorTesting
@testable import SpoorIntel

@Suite struct MISPImporterTests {
    /// The PyMISP test files that are MISP events (the others are object templates, a galaxy, a
    /// sighting, a STIX bundle, git-vuln-finder output and an API error response).
    static let eventFiles = [
        "57c4445b-c548-4654-af0b-4be3950d210f.json", "misp_event.json", "new_misp_event.json",
        "mispevent_testfiles/attribute.json", "mispevent_testfiles/attribute_del.json", "mispevent_testfiles/def_param.json",
        "mispevent_testfiles/event.json", "mispevent_testfiles/event_obj_attr_tag.json", "mispevent_testfiles/event_obj_def_param.json",
        "mispevent_testfiles/event_obj_tag.json", "mispevent_testfiles/event_tags.json", "mispevent_testfiles/existing_event.json",
        "mispevent_testfiles/existing_event_edited.json", "mispevent_testfiles/malware.json", "mispevent_testfiles/misp_custom_obj.json",
        "mispevent_testfiles/proposals.json", "mispevent_testfiles/shadow.json",
        "reportlab_testfiles/HTML_event.json", "reportlab_testfiles/galaxy_1.json", "reportlab_testfiles/image_event.json",
        "reportlab_testfiles/japanese_test.json", "reportlab_testfiles/japanese_test_heavy.json", "reportlab_testfiles/long_event.json",
        "reportlab_testfiles/mainly_objects_1.json", "reportlab_testfiles/mainly_objects_2.json", "reportlab_testfiles/sighting_1.json",
        "reportlab_testfiles/sighting_2.json", "reportlab_testfiles/to_delete1.json", "reportlab_testfiles/to_delete2.json",
        "reportlab_testfiles/to_delete3.json", "reportlab_testfiles/very_long_event.json",
    ]

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func pymispEventsImport() throws {
        var total = IntelDocument()
        for name in Self.eventFiles {
            let url = try #require(SharedData.url("pymisp-testfiles/tests/" + name))
            let doc = MISPImporter.read(Array(try Data(contentsOf: url)), source: name)
            #expect(doc.counts["misp-event"] == 1, "\(name)")
            total.merge(doc)
        }
        let kinds = Dictionary(grouping: total.facts, by: \.indicator.kind).mapValues(\.count)
        print("MISP: \(total.counts["misp-event"] ?? 0) events, \(total.counts["misp-attribute"] ?? 0) attributes, \(total.counts["misp-object"] ?? 0) objects, \(total.facts.count) facts; kinds \(kinds.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }); problems \(total.problems.count)")
        let types = total.counts.filter { $0.key.hasPrefix("misp-attribute:") }.sorted { $0.key < $1.key }
        print("  types: " + types.map { "\($0.key.dropFirst(15))=\($0.value)" }.joined(separator: " "))
        #expect(total.counts["misp-event"] == Self.eventFiles.count)
        // Counted with python's json module over the same files.
        #expect(total.counts["misp-attribute"] == 1_264)
        #expect(total.counts["misp-object"] == 205)
        #expect(kinds[.md5] ?? 0 > 0 && kinds[.sha256] ?? 0 > 0 && kinds[.domain] ?? 0 > 0 && kinds[.ipv4] ?? 0 > 0)
        #expect(kinds[.registryKey] ?? 0 > 0 && kinds[.url] ?? 0 > 0 && kinds[.cryptoAddress] ?? 0 > 0)
        // Every problem names a mappable type whose value is not a valid indicator.
        #expect(total.problems.allSatisfy { $0.message.hasSuffix("is not a valid indicator; skipped") }, "\(total.problems.prefix(5))")
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func compositeTypesSplitAndTagsBecomeLabels() throws {
        let url = try #require(SharedData.url("pymisp-testfiles/tests/reportlab_testfiles/HTML_event.json"))
        let doc = MISPImporter.read(Array(try Data(contentsOf: url)), source: "html")
        // filename|sha256 gives the hash only, lower case.
        #expect(doc.facts.contains { $0.indicator.kind == .sha256 && $0.indicator.value == $0.indicator.value.lowercased() })
        #expect(!doc.facts.contains { $0.indicator.kind == .windowsPath || $0.indicator.kind == .unixPath })
        #expect(doc.facts.allSatisfy { $0.validFrom != nil && $0.reference != nil })
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func nonEventFilesAreAProblem() throws {
        for name in ["mispevent_testfiles/galaxy.json", "mispevent_testfiles/test_object_template/definition.json", "stix2.json"] {
            let url = try #require(SharedData.url("pymisp-testfiles/tests/" + name))
            let doc = MISPImporter.read(Array(try Data(contentsOf: url)), source: name)
            #expect(doc.facts.isEmpty && doc.problems.count == 1, "\(name)")
        }
    }

    @Test func attributesMapToKinds() {
        let json = """
        {"Event":{"info":"t","date":"2024-02-03","Tag":[{"name":"tlp:green"}],"Attribute":[
          {"type":"ip-dst|port","value":"198.51.100.7|443","uuid":"u1","to_ids":true,"timestamp":"1700000000"},
          {"type":"domain|ip","value":"Evil.Example.|2001:DB8::1","uuid":"u2","to_ids":"0"},
          {"type":"filename|md5","value":"a.exe|79054025255FB1A26E4BC422AEF54EB4","uuid":"u3","Tag":[{"name":"malware:x"}]},
          {"type":"regkey","value":"HKLM\\\\Software\\\\Run","uuid":"u4"},
          {"type":"AS","value":"64496","uuid":"u5"},
          {"type":"vulnerability","value":"cve-2021-44228","uuid":"u6"},
          {"type":"text","value":"hello","uuid":"u7"},
          {"type":"md5","value":"nothex","uuid":"u8"},
          {"type":"ip-src","value":"203.0.113.1","uuid":"u9","deleted":true},
          {"type":"hostname","value":"h.example","uuid":"u10","first_seen":"2024-01-01T00:00:00.000000+00:00"}
        ]}}
        """
        let doc = MISPImporter.read(Array(json.utf8), source: "t")
        #expect(doc.facts.map(\.indicator.description) == [
            "ipv4-addr:198.51.100.7", "domain-name:evil.example", "ipv6-addr:2001:db8::1",
            "file:hashes.MD5:79054025255fb1a26e4bc422aef54eb4", "windows-registry-key:HKEY_LOCAL_MACHINE\\Software\\Run",
            "autonomous-system:AS64496", "vulnerability:CVE-2021-44228", "domain-name:h.example",
        ])
        #expect(doc.facts[0].validFrom == Timestamp(seconds: 1_700_000_000))
        #expect(doc.facts[1].labels == ["tlp:green", "misp:to_ids=false"])
        #expect(doc.facts[3].labels == ["tlp:green", "malware:x"])
        #expect(doc.facts[4].validFrom == Timestamp(seconds: 1_706_918_400))   // the event's date
        #expect(doc.facts[7].validFrom == Timestamp(seconds: 1_704_067_200))
        #expect(doc.problems.count == 1 && doc.problems[0].objectID == "u8")
        #expect(doc.counts["misp-attribute"] == 10)
    }

    @Test func feedManifest() throws {
        let entries = MISPImporter.readManifest(try Fixtures.bytes("stix/misp-manifest.json")).sorted { $0.uuid < $1.uuid }
        #expect(entries.count == 2)
        #expect(entries[0].info == "Phishing wave, invoices" && entries[0].tags == ["tlp:white"] && entries[0].threatLevel == 2)
        #expect(entries[0].date == Timestamp(seconds: 1_709_251_200) && entries[1].timestamp == Timestamp(seconds: 1_709_650_000))
        #expect(MISPImporter.readManifest(Array("not json".utf8)).isEmpty)
    }
}
