import Testing
import SpoorLearn
@testable import SpoorLabels

@Suite struct LabelModelTests {
    /// 200k units, 15 security-shaped functions, 1% attacks: the fitted per-class vote
    /// distributions are within 0.05 of the generating ones and the prior within 0.002 of 0.01.
    @Test func recoversPerClassRatesAtOnePercentPositives() throws {
        let specs = SyntheticVotes.securitySpecs(count: 15, seed: 11)
        let data = SyntheticVotes.generate(units: 200_000, positiveRate: 0.01, specs: specs, seed: 12)
        let fitted = LabelModel().fit(data.matrix)
        print("recovery: prior \(fitted.prior), patterns \(fitted.report.patternCount), iterations \(fitted.report.iterations), rounds \(fitted.report.rounds.count), groups \(fitted.groups)")
        #expect(abs(fitted.prior - 0.01) <= 0.002)
        #expect(fitted.report.isConverged)
        #expect(fitted.groups.isEmpty, "independent functions must not be grouped: \(fitted.dependencies)")
        var worst = 0.0
        for (j, spec) in specs.enumerated() {
            guard case .independent(let benign, let malicious) = spec else { continue }
            let e = fitted.functions[j]
            let errors = [
                abs(e.givenBenign.benign - benign.benign), abs(e.givenBenign.malicious - benign.malicious),
                abs(e.givenMalicious.benign - malicious.benign), abs(e.givenMalicious.malicious - malicious.malicious),
            ]
            let trueAccuracy = (0.01 * malicious.malicious + 0.99 * benign.benign)
                / (0.01 * (malicious.malicious + malicious.benign) + 0.99 * (benign.malicious + benign.benign))
            let accuracyError = abs((e.accuracy ?? -1) - trueAccuracy)
            worst = max(worst, errors.max() ?? 0, accuracyError)
            #expect(errors.allSatisfy { $0 <= 0.05 }, "lf\(j): \(errors)")
            #expect(accuracyError <= 0.05, "lf\(j) accuracy \(e.accuracy ?? -1) vs \(trueAccuracy)")
        }
        print("recovery: worst absolute error over P(vote|class) and accuracy: \(worst)")
        let probabilities = try fitted.probabilities(data.matrix)
        let calibration = Score.calibration(probabilities, data.truth)
        print("calibration: ECE \(calibration.ece); bins \(calibration.bins)")
        #expect(calibration.ece <= 0.01)
    }

    /// On rare-positive data the label model beats the majority vote clearly.
    @Test func beatsMajorityVoteOnRarePositives() throws {
        let specs = SyntheticVotes.securitySpecs(count: 12, seed: 21)
        let data = SyntheticVotes.generate(units: 100_000, positiveRate: 0.01, specs: specs, seed: 22)
        let fitted = LabelModel().fit(data.matrix)
        let model = Score.f1(try fitted.probabilities(data.matrix).map { $0 >= 0.5 }, data.truth)
        let majority = Score.f1(MajorityVote().predictions(data.matrix).map { $0 == .malicious }, data.truth)
        print("rare positives: F1 label model \(model), majority vote \(majority)")
        #expect(model >= majority + 0.2)
    }

    /// Four near-copies of one weak function next to good ones: without dependency handling the
    /// copies outvote the good rules; with it the F1 stays near the copy-free figure.
    @Test func correlatedCopiesDoNotOutvoteGoodRules() throws {
        var specs = SyntheticVotes.securitySpecs(count: 6, seed: 31)
        let weak = specs.count
        specs.append(.independent(benign: (0.35, 0.15), malicious: (0.15, 0.35)))
        let clean = SyntheticVotes.generate(units: 100_000, positiveRate: 0.01, specs: specs, seed: 32)
        for _ in 0..<4 { specs.append(.copy(of: weak, flip: 0.05)) }
        let data = SyntheticVotes.generate(units: 100_000, positiveRate: 0.01, specs: specs, seed: 32)

        func f1(_ model: LabelModel, _ d: SyntheticVotes) throws -> (Double, FittedLabelModel) {
            let fitted = model.fit(d.matrix)
            return (Score.f1(try fitted.probabilities(d.matrix).map { $0 >= 0.5 }, d.truth), fitted)
        }
        let (reference, _) = try f1(LabelModel(), clean)
        let (independent, naive) = try f1(LabelModel(modelsDependencies: false), data)
        let (handled, fitted) = try f1(LabelModel(), data)
        let majority = Score.f1(MajorityVote().predictions(data.matrix).map { $0 == .malicious }, data.truth)
        print("copies: F1 without copies \(reference); with 4 copies: independent \(independent) (prior \(naive.prior)), dependencies modelled \(handled) (prior \(fitted.prior), groups \(fitted.groups)), majority \(majority)")
        #expect(fitted.groups == [[weak, weak + 1, weak + 2, weak + 3, weak + 4]])
        #expect(handled >= independent + 0.1)
        #expect(handled >= reference - 0.05)
    }

    /// The same holds when the group is too large to model jointly (down-weighting path).
    @Test func largeCorrelatedGroupIsDownWeighted() throws {
        var specs = SyntheticVotes.securitySpecs(count: 6, seed: 41)
        let weak = specs.count
        specs.append(.independent(benign: (0.35, 0.15), malicious: (0.15, 0.35)))
        for _ in 0..<7 { specs.append(.copy(of: weak, flip: 0.05)) }
        let data = SyntheticVotes.generate(units: 100_000, positiveRate: 0.01, specs: specs, seed: 42)
        let naive = LabelModel(modelsDependencies: false).fit(data.matrix)
        let fitted = LabelModel().fit(data.matrix)
        let independent = Score.f1(try naive.probabilities(data.matrix).map { $0 >= 0.5 }, data.truth)
        let handled = Score.f1(try fitted.probabilities(data.matrix).map { $0 >= 0.5 }, data.truth)
        print("8 copies (down-weighted): F1 independent \(independent), handled \(handled), groups \(fitted.groups)")
        #expect(fitted.groups.first?.count == 8)
        #expect(handled >= independent + 0.1)
    }

    /// On balanced, symmetric functions (snorkel's benchmark generator at a small size) the prior
    /// is recovered too.
    @Test func recoversPriorOnSymmetricFunctions() {
        let specs: [SyntheticVotes.Spec] = (0..<10).map { j in
            let c = 0.1 + 0.04 * Double(j), a = 0.6 + 0.035 * Double(j)
            return .independent(benign: (c * a, c * (1 - a)), malicious: (c * (1 - a), c * a))
        }
        let data = SyntheticVotes.generate(units: 50_000, positiveRate: 0.1, specs: specs, seed: 51)
        let fitted = LabelModel().fit(data.matrix)
        #expect(abs(fitted.prior - 0.1) <= 0.01, "prior \(fitted.prior)")
        #expect(fitted.groups.isEmpty)
    }

    @Test func fitIsDeterministic() throws {
        let data = SyntheticVotes.generate(
            units: 20_000, positiveRate: 0.02, specs: SyntheticVotes.securitySpecs(count: 9, seed: 61), seed: 62)
        let a = LabelModel().fit(data.matrix), b = LabelModel().fit(data.matrix)
        #expect(a == b)
        #expect(try a.probabilities(data.matrix) == b.probabilities(data.matrix))
    }

    @Test func givenPriorIsKept() {
        let data = SyntheticVotes.generate(
            units: 20_000, positiveRate: 0.02, specs: SyntheticVotes.securitySpecs(count: 9, seed: 71), seed: 72)
        let fitted = LabelModel(prior: .given(0.02)).fit(data.matrix)
        #expect(fitted.prior == 0.02)
    }
}
