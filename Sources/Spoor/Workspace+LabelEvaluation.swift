import Foundation
import SpoorCore
import SpoorDetectors
import SpoorEvaluation
import SpoorEvents
import SpoorLabels
import SpoorLearn
import SpoorSimulation
import SpoorStore

/// Label model, majority vote and end model scored against ground truth, unit by unit.
public struct LabelEvaluation: Sendable, Codable {
    public var unitKind: String
    public var units: Int
    /// Units holding at least one ground-truth record.
    public var positiveUnits: Int
    /// Ground-truth rows found among the case's events.
    public var matchedTruthRecords: Int
    public var truthRecords: Int
    public var labelModel: Score
    public var majorityVote: Score
    public var endModel: Score?
    /// Positive units on which no labelling function voted, and how the end model ranks them.
    public var uncovered: Uncovered?
    /// The end model trained on the first part of the time span and tested on the rest, next to
    /// a random split of the same sizes.
    public var timeOrdered: SplitScore?
    public var randomSplit: SplitScore?
    /// Per ATT&CK technique: positive units and how many each scorer flags at its operating point.
    public var techniques: [TechniqueRecall]
    /// Each scorer at the simulation's operating point: flag units scoring above the cut that
    /// keeps ≤ 10 false alerts per 1,000 host-days on an attack-free run of the same
    /// organisation (set by `spoor analyze`; nil without an attack-free run).
    public var atAlertBudget: [String: Score]?

    /// One scorer at its operating point.
    public struct Score: Sendable, Codable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var prAUC: Double
        public var rocAUC: Double
        public var operatingPoint: OperatingPoint
        public var alerts: Int
    }

    public struct OperatingPoint: Sendable, Codable {
        /// Units scoring at least this are flagged.
        public var threshold: Double
        public var rule: String
    }

    public struct Uncovered: Sendable, Codable {
        public var positiveUnits: Int
        /// Of those, flagged by the end model when it may raise as many alerts as the label model
        /// or majority vote (whichever raises more) does.
        public var foundByEndModel: Int
        public var recall: Double
        /// What a random ranking with the same alert budget would find, on average.
        public var randomExpectation: Double
        public var alertBudget: Int
    }

    public struct SplitScore: Sendable, Codable {
        public var trainUnits: Int
        public var testUnits: Int
        public var testPositives: Int
        public var split: String
        public var endModel: Score
    }

    public struct TechniqueRecall: Sendable, Codable {
        public var technique: String
        public var units: Int
        public var labelModel: Int
        public var majorityVote: Int
        public var endModel: Int
        /// Units of this technique no function voted on.
        public var uncovered: Int
    }

    enum CodingKeys: String, CodingKey {
        case unitKind = "unit_kind", units, positiveUnits = "positive_units", matchedTruthRecords = "matched_truth_records",
             truthRecords = "truth_records", labelModel = "label_model", majorityVote = "majority_vote", endModel = "end_model",
             uncovered, timeOrdered = "time_ordered", randomSplit = "random_split", techniques, atAlertBudget = "at_alert_budget"
    }
}

extension LabelEvaluation.Score {
    enum CodingKeys: String, CodingKey {
        case precision, recall, f1, prAUC = "pr_auc", rocAUC = "roc_auc", operatingPoint = "operating_point", alerts
    }
}

extension Workspace {
    /// Scores the newest labelling run against ground truth: which units hold a ground-truth
    /// record (events' `log.file.path` relative to `root` and `spoor.record`, as ground truth
    /// names them), then precision, recall, F1 at each scorer's operating point (probability ≥ 0.5),
    /// PR-AUC (average precision) and ROC-AUC; the end model's recall on positive units no
    /// function voted on; and a time-ordered split next to a random one.
    public func evaluateLabels(truth: [GroundTruthRow], root: String, pageSize: Int = 50_000) async throws -> LabelEvaluation {
        try await scoredLabels(truth: truth, root: root, pageSize: pageSize).evaluation
    }

