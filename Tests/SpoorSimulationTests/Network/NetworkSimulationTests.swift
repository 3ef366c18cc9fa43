import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

/// Runs only the network family (activities and scenarios), as the simulator does.
enum NetSim {
    static func run(_ config: SimulationConfig, scenarios: Bool = true) -> (SimulationOutput, Organisation, [String: Timestamp]) {
        let org = Organisation.build(config)
        var output = SimulationOutput()
        var root = SplitMix64(seed: config.seed)
        var starts: [String: Timestamp] = [:]
        for client in org.clients {
            var clientRNG = root.split()
            for activity in NetworkActivity.all {
                var ctx = SimulationContext(config: config, client: client, output: output, rng: clientRNG.split())
                activity.run(&ctx)
                output = ctx.output
            }
            guard scenarios else { continue }
            for (n, entry) in NetworkScenarios.all.enumerated() {
                var rng = clientRNG.split()
                let span = config.window.end.microseconds - config.window.start.microseconds
                let start = Timestamp(microseconds: config.window.start.microseconds + span / 4 + Int64(rng.unit() * Double(span / 2)))
                var sc = ScenarioContext(simulation: SimulationContext(config: config, client: client, output: output, rng: rng),
                                         campaign: "\(entry.name)#\(client.id)-\(n + 1)", start: start)
                entry.run(&sc)
                output = sc.simulation.output
                starts[entry.name] = sc.start
            }
        }
        return (output, org, starts)
    }

    static func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simnet-\(UUID().uuidString)")
    }

    static func files(under dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let root = dir.standardizedFileURL.path
        guard let e = FileManager.default.enumerator(atPath: root) else { return out }
        for case let rel as String in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel))
            }
        }
        return out
    }

    /// Ingests `dir` and returns events keyed by (path relative to `dir`, record number).
    static func ingest(_ dir: URL) async throws -> (IngestReport, [String: [Int: Event]]) {
        let ledger = MemoryLedger()
        let report = try await Ingestor(options: IngestOptions()).run(paths: [dir.path], ledger: ledger)
        var byFile: [String: [Int: Event]] = [:]
        let root = dir.standardizedFileURL.path + "/"
        for e in await ledger.events {
            guard let path = e[Field.logFilePath]?.stringValue, let record = e[Field.spoorRecord]?.intValue else { continue }
            let rel = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
            byFile[rel, default: [:]][Int(record)] = e
        }
        return (report, byFile)
    }
}

@Suite(.serialized) struct NetworkSimulationTests {
    static let small = SimulationConfig(seed: 7, days: 2, hosts: 8)

