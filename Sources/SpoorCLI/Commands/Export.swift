import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events to Parquet, CSV or JSON Lines.",
        discussion: """
            The format follows the file's extension: .parquet (read by pandas, pyarrow, DuckDB, \
            Spark), .csv (RFC 4180; cells starting with = + - @ are prefixed with ' so spreadsheets \
            do not run them) or .jsonl. Every event keeps its provenance fields.

            Examples:
              spoor export --case acme --to events.parquet
              spoor export --case acme --to failures.csv --where event.outcome=failure
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("The file to write (.parquet, .csv, .jsonl).", valueName: "file")) var to: String
    @Option(name: .customLong("where"), help: ArgumentHelp("A FIELD=VALUE condition; repeat for AND.", valueName: "field=value"))
    var conditions: [String] = []
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        guard ExportFormat(path: to) != nil else { throw ValidationError("Cannot tell the format of '\(to)': use .parquet, .csv or .jsonl.") }
        for c in conditions where FieldEquality(parsing: c) == nil { throw ValidationError("--where '\(c)' is not FIELD=VALUE.") }
        try require(output, in: [.text, .json])
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let handle = try OutputFile.open(to)
        defer { OutputFile.close(handle, path: to) }
        // safe: validate() checked that the extension names a format.
        let format = ExportFormat(path: to)!
        let n = try await workspace.export(to: handle, format: format, where: conditions.compactMap(FieldEquality.init(parsing:)))
        if output == .json {
            JSONOutput.print(.object([("file", .string(to)), ("format", .string(format.rawValue)), ("events", JSONOutput.int(n))]))
        } else {
            Console.out("\(n) events written to \(TerminalText.sanitize(to)) (\(format.rawValue))")
        }
    }
}
