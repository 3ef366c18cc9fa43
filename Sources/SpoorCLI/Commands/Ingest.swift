import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorIngest

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read log files, folders and archives into a case.",
        discussion: """
            Files are recognised by content: gzip, bzip2, xz and zip (member by member) are \
            decompressed, and each source's format is sniffed from its first lines (see `spoor formats`). \
            Every record becomes an event or a counted reject with its location (file:record:offset). \
            Ingest is resumable: a source already in the case adds nothing, a grown file adds only its \
            new records, and an interrupted ingest continues where its last batch was committed.

            Examples:
              spoor ingest /var/log/auth.log* --case acme --org acme --tz Europe/Zurich
              spoor ingest zeek-logs/ --case acme --output json

            Exit codes: 0 all records became events; 2 some records were rejected or sources \
            skipped, missing or cut short (see the report); 1 failure (the case could not be written, \
            or --strict met a rejected record).
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ingest: IngestArguments
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
    @Argument(help: ArgumentHelp("Files, folders or archives to read.", valueName: "path")) var paths: [String]

    func validate() throws {
        try require(output, in: [.text, .json])
        guard !paths.isEmpty else { throw ValidationError("Give at least one path to ingest.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let bar = ProgressBar(label: "ingest", unit: .bytes)
        let report: IngestReport
        do {
            report = try await workspace.ingest(paths, options: ingest.options, strict: ingest.strict,
                                                arguments: CommandLine.arguments) { done, total in bar.update(done: done, total: total) }
        } catch {
            bar.finish()
            Console.err("spoor: \(error)")
            throw ExitCode.failure
        }
        bar.finish()
        IngestPrinter.print(report, format: output)
        if report.hasDiagnostics { throw ExitCode(2) }
    }
}

enum IngestPrinter {
    static func print(_ report: IngestReport, format: OutputFormat) {
        if format == .json { JSONOutput.print(JSONOutput.ingest(report)); return }
        var table = TextTable(["source", "format", "records", "events", "rejects", "note"])
        for s in report.sources {
            let note = s.skipped.map { "skipped: \($0)" } ?? s.error.map { "error: \($0)" }
                ?? s.resumedAt.map { "already in the case up to byte \($0)" } ?? ""
            table.add([s.path, s.format ?? "-", "\(s.records)", "\(s.events)", "\(s.rejects)", note])
        }
        Console.out(table.render())
        for m in report.missing { Console.out("missing: \(TerminalText.sanitize(m))") }
        let mbps = report.seconds > 0 ? Double(report.bytes) / report.seconds / 1_048_576 : 0
        Console.out(String(format: "\n%d records: %d events, %d rejects, from %@ in %.2f s (%.1f MiB/s)",
                           report.records, report.events, report.rejects, ByteCount.format(report.bytes), report.seconds, mbps))
        let examples = report.sources.flatMap(\.rejectExamples).prefix(5)
        if !examples.isEmpty {
            Console.out("\nfirst rejects (all are in the case: spoor rejects):")
            for r in examples {
                Console.out("  \(TerminalText.sanitize(r.location.description)): \(r.code): \(r.reason)")
            }
        }
    }
}
