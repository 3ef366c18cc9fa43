import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

@Suite struct ZeekJSONParserTests {
    static func parse(_ text: String, name: String = "") -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(Array(text.utf8), with: ZeekJSONParser(context: zeekContext(name)))
    }

    /// The committed fixture pair: conn.json is conn.log as Zeek's JSON writer would put it
    /// (unset fields omitted, one `ts` in ISO 8601, a duration with double noise).
    @Test func jsonTwinGivesTheSameEventsAsTSV() throws {
        let tsv = Fixtures.parseLines(try Fixtures.bytes("zeek/conn.log"), with: ZeekTSVParser(context: zeekContext("conn.log")))
        let json = Fixtures.parseLines(try Fixtures.bytes("zeek/conn.json"), with: ZeekJSONParser(context: zeekContext("conn.json")))
        #expect(tsv.rejects.isEmpty && json.rejects.isEmpty)
        #expect(tsv.batch.count == 4)
        #expect(json.batch.count == tsv.batch.count)
        for r in 0..<min(tsv.batch.count, json.batch.count) {
            #expect(json.batch.row(r) == tsv.batch.row(r), "row \(r)")
        }
        // The interval written with double noise is kept at microseconds.
        #expect(json.batch.row(2)["zeek.duration"] == .double(0.00087))
        #expect(json.batch.row(2)[Field.eventDuration] == .int(870_000))
    }

    @Test(arguments: [
        // `_path` wins over the file name.
        (#"{"_path":"dns","ts":1.0,"uid":"C1","query":"a.example"}"#, "conn.log", "zeek.dns"),
        // Rotated file names name the log before their first dot.
        (#"{"ts":1.0,"uid":"C1","query":"a.example","qtype_name":"A"}"#, "dns.20240301.log.gz", "zeek.dns"),
        (#"{"ts":1.0,"uid":"C1","query":"a.example","qtype_name":"A"}"#, "dns.00:00:00-01:00:00.log", "zeek.dns"),
        // No path anywhere: the set of fields decides.
        (#"{"ts":1.0,"uid":"C1","query":"a.example","qtype_name":"A","rcode_name":"NOERROR"}"#, "capture.json", "zeek.dns"),
        // RITA's open-connection logs are conn logs under their own name.
        (#"{"ts":1.0,"uid":"C1","duration":1.5,"conn_state":"S1"}"#, "open_conn.log", "zeek.open_conn"),
    ])
    func logPath(line: String, name: String, dataset: String) {
        let r = Self.parse(line + "\n", name: name)
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)[Field.eventDataset] == .string(dataset))
    }

    @Test func openConnUsesTheConnMapping() {
        let r = Self.parse(#"{"ts":1.0,"uid":"C1","duration":1.5,"orig_bytes":10,"conn_state":"S1"}"# + "\n", name: "open_conn.log")
        #expect(r.batch.row(0)[Field.eventDuration] == .int(1_500_000_000))
        #expect(r.batch.row(0)[Field.sourceBytes] == .int(10))
    }

    @Test func severalLogsInOneStream() {
        let text = [
            #"{"_path":"conn","ts":1.0,"uid":"C1","id.orig_h":"192.0.2.1","duration":0.5,"service":"dns"}"#,
            #"{"_path":"dns","ts":2.0,"uid":"C1","id.orig_h":"192.0.2.1","query":"a.example","answers":["192.0.2.9"]}"#,
            #"{"_path":"conn","ts":3.0,"uid":"C2","id.orig_h":"192.0.2.2","duration":1.5}"#,
        ].joined(separator: "\n") + "\n"
        let r = Self.parse(text)
        #expect(r.rejects.isEmpty)
        #expect(r.batch.events.map { $0[Field.eventDataset] } == [.string("zeek.conn"), .string("zeek.dns"), .string("zeek.conn")])
        #expect(r.batch.row(0)[Field.networkProtocol] == .string("dns"))
        #expect(r.batch.row(1)[Field.networkProtocol] == .string("dns"))
        #expect(r.batch.row(1)[Field.dnsAnswersData] == .list(["192.0.2.9"]))
        #expect(r.batch.row(2)[Field.eventDuration] == .int(1_500_000_000))
        #expect(r.batch.row(2)[Field.networkProtocol] == nil)
    }

    @Test func nestedObjectsAreFlattenedToZeekNames() {
        let r = Self.parse(#"{"_path":"conn","ts":1.0,"id":{"orig_h":"192.0.2.1","orig_p":5353}}"# + "\n")
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)["zeek.id.orig_h"]?.description == "192.0.2.1")
        #expect(r.batch.row(0)[Field.sourcePort] == .int(5353))
    }

    @Test func zeekEscapesInJSONStrings() {
        // Zeek's JSON writer puts a 0x01 byte as the text \x01; a printable \x41 was text.
        let r = Self.parse(#"{"_path":"dpd","ts":1.0,"failure_reason":"got \\x01 not \\x41\nend","analyzer":"A\u00e9"}"# + "\n")
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)["zeek.failure_reason"] == .string("got \u{01} not \\x41\nend"))
        #expect(r.batch.row(0)["zeek.analyzer"] == .string("Aé"))
    }

    @Test func typesComeFromTheTableAndUnknownFieldsAreInferred() throws {
        let line = #"{"_path":"x509","ts":"2024-03-01T10:00:00.5Z","certificate.not_valid_before":1704067200.0,"san.ip":["192.0.2.1"],"certificate.key_length":2048,"extra_count":7,"extra_ratio":0.25,"extra_flag":true,"extra_list":[1,"a"],"extra_text":"x"}"#
        let r = Self.parse(line + "\n")
        #expect(r.rejects.isEmpty)
        let e = r.batch.row(0)
        #expect(e.timestamp == Timestamp(microseconds: 1_709_287_200_500_000))
        #expect(e[Field.x509NotBefore] == .timestamp(Timestamp(seconds: 1_704_067_200)))
        #expect(e["zeek.certificate.key_length"] == .int(2048))
        #expect(e["zeek.san.ip"] == .list(["192.0.2.1"]))
        #expect(e["zeek.extra_count"] == .int(7))
        #expect(e["zeek.extra_ratio"] == .double(0.25))
        #expect(e["zeek.extra_flag"] == .bool(true))
        #expect(e["zeek.extra_list"] == .list(["1", "a"]))
        #expect(e["zeek.extra_text"] == .string("x"))
        #expect(e["zeek._path"] == nil)
    }

    @Test func aValueOfAnotherTypeThanTheTableIsKeptNotRejected() {
        // Some Zeek versions and tools type fields differently (RITA's http `origin`).
        let r = Self.parse(#"{"_path":"http","ts":1.0,"status_code":"n/a","id.orig_h":"not-an-ip"}"# + "\n")
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)["zeek.status_code"] == .string("n/a"))
        #expect(r.batch.row(0)["zeek.id.orig_h"] == .string("not-an-ip"))
    }

    @Test(arguments: [
        ("[1,2]", ParseError.Code.unrecognized),
        ("{}", ParseError.Code.unrecognized),
        (#"{"ts":1.0,"uid":"C1""#, ParseError.Code.truncated),
        (#"{"ts":"yesterday","uid":"C1"}"#, ParseError.Code.badTimestamp),
        ("not json", ParseError.Code.badField),
    ])
    func badRecords(line: String, code: ParseError.Code) {
        let r = Self.parse(line + "\n")
        #expect(r.batch.count == 0)
        #expect(r.rejects.map(\.error.code) == [code])
    }

    @Test func invalidUTF8IsKeptAsBytes() {
        var bytes = Array(#"{"_path":"http","ts":1.0,"uri":"/a"#.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"}\n".utf8)
        let r = Fixtures.parseLines(bytes, with: ZeekJSONParser(context: zeekContext()))
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)[Field.urlOriginal] == .string(ByteText.string(Array("/a".utf8) + [0xFF, 0xFE])))
    }

    @Test func newBuilderResolvesColumnsAgain() throws {
        let bytes = try Fixtures.bytes("zeek/conn.json")
        let whole = Fixtures.parseLines(bytes, with: ZeekJSONParser(context: zeekContext("conn.json"))).batch
        var parser = ZeekJSONParser(context: zeekContext("conn.json"))
        for (i, line) in bytes.split(separator: Bytes.lf).enumerated() {
            var builder = EventBatchBuilder()
            _ = builder.column(Field.logFilePath, .string)
            builder.beginRow()
            #expect(try parser.parse(Array(line).span, into: &builder) == .event)
            builder.endRow()
            #expect(builder.finish().row(0) == whole.row(i))
        }
    }
}

@Suite struct ZeekSnifferTests {
    static func sample(_ text: String) -> SampleLines {
        SampleLines(prefix: Array(text.utf8), isComplete: true)
    }

    @Test func tsvIsRecognised() throws {
        let sample = SampleLines(prefix: try Fixtures.bytes("zeek/conn.log"), isComplete: true)
        #expect(LogFormat.zeekTSV.sniff(sample) == 100)
        #expect(LogFormat.zeekJSON.sniff(sample) == 0)
        #expect(LogFormat.recognise(sample)?.format.name == "zeek-tsv")
    }

    @Test func jsonIsRecognisedAboveGenericJSON() throws {
        let sample = SampleLines(prefix: try Fixtures.bytes("zeek/conn.json"), isComplete: true)
        #expect(LogFormat.zeekJSON.sniff(sample) == 100)
        #expect(LogFormat.zeekTSV.sniff(sample) == 0)
        #expect(LogFormat.recognise(sample)?.format.name == "zeek-json")
        // One odd line in five still scores above 90.
        let mixed = Self.sample(String(decoding: try Fixtures.bytes("zeek/conn.json"), as: UTF8.self) + #"{"other":1}"# + "\n")
        #expect(LogFormat.zeekJSON.sniff(mixed) >= 90)
    }

    @Test(arguments: [
        #"{"ts":1.0,"level":"info","msg":"hello"}"#,                 // generic JSON with a ts
        #"{"timestamp":"2024-03-01T10:00:00Z","event_type":"alert","flow_id":1,"src_ip":"192.0.2.1"}"#,  // Suricata EVE
        "1709287200.123456\tC1\t192.0.2.1",                          // Zeek TSV without its header
        "#fields\tts\tuid",                                          // a header that does not start the file
    ])
    func othersAreNotZeek(line: String) {
        let sample = Self.sample(line + "\n" + line + "\n")
        #expect(LogFormat.zeekJSON.sniff(sample) == 0)
        #expect(LogFormat.zeekTSV.sniff(sample) == 0)
    }
}
