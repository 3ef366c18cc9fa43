import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Inputs no Windows tool writes: each gives an event, a directive or a typed reject.
@Suite struct WindowsHostileInputTests {
    static func parse(_ text: String) -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(Array(text.utf8), with: WindowsJSONParser(context: ParseContext(collectedAt: Timestamp(seconds: 0))))
    }

    static let system = ##""System":{"EventID":4624,"Channel":"Security","Computer":"H","TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}}"##

    @Test func missingSystemIsARejectNotACrash() {
        let r = Self.parse(##"{"Event":{"EventData":{"A":"1"}}}"##)
        #expect(r.batch.count == 0)
        #expect(r.rejects.first?.error.code == .badTimestamp)
    }

    @Test func eventDataAsArrayOfNamedItems() {
        let r = Self.parse(##"{"Event":{\##(Self.system),"EventData":[{"Name":"TargetUserName","#text":"bob"},{"#text":"x"}]}}"##)
        #expect(r.rejects.isEmpty)
        #expect(r.batch.value(row: 0, field: "winlog.event_data.TargetUserName") == .string("bob"))
        #expect(r.batch.value(row: 0, field: "winlog.event_data.param2") == .string("x"))
        #expect(r.batch.value(row: 0, field: "user.name") == .string("bob"))
    }

    @Test func unnamedDataItemsBecomeParams() {
        let r = Self.parse(##"{"Event":{\##(Self.system),"EventData":{"Data":{"#text":["a","b"]},"Binary":"00FF"}}}"##)
        #expect(r.batch.value(row: 0, field: "winlog.event_data.param1") == .string("a"))
        #expect(r.batch.value(row: 0, field: "winlog.event_data.param2") == .string("b"))
        #expect(r.batch.value(row: 0, field: "winlog.event_data.Binary") == .string("00FF"))
    }

    @Test func userDataPayloadChildren() {
        let doc = ##"{"Event":{"System":{"EventID":1102,"Channel":"Security","TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}},"UserData":{"LogFileCleared":{"#attributes":{"xmlns":"x"},"SubjectUserName":"eve","SubjectDomainName":"CORP"}}}}"##
        let r = Self.parse(doc)
        #expect(r.batch.value(row: 0, field: "winlog.user_data.SubjectUserName") == .string("eve"))
        #expect(r.batch.value(row: 0, field: "user.name") == .string("eve"))
        #expect(r.batch.value(row: 0, field: "event.action") == .string("audit-log-cleared"))
    }

    @Test(arguments: [
        ##"{"Event":{"System":{"EventID":"four","Channel":7,"TimeCreated":{"#attributes":{"SystemTime":12}}}}}"##,
        ##"{"Event":[1,2,3]}"##,
        ##"{"EventID":[],"Channel":{}}"##,
        ##"{"winlog":{"event_id":{"x":1},"channel":null}}"##,
        ##"{"Id":"x","LogName":"Security","Properties":"notalist","TimeCreated":{}}"##,
        "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"\u{FFFD}\"}}}",
        "not json at all",
        "}",
    ])
    func wrongTypesAreRejectedWithTypedErrors(line: String) {
        let r = Self.parse(line)
        #expect(r.batch.count == 0)
        #expect(r.rejects.count == 1)
    }

    @Test func invalidUTF8IsKept() {
        var bytes = Array(##"{"EventID":4688,"Channel":"Security","TimeCreated":"2024-01-01T00:00:00Z","CommandLine":"a"##.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(##"b","NewProcessName":"C:\\x.exe"}"##.utf8)
        let r = Fixtures.parseLines(bytes, with: WindowsJSONParser(context: ParseContext(collectedAt: Timestamp(seconds: 0))))
        #expect(r.rejects.isEmpty)
        #expect(r.batch.count == 1)
        #expect(r.batch.value(row: 0, field: "process.name") == .string("x.exe"))
    }

    @Test func hugeScriptBlockIsReassembled() {
        let chunk = String(repeating: "A", count: 200_000)
        var lines: [String] = []
        for n in 1...5 {
            lines.append(##"{"EventID":4104,"Channel":"Microsoft-Windows-PowerShell/Operational","SourceName":"Microsoft-Windows-PowerShell","TimeCreated":"2024-01-01T00:00:0\##(n)Z","MessageNumber":"\##(n)","MessageTotal":"5","ScriptBlockId":"id","ScriptBlockText":"\##(chunk)"}"##)
        }
        let r = Self.parse(lines.joined(separator: "\n"))
        #expect(r.rejects.isEmpty)
        if case .string(let s)? = r.batch.value(row: 4, field: "powershell.file.script_block_text") { #expect(s.utf8.count == 1_000_000) }
        else { Issue.record("not reassembled") }
    }

    @Test func assemblerBoundsPendingBlocks() {
        var a = ScriptBlockAssembler()
        for k in 0..<(ScriptBlockAssembler.maximumPendingBlocks + 50) {
            #expect(a.add(id: "b\(k)", number: 1, total: 2, text: "x") == nil)
        }
        #expect(a.pendingCount == ScriptBlockAssembler.maximumPendingBlocks)
        #expect(a.add(id: "b0", number: 2, total: 2, text: "y") == nil)        // evicted: part 1 forgotten
        #expect(a.add(id: "b299", number: 2, total: 2, text: "y") == "xy")
        #expect(a.add(id: "z", number: 3, total: 2, text: "y") == nil)         // number beyond total
    }

    @Test func tooManyDistinctNamesIsAReject() {
        var lines: [String] = []
        for k in 0..<(WindowsEventLimits.maximumDistinctNames / 400 + 1) {
            let items = (0..<400).map { ##""F\##(k)_\##($0)":"v""## }.joined(separator: ",")
            lines.append(##"{"EventID":1,"Channel":"X","TimeCreated":"2024-01-01T00:00:00Z",\##(items)}"##)
        }
        let r = Self.parse(lines.joined(separator: "\n"))
        #expect(r.rejects.count == 1)
        #expect(r.rejects.first?.error.code == .badField)
    }

    @Test func severalDocumentsOnOneLineAreRejectedAndTheNextLineReads() {
        let one = ##"{"EventID":1,"Channel":"X","TimeCreated":"2024-01-01T00:00:00Z"}"##
        let r = Self.parse("[\(one),\(one)]\n\(one)")
        #expect(r.rejects.count == 1)
        #expect(r.batch.count == 1)
    }

    @Test func prettyPrintedDocumentWithRecordHeaders() {
        let doc = "Record 1\n{\n  \"Event\": {\n    \(Self.system)\n  }\n}\nRecord 2\n{\n\"Event\": {\(Self.system)}}\n"
        let r = Self.parse(doc)
        #expect(r.rejects.isEmpty)
        #expect(r.batch.count == 2)
    }

    @Test func pythonEvtxWrapperIsUnwrapped() {
        let inner = JSONValue.quote(##"{"Event":{\##(Self.system)}}"##)
        let r = Self.parse(##"{"event_record_id":7,"timestamp":"2024-01-01 00:00:00.000000 UTC","data":\##(inner)}"##)
        #expect(r.rejects.isEmpty)
        #expect(r.batch.value(row: 0, field: "event.code") == .string("4624"))
    }

    @Test func zonelessFlatTimeUsesTheContextZone() throws {
        let zone = try #require(TimeZoneRule("+02:00"))
        let line = ##"{"EventID":4689,"Channel":"Security","Hostname":"H","TimeCreated":"2020-10-19 12:28:44.333"}"##
        let r = Fixtures.parseLines(Array(line.utf8), with: WindowsJSONParser(context: ParseContext(timeZone: zone, collectedAt: Timestamp(seconds: 0))))
        #expect(r.batch.value(row: 0, field: "event.timezone") == .string("+02:00"))
        #expect(r.batch.value(row: 0, field: "@timestamp") == .timestamp(Timestamp(seconds: 1_603_103_324, microseconds: 333_000)))
    }
}
