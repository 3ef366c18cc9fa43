import Foundation
import Testing
import SpoorCore
import SpoorTesting
@testable import SpoorIntel

@Suite struct PrefixTableTests {
    static func table(_ lines: [(String, UInt32)]) -> PrefixTable {
        PrefixTable(entries: lines.map { PrefixTable.Entry(prefix: IPNetwork($0.0)!, asn: $0.1) })
    }

    @Test(arguments: [
        ("10.1.2.3", UInt32(3), "10.1.2.0/24"),
        ("10.1.3.1", 2, "10.1.0.0/16"),
        ("10.200.0.1", 1, "10.0.0.0/8"),
        ("10.1.2.255", 3, "10.1.2.0/24"),
        ("10.1.255.255", 2, "10.1.0.0/16"),
        ("10.255.255.255", 1, "10.0.0.0/8"),
        ("2001:db8::1", 6, "2001:db8::/32"),
        ("2001:db8:1::1", 7, "2001:db8:1::/48"),
        ("255.255.255.255", 9, "255.255.255.0/24"),
    ])
    func longestPrefixWins(ip: String, asn: UInt32, prefix: String) throws {
        let t = Self.table([("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("10.1.2.0/24", 3), ("2001:db8::/32", 6),
                            ("2001:db8:1::/48", 7), ("255.255.255.0/24", 9)])
        let m = try #require(t.lookup(IPAddress(ip)!))
        #expect(m.asn == asn)
        #expect(m.prefix.description == prefix)
    }

    @Test(arguments: ["9.255.255.255", "11.0.0.0", "0.0.0.0", "2001:db9::1", "::1", "255.255.254.255"])
    func outsideEveryPrefixIsNil(ip: String) {
        let t = Self.table([("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("2001:db8::/32", 6), ("255.255.255.0/24", 9)])
        #expect(t.lookup(IPAddress(ip)!) == nil)
    }

    @Test func defaultRouteAndRepeatedPrefix() throws {
        // The same prefix twice: the later wins (as a radix tree's add does).
        let t = Self.table([("0.0.0.0/0", 1), ("192.0.2.0/24", 5), ("192.0.2.0/24", 6), ("::/0", 8)])
        #expect(t.lookup(IPAddress("192.0.2.9")!)?.asn == 6)
        #expect(t.lookup(IPAddress("8.8.8.8")!)?.asn == 1)
        #expect(t.lookup(IPAddress("ffff::1")!)?.asn == 8)
        #expect(t.count == 4)
    }

    /// The flattened intervals agree with a brute-force longest-prefix match on random nested tables.
    @Test func agreesWithBruteForceOnRandomTables() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20 {
            var entries: [PrefixTable.Entry] = []
            for _ in 0..<200 {
                let len = Int.random(in: 4...28, using: &rng)
                let base = UInt32(truncatingIfNeeded: rng.next()) & 0x0FFF_FFFF   // crowd the space so prefixes nest
                let net = IPNetwork("\(IPAddress(ipv4: base))/\(len)")!
                entries.append(.init(prefix: net, asn: UInt32.random(in: 1...100_000, using: &rng)))
            }
            let t = PrefixTable(entries: entries)
            for _ in 0..<2_000 {
                let ip = IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()) & 0x0FFF_FFFF)
                var best: PrefixTable.Entry?
                for e in entries where e.prefix.contains(ip) {
                    if best == nil || e.prefix.prefixLength >= best!.prefix.prefixLength { best = e }
                }
                #expect(t.lookup(ip)?.asn == best?.asn, "\(ip)")
            }
        }
    }

    @Test func ipasnTextWithHeaderDate() throws {
        let text = """
        ; IP-ASN32-DAT file
        ; Original file : data/rib.20140513.0600.bz2.skip
        ; Converted on  : Mon Sep 15 22:09:50 2014
        ;
        1.0.0.0/24\t15169
        2001:200::/32\t2500
        8.8.8.0/24\tAS15169
        """
        let t = try PrefixTable.parse(Array(text.utf8), file: "t", name: "t", date: nil)
        #expect(t.validFrom == Timestamp(microseconds: IntelTestSupport.timestamp(2014, 5, 13).microseconds + 6 * 3_600_000_000))
        #expect(t.lookup(IPAddress("2001:200::5")!)?.asn == 2500)
        #expect(t.lookup(IPAddress("8.8.8.8")!)?.asn == 15169)
        #expect(t.coversIPv4 && t.coversIPv6)
    }

    @Test func iptoasnRangesBecomeCIDRBlocks() throws {
        let text = """
        1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET - Cloudflare, Inc.
        1.0.1.0\t1.0.3.255\t0\tNone\tNot routed
        1.0.4.0\t1.0.6.127\t56203\tAU\tGTELECOM-AUSTRALIA Gtelecom-AUSTRALIA
        """
        let t = try PrefixTable.parse(Array(text.utf8), file: "t", name: "ip2asn-v4.tsv", date: Timestamp(microseconds: 0))
        let m = try #require(t.lookup(IPAddress("1.0.0.1")!))
        #expect(m.asn == 13335 && m.country == "US" && m.organization == "CLOUDFLARENET - Cloudflare, Inc.")
        #expect(t.lookup(IPAddress("1.0.2.1")!) == nil)   // AS 0: not routed
        // 1.0.4.0–1.0.6.127 = 1.0.4.0/23 + 1.0.6.0/25.
        #expect(t.lookup(IPAddress("1.0.5.200")!)?.prefix.description == "1.0.4.0/23")
        #expect(t.lookup(IPAddress("1.0.6.100")!)?.prefix.description == "1.0.6.0/25")
        #expect(t.lookup(IPAddress("1.0.6.128")!) == nil)
        #expect(t.count == 3)
    }

    @Test(arguments: [
        ("1.0.0.0/33\t15169", 1),
        ("1.0.0.0/24\tfifteen", 1),
        ("; c\n1.0.0.0/24\t1\nbogus\t1", 3),
        ("1.0.0.0\t1.0.0.255", 1),
    ])
    func malformedLinesAreReportedWithTheirLine(text: String, line: Int) {
        let error = #expect(throws: IntelError.self) {
            try PrefixTable.parse(Array(text.utf8), file: "bad.dat", name: "bad_20140101.dat", date: nil)
        }
        #expect(error?.line == line)
        #expect(error?.file == "bad.dat")
    }

    @Test func aTableWithoutADateIsRefused() {
        #expect(throws: IntelError.self) { try PrefixTable.parse(Array("1.0.0.0/24\t1".utf8), file: "x", name: "table.dat", date: nil) }
    }

    @Test func corruptGzipIsAnErrorNotACrash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-bad-\(UUID().uuidString).dat.gz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF]).write(to: url)
        #expect(throws: IntelError.self) { try PrefixTable.load(contentsOf: url, date: Timestamp(microseconds: 0)) }
    }
}
