import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorStore
import SpoorIndicators

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events, a case's indicators or its labels, to Parquet, CSV, JSON Lines, STIX 2.1 or MISP.",
        discussion: """
            The format follows the file's extension: .parquet (read by pandas, pyarrow, DuckDB, \
            Spark), .csv (RFC 4180; cells starting with = + - @ are prefixed with ' so spreadsheets \
            do not run them) or .jsonl. Every event keeps its provenance fields.

            With --indicators, writes the case's indicators instead (one row each: kind, value, first \
            and last seen, sightings, hosts, sources, places, roles, intel), and two more formats: \
            .stix.json (a STIX 2.1 bundle: observables, indicators with patterns, sighting objects with \
            first_seen, last_seen and count) and .misp.json (a MISP event).

            With --labels, writes the newest labelling run (`spoor label`): one row per unit with \
            its kind, organisation, entity and window start, the label model's probability, the \
            majority vote, the end model's score, the votes (JSON and the list of functions), the \
            provenance (label run, label model version, time, the functions' estimated accuracies) \
            and every feature as a feature.<name> column — a labelled dataset for any learner.

            Examples:
              spoor export --case acme --to events.parquet
              spoor export --case acme --labels --to labels.parquet
              spoor export --case acme --to failures.csv --where event.outcome=failure
              spoor export --case acme --indicators --to iocs.stix.json
              spoor export --case acme --indicators --kind domain-name --to domains.parquet
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("The file to write (.parquet, .csv, .jsonl).", valueName: "file")) var to: String
    @Option(name: .customLong("where"), help: ArgumentHelp("A FIELD=VALUE condition; repeat for AND.", valueName: "field=value"))
    var conditions: [String] = []
    @Flag(help: "Export the case's indicators and their sightings instead of events.") var indicators = false
    @Flag(help: "Export the case's labelled units (features, probability, provenance) instead of events.") var labels = false
    @Option(name: .long, help: ArgumentHelp("With --indicators: only this kind (repeatable).", valueName: "kind")) var kind: [String] = []
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        if indicators && labels { throw ValidationError("Give --indicators or --labels, not both.") }
        if indicators {
            guard IndicatorExportFormat(path: to) != nil else {
                throw ValidationError("Cannot tell the format of '\(to)': use .parquet, .csv, .jsonl, .stix.json or .misp.json.")
            }
            for k in kind where IndicatorKind(rawValue: k) == nil { throw ValidationError("Unknown kind '\(k)'.") }
            try require(output, in: [.text, .json])
            return
        }
        guard ExportFormat(path: to) != nil else { throw ValidationError("Cannot tell the format of '\(to)': use .parquet, .csv or .jsonl.") }
        for c in conditions where FieldEquality(parsing: c) == nil { throw ValidationError("--where '\(c)' is not FIELD=VALUE.") }
        try require(output, in: [.text, .json])
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let handle = try OutputFile.open(to)
        defer { OutputFile.close(handle, path: to) }
        if indicators, let format = IndicatorExportFormat(path: to) {
            let n = try await workspace.exportIndicators(to: handle, format: format, kinds: kind.compactMap(IndicatorKind.init(rawValue:)))
            if output == .json {
                JSONOutput.print(.object([("file", .string(to)), ("format", .string(format.rawValue)), ("indicators", JSONOutput.int(n))]))
            } else {
                Console.out("\(n) indicators written to \(TerminalText.sanitize(to)) (\(format.rawValue))")
            }
            return
        }
        // safe: validate() checked that the extension names a format.
        let format = ExportFormat(path: to)!
        if labels {
            let n = try await workspace.exportLabels(to: handle, format: format)
            if output == .json {
                JSONOutput.print(.object([("file", .string(to)), ("format", .string(format.rawValue)), ("units", JSONOutput.int(n))]))
            } else {
                Console.out("\(n) labelled units written to \(TerminalText.sanitize(to)) (\(format.rawValue))")
            }
            return
        }
        let n = try await workspace.export(to: handle, format: format, where: conditions.compactMap(FieldEquality.init(parsing:)))
        if output == .json {
            JSONOutput.print(.object([("file", .string(to)), ("format", .string(format.rawValue)), ("events", JSONOutput.int(n))]))
        } else {
            Console.out("\(n) events written to \(TerminalText.sanitize(to)) (\(format.rawValue))")
        }
    }
}
