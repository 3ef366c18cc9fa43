import Foundation
import Testing
import SpoorCore
@testable import SpoorLearn

@Suite struct MetricsTests {
    // Worked by hand: scores 0.9 (+), 0.8 (−), 0.7 (+), 0.7 (−), 0.1 (+).
    let scores = [0.9, 0.8, 0.7, 0.7, 0.1]
    let labels = [true, false, true, false, true]

    @Test func handWorkedExample() throws {
        // ROC points (0,1/3), (1/2,1/3), (1,2/3), (1,1): area 1/6 + 1/4 + 0 = 5/12 … with trapezoids:
        // [0,0→0,1/3]=0, [0→.5 at 1/3]=1/6, [.5→1, 1/3→2/3]=1/4, [1→1]=0 → 5/12.
        #expect(abs(try BinaryMetrics.rocAUC(scores: scores, labels: labels) - 5.0 / 12) < 1e-12)
        // AP: thresholds .9 (P=1,R=1/3), .8 (P=1/2,R=1/3), .7 (P=2/4,R=2/3), .1 (P=3/5,R=1).
        let ap = 1.0 / 3 + 0.5 / 3 + 0.6 / 3
        #expect(abs(try BinaryMetrics.averagePrecision(scores: scores, labels: labels) - ap) < 1e-12)
        let c = try BinaryMetrics.confusion(scores: scores, labels: labels, threshold: 0.7)
        #expect(c == Confusion(truePositives: 2, falsePositives: 2, trueNegatives: 0, falseNegatives: 1))
        #expect(c.precision == 0.5 && abs(c.recall - 2.0 / 3) < 1e-12 && abs(c.f1 - 4.0 / 7) < 1e-12)
        // Top 3: .9 (+), .8 (−), and one of the two tied .7s (one +, one −): (1 + 0.5) / 3.
        #expect(abs(try BinaryMetrics.precision(atK: 3, scores: scores, labels: labels) - 0.5) < 1e-12)
        #expect(try BinaryMetrics.precision(atK: 1, scores: scores, labels: labels) == 1)
    }

    @Test(arguments: [0.0, 1.0, 2.0])
    func falsePositiveBudget(budget: Double) throws {
        let b = try BinaryMetrics.threshold(falsePositiveBudget: budget, scores: scores, labels: labels)
        let expected: [Double: Double] = [0: 0.9, 1: 0.8, 2: 0.1]
        #expect(b.threshold == expected[budget])
        #expect(b.confusion.falsePositives <= budget)
        #expect(b.confusion == (try BinaryMetrics.confusion(scores: scores, labels: labels, threshold: b.threshold)))
    }

    @Test func budgetBelowTheFirstNegativeFlagsNothing() throws {
        let b = try BinaryMetrics.threshold(falsePositiveBudget: 0, scores: [0.9, 0.5], labels: [false, true])
        #expect(b.threshold == .infinity && b.confusion.truePositives == 0 && b.confusion.falseNegatives == 1)
    }

    @Test func expectedCalibrationError() throws {
        // Bin (0.1, 0.2]: p = 0.2, 0.2 with one positive → |0.5 − 0.2| · 2/4; bin (0.7, 0.8]: 0.8, 0.8 both positive → |1 − 0.8| · 2/4.
        let e = try BinaryMetrics.expectedCalibrationError(probabilities: [0.2, 0.2, 0.8, 0.8], labels: [true, false, true, true])
        #expect(abs(e - (0.3 * 0.5 + 0.2 * 0.5)) < 1e-12)
        #expect(throws: LearnError.self) { try BinaryMetrics.expectedCalibrationError(probabilities: [1.2], labels: [true]) }
    }

    @Test func undefinedMetricsThrow() {
        #expect(throws: LearnError.self) { try BinaryMetrics.rocAUC(scores: [1, 2], labels: [true, true]) }
        #expect(throws: LearnError.self) { try BinaryMetrics.averagePrecision(scores: [1, 2], labels: [false, false]) }
        #expect(throws: LearnError.self) { try BinaryMetrics.rocAUC(scores: [1, .nan], labels: [true, false]) }
        #expect(throws: LearnError.self) { try BinaryMetrics.rocAUC(scores: [1], labels: [true, false]) }
        #expect(throws: LearnError.self) { try BinaryMetrics.rocAUC(scores: [1, 2], labels: [true, false], weights: [1, -1]) }
    }

    /// Random and heavily tied scores, with and without weights, against scikit-learn 1.9.1.
    @Test(.enabled(if: LearnOracle.python != nil, "\(LearnOracle.skipMessage)"))
    func agreesWithScikitLearn() throws {
        var cases: [(scores: [Double], labels: [Bool], weights: [Double]?, threshold: Double)] = []
        for (k, n) in [50, 400, 3000].enumerated() {
            for ties in [false, true] {
                let d = RandomData.scored(n, seed: UInt64(10 * k) + (ties ? 1 : 0), ties: ties)
                cases.append((d.scores, d.labels, nil, 0.5))
                cases.append((d.scores, d.labels, d.weights, 0))
            }
        }
        let request: [String: Any] = ["cases": cases.map { c in
            ["scores": c.scores, "labels": c.labels.map { $0 ? 1 : 0 }, "weights": c.weights as Any? ?? NSNull(), "threshold": c.threshold] as [String: Any]
        }]
        let answer = try #require(try LearnOracle.run("metrics", request))
        let results = try #require(answer["cases"] as? [[String: Double]])
        #expect(results.count == cases.count)
        var worst = 0.0
        for (c, r) in zip(cases, results) {
            let conf = try BinaryMetrics.confusion(scores: c.scores, labels: c.labels, threshold: c.threshold, weights: c.weights)
            let ours = [
                "roc_auc": try BinaryMetrics.rocAUC(scores: c.scores, labels: c.labels, weights: c.weights),
                "ap": try BinaryMetrics.averagePrecision(scores: c.scores, labels: c.labels, weights: c.weights),
                "precision": conf.precision, "recall": conf.recall, "f1": conf.f1,
            ]
            for (key, value) in ours {
                let theirs = try #require(r[key])
                worst = max(worst, abs(value - theirs))
                #expect(abs(value - theirs) <= 1e-9, "\(key): \(value) vs scikit-learn \(theirs)")
            }
        }
        print("metrics vs scikit-learn: \(cases.count) cases × 5 metrics, largest difference \(worst)")
    }
}
