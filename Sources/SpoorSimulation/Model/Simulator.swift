import Foundation
import SpoorCore

/// What an activity or a scenario gets to work with: one client, the run's window, the shared
/// output and its own random stream (split per client and activity, so adding draws in one
/// generator never changes another's records).
public struct SimulationContext: Sendable {
    public let config: SimulationConfig
    public let client: SimClient
    public var output: SimulationOutput
    public var rng: SplitMix64
    /// The simulated window.
    public var start: Timestamp { config.window.start }
    public var end: Timestamp { config.window.end }

    public init(config: SimulationConfig, client: SimClient, output: SimulationOutput, rng: SplitMix64) {
        self.config = config
        self.client = client
        self.output = output
        self.rng = rng
    }

    /// A file path under the logs folder for this client (`acme/zeek/conn.log`).
    public func path(_ relative: String) -> String { client.id + "/" + relative }

    /// Local hour of day (0…23) and weekday (1 = Monday) of `t` for this client.
    public func local(_ t: Timestamp) -> (hour: Int, weekday: Int) {
        let c = CivilTime(utcMicroseconds: t.microseconds + Int64(client.utcOffset) * 1_000_000)
        return (c.hour, SimCalendar.weekday(c))
    }

    /// UTC time of a local day (0-based from the start) and local seconds into that day.
    public func time(day: Int, localSeconds: Double) -> Timestamp {
        Timestamp(microseconds: start.microseconds + Int64(day) * 86_400_000_000
                  + Int64(localSeconds * 1_000_000) - Int64(client.utcOffset) * 1_000_000)
    }
}

/// The state a scenario run adds: its campaign name and labelling helper.
public struct ScenarioContext: Sendable {
    public var simulation: SimulationContext
    /// `name#n`: shared by every record of one execution.
    public let campaign: String
    /// When the run should begin (the scenario may shift it, e.g. to the night).
    public var start: Timestamp

    public init(simulation: SimulationContext, campaign: String, start: Timestamp) {
        self.simulation = simulation
        self.campaign = campaign
        self.start = start
    }

    public func label(_ technique: String, _ tactic: String, step: String) -> TruthLabel {
        TruthLabel(technique: technique, tactic: tactic, campaign: campaign, step: step)
    }
}

/// A benign activity generator (logons, browsing, backups, …).
public struct ActivityEntry: Sendable {
    public var name: String
    public var run: @Sendable (_ context: inout SimulationContext) -> Void

    public init(name: String, run: @escaping @Sendable (_ context: inout SimulationContext) -> Void) {
        self.name = name
        self.run = run
    }
}

/// The result of a simulation: the output to write and the organisation it describes.
public struct SimulationResult: Sendable {
    public var config: SimulationConfig
    public var organisation: Organisation
    public var output: SimulationOutput
    /// Scenario runs: name, client, campaign, start.
    public var runs: [(scenario: String, client: String, campaign: String, start: Timestamp)]

    public var records: Int { output.recordCount }
    public var attackRecords: Int { output.attackRecordCount }
    public var attackRate: Double { records == 0 ? 0 : Double(attackRecords) / Double(records) }

    /// Writes `DIR/logs/…`, `DIR/ground_truth.jsonl` and `DIR/simulation.json`.
    @discardableResult
    public func write(to directory: URL) throws -> [GroundTruthRow] {
        let logs = directory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let truth = try output.write(logs: logs)
        try Data(SimulationOutput.groundTruthJSONL(truth).utf8).write(to: directory.appendingPathComponent("ground_truth.jsonl"))
        var meta = "{\"seed\":\(config.seed),\"days\":\(config.days),\"hosts\":\(config.hosts),\"clients\":\(config.clients)"
        meta += ",\"start\":\(JSONValue.quote(config.window.start.description)),\"records\":\(records),\"attack_records\":\(attackRecords)"
        meta += ",\"runs\":[" + runs.map { r in
            "{\"scenario\":\(JSONValue.quote(r.scenario)),\"client\":\(JSONValue.quote(r.client)),\"campaign\":\(JSONValue.quote(r.campaign)),\"start\":\(JSONValue.quote(r.start.description))}"
        }.joined(separator: ",") + "]}\n"
        try Data(meta.utf8).write(to: directory.appendingPathComponent("simulation.json"))
        return truth
    }
}

public enum Simulator {
    /// Every benign activity, in the order they run.
    public static var activities: [ActivityEntry] { registeredActivities }

