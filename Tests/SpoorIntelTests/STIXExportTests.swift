import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorTesting
@testable import SpoorIntel

@Suite struct STIXExportTests {
    static let t0 = Timestamp(seconds: 1_714_557_600)   // 2024-05-01T10:00:00Z
    static let items: [ExportedIndicator] = [
        ExportedIndicator(indicator: Indicator(kind: .ipv4, value: "198.51.100.3"), firstSeen: t0, lastSeen: Timestamp(seconds: 1_714_561_200),
                          count: 12, hosts: ["ws01", "ws02"], labels: ["c2"],
                          intel: [IntelFact(indicator: Indicator(kind: .ipv4, value: "198.51.100.3"), polarity: .malicious, source: "feed",
                                            validFrom: Timestamp(seconds: 1_700_000_000), labels: ["Evil RAT"])]),
        ExportedIndicator(indicator: Indicator(kind: .ipv6, value: "2001:db8::7"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .domain, value: "evil.example"), firstSeen: t0, lastSeen: t0, count: 3, hosts: ["ws01"]),
        ExportedIndicator(indicator: Indicator(kind: .url, value: "http://evil.example/it's\\here"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .email, value: "bob@evil.example"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .sha256, value: "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"), firstSeen: t0, lastSeen: t0, count: 2),
        ExportedIndicator(indicator: Indicator(kind: .md5, value: "79054025255fb1a26e4bc422aef54eb4"), firstSeen: t0, lastSeen: t0, count: 2),
        ExportedIndicator(indicator: Indicator(kind: .registryKey, value: "HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .asn, value: "AS64496"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .userAccount, value: "CORP\\svc_backup"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .cve, value: "CVE-2021-44228"), firstSeen: t0, lastSeen: t0, count: 4),
        ExportedIndicator(indicator: Indicator(kind: .windowsPath, value: "C:\\Users\\Public\\evil.exe"), firstSeen: t0, lastSeen: t0, count: 1),
        ExportedIndicator(indicator: Indicator(kind: .credential, value: "admin:0011223344556677"), firstSeen: t0, lastSeen: t0, count: 1),
    ]

    @Test func stixBundleReadsBack() throws {
        let bytes = STIXExporter.bundle(Self.items, identity: "spoor test", created: Self.t0)
        #expect(bytes == STIXExporter.bundle(Self.items, identity: "spoor test", created: Self.t0), "deterministic")
        let doc = STIXImporter.read(bytes, source: "export")
        #expect(doc.problems.isEmpty, "\(doc.problems)")
        let simple = Self.items.filter { ![.credential, .cve, .windowsPath].contains($0.indicator.kind) }
        #expect(Set(doc.facts.map(\.indicator)) == Set(simple.map(\.indicator)))
        #expect(doc.patterns.count == 1)   // the file path: name AND parent directory
        let path = try #require(doc.patterns.first)
        let dir = STIXCyberObject(type: "directory", id: "directory--d", properties: ["path": .string("C:\\Users\\Public")])
        let file = STIXCyberObject(type: "file", properties: ["name": .string("evil.exe"), "parent_directory_ref": .ref("directory--d")])
        #expect(path.pattern.matches([STIXObservation(time: Self.t0, objects: [file, dir])]))
        #expect(doc.sightings.count == 12)   // all but the credential
        let ip = try #require(doc.sightings.first { $0.indicators == [Indicator(kind: .ipv4, value: "198.51.100.3")] })
        #expect(ip.count == 12 && ip.firstSeen == Self.t0 && ip.lastSeen == Timestamp(seconds: 1_714_561_200))
        #expect(ip.whereSightedNames == ["ws01", "ws02"] && ip.observedDataRefs.count == 1)
        let ipFact = try #require(doc.facts.first { $0.indicator.kind == .ipv4 })
        #expect(ipFact.validFrom == Timestamp(seconds: 1_700_000_000) && ipFact.labels.contains("Evil RAT"))
        #expect(doc.counts["vulnerability"] == 1 && doc.counts["identity"] == 3)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("0011223344556677"), "credentials are never exported")
    }

    /// §2.9: SCO ids are UUIDv5 in the STIX namespace over the canonical ID-contributing
    /// properties; values computed with the `stix2` Python library (3.0.1).
    @Test(arguments: [
        (Indicator(kind: .ipv4, value: "198.51.100.3"), "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"),
        (Indicator(kind: .sha256, value: "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"), "file--00967b13-6ef8-53e0-ac11-fcfb64b3c756"),
        (Indicator(kind: .asn, value: "AS15169"), "autonomous-system--7afc7bdf-d070-5add-90ff-f93503b1654d"),
    ])
    func scoIDsFollowTheSpecification(_ indicator: Indicator, _ id: String) {
        #expect(STIXExporter.observable(for: indicator)?.id == id)
    }

    @Test func mispEventReadsBack() throws {
        let bytes = MISPExporter.event(Self.items, info: "spoor sightings", date: Self.t0)
        let doc = MISPImporter.read(bytes, source: "export")
        #expect(doc.problems.isEmpty, "\(doc.problems)")
        // Paths export as `filename`, which import does not take as an indicator; credentials are not exported.
        let expected = Self.items.filter { ![.credential, .windowsPath].contains($0.indicator.kind) }.map(\.indicator)
        #expect(doc.facts.map(\.indicator) == expected)
        #expect(doc.facts[0].labels.contains("c2") && doc.facts[0].labels.contains("Evil RAT"))
        #expect(doc.facts[0].validFrom == Self.t0)   // first_seen
        #expect(doc.counts["misp-attribute"] == 12)
    }

    static let python = ProcessInfo.processInfo.environment["SPOOR_PYTHON"]

    /// The oracle: jsonschema (Draft 2020-12) against cti-stix2-json-schemas, the `stix2`
    /// library's SCO ids, and PyMISP loading the MISP event. Each part reports itself missing.
    static let oracle = #"""
    import json, sys, glob, os
    root, bundle_path, misp_path = sys.argv[1:4]
    bundle = json.load(open(bundle_path))
    out = {}
    try:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        res = []
        for f in glob.glob(os.path.join(root, 'schemas', '**', '*.json'), recursive=True):
            s = json.load(open(f)); res.append((s['$id'], Resource.from_contents(s)))
        reg = Registry().with_resources(res)
        def load(rel): return json.load(open(os.path.join(root, 'schemas', rel)))
        errors = [e.message[:200] for e in Draft202012Validator(load('common/bundle.json'), registry=reg).iter_errors(bundle)]
        checked = 0
        for o in bundle['objects']:
            for d in ('sdos', 'sros', 'observables'):
                p = os.path.join(d, o['type'] + '.json')
                if os.path.exists(os.path.join(root, 'schemas', p)):
                    errors += [o['type'] + ': ' + e.message[:200] for e in Draft202012Validator(load(p), registry=reg).iter_errors(o)]
                    checked += 1
                    break
            else:
                errors.append('no schema for ' + o['type'])
        out['schema'] = {'errors': errors, 'checked': checked}
    except ImportError:
        pass
    try:
        import stix2
        ids = {}
        for o in bundle['objects']:
            if o['type'] in ('ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file', 'autonomous-system', 'windows-registry-key', 'user-account'):
                ids[o['id']] = stix2.parse({k: v for k, v in o.items() if k != 'id'}, allow_custom=True).id
        out['stix2'] = ids
    except ImportError:
        pass
    try:
        from pymisp import MISPEvent
        e = MISPEvent(); e.load_file(misp_path)
        out['pymisp'] = [[a.type, a.value] for a in e.attributes]
    except ImportError:
        pass
    print(json.dumps(out))
    """#

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func exportsValidateWithPythonOracles() throws {
        guard let python = Self.python else { print("SPOOR_PYTHON is not set: the jsonschema/stix2/pymisp oracle is skipped"); return }
        let root = try #require(SharedData.url("stix2-json-schemas"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-stix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundleURL = dir.appendingPathComponent("bundle.json"), mispURL = dir.appendingPathComponent("event.json")
        try Data(STIXExporter.bundle(Self.items, identity: "spoor test", created: Self.t0)).write(to: bundleURL)
        try Data(MISPExporter.event(Self.items, info: "spoor sightings", date: Self.t0)).write(to: mispURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", Self.oracle, root.path, bundleURL.path, mispURL.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if let schema = json["schema"] as? [String: Any] {
            let errors = schema["errors"] as? [String] ?? ["?"]
            print("jsonschema: \(schema["checked"] ?? 0) objects checked against their schemas, \(errors.count) errors")
            #expect(errors.isEmpty, "\(errors.prefix(10))")
        } else { print("jsonschema is not installed in SPOOR_PYTHON: schema validation skipped") }
        if let ids = json["stix2"] as? [String: String] {
            print("stix2: \(ids.count) SCO ids recomputed")
            #expect(!ids.isEmpty && ids.allSatisfy { $0.key == $0.value }, "\(ids.filter { $0.key != $0.value })")
        } else { print("stix2 is not installed in SPOOR_PYTHON: SCO id check skipped") }
        if let attributes = json["pymisp"] as? [[String]] {
            print("pymisp: \(attributes.count) attributes loaded")
            #expect(attributes.count == 12)
            #expect(attributes.contains(["ip-dst", "198.51.100.3"]) && attributes.contains(["vulnerability", "CVE-2021-44228"]))
        } else { print("pymisp is not installed in SPOOR_PYTHON: MISP load check skipped") }
    }
}
