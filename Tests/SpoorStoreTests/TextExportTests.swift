import Foundation
import SpoorCore
import SpoorEvents
import SpoorStore
import Testing

/// Writes with `body` into a temporary file and returns the file's bytes.
func exportBytes(_ body: (FileHandle) throws -> Void) throws -> [UInt8] {
    let url = URL(fileURLWithPath: SampleBatches.temporaryDirectory() + ".out")
    #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
    let handle = try FileHandle(forWritingTo: url)
    try body(handle)
    try handle.close()
    defer { try? FileManager.default.removeItem(at: url) }
    return [UInt8](try Data(contentsOf: url))
}

@Suite struct CSVWriterTests {
    @Test func neutralisesFormulasQuotesAndKeepsNullsApart() throws {
        var b = EventBatchBuilder()
        let text = b.column("cell", .string)
        let number = b.column("n", .int)
        let when = b.column(Field.timestamp, .timestamp)
        let list = b.column("tags", .stringList)
        let cells = ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tlead", "\rlead", "plain", "a,b", "say \"hi\"", "two\nlines", "", "a=b"]
        for (i, cell) in cells.enumerated() {
            b.beginRow()
            b.set(text, string: cell)
            b.set(number, int: Int64(-i))
            if i == 0 { b.set(when, timestamp: Timestamp(microseconds: 1_700_000_000_000_001)) }
            if i == 1 { b.beginList(list); b.appendToList(list, text: "x"); b.appendToList(list, text: "=y") }
            b.endRow()
        }
        b.beginRow(); b.endRow() // all null
        let csv = String(decoding: try exportBytes { try CSVWriter().write(b.finish(), to: $0) }, as: UTF8.self)
        let expected = [
            "cell,n,@timestamp,tags", // spoor's own @timestamp header is not an attacker's formula
            "'=SUM(A1),0,2023-11-14T22:13:20.000001Z,",
            "'+1,-1,,\"[\"\"x\"\",\"\"=y\"\"]\"",
            "'-2+3,-2,,",
            "'@cmd,-3,,",
            "'\tlead,-4,,",
            "\"'\rlead\",-5,,",
            "plain,-6,,",
            "\"a,b\",-7,,",
            "\"say \"\"hi\"\"\",-8,,",
            "\"two\nlines\",-9,,",
            "\"\",-10,,",
            "a=b,-11,,",
            ",,,",
            "",
        ].joined(separator: "\r\n")
        #expect(csv == expected)
    }

    @Test func headersAreNeutralisedToo() throws {
        var b = EventBatchBuilder()
        let h = b.column("=HYPERLINK(\"x\")", .int)
        b.beginRow(); b.set(h, int: 1); b.endRow()
        let csv = String(decoding: try exportBytes { try CSVWriter().write(b.finish(), to: $0) }, as: UTF8.self)
        #expect(csv == "\"'=HYPERLINK(\"\"x\"\")\"\r\n1\r\n")
    }

    @Test func invalidBytesBecomeByteTextAndTheFileIsUTF8() throws {
        let batch = SampleBatches.allKinds()
        let bytes = try exportBytes { try CSVWriter().write(batch, to: $0) }
        let text = try #require(String(validating: bytes, as: UTF8.self))
        #expect(!bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(text.hasPrefix("@timestamp,event.timezone,log.file.path,log.offset,spoor.record,spoor.parser,organization.id,"))
        #expect(text.contains("\"'=cmd|' /C calc'!A0\"") == false) // no comma or quote: not quoted…
        #expect(text.contains(",'=cmd|' /C calc'!A0")) // …but neutralised
        #expect(text.contains(ByteText.string(SampleBatches.invalidBytes)))
        #expect(text.contains(",1.5,true,"))
        #expect(text.contains("1969-12-31T23:59:58.765433Z"))
    }
}

@Suite struct JSONLinesWriterTests {
    @Test func escapesControlCharactersAndKeepsKinds() throws {
        let batch = SampleBatches.allKinds()
        let bytes = try exportBytes { try JSONLinesWriter().write(batch, to: $0) }
        // Only the line ends are raw control bytes.
        #expect(bytes.filter { $0 < 0x20 || $0 == 0x7F }.allSatisfy { $0 == 0x0A })
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.count == batch.count + 1 && lines.last?.isEmpty == true)
        let text = String(decoding: lines[1], as: UTF8.self)
        #expect(text.contains(#""message":"tab\there \"quoted\" back\\slash nl\n cr\r bell\u0007 del\u007f pua"#))
        let objects = try lines.dropLast().map { try #require(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        #expect(objects[0]["@timestamp"] as? String == "2023-11-14T22:13:20.123456Z")
        #expect(objects[0]["source.port"] as? Int == 22)
        #expect(objects[0]["zeek.duration"] as? Double == 1.5)
        #expect(objects[0]["tls.established"] as? Bool == true)
        #expect(objects[0]["destination.ip"] as? String == "2001:db8::1")
        #expect(objects[0]["related.ip"] as? [String] == ["10.0.0.1", ByteText.string(SampleBatches.invalidBytes)])
        // U+EF80 in the input is itself escaped (the policy keeps decoding reversible).
        let message = try #require(objects[1]["message"] as? String)
        #expect(ByteText.decode(message) == Array(SampleBatches.awkwardText.utf8))
        #expect(objects[1]["zeek.duration"] as? String == "Infinity")
        #expect(objects[1]["related.ip"] as? [String] == [])
        #expect(objects[1]["source.ip"] == nil) // nulls are left out
        #expect(objects[2]["message"] as? String == "")
        #expect(objects[2]["source.port"] as? Int64 == Int64.max)
        let org = try #require(objects[2]["organization.id"] as? String)
        #expect(ByteText.decode(org) == SampleBatches.invalidBytes)
    }
}
