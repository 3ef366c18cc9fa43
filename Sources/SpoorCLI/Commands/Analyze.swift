import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorIngest

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: read logs into a case and report what is in them.",
        discussion: """
            With no path, runs on the built-in demo: a small organisation's logs (OpenSSH, sudo, \
            cron, nginx, Zeek, an application's JSON lines) with an intrusion in them, written to a \
            temporary folder and read back through the real parsers.

            Today analyze ingests and summarises (time span, formats, actions, where failures come \
            from). Indicators, the graph, Sigma hunting, detectors and labels join this command as \
            they land.

            Examples:
              spoor analyze
              spoor analyze /var/log --case acme --org acme --tz Europe/Zurich --output json
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ingest: IngestArguments
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
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
        if output == .json {
            JSONOutput.print(.object([("ingest", JSONOutput.ingest(report)), ("summary", JSONOutput.summary(summary))]))
        } else {
            IngestPrinter.print(report, format: .text)
            Console.out("\n" + SummaryPrinter.render(summary))
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
