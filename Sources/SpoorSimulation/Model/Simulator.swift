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

    /// Simulates the organisations of `config`: benign activity for every client, then each
    /// scenario once per client at a start drawn from the window (the scenario may move it:
    /// exfiltration waits for the night).
    public static func run(_ config: SimulationConfig) -> SimulationResult {
        let organisation = Organisation.build(config)
        var output = SimulationOutput()
        var root = SplitMix64(seed: config.seed)
        var runs: [(String, String, String, Timestamp)] = []
        for client in organisation.clients {
            var clientRNG = root.split()
            for activity in activities {
                var context = SimulationContext(config: config, client: client, output: output, rng: clientRNG.split())
                activity.run(&context)
                output = context.output
            }
            for (n, name) in config.scenarios.enumerated() {
                guard let entry = ScenarioCatalog.entry(named: name) else { continue }
                var rng = clientRNG.split()
                // Attacks start on a working day's second half or later, not in the first hours
                // (detectors need some history before them).
                let span = config.window.end.microseconds - config.window.start.microseconds
                let earliest = config.window.start.microseconds + span / 4
                let start = Timestamp(microseconds: earliest + Int64(rng.unit() * Double(span / 2)))
                let campaign = "\(name)#\(client.id)-\(n + 1)"
                var context = ScenarioContext(simulation: SimulationContext(config: config, client: client, output: output, rng: rng),
                                              campaign: campaign, start: start)
                entry.run(&context)
                output = context.simulation.output
                runs.append((name, client.id, campaign, context.start))
            }
        }
        return SimulationResult(config: config, organisation: organisation, output: output, runs: runs)
    }
}
