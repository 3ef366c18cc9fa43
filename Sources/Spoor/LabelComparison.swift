import Foundation
import SpoorCore
import SpoorEvaluation

/// Label model, majority vote and end model over several seeds: each figure with its 95%
/// bootstrap interval over seeds, and the label model's F1 gain over majority vote with the
/// interval of the difference (paired by seed).
public struct LabelComparison: Sendable {
    public var evaluations: [LabelEvaluation]

    public init(_ evaluations: [LabelEvaluation]) {
        self.evaluations = evaluations
    }

    private func estimate(_ f: @escaping (LabelEvaluation) -> Double?) -> Estimate? {
        let values = evaluations.compactMap(f)
        guard !values.isEmpty else { return nil }
        return Bootstrap.interval(values) { xs in xs.reduce(0, +) / Double(xs.count) }
    }

    public var rows: [(name: String, value: Estimate?)] {
        [
            ("label model F1 at the alert budget", estimate { $0.atAlertBudget?["label model"]?.f1 }),
            ("majority vote F1 at the alert budget", estimate { $0.atAlertBudget?["majority vote"]?.f1 }),
            ("F1 gain at the alert budget", estimate { e in e.atAlertBudget.flatMap { b in b["label model"].flatMap { l in b["majority vote"].map { l.f1 - $0.f1 } } } }),
            ("end model F1 at the alert budget", estimate { $0.atAlertBudget?["end model"]?.f1 }),
            ("label model recall at the alert budget", estimate { $0.atAlertBudget?["label model"]?.recall }),
            ("label model precision at the alert budget", estimate { $0.atAlertBudget?["label model"]?.precision }),
            ("label model F1", estimate { $0.labelModel.f1 }),
            ("majority vote F1", estimate { $0.majorityVote.f1 }),
            ("F1 gain, P ≥ 0.5 and majority", estimate { $0.labelModel.f1 - $0.majorityVote.f1 }),
            ("label model precision", estimate { $0.labelModel.precision }),
            ("label model recall", estimate { $0.labelModel.recall }),
            ("majority vote precision", estimate { $0.majorityVote.precision }),
            ("majority vote recall", estimate { $0.majorityVote.recall }),
            ("label model PR-AUC", estimate { $0.labelModel.prAUC }),
            ("majority vote PR-AUC", estimate { $0.majorityVote.prAUC }),
            ("end model F1 (in sample)", estimate { $0.endModel?.f1 }),
            ("end model PR-AUC (in sample)", estimate { $0.endModel?.prAUC }),
            ("end model recall on units no function voted on", estimate { e in e.uncovered.flatMap { $0.positiveUnits > 0 ? $0.recall : nil } }),
            ("random ranking, same alert budget", estimate { e in e.uncovered.flatMap { $0.positiveUnits > 0 ? $0.randomExpectation : nil } }),
            ("end model PR-AUC, time-ordered split", estimate { $0.timeOrdered?.endModel.prAUC }),
            ("end model PR-AUC, random split", estimate { $0.randomSplit?.endModel.prAUC }),
        ]
    }

    public func table() -> String {
        var out = "Labels per unit (\(evaluations.first?.unitKind ?? "host-hour")), \(evaluations.count) seed\(evaluations.count == 1 ? "" : "s"), 95% bootstrap intervals over seeds\n"
        for (name, value) in rows {
            out += "  " + name + String(repeating: " ", count: max(1, 52 - name.count)) + (value.map(\.description) ?? "–") + "\n"
        }
        if let e = evaluations.first {
            out += "  (seed 1: \(e.units) units, \(e.positiveUnits) hold attack records; label model flags \(e.labelModel.alerts), majority vote \(e.majorityVote.alerts))\n"
        }
        return out
    }

    public func json() -> String {
        func number(_ x: Double) -> String { x.isFinite ? String(x) : "null" }
        var s = "{\"seeds\":\(evaluations.count),\"figures\":{"
        s += rows.map { r in
            JSONValue.quote(r.name) + ":" + (r.value.map { "{\"value\":\(number($0.value)),\"low\":\(number($0.low)),\"high\":\(number($0.high))}" } ?? "null")
        }.joined(separator: ",")
        s += "},\"per_seed\":["
        s += evaluations.compactMap { e in (try? JSONEncoder().encode(e)).map { String(decoding: $0, as: UTF8.self) } }.joined(separator: ",")
        return s + "]}"
    }
}
