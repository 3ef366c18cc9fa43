import SpoorCore
import ArgumentParser
import Foundation
import Spoor
import SpoorEvents
import SpoorParsers
import SpoorStore

struct SQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query over the case.",
        discussion: """
            The case is one SQLite database. Tables: events (fixed columns id, source_id, record, \
            offset, ts (µs since the epoch, UTC), organization_id, parser, and fields: a JSON object \
            of every field), events_view (common ECS fields as columns), sources (the ingest \
            ledger), rejects, runs, fields (the field catalogue). Only SELECT, WITH … SELECT, VALUES \
            and EXPLAIN run; anything that writes is refused.

            Examples:
              spoor sql --case acme "SELECT parser, count(*) FROM events GROUP BY parser"
              spoor sql --case acme "SELECT json_extract(fields, '$.\\"source.ip\\"') AS ip, count(*) AS n FROM events GROUP BY ip ORDER BY n DESC LIMIT 10"
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl, .csv])) var output: OutputFormat = .text
    @Option(help: ArgumentHelp("The most rows to print.", valueName: "n")) var limit: Int = 10_000
    @Argument(help: "The SQL statement.") var statement: String

    func validate() throws { try require(output, in: [.text, .json, .jsonl, .csv]) }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let result: QueryResult
        do { result = try await workspace.sql(statement, maximumRows: limit) } catch {
            Console.err("spoor sql: \(error)")
            throw ExitCode.failure
        }
        switch output {
        case .json:
            JSONOutput.print(.object([("columns", .array(result.columns.map(JSONValue.string))),
                                      ("rows", .array(result.rows.map { .array($0.map(JSONOutput.value)) })),
                                      ("truncated", .bool(result.isTruncated))]))
        case .jsonl:
            for row in result.rows {
                JSONOutput.print(.object(zip(result.columns, row).map { ($0, JSONOutput.value($1)) }))
            }
        case .csv:
            var out = CSVText.line(result.columns)
            for row in result.rows { out += CSVText.line(row.map { $0?.description ?? "" }) }
            FileHandle.standardOutput.write(Data(out.utf8))
        default:
            var table = TextTable(result.columns)
            for row in result.rows { table.add(row.map { $0?.description ?? "NULL" }) }
            Console.out(table.render())
            Console.out("\(result.rows.count) rows" + (result.isTruncated ? " (more were left off: --limit)" : ""))
        }
    }
}

/// RFC 4180 lines for small CLI results, with formula neutralisation like the CSV export.
enum CSVText {
    static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    static func cell(_ s: String) -> String {
        var v = s
        // A spreadsheet runs cells that start with these as formulas (CSV injection).
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