    /// Simulates the organisations of `config`: benign activity for every client, then the
    /// scenarios, scaled to ``SimulationConfig/attackRate``: each scenario runs once per
    /// client at a start drawn from the window (the scenario may move it: exfiltration waits
    /// for the night); then whole runs are dropped (thinning, never a scenario's last run) or
    /// more runs are added at other starts (repeating) until the attack records' share of all
    /// records is as near the rate as whole runs allow.
    public static func run(_ config: SimulationConfig) -> SimulationResult {
        let organisation = Organisation.build(config)
        var output = SimulationOutput()
        var root = SplitMix64(seed: config.seed)
        var clientRNGs: [SplitMix64] = []
        for client in organisation.clients {
            var clientRNG = root.split()
            for activity in activities {
                var context = SimulationContext(config: config, client: client, output: output, rng: clientRNG.split())
                activity.run(&context)
                output = context.output
            }
            clientRNGs.append(clientRNG)
        }
        let benign = output.recordCount
        let plan = ScenarioPlan(config: config, benignRecords: benign)
        var instances: [ScenarioInstance] = []
        // Round 0: every scenario once per client.
        for (c, client) in organisation.clients.enumerated() {
            for (n, name) in config.scenarios.enumerated() {
                guard let entry = ScenarioCatalog.entry(named: name) else { continue }
                let rng = clientRNGs[c].split()
                instances.append(runInstance(entry, config: config, client: client, rng: rng, campaign: "\(name)#\(client.id)-\(n + 1)", order: instances.count))
            }
        }
        instances = plan.scale(instances) { round, index in
            // A further run of the (client, scenario) pair `index` of round 0, in round `round`.
            let c = index / max(1, config.scenarios.count), n = index % max(1, config.scenarios.count)
            guard c < organisation.clients.count, let entry = ScenarioCatalog.entry(named: config.scenarios[n]) else { return nil }
            var rng = SplitMix64(seed: config.seed ^ (0x5CA1_E000_0000_0000 &+ UInt64(round) &* 0x1_0000 &+ UInt64(index)))
            let client = organisation.clients[c]
            return runInstance(entry, config: config, client: client, rng: rng.split(), campaign: "\(entry.name)#\(client.id)-\(n + 1).\(round)",
                               order: round * 1_000_000 + index)
        }
        var runs: [(String, String, String, Timestamp)] = []
        for i in instances.sorted(by: { $0.order < $1.order }) {
            output.append(contentsOf: i.output)
            runs.append((i.scenario, i.client, i.campaign, i.start))
        }
        return SimulationResult(config: config, organisation: organisation, output: output, runs: runs)
    }

    /// One scenario run written on its own (merged into the simulation when it is kept).
    static func runInstance(_ entry: ScenarioEntry, config: SimulationConfig, client: SimClient, rng: SplitMix64, campaign: String, order: Int) -> ScenarioInstance {
        var rng = rng
        // Attacks start on a working day's second half or later, not in the first hours
        // (detectors need some history before them).
        let span = config.window.end.microseconds - config.window.start.microseconds
        let earliest = config.window.start.microseconds + span / 4
        let start = Timestamp(microseconds: earliest + Int64(rng.unit() * Double(span / 2)))
        var context = ScenarioContext(simulation: SimulationContext(config: config, client: client, output: SimulationOutput(), rng: rng),
                                      campaign: campaign, start: start)
        entry.run(&context)
        let out = context.simulation.output
        return ScenarioInstance(scenario: entry.name, client: client.id, campaign: campaign, start: context.start, output: out,
                                records: out.attackRecordCount, order: order)
    }
}

/// One scenario run and the attack records it wrote.
struct ScenarioInstance: Sendable {
    var scenario: String
    var client: String
    var campaign: String
    var start: Timestamp
    var output: SimulationOutput
    var records: Int
    /// Where the run sorts among all runs (round 0 first, in client and scenario order).
    var order: Int
}

/// Scales scenario runs to the configured attack rate: the target is the number of attack
/// records `a` with `a / (benign + a) = attackRate`.
struct ScenarioPlan {
    let target: Double
    /// Repeating stops after this many rounds (a scenario that writes nothing never reaches the target).
    static let maximumRounds = 400

    init(config: SimulationConfig, benignRecords: Int) {
        let rate = min(max(config.attackRate, 0), 0.5)
        target = rate / (1 - rate) * Double(benignRecords)
    }

    /// Thins or repeats `instances` (round 0, one per client and scenario) towards the target.
    /// `more(round, index)` runs one more instance of round-0 pair `index`.
    func scale(_ instances: [ScenarioInstance], more: (Int, Int) -> ScenarioInstance?) -> [ScenarioInstance] {
        var kept = instances
        var total = Double(kept.reduce(0) { $0 + $1.records })
        if total > target {
            // Thinning: drop the largest runs first while that brings the total nearer the
            // target, keeping every scenario's last run.
            // Runs that wrote nothing (their start fell after the window) go first.
            var perScenario: [String: Int] = [:]
            for i in kept where i.records > 0 { perScenario[i.scenario, default: 0] += 1 }
            for i in kept.indices.sorted(by: { (kept[$0].records, kept[$1].order) > (kept[$1].records, kept[$0].order) }) {
                let r = Double(kept[i].records)
                if r == 0, perScenario[kept[i].scenario, default: 0] > 0 {
                    kept[i].records = -1
                    continue
                }
                guard perScenario[kept[i].scenario, default: 0] > 1, abs(total - r - target) < abs(total - target) else { continue }
                perScenario[kept[i].scenario, default: 0] -= 1
                total -= r
                kept[i].records = -1
            }
            return kept.filter { $0.records >= 0 }
        }
        // Repeating: further rounds over every pair; a run is kept when it brings the total
        // nearer the target. Stops when a whole round keeps nothing.
        var round = 1
        while total < target && round <= Self.maximumRounds {
            var keptAny = false
            for index in instances.indices {
                guard total < target, let next = more(round, index) else { continue }
                let r = Double(next.records)
                if r > 0, abs(total + r - target) < abs(total - target) {
                    kept.append(next)
                    total += r
                    keptAny = true
                }
            }
            if !keptAny { break }
            round += 1
        }
        return kept
    }
}
