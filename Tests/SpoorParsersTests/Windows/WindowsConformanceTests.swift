import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// The Windows JSON parsers against real public data in `../shared/data` (skipped when absent).
@Suite(.serialized) struct WindowsConformanceTests {
    static func parse(_ bytes: [UInt8]) -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(bytes, with: WindowsJSONParser(context: ParseContext(collectedAt: Timestamp(seconds: 0))))
    }

    static func files(under relative: String, suffix: String) -> [URL] {
        guard let root = SharedData.url(relative),
              let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.path.hasSuffix(suffix) }.sorted { $0.path < $1.path }
    }

    /// Every SigmaHQ regression JSON (pretty-printed evtx_dump documents, several per file)
    /// parses with zero rejects, one event per `"Event"` document, each with a time, channel
    /// and event id.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func sigmaRegressionJSONParsesWithoutRejects() throws {
        let files = Self.files(under: "sigma/regression_data", suffix: ".json")
        try #require(files.count > 50)
        var events = 0
        for url in files {
            let bytes = try [UInt8](Data(contentsOf: url))
            let documents = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\"Event\": {").count - 1
            let (batch, rejects) = Self.parse(bytes)
            #expect(rejects.isEmpty, "\(url.lastPathComponent): \(rejects.first.map { "\($0.error)" } ?? "")")
            #expect(batch.count == documents, "\(url.lastPathComponent)")
            for r in 0..<batch.count {
                #expect(batch.value(row: r, field: "@timestamp") != nil)
                #expect(batch.value(row: r, field: "winlog.channel") != nil)
                #expect(batch.value(row: r, field: "event.code") != nil)
            }
            events += batch.count
        }
        #expect(events >= 116)   // 116 documents in 94 files at the time of writing
    }

    /// Sysmon 1 in the regression data: hashes and parent, checked by hand in
    /// `rules-emerging-threats/2025/Malware/Shai-Hulud/…/5299fadf-….json` (first document).
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func sigmaSysmonProcessCreationSpotCheck() throws {
        let url = try #require(Self.files(under: "sigma/regression_data", suffix: "5299fadf-f228-4526-8274-251db1960be9.json").first)
        let (b, rejects) = Self.parse(try [UInt8](Data(contentsOf: url)))
        #expect(rejects.isEmpty)
        #expect(b.value(row: 0, field: "process.entity_id") == .string("0197231E-5645-6929-C410-000000000D00"))
        #expect(b.value(row: 0, field: "process.pid") == .int(8752))
        #expect(b.value(row: 0, field: "process.parent.pid") == .int(8056))
        #expect(b.value(row: 0, field: "process.parent.executable") == .string("C:\\Program Files\\nodejs\\node.exe"))
        #expect(b.value(row: 0, field: "process.hash.sha256") == .string("9efdaaad31a2efce37258daba04906691c0da76b82e2b0fb36003727de4f91f7"))
        #expect(b.value(row: 0, field: "process.pe.imphash") == .string("4e4bd045d7aa40bf798f4d85f28d0a0f"))
        #expect(b.value(row: 0, field: "user.name") == .string("xodih"))
        #expect(b.value(row: 0, field: "user.domain") == .string("swachchhanda"))
        #expect(b.value(row: 0, field: "@timestamp") == .timestamp(Timestamp(seconds: 1_764_316_741, microseconds: 340_553)))
    }


    static let otrfArchives = [
        "otrf-security-datasets/datasets/atomic/windows/credential_access/host/cmd_sam_copy_esentutl.zip",
        "otrf-security-datasets/datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump.zip",
        "otrf-security-datasets/datasets/compound/LSASS_campaign_02/metasploit_procdump_lsass_memory_dump.zip",
    ]

    /// The OTRF atomic Windows dataset and the Windows JSON of both LSASS campaigns: zero
    /// rejects, one event per line, recognised as the flat form.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"), arguments: otrfArchives)
    func otrfDatasetParsesWithoutRejects(archive: String) throws {
        guard let files = try SharedData.unzipJSON(archive) else { return }
        try #require(files.count == 1)
        defer { try? FileManager.default.removeItem(at: files[0].deletingLastPathComponent()) }
        let bytes = try [UInt8](Data(contentsOf: files[0]))
        let lines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let sample = SampleLines(prefix: Array(bytes.prefix(256 << 10)), isComplete: false)
        #expect(LogFormat.recognise(sample)?.format.name == "windows-flat-json")
        let (batch, rejects) = Self.parse(bytes)
        #expect(rejects.isEmpty, "\(rejects.first.map { "line \($0.line): \($0.error)" } ?? "")")
        #expect(batch.count == lines)
        if archive.contains("LSASS_campaign_01") { try spotCheckCampaign01(batch) }
    }

    /// Values checked by hand in `metasploit_logonpasswords_lsass_memory_dump.json`.
    func spotCheckCampaign01(_ b: EventBatch) throws {
        // Line 760: 4624, logon type 11 from ::1 port 0 (a local placeholder: no source.ip).
        let logon = 759
        #expect(b.value(row: logon, field: "event.code") == .string("4624"))
        #expect(b.value(row: logon, field: "winlog.logon.type") == .string("CachedInteractive"))
        #expect(b.value(row: logon, field: "winlog.event_data.LogonType") == .string("11"))
        #expect(b.value(row: logon, field: "winlog.logon.id") == .string("0xc10d0f"))
        #expect(b.value(row: logon, field: "user.name") == .string("pedro.gustavo"))
        #expect(b.value(row: logon, field: "user.domain") == .string("PANDALAB"))
        #expect(b.value(row: logon, field: "winlog.event_data.IpAddress") == .string("::1"))
        #expect(b.value(row: logon, field: "source.ip") == nil)
        #expect(b.value(row: logon, field: "source.port") == nil)
        #expect(b.value(row: logon, field: "process.executable") == .string("C:\\Windows\\System32\\consent.exe"))
        #expect(b.value(row: logon, field: "process.pid") == .int(0xe58))
        // Line 2475: Sysmon 1, msedge.exe started by explorer.exe (pid 4544).
        let proc = 2474
        #expect(b.value(row: proc, field: "event.code") == .string("1"))
        #expect(b.value(row: proc, field: "process.entity_id") == .string("81056205-565C-64DC-2304-000000000800"))
        #expect(b.value(row: proc, field: "process.parent.entity_id") == .string("81056205-D124-64D4-6A00-000000000800"))
        #expect(b.value(row: proc, field: "process.parent.pid") == .int(4544))
        #expect(b.value(row: proc, field: "process.parent.name") == .string("explorer.exe"))
        #expect(b.value(row: proc, field: "process.hash.sha256") == .string("73d84d249f16b943d1d3f9dd9e516fadd323e70939c29b4a640693eb8818ee9a"))
        // Lines 50680–50682: script block 81e5b990-… in 3 parts, complete on the third.
        #expect(b.value(row: 50679, field: "powershell.file.script_block_text") == nil)
        #expect(b.value(row: 50680, field: "powershell.file.script_block_text") == nil)
        guard case .string(let whole)? = b.value(row: 50681, field: "powershell.file.script_block_text") else {
            Issue.record("script block not reassembled"); return
        }
        #expect(whole.unicodeScalars.count == 45016)
        #expect(whole.hasPrefix("\n#requires -version 3.0\n"))
        #expect(whole.hasSuffix("on 'Set-NetAdapter' -Alias '*'\n        \n"))
        #expect(b.value(row: 50681, field: "powershell.total") == .int(3))
    }
}
