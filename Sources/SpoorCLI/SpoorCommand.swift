import ArgumentParser
import Foundation
import Logging

@main
struct SpoorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoor",
        abstract: "Security data science on the traces attacks leave in logs.",
        discussion: """
            Start with `spoor analyze`: with no path it runs on a built-in demo (a small \
            organisation's logs with an intrusion in them); with paths it reads your logs.

            A case is a directory (default ./spoor-case) holding everything spoor stores. Every \
            command that uses one takes --case DIR; every command can print --output json.

            Exit codes: 0 success, 1 failure, 2 finished with diagnostics (rejected records, \
            skipped or missing sources).
            """,
        version: "0.1.0",
        subcommands: [Analyze.self, Ingest.self, Formats.self, Events.self, SQL.self, Export.self, Sources.self, Rejects.self, Sessions.self, Hunt.self, Rules.self, Iocs.self, SightingsCommand.self, Intel.self, Detect.self, Label.self, Train.self, Evaluate.self, Simulate.self, Inject.self, Bench.self])
}

/// Options every command that uses a case shares.
struct CaseOptions: ParsableArguments {
    @Option(name: .customLong("case"), help: ArgumentHelp("The case directory (created if missing).", valueName: "dir"))
    var caseDirectory: String = "spoor-case"

    @Option(help: ArgumentHelp("Log level for diagnostics on standard error.", valueName: "level"))
    var logLevel: Logger.Level = .warning
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Sets up logging once, for the CLI process (libraries only read `Logger.current`).
enum CLILogging {
    static func bootstrap(_ level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
