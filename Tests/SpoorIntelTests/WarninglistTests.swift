import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorTesting
@testable import SpoorIntel

/// All of MISP's warninglists in `../shared/data/misp-warninglists`, one test per list type with
/// real entries of real lists, and values that must not match.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct WarninglistTests {
    static let loaded: (set: WarninglistSet, problems: [IntelError])? = {
        guard let dir = SharedData.url("misp-warninglists") else { return nil }
        return try? WarninglistSet.load(directory: dir)
    }()

    static func set() throws -> WarninglistSet { try #require(loaded).set }

    /// The display name of the list in folder `id`.
    static func name(_ id: String) throws -> String {
        try #require(try set().lists.first { $0.identifier == id }).name
    }

    @Test func everyListLoads() throws {
        let (set, problems) = try #require(Self.loaded)
        let byType = Dictionary(grouping: set.lists, by: \.type).mapValues(\.count)
        print("Warninglists: \(set.lists.count) lists, \(set.entryCount) entries; by type \(byType.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")); \(problems.count) problems")
        for p in problems { Issue.record("\(p)") }
        #expect(set.lists.count == 136)
        #expect(byType == [.cidr: 80, .hostname: 19, .string: 32, .substring: 3, .regex: 2])
        #expect(set.entryCount == 528_972)
    }

    // string: exact, case-insensitive; filtered by matching attributes for indicators.
    @Test func stringLists() throws {
        let set = try Self.set()
        let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(set.matches(Indicator(kind: .sha256, value: emptySHA256)).contains(try Self.name("empty-hashes")))
        #expect(set.matches(value: emptySHA256.uppercased()).contains(try Self.name("empty-hashes")))
        // `tlds` holds upper-case TLDs; a domain is compared case-insensitively.
        #expect(set.matches(Indicator(kind: .domain, value: "com")).contains(try Self.name("tlds")))
        // The same hash as a domain indicator: empty-hashes does not apply to domains.
        #expect(!set.matches(Indicator(kind: .domain, value: emptySHA256)).contains(try Self.name("empty-hashes")))
        // One character off is no match.
        #expect(set.matches(value: String(emptySHA256.dropLast()) + "6").isEmpty)
        #expect(!set.matches(value: "comm").contains(try Self.name("tlds")))
    }

    // hostname: the name and its subdomains, also from a URL; never a look-alike.
    @Test(arguments: [
        ("bmw.de", true), ("www.bmw.de", true), ("https://shop.bmw.de:443/path?q=1", true), ("BMW.DE.", true),
        ("notbmw.de", false), ("bmw.de.evil.example", false), ("bmw.dex", false),
    ])
    func hostnameLists(value: String, isListed: Bool) throws {
        let dax = try Self.name("dax30")
        #expect(try Self.set().matches(value: value).contains(dax) == isListed)
        if !value.contains("/") {
            #expect(try Self.set().matches(Indicator(kind: .domain, value: value)).contains(dax) == isListed)
        }
    }

    // cidr: IPv4 and IPv6 blocks; an address outside by one is not listed.
    @Test(arguments: [
        ("10.1.2.3", "rfc1918", true), ("172.31.255.255", "rfc1918", true), ("172.32.0.0", "rfc1918", false),
        ("192.168.0.0", "rfc1918", true), ("11.0.0.1", "rfc1918", false), ("2001:db8::1", "rfc3849", true),
        ("2001:db9::1", "rfc3849", false), ("8.8.8.8", "public-dns-v4", true), ("8.8.8.9", "public-dns-v4", false),
    ])
    func cidrLists(ip: String, list: String, isListed: Bool) throws {
        let kind: IndicatorKind = ip.contains(":") ? .ipv6 : .ipv4
        #expect(try Self.set().matches(Indicator(kind: kind, value: ip)).contains(try Self.name(list)) == isListed)
    }

    @Test func cidrBlockValueIsListedWhenTheListHoldsAllOfIt() throws {
        let rfc1918 = try Self.name("rfc1918")
        #expect(try Self.set().matches(value: "10.20.0.0/16").contains(rfc1918))
        #expect(try !Self.set().matches(value: "10.0.0.0/7").contains(rfc1918))
    }

    // substring: an entry anywhere in the value.
    @Test func substringLists() throws {
        let set = try Self.set()
        let analysis = try Self.name("automated-malware-analysis"), disposable = try Self.name("disposable-email")
        #expect(set.matches(Indicator(kind: .url, value: "https://app.any.run/tasks/0b1c")).contains(analysis))
        #expect(set.matches(Indicator(kind: .email, value: "someone@0-mail.com")).contains(disposable))
        #expect(set.matches(value: "WWW.VIRUSTOTAL.COM/gui").contains(analysis))
        #expect(!set.matches(Indicator(kind: .url, value: "https://app.any.ru/")).contains(analysis))
        // disposable-email does not apply to URLs (its matching attributes are e-mail types).
        #expect(!set.matches(Indicator(kind: .url, value: "https://0-mail.com/")).contains(disposable))
    }

    // regex: PCRE entries in /…/flags form.
    @Test func regexLists() throws {
        let set = try Self.set()
        let contacts = try Self.name("common-contact-emails"), phones = try Self.name("phone_numbers")
        #expect(set.matches(Indicator(kind: .email, value: "abuse@example.com")).contains(contacts))
        #expect(set.matches(Indicator(kind: .email, value: "SOC@Example.org")).contains(contacts))   // the `i` flag
        #expect(!set.matches(Indicator(kind: .email, value: "john@example.com")).contains(contacts))
        #expect(!set.matches(Indicator(kind: .email, value: "abuse@localhost")).contains(contacts))
        #expect(set.matches(value: "+611800160401").contains(phones))
        #expect(!set.matches(value: "+611800160402").contains(phones))
    }

    @Test func aBrokenListIsAProblemNotAFailure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-wl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in [("good", #"{"name":"g","description":"d","version":1,"type":"cidr","list":["192.0.2.0/24","not-a-block"]}"#),
                             ("bad", #"{"name":"b","list":[1,2]}"#), ("worse", "{not json")] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
            try text.write(to: dir.appendingPathComponent("\(name)/list.json"), atomically: true, encoding: .utf8)
        }
        let (set, problems) = try WarninglistSet.load(directory: dir)
        #expect(set.lists.map(\.name) == ["g"])
        #expect(problems.count == 3)
        #expect(set.matches(value: "192.0.2.7") == ["g"])
    }
}