    @Test func sameSeedGivesIdenticalFilesAndOtherSeedsDiffer() throws {
        var written: [[String: Data]] = []
        for seed in [UInt64(7), 7, 8] {
            var config = Self.small
            config.seed = seed
            let (output, _, _) = NetSim.run(config)
            let dir = NetSim.temporary()
            defer { try? FileManager.default.removeItem(at: dir) }
            let truth = try output.write(logs: dir)
            #expect(!truth.isEmpty)
            written.append(try NetSim.files(under: dir))
        }
        #expect(written[0].keys.sorted() == ["acme/web/access.log"] + ZeekLog.allCases.map { "acme/zeek/\($0.rawValue).log" }.sorted())
        #expect(written[0] == written[1])
        for name in written[0].keys { #expect(written[0][name] != written[2][name], "\(name) should differ with another seed") }
    }

    /// Every file is read by spoor's ingest with zero rejects and one event per record; the
    /// ground truth points at the scenarios' own records.
    @Test func ingestReadsEveryRecordAndGroundTruthPointsAtTheAttack() async throws {
        let (output, org, starts) = NetSim.run(Self.small)
        let dir = NetSim.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try output.write(logs: dir)
        let (report, events) = try await NetSim.ingest(dir)
        #expect(report.rejects == 0)
        #expect(report.errors == 0 && report.skipped == 0)
        for source in report.sources {
            let rel = String(source.path.dropFirst(dir.standardizedFileURL.path.count + 1))
            let expected = output.files[rel]?.count ?? -1
            #expect(source.events == expected, "\(rel): \(source.events) events, \(expected) records written")
            #expect(source.format == (rel.hasSuffix("access.log") ? "access-combined" : "zeek-tsv"))
        }
        #expect(report.events == output.recordCount)
        print("network family, 8 hosts × 2 days: " + output.fileNames.map { "\($0) \(output.files[$0]?.count ?? 0)" }.joined(separator: ", ")
              + "; attack records \(output.attackRecordCount) of \(output.recordCount)")

        let client = org.clients[0]
        func event(_ row: GroundTruthRow) throws -> Event { try #require(events[row.file]?[row.record], "no event at \(row.file)#\(row.record)") }
        let byCampaign = Dictionary(grouping: truth) { String($0.label.campaign.split(separator: "#")[0]) }
        #expect(Set(byCampaign.keys) == Set(NetworkScenarios.all.map(\.name)))

        // Beaconing: every labelled conn/ssl row goes to one C2 address, every labelled dns
        // row asks for the C2's name; and no benign record touches that address.
        let beacon = try #require(byCampaign["https-beaconing"])
        let c2 = try beacon.filter { $0.file.hasSuffix("ssl.log") }.map { try event($0)["zeek.id.resp_h"]?.ipValue }
        #expect(Set(c2).count == 1 && c2.first! != nil)
        let domain = try beacon.filter { $0.file.hasSuffix("ssl.log") }.compactMap { try event($0)["zeek.server_name"]?.stringValue }
        #expect(Set(domain).count == 1)
        for row in beacon where row.file.hasSuffix("dns.log") {
            #expect(try event(row)["zeek.query"]?.stringValue == domain.first)
        }
        for row in beacon where row.file.hasSuffix("conn.log") {
            let e = try event(row)
            let ok = e["zeek.id.resp_h"]?.ipValue == c2.first! || e["zeek.id.resp_p"]?.intValue == 53
            #expect(ok)
        }
        let c2Rows = (events["acme/zeek/conn.log"] ?? [:]).filter { $0.value["zeek.id.resp_h"]?.ipValue == c2.first! }.map(\.key)
        let labelledConn = Set(beacon.filter { $0.file.hasSuffix("conn.log") }.map(\.record))
        #expect(!c2Rows.isEmpty && c2Rows.allSatisfy { labelledConn.contains($0) })

        // DGA: NXDOMAIN for all but the last name, which resolves.
        let dga = try #require(byCampaign["dga"]).filter { $0.file.hasSuffix("dns.log") }
        let rcodes = try dga.map { try event($0)["zeek.rcode_name"]?.stringValue ?? "" }
        #expect(rcodes.filter { $0 == "NXDOMAIN" }.count >= rcodes.count - 2 && rcodes.contains("NOERROR"))

        // DNS tunnelling: long names under one domain, TXT or NULL.
        let tunnel = try #require(byCampaign["dns-tunnelling"]).filter { $0.file.hasSuffix("dns.log") }
        for row in tunnel {
            let e = try event(row)
            #expect((e["zeek.query"]?.stringValue?.count ?? 0) > 100)
            #expect(["TXT", "NULL"].contains(e["zeek.qtype_name"]?.stringValue ?? ""))
        }

        // Exfiltration: gigabytes from one workstation, all while its user is off work.
        let exfil = try #require(byCampaign["exfiltration-at-night"]).filter { $0.file.hasSuffix("conn.log") && $0.label.step == "upload" }
        var sent: Int64 = 0
        for row in exfil {
            let e = try event(row)
            let ws = try #require(client.hosts.first { $0.ip == e["zeek.id.orig_h"]?.ipValue })
            let user = try #require(ws.owner.flatMap { client.user($0) })
            let t = try #require(e[Field.timestamp]?.timestampValue)
            let end = Timestamp(microseconds: t.microseconds + (e[Field.eventDuration]?.intValue ?? 0) / 1000)
            #expect(!client.isWorking(user, at: t) && !client.isWorking(user, at: end))
            sent += e["zeek.orig_bytes"]?.intValue ?? 0
        }
        #expect(sent > 1_000_000_000)
        #expect(starts["exfiltration-at-night"] != nil)

        // SQL injection: access-log lines from one address, all against the site's pages,
        // most carrying a payload.
        let sqli = try #require(byCampaign["web-sqli-scan"]).filter { $0.file.hasSuffix("access.log") }
        let sources = try Set(sqli.map { try event($0)[Field.sourceIP]?.ipValue })
        #expect(sources.count == 1)
        let payloads = try sqli.filter { (try event($0)[Field.urlOriginal]?.stringValue ?? "").contains("%") }.count
        #expect(payloads * 10 >= sqli.count * 8)
    }

    @Test func beaconIntervalsHaveThePeriodAndJitter() throws {
        let (output, _, _) = NetSim.run(SimulationConfig(seed: 11, days: 3, hosts: 8))
        let rows = try #require(output.files["acme/zeek/ssl.log"]).filter { $0.label?.step == "beacon" }.map(\.time).sorted()
        #expect(rows.count > 100)
        let gaps = zip(rows.dropFirst(), rows).map { Double($0.microseconds - $1.microseconds) / 1e6 }
        let plan = Beaconing.Plan.standard
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count - 1)).squareRoot()
        print("beacon: \(gaps.count) intervals, mean \(mean) s, sd \(sd) s, min \(gaps.min()!) max \(gaps.max()!)")
        #expect(abs(mean - plan.period) < plan.period * 0.03)
        // Uniform jitter of ±20 % has a standard deviation of 0.2 × 600 / √3 ≈ 69 s.
        let expectedSD = plan.jitter * plan.period / 3.0.squareRoot()
        #expect(abs(sd - expectedSD) < expectedSD * 0.25)
        #expect(gaps.allSatisfy { $0 > plan.period * (1 - plan.jitter) - 1 && $0 < plan.period * (1 + plan.jitter) + 1 })
    }

