import Foundation
import Testing
import SpoorCore
import SpoorTesting
@testable import SpoorIntel

@Suite struct MMDBDatabaseTests {
    /// Regenerate with `SPOOR_REGENERATE_FIXTURES=1 swift test --filter MMDBDatabaseTests`.
    @Test func committedFixtureIsWhatTheWriterMakes() throws {
        let bytes = MMDBWriter.fixture().bytes()
        if ProcessInfo.processInfo.environment["SPOOR_REGENERATE_FIXTURES"] == "1" {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/SpoorTesting/Fixtures/intel/asn-test.mmdb")
            try Data(bytes).write(to: source)
        }
        #expect(try Fixtures.bytes("intel/asn-test.mmdb") == bytes)
    }

    static func open() throws -> MMDBDatabase { try MMDBDatabase.open(contentsOf: Fixtures.url("intel/asn-test.mmdb")) }

    @Test func metadata() throws {
        let db = try Self.open()
        #expect(db.databaseType == "GeoLite2-ASN")
        #expect(db.ipVersion == 6 && db.coversIPv6 && db.coversIPv4)
        #expect(db.validFrom == Timestamp(seconds: 1_700_000_000))
    }

    @Test(arguments: [
        ("8.8.8.8", UInt32(15169), "GOOGLE", "US", "8.8.8.0/24"),
        // An MMDB gives the tree leaf's network: 8.8.0.0/16 split by 8.8.8.0/24 leaves 8.8.0.0/21 here.
        ("8.8.4.4", 3356, "LEVEL3", "US", "8.8.0.0/21"),
        ("1.0.0.1", 13335, "CLOUDFLARENET", "AU", "1.0.0.0/24"),
        ("2001:4860:4860::8888", 15169, "GOOGLE", "US", "2001:4860::/32"),
        ("2a00:1450:4001:81c::200e", 15169, "GOOGLE", "IE", "2a00:1450:4000::/37"),
    ])
    func asnOrganizationAndCountry(ip: String, asn: UInt32, org: String, country: String, prefix: String) throws {
        let m = try #require(try Self.open().lookup(IPAddress(ip)!))
        #expect(m.asn == asn && m.organization == org && m.country == country)
        #expect(m.prefix.description == prefix)
    }

    @Test func recordsWithoutASNOrCountry() throws {
        let db = try Self.open()
        let doc = try #require(db.lookup(IPAddress("2001:db8::1")!))
        #expect(doc.asn == 64496 && doc.organization == "Documentation ÄS" && doc.country == nil)
        #expect(db.lookup(IPAddress("10.1.1.1")!) == nil)          // no ASN in that record…
        #expect(db.country(IPAddress("10.1.1.1")!) == "ZZ")        // …but a country
        #expect(db.lookup(IPAddress("9.9.9.9")!) == nil)
        #expect(db.lookup(IPAddress("2001:db9::1")!) == nil)
        #expect(try db.record(IPAddress("9.9.9.9")!) == nil)
    }

    @Test func mmdbTakesPartInHistory() throws {
        let db = try Self.open()
        let t = PrefixTable(name: "old", validFrom: Timestamp(seconds: 1_600_000_000),
                            entries: [.init(prefix: IPNetwork("8.8.8.0/24")!, asn: 3356)])
        let h = ASNHistory(tables: [db, t])
        #expect(h.lookup(IPAddress("8.8.8.8")!, at: Timestamp(seconds: 1_650_000_000))?.match.asn == 3356)
        #expect(h.lookup(IPAddress("8.8.8.8")!, at: Timestamp(seconds: 1_750_000_000))?.match.asn == 15169)
        // Only the MMDB holds IPv6: it answers for an earlier time too, flagged.
        #expect(h.answer(IPAddress("2001:4860::1")!, at: Timestamp(seconds: 1_650_000_000))?.isBeforeFirstTable == true)
    }

    @Test(arguments: ["empty", "random", "truncated", "metadataOnly", "corruptTree"])
    func badFilesGiveErrorsNotCrashes(kind: String) throws {
        let good = MMDBWriter.fixture().bytes()
        var rng = SplitMix64(seed: 7)
        let bytes: [UInt8]
        switch kind {
        case "empty": bytes = []
        case "random": bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case "truncated": bytes = Array(good.prefix(good.count / 2))
        case "metadataOnly":
            let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
            let at = (0...(good.count - marker.count)).last { Array(good[$0..<($0 + marker.count)]) == marker }!
            bytes = Array(good[at...])
        default:
            // Every tree record points far beyond the data section.
            var b = good
            for i in 0..<60 { b[i] = 0xFF }
            bytes = b
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-bad-\(UUID().uuidString).mmdb")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        if kind == "corruptTree" {
            // Opening may succeed (the metadata is intact); lookups must fail cleanly.
            guard let db = try? MMDBDatabase.open(contentsOf: url) else { return }
            #expect(throws: IntelError.self) { try db.record(IPAddress("8.8.8.8")!) }
            #expect(db.lookup(IPAddress("2001:4860::1")!) == nil)
        } else {
            let error = #expect(throws: IntelError.self) { try MMDBDatabase.open(contentsOf: url) }
            #expect(error?.message.contains("MaxMind DB") == true)
        }
    }
}
