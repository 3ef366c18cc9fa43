import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Every CSV/TSV export in msticpy's test data (Azure Sentinel tables: Windows process and
/// logon events, Linux syslog and auditd, network flows; MDE process events with multi-line
/// command lines) parses with no reject.
@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/data (msticpy test data)"))
struct MsticpyCSVConformanceTests {
    static let folder = "msticpy-testdata/tests/testdata"

    /// Records per file as Python's `csv.reader` counts them (blank lines dropped), measured
    /// once with CPython 3.11; a cross-check that framing neither splits nor merges records.
    static let expectedRecords: [String: Int] = [
        "az_net_flows.csv": 460, "host_logons.csv": 14, "ip_locs.csv": 85, "linux_events.csv": 100,
        "mde_proc_cs1.csv": 1564, "processes_on_host.csv": 363, "sudo_data.csv": 22, "sudo_events.csv": 4,
        "sudo_session_test.csv": 78, "syslog_data.csv": 100, "time_series.csv": 840, "winproctree-minimal.csv": 116,
    ]

    static func exports() -> [URL] {
        guard let root = SharedData.url(folder),
              let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in walker where ["csv", "tsv"].contains(url.pathExtension.lowercased()) { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }

    @Test func everyExportParsesWithoutRejects() throws {
        let files = Self.exports()
        #expect(files.count >= 12)
        var total = 0
        for url in files {
            let bytes = Array(try Data(contentsOf: url))
            let delimiter = url.pathExtension.lowercased() == "tsv" ? Bytes.tab : UInt8(ascii: ",")
            let (batch, rejects, directives) = parseRecords(bytes, framer: QuotedLineFramer(delimiter: delimiter),
                                                            with: DelimitedTextParser(delimiter: delimiter, context: testContext))
            let name = url.lastPathComponent
            #expect(rejects.isEmpty, "\(name): \(rejects.prefix(3).map { "record \($0.record): \($0.error)" })")
            #expect(directives == 1, "\(name)")
            if let expected = Self.expectedRecords[name] { #expect(batch.count == expected, "\(name)") }
            total += batch.count
        }
        #expect(total == Self.expectedRecords.values.reduce(0, +))
    }

    /// The multi-line cell of the MDE export is one record, with its line breaks.
    @Test func multiLineCellsStayWhole() throws {
        let url = try #require(SharedData.url(Self.folder + "/mde_proc_cs1.csv"))
        let bytes = Array(try Data(contentsOf: url))
        let (batch, _, _) = parseRecords(bytes, framer: QuotedLineFramer(),
                                         with: DelimitedTextParser(delimiter: UInt8(ascii: ","), context: testContext))
        var multiLine = 0
        for c in batch.columns where c.kind == .string {
            for r in 0..<batch.count where c.isValid(r) {
                if batch.symbols.bytes(c.symbols[r]).contains(Bytes.lf) { multiLine += 1 }
            }
        }
        #expect(multiLine >= 1)
    }

    /// Tables with a time column get `@timestamp` on every row.
    @Test(arguments: ["host_logons.csv", "processes_on_host.csv", "az_net_flows.csv", "syslog_data.csv",
                      "sudo_data.csv", "time_series.csv", "linux_events.csv", "winproctree-minimal.csv"])
    func timeColumnsArePromoted(file: String) throws {
        let url = try #require(SharedData.url(Self.folder + "/" + file))
        let bytes = Array(try Data(contentsOf: url))
        let (batch, _, _) = parseRecords(bytes, framer: QuotedLineFramer(),
                                         with: DelimitedTextParser(delimiter: UInt8(ascii: ","), context: testContext))
        let col = try #require(batch.column(Field.timestamp))
        let stamped = (0..<batch.count).filter { col.isValid($0) }.count
        #expect(stamped == batch.count, "\(file): \(stamped)/\(batch.count)")
    }

    /// Address columns come out typed.
    @Test func addressesAreTyped() throws {
        let url = try #require(SharedData.url(Self.folder + "/az_net_flows.csv"))
        let (batch, _, _) = parseRecords(Array(try Data(contentsOf: url)), framer: QuotedLineFramer(),
                                         with: DelimitedTextParser(delimiter: UInt8(ascii: ","), context: testContext))
        #expect(batch.column("csv.VMIPAddress")?.kind == .ip)
        #expect(batch.value(row: 0, field: "csv.VMIPAddress") == .ip(IPAddress("10.0.3.5")!))
    }
}