    @Test func attacksAreASmallShareAndBenignHardNegativesExist() throws {
        let (output, _, _) = NetSim.run(SimulationConfig(seed: 3, days: 7, hosts: 24))
        let conn = try #require(output.files["acme/zeek/conn.log"])
        let dns = try #require(output.files["acme/zeek/dns.log"])
        print("network family at the default size (24 hosts × 7 days): " + output.fileNames.map { "\($0) \(output.files[$0]?.count ?? 0)" }.joined(separator: ", ")
              + "; total \(output.recordCount), attack \(output.attackRecordCount) (\(Double(output.attackRecordCount) * 100 / Double(output.recordCount)) %)")
        #expect(Double(output.attackRecordCount) / Double(output.recordCount) < 0.01)
        #expect(output.recordCount > 150_000 && output.recordCount < 700_000)
        // Backups: benign multi-gigabyte flows at night.
        let big = conn.filter { $0.label == nil && ($0.line.split(separator: "\t")[9]).count >= 10 }
        #expect(big.count >= 7)
        // The monitoring poll: exactly 60 s apart.
        let polls = conn.filter { $0.line.contains("\t8080\ttcp\thttp\t") }.map(\.time).sorted()
        let pollGaps = Set(zip(polls.dropFirst(), polls).map { ($0.microseconds - $1.microseconds + 5_000) / 10_000 })
        #expect(polls.count > 10_000 && pollGaps == [6_000])
        // Benign NXDOMAIN and long hex names.
        #expect(dns.filter { $0.label == nil && $0.line.contains("\tNXDOMAIN\t") }.count > 100)
        #expect(dns.filter { $0.label == nil && $0.line.contains(".p.sophosxl.net\t") }.count > 100)
    }
}
