import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorIngest
import SpoorEvents
import SpoorRules

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: read logs into a case and report what is in them.",
        discussion: """
            With no path, runs on the built-in demo: a small organisation's logs (OpenSSH, sudo, \
            cron, nginx, Zeek, an application's JSON lines) with an intrusion in them, written to a \
            temporary folder and read back through the real parsers.

            analyze ingests, summarises (time span, formats, actions, where failures come from) and \
            hunts with Sigma rules: the rules given with --rules, or on the demo spoor's own demo \
            rules (see `spoor hunt` for hunting on its own). Indicators, the graph, detectors and \
            labels join this command as they land.

            Examples:
              spoor analyze
              spoor analyze /var/log --case acme --org acme --tz Europe/Zurich --output json
              spoor analyze /var/log --case acme --rules sigma/rules/linux
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ingest: IngestArguments
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
    @OptionGroup var ruleArguments: RuleArguments
    @Argument(help: ArgumentHelp("Files, folders or archives to analyse (none: the built-in demo).", valueName: "path"))
    var paths: [String] = []

    func validate() throws { try require(output, in: [.text, .json]) }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        var inputs = paths
        var options = ingest.options
        var demoFolder: URL? = nil
        if inputs.isEmpty {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-demo-\(ProcessInfo.processInfo.processIdentifier)")
            inputs = try DemoLogs.write(to: folder)
            demoFolder = folder
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
        if output == .json {
            var fields: [(String, JSONValue)] = [("ingest", JSONOutput.ingest(report)), ("summary", JSONOutput.summary(summary))]
            if let (_, found) = hunt {
                let printer = HuntPrinter(format: .json)
                fields.append(("detections", .array(found.map { printer.object($0, huntEvents) })))
            }
            JSONOutput.print(.object(fields))
        } else {
            IngestPrinter.print(report, format: .text)
            Console.out("\n" + SummaryPrinter.render(summary))
            if let (huntReport, found) = hunt {
                Console.out("\nSigma detections")
                HuntPrinter(format: .text).print(huntReport, found, events: huntEvents)
            }
        }
        if report.hasDiagnostics { throw ExitCode(2) }
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
