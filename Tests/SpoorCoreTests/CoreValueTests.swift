import Foundation
import Testing
@testable import SpoorCore

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.168.1.1", "192.168.1.1", true),
        ("0.0.0.0", "0.0.0.0", true),
        ("255.255.255.255", "255.255.255.255", true),
        ("::1", "::1", false),
        ("2001:db8::8a2e:370:7334", "2001:db8::8a2e:370:7334", false),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", false),
        ("fe80::1%eth0", "fe80::1", false),
        ("::ffff:10.1.2.3", "10.1.2.3", true),
        ("[2001:db8::1]", "2001:db8::1", false),
        ("1:0:0:1:0:0:0:1", "1:0:0:1::1", false),
    ])
    func parsesAndFormats(text: String, canonical: String, isIPv4: Bool) throws {
        let a = try #require(IPAddress(text))
        #expect(a.description == canonical)
        #expect(a.isIPv4 == isIPv4)
        #expect(IPAddress(canonical) == a)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "::1::2", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "a.b.c.d", "1.2.3.4 "])
    func rejectsNonAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func leadingZerosAreDecimalOrRefused() {
        let lenient = IPAddress.parse("192.168.030.001".utf8.span)
        let strict = IPAddress.parse("192.168.030.001".utf8.span, allowLeadingZeros: false)
        #expect(lenient?.description == "192.168.30.1")
        #expect(strict == nil)
    }

    @Test func privateRanges() {
        for p in ["10.1.1.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1", "169.254.1.1", "100.64.0.1", "fd00::1", "fe80::1", "::1"] {
            #expect(IPAddress(p)?.isPrivate == true, "\(p)")
        }
        for p in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1"] {
            #expect(IPAddress(p)?.isPrivate == false, "\(p)")
        }
    }
}

@Suite struct TimestampTests {
    @Test func civilRoundTripsOverCenturies() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let us = Int64.random(in: -5_000_000_000_000_000...10_000_000_000_000_000, using: &rng)
            #expect(CivilTime(utcMicroseconds: us).utcMicroseconds == us)
        }
    }

    @Test func agreesWithFoundation() throws {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try #require(TimeZone(identifier: "UTC"))
        for seconds in stride(from: -2_000_000_000, to: 4_000_000_000, by: 7_777_777) {
            let civil = CivilTime(utcMicroseconds: Int64(seconds) * 1_000_000)
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
            #expect([civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second] == [c.year, c.month, c.day, c.hour, c.minute, c.second])
        }
    }

    @Test(arguments: [
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000000Z", 0),
        ("2024-02-29T23:59:59.123456789+02:00", "2024-02-29T21:59:59.123456Z", 7200),
        ("2024-01-01 00:00:00.5-0530", "2024-01-01T05:30:00.500000Z", -19800),
        ("2003-10-11T22:14:15.003Z", "2003-10-11T22:14:15.003000Z", 0),
    ])
    func parsesISO8601(text: String, utc: String, offset: Int) throws {
        let parsed = TimestampText.parseISO8601(text.utf8.span)
        let p = try #require(parsed)
        let us = p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000
        #expect(Timestamp(microseconds: us).description == utc)
        #expect(p.offsetSeconds == offset)
        #expect(p.length == text.utf8.count)
    }

    @Test(arguments: ["2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01", "20240101T000000Z", "2024-01-01T00:00:00.Z"])
    func refusesInvalidTimes(text: String) {
        let parsed = TimestampText.parseISO8601(text.utf8.span)
        #expect(parsed == nil)
    }

    @Test func epochSeconds() {
        let values = ["1425565514.419939", "1425565514", "14255x"].map { TimestampText.parseEpochSeconds($0.utf8.span) }
        #expect(values == [1_425_565_514_419_939, 1_425_565_514_000_000, nil])
    }

    @Test func localTimesFollowTheZoneIncludingDaylightSaving() throws {
        let zurich = try #require(TimeZoneRule("Europe/Zurich"))
        let winter = zurich.utc(fromLocal: CivilTime(year: 2005, month: 1, day: 10, hour: 12))
        #expect(winter.offsetSeconds == 3600)
        #expect(Timestamp(microseconds: winter.microseconds).description == "2005-01-10T11:00:00.000000Z")
        let summer = zurich.utc(fromLocal: CivilTime(year: 2005, month: 8, day: 10, hour: 12))
        #expect(summer.offsetSeconds == 7200)
        #expect(TimeZoneRule("+05:30")?.utc(fromLocal: CivilTime(year: 2020, month: 1, day: 1)).offsetSeconds == 19800)
        #expect(TimeZoneRule("Mars/Olympus") == nil)
    }
}

@Suite struct ByteTextTests {
    @Test func validUTF8PassesThrough() {
        let s = "héllo wörld ✓ 𝄞"
        #expect(ByteText.string(Array(s.utf8)) == s)
        #expect(ByteText.decode(s) == Array(s.utf8))
    }

    @Test func everyByteSequenceRoundTrips() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = ByteText.string(bytes)
            #expect(ByteText.decode(text) == bytes)
            #expect(String(decoding: Array(text.utf8), as: UTF8.self) == text)
        }
    }

    @Test func privateUseCharactersThatCollideAreEscapedToo() {
        let bytes = Array("a\u{EF80}b".utf8)
        #expect(ByteText.decode(ByteText.string(bytes)) == bytes)
        #expect(ByteText.decode(ByteText.string([0xC0, 0x80, 0xED, 0xA0, 0x80])) == [0xC0, 0x80, 0xED, 0xA0, 0x80])
    }
}

@Suite struct SymbolTableTests {
    @Test func internsAndGrows() {
        var t = SymbolTable(capacity: 4)
        var ids: [UInt32] = []
        for i in 0..<10_000 { ids.append(t.intern("value-\(i % 2_500)")) }
        #expect(t.count == 2_501)
        #expect(Set(ids).count == 2_500)
        #expect(t.string(ids[7]) == "value-7")
        #expect(t.intern("value-7") == ids[7])
        #expect(t.lookup("absent") == nil)
        #expect(t.intern("") != 0)
        #expect(t.string(0) == nil)
    }
}

@Suite struct CommunityIDTests {
    /// Expected values computed with the reference implementation (PyPI `communityid` 1.5.0).
    @Test(arguments: [
        ("128.232.110.120", 34855, "66.35.250.204", 80, CommunityID.tcp, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        ("10.0.0.1", 5353, "8.8.8.8", 53, CommunityID.udp, "1:6lAG9QTPdA3Iy96P3S4MMa3sYKA="),
        ("2001:db8::1", 443, "2001:db8::2", 51000, CommunityID.tcp, "1:2TiKiiiSIuDma9IxOEOpx4wCXWM="),
    ] as [(String, Int, String, Int, UInt8, String)])
    func matchesTheReference(src: String, sport: Int, dst: String, dport: Int, proto: UInt8, expected: String) throws {
        let a = try #require(IPAddress(src)), b = try #require(IPAddress(dst))
        #expect(CommunityID.v1(source: a, sourcePort: UInt16(sport), destination: b, destinationPort: UInt16(dport), protocol: proto) == expected)
        // Both directions of a flow give the same id.
        #expect(CommunityID.v1(source: b, sourcePort: UInt16(dport), destination: a, destinationPort: UInt16(sport), protocol: proto) == expected)
    }

    @Test func sha1KnownAnswers() {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")  // FIPS 180-2 appendix A.2
    }
}
