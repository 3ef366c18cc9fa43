import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorLearn

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the end model on the case's labels: behaviour features in, the label model's probabilities as targets.",
        discussion: """
            The end model (gradient-boosted trees, spoor's own) learns from each unit's behaviour \
            — events, process starts, failed logons, bytes out, new and rare destinations, DNS name \
            lengths and entropy, hour, … — with the label model's P(malicious) as a soft target. The \
            functions' votes are not among its inputs, so it can rank units that no function voted \
            on: attacks no rule, intel or detector covers. The model and every unit's score are \
            stored in the case; `spoor evaluate` measures them against ground truth.

            --model-from applies the end model trained in another case (its newest) to this \
            case's units instead of training one: to score new logs with a model trained before, \
            or an attack-free run with the attack run's model.

            Examples:
              spoor label --case acme && spoor train --case acme
              spoor train --case acme-this-week --model-from acme-last-month
              spoor train --case acme --trees 300 --output json

            Exit codes: 0 success, 1 failure.
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("Boosting rounds (trees).", valueName: "n")) var trees: Int = 150
    @Option(help: ArgumentHelp("Leaves per tree, at most.", valueName: "n")) var leaves: Int = 15
    @Option(help: ArgumentHelp("Learning rate.", valueName: "rate")) var learningRate: Double = 0.1
    @Option(help: ArgumentHelp("Seed for row subsampling.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Apply the end model trained in this case (its newest) instead of training one here.", valueName: "dir"))
    var modelFrom: String?
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json])
        guard trees >= 1, leaves >= 2, learningRate > 0 else { throw ValidationError("--trees ≥ 1, --leaves ≥ 2 and --learning-rate > 0, please.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        var p = Workspace.endModelParameters(seed: seed)
        p.iterations = trees
        p.maximumLeaves = leaves
        p.learningRate = learningRate
        var given: (model: GradientBoostedTrees, id: Int64)?
        if let modelFrom { given = try await Workspace.openExisting(caseDirectory: modelFrom).trainedEndModel() }
        let report = try await workspace.train(parameters: p, applying: given, arguments: CommandLine.arguments)
        if output == .json {
            Console.out(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
            return
        }
        var table = TextTable(["feature", "importance"])
        for f in report.featureImportance.sorted(by: { $0.importance > $1.importance }).prefix(12) {
            table.add([f.feature, String(format: "%.4f", f.importance)])
        }
        Console.out(table.render())
        Console.out((report.applied ? "applied " : "") + "model \(report.model) (\(report.kind), \(report.version)): \(report.trees) trees on \(report.units) units " +
                    "(expected malicious \(String(format: "%.1f", report.expectedPositives))), \(String(format: "%.1f", report.seconds)) s")
    }
}

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the labels and the end model against ground truth.",
        discussion: """
            Ground truth is a JSON-lines file naming malicious records by file (relative to the \
            folder that was ingested, --root) and record number — what `spoor simulate` and `spoor \
            inject` write. A unit is positive when it holds a ground-truth record. Reported for the \
            label model, majority vote and the end model: precision, recall and F1 at the operating \
            point (probability ≥ 0.5), PR-AUC (average precision) and ROC-AUC; the end model's \
            recall on positive units no function voted on, next to what a random ranking with the \
            same alert budget finds; the end model trained on the first two thirds of the time span \
            and tested on the rest, next to a random split; and per ATT&CK technique.

            Examples:
              spoor simulate --out sim && spoor ingest sim/logs --case c && spoor hunt --case c --rules rules/ \\
                && spoor detect --case c && spoor label --case c && spoor train --case c \\
                && spoor evaluate --case c --ground-truth sim/ground_truth.jsonl --root sim/logs --output json

            Exit codes: 0 success, 1 failure.
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("The ground-truth file (JSON lines: file, record, technique, …).", valueName: "file")) var groundTruth: String
    @Option(help: ArgumentHelp("The folder that was ingested (ground truth names files relative to it). Default: the ground truth's folder + /logs.", valueName: "dir"))
    var root: String?
    @Option(help: ArgumentHelp("A case labelled from an attack-free run of the same organisation (or a period trusted to be clean), with this case's models (`spoor label --model-from` and `spoor train --model-from` this case): every scorer is also scored at the cut that keeps ≤ 10 false alerts per 1,000 host-days there (host-days counted as the distinct host-days of its units: units named by a public address, peers on the internet, do not count).", valueName: "dir"))
    var attackFree: String?
    @Option(help: ArgumentHelp("Write one JSON line per unit (truth, techniques, each scorer's score, the functions that voted) to this file.", valueName: "file"))
    var units: String?
    @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text

    func validate() throws { try require(output, in: [.text, .json]) }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let url = URL(fileURLWithPath: groundTruth)
        let truth = try Workspace.readGroundTruth(url)
        let folder = root ?? url.deletingLastPathComponent().appendingPathComponent("logs").path
        let scored = try await workspace.scoredLabels(truth: truth, root: URL(fileURLWithPath: folder).standardizedFileURL.path)
        var e = scored.evaluation
        if let attackFree {
            let twin = try await Workspace.openExisting(caseDirectory: attackFree)
            let (mine, theirs) = (try await workspace.labelModelDigest(), try await twin.labelModelDigest())
            if mine == nil || mine != theirs {
                Console.err("warning: \(attackFree) was not labelled with this case's label model (label it with --model-from \(caseOptions.caseDirectory)); its cut is a threshold of another model")
            }
            let free = try await twin.attackFreeScores()
            e.atAlertBudget = try Workspace.alertBudgetScores(attack: (scored.truth, scored.scores), attackFree: free.scores, attackFreeHostDays: free.entityDays)
        }
        if let units {
            let lines = try await workspace.unitLines(truth: scored.truth, techniques: scored.techniques)
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: units))
        }
        if output == .json {
            Console.out(String(decoding: try JSONEncoder().encode(e), as: UTF8.self))
            return
        }
        EvaluationPrinter.print(e)
    }
}

