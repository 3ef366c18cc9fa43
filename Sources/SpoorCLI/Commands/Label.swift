import ArgumentParser
import Foundation
import Spoor
import SpoorLabels
import SpoorCore
import SpoorDetectors

struct Label: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label the case's units without ground truth: votes of rules, intel, warninglists and detectors, combined by a label model.",
        discussion: """
            A unit is what a label is about: by default a host during one hour (host-hour); also \
            user-day and pair-day (source → destination per day). A host's events keyed by its \
            address (Zeek, firewalls) join those keyed by its name (Windows, syslog) when the case \
            binds the address to the name: a machine account's logon from it, or an event naming \
            both (Sysmon's network connections); --keep-addresses keeps them apart. Labelling \
            functions vote on units:

              sigma:<rule>    the detections of one Sigma rule (run `spoor hunt` first)  malicious
              detector:<name> detector findings scoring ≥ --detector-threshold          malicious
                              (beacons only to destinations few sources beacon to)
              intel:<source>  an indicator of the unit named by that intel source       malicious
              warninglist     an indicator of the unit on a MISP warninglist            benign
              user:<rule>     your own functions: Sigma rules tagged spoor.vote.malicious
                              or spoor.vote.benign (--functions)

            The label model estimates, without any ground truth, how often each function is right \
            for each class, which functions depend on each other, and the share of malicious units \
            (attacks are rare: the prior is part of the model), and gives every unit a calibrated \
            P(malicious). Every label is stored with the votes that made it, the functions' \
            estimated accuracies and the model version; `spoor train` learns from them and \
            `spoor export --labels` writes them out.

            An entity's routine is not evidence: a function's malicious votes on an entity it \
            votes on in --routine-days different days or more (a server exposed to internet \
            password guessing, an administrator's daily script) are suppressed and listed.

            --model-from applies the label model fitted in another case (the newest `spoor label` \
            there) instead of fitting one: to score this week with last month's model, or an \
            attack-free run with the attack run's model so that both are judged by one model. \
            Votes of functions that model does not know are not used (listed in the report).

            Examples:
              spoor label --case acme
              spoor label --case acme-this-week --model-from acme-last-month
              spoor label --case acme --functions my-functions/ --detector-threshold 0.8 --output json
              spoor label --case acme --exclude detector:dns-tunnel    (what does that function add?)

            Exit codes: 0 success, 1 failure.
            """)

    @OptionGroup var caseOptions: CaseOptions
    @OptionGroup var ruleArguments: RuleArguments
    @Option(help: ArgumentHelp("The unit a label is about: \(UnitKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var unit: String = UnitKind.hostHour.rawValue
    @Option(name: .customLong("functions"), help: ArgumentHelp("Your labelling functions: Sigma rule files or folders whose rules carry the tag spoor.vote.malicious or spoor.vote.benign. Repeat for more.", valueName: "path"))
    var functions: [String] = []
    @Option(help: ArgumentHelp("A detector votes malicious on findings scoring at least this.", valueName: "score"))
    var detectorThreshold: Double = LabelOptions.defaultDetectorThreshold
    @Flag(help: "Treat every function as independent (no dependency groups).") var independent = false
    @Option(help: ArgumentHelp("Suppress a function's votes on an entity it votes on in this many different days or more (its routine); 0 keeps them.", valueName: "days"))
    var routineDays: Int = 3
    @Option(help: ArgumentHelp("For experiments on dependent functions: add K near-copies of function NAME (each keeps every vote with probability 0.9). Repeat for more.", valueName: "name=k"))
    var copies: [String] = []
    @Flag(help: "With --copies: the copies carry none of the original's events, so only the label model's dependency screen can tell them apart.")
    var copiesWithoutEvents = false
    @Flag(help: "Host-hour units: key events without a host name by their address as seen, instead of joining them to the host the address belongs to (learned from machine-account logons and events naming both).")
    var keepAddresses = false
    @Option(help: ArgumentHelp("Leave out the function NAME (as the report names it: detector:dns-tunnel, sigma:<title>, intel:<source>, warninglist, user:<id>), to measure what it adds. Repeat for more.", valueName: "name"))
    var exclude: [String] = []
    @Option(help: ArgumentHelp("The share of malicious units, when you know it (0…1); default: estimated with the model.", valueName: "share"))
    var prior: Double?
    @Option(help: ArgumentHelp("Apply the label model fitted in this case (its newest labelling run) instead of fitting one here.", valueName: "dir"))
    var modelFrom: String?
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        guard UnitKind(rawValue: unit) != nil else { throw ValidationError("Unknown unit '\(unit)': use \(UnitKind.allCases.map(\.rawValue).joined(separator: ", ")).") }
        guard (0...1).contains(detectorThreshold) else { throw ValidationError("--detector-threshold must be in 0…1.") }
        for c in copies {
            guard let eq = c.lastIndex(of: "="), let k = Int(c[c.index(after: eq)...]), k > 0 else {
                throw ValidationError("--copies takes NAME=K with K ≥ 1, e.g. 'detector:rare-process=3'.")
            }
            _ = eq
        }
        guard routineDays >= 0 else { throw ValidationError("--routine-days must be 0 or more.") }
        if let prior, !(prior > 0 && prior < 1) { throw ValidationError("--prior must be between 0 and 1 (exclusive).") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        var options = LabelOptions(unitKind: UnitKind(rawValue: unit) ?? .hostHour, functions: functions.isEmpty ? nil : try ruleArguments.load(functions))
        options.modelsDependencies = !independent
        if let prior { options.prior = .given(prior) }
        options.routineDays = routineDays
        options.copiesShareEvents = !copiesWithoutEvents
        options.excluded = Set(exclude)
        options.resolvesAddresses = !keepAddresses
        for c in copies {
            if let eq = c.lastIndex(of: "="), let k = Int(c[c.index(after: eq)...]) { options.copies[String(c[..<eq])] = k }
        }
        for name in DetectorCatalog.names { options.detectorThresholds[name] = detectorThreshold }
        if let modelFrom { options.model = try await Workspace.openExisting(caseDirectory: modelFrom).fittedLabelModel() }
        let bar = ProgressBar(label: "label")
        let report = try await workspace.label(options, arguments: CommandLine.arguments) { d, t in bar.update(done: d, total: t) }
        bar.finish()
        LabelPrinter.print(report, format: output)
    }
}

enum LabelPrinter {
    static func print(_ r: LabelReport, format: OutputFormat) {
        if format == .json, let data = try? JSONEncoder().encode(r) {
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        var table = TextTable(["function", "votes", "units", "est. TPR", "est. FPR", "est. precision"])
        for f in r.functions {
            table.add([f.name, f.vote, String(f.coverage), String(format: "%.3f", f.truePositiveRate), String(format: "%.4f", f.falsePositiveRate),
                       f.precision.map { String(format: "%.3f", $0) } ?? "-"])
        }
        Console.out(table.render())
        if r.applied {
            Console.out("label model applied as given (not fitted here)" + (r.unknownFunctions.isEmpty ? "" : "; functions it does not know, not used: " + r.unknownFunctions.joined(separator: ", ")))
        }
        if !r.excludedFunctions.isEmpty {
            Console.out("left out (--exclude): " + r.excludedFunctions.joined(separator: ", "))
        }
        if !r.dependentGroups.isEmpty {
            Console.out("dependent functions (modelled together): " + r.dependentGroups.map { $0.joined(separator: " + ") }.joined(separator: "; "))
        }
        for x in r.routine.prefix(20) {
            Console.out("suppressed as routine: \(x.function) on \(x.entity) (\(x.days) days, \(x.votes) votes)")
        }
        if r.routine.count > 20 { Console.out("… and \(r.routine.count - 20) more routine suppressions (--output json lists all)") }
        if let bound = r.boundAddresses { Console.out("addresses joined to their hosts' units: \(bound)") }
        Console.out("\(r.units) \(r.unitKind) units from \(r.events) events; \(r.coveredUnits) with votes; estimated malicious share \(String(format: "%.4f", r.prior)); " +
                    "\(r.maliciousUnits) units P ≥ 0.5 (majority vote: \(r.majorityMaliciousUnits)); \(r.iterations) iterations\(r.converged ? "" : " (not converged)"); \(String(format: "%.1f", r.seconds)) s")
    }
}
