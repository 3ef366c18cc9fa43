import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// The four JSON forms of the same five events (a 4624, a Sysmon 1, three 4104 parts out of
/// order) in `Fixtures/windows/`, written as each tool writes them.
@Suite struct WindowsJSONFormsTests {
    static let forms = ["windows/evtx.json", "windows/flat.jsonl", "windows/winlogbeat.jsonl", "windows/getwinevent.json"]

    static func parse(_ fixture: String) throws -> (batch: EventBatch, rejects: Int) {
        let parser = WindowsJSONParser(context: ParseContext(collectedAt: Timestamp(seconds: 0)))
        let r = Fixtures.parseLines(try Fixtures.bytes(fixture), with: parser)
        return (r.batch, r.rejects.count)
    }

    @Test(arguments: forms)
    func everyFormGivesFiveEvents(fixture: String) throws {
        let (batch, rejects) = try Self.parse(fixture)
        #expect(rejects == 0)
        #expect(batch.count == 5)
    }

    /// Fields every form carries. `@timestamp` is compared to the millisecond (OTRF,
    /// Winlogbeat and `/Date(ms)/` keep milliseconds; EVTX keeps 100 ns ticks).
    static let comparedFields = [
        "winlog.channel", "winlog.event_id", "event.code", "winlog.provider_name", "winlog.computer_name", "event.module",
        "log.level", "event.action", "event.category", "event.type", "event.outcome", "user.name", "user.domain", "user.id",
        "winlog.logon.id", "winlog.logon.type", "source.ip", "source.port", "source.domain", "process.pid", "process.executable",
        "process.name", "process.entity_id", "process.command_line", "process.parent.entity_id", "process.parent.pid",
        "process.parent.executable", "process.hash.sha256", "process.hash.md5", "process.hash.sha1", "process.pe.imphash",
        "related.hash", "related.user", "related.ip", "powershell.file.script_block_id", "powershell.sequence",
        "powershell.total", "powershell.file.script_block_text", "file.path",
    ]

    @Test(arguments: forms.dropFirst())
    func formGivesTheSameEventsAsEVTX(fixture: String) throws {
        let (reference, _) = try Self.parse("windows/evtx.json")
        let (batch, _) = try Self.parse(fixture)
        try #require(batch.count == reference.count)
        var compared = 0
        for row in 0..<reference.count {
            for field in Self.comparedFields + reference.fieldNames.filter({ $0.hasPrefix("winlog.event_data.") }) {
                let want = reference.value(row: row, field: field)
                #expect(batch.value(row: row, field: field) == want, "\(fixture) row \(row) \(field)")
                if want != nil { compared += 1 }
            }
            guard case .timestamp(let a)? = reference.value(row: row, field: "@timestamp"),
                  case .timestamp(let b)? = batch.value(row: row, field: "@timestamp") else {
                Issue.record("no @timestamp in row \(row)"); continue
            }
            #expect(a.microseconds / 1000 == b.microseconds / 1000)
        }
        #expect(compared > 150)
    }

    @Test func getWinEventNamesPositionalPropertiesAndNormalisesTypes() throws {
        let (batch, _) = try Self.parse("windows/getwinevent.json")
        #expect(batch.value(row: 0, field: "winlog.event_data.SubjectLogonId") == .string("0x3e7"))
        #expect(batch.value(row: 0, field: "winlog.event_data.SubjectUserSid") == .string("S-1-5-18"))
        #expect(batch.value(row: 0, field: "winlog.keywords") == .string("0x8020000000000000"))
        #expect(batch.value(row: 1, field: "winlog.event_data.ProcessId") == .string("4242"))
        #expect(batch.value(row: 1, field: "winlog.user.identifier") == .string("S-1-5-18"))
        #expect(batch.value(row: 0, field: "@timestamp") == .timestamp(Timestamp(seconds: 1_709_633_640, microseconds: 500_000)))
    }

    @Test func logonSemantics() throws {
        let (b, _) = try Self.parse("windows/evtx.json")
        #expect(b.value(row: 0, field: "event.category") == .list(["authentication"]))
        #expect(b.value(row: 0, field: "event.type") == .list(["start"]))
        #expect(b.value(row: 0, field: "event.outcome") == .string("success"))
        #expect(b.value(row: 0, field: "user.name") == .string("alice"))
        #expect(b.value(row: 0, field: "user.domain") == .string("CORP"))
        #expect(b.value(row: 0, field: "winlog.logon.type") == .string("RemoteInteractive"))
        #expect(b.value(row: 0, field: "winlog.logon.id") == .string("0x5a1b2c"))
        #expect(b.value(row: 0, field: "winlog.event_data.LogonType") == .string("10"))
        let address = Array("10.1.2.3".utf8)
        let parsed = IPAddress.parse(address.span)
        let ip = try #require(parsed)
        #expect(b.value(row: 0, field: "source.ip") == .ip(ip))
        #expect(b.value(row: 0, field: "source.port") == .int(51234))
        #expect(b.value(row: 0, field: "process.pid") == .int(0x2a8))
        #expect(b.value(row: 0, field: "host.name") == .string("WS01.corp.example"))
    }

    @Test func sysmonProcessCreation() throws {
        let (b, _) = try Self.parse("windows/evtx.json")
        #expect(b.value(row: 1, field: "process.entity_id") == .string("6F1C2A3B-1111-2222-3333-444455556666"))
        #expect(b.value(row: 1, field: "process.parent.entity_id") == .string("6F1C2A3B-1111-2222-3333-444455550000"))
        #expect(b.value(row: 1, field: "process.name") == .string("whoami.exe"))
        #expect(b.value(row: 1, field: "process.parent.name") == .string("cmd.exe"))
        #expect(b.value(row: 1, field: "process.hash.md5") == .string("0123456789abcdef0123456789abcdef"))
        #expect(b.value(row: 1, field: "process.pe.imphash") == .string("fedcba9876543210fedcba9876543210"))
        if case .list(let hashes)? = b.value(row: 1, field: "related.hash") { #expect(hashes.count == 4) }
        else { Issue.record("no related.hash") }
        #expect(b.value(row: 1, field: "user.name") == .string("alice"))
        #expect(b.value(row: 1, field: "user.domain") == .string("CORP"))
        #expect(b.value(row: 1, field: "event.action") == .string("process-created"))
    }

    /// Parts arrive 1, 3, 2: the text is complete on the third record (part 2), in order.
    @Test func scriptBlockReassembly() throws {
        let (b, _) = try Self.parse("windows/evtx.json")
        #expect(b.value(row: 2, field: "powershell.file.script_block_text") == nil)
        #expect(b.value(row: 3, field: "powershell.file.script_block_text") == nil)
        #expect(b.value(row: 4, field: "powershell.file.script_block_text")
                == .string("Write-Output 'part one';\nWrite-Output \"part two\";\r\nWrite-Output 'part three'"))
        #expect(b.value(row: 3, field: "winlog.event_data.ScriptBlockText") == .string("Write-Output 'part three'"))
    }

    @Test(arguments: zip(forms, ["windows-evtx-json", "windows-flat-json", "winlogbeat-json", "windows-getwinevent-json"]))
    func sniffersPickTheirForm(fixture: String, name: String) throws {
        let sample = SampleLines(prefix: try Fixtures.bytes(fixture), isComplete: true)
        let best = LogFormat.recognise(sample)
        #expect(best?.format.name == name)
        #expect(LogFormat.jsonLines.sniff(sample) < (best?.score ?? 0))
    }
}
