import ArgumentParser
import Foundation
import Logging
import Spoor
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorRules

/// Where `hunt` and `rules check` take their rules from.
struct RuleArguments: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("A Sigma rule file or folder (searched recursively for .yml/.yaml). Repeat for more.", valueName: "path"))
    var rules: [String] = []

    @Option(name: .customLong("bindings"), help: ArgumentHelp("A folder of your own logsource binding files (YAML; `spoor rules bindings DIR` writes spoor's as a start); they win over spoor's. Repeat for more.", valueName: "dir"))
    var bindings: [String] = []

    @Option(name: .customLong("placeholders"), help: ArgumentHelp("A YAML file of values for `expand` placeholders (name: [values]); rules with unresolved placeholders are unsupported.", valueName: "file"))
    var placeholders: String?

    func load(_ paths: [String]) throws -> RuleSet {
        let values = try placeholders.map { try RuleSet.placeholders(file: $0) } ?? [:]
        return try RuleSet.load(paths: paths, bindingFolders: bindings, placeholders: values)
    }
}

extension SigmaLevel: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

struct Hunt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Sigma rules over a case or over log files, and store what they find.",
        discussion: """
            Rules follow the Sigma specification v2.1 (SigmaHQ's rules run as they are): every \
            modifier, the full condition grammar, correlation rules (event_count, value_count, \
            temporal, temporal_ordered, value_sum/avg/percentile) and filters. A rule's logsource and \
            field names are bound to spoor's events by binding files (Windows/Sysmon, Linux, web, \
            Zeek, …; add your own with --bindings). Rules spoor cannot run are listed by \
            `spoor rules check` with the reason.

            With --case, every event in the case is searched and the detections are stored in it \
            (rule id, title, level, ATT&CK tags, the events). Given log paths instead, they are \
            ingested into a temporary case and only this run's matches are printed.

            Output: text (a table), jsonl (one JSON object per match), csv, or timeline (CSV with \
            Hayabusa's standard-profile columns and Timesketch's datetime, timestamp_desc and message).

            Examples:
              spoor hunt --rules sigma/rules/windows --case acme
              spoor hunt --rules my-rules/ --rules sigma/rules --min-level high --output jsonl Security.evtx
              spoor hunt --rules sigma/rules --case acme --output timeline > timeline.csv

            Exit codes: 0 success (with or without matches); 1 failure; 2 some rules could not be \
            read or run (see `spoor rules check`).
            """)

    @OptionGroup var ruleArguments: RuleArguments
    @Option(name: .customLong("case"), help: ArgumentHelp("Hunt in this case directory.", valueName: "dir"))
    var caseDirectory: String?
    @Option(name: .customLong("min-level"), help: ArgumentHelp("Report only rules at this level or above: informational, low, medium, high, critical.", valueName: "level"))
    var minLevel: SigmaLevel = .informational
    @Option(name: .long, help: ArgumentHelp("Output format: text, jsonl, csv, timeline, json.", valueName: "format"))
    var output: HuntOutput = .text
    @Option(help: ArgumentHelp("Log level for diagnostics on standard error.", valueName: "level"))
    var logLevel: Logger.Level = .warning
    @OptionGroup var ingest: IngestArguments
    @Argument(help: ArgumentHelp("Log files, folders or archives to hunt in (instead of --case).", valueName: "path"))
    var paths: [String] = []

    enum HuntOutput: String, ExpressibleByArgument, CaseIterable { case text, jsonl, csv, timeline, json }

    func validate() throws {
        guard !ruleArguments.rules.isEmpty else { throw ValidationError("Give at least one --rules PATH (a Sigma rule file or folder).") }
        guard (caseDirectory == nil) != paths.isEmpty else {
            throw ValidationError(paths.isEmpty ? "Give --case DIR or log paths to hunt in." : "Give either --case DIR or log paths, not both.")
        }
    }

    func run() async throws {
        CLILogging.bootstrap(logLevel)
        let rules: RuleSet
        do { rules = try ruleArguments.load(ruleArguments.rules) } catch {
            Console.err("spoor: \(error)")
            throw ExitCode.failure
        }
        for d in rules.loaded.diagnostics where d.severity == .error { Console.err("spoor: \(TerminalText.sanitize(d.description))") }
        var temporary: String? = nil
        let directory: String
        if let caseDirectory { directory = caseDirectory } else {
            let t = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-hunt-\(UUID().uuidString)").path
            temporary = t
            directory = t
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let workspace = try await Workspace.open(caseDirectory: directory)
        if !paths.isEmpty {
            let bar = ProgressBar(label: "ingest", unit: .bytes)
            let report = try await workspace.ingest(paths, options: ingest.options, strict: ingest.strict, arguments: CommandLine.arguments) { d, t in
                bar.update(done: d, total: t)
            }
            bar.finish()
            if report.hasDiagnostics { Console.err("spoor: \(report.rejects) records rejected or sources skipped while reading the logs (see `spoor ingest`)") }
        }
        let bar = ProgressBar(label: "hunt")
        let (report, found) = try await workspace.hunt(rules, minimumLevel: minLevel, arguments: CommandLine.arguments) { d, t in
            bar.update(done: d, total: t)
        }
        bar.finish()
        let events = try await workspace.events(ids: found.flatMap { $0.eventIDs.prefix(1) })
        HuntPrinter(format: output).print(report, found, events: events)
        let problems = rules.program.unsupported.count + rules.program.invalid.count + rules.loaded.errors.count
        if problems > 0 {
            Console.err("spoor: \(problems) rules could not be read or run; `spoor rules check` lists them with the reason")
            throw ExitCode(2)
        }
    }
}

