import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

@Suite struct LinuxSimulationTests {
    static let config = SimulationConfig(seed: 7, days: 2, hosts: 8, scenarios: ["ssh-brute-force", "ssh-password-spraying"])

    /// Only the Linux family's generators (the other families' may not be in this branch).
    static func run(_ config: SimulationConfig) -> SimulationResult {
        let organisation = Organisation.build(config)
        var output = SimulationOutput()
        var root = SplitMix64(seed: config.seed)
        var runs: [(String, String, String, Timestamp)] = []
        for client in organisation.clients {
            var clientRNG = root.split()
            for activity in LinuxActivity.all {
                var context = SimulationContext(config: config, client: client, output: output, rng: clientRNG.split())
                activity.run(&context)
                output = context.output
            }
            for (n, entry) in LinuxScenarios.all.enumerated() where config.scenarios.contains(entry.name) {
                var rng = clientRNG.split()
                let start = Timestamp(microseconds: config.window.start.microseconds + 86_400_000_000 + Int64(rng.below(12 * 3600)) * 1_000_000)
                var context = ScenarioContext(simulation: SimulationContext(config: config, client: client, output: output, rng: rng),
                                              campaign: "\(entry.name)#\(client.id)-\(n + 1)", start: start)
                entry.run(&context)
                output = context.simulation.output
                runs.append((entry.name, client.id, context.campaign, context.start))
            }
        }
        return SimulationResult(config: config, organisation: organisation, output: output, runs: runs)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simlinux-\(UUID().uuidString)")
    }

    static func contents(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let root = dir.standardizedFileURL.path
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return out }
        for case let url as URL in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                out[String(url.standardizedFileURL.path.dropFirst(root.count))] = try Data(contentsOf: url)
            }
        }
        return out
    }

    @Test func registeredInTheCatalogs() {
        #expect(ScenarioCatalog.entry(named: "ssh-brute-force")?.techniques.contains("T1110.001") == true)
        #expect(ScenarioCatalog.entry(named: "ssh-password-spraying")?.techniques == ["T1110.003"])
        #expect(Simulator.activities.map(\.name).contains("linux-internet-noise"))
    }

    @Test func sameSeedSameBytesDifferentSeedDiffers() throws {
        let a = Self.temporaryDirectory(), b = Self.temporaryDirectory(), c = Self.temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        try Self.run(Self.config).write(to: a)
        try Self.run(Self.config).write(to: b)
        var other = Self.config
        other.seed = 8
        try Self.run(other).write(to: c)
        let ca = try Self.contents(a), cb = try Self.contents(b), cc = try Self.contents(c)
        #expect(ca.count >= 5 && ca == cb)
        #expect(ca != cc)
        #expect(Set(ca.keys).contains("/logs/acme/linux/web01/auth.log"))
    }

    /// Every auth.log is read by ingest as syslog with zero rejects, one event per record; the
    /// ground truth points at the attack's events (the guesses are failed logins or invalid
    /// users from the attacker's address, the login an accepted password, the download sudo's).
    @Test func ingestReadsEveryRecordAndGroundTruthPointsAtTheAttack() async throws {
        let result = Self.run(Self.config)
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try result.write(to: dir)
        let logs = dir.appendingPathComponent("logs").path
        let ledger = MemoryLedger()
        let options = IngestOptions(organization: "acme", timeZone: .utc, collectedAt: Self.config.window.end)
        let report = try await Ingestor(options: options).run(paths: [logs], ledger: ledger)
        #expect(report.sources.count == 4)
        #expect(report.sources.allSatisfy { $0.format == "syslog" })
        #expect(report.rejects == 0)
        #expect(report.events == result.records)
        let batch = await ledger.batch
        var byKey: [String: Int] = [:]
        for r in 0..<batch.count {
            guard case .string(let p)? = batch.value(row: r, field: Field.logFilePath),
                  case .int(let n)? = batch.value(row: r, field: Field.spoorRecord) else { continue }
            byKey[String(p.dropFirst(logs.count + 1)) + "#\(n)"] = r
        }
        #expect(truth.count == result.attackRecords && truth.count > 150)
        var attackers = Set<String>()
        var steps: [String: Int] = [:]
        for row in truth {
            let r = try #require(byKey["\(row.file)#\(row.record)"], "\(row.file)#\(row.record)")
            let event = batch.row(r)
            steps[row.label.step, default: 0] += 1
            #expect(event[Field.timestamp] == .timestamp(row.time))
            #expect(event[Field.hostName]?.description == row.host)
            let action = event[Field.eventAction]?.description ?? ""
            if row.label.step == "guess" || row.label.step == "spray", action == "ssh-login" || action == "ssh-invalid-user" {
                #expect(event[Field.eventOutcome]?.description == "failure" || action == "ssh-invalid-user")
                attackers.insert(event[Field.sourceIP]?.description ?? "")
            }
            if row.label.step == "login" && action == "ssh-login" {
                #expect(event[Field.eventOutcome]?.description == "success")
            }
            if row.label.step == "download" && action == "sudo-command" {
                #expect(event["process.command_line"]?.description.hasPrefix("/") == true)
            }
        }
        #expect(attackers.count == 2)   // one source per scenario
        #expect(steps["guess", default: 0] > 100 && steps["login", default: 0] >= 8 && steps["download", default: 0] == 9 && steps["spray", default: 0] > 40)
        // Benign: accepted logins by admins, cron sessions, internet noise; attack share small.
        let actions = (0..<batch.count).compactMap { batch.value(row: $0, field: Field.eventAction)?.description }
        let counts = Dictionary(actions.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts["ssh-login", default: 0] > 100 && counts["ssh-invalid-user", default: 0] > 50)
        print("linux: \(result.records) records in \(report.sources.count) auth.logs, \(truth.count) attack records (\(String(format: "%.1f", 100 * result.attackRate))%), steps \(steps.sorted { $0.key < $1.key }), actions \(counts.sorted { $0.key < $1.key })")
    }
}
