import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct JSONLinesParserTests {
    func fixture() throws -> EventBatch {
        let (batch, rejects) = Fixtures.parseLines(try Fixtures.bytes("generic/events.jsonl"), with: JSONLinesParser(context: testContext))
        #expect(rejects.isEmpty)
        return batch
    }

    @Test func ecsShapedJSONIsPromoted() throws {
        let e = try fixture().row(0)
        #expect(e.timestamp?.description == "2024-05-01T12:00:00.123456Z")
        #expect(e[Field.eventTimezone] == .string("+00:00"))
        #expect(e["json.source.ip"] == .string("203.0.113.5"))
        #expect(e[Field.sourceIP] == .ip(IPAddress("203.0.113.5")!))
        #expect(e[Field.sourcePort] == .int(51514))
        #expect(e["json.source.port"] == .int(51514))
        #expect(e[Field.eventCategory]?.listValue == ["authentication"])
        #expect(e[Field.userName] == .string("root"))
        #expect(e[Field.message] == .string("Failed password"))
        #expect(e["json.@timestamp"] == .string("2024-05-01T12:00:00.123456Z"))
    }

    @Test func valuesAreTypedAndFlattened() throws {
        let e = try fixture().row(1)
        #expect(e.timestamp?.description == "2015-03-05T14:25:14.419939Z")
        #expect(e["json.id.orig_h"] == .string("192.168.1.5"))
        #expect(e["json.tags"]?.listValue == ["a", "b", "3"])
        #expect(e["json.nested"] == .string(#"[{"k":1},{"k":2}]"#))
        #expect(e["json.big"] == .string("123456789012345678901234"))
        #expect(e["json.ratio"] == .double(0.25))
        #expect(e["json.ok"] == .bool(true))
        #expect(e["json.none"] == nil)
    }

    @Test func promotionNeedsTheRightShape() throws {
        let e = try fixture().row(2)
        #expect(e["json.source.ip"] == .string("not-an-ip"))
        #expect(e[Field.sourceIP] == nil)
        #expect(e[Field.destinationPort] == .int(8080))  // numeric text is an int
        #expect(e[Field.hostName] == .string("web-1"))
        // `Oct 11 22:14:15` with no year: the year of collection (2023).
        #expect(e.timestamp?.description == "2023-10-11T22:14:15.000000Z")
    }

    @Test func timeKeysInOrderAndEpochByMagnitude() throws {
        let batch = try fixture()
        #expect(batch.row(3).timestamp?.description == "2019-07-10T13:13:25.000000Z")
        #expect(batch.row(3)[Field.eventTimezone] == .string("+02:00"))
        #expect(batch.row(3)["json.userIdentity.arn"] == .string("arn:aws:iam::123:user/alice"))
        #expect(batch.row(4).timestamp?.description == "2023-11-14T22:13:20.000000Z") // ms
    }

    @Test(arguments: [
        ("[1,2,3]", ParseError.Code.unrecognized),
        ("\"text\"", .unrecognized),
        ("{\"a\":", .truncated),
        ("{\"a\":1} trailing", .badField),
        ("not json", .badField),
        (String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100), .tooDeep),
    ])
    func nonObjectsAreRejected(line: String, code: ParseError.Code) {
        var p = JSONLinesParser(context: testContext)
        #expect { try parseOne(line, with: &p) } throws: { ($0 as? ParseError)?.code == code }
    }

    @Test func tooManyFieldsIsAnError() {
        let body = (0..<5_000).map { "\"k\($0)\":1" }.joined(separator: ",")
        var p = JSONLinesParser(context: testContext)
        #expect { try parseOne("{" + body + "}", with: &p) } throws: { ($0 as? ParseError)?.code == .badField }
    }

    @Test func invalidUTF8InStringsIsKept() throws {
        let bytes = Array(#"{"m":"a"#.utf8) + [0xFF] + Array(#"b"}"#.utf8)
        var p = JSONLinesParser(context: testContext)
        let e = try #require(try parseOne(bytes: bytes, with: &p))
        #expect(ByteText.decode(try #require(e["json.m"]?.stringValue)) == [0x61, 0xFF, 0x62])
    }

    @Test func byteOrderMarkBeforeTheFirstObjectIsSkipped() throws {
        var p = JSONLinesParser(context: testContext)
        let e = try #require(try parseOne(bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"a":"b"}"#.utf8), with: &p))
        #expect(e["json.a"] == .string("b"))
    }

    @Test func aColumnThatChangesKindWidens() {
        let lines = #"{"v":1}"# + "\n" + #"{"v":"x"}"# + "\n" + #"{"v":2.5}"# + "\n"
        let (batch, rejects) = Fixtures.parseLines(Array(lines.utf8), with: JSONLinesParser(context: testContext))
        #expect(rejects.isEmpty)
        #expect(batch.events.map { $0["json.v"] } == [.string("1"), .string("x"), .string("2.5")])
    }
}
