import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorDetectors

struct Label: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label the case's units without ground truth: votes of rules, intel, warninglists and detectors, combined by a label model.",
        discussion: """
            A unit is what a label is about: by default a host during one hour (host-hour); also \
            user-day and pair-day (source → destination per day). Labelling functions vote on units:

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

            Examples:
              spoor label --case acme
              spoor label --case acme --functions my-functions/ --detector-threshold 0.8 --output json

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
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        guard UnitKind(rawValue: unit) != nil else { throw ValidationError("Unknown unit '\(unit)': use \(UnitKind.allCases.map(\.rawValue).joined(separator: ", ")).") }
        guard (0...1).contains(detectorThreshold) else { throw ValidationError("--detector-threshold must be in 0…1.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        var options = LabelOptions(unitKind: UnitKind(rawValue: unit) ?? .hostHour, functions: functions.isEmpty ? nil : try ruleArguments.load(functions))
        options.modelsDependencies = !independent
        for name in DetectorCatalog.names { options.detectorThresholds[name] = detectorThreshold }
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
        if !r.dependentGroups.isEmpty {
            Console.out("dependent functions (modelled together): " + r.dependentGroups.map { $0.joined(separator: " + ") }.joined(separator: "; "))
        }
        Console.out("\(r.units) \(r.unitKind) units from \(r.events) events; \(r.coveredUnits) with votes; estimated malicious share \(String(format: "%.4f", r.prior)); " +
                    "\(r.maliciousUnits) units P ≥ 0.5 (majority vote: \(r.majorityMaliciousUnits)); \(r.iterations) iterations\(r.converged ? "" : " (not converged)"); \(String(format: "%.1f", r.seconds)) s")
    }
}