enum EvaluationPrinter {
    static func print(_ e: LabelEvaluation) {
        var table = TextTable(["scorer", "precision", "recall", "F1", "PR-AUC", "ROC-AUC", "alerts", "operating point"])
        func add(_ name: String, _ s: LabelEvaluation.Score?) {
            guard let s else { return }
            table.add([name, f(s.precision), f(s.recall), f(s.f1), f(s.prAUC), f(s.rocAUC), String(s.alerts), s.operatingPoint.rule])
        }
        add("label model", e.labelModel)
        add("majority vote", e.majorityVote)
        add("end model", e.endModel)
        add("end model, time-ordered", e.timeOrdered?.endModel)
        add("end model, random split", e.randomSplit?.endModel)
        for (name, score) in (e.atAlertBudget ?? [:]).sorted(by: { $0.key < $1.key }) { add(name + ", alert budget", score) }
        Console.out(table.render())
        Console.out("\(e.units) \(e.unitKind) units, \(e.positiveUnits) hold attack records (\(e.matchedTruthRecords) of \(e.truthRecords) ground-truth records found in the case)")
        if let u = e.uncovered {
            Console.out("positive units no function voted on: \(u.positiveUnits); the end model finds \(u.foundByEndModel) (recall \(f(u.recall))) " +
                        "with \(u.alertBudget) alerts; a random ranking would find \(f(u.randomExpectation)) of them")
        }
        var t = TextTable(["technique", "units", "label model", "majority", "end model", "no votes"])
        for x in e.techniques { t.add([x.technique, String(x.units), String(x.labelModel), String(x.majorityVote), String(x.endModel), String(x.uncovered)]) }
        Console.out(t.render())
    }

    static func f(_ x: Double) -> String { String(format: "%.3f", x) }
}
