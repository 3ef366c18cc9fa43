import SpoorCore
import SpoorParsers
import ArgumentParser
import Foundation
import Spoor
import SpoorEvents
import SpoorStore

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print stored events, optionally filtered.",
        discussion: """
            Each row carries its provenance (log.file.path, log.offset, spoor.record, spoor.parser) \
            so you can go back to the exact input line.

            Examples:
              spoor events --case acme --where event.outcome=failure --where source.ip=203.0.113.45
              spoor events --case acme --limit 1000 --output csv > failures.csv
              spoor events --case acme --output parquet --to events.parquet
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .customLong("where"), help: ArgumentHelp("A FIELD=VALUE condition; repeat for AND.", valueName: "field=value"))
    var conditions: [String] = []
    @Option(help: ArgumentHelp("The most events to print.", valueName: "n")) var limit: Int?
    @Option(name: .long, help: OutputFormat.help([.text, .jsonl, .csv, .parquet, .json])) var output: OutputFormat = .text
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var to: String?

    func validate() throws {
        for c in conditions where FieldEquality(parsing: c) == nil {
            throw ValidationError("--where '\(c)' is not FIELD=VALUE.")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        if output == .parquet && to == nil && TerminalText.stdoutIsTerminal {
            throw ValidationError("Parquet is binary: give --to FILE or redirect standard output.")
        }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let filter = conditions.compactMap(FieldEquality.init(parsing:))
        let batch = try await workspace.events(where: filter, limit: limit)
        let handle = try OutputFile.open(to)
        defer { OutputFile.close(handle, path: to) }
        switch output {
        case .jsonl, .json: try Workspace.write(batch, to: handle, format: .jsonl)
        case .csv: try Workspace.write(batch, to: handle, format: .csv)
        case .parquet: try Workspace.write(batch, to: handle, format: .parquet)
        case .text:
            var table = TextTable(["@timestamp", "host.name", "event.action", "source.ip", "user.name", "location", "message"])
            for r in 0..<batch.count {
                func v(_ f: String) -> String { batch.value(row: r, field: f)?.description ?? "" }
                let location = (v(Field.logFilePath) as NSString).lastPathComponent + ":" + v(Field.spoorRecord)
                table.add([v(Field.timestamp), v(Field.hostName), v(Field.eventAction), v(Field.sourceIP), v(Field.userName), location,
                           v(Field.message).isEmpty ? v(Field.urlOriginal) : v(Field.message)])
            }
            handle.write(Data((table.render() + "\n\(batch.count) events\n").utf8))
        }
    }
}

/// Standard output, or a file created for writing.
enum OutputFile {
    static func open(_ path: String?) throws -> FileHandle {
        guard let path else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("Cannot create \(path).")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw ValidationError("Cannot write \(path).") }
        return h
    }

    static func close(_ handle: FileHandle, path: String?) {
        if path != nil { try? handle.close() }
    }
}