    /// ``evaluateLabels(truth:root:pageSize:)`` with each unit's truth and scores, for cuts set
    /// on another run.
    public func scoredLabels(truth: [GroundTruthRow], root: String, pageSize: Int = 50_000) async throws
        -> (evaluation: LabelEvaluation, truth: [Bool], scores: [UnitScorer: [Double]], techniques: [[String]]) {
        guard let (run, labels) = try await labels(), !labels.isEmpty else { throw WorkspaceError.notLabelled }
        // Units of the ground-truth records: one pass, the same unit assignment as labelling.
        var wanted: [EvidenceRecord: [String]] = [:]
        for row in truth { wanted[EvidenceRecord(file: row.file, record: row.record), default: []].append(row.label.technique) }
        var techniquesOfUnit: [Int32: Set<String>] = [:]
        var matched = 0
        let units = try await forEachUnitPage(run.unitKind, addressBook: Self.addressBook(of: run), pageSize: pageSize) { batch, _, unitOfRow, _ in
            for r in 0..<batch.count where unitOfRow[r] >= 0 {
                guard let e = EvidenceRecord(batch, row: r, root: root), let techniques = wanted[e] else { continue }
                matched += 1
                techniquesOfUnit[unitOfRow[r], default: []].formUnion(techniques)
            }
        }
        var positiveKeys: [UnitKey: Set<String>] = [:]
        for (u, t) in techniquesOfUnit { positiveKeys[units.keys[Int(u)]] = t }
        let isPositive = labels.map { positiveKeys[$0.unit] != nil }
        let lm = labels.map(\.probability), mv = labels.map(\.majority)
        let end = labels.allSatisfy { $0.endScore != nil } ? labels.map { $0.endScore ?? 0 } : nil
        let lmScore = try Self.score(lm, isPositive, threshold: 0.5, rule: "P(malicious) ≥ 0.5")
        let mvScore = try Self.score(mv, isPositive, threshold: 0.5000001, rule: "more malicious than benign votes")
        let endScore = try end.map { try Self.score($0, isPositive, threshold: 0.5, rule: "end model score ≥ 0.5") }
        // Positive units no function voted on.
        var uncovered: LabelEvaluation.Uncovered?
        if let end {
            // As many alerts as the more generous of the two label sources raises.
            let budget = max(lmScore.alerts, mvScore.alerts, 1)
            let order = end.indices.sorted { (end[$0], -$0) > (end[$1], -$1) }
            let flagged = Set(order.prefix(budget))
            let silent = labels.indices.filter { isPositive[$0] && labels[$0].votes.isEmpty }
            let found = silent.count { flagged.contains($0) }
            uncovered = .init(positiveUnits: silent.count, foundByEndModel: found,
                              recall: silent.isEmpty ? 0 : Double(found) / Double(silent.count),
                              randomExpectation: Double(budget) / Double(labels.count), alertBudget: budget)
        }
        // Time-ordered split against a random split of the same sizes.
        var timeOrdered: LabelEvaluation.SplitScore?, random: LabelEvaluation.SplitScore?
        let x = try Self.featureMatrix(labels, names: run.featureNames)
        let byTime = labels.indices.sorted { (labels[$0].unit.start, $0) < (labels[$1].unit.start, $1) }
        if let first = byTime.first.map({ labels[$0].unit.start.microseconds }), let lastT = byTime.last.map({ labels[$0].unit.start.microseconds }), lastT > first {
            let cut = first + (lastT - first) * 2 / 3
            let train = byTime.filter { labels[$0].unit.start.microseconds < cut }
            let test = byTime.filter { labels[$0].unit.start.microseconds >= cut }
            if !train.isEmpty, !test.isEmpty {
                timeOrdered = try Self.split(x, labels, isPositive, train: train, test: test,
                                             name: "time-ordered: train before \(Timestamp(microseconds: cut)), test after")
                var rng = SplitMix64(seed: 7)
                var shuffled = Array(labels.indices)
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                random = try Self.split(x, labels, isPositive, train: Array(shuffled.prefix(train.count)), test: Array(shuffled.suffix(test.count)),
                                        name: "random split of the same sizes (seed 7)")
            }
        }
        // Per technique.
        var perTechnique: [String: (units: Int, lm: Int, mv: Int, end: Int, silent: Int)] = [:]
        for (i, l) in labels.enumerated() {
            guard let techniques = positiveKeys[l.unit] else { continue }
            for t in techniques {
                var c = perTechnique[t] ?? (0, 0, 0, 0, 0)
                c.units += 1
                if lm[i] >= 0.5 { c.lm += 1 }
                if mv[i] > 0.5 { c.mv += 1 }
                if let end, end[i] >= 0.5 { c.end += 1 }
                if l.votes.isEmpty { c.silent += 1 }
                perTechnique[t] = c
            }
        }
        let techniques = perTechnique.keys.sorted().map { t in
            let c = perTechnique[t]!
            return LabelEvaluation.TechniqueRecall(technique: t, units: c.units, labelModel: c.lm, majorityVote: c.mv, endModel: c.end, uncovered: c.silent)
        }
        let evaluation = LabelEvaluation(unitKind: run.unitKind.rawValue, units: labels.count, positiveUnits: isPositive.count { $0 },
                                         matchedTruthRecords: matched, truthRecords: truth.count, labelModel: lmScore, majorityVote: mvScore,
                                         endModel: endScore, uncovered: uncovered, timeOrdered: timeOrdered, randomSplit: random, techniques: techniques)
        var scores: [UnitScorer: [Double]] = [.labelModel: lm, .majorityVote: mv]
        if let end { scores[.endModel] = end }
        return (evaluation, isPositive, scores, labels.map { positiveKeys[$0.unit].map { $0.sorted() } ?? [] })
    }

    static func score(_ scores: [Double], _ truth: [Bool], threshold: Double, rule: String) throws -> LabelEvaluation.Score {
        let c = try BinaryMetrics.confusion(scores: scores, labels: truth, threshold: threshold)
        let hasBoth = truth.contains(true) && truth.contains(false)
        return .init(precision: c.precision, recall: c.recall, f1: c.f1,
                     prAUC: hasBoth ? try BinaryMetrics.averagePrecision(scores: scores, labels: truth) : 0,
                     rocAUC: hasBoth ? try BinaryMetrics.rocAUC(scores: scores, labels: truth) : 0,
                     operatingPoint: .init(threshold: threshold, rule: rule), alerts: Int(c.truePositives + c.falsePositives))
    }

