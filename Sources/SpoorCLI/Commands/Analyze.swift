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
import SpoorDetectors

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: read logs into a case and report what is in them.",
        discussion: """
            With no path, analyses a simulated organisation (see `spoor simulate`): a client with \
            workstations, servers, a domain controller, a web server, a proxy and people working \
            their hours, written as raw Windows, Linux, Zeek and web logs with attacks whose every \
            record is known. It is analysed like any logs — ingest, hunt, indicators, detectors, \
            labels, end model — and an attack-free run of the same organisation is analysed too, so \
            that every figure is measured, not claimed: precision among the top findings per day, \
            false alerts per 1,000 host-days, recall per technique at the threshold that keeps ≤ 10 \
            false alerts per 1,000 host-days, time to detect, with bootstrap intervals over seeds; \
            then the same for the label model, majority vote and the end model, with F1 and PR-AUC \
            per unit (Docs/Evaluation.md, Docs/Labels.md).

            With paths, analyses your logs: ingests, summarises (time span, formats, actions, \
            where failures come from), hunts with the Sigma rules given with --rules, extracts the \
            indicators of every event with their sightings (`spoor iocs`), imports the intel given \
            with --intel and reports which indicators it names and how long before the intel the \
            logs had them, runs the detectors (`spoor detect`) and labels the units (`spoor label`).

            --demo runs on a small built-in set of logs instead (OpenSSH, sudo, cron, nginx, Zeek, \
            an application's JSON lines) with an intrusion in them and a demo intel feed.

            Examples:
              spoor analyze
              spoor analyze --seeds 3 --days 7 --hosts 24
              spoor analyze /var/log --case acme --org acme --tz Europe/Zurich --output json
              spoor analyze /var/log --case acme --rules sigma/rules/linux --intel misp-warninglists/lists
              spoor analyze --demo
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ingest: IngestArguments
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
    @OptionGroup var ruleArguments: RuleArguments
    @Argument(help: ArgumentHelp("Files, folders or archives to analyse (none: the built-in demo).", valueName: "path"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Intel to import and retro-hunt (files or folders; repeatable).", valueName: "path"))
    var intel: [String] = []

    @Flag(help: "Analyse a simulated organisation with known attacks and print the scorecards (the default with no path).") var simulate = false
    @Flag(help: "Analyse the small built-in demo logs instead of a simulation.") var demo = false
    @Option(help: ArgumentHelp("Simulation: how many seeds (each an attack and an attack-free run).", valueName: "n")) var seeds: Int = 1
    @Option(help: ArgumentHelp("Simulation: the first seed.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Simulation: days simulated.", valueName: "n")) var days: Int = 7
    @Option(help: ArgumentHelp("Simulation: hosts per client.", valueName: "n")) var hosts: Int = 24
    @Flag(help: "Skip detectors, labels and the end model (rules and indicators only).") var noLabels = false
    @Option(help: ArgumentHelp("Simulation: keep the simulated logs, ground truth and cases under this folder (sim-SEED-attack, case-SEED-attack, sim-SEED-attack-free, …) instead of a temporary folder, to inspect them or re-run `spoor label` and `spoor evaluate --attack-free` on them.", valueName: "dir"))
    var keep: String?

    func validate() throws {
        try require(output, in: [.text, .json])
        if demo && (simulate || !paths.isEmpty) { throw ValidationError("--demo analyses the built-in demo logs; give no paths and no --simulate with it.") }
        if simulate || (paths.isEmpty && !demo) {
            guard paths.isEmpty else { throw ValidationError("--simulate analyses a simulation; give no paths with it.") }
            guard seeds >= 1, seeds <= 50, days >= 1, days <= 60, hosts >= 8, hosts <= 2_000 else {
                throw ValidationError("--seeds 1…50, --days 1…60, --hosts 8…2000.")
            }
        }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        if simulate || (paths.isEmpty && !demo) { try await runSimulation(); return }
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
        let bar = ProgressBar(label: "ingest", unit: .bytes)
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
        // Detectors and labels.
        var detected: (DetectReport, [DetectorFinding])? = nil
        var labelled: LabelReport? = nil
        if !noLabels {
            let detectBar = ProgressBar(label: "detect")
            detected = try await workspace.detect(arguments: CommandLine.arguments) { d, t in detectBar.update(done: d, total: t) }
            detectBar.finish()
            let labelBar = ProgressBar(label: "label")
            labelled = try await workspace.label(arguments: CommandLine.arguments) { d, t in labelBar.update(done: d, total: t) }
            labelBar.finish()
        }
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
            if let (_, found) = detected {
                fields.append(("detector_findings", .array(found.prefix(100).compactMap { try? JSONParser().parse(Array(FindingJSON.line($0).utf8).span) })))
            }
            if let labelled, let data = try? JSONEncoder().encode(labelled), let v = try? JSONParser().parse(Array(data).span) {
                fields.append(("labels", v))
            }
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
            if let (_, found) = detected {
                Console.out("\nDetector findings (`spoor detect --case \(caseOptions.caseDirectory)`), top 10 of \(found.count)")
                var table = TextTable(["score", "detector", "entity", "summary"])
                for f in found.prefix(10) { table.add([String(format: "%.3f", f.score), f.detector, f.entity.description, f.summary]) }
                Console.out(table.render())
            }
            if let labelled {
                Console.out("\nLabels (`spoor label --case \(caseOptions.caseDirectory)`)")
                LabelPrinter.print(labelled, format: .text)
            }
        }
        if report.hasDiagnostics { throw ExitCode(2) }
    }
}

extension Analyze {
    /// The simulation: attack and attack-free runs per seed, analysed like any logs, scored.
    func runSimulation() async throws {
        let rules: RuleSet = !ruleArguments.rules.isEmpty ? try ruleArguments.load(ruleArguments.rules) : try RuleSet.demo()
        let scratch = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("spoor-simulate-\(ProcessInfo.processInfo.processIdentifier)")
        defer { if keep == nil { try? FileManager.default.removeItem(at: scratch) } }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var runs: [SeedRuns] = []
        var detectorRuns: [SeedRuns] = []
        var perDetectorRuns: [String: [SeedRuns]] = [:]
        var unitRuns: [UnitScorer: [SeedRuns]] = [:]
        var evaluations: [(seed: UInt64, LabelEvaluation)] = []
        if output == .text {
            Console.out("Simulating \(hosts) hosts × \(days) days, \(seeds) seed\(seeds == 1 ? "" : "s") (attack and attack-free runs), analysed like any logs\n")
        }
        for n in 0..<seeds {
            let s = seed &+ UInt64(n)
            let attackConfig = SimulationConfig(seed: s, days: days, hosts: hosts)
            var quietConfig = attackConfig
            quietConfig.scenarios = []
            var pair: [SimulationAnalysis] = []
            var attackWorkspace: Workspace?
            for (k, config) in [attackConfig, quietConfig].enumerated() {
                let label = k == 0 ? "attack" : "attack-free"
                let caseDirectory = n == 0 && k == 0 && keep == nil ? caseOptions.caseDirectory : scratch.appendingPathComponent("case-\(s)-\(label)").path
                let workspace = try await Workspace.open(caseDirectory: caseDirectory)
                let bar = ProgressBar(label: "seed \(s) \(label)")
                // The attack-free run is scored by the attack run's label and end models: one
                // model per scorer, so the alert-budget cut taken there is a cut of that model.
                let analysis = try await workspace.simulateAndAnalyse(config, folder: scratch.appendingPathComponent("sim-\(s)-\(label)"),
                                                                      rules: rules, labelling: !noLabels, modelsFrom: attackWorkspace) { stage, d, t in
                    bar.update(done: d, total: t, stage: stage)
                }
                bar.finish()
                if k == 0 { attackWorkspace = workspace }
                if output == .text {
                    Console.out("seed \(s), \(label): \(analysis.result.records) records, \(analysis.result.attackRecords) from attacks, \(analysis.run.findings.count) findings")
                }
                pair.append(analysis)
            }
            runs.append(SeedRuns(seed: s, attack: pair[0].run.only { $0.source != "detector" }, attackFree: pair[1].run.only { $0.source != "detector" }))
            detectorRuns.append(SeedRuns(seed: s, attack: pair[0].run.only { $0.source == "detector" }, attackFree: pair[1].run.only { $0.source == "detector" }))
            // Each detector as its own scorer too: their scores are not on one scale, and one cut
            // over all of them measures only the detector whose scores run highest.
            for name in DetectorCatalog.names {
                perDetectorRuns[name, default: []].append(SeedRuns(seed: s, attack: pair[0].run.only { $0.source == "detector" && $0.id == name },
                                                                   attackFree: pair[1].run.only { $0.source == "detector" && $0.id == name }))
            }
            for scorer in UnitScorer.allCases {
                guard let a = pair[0].unitRuns[scorer] else { continue }
                unitRuns[scorer, default: []].append(SeedRuns(seed: s, attack: a, attackFree: pair[1].unitRuns[scorer]))
            }
            var attack = pair[0]
            try attack.setAlertBudget(from: pair[1])
            if let e = attack.labels { evaluations.append((s, e)) }
        }
        let card = Scorecard.evaluate(runs)
        let detectorCard = noLabels ? nil : Scorecard.evaluate(detectorRuns)
        let perDetectorCards = noLabels ? [] : DetectorCatalog.names.compactMap { name in perDetectorRuns[name].map { (name: name, card: Scorecard.evaluate($0)) } }
        let unitCards = UnitScorer.allCases.compactMap { scorer in unitRuns[scorer].map { (scorer, Scorecard.evaluate($0)) } }
        let comparison = LabelComparison(evaluations.map(\.1))
        if output == .json {
            var out = "{\"scorecard\":" + card.json()
            if let detectorCard { out += ",\"detectors\":" + detectorCard.json() }
            if !perDetectorCards.isEmpty {
                out += ",\"each_detector\":{" + perDetectorCards.map { "\(JSONValue.quote($0.name)):\($0.card.json())" }.joined(separator: ",") + "}"
            }
            out += ",\"units\":{" + unitCards.map { "\(JSONValue.quote($0.0.rawValue)):\($0.1.json())" }.joined(separator: ",") + "}"
            out += ",\"labels\":" + comparison.json() + "}"
            Console.out(out)
        } else {
            Console.out("\nSigma rules (one finding per detection)\n" + card.table())
            if let detectorCard { Console.out("Detectors (one finding per detector finding, one cut over all of them)\n" + detectorCard.table()) }
            if !perDetectorCards.isEmpty {
                Console.out("Each detector at its own cut\n" + Scorecard.comparisonTable(perDetectorCards))
            }
            for (scorer, c) in unitCards { Console.out("\(scorer.rawValue.capitalized) (one finding per unit)\n" + c.table()) }
            if !evaluations.isEmpty { Console.out(comparison.table()) }
        }
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
