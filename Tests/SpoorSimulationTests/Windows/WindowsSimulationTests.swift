import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

/// The Windows family of the simulation: evtx_dump-shaped JSON through spoor's ingest.
@Suite struct WindowsSimulationTests {
    static let config = SimulationConfig(seed: 7, days: 2, hosts: 8, scenarios: WindowsScenarios.all.map(\.name))

    static func windowsOnly(_ r: SimulationResult) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in r.output.fileNames where name.contains("/windows/") {
            out[name] = r.output.files[name]?.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }.map(\.line)
        }
        return out
    }

    @Test func sameSeedSameRecordsDifferentSeedDiffers() {
        let a = Self.windowsOnly(Simulator.run(Self.config))
        let b = Self.windowsOnly(Simulator.run(Self.config))
        var other = Self.config
        other.seed = 8
        let c = Self.windowsOnly(Simulator.run(other))
        #expect(!a.isEmpty && a == b)
        #expect(a != c)
    }

    static func write(_ r: SimulationResult) throws -> (URL, [GroundTruthRow]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simwin-\(UUID().uuidString)")
        let truth = try r.write(to: dir)
        return (dir, truth)
    }

    /// Every Windows file ingests with zero rejects and one event per record; every ground-truth
    /// row's event has an event id its scenario writes; record ids increase per host and channel.
    @Test func windowsFilesIngestAndGroundTruthPointsAtTheAttackEvents() async throws {
        let r = Simulator.run(Self.config)
        let (dir, truth) = try Self.write(r)
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        var expected = 0
        var paths: [String] = []
        for name in r.output.fileNames where name.contains("/windows/") {
            expected += r.output.files[name]?.count ?? 0
            paths.append(logs.appendingPathComponent(name).path)
        }
        let ledger = MemoryLedger()
        let report = try await Ingestor(options: IngestOptions(organization: "sim")).run(paths: paths, ledger: ledger)
        #expect(report.rejects == 0)
        #expect(report.events == expected)
        #expect(report.sources.allSatisfy { $0.format == "windows-evtx-json" })
        let events = await ledger.events
        var byKey: [String: Event] = [:]
        var lastID: [String: Int64] = [:]
        var nonIncreasing = 0
        for e in events {
            guard let path = e[Field.logFilePath]?.stringValue, let rec = e[Field.spoorRecord]?.intValue else { continue }
            let rel = String(path.dropFirst(logs.path.count + 1))
            byKey["\(rel)#\(rec)"] = e
            if let host = e[Field.hostName]?.stringValue, let id = e["winlog.record_id"]?.intValue {
                let k = rel + "|" + host
                if let last = lastID[k], id <= last { nonIncreasing += 1 }
                lastID[k] = id
            }
        }
        #expect(nonIncreasing == 0)
        let windowsTruth = truth.filter { $0.file.contains("/windows/") }
        #expect(!windowsTruth.isEmpty)
        var wrong: [String] = []
        for row in windowsTruth {
            guard let e = byKey["\(row.file)#\(row.record)"], let code = e[Field.eventCode]?.stringValue ?? e[Field.eventCode]?.intValue.map(String.init) else {
                wrong.append("\(row.file)#\(row.record): no event"); continue
            }
            let allowed = Self.expectedIDs[row.label.technique] ?? []
            if !allowed.contains(code) { wrong.append("\(row.label.campaign) \(row.label.step): event \(code)") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
        print("windows sim: \(expected) records, \(windowsTruth.count) attack records, \(report.rejects) rejects")
    }

    /// The event ids each technique's records may have.
    static let expectedIDs: [String: Set<String>] = [
        "T1110.003": ["4625", "4624", "4776", "4672"],
        "T1110.001": ["4625", "4624", "4776", "4672"],
        "T1059.001": ["1", "4688", "3", "22", "11"],
        "T1003.001": ["1", "4688", "10", "11"],
        "T1021.002": ["4624", "4672", "5140", "5145", "4769", "4776", "1", "4688", "3"],
        "T1569.002": ["7045", "4697", "1", "4688"],
        "T1021.001": ["4624", "4672", "4778", "4779", "4634", "4647", "1", "4688", "3", "4769"],
        "T1053.005": ["1", "4688", "4698"],
        "T1543.003": ["1", "4688", "7045", "4697"],
        "T1070.001": ["1", "4688", "1102"],
    ]

    /// The System block has exactly the keys, in the order, of the SigmaHQ regression JSON.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func systemKeysAreThoseOfTheSigmaHQRegressionJSON() throws {
        let sample = try #require(SharedData.url("sigma/regression_data/rules/windows/builtin/security/win_security_explicit_credential_local_logon/e3c6d245-7b8f-4e2a-c17f-a9d0e5b38f62.json"))
        let bytes = Array(try Data(contentsOf: sample))
        let reference = try JSONParser(maximumDepth: 32).parse(bytes.span)
        guard case .object(let refSystem)? = reference["Event"]?["System"] else { Issue.record("no System"); return }
        let refKeys = refSystem.map(\.0)
        guard case .object(let refEvent)? = reference["Event"] else { return }
        let r = Simulator.run(Self.config)
        var checked = 0
        for (name, lines) in Self.windowsOnly(r) {
            for line in lines {
                let v = try JSONParser(maximumDepth: 32).parse(Array(line.utf8).span)
                guard case .object(let event)? = v["Event"], case .object(let system)? = v["Event"]?["System"] else {
                    Issue.record("\(name): no Event.System"); return
                }
                #expect(system.map(\.0) == refKeys)
                #expect(event.first?.0 == refEvent.first?.0 && event.count == refEvent.count)
                checked += 1
            }
        }
        #expect(checked > 1_000)
    }
}
