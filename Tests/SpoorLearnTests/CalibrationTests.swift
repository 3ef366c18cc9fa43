import Foundation
import Testing
import SpoorCore
@testable import SpoorLearn

@Suite struct CalibrationTests {
    @Test func poolAdjacentViolatorsByHand() throws {
        // 1, 3, 2, 4 → the violating pair (3, 2) pools to 2.5.
        let iso = try IsotonicRegression(x: [1, 2, 3, 4], y: [1, 3, 2, 4])
        #expect(iso.predict([1, 2, 3, 4]) == [1, 2.5, 2.5, 4])
        #expect(iso.predict(2.5) == 2.5 && iso.predict(0) == 1 && iso.predict(9) == 4)
        #expect(iso.predict(1.5) == 1.75)
        #expect(iso.predict(.nan).isNaN)
        #expect(throws: LearnError.self) { try IsotonicRegression(x: [1, .nan], y: [0, 1]) }
    }

    @Test func isotonicOutputIsNonDecreasing() throws {
        let d = RandomData.scored(2000, seed: 3, ties: true)
        let iso = try IsotonicRegression(x: d.scores, y: d.labels.map { $0 ? 1 : 0 }, weights: d.weights)
        let grid = stride(from: -4.0, through: 4, by: 0.01).map { $0 }
        let p = iso.predict(grid)
        #expect(zip(p, p.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test(.enabled(if: LearnOracle.python != nil, "\(LearnOracle.skipMessage)"), arguments: [false, true])
    func isotonicAgreesWithScikitLearn(weighted: Bool) throws {
        let d = RandomData.scored(1500, seed: 11, ties: true)
        let y = d.labels.map { $0 ? 1.0 : 0.0 }
        let query = stride(from: -5.0, through: 5, by: 0.037).map { $0 }
        let iso = try IsotonicRegression(x: d.scores, y: y, weights: weighted ? d.weights : nil)
        let answer = try #require(try LearnOracle.run("isotonic", [
            "x": d.scores, "y": y, "w": weighted ? d.weights as Any : NSNull(), "query": query,
        ]))
        let thresholds = try #require(answer["thresholds"] as? [Double])
        let values = try #require(answer["values"] as? [Double])
        let predictions = try #require(answer["predictions"] as? [Double])
        #expect(iso.thresholds == thresholds)
        #expect(iso.values.count == values.count)
        let worst = max(zip(iso.values, values).map { abs($0 - $1) }.max() ?? 0,
                        zip(iso.predict(query), predictions).map { abs($0 - $1) }.max() ?? 0)
        #expect(worst <= 1e-12)
        print("isotonic vs scikit-learn (weighted: \(weighted)): \(values.count) points, \(query.count) queries, largest difference \(worst)")
    }

    @Test(.enabled(if: LearnOracle.python != nil, "\(LearnOracle.skipMessage)"), arguments: [false, true])
    func plattAgreesWithScikitLearn(weighted: Bool) throws {
        let d = RandomData.scored(1000, seed: 5, ties: false)
        let platt = try PlattScaling(scores: d.scores, labels: d.labels, weights: weighted ? d.weights : nil)
        let answer = try #require(try LearnOracle.run("platt", [
            "scores": d.scores, "labels": d.labels.map { $0 ? 1 : 0 }, "w": weighted ? d.weights as Any : NSNull(),
        ]))
        let a = try #require(answer["a"] as? Double), b = try #require(answer["b"] as? Double)
        // scikit-learn stops L-BFGS at its default tolerance; Newton here goes to the optimum.
        #expect(abs(platt.a - a) < 1e-4 && abs(platt.b - b) < 1e-4, "a \(platt.a) vs \(a), b \(platt.b) vs \(b)")
        print("Platt vs scikit-learn (weighted: \(weighted)): a \(platt.a) / \(a), b \(platt.b) / \(b)")
    }

    @Test func plattImprovesCalibrationOfScaledScores() throws {
        // Log-odds ×3: overconfident; Platt scaling should bring ECE down.
        let d = RandomData.scored(4000, seed: 8, ties: false)
        let raw = d.scores.map { 1 / (1 + exp(-3 * $0)) }
        let platt = try PlattScaling(scores: d.scores, labels: d.labels)
        let before = try BinaryMetrics.expectedCalibrationError(probabilities: raw, labels: d.labels)
        let after = try BinaryMetrics.expectedCalibrationError(probabilities: platt.predict(d.scores), labels: d.labels)
        #expect(after < before / 2, "ECE \(before) → \(after)")
    }
}
