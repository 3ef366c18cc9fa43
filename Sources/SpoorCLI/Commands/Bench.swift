import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorParsers

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure ingest speed on your machine, beside cat and wc -l on the same input.",
        discussion: """
            For each format, builds an input of about --size MB from a seed log (yours with \
            --seed-syslog/--seed-zeek/--seed-access, or the built-in demo's), replicated with \
            perturbed addresses, hosts, users and times so no cache can fake a speed-up, then \
            measures in one run: cat and wc -l (the floor), parsing into columns, and ingest with \
            the SQLite write. Figures are MB per CPU second (user + system); the share of distinct \
            values per field shows the perturbation worked.

            Example:
              spoor bench --size 200 --seed-syslog OpenSSH_2k.log --output json
            """)

    @Option(help: ArgumentHelp("Input size per format, in MB.", valueName: "mb")) var size: Int = 100
    @Option(help: ArgumentHelp("Formats to measure: syslog, zeek, access (comma-separated).", valueName: "list"))
    var formats: String = "syslog,zeek,access"
    @Option(help: ArgumentHelp("Seed for syslog (an auth log).", valueName: "file")) var seedSyslog: String?
    @Option(help: ArgumentHelp("Seed for Zeek TSV (a conn.log, gzip allowed).", valueName: "file")) var seedZeek: String?
    @Option(help: ArgumentHelp("Seed for combined access logs.", valueName: "file")) var seedAccess: String?
    @Option(help: ArgumentHelp("Where inputs and scratch cases go (default: a temporary folder, removed after).", valueName: "dir"))
    var work: String?
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        guard size >= 1 else { throw ValidationError("--size must be at least 1 MB.") }
        for f in formats.split(separator: ",") where BenchCorpus.Kind(rawValue: String(f)) == nil {
            throw ValidationError("Unknown bench format '\(f)': use syslog, zeek or access.")
        }
    }

    func run() async throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: work ?? fm.temporaryDirectory.appendingPathComponent("spoor-bench-\(UUID().uuidString)").path)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if work == nil { try? fm.removeItem(at: dir) } }
        let demo = dir.appendingPathComponent("demo-seeds")
        try DemoLogs.write(to: demo)
        var results: [IngestBenchmark.Figures] = []
        for name in formats.split(separator: ",") {
            // safe: validate() checked every name.
            let kind = BenchCorpus.Kind(rawValue: String(name))!
            let (seedPath, format): (String, String) = switch kind {
            case .syslog: (seedSyslog ?? demo.appendingPathComponent("web01/auth.log").path, "syslog")
            case .zeek: (seedZeek ?? demo.appendingPathComponent("sensor/conn.log").path, "zeek-tsv")
            case .access: (seedAccess ?? demo.appendingPathComponent("web01/access.log").path, "access-combined")
            }
            let input = dir.appendingPathComponent("bench-\(kind.rawValue).log").path
            if output == .text { Console.err("building \(size) MB of \(kind.rawValue) from \(seedPath)…") }
            try BenchCorpus.write(kind: kind, seed: try BenchCorpus.readSeed(seedPath), bytes: size * 1_000_000, to: input)
            if output == .text { Console.err("measuring \(kind.rawValue)…") }
            var figures = try await IngestBenchmark.measure(file: input, format: format, workDirectory: dir)
            figures.file = seedPath
            results.append(figures)
            try? fm.removeItem(atPath: input)
        }
        if output == .json {
            let data = try JSONEncoder().encode(results)
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        var table = TextTable(["format", "MB", "events", "cat MB/cpu-s", "wc -l MB/cpu-s", "parse MB/cpu-s", "parse events/cpu-s", "+SQLite MB/cpu-s", "+SQLite wall s"])
        for f in results {
            table.add([f.format, String(format: "%.1f", Double(f.bytes) / 1e6), "\(f.events)",
                       String(format: "%.0f", f.cat.megabytesPerCPUSecond), String(format: "%.0f", f.wc.megabytesPerCPUSecond),
                       String(format: "%.1f", f.parse.megabytesPerCPUSecond), String(format: "%.0f", f.parseEventsPerCPUSecond),
                       String(format: "%.1f", f.ingest.megabytesPerCPUSecond), String(format: "%.2f", f.ingest.wallSeconds)])
        }
        Console.out(table.render())
        for f in results {
            let shares = f.distinctShare.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }.joined(separator: ", ")
            Console.out("\(f.format): distinct values per event: \(shares)")
        }
    }
}