/// Prints hunt results in each output format.
struct HuntPrinter {
    var format: Hunt.HuntOutput

    /// The event facts a detection row shows.
    struct Facts {
        var host = "", channel = "", code = "", record = "", file = "", details = ""
        init(_ e: Event?) {
            guard let e else { return }
            host = e[Field.hostName]?.description ?? e[Field.winlogComputerName]?.description ?? ""
            channel = e[Field.winlogChannel]?.description ?? e[Field.eventDataset]?.description ?? ""
            code = e[Field.eventCode]?.description ?? ""
            record = e[Field.winlogRecordID]?.description ?? e[Field.spoorRecord]?.description ?? ""
            file = e[Field.logFilePath]?.description ?? ""
            details = Self.details(e)
        }

        /// A short summary: the fields an analyst reads first, in that order.
        static func details(_ e: Event) -> String {
            let keys = ["CommandLine", "Image", "ParentImage", "TargetFilename", "TargetObject", "Details", "QueryName",
                        "DestinationIp", "DestinationPort", "ServiceName", "ImagePath", "TargetUserName", "IpAddress",
                        "ScriptBlockText", "ObjectName", "ShareName", "RelativeTargetName"]
            var parts: [String] = []
            for k in keys {
                guard let v = e["winlog.event_data." + k]?.description, !v.isEmpty, v != "-" else { continue }
                parts.append("\(k): \(v.count > 200 ? String(v.prefix(200)) + "…" : v)")
                if parts.count == 4 { break }
            }
            if parts.isEmpty, let m = e[Field.message]?.description { parts.append(String(m.prefix(300))) }
            return parts.joined(separator: " ¦ ")
        }
    }

