import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct W3CExtendedParserTests {
    func fixture() throws -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(try Fixtures.bytes("web/iis-w3c.log"), with: W3CExtendedParser(context: testContext))
    }

    @Test func iisFieldsAndECS() throws {
        let (batch, rejects) = try fixture()
        #expect(rejects.isEmpty)
        #expect(batch.count == 5)
        let e = batch.row(0)
        #expect(e.timestamp?.description == "2019-08-29T00:00:03.000000Z")
        #expect(e[Field.eventTimezone] == .string("+00:00"))
        #expect(e[Field.destinationIP] == .ip(IPAddress("10.0.0.4")!))
        #expect(e[Field.destinationPort] == .int(443))
        #expect(e[Field.sourceIP] == .ip(IPAddress("203.0.113.7")!))
        #expect(e[Field.httpRequestMethod] == .string("GET"))
        #expect(e[Field.urlPath] == .string("/owa/auth/logon.aspx"))
        #expect(e[Field.urlQuery] == .string("replaceCurrent=1&url=https%3a%2f%2fmail.example.com%2fowa"))
        #expect(e[Field.urlOriginal] == .string("/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2fmail.example.com%2fowa"))
        #expect(e[Field.userAgentOriginal] == .string("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"))
        #expect(e["w3c.cs(User-Agent)"] == .string("Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)"))
        #expect(e["w3c.cs-uri-stem"] == .string("/owa/auth/logon.aspx"))
        #expect(e["w3c.sc-win32-status"] == .string("0"))
        #expect(e["w3c.cs-username"] == nil) // `-`
        #expect(e[Field.httpResponseStatusCode] == .int(200))
        #expect(e[Field.eventDuration] == .int(15_000_000))
        #expect(e[Field.observerProduct] == .string("Microsoft Internet Information Services 10.0"))
        #expect(e[Field.eventCategory] == .list(["web"]))

        let post = batch.row(1)
        #expect(post[Field.userName] == .string(#"EXAMPLE\bob"#))
        #expect(post[Field.httpRequestReferrer] == .string("https://mail.example.com/owa/auth/logon.aspx"))
        #expect(post[Field.urlQuery] == nil)
        #expect(post[Field.urlOriginal] == .string("/owa/auth.owa"))
        #expect(batch.row(2)[Field.sourceIP] == .ip(IPAddress("2001:db8::66")!))
        #expect(batch.row(2)[Field.eventOutcome] == .string("failure"))
    }

    @Test func fieldsChangeMidFile() throws {
        let (batch, _) = try fixture()
        let e = batch.row(3)
        // Only `time` in the new block: the date comes from the new `#Date:`.
        #expect(e.timestamp?.description == "2019-08-29T01:00:00.250000Z")
        #expect(e[Field.httpResponseBytes] == .int(5430))
        #expect(e[Field.httpRequestBytes] == .int(312))
        #expect(e[Field.urlDomain] == .string("mail.example.com"))
        #expect(e[Field.httpRequestXForwardedFor]?.listValue == ["192.0.2.1", "10.1.1.1"])
        #expect(e[Field.destinationIP] == nil)
        #expect(e["w3c.s-ip"] == nil)
        #expect(batch.row(4)[Field.httpRequestXForwardedFor] == nil)
    }

    @Test func dataBeforeFieldsIsBadHeader() {
        var p = W3CExtendedParser(context: testContext)
        #expect { try parseOne("2019-08-29 00:00:03 GET /", with: &p) } throws: { ($0 as? ParseError)?.code == .badHeader }
        #expect(throws: Never.self) { try parseOne("#Version: 1.0", with: &p) }
        #expect { try parseOne("2019-08-29 00:00:03 GET /", with: &p) } throws: { ($0 as? ParseError)?.code == .badHeader }
    }

    @Test(arguments: [
        ("2019-08-29 00:00:03 GET", ParseError.Code.badField),
        ("2019-08-29 00:00:03 GET / extra", .badField),
        ("2019-13-29 00:00:03 GET /", .badTimestamp),
        ("2019-08-29 25:00:03 GET /", .badTimestamp),
        (#"2019-08-29 00:00:03 GET "/never closed"#, .badField),
    ])
    func badDataLines(line: String, code: ParseError.Code) throws {
        var p = W3CExtendedParser(context: testContext)
        _ = try parseOne("#Fields: date time cs-method cs-uri-stem", with: &p)
        #expect { try parseOne(line, with: &p) } throws: { ($0 as? ParseError)?.code == code }
    }

    @Test func quotedValuesAndTimeTakenInSeconds() throws {
        var p = W3CExtendedParser(context: testContext)
        _ = try parseOne("#Fields: date time cs-uri-stem time-taken cs(User-Agent)", with: &p)
        let e = try #require(try parseOne(#"2001-02-03 04:05:06 "/a b" 1.5 "Mozilla 5""#, with: &p))
        #expect(e[Field.urlPath] == .string("/a b"))
        #expect(e[Field.eventDuration] == .int(1_500_000_000))
        #expect(e[Field.userAgentOriginal] == .string("Mozilla 5"))
    }

    @Test func tooManyFieldsIsBadHeader() {
        var p = W3CExtendedParser(context: testContext)
        let names = (0..<600).map { "f\($0)" }.joined(separator: " ")
        #expect { try parseOne("#Fields: " + names, with: &p) } throws: { ($0 as? ParseError)?.code == .badHeader }
    }
}
