import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct AccessLogParserTests {
    func parse(_ line: String) throws(ParseError) -> Event {
        var p = AccessLogParser(context: testContext)
        guard let e = try parseOne(line, with: &p) else { throw ParseError(.unrecognized, "directive") }
        return e
    }

    @Test func combinedFields() throws {
        let e = try parse(#"192.0.2.10 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#)
        #expect(e.timestamp?.description == "2000-10-10T20:55:36.000000Z")
        #expect(e[Field.eventTimezone] == .string("-07:00"))
        #expect(e[Field.sourceIP] == .ip(IPAddress("192.0.2.10")!))
        #expect(e[Field.userName] == .string("frank"))
        #expect(e[Field.httpRequestMethod] == .string("GET"))
        #expect(e[Field.urlOriginal] == .string("/apache_pb.gif?a=1&b=2"))
        #expect(e[Field.urlPath] == .string("/apache_pb.gif"))
        #expect(e[Field.urlQuery] == .string("a=1&b=2"))
        #expect(e[Field.httpVersion] == .string("1.0"))
        #expect(e[Field.httpResponseStatusCode] == .int(200))
        #expect(e[Field.httpResponseBytes] == .int(2326))
        #expect(e[Field.httpRequestReferrer] == .string("http://www.example.com/start.html"))
        #expect(e[Field.userAgentOriginal] == .string("Mozilla/4.08 [en] (Win98; I ;Nav)"))
        #expect(e[Field.eventCategory] == .list(["web"]))
        #expect(e[Field.eventOutcome] == .string("success"))
        #expect(e[Field.httpRequestLine] == nil)
        #expect(e[Field.accessExtra] == nil)
    }

    @Test func commonFormatEndsAfterBytes() throws {
        let e = try parse(#"127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#)
        #expect(e[Field.accessIdent] == .string("user-identifier"))
        #expect(e[Field.httpResponseBytes] == .int(2326))
        #expect(e[Field.userAgentOriginal] == nil)
    }

    @Test(arguments: [
        (#"2001:db8::5 - - [01/Jan/2024:00:00:01 +0000] "POST /x HTTP/1.1" 401 512 "-" "-""#, "2001:db8::5", true),
        (#"crawler.example.net - - [01/Jan/2024:00:00:01 +0000] "POST /x HTTP/1.1" 401 512 "-" "-""#, "crawler.example.net", false),
    ])
    func hostIsAddressOrName(line: String, host: String, isIP: Bool) throws {
        let e = try parse(line)
        if isIP { #expect(e[Field.sourceIP] == .ip(IPAddress(host)!)) } else {
            #expect(e[Field.sourceDomain] == .string(host))
            #expect(e[Field.sourceIP] == nil)
        }
        #expect(e[Field.eventOutcome] == .string("failure"))
    }

    @Test func dashBytesAreZeroAndDashesAreAbsent() throws {
        let e = try parse(#"192.0.2.1 - - [05/Mar/2007:14:39:21 +0100] "HEAD / HTTP/1.1" 301 - "-" "-""#)
        #expect(e[Field.httpResponseBytes] == .int(0))
        #expect(e[Field.userName] == nil)
        #expect(e[Field.httpRequestReferrer] == nil)
        #expect(e[Field.userAgentOriginal] == nil)
        #expect(e[Field.urlQuery] == nil)
    }

    @Test func tlsHandshakeToPlainPortIsDecodedIntoRequestLine() throws {
        let e = try parse(#"198.51.100.23 - - [12/Feb/2019:14:22:40 +0530] "\x16\x03\x01\x00\xc8\x01" 400 157 "-" "-""#)
        #expect(e[Field.httpRequestMethod] == nil)
        #expect(e[Field.urlOriginal] == nil)
        let line = try #require(e[Field.httpRequestLine]?.stringValue)
        #expect(ByteText.decode(line) == [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01])
        #expect(e[Field.httpResponseStatusCode] == .int(400))
        #expect(e[Field.eventTimezone] == .string("+05:30"))
    }

    @Test(arguments: [
        (#""\x03\x00\x00/*\xE0\x00\x00\x00\x00\x00Cookie: mstshash=Administr""#, true),
        (#""batman""#, true),
        (#""HELP""#, true),
        (#""GET HTTP/1.1""#, true),
        (#""""#, false),
    ])
    func malformedRequestLinesStillMakeEvents(request: String, hasLine: Bool) throws {
        let e = try parse("203.0.113.1 - - [20/Jan/2015:19:53:28 +0100] \(request) 400 47 \"-\" \"-\" \"-\"")
        #expect((e[Field.httpRequestLine] != nil) == hasLine)
        #expect(e[Field.httpRequestMethod] == nil)
        #expect(e[Field.httpResponseStatusCode] == .int(400))
    }

    @Test func http09RequestHasNoVersion() throws {
        let e = try parse(#"203.0.113.1 - - [20/Jan/2015:19:53:28 +0100] "GET /" 200 47"#)
        #expect(e[Field.httpRequestMethod] == .string("GET"))
        #expect(e[Field.urlPath] == .string("/"))
        #expect(e[Field.httpVersion] == nil)
    }

    @Test func escapedQuotesAndBackslashesAreDecoded() throws {
        let e = try parse(#"203.0.113.9 - - [12/Feb/2019:14:22:44 +0530] "GET /search?q=\"1\"+OR+1=1--&x=\\etc HTTP/1.1" 500 0 "-" "sqlmap/1.4 (\"evil\")""#)
        #expect(e[Field.urlQuery] == .string(#"q="1"+OR+1=1--&x=\etc"#))
        #expect(e[Field.userAgentOriginal] == .string(#"sqlmap/1.4 ("evil")"#))
        #expect(e[Field.eventOutcome] == .string("failure"))
    }

    @Test func unescapedQuoteFromOldServersIsTolerated() throws {
        let e = try parse(#"203.0.113.9 - - [12/Feb/2019:14:22:44 +0000] "GET /a"b HTTP/1.1" 404 0 "-" "x""#)
        #expect(e[Field.urlOriginal] == .string(#"/a"b"#))
        #expect(e[Field.httpResponseStatusCode] == .int(404))
    }

    @Test func vhostPrefix() throws {
        let e = try parse(#"www.example.com:443 203.0.113.50 - alice [20/Jan/2015:19:53:28 +0100] "GET /index.html HTTP/2.0" 200 1043 "https://www.example.com/" "Mozilla/5.0""#)
        #expect(e[Field.urlDomain] == .string("www.example.com"))
        #expect(e[Field.urlPort] == .int(443))
        #expect(e[Field.sourceIP] == .ip(IPAddress("203.0.113.50")!))
        #expect(e[Field.userName] == .string("alice"))
        #expect(e[Field.httpVersion] == .string("2.0"))
    }

    @Test func nginxForwardedForAndRequestTime() throws {
        let e = try parse(#"10.0.0.7 - - [20/Jan/2015:19:53:29 +0100] "GET /api HTTP/1.1" 200 88 "-" "okhttp/4.9" "203.0.113.77, 10.0.0.1" 0.012"#)
        #expect(e[Field.httpRequestXForwardedFor]?.listValue == ["203.0.113.77", "10.0.0.1"])
        #expect(e[Field.eventDuration] == .int(12_000_000))
        #expect(e[Field.accessExtra] == nil)
    }

    @Test func traefikExtrasAreKeptInOrder() throws {
        let e = try parse(#"10.0.0.2 - - [18/Nov/2018:21:34:30 +0000] "GET /dashboard/ HTTP/2.0" 401 17 "-" "Mozilla/5.0" 72 "Auth for frontend-Host-traefik-0" "/dashboard/" 3ms"#)
        #expect(e[Field.accessExtra]?.listValue == ["72", "Auth for frontend-Host-traefik-0", "/dashboard/"])
        #expect(e[Field.eventDuration] == .int(3_000_000))
        #expect(e[Field.httpRequestXForwardedFor] == nil)
    }

    @Test func absoluteAndConnectTargets() throws {
        let a = try parse(#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET http://proxy.example.org:8080/a/b?c=d HTTP/1.1" 200 5"#)
        #expect(a[Field.urlScheme] == .string("http"))
        #expect(a[Field.urlDomain] == .string("proxy.example.org"))
        #expect(a[Field.urlPort] == .int(8080))
        #expect(a[Field.urlPath] == .string("/a/b"))
        #expect(a[Field.urlQuery] == .string("c=d"))
        let c = try parse(#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "CONNECT 123.123.123.123:443 HTTP/1.1" 400 162"#)
        #expect(c[Field.urlOriginal] == .string("123.123.123.123:443"))
        #expect(c[Field.urlDomain] == .string("123.123.123.123"))
        #expect(c[Field.urlPort] == .int(443))
        #expect(c[Field.urlPath] == nil)
    }

    @Test func invalidUTF8IsKeptUnderTheBytePolicy() throws {
        var bytes = Array(#"203.0.113.1 - - [20/Jan/2015:19:53:28 +0100] "GET /"#.utf8)
        bytes += [0xFF, 0xC3]
        bytes += Array(#" HTTP/1.1" 200 1 "-" "ua"#.utf8) + [0xFE] + Array(#"""#.utf8)
        var p = AccessLogParser(context: testContext)
        let e = try #require(try parseOne(bytes: bytes, with: &p))
        #expect(ByteText.decode(try #require(e[Field.urlOriginal]?.stringValue)) == [UInt8(ascii: "/"), 0xFF, 0xC3])
        #expect(ByteText.decode(try #require(e[Field.userAgentOriginal]?.stringValue)) == Array("ua".utf8) + [0xFE])
    }

    @Test(arguments: [
        ("", ParseError.Code.unrecognized),
        ("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", .unrecognized),
        (#"1.2.3.4 - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#, .truncated),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700"#, .truncated),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / 200 1"#, .badField),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0 200 1"#, .badField),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200"#, .truncated),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 lots"#, .badField),
        (#"1.2.3.4 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#, .badTimestamp),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700 junk] "GET / HTTP/1.0" 200 1"#, .badTimestamp),
    ])
    func brokenEnvelopesAreTypedErrors(line: String, code: ParseError.Code) {
        #expect { try parse(line) } throws: { ($0 as? ParseError)?.code == code }
    }

    @Test func hugeQuotedUserAgentParses() throws {
        let ua = String(repeating: "A", count: 100_000)
        let e = try parse(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" ""# + ua + #"""#)
        #expect(e[Field.userAgentOriginal]?.stringValue?.utf8.count == 100_000)
    }

    @Test func unbalancedQuoteInUserAgentDoesNotCrash() throws {
        // The user agent never closes: the line keeps what could be read.
        let e = try parse(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "Mozilla"#)
        #expect(e[Field.httpResponseStatusCode] == .int(200))
        #expect(e[Field.userAgentOriginal] == nil)
    }

    /// Damage anywhere: every outcome is an event or a typed error (no trap, no hang).
    @Test func damagedLinesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let base = Array(#"203.0.113.9 - - [12/Feb/2019:14:22:44 +0530] "GET /a?b=\"c\" HTTP/1.1" 500 0 "-" "x" "1.2.3.4" 0.1"#.utf8)
        var outcomes = 0
        for _ in 0..<5_000 {
            var bytes = base
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                default: bytes.insert([Bytes.quote, Bytes.backslash, Bytes.space][Int(rng.next() % 3)], at: at)
                }
            }
            var p = AccessLogParser(context: testContext)
            do { _ = try parseOne(bytes: bytes, with: &p); outcomes += 1 } catch { outcomes += 1 }
        }
        #expect(outcomes == 5_000)
    }

    /// Any bytes at all inside the request (attack traffic) still give an event with the
    /// right status: the envelope around it is intact.
    @Test func anyRequestBytesGiveAnEvent() throws {
        var rng = SplitMix64(seed: 7)
        let head = Array(#"203.0.113.9 - - [12/Feb/2019:14:22:44 +0530] ""#.utf8)
        let tail = Array(#"" 418 0 "-" "x""#.utf8)
        for _ in 0..<2_000 {
            let n = Int(rng.next() % 40)
            var request: [UInt8] = []
            for _ in 0..<n {
                var c = UInt8(truncatingIfNeeded: rng.next())
                if c == Bytes.lf || c == Bytes.cr { c = 0 }
                request.append(c)
            }
            var p = AccessLogParser(context: testContext)
            let e = try #require(try parseOne(bytes: head + request + tail, with: &p))
            #expect(e[Field.httpResponseStatusCode] == .int(418))
        }
    }

    /// One parser, several builders (ingest starts a new batch every so often): cached column
    /// handles must follow the builder, whatever columns it already has.
    @Test(arguments: [0, 1, 5, 17, 18])
    func handlesFollowANewBuilder(preexisting: Int) throws {
        var p = AccessLogParser(context: testContext)
        let line = Array(#"192.0.2.10 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?b HTTP/1.0" 200 2326 "-" "ua""#.utf8)
        for round in 0..<3 {
            var builder = EventBatchBuilder()
            for k in 0..<(preexisting + round) { _ = builder.column("other.\(k)", .int) }
            for _ in 0..<2 {
                builder.beginRow()
                #expect(try p.parse(line.span, into: &builder) == .event)
                builder.endRow()
            }
            let batch = builder.finish()
            for r in 0..<2 {
                let e = batch.row(r)
                #expect(e[Field.userName] == .string("frank"))
                #expect(e[Field.urlQuery] == .string("b"))
                #expect(e[Field.httpResponseStatusCode] == .int(200))
                #expect(e[Field.eventType] == .list(["access"]))
                #expect(e.fieldNames.allSatisfy { !$0.hasPrefix("other.") })
            }
        }
    }

    @Test func fixtureParsesWithoutRejects() throws {
        let bytes = try Fixtures.bytes("web/access-combined.log")
        let (batch, rejects) = Fixtures.parseLines(bytes, with: AccessLogParser(context: testContext))
        #expect(rejects.isEmpty)
        #expect(batch.count == 13)
        #expect(batch.column(Field.httpRequestLine).map { c in (0..<batch.count).filter { c.isValid($0) }.count } == 3)
    }
}