    /// Each scorer at the cut that keeps ≤ `budget` false alerts per 1,000 host-days on the
    /// attack-free run (every unit there is a false alert when flagged): the lowest cut with at
    /// most ⌊budget × host-days / 1000⌋ attack-free units above it, as the scorecard sets it.
    public static func alertBudgetScores(attack: (truth: [Bool], scores: [UnitScorer: [Double]]), attackFree: [UnitScorer: [Double]],
                                         attackFreeHostDays: Int, budget: Double = 10) throws -> [String: LabelEvaluation.Score] {
        var out: [String: LabelEvaluation.Score] = [:]
        for (scorer, scores) in attack.scores {
            guard let free = attackFree[scorer] else { continue }
            let cut = Metrics.cut(falseScores: free, hostDays: attackFreeHostDays, budget: budget)
            // The scorecard alerts when score > cut: flag scores ≥ the next value above it.
            out[scorer.rawValue] = try score(scores, attack.truth, threshold: cut.nextUp,
                                             rule: "score > cut keeping ≤ \(budget) false alerts per 1,000 host-days on the attack-free run")
        }
        return out
    }

    /// The scores of every scorer on an attack-free case (a run of the same organisation, or a
    /// period the user trusts to be clean) and its host-days: what sets the alert-budget cut.
    public func attackFreeScores() async throws -> (scores: [UnitScorer: [Double]], entityDays: Int) {
        guard let (_, labels) = try await labels(), !labels.isEmpty else { throw WorkspaceError.notLabelled }
        var scores: [UnitScorer: [Double]] = [:]
        for scorer in UnitScorer.allCases {
            let s = labels.compactMap(scorer.score)
            if s.count == labels.count { scores[scorer] = s }
        }
        // Host-days: the days of the organisation's own hosts. Host-hour units of events with
        // no host name are keyed by an address; a public one is a peer on the internet (a
        // scanner, a visitor), not a host of the organisation, and counting its days would
        // loosen the budget by the size of the internet's traffic.
        struct EntityDay: Hashable { var organization: String, entity: String, day: Timestamp }
        let own = labels.filter { $0.unit.kind != .hostHour || IPAddress($0.unit.entity).map(\.isPrivate) ?? true }
        return (scores, Set(own.map { EntityDay(organization: $0.unit.organization, entity: $0.unit.entity, day: $0.unit.day) }).count)
    }

    /// One JSON line per unit: the unit, whether it holds ground truth (and which techniques),
    /// each scorer's score and the functions that voted — to see which units a scorer missed.
    public func unitLines(truth: [Bool], techniques: [[String]]) async throws -> [String] {
        guard let (_, labels) = try await labels() else { throw WorkspaceError.notLabelled }
        return labels.enumerated().map { i, l in
            var s = "{\"unit\":\(JSONValue.quote(l.unit.description)),\"entity\":\(JSONValue.quote(l.unit.entity)),\"start\":\(JSONValue.quote(l.unit.start.description))"
            s += ",\"positive\":\(i < truth.count && truth[i]),\"techniques\":[" + (i < techniques.count ? techniques[i] : []).map(JSONValue.quote).joined(separator: ",") + "]"
            s += ",\"probability\":\(Self.number(l.probability)),\"majority_vote\":\(Self.number(l.majority)),\"end_score\":" + (l.endScore.map(Self.number) ?? "null")
            s += ",\"events\":\(l.events),\"votes\":{" + l.votes.map { JSONValue.quote($0.function) + ":" + ($0.vote == .malicious ? "1" : "0") }.joined(separator: ",") + "}}"
            return s
        }
    }

    static func split(_ x: FeatureMatrix, _ labels: [UnitLabel], _ truth: [Bool], train: [Int], test: [Int], name: String) throws -> LabelEvaluation.SplitScore {
        let model = try GradientBoostedTrees(fitting: x.rows(train), targets: train.map { labels[$0].probability }, parameters: endModelParameters())
        let scores = try model.predictProbability(x.rows(test))
        let t = test.map { truth[$0] }
        return .init(trainUnits: train.count, testUnits: test.count, testPositives: t.count { $0 }, split: name,
                     endModel: try score(scores, t, threshold: 0.5, rule: "end model score ≥ 0.5"))
    }
}

extension Workspace {
    /// Reads a ground-truth file (`ground_truth.jsonl` as `spoor simulate` and `spoor inject` write it).
    public static func readGroundTruth(_ url: URL) throws -> [GroundTruthRow] {
        let bytes = [UInt8](try Data(contentsOf: url))
        do {
            return try SimulationOutput.readGroundTruth(bytes, file: url.path)
        } catch {
            throw WorkspaceError.invalidInput("\(url.path): \(error)")
        }
    }
}
