import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorRules
import SpoorSimulation
import SpoorTesting

/// SigmaHQ rules over the simulated Windows logs: the attack records of each Windows scenario
/// trip rules for their technique, and the benign hard negatives (encoded admin PowerShell,
/// Defender touching lsass, update services) trip some too, as they do in real networks.
/// (Here rather than in SpoorSimulationTests, which does not link SpoorRules.)
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct SimulationWindowsSigmaTests {
    @Test func sigmaHQRulesFireOnWindowsScenariosAndSomeBenignRecords() async throws {
        let names = ["rdp-password-spraying", "rdp-brute-force", "encoded-powershell", "lsass-dump", "lateral-movement-psexec",
                     "lateral-movement-rdp", "scheduled-task-persistence", "service-persistence", "log-clearing"]
        let config = SimulationConfig(seed: 11, days: 2, hosts: 10, scenarios: names)
        let result = Simulator.run(config)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simwin-sigma-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try result.write(to: dir)
        let logs = dir.appendingPathComponent("logs")
        let paths = result.output.fileNames.filter { $0.contains("/windows/") }.map { logs.appendingPathComponent($0).path }
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions(organization: "sim")).run(paths: paths, ledger: ledger)
        let batch = await ledger.batch

        let root = try #require(SharedData.url("sigma"))
        let set = SigmaLoader().load(paths: ["rules"].map { root.appendingPathComponent($0).appendingPathComponent("windows").path })
        let engine = SigmaEngine(SigmaCompiler(bindings: try BindingSet.builtIn()).compile(set))
        var labels: [String: TruthLabel] = [:]
        for row in truth { labels["\(row.file)#\(row.record)"] = row.label }
        var byScenario: [String: [String: Int]] = [:]
        var benign: [String: Int] = [:]
        for m in engine.matches(in: batch) {
            guard let path = batch.value(row: m.row, field: Field.logFilePath)?.stringValue,
                  let rec = batch.value(row: m.row, field: Field.spoorRecord)?.intValue else { continue }
            let key = String(path.dropFirst(logs.path.count + 1)) + "#\(rec)"
            let title = engine.program.rules[m.rule].metadata.title
            if let l = labels[key] {
                let scenario = String(l.campaign.prefix { $0 != "#" })
                byScenario[scenario, default: [:]][title, default: 0] += 1
            } else {
                benign[title, default: 0] += 1
            }
        }
        for (s, rules) in byScenario.sorted(by: { $0.key < $1.key }) {
            print("sigma on \(s): " + rules.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; "))
        }
        print("sigma on benign: \(benign.values.reduce(0, +)) alerts in \(batch.count - truth.filter { $0.file.contains("/windows/") }.count) benign records: "
              + benign.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; "))
        // Scenarios whose techniques SigmaHQ covers with process, access, service and log rules.
        for s in ["encoded-powershell", "lsass-dump", "lateral-movement-psexec", "scheduled-task-persistence", "service-persistence", "log-clearing"] {
            #expect(!(byScenario[s] ?? [:]).isEmpty, "no SigmaHQ rule fired on \(s)")
        }
        #expect(!benign.isEmpty)
    }
}
