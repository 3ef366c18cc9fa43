import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorSimulation

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a simulated organisation's logs, with attacks whose every trace is known (ground truth).",
        discussion: """
            Simulates one or more client organisations — workstations, a domain controller, file, web, \
            proxy/resolver, backup and database servers, people with working hours in their time zone, \
            weekends — and writes their logs in real formats: Windows Security and Sysmon (evtx_dump \
            JSON), Linux auth syslog, Zeek TSV (conn, dns, http, ssl, files) and web access logs. Benign \
            activity includes hard negatives on purpose (admins running encoded PowerShell, backups \
            sending gigabytes at night, scanners, services polling on a timer). Attack scenarios mapped \
            to ATT&CK write the traces a real execution leaves across sources.

            Writes DIR/logs/<client>/… and DIR/ground_truth.jsonl: one row per malicious record, keyed by \
            its path relative to DIR/logs and its record number, as `spoor ingest DIR/logs` numbers them \
            (log.file.path, spoor.record), with technique, tactic, campaign and step; and \
            DIR/simulation.json (configuration, counts, scenario runs). The same seed gives byte-identical \
            output. `--scenario none` gives an attack-free run (for false-alert rates).

            Examples:
              spoor simulate --out sim
              spoor simulate --out sim --seed 7 --days 14 --hosts 60 --clients 3
              spoor simulate --out quiet --scenario none
              spoor simulate --out beacons --scenario https-beaconing --scenario dga
              spoor simulate --list

            Exit codes: 0 success, 1 failure.
            """)

    @Option(help: ArgumentHelp("The folder to write (logs/, ground_truth.jsonl, simulation.json).", valueName: "dir"))
    var out: String?
    @Option(help: ArgumentHelp("Random seed: the same seed gives the same logs.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Days to simulate.", valueName: "n")) var days: Int = 7
    @Option(help: ArgumentHelp("Hosts per client.", valueName: "n")) var hosts: Int = 24
    @Option(help: ArgumentHelp("Client organisations.", valueName: "n")) var clients: Int = 1
    @Option(name: .customLong("scenario"), help: ArgumentHelp("Attack scenario to run (repeatable; default all; `none` for none).", valueName: "name"))
    var scenarios: [String] = []
    @Option(name: .long, help: ArgumentHelp("Largest share of records the attacks may make up.", valueName: "share"))
    var attackRate: Double = 0.005
    @Flag(help: "List the attack scenarios and exit.") var list = false
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        if list { return }
        guard out != nil else { throw ValidationError("Give --out DIR (or --list).") }
        guard days >= 1, days <= 366 else { throw ValidationError("--days must be 1…366.") }
        guard hosts >= 8, hosts <= 5_000 else { throw ValidationError("--hosts must be 8…5000 (six are servers).") }
        guard clients >= 1, clients <= 100 else { throw ValidationError("--clients must be 1…100.") }
        guard attackRate > 0, attackRate < 1 else { throw ValidationError("--attack-rate must be between 0 and 1.") }
        for s in scenarios where s != "none" && ScenarioCatalog.entry(named: s) == nil {
            throw ValidationError("Unknown scenario '\(s)'; `spoor simulate --list` lists them.")
        }
    }

    var config: SimulationConfig {
        var c = SimulationConfig(seed: seed, days: days, hosts: hosts, clients: clients, attackRate: attackRate)
        if scenarios == ["none"] { c.scenarios = [] } else if !scenarios.isEmpty { c.scenarios = scenarios }
        return c
    }

    func run() async throws {
        if list {
            var table = TextTable(["scenario", "techniques", "what it does"])
            for s in ScenarioCatalog.all { table.add([s.name, s.techniques.joined(separator: " "), s.summary]) }
            Console.out(table.render())
            return
        }
        guard let out else { return }
        let result = Simulator.run(config)
        let truth = try result.write(to: URL(fileURLWithPath: out))
        if output == .json {
            Console.out(JSONValue.object([
                ("out", .string(out)), ("records", JSONOutput.int(result.records)), ("attack_records", JSONOutput.int(result.attackRecords)),
                ("attack_rate", .number(String(result.attackRate))), ("files", JSONOutput.int(result.output.fileNames.count)),
                ("ground_truth_rows", JSONOutput.int(truth.count)),
                ("runs", .array(result.runs.map { r in
                    .object([("scenario", .string(r.scenario)), ("client", .string(r.client)), ("campaign", .string(r.campaign)),
                             ("start", .string(r.start.description))])
                })),
            ]).jsonText)
        } else {
            Console.out("\(result.records) records in \(result.output.fileNames.count) files under \(out)/logs, \(result.attackRecords) of them from attacks (\(String(format: "%.3f", result.attackRate * 100)) %)")
            var table = TextTable(["scenario", "client", "campaign", "start"])
            for r in result.runs { table.add([r.scenario, r.client, r.campaign, r.start.description]) }
            if !result.runs.isEmpty { Console.out(table.render()) }
            Console.out("ground truth: \(out)/ground_truth.jsonl (\(truth.count) rows)")
        }
    }
}
