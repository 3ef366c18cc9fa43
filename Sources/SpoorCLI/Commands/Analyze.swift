import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorIngest
import SpoorEvents
import SpoorRules
import SpoorIndicators
import SpoorIntel
import SpoorSimulation
import SpoorEvaluation

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: read logs into a case and report what is in them.",
        discussion: """
            With no path, runs on the built-in demo: a small organisation's logs (OpenSSH, sudo, \
            cron, nginx, Zeek, an application's JSON lines) with an intrusion in them, written to a \
            temporary folder and read back through the real parsers.

            analyze ingests, summarises (time span, formats, actions, where failures come from) and \
            hunts with Sigma rules: the rules given with --rules, or on the demo spoor's own demo \
            rules (see `spoor hunt` for hunting on its own), then extracts the indicators of every \
            event with their sightings (`spoor iocs`), imports the intel given with --intel (on the \
            demo, a small dated feed) and reports which indicators it names and how long before \
            the intel the logs had them (`spoor intel import`). The graph, detectors and labels \
            join this command as they land.

            Examples:
              spoor analyze
              spoor analyze /var/log --case acme --org acme --tz Europe/Zurich --output json
              spoor analyze /var/log --case acme --rules sigma/rules/linux
              spoor analyze /var/log --case acme --intel feeds/ --intel misp-warninglists/lists
              spoor analyze --simulate --seeds 3 --days 7 --hosts 24

            With --simulate, analyses a simulated organisation instead (see `spoor simulate`): for \
            each seed an attack run (into the case for the first seed) and an attack-free run of the \
            same organisation, both ingested, hunted and searched for indicators like any logs, then \
            scored against the simulation's ground truth: precision among the top findings per \
            day, false alerts per 1,000 host-days, recall per technique at the threshold that keeps \
            ≤ 10 false alerts per 1,000 host-days, and time to detect, with bootstrap intervals \
            over the seeds (Docs/Evaluation.md).
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ingest: IngestArguments
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
    @OptionGroup var ruleArguments: RuleArguments
    @Argument(help: ArgumentHelp("Files, folders or archives to analyse (none: the built-in demo).", valueName: "path"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Intel to import and retro-hunt (files or folders; repeatable).", valueName: "path"))
    var intel: [String] = []

    @Flag(help: "Analyse a simulated organisation with known attacks and print the scorecard.") var simulate = false
    @Option(help: ArgumentHelp("With --simulate: how many seeds (each an attack and an attack-free run).", valueName: "n")) var seeds: Int = 1
    @Option(help: ArgumentHelp("With --simulate: the first seed.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("With --simulate: days simulated.", valueName: "n")) var days: Int = 7
    @Option(help: ArgumentHelp("With --simulate: hosts per client.", valueName: "n")) var hosts: Int = 24

    func validate() throws {
        try require(output, in: [.text, .json])
        if simulate {
            guard paths.isEmpty else { throw ValidationError("--simulate analyses a simulation; give no paths with it.") }
            guard seeds >= 1, seeds <= 50, days >= 1, days <= 60, hosts >= 8, hosts <= 2_000 else {
                throw ValidationError("--seeds 1…50, --days 1…60, --hosts 8…2000.")
            }
        }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        if simulate { try await runSimulation(); return }
        var inputs = paths
        var intelPaths = intel
        var options = ingest.options
        var demoFolder: URL? = nil
        if inputs.isEmpty {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-demo-\(ProcessInfo.processInfo.processIdentifier)")
            inputs = try DemoLogs.write(to: folder)
            demoFolder = folder
            if intel.isEmpty { intelPaths = [try DemoLogs.writeIntel(to: folder.appendingPathComponent("intel"))] }
            if options.collectedAt == nil { options.collectedAt = DemoLogs.collectedAt }
            if options.organization == "default" { options.organization = "acme" }
            if output == .text { Console.out("Demo logs written to \(folder.path); reading them into \(caseOptions.caseDirectory)\n") }
        }
        defer { if let demoFolder { try? FileManager.default.removeItem(at: demoFolder) } }
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let bar = ProgressBar(label: "ingest")
        let report = try await workspace.ingest(inputs, options: options, strict: ingest.strict,
                                                arguments: CommandLine.arguments) { d, t in bar.update(done: d, total: t) }
        bar.finish()
        let summary = try await workspace.summary()
        // Hunting: the user's rules, or on the demo the demo's own.
        var hunt: (HuntReport, [Detection])? = nil
        var huntEvents: [Int64: Event] = [:]
        let rules: RuleSet? = !ruleArguments.rules.isEmpty ? try ruleArguments.load(ruleArguments.rules)
            : (demoFolder != nil ? try RuleSet.demo() : nil)
        if let rules {
            let huntBar = ProgressBar(label: "hunt")
            let result = try await workspace.hunt(rules, arguments: CommandLine.arguments) { d, t in huntBar.update(done: d, total: t) }
            huntBar.finish()
            hunt = result
            huntEvents = try await workspace.events(ids: result.1.flatMap { $0.eventIDs.prefix(1) })
        }
        // Indicators and intel.
        let iocBar = ProgressBar(label: "indicators")
        let indicatorReport = try await workspace.extractIndicators(arguments: CommandLine.arguments) { d, t in iocBar.update(done: d, total: t) }
        iocBar.finish()
        let kinds = try await workspace.indicatorCounts()
        let intelReport = intelPaths.isEmpty ? nil : try await workspace.importIntel(intelPaths, arguments: CommandLine.arguments)
        let matches = try await workspace.intelMatches(polarity: .malicious)
        if output == .json {
            var fields: [(String, JSONValue)] = [("ingest", JSONOutput.ingest(report)), ("summary", JSONOutput.summary(summary))]
            if let (_, found) = hunt {
                let printer = HuntPrinter(format: .json)
                fields.append(("detections", .array(found.map { printer.object($0, huntEvents) })))
            }
            fields.append(("indicators", .object([
                ("sightings", JSONOutput.int(indicatorReport.sightings)),
                ("by_kind", .object(kinds.map { ($0.kind.rawValue, JSONOutput.int($0.count)) })),
            ])))
            if let intelReport {
                fields.append(("intel_files", .array(intelReport.files.map { f in
                    .object([("path", .string(f.path)), ("format", .string(f.format)), ("facts", JSONOutput.int(f.facts)),
                             ("problems", JSONOutput.int(f.problems.count))])
                })))
            }
            fields.append(("intel_matches", .array(matches.map(IntelMatches.json))))
            JSONOutput.print(.object(fields))
        } else {
            IngestPrinter.print(report, format: .text)
            Console.out("\n" + SummaryPrinter.render(summary))
            if let (huntReport, found) = hunt {
                Console.out("\nSigma detections")
                HuntPrinter(format: .text).print(huntReport, found, events: huntEvents)
            }
            Console.out("\nIndicators (`spoor iocs --case \(caseOptions.caseDirectory)` lists them)")
            Console.out("  " + kinds.map { "\($0.kind.rawValue) \($0.count)" }.joined(separator: ", "))
            if let intelReport {
                Console.out("\nIntel: " + intelReport.files.map { "\(($0.path as NSString).lastPathComponent) (\($0.format), \($0.facts) indicators)" }.joined(separator: ", "))
            }
            if !matches.isEmpty || intelReport != nil {
                Console.out("")
                IntelMatches.printTable(matches)
            }
        }
        if report.hasDiagnostics { throw ExitCode(2) }
    }
}

extension Analyze {
    /// `--simulate`: attack and attack-free runs per seed, analysed like any logs, scored.
    func runSimulation() async throws {
        let rules: RuleSet = !ruleArguments.rules.isEmpty ? try ruleArguments.load(ruleArguments.rules) : try RuleSet.demo()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simulate-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var runs: [SeedRuns] = []
        for n in 0..<seeds {
            let s = seed &+ UInt64(n)
            let attackConfig = SimulationConfig(seed: s, days: days, hosts: hosts)
            var quietConfig = attackConfig
            quietConfig.scenarios = []
            var pair: [EvaluationRun] = []
            for (k, config) in [attackConfig, quietConfig].enumerated() {
                let label = k == 0 ? "attack" : "attack-free"
                let caseDirectory = n == 0 && k == 0 ? caseOptions.caseDirectory : scratch.appendingPathComponent("case-\(s)-\(label)").path
                let workspace = try await Workspace.open(caseDirectory: caseDirectory)
                let bar = ProgressBar(label: "seed \(s) \(label)")
                let (result, run) = try await workspace.simulateAndAnalyse(config, folder: scratch.appendingPathComponent("sim-\(s)-\(label)"),
                                                                           rules: rules) { _, d, t in bar.update(done: d, total: t) }
                bar.finish()
                if output == .text {
                    Console.out("seed \(s), \(label): \(result.records) records, \(result.attackRecords) from attacks, \(run.findings.count) findings")
                }
                pair.append(run)
            }
            runs.append(SeedRuns(seed: s, attack: pair[0], attackFree: pair[1]))
        }
        let card = Scorecard.evaluate(runs)
        if output == .json { Console.out(card.json()) } else { Console.out("\n" + card.table()) }
    }
}

enum SummaryPrinter {
    static func render(_ s: CaseSummary) -> String {
        var out = "Case: \(s.events) events"
        if let f = s.first, let l = s.last { out += " from \(f) to \(l)" }
        func section(_ title: String, _ counts: [CaseSummary.Count]) {
            guard !counts.isEmpty else { return }
            out += "\n\n" + title + "\n"
            var t = TextTable(["value", "events"])
            for c in counts { t.add([c.value, "\(c.count)"]) }
            out += t.render()
        }
        section("By format", s.byParser)
        section("Hosts", s.hosts)
        section("Actions", s.topActions)
        section("Failures by source address", s.failureSources)
        section("Failures by user", s.failureUsers)
        return out
    }
}
