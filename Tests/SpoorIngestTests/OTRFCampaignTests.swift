import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorIngest
import SpoorTesting

/// The two OTRF LSASS campaigns read as a whole: the Windows JSON, the Zeek logs and the pcap
/// (skipped with its reason), straight from their zip archives.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct OTRFCampaignTests {
    /// Each campaign: its archives' stem, the Zeek logs in its archive, whether a pcap is shipped.
    static let campaigns: [(folder: String, stem: String, zeekLogs: [String], pcap: Bool)] = [
        ("LSASS_campaign_01", "metasploit_logonpasswords_lsass_memory_dump",
         ["analyzer", "conn", "dns", "files", "http", "kerberos", "packet_filter", "pe", "smb_mapping", "ssl", "weird", "x509"], true),
        ("LSASS_campaign_02", "metasploit_procdump_lsass_memory_dump",
         ["conn", "dns", "files", "http", "packet_filter", "weird"], false),
    ]

    @Test(arguments: campaigns.map(\.folder))
    func aCampaignIngestsWithoutRejectsAndItsPcapIsSkipped(folder: String) async throws {
        let c = try #require(Self.campaigns.first { $0.folder == folder })
        let base = "otrf-security-datasets/datasets/compound/\(c.folder)/\(c.stem)"
        let paths = try (["", "_zeek_logs"] + (c.pcap ? ["_pcapng"] : [])).map { try #require(SharedData.url(base + $0 + ".zip")).path }
        let ledger = MemoryLedger()
        let report = try await Ingestor(options: IngestOptions(organization: "otrf")).run(paths: paths, ledger: ledger)
        #expect(report.rejects == 0, "\(report.sources.filter { $0.rejects > 0 }.map { "\($0.path): \($0.rejects)" })")
        let zeek = report.sources.filter { $0.format?.hasPrefix("zeek") == true }
        let windows = report.sources.filter { $0.format == "windows-flat-json" }
        let pcap = report.sources.filter { $0.path.hasSuffix(".pcapng") }
        #expect(windows.count == 1 && windows[0].events > 40_000)
        #expect(zeek.count == c.zeekLogs.count, "\(report.sources.map { "\($0.path): \($0.format ?? "-")" })")
        #expect(zeek.allSatisfy { $0.events > 0 && $0.rejects == 0 })
        if c.pcap { #expect(pcap.count == 1 && pcap[0].skipped != nil && pcap[0].events == 0) }
        let events = await ledger.events
        let datasets = Set(events.compactMap { $0[Field.eventDataset]?.description })
        for log in c.zeekLogs {
            #expect(datasets.contains("zeek." + log), "zeek.\(log) missing from \(datasets.sorted())")
        }
        print("\(c.folder): \(report.records) records, \(report.events) events (\(windows.first?.events ?? 0) Windows, \(zeek.map(\.events).reduce(0, +)) Zeek in \(zeek.count) logs), 0 rejects, pcap skipped: \(pcap.first?.skipped ?? "-")")
    }
}
