import Testing
import SpoorCore
@testable import SpoorParsers

@Suite struct LooseTimestampTests {
    @Test(arguments: [
        ("2019-02-12 14:22:40.697", "2019-02-12T14:22:40.697000Z", 0),
        ("2019-07-10T15:13:25.813Z", "2019-07-10T15:13:25.813000Z", 0),
        ("2019-07-10T15:13:25+0200", "2019-07-10T13:13:25.000000Z", 7200),
        ("2021-04-01 05:04:58.000000 ", "2021-04-01T05:04:58.000000Z", 0),
        ("7/8/2019 16:08", "2019-07-08T16:08:00.000000Z", 0),
        ("07/08/2019 04:08:15 PM", "2019-07-08T16:08:15.000000Z", 0),
        ("7/8/2019 12:00:00 AM", "2019-07-08T00:00:00.000000Z", 0),
        ("1425565514.419939", "2015-03-05T14:25:14.419939Z", 0),
        ("1700000000000", "2023-11-14T22:13:20.000000Z", 0),
        ("1700000000000123", "2023-11-14T22:13:20.000123Z", 0),
        ("1700000000000123456", "2023-11-14T22:13:20.000123Z", 0),
        ("10/Oct/2000:13:55:36 -0700", "2000-10-10T20:55:36.000000Z", -25200),
        ("Tue, 15 Nov 1994 08:12:31 GMT", "1994-11-15T08:12:31.000000Z", 0),
        ("Oct 11 22:14:15", "2023-10-11T22:14:15.000000Z", 0),
        ("Dec 31 23:59:59", "2022-12-31T23:59:59.000000Z", 0),   // after collection (Nov 2023): last year
    ])
    func reads(text: String, iso: String, offset: Int) throws {
        let bytes = Array(text.utf8)
        let parsed = LooseTimestamp.parse(bytes.span, context: testContext)
        let r = try #require(parsed)
        #expect(r.timestamp.description == iso)
        #expect(r.offsetSeconds == offset)
    }

    @Test(arguments: ["", "2019-02-12", "12345", "13/45/2019 10:00", "2019-02-30 10:00:00", "hello world", "7/8/2019 13:00 PM", "Foo 11 22:14:15"])
    func rejects(text: String) {
        let bytes = Array(text.utf8)
        let parsed = LooseTimestamp.parse(bytes.span, context: testContext)
        #expect(parsed == nil)
    }

    @Test func localTimesUseTheContextZone() throws {
        let ctx = ParseContext(timeZone: TimeZoneRule("+02:00")!, collectedAt: Timestamp(seconds: 1_700_000_000))
        let bytes = Array("2019-02-12 14:00:00".utf8)
        let parsed = LooseTimestamp.parse(bytes.span, context: ctx)
        let r = try #require(parsed)
        #expect(r.timestamp.description == "2019-02-12T12:00:00.000000Z")
        #expect(r.offsetSeconds == 7200)
    }
}
