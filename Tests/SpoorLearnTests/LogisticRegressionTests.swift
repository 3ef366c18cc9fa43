import Foundation
import Testing
import SpoorCore
@testable import SpoorLearn

@Suite struct LogisticRegressionTests {
    /// Five correlated features on different scales, one constant, soft targets.
    static func data(_ n: Int, seed: UInt64) throws -> (x: FeatureMatrix, soft: [Double], hard: [Double], weights: [Double]) {
        var rng = SplitMix64(seed: seed)
        var cols = [[Double]](repeating: [], count: 6)
        var soft: [Double] = [], hard: [Double] = [], w: [Double] = []
        for _ in 0..<n {
            let a = rng.normal(), b = rng.normal(), c = rng.normal()
            let row = [a, 1000 * (a + 0.5 * b), 0.001 * c, b * c, 7, rng.unit() < 0.3 ? 1 : 0]
            for j in 0..<6 { cols[j].append(row[j]) }
            let z = 1.2 * a - 0.8 * b + 0.5 * row[5] - 0.3
            let p = 1 / (1 + exp(-z))
            soft.append(p); hard.append(rng.unit() < p ? 1 : 0); w.append(0.5 + rng.unit())
        }
        let x = try FeatureMatrix(names: ["a", "ab", "c", "bc", "const", "flag"], columns: cols)
        return (x, soft, hard, w)
    }

    @Test func recoversAKnownModelAndPredicts() throws {
        let d = try Self.data(4000, seed: 1)
        let m = try LogisticRegression(fitting: d.x, targets: d.soft, parameters: .init(c: 1e6))
        #expect(m.isConverged)
        // z = 1.2a − 0.8b + 0.5 flag − 0.3 with b = (ab/1000 − a)/0.5: a → 1.2 + 1.6 = 2.8, ab → −0.0016.
        let raw = m.unscaledCoefficients
        #expect(abs(raw[0] - 2.8) < 1e-3 && abs(raw[1] + 0.0016) < 1e-6 && abs(raw[5] - 0.5) < 1e-3)
        #expect(abs(m.unscaledIntercept + 0.3) < 1e-3)
        #expect(raw[4] == 0)
        let p = try m.predictProbability(d.x)
        #expect(zip(p, d.soft).map { abs($0 - $1) }.max() ?? 1 < 1e-3)
        let top = m.contributions(d.x, row: 0)
        #expect(top.count == 6)
        #expect(throws: LearnError.self) { try m.decisionFunction(FeatureMatrix(rowCount: 3)) }
    }

    @Test func softTargetEqualsDuplicatedRows() throws {
        let d = try Self.data(500, seed: 2)
        let soft = try LogisticRegression(fitting: d.x, targets: d.soft, weights: d.weights)
        // Duplicate rows: label 1 weighted w·y, label 0 weighted w·(1 − y).
        let doubled = d.x.rows(Array(0..<500) + Array(0..<500))
        // The standardisation of the doubled matrix is the same (same mean and deviation).
        let hard = try LogisticRegression(fitting: doubled, targets: [Double](repeating: 1, count: 500) + [Double](repeating: 0, count: 500),
                                          weights: zip(d.weights, d.soft).map { $0 * $1 } + zip(d.weights, d.soft).map { $0 * (1 - $1) })
        let diff = zip(soft.coefficients + [soft.intercept], hard.coefficients + [hard.intercept]).map { abs($0 - $1) }.max() ?? 1
        #expect(diff < 1e-8)
    }

    @Test func deterministicAndRejectsBadInput() throws {
        let d = try Self.data(300, seed: 3)
        #expect(try LogisticRegression(fitting: d.x, targets: d.hard) == LogisticRegression(fitting: d.x, targets: d.hard))
        #expect(throws: LearnError.self) { try LogisticRegression(fitting: d.x, targets: Array(d.hard.dropLast())) }
        #expect(throws: LearnError.self) { try LogisticRegression(fitting: d.x, targets: d.hard.map { $0 * 2 }) }
        var nanX = d.x
        try nanX.append("nan", values: [Double](repeating: .nan, count: 300))
        #expect(throws: LearnError.self) { try LogisticRegression(fitting: nanX, targets: d.hard) }
        #expect(throws: LearnError.self) { try LogisticRegression(fitting: d.x, targets: d.hard, weights: [Double](repeating: 0, count: 300)) }
    }

    /// Coefficients on the standardised features against scikit-learn's LogisticRegression
    /// (newton-cholesky, tol 1e-12), soft targets given to it as duplicated weighted rows.
    @Test(.enabled(if: LearnOracle.python != nil, "\(LearnOracle.skipMessage)"),
          arguments: [(0.01, false, false), (1.0, false, true), (1.0, true, false), (100.0, true, true)])
    func coefficientsAgreeWithScikitLearn(c: Double, soft: Bool, balanced: Bool) throws {
        let d = try Self.data(2000, seed: 4)
        let y = soft ? d.soft : d.hard
        let m = try LogisticRegression(fitting: d.x, targets: y, weights: d.weights,
                                       parameters: .init(c: c, classWeighting: balanced ? .balanced : .none))
        let rows = (0..<d.x.rowCount).map { d.x.row($0) }
        let answer = try #require(try LearnOracle.run("logistic", ["X": rows, "y": y, "w": d.weights, "C": c, "balanced": balanced]))
        let coef = try #require(answer["coef"] as? [Double]), intercept = try #require(answer["intercept"] as? Double)
        let diff = zip(m.coefficients + [m.intercept], coef + [intercept]).map { abs($0 - $1) }.max() ?? 1
        #expect(diff < 1e-4, "largest coefficient difference \(diff)")
        print("logistic regression vs scikit-learn (C \(c), soft \(soft), balanced \(balanced)): largest difference \(diff), \(m.iterations) Newton steps")
    }
}
