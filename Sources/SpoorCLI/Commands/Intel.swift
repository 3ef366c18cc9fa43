import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorIndicators
import SpoorIntel
import SpoorStore

struct Intel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Threat intel and reference data: import feeds into a case and see what they match.",
        subcommands: [IntelImport.self, IntelSources.self, IntelMatches.self])
}

struct IntelImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Imports intel files into a case and retro-hunts them over everything the case has seen.",
        discussion: """
            Recognises each file by its content: STIX 2.1 bundles (indicators with patterns, \
            sightings, relationships, malware and threat actors; the ATT&CK bundle is also kept for \
            technique names), MISP events and feed manifests (the manifest's event files beside it), \
            MISP warninglists (known-benign: public resolvers, cloud ranges, top domains), prefix→ASN \
            tables (pyasn `ipasn` files, iptoasn TSV) and MaxMind .mmdb databases (AS of the time a \
            sighting was made), RIR delegated-stats files (country and holder), and plain lists or CSV \
            (one IP, CIDR, domain, URL, e-mail or hash per line; abuse.ch comment headers give the \
            feed date). Folders are read recursively; .gz and .bz2 files decompressed.

            Every indicator of the case that new intel names is reported with when the intel became \
            known (its valid_from, else now) and whether — and how long before, on which hosts — the \
            case saw it first: "seen before it was known". The same file imported twice adds nothing.

            Examples:
              spoor intel import urlhaus.csv feodo-ipblocklist.txt --case acme
              spoor intel import misp-warninglists/lists ipasn_20140513.dat.gz --case acme
              spoor intel import apt1.json --case acme --output json

            Exit codes: 0 success, 1 failure, 2 finished with problems (lines or objects not understood).
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Argument(help: ArgumentHelp("Intel files or folders.", valueName: "path")) var paths: [String]
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        for p in paths where !FileManager.default.fileExists(atPath: p) { throw ValidationError("No such file or folder: '\(p)'.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let bar = ProgressBar(label: "intel", unit: .files)
        let report = try await workspace.importIntel(paths, arguments: CommandLine.arguments) { d, t in bar.update(done: d, total: t) }
        bar.finish()
        let problems = report.files.reduce(0) { $0 + $1.problems.count }
        switch output {
        case .json:
            Console.out(JSONValue.object([
                ("files", .array(report.files.map { f in
                    .object([("path", .string(f.path)), ("format", .string(f.format)), ("facts", JSONOutput.int(f.facts)),
                             ("patterns", JSONOutput.int(f.patterns)), ("new", .bool(f.isNew)), ("kept_as", JSONOutput.string(f.keptAs)),
                             ("problems", .array(f.problems.prefix(100).map(JSONValue.string)))])
                })),
                ("matches", .array(report.matches.map(IntelMatches.json))),
                ("pattern_matches", JSONOutput.int(report.patterns?.matches ?? 0)),
            ]).jsonText)
        default:
            var table = TextTable(["file", "format", "facts", "patterns", "problems", "note"])
            for f in report.files {
                table.add([f.path, f.format, String(f.facts), String(f.patterns), String(f.problems.count),
                           f.isNew ? (f.keptAs.map { "kept as \($0)" } ?? "") : "already imported"])
            }
            Console.out(table.render())
            IntelMatches.printTable(report.matches)
            if let p = report.patterns {
                Console.out("\(p.patterns) STIX patterns matched over \(p.events) events: \(p.matches) matches (`spoor hunt --case … --output` lists detections with engine stix-pattern)")
            }
            if problems > 0 { Console.err("spoor: \(problems) lines or objects were not understood (--output json lists them)") }
        }
        if problems > 0 { throw ExitCode(2) }
    }
}

struct IntelSources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Lists the intel files imported into a case.",
        discussion: "Example:\n  spoor intel sources --case acme --output json\n\nExit codes: 0 success, 1 failure.")

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json]) }

    func run() async throws {
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let list = try await workspace.intelSources()
        if output == .json {
            Console.out(String(decoding: try JSONEncoder().encode(list), as: UTF8.self))
            return
        }
        var table = TextTable(["id", "name", "format", "imported", "facts", "patterns", "problems"])
        for s in list {
            table.add([String(s.id), s.name, s.format, s.importedAt.description, String(s.facts), String(s.patterns), String(s.problems)])
        }
        Console.out(table.render())
    }
}

struct IntelMatches: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matches",
        abstract: "Indicators of a case that intel names, with how long before the intel the case saw them.",
        discussion: """
            Lists every indicator of the case named by imported intel (malicious facts by default; \
            --benign for warninglist and allow-list knowledge), longest lead first.

            Examples:
              spoor intel matches --case acme
              spoor intel matches --case acme --benign --output json

            Exit codes: 0 success, 1 failure.
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Flag(help: "Show known-benign matches (warninglists) instead of malicious ones.") var benign = false
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json, .jsonl]) }

    func run() async throws {
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        _ = try await workspace.extractIndicators(arguments: CommandLine.arguments)
        let matches = try await workspace.intelMatches(polarity: benign ? .benign : .malicious)
        switch output {
        case .json: Console.out(JSONValue.array(matches.map(Self.json)).jsonText)
        case .jsonl: for m in matches { Console.out(Self.json(m).jsonText) }
        default: Self.printTable(matches)
        }
    }

    static func json(_ m: IntelMatch) -> JSONValue {
        .object([
            ("kind", .string(m.indicator.kind.rawValue)), ("value", .string(m.indicator.value)),
            ("polarity", .string(m.fact.polarity.rawValue)), ("intel_source", .string(m.fact.source)),
            ("labels", .array(m.fact.labels.map(JSONValue.string))), ("reference", JSONOutput.string(m.fact.reference)),
            ("known_at", .string(m.knownAt.description)), ("first_seen", .string(m.firstSeen.description)),
            ("last_seen", .string(m.lastSeen.description)), ("seen_before_known", .bool(m.seenBeforeKnown)),
            ("lead_seconds", JSONOutput.int(Int(m.leadMicroseconds / 1_000_000))), ("sightings_before", JSONOutput.int(m.sightingsBefore)),
            ("hosts_before", .array(m.hostsBefore.map(JSONValue.string))),
        ])
    }

    static func printTable(_ matches: [IntelMatch]) {
        guard !matches.isEmpty else { Console.out("no indicator of the case is named by this intel"); return }
        if matches.allSatisfy({ $0.fact.polarity == .benign }) {
            var table = TextTable(["kind", "value", "known benign per", "first seen", "last seen"])
            for m in matches {
                table.add([m.indicator.kind.rawValue, m.indicator.value, m.fact.source, m.firstSeen.description, m.lastSeen.description])
            }
            Console.out(table.render())
            Console.out("\(Set(matches.map(\.indicator)).count) indicators on warninglists or allow lists")
            return
        }
        var table = TextTable(["kind", "value", "intel", "known", "first seen", "seen before known", "hosts before"])
        for m in matches {
            table.add([m.indicator.kind.rawValue, m.indicator.value, m.fact.source, m.knownAt.description, m.firstSeen.description,
                       m.seenBeforeKnown ? SightingsCommand.duration(m.leadMicroseconds) + " before" : "no",
                       m.hostsBefore.joined(separator: " ")])
        }
        Console.out(table.render())
        let early = matches.filter(\.seenBeforeKnown).count
        Console.out("\(matches.count) indicators named by intel, \(early) seen before the intel was known")
    }
}