    func print(_ report: HuntReport, _ found: [Detection], events: [Int64: Event]) {
        switch format {
        case .text:
            var table = TextTable(["time", "level", "rule", "host", "event", "details"])
            for d in found {
                let f = Facts(d.eventIDs.first.flatMap { events[$0] })
                let event = [f.channel, f.code].filter { !$0.isEmpty }.joined(separator: " ")
                table.add([d.time.description, d.level, d.title + (d.engine == "sigma-correlation" ? " (correlation, \(d.eventIDs.count) events)" : ""),
                           f.host, event, TerminalText.sanitize(String(f.details.prefix(120)))])
            }
            if !found.isEmpty { Console.out(table.render()) }
            Console.out(String(format: "%d events, %d rules (%d unsupported), %d matches, %d correlation hits, %d new detections stored, %.2f s",
                               report.events, report.rules, report.unsupportedRules, report.matches, report.correlationHits,
                               report.newDetections, report.seconds))
        case .jsonl:
            for d in found { Console.out(object(d, events).jsonText) }
        case .json:
            let r = JSONValue.object([
                ("events", JSONOutput.int(report.events)), ("rules", JSONOutput.int(report.rules)),
                ("unsupported_rules", JSONOutput.int(report.unsupportedRules)), ("matches", JSONOutput.int(report.matches)),
                ("correlation_hits", JSONOutput.int(report.correlationHits)), ("new_detections", JSONOutput.int(report.newDetections)),
                ("seconds", .number(String(format: "%.3f", report.seconds))),
                ("detections", .array(found.map { object($0, events) })),
            ])
            Console.out(r.jsonText)
        case .csv:
            FileHandle.standardOutput.write(Data(CSVText.line(["time", "engine", "rule_id", "title", "level", "tags", "host", "channel",
                                                                "event_code", "record_id", "log_file_path", "event_ids", "details"]).utf8))
            for d in found {
                let f = Facts(d.eventIDs.first.flatMap { events[$0] })
                FileHandle.standardOutput.write(Data(CSVText.line([d.time.description, d.engine, d.ruleID, d.title, d.level, d.tags.joined(separator: " "),
                                                                    f.host, f.channel, f.code, f.record, f.file,
                                                                    d.eventIDs.map(String.init).joined(separator: " "), f.details]).utf8))
            }
        case .timeline:
            // Timesketch's required columns first (message, datetime, timestamp_desc), then
            // Hayabusa's standard profile (Timestamp, RuleTitle, Level, Computer, Channel, EventID,
            // RecordID, Details, ExtraFieldInfo), then the rule id and tags.
            FileHandle.standardOutput.write(Data(CSVText.line(["datetime", "timestamp_desc", "message", "Timestamp", "RuleTitle", "Level",
                                                                "Computer", "Channel", "EventID", "RecordID", "Details", "ExtraFieldInfo",
                                                                "RuleID", "Tags"]).utf8))
            for d in found {
                let f = Facts(d.eventIDs.first.flatMap { events[$0] })
                let extra = d.engine == "sigma-correlation" ? d.details : f.file
                FileHandle.standardOutput.write(Data(CSVText.line([d.time.description, "Event Time", "\(d.title): \(f.details)", d.time.description,
                                                                    d.title, d.level, f.host, f.channel, f.code, f.record, f.details, extra,
                                                                    d.ruleID, d.tags.joined(separator: ",")]).utf8))
            }
        }
    }

    func object(_ d: Detection, _ events: [Int64: Event]) -> JSONValue {
        let e = d.eventIDs.first.flatMap { events[$0] }
        let f = Facts(e)
        return .object([
            ("time", .string(d.time.description)), ("engine", .string(d.engine)), ("rule_id", .string(d.ruleID)),
            ("title", .string(d.title)), ("level", .string(d.level)), ("tags", .array(d.tags.map(JSONValue.string))),
            ("event_ids", .array(d.eventIDs.map { .number(String($0)) })),
            ("host", .string(f.host)), ("channel", .string(f.channel)), ("event_code", .string(f.code)), ("record_id", .string(f.record)),
            ("log_file_path", .string(f.file)), ("log_offset", JSONOutput.value(e?[Field.logOffset])),
            ("spoor_record", JSONOutput.value(e?[Field.spoorRecord])),
            ("details", (try? JSONParser(maximumDepth: 16).parse(Array(d.details.utf8).span)) ?? .object([])),
        ])
    }
}
