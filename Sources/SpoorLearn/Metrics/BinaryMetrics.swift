/// Weighted counts of a binary decision at one threshold (a score at or above it is flagged).
public struct Confusion: Sendable, Hashable {
    public var truePositives: Double
    public var falsePositives: Double
    public var trueNegatives: Double
    public var falseNegatives: Double

    public init(truePositives: Double = 0, falsePositives: Double = 0, trueNegatives: Double = 0, falseNegatives: Double = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// TP / (TP + FP); 0 when nothing is flagged (scikit-learn's `zero_division=0`).
    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    /// TP / (TP + FN); 0 when there are no positives.
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    /// FP / (FP + TN); 0 when there are no negatives.
    public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }
    /// The harmonic mean of precision and recall, as 2·TP / (2·TP + FP + FN) (scikit-learn's form, 0 when undefined).
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    private func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
}

/// The threshold found for a false-positive budget and the decision it gives.
public struct BudgetThreshold: Sendable, Hashable {
    /// Flag scores ≥ this. `+infinity` when even the highest score would spend more than the budget.
    public var threshold: Double
    public var confusion: Confusion
}

/// Metrics of a binary scorer: scores (higher = more likely positive), true labels, optional
/// sample weights. They follow scikit-learn's definitions exactly (checked against
/// scikit-learn 1.9.1 in `MetricsOracleTests`), including how tied scores are treated.
///
/// All functions are O(*n* log *n*) (one sort) or O(*n*); none allocates per row beyond one
/// index array.
public enum BinaryMetrics {
    /// Checks that the three arrays agree and the scores and weights are usable.
    static func check(_ scores: [Double], _ labels: [Bool], _ weights: [Double]?) throws(LearnError) {
        guard scores.count == labels.count else { throw .shape("\(scores.count) scores for \(labels.count) labels") }
        if let weights {
            guard weights.count == scores.count else { throw .shape("\(weights.count) weights for \(scores.count) scores") }
            guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalid("weights must be finite and ≥ 0") }
        }
        guard !scores.contains(where: \.isNaN) else { throw .invalid("a score is NaN") }
    }

    /// Indices sorted by score, highest first; ties keep index order (the order does not change
    /// any result, since tied scores are always taken as one group).
    static func descendingOrder(_ scores: [Double]) -> [Int] {
        Array(scores.indices).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }

    /// The cumulative weighted (false positives, true positives) at each distinct score, highest
    /// score first: scikit-learn's `_binary_clf_curve`.
    static func curve(_ scores: [Double], _ labels: [Bool], _ weights: [Double]?) -> (fps: [Double], tps: [Double], thresholds: [Double]) {
        let order = descendingOrder(scores)
        var fps: [Double] = [], tps: [Double] = [], thresholds: [Double] = []
        var fp = 0.0, tp = 0.0
        for (k, i) in order.enumerated() {
            let w = weights?[i] ?? 1
            if labels[i] { tp += w } else { fp += w }
            if k + 1 == order.count || scores[order[k + 1]] != scores[i] {
                fps.append(fp); tps.append(tp); thresholds.append(scores[i])
            }
        }
        return (fps, tps, thresholds)
    }

    /// The confusion counts when scores ≥ `threshold` are flagged.
    public static func confusion(scores: [Double], labels: [Bool], threshold: Double, weights: [Double]? = nil) throws(LearnError) -> Confusion {
        try check(scores, labels, weights)
        var c = Confusion()
        for i in scores.indices {
            let w = weights?[i] ?? 1
            switch (scores[i] >= threshold, labels[i]) {
            case (true, true): c.truePositives += w
            case (true, false): c.falsePositives += w
            case (false, false): c.trueNegatives += w
            case (false, true): c.falseNegatives += w
            }
        }
        return c
    }

    /// The area under the ROC curve, tied scores giving a diagonal segment (trapezoids), as
    /// scikit-learn's `roc_auc_score` (Fawcett 2006, "An introduction to ROC analysis").
    /// - Throws: `LearnError.invalid` when only one class is present (the area is undefined).
    public static func rocAUC(scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(LearnError) -> Double {
        try check(scores, labels, weights)
        let (fps, tps, _) = curve(scores, labels, weights)
        guard let n = fps.last, let p = tps.last, n > 0, p > 0 else {
            throw .invalid("ROC AUC needs both classes with positive weight")
        }
        var area = 0.0, fp0 = 0.0, tp0 = 0.0
        for k in fps.indices {
            area += (fps[k] - fp0) * (tps[k] + tp0) / 2
            fp0 = fps[k]; tp0 = tps[k]
        }
        return area / (n * p)
    }

    /// Average precision, Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds, highest first:
    /// scikit-learn's `average_precision_score` (the step-wise area, not the trapezoidal one,
    /// which is optimistic: Davis and Goadrich 2006, "The relationship between precision-recall
    /// and ROC curves").
    /// - Throws: `LearnError.invalid` when there is no positive.
    public static func averagePrecision(scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(LearnError) -> Double {
        try check(scores, labels, weights)
        let (fps, tps, _) = curve(scores, labels, weights)
        guard let p = tps.last, p > 0 else { throw .invalid("average precision needs a positive with positive weight") }
        var ap = 0.0, previousRecall = 0.0
        for k in tps.indices {
            let flagged = tps[k] + fps[k]
            let precision = flagged > 0 ? tps[k] / flagged : 1
            let recall = tps[k] / p
            ap += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return ap
    }

    /// Precision among the `k` highest scores (weighted). Scores tied at the cut count in
    /// proportion (the expected precision when ties are broken at random), so the figure does
    /// not depend on row order.
    public static func precision(atK k: Int, scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(LearnError) -> Double {
        try check(scores, labels, weights)
        guard k > 0 else { throw .invalid("k must be positive") }
        let order = descendingOrder(scores)
        let k = min(k, order.count)
        guard k > 0 else { return 0 }
        let cut = scores[order[k - 1]]
        var above = (tp: 0.0, all: 0.0), tied = (tp: 0.0, all: 0.0, rows: 0), rowsAbove = 0
        for i in order {
            let w = weights?[i] ?? 1
            if scores[i] > cut {
                above.all += w; rowsAbove += 1
                if labels[i] { above.tp += w }
            } else if scores[i] == cut {
                tied.all += w; tied.rows += 1
                if labels[i] { tied.tp += w }
            } else { break }
        }
        // Of the tied group, k − rowsAbove rows are taken: that share of its weights.
        let share = Double(k - rowsAbove) / Double(tied.rows)
        let flagged = above.all + share * tied.all
        return flagged > 0 ? (above.tp + share * tied.tp) / flagged : 0
    }

    /// The lowest threshold whose flagged negatives weigh at most `falsePositives` (an alert
    /// budget): flagging every score ≥ it keeps false positives within the budget and gives the
    /// highest recall that does.
    public static func threshold(falsePositiveBudget falsePositives: Double, scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(LearnError) -> BudgetThreshold {
        try check(scores, labels, weights)
        guard falsePositives >= 0 else { throw .invalid("the false-positive budget must be ≥ 0") }
        let (fps, tps, thresholds) = curve(scores, labels, weights)
        let n = fps.last ?? 0, p = tps.last ?? 0
        var best = BudgetThreshold(threshold: .infinity, confusion: Confusion(trueNegatives: n, falseNegatives: p))
        for k in fps.indices where fps[k] <= falsePositives {
            best = BudgetThreshold(threshold: thresholds[k], confusion: Confusion(
                truePositives: tps[k], falsePositives: fps[k], trueNegatives: n - fps[k], falseNegatives: p - tps[k]))
        }
        return best
    }

    /// Expected calibration error over `bins` equal-width bins of [0, 1]: Σ_b (w_b / w) ·
    /// |mean label − mean probability| in bin b (Naeini, Cooper and Hauskrecht 2015, "Obtaining
    /// well calibrated probabilities using Bayesian binning"; Guo et al. 2017, "On calibration
    /// of modern neural networks"). Bin b holds probabilities in (b−1/M, b/M], 0 in the first.
    public static func expectedCalibrationError(probabilities: [Double], labels: [Bool], bins: Int = 10, weights: [Double]? = nil) throws(LearnError) -> Double {
        try check(probabilities, labels, weights)
        guard bins > 0 else { throw .invalid("bins must be positive") }
        guard probabilities.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw .invalid("probabilities must be in [0, 1]") }
        var weight = [Double](repeating: 0, count: bins), positive = weight, confidence = weight
        var total = 0.0
        for i in probabilities.indices {
            let w = weights?[i] ?? 1
            let p = probabilities[i]
            let b = min(bins - 1, max(0, Int((p * Double(bins)).rounded(.up)) - 1))
            weight[b] += w; confidence[b] += w * p; total += w
            if labels[i] { positive[b] += w }
        }
        guard total > 0 else { throw .invalid("no weight") }
        var ece = 0.0
        for b in 0..<bins where weight[b] > 0 {
            ece += abs(positive[b] - confidence[b]) / total
        }
        return ece
    }
}
