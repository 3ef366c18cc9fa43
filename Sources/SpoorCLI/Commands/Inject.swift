import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorSimulation

struct Inject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Insert simulated attacks into a copy of your own logs, with exact ground truth.",
        discussion: """
            Reads the logs in --into through ingest, learns their hosts, users, internal address \
            ranges, time span, volumes and formats, runs the scenarios against that organisation and \
            writes a copy under --out/logs with the attack records inserted in time order and in the \
            same format as the file they go into (syslog in that file's timestamp style, Zeek TSV with \
            that file's #fields columns); files nothing is inserted into are copied byte for byte, \
            records for which no file of the right format exists go to new files in spoor's layout. \
            --out/ground_truth.jsonl names every inserted record by its path relative to --out/logs and \
            its record number, as `spoor ingest OUT/logs` numbers them.

            --replay replays a recorded attack instead: a public simulation dataset's Windows events \
            (OTRF Security-Datasets JSON lines, zipped or not) with its _metadata YAML (--metadata, \
            one per --replay, in order), moved in time to --start (default: the middle of your \
            logs), its hosts, users and addresses rewritten to your organisation's, each replayed \
            record labelled with the dataset's ATT&CK technique.

            Examples:
              spoor inject --into /var/log/archive --scenario ssh-brute-force --out injected
              spoor inject --into windows-logs --replay cmd_sam_copy_esentutl.zip --metadata SDWIN-201019002900.yaml --out replayed
              spoor inject --into zeek-logs --scenario https-beaconing --scenario dns-tunnelling --out test-set --seed 7

            Exit codes: 0 success, 1 failure.
            """)

    @Option(help: ArgumentHelp("The folder of logs to copy and inject into.", valueName: "dir")) var into: String
    @Option(name: .customLong("scenario"), help: ArgumentHelp("Scenario to inject (repeatable; `spoor simulate --list`).", valueName: "name"))
    var scenarios: [String] = []
    @Option(name: .customLong("replay"), help: ArgumentHelp("A recorded attack to replay (OTRF Windows JSON lines, .zip or .json; repeatable).", valueName: "file"))
    var replays: [String] = []
    @Option(name: .customLong("metadata"), help: ArgumentHelp("The dataset's _metadata YAML (its ATT&CK technique); one per --replay, in order.", valueName: "file"))
    var metadata: [String] = []
    @Option(help: ArgumentHelp("The folder to write (logs/, ground_truth.jsonl).", valueName: "dir")) var out: String
    @Option(help: ArgumentHelp("Random seed.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("When the attacks begin (ISO 8601); default: in the second half of the logs' span.", valueName: "time"))
    var start: String?
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        guard !scenarios.isEmpty || !replays.isEmpty else { throw ValidationError("Give at least one --scenario (see `spoor simulate --list`) or --replay.") }
        guard scenarios.isEmpty || replays.isEmpty else { throw ValidationError("Give --scenario or --replay, not both in one run.") }
        guard metadata.count == replays.count else { throw ValidationError("Give one --metadata per --replay (\(replays.count) replays, \(metadata.count) metadata files).") }
        for f in replays + metadata where !FileManager.default.fileExists(atPath: f) { throw ValidationError("No such file: \(f)") }
        for s in scenarios where ScenarioCatalog.entry(named: s) == nil { throw ValidationError("Unknown scenario '\(s)'.") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: into, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--into must be a folder of logs.")
        }
        if let start, IngestArguments.parseTime(start) == nil { throw ValidationError("Cannot read --start '\(start)'.") }
    }

    func run() async throws {
        let bar = ProgressBar(label: "learn", unit: .bytes)
        let report = replays.isEmpty
            ? try await Workspace.inject(into: into, scenarios: scenarios, out: out, seed: seed,
                                         start: start.flatMap(IngestArguments.parseTime)) { d, t in bar.update(done: d, total: t) }
            : try await Workspace.replay(into: into, datasets: Array(zip(replays, metadata)).map { (data: $0.0, metadata: $0.1) }, out: out,
                                         start: start.flatMap(IngestArguments.parseTime)) { d, t in bar.update(done: d, total: t) }
        bar.finish()
        if output == .json {
            Console.out(JSONValue.object([
                ("out", .string(out)), ("ground_truth_rows", JSONOutput.int(report.truth.count)),
                ("modified", .array(report.modified.map(JSONValue.string))), ("created", .array(report.created.map(JSONValue.string))),
                ("copied", JSONOutput.int(report.copied.count)),
                ("runs", .array(report.runs.map { .object([("scenario", .string($0.scenario)), ("campaign", .string($0.campaign)),
                                                            ("start", .string($0.start.description))]) })),
            ]).jsonText)
        } else {
            Console.out("\(report.truth.count) attack records inserted: \(report.modified.count) files modified, \(report.created.count) created, \(report.copied.count) copied unchanged")
            for r in report.runs { Console.out("  \(r.scenario) (\(r.campaign)) from \(r.start)") }
            Console.out("ground truth: \(out)/ground_truth.jsonl")
        }
    }
}
