import SpoorParsers
import ArgumentParser
import Spoor
import SpoorCore
import SpoorIngest

struct Sources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the sources in a case (the ingest ledger).",
        discussion: "Each source with its format, how far it was read, and its event and reject counts.")

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json]) }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let sources = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory).sources()
        if output == .json {
            JSONOutput.print(.array(sources.map { s in
                .object([("path", .string(s.path)), ("format", .string(s.format)), ("committed_offset", .number(String(s.committedOffset))),
                         ("records", .number(String(s.committedRecords))), ("events", .number(String(s.events))),
                         ("rejects", .number(String(s.rejects))), ("complete", .bool(s.isComplete))])
            }))
            return
        }
        var table = TextTable(["path", "format", "bytes read", "records", "events", "rejects", "complete"])
        for s in sources {
            table.add([s.path, s.format, "\(s.committedOffset)", "\(s.committedRecords)", "\(s.events)", "\(s.rejects)", s.isComplete ? "yes" : "no"])
        }
        Console.out(table.render())
    }
}

struct Rejects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show records that did not become events, with where they are and why.",
        discussion: "Each reject has its location (file:record:offset), a reason code, and the record's first bytes (shown escaped).")

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("The most rejects to show.", valueName: "n")) var limit: Int = 100
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json, .jsonl]) }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let rejects = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory).rejects(limit: limit)
        switch output {
        case .json: JSONOutput.print(.array(rejects.map(JSONOutput.reject)))
        case .jsonl: for r in rejects { JSONOutput.print(JSONOutput.reject(r)) }
        default:
            for r in rejects {
                Console.out("\(TerminalText.sanitize(r.location.description)): \(r.code): \(r.reason)")
                Console.out("    " + TerminalText.sanitize(ByteText.string(r.firstBytes)))
            }
            Console.out("\(rejects.count) rejects shown")
        }
    }
}
