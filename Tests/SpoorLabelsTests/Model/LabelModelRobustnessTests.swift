import Testing
import SpoorLearn
@testable import SpoorLabels

/// Degenerate inputs give finite numbers, never NaN or a crash.
@Suite struct LabelModelRobustnessTests {
    static func allFinite(_ fitted: FittedLabelModel, _ matrix: LabelMatrix) throws -> Bool {
        let p = try fitted.probabilities(matrix)
        let estimates = fitted.functions.flatMap { (e: LabelFunctionEstimate) -> [Double] in
            [e.coverage, e.givenBenign.abstain, e.givenBenign.benign, e.givenBenign.malicious,
             e.givenMalicious.abstain, e.givenMalicious.benign, e.givenMalicious.malicious,
             e.accuracy ?? 0, e.maliciousPrecision ?? 0, e.benignPrecision ?? 0]
        }
        return (p + estimates + [fitted.prior, fitted.report.logLikelihood]).allSatisfy(\.isFinite)
            && p.allSatisfy { (0...1).contains($0) }
    }

    @Test func emptyMatrix() throws {
        let matrix = LabelMatrix(functionNames: ["a", "b"])
        let fitted = LabelModel().fit(matrix)
        #expect(try fitted.probabilities(matrix).isEmpty)
        #expect(try Self.allFinite(fitted, matrix))
    }

    @Test func noFunctions() throws {
        let matrix = try LabelMatrix(functionNames: [], rawColumns: [])
        var grown = LabelMatrix(functionNames: [])
        try grown.append([])
        try grown.append([])
        for m in [matrix, grown] {
            let fitted = LabelModel().fit(m)
            #expect(try Self.allFinite(fitted, m))
            #expect(try fitted.probabilities(m).count == m.unitCount)
        }
    }

    /// A function that never votes is neutral: same probabilities as without it, coverage 0.
    @Test func functionThatNeverVotes() throws {
        let data = SyntheticVotes.generate(
            units: 20_000, positiveRate: 0.02, specs: SyntheticVotes.securitySpecs(count: 6, seed: 81), seed: 82)
        var columns = data.matrix.columns
        columns.append([Int8](repeating: -1, count: data.matrix.unitCount))
        let withSilent = try LabelMatrix(functionNames: data.matrix.functionNames + ["silent"], rawColumns: columns)
        let a = LabelModel().fit(data.matrix), b = LabelModel().fit(withSilent)
        #expect(try Self.allFinite(b, withSilent))
        #expect(b.functions[6].coverage == 0)
        #expect(b.functions[6].accuracy == nil)
        let pa = try a.probabilities(data.matrix), pb = try b.probabilities(withSilent)
        #expect(zip(pa, pb).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    /// Units without any vote get one shared, finite probability near the prior.
    @Test func unitsWithoutVotes() throws {
        var matrix = LabelMatrix(functionNames: ["a", "b", "c"])
        for i in 0..<3_000 {
            switch i % 10 {
            case 0: try matrix.append([.malicious, .malicious, .abstain])
            case 1: try matrix.append([.benign, .abstain, .benign])
            default: try matrix.append([.abstain, .abstain, .abstain])
            }
        }
        let fitted = LabelModel().fit(matrix)
        #expect(try Self.allFinite(fitted, matrix))
        let p = try fitted.probabilities(matrix)
        #expect(p[2] == p[5])
    }

    @Test func allFunctionsAgree() throws {
        var matrix = LabelMatrix(functionNames: ["a", "b", "c"])
        for i in 0..<1_000 {
            let v: Vote = i % 4 == 0 ? .malicious : .benign
            try matrix.append([v, v, v])
        }
        let fitted = LabelModel().fit(matrix)
        #expect(try Self.allFinite(fitted, matrix))
        let p = try fitted.probabilities(matrix)
        #expect(p[0] > 0.5 && p[1] < 0.5)
    }

    @Test func allVotesMaliciousOrAllBenign() throws {
        for vote in [Vote.malicious, .benign] {
            let matrix = try LabelMatrix(functionNames: ["a", "b"], columns: [
                [Vote](repeating: vote, count: 500), [Vote](repeating: .abstain, count: 250) + [Vote](repeating: vote, count: 250),
            ])
            let fitted = LabelModel().fit(matrix)
            #expect(try Self.allFinite(fitted, matrix))
        }
    }

    @Test(arguments: [0.0, 1.0, -3.0, 7.0, Double.nan, 1e-300])
    func degenerateGivenPriors(prior: Double) throws {
        let data = SyntheticVotes.generate(
            units: 5_000, positiveRate: 0.05, specs: SyntheticVotes.securitySpecs(count: 6, seed: 91), seed: 92)
        let fitted = LabelModel(prior: .given(prior)).fit(data.matrix)
        #expect(try Self.allFinite(fitted, data.matrix))
        #expect(LabelModel.priorBounds.contains(fitted.prior))
    }

    @Test func singleUnit() throws {
        var matrix = LabelMatrix(functionNames: ["a", "b"])
        try matrix.append([.malicious, .benign])
        let fitted = LabelModel().fit(matrix)
        #expect(try Self.allFinite(fitted, matrix))
    }

    @Test func shapeMismatchThrows() throws {
        let fitted = LabelModel().fit(LabelMatrix(functionNames: ["a", "b"]))
        #expect(throws: LearnError.self) { try fitted.probabilities(LabelMatrix(functionNames: ["a"])) }
    }

    @Test func extremeSettingsStayFinite() throws {
        let data = SyntheticVotes.generate(
            units: 5_000, positiveRate: 0.01, specs: SyntheticVotes.securitySpecs(count: 6, seed: 93), seed: 94)
        for model in [
            LabelModel(smoothing: 0, maximumIterations: 1), LabelModel(smoothing: .nan, tolerance: .nan),
            LabelModel(dependencyThreshold: -1), LabelModel(minimumSupport: 0, maximumGroupSize: 0),
        ] {
            #expect(try Self.allFinite(model.fit(data.matrix), data.matrix))
        }
    }
}
