import Foundation
import Testing
import SpoorCore
import SpoorTesting
@testable import SpoorIntel

@Suite struct RIRDelegationsTests {
    static let sample = """
    # comment
    2|apnic|20140214|31803|19850701|20140213|+1000
    apnic|*|asn|*|5563|summary
    apnic|TW|asn|1768|2|20020801|allocated
    apnic|AU|ipv4|1.0.0.0|256|20110811|assigned
    apnic|CN|ipv4|14.0.0.0|2048|20110412|allocated
    apnic|JP|ipv4|27.0.0.0|768|20100101|allocated
    apnic|JP|ipv6|2001:200::|35|19990813|allocated
    ripencc|ZZ|ipv4|2.0.0.0|1024||available|e-stats-id
    """

    @Test func parsesRecordsOfEveryKind() throws {
        let d = try RIRDelegations.parse(Array(Self.sample.utf8), file: "sample")
        #expect(d.records.count == 6)
        #expect(d.fileDate == IntelTestSupport.timestamp(2014, 2, 14))
        let au = try #require(d.lookup(IPAddress("1.0.0.255")!))
        #expect(au.countryCode == "AU" && au.status == "assigned" && au.registry == "apnic")
        #expect(au.date == IntelTestSupport.timestamp(2011, 8, 11))
        #expect(d.lookup(IPAddress("1.0.1.0")!) == nil)
        #expect(d.lookup(IPAddress("14.0.7.255")!)?.countryCode == "CN")
        #expect(d.lookup(IPAddress("14.0.8.0")!) == nil)
        // 768 addresses: not a power of two, the range is still exact.
        #expect(d.lookup(IPAddress("27.0.2.255")!)?.countryCode == "JP")
        #expect(d.lookup(IPAddress("27.0.3.0")!) == nil)
        #expect(d.lookup(IPAddress("2001:200:1fff:ffff::1")!)?.countryCode == "JP")
        #expect(d.lookup(IPAddress("2001:200:2000::")!) == nil)
        #expect(d.lookup(asn: 1769)?.countryCode == "TW")
        #expect(d.lookup(asn: 1770) == nil)
        let extended = try #require(d.lookup(IPAddress("2.0.3.1")!))
        #expect(extended.opaqueID == "e-stats-id" && extended.date == nil && extended.status == "available")
    }

    @Test(arguments: [("apnic|AU|ipv4|1.0.0.0|0|20110811|assigned", 1), ("apnic|AU|ipv5|1.0.0.0|256|20110811|assigned", 1),
                      ("apnic|AU|ipv4|255.255.255.0|512|20110811|assigned", 1), ("# c\napnic|AU|ipv4|1.0.0.0", 2)])
    func malformedRecordsAreReported(text: String, line: Int) {
        let error = #expect(throws: IntelError.self) { try RIRDelegations.parse(Array(text.utf8), file: "bad") }
        #expect(error?.line == line)
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func realAPNICFile() throws {
        let d = try RIRDelegations.load(contentsOf: try #require(SharedData.url("rir-delegated/delegated-apnic-20140214.txt.gz")))
        // The summary lines: 5563 asn, 22939 ipv4, 3301 ipv6 records.
        #expect(d.records.filter { $0.kind == .asn }.count == 5_563)
        #expect(d.records.filter { $0.kind == .ipv4 }.count == 22_939)
        #expect(d.records.filter { $0.kind == .ipv6 }.count == 3_301)
        #expect(d.lookup(IPAddress("1.0.0.1")!)?.countryCode == "AU")
        #expect(d.lookup(IPAddress("1.0.1.7")!)?.countryCode == "CN")
        #expect(d.lookup(IPAddress("2001:200::1")!)?.countryCode == "JP")
        #expect(d.lookup(asn: 1769)?.countryCode == "TW")
        #expect(d.lookup(IPAddress("8.8.8.8")!) == nil)   // ARIN space: not in APNIC's file
        // Every record's own first and last address find it.
        for r in d.records where r.kind != .asn {
            #expect(d.lookup(r.firstAddress!) == r && d.lookup(r.lastAddress!) == r)
        }
    }
}
