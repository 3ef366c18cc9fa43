import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct DelimitedTextParserTests {
    static let comma = UInt8(ascii: ",")

    @Test func csvFixture() throws {
        let bytes = try Fixtures.bytes("generic/logons.csv")
        let (batch, rejects, directives) = parseRecords(bytes, framer: QuotedLineFramer(),
                                                        with: DelimitedTextParser(delimiter: Self.comma, context: testContext))
        #expect(rejects.isEmpty)
        #expect(directives == 1)
        #expect(batch.count == 4)

        let first = batch.row(0)
        #expect(first.timestamp?.description == "2019-02-12T14:22:40.697000Z")
        #expect(first[Field.eventTimezone] == .string("+00:00"))
        #expect(first["csv.TimeGenerated"] == .string("2019-02-12 14:22:40.697"))  // BOM dropped from the name
        #expect(first["csv.EventID"] == .string("4688"))
        #expect(first["csv.Account"] == .string(#"WORKGROUP\host$"#))
        #expect(first["csv.CommandLine"] == .string(#""C:\Windows\system32\cmd.exe" /c whoami"#))
        #expect(first["csv.IpAddress"] == .ip(IPAddress("10.0.0.5")!))
        #expect(first["csv.SrcIP"] == .ip(IPAddress("203.0.113.9")!))

        let second = batch.row(1)
        #expect(second["csv.CommandLine"] == .string("line one\r\nline two, with comma\r\nline three"))
        #expect(second["csv.IpAddress"] == nil)                          // `-`
        #expect(second["csv.SrcIP"] == nil)
        #expect(second["csv.SrcIP.text"] == .string("not-an-ip"))        // kept, beside the typed column
        #expect(second["csv.Comment"] == .string(#"said "hi""#))

        let third = batch.row(2)
        #expect(third.timestamp?.description == "2019-07-08T16:08:15.000000Z")
        #expect(third["csv.Account"] == nil)                             // empty cell

        let fourth = batch.row(3)
        #expect(fourth["csv.IpAddress"] == .ip(IPAddress("::1")!))
        #expect(fourth["csv.Comment"] == .string(#"5" floppy"#))
    }

    @Test func tsvFixture() throws {
        let bytes = try Fixtures.bytes("generic/flows.tsv")
        let (batch, rejects, _) = parseRecords(bytes, framer: QuotedLineFramer(delimiter: Bytes.tab),
                                               with: DelimitedTextParser(delimiter: Bytes.tab, context: testContext))
        #expect(rejects.isEmpty)
        #expect(batch.count == 2)
        #expect(batch.row(0).timestamp?.description == "2019-02-18T16:00:27.301000Z")
        #expect(batch.row(0)["csv.src_ip"] == .ip(IPAddress("10.1.1.1")!))
        #expect(batch.row(0)["csv.note"] == .string("tab\tinside"))
        #expect(batch.row(1)["csv.dst_port"] == .string("80"))
    }

    @Test func headerNamesAreCleanedUp() throws {
        var p = DelimitedTextParser(delimiter: Self.comma, context: testContext)
        #expect(try parseOne(",a,a, b ,", with: &p) == nil)
        #expect(p.columnNames == ["column1", "a", "a_2", "b", "column5"])
    }

    @Test(arguments: [
        ("1,2", ParseError.Code.badField),            // fewer cells
        ("1,2,3,4", .badField),                        // more cells
        ("1,\"2,3", .badField),                        // unbalanced quote
        ("1,\"2\"x,3", .badField),                     // bytes after a closing quote
    ])
    func malformedRecords(line: String, code: ParseError.Code) throws {
        var p = DelimitedTextParser(delimiter: Self.comma, context: testContext)
        _ = try parseOne("a,b,c", with: &p)
        #expect { try parseOne(line, with: &p) } throws: { ($0 as? ParseError)?.code == code }
        // The parser keeps going after a reject.
        #expect(try parseOne("1,2,3", with: &p)?["csv.c"] == .string("3"))
    }

    @Test func hundredKilobyteQuotedCell() throws {
        let big = String(repeating: "ab\"\"c\n", count: 20_000)  // 120 KB with escapes and line breaks
        var p = DelimitedTextParser(delimiter: Self.comma, context: testContext)
        _ = try parseOne("id,blob", with: &p)
        let e = try #require(try parseOne("1,\"" + big + "\"", with: &p))
        #expect(e["csv.blob"]?.stringValue?.utf8.count == 20_000 * 5)
    }

    @Test func recordTooLong() throws {
        var p = DelimitedTextParser(delimiter: Self.comma, context: testContext)
        _ = try parseOne("id,blob", with: &p)
        let line = "1," + String(repeating: "x", count: DelimitedTextParser.maximumRecordLength)
        #expect { try parseOne(line, with: &p) } throws: { ($0 as? ParseError)?.code == .recordTooLong }
    }

    @Test func invalidUTF8CellsAreKept() throws {
        var p = DelimitedTextParser(delimiter: Self.comma, context: testContext)
        _ = try parseOne("a,b", with: &p)
        let e = try #require(try parseOne(bytes: [0x31, 0x2C, 0xC3, 0x28], with: &p))
        #expect(ByteText.decode(try #require(e["csv.b"]?.stringValue)) == [0xC3, 0x28])
    }

    @Test(arguments: [
        ("SrcIP", true), ("HostIP", true), ("IpAddress", true), ("VMIPAddress", true), ("c-ip", true),
        ("clientIp", true), ("ip", true), ("src_ip", true), ("Membership", false), ("Ship", false),
        ("PublicIPs", false), ("Description", false), ("ZIP", true),
    ])
    func addressColumnNames(name: String, isAddress: Bool) {
        // `ZIP` is a known false positive of the `…IP` rule: its values don't parse, so they
        // land in `csv.ZIP.text` and nothing is lost.
        #expect(DelimitedTextParser.isAddressName(name) == isAddress)
    }
}
