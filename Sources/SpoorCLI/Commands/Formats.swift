import SpoorCore
import ArgumentParser
import SpoorParsers

struct Formats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the log formats spoor reads.",
        discussion: """
            Formats are recognised from content; name one with `spoor ingest --log-format NAME` to \
            override recognition. Text in no known format is read line by line as `text`.
            """)

    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json]) }

    func run() async throws {
        let all = LogFormat.builtIn + [LogFormat.plainText]
        if output == .json {
            JSONOutput.print(.array(all.map { .object([("name", .string($0.name)), ("summary", .string($0.summary)),
                                                      ("framing", .string($0.framing.description))]) }))
            return
        }
        var table = TextTable(["name", "summary"])
        table.maximumWidth = 120
        for f in all { table.add([f.name, f.summary]) }
        Console.out(table.render())
    }
}
