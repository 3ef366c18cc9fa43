import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorDetectors

struct Detect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run spoor's detectors over a case: \(DetectorCatalog.names.joined(separator: ", ")).",
        discussion: """
            Detectors need no rules and no labels: each scores entities by how far their behaviour \
            is from what the rest of the data does, and explains the score with sub-scores and the \
            evidence events. Findings are stored in the case as detections (engine `detector`) and \
            become labelling functions for `spoor label`.

            \(DetectorCatalog.names.map { "  \($0): \(DetectorCatalog.summary($0))" }.joined(separator: "\n"))

            Examples:
              spoor detect --case acme
              spoor detect --case acme --detector beaconing --detector dga --output jsonl
              spoor detect dga --domains names.txt --output jsonl

            Each JSON line: detector, score, subscores, entity, first_seen, last_seen, evidence \
            (case event ids; see them with `spoor events --case DIR --id N`).

            Exit codes: 0 success, 1 failure.
            """,
        subcommands: [DetectRun.self, DetectDGA.self],
        defaultSubcommand: DetectRun.self)
}

struct DetectRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the detectors over a case (the default).")

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .customLong("detector"), help: ArgumentHelp("A detector to run (\(DetectorCatalog.names.joined(separator: ", "))); repeat for more. All by default.", valueName: "name"))
    var detectors: [String] = []
    @Option(help: ArgumentHelp("Only findings scoring at least this (0…1).", valueName: "score")) var minScore: Double = 0
    @Option(help: ArgumentHelp("At most this many findings printed (all are stored).", valueName: "n")) var limit: Int = 50
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json, .jsonl])
        for d in detectors where !DetectorCatalog.names.contains(d) {
            throw ValidationError("Unknown detector '\(d)'. Known: \(DetectorCatalog.names.joined(separator: ", ")).")
        }
        guard (0...1).contains(minScore) else { throw ValidationError("--min-score must be in 0…1.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let bar = ProgressBar(label: "detect")
        let (report, found) = try await workspace.detect(detectors.isEmpty ? DetectorCatalog.names : detectors, arguments: CommandLine.arguments) { d, t in
            bar.update(done: d, total: t)
        }
        bar.finish()
        let shown = found.filter { $0.score >= minScore }
        switch output {
        case .json:
            Console.out("{\"report\":\(String(decoding: try JSONEncoder().encode(report), as: UTF8.self)),\"findings\":[" +
                        shown.map(FindingJSON.line).joined(separator: ",") + "]}")
        case .jsonl:
            for f in shown { Console.out(FindingJSON.line(f)) }
        default:
            var table = TextTable(["score", "detector", "entity", "first seen", "last seen", "evidence", "summary"])
            for f in shown.prefix(limit) {
                table.add([String(format: "%.3f", f.score), f.detector, f.entity.description, f.firstSeen.description, f.lastSeen.description,
                           String(f.evidence.count), f.summary])
            }
            Console.out(table.render())
            let counts = report.findings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Console.out("\(report.events) events, \(found.count) findings (\(counts)), \(report.newDetections) new in the case, \(String(format: "%.1f", report.seconds)) s")
        }
    }
}

/// One finding as a JSON line: detector, score, subscores, entity, first_seen, last_seen, evidence, summary.
enum FindingJSON {
    static func line(_ f: DetectorFinding) -> String {
        var s = "{\"detector\":\(JSONValue.quote(f.detector)),\"score\":\(f.score),\"subscores\":{"
        s += f.subscores.map { JSONValue.quote($0.name) + ":" + ($0.value.isFinite ? String($0.value) : "null") }.joined(separator: ",")
        s += "},\"entity\":{\"kind\":\(JSONValue.quote(f.entity.kind)),\"organization\":\(JSONValue.quote(f.entity.organization)),\"parts\":["
        s += f.entity.parts.map(JSONValue.quote).joined(separator: ",")
        s += "]},\"first_seen\":\(JSONValue.quote(f.firstSeen.description)),\"last_seen\":\(JSONValue.quote(f.lastSeen.description)),"
        s += "\"evidence\":[" + f.evidence.map(String.init).joined(separator: ",") + "],\"summary\":\(JSONValue.quote(f.summary))}"
        return s
    }
}

struct DetectDGA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dga",
        abstract: "Score a list of DNS names for looking machine-generated (DGA).",
        discussion: """
            Reads one name per line (blank lines and lines starting with # are skipped; a CSV line \
            keeps its last column) and scores each in 0…1: how unlike legitimate names its \
            registered label is (character n-grams, entropy, length, digits, consonant runs). The \
            model is trained on --benign names (and --dga examples when given), or loaded from \
            --model; with neither, it is trained on the list itself, which works when most names \
            in it are legitimate. --save writes the trained model as JSON for --model.

            Examples:
              spoor detect dga --domains queries.txt --output jsonl
              spoor detect dga --domains queries.txt --benign top-sites.txt --save dga-model.json
              spoor detect dga --domains queries.txt --model dga-model.json --min-score 0.9

            Each JSON line: domain, score.
            """)

    @Option(help: ArgumentHelp("The names to score, one per line.", valueName: "file")) var domains: String
    @Option(help: ArgumentHelp("Legitimate names to train on, one per line.", valueName: "file")) var benign: String?
    @Option(help: ArgumentHelp("Known DGA names to train on, one per line (optional).", valueName: "file")) var dga: String?
    @Option(help: ArgumentHelp("Registered domains of dynamic-DNS providers, one per line (such as MISP's dynamic-dns warninglist): names under them are scored by the label left of the provider's domain.", valueName: "file"))
    var dynamicDNS: String?
    @Option(help: ArgumentHelp("A model saved with --save.", valueName: "file")) var model: String?
    @Option(help: ArgumentHelp("Write the trained model here (JSON).", valueName: "file")) var save: String?
    @Option(help: ArgumentHelp("Only names scoring at least this.", valueName: "score")) var minScore: Double = 0
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json, .jsonl])
        if model != nil && (benign != nil || dga != nil) { throw ValidationError("Give --model or training names (--benign, --dga), not both.") }
        for f in [domains, benign, dga, model].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: f) {
            throw ValidationError("No such file: \(f)")
        }
    }

    static func names(_ path: String) throws -> [String] {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, !t.hasPrefix("#") else { return nil }
            return t.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
    }

    func run() async throws {
        let list = try Self.names(domains)
        let m: DGAModel
        if let model {
            m = try DGAModel(json: try Data(contentsOf: URL(fileURLWithPath: model)))
        } else {
            m = DGAModel(benign: try benign.map(Self.names) ?? list, dga: try dga.map(Self.names) ?? [],
                         dynamicDNS: Set(try dynamicDNS.map(Self.names) ?? []))
        }
        if let save { try m.json().write(to: URL(fileURLWithPath: save)) }
        let scored = m.score(names: list).filter { $0.score >= minScore }
        switch output {
        case .jsonl:
            for s in scored { Console.out("{\"domain\":\(JSONValue.quote(s.domain)),\"score\":\(s.score)}") }
        case .json:
            Console.out("[" + scored.map { "{\"domain\":\(JSONValue.quote($0.domain)),\"score\":\($0.score)}" }.joined(separator: ",") + "]")
        default:
            var table = TextTable(["score", "domain"])
            for s in scored.sorted(by: { $0.score > $1.score }) { table.add([String(format: "%.3f", s.score), s.domain]) }
            Console.out(table.render())
            Console.out("\(scored.count) names")
        }
    }
}
