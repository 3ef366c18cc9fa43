import Foundation
import SpoorLearn

/// A label model fitted to a matrix: the class prior, what each function's votes are worth, the
/// dependent groups, and P(malicious) for any matrix with the same functions.
public struct FittedLabelModel: Sendable, Hashable, Codable {
    public let functionNames: [String]
    /// Estimated (or given) P(malicious).
    public let prior: Double
    /// Per-function estimates, in column order.
    public let functions: [LabelFunctionEstimate]
    /// Groups of dependent functions (column indices) modelled jointly or down-weighted.
    public let groups: [[Int]]
    /// The dependent pairs that formed ``groups``, with their strength when they were found.
    public let dependencies: [LabelDependency]
    public let report: LabelModelFitReport
    let factors: [LabelFactor]
    /// The JSON format (`jsonData()`); `init(json:)` refuses any other.
    public static let formatVersion = "spoor-label-model/1"
    public private(set) var formatVersion = FittedLabelModel.formatVersion

    init(
        functionNames: [String], prior: Double, factors: [LabelFactor], groups: [[Int]],
        dependencies: [LabelDependency], report: LabelModelFitReport
    ) {
        self.functionNames = functionNames
        self.prior = prior
        self.factors = factors
        self.groups = groups
        self.dependencies = dependencies
        self.report = report
        var estimates = functionNames.map { LabelFunctionEstimate(name: $0) }
        for factor in factors {
            for (i, j) in factor.members.enumerated() {
                let (b, m) = factor.marginal(member: i)
                estimates[j] = LabelFunctionEstimate(
                    name: functionNames[j], prior: prior,
                    givenBenign: VoteDistribution(abstain: b[0], benign: b[1], malicious: b[2]),
                    givenMalicious: VoteDistribution(abstain: m[0], benign: m[1], malicious: m[2]),
                    group: groups.firstIndex { $0.contains(j) })
            }
        }
        functions = estimates
    }

    /// Calibrated P(malicious) per unit of `matrix` (whose columns must be the same functions, in
    /// the same order, as the matrix the model was fitted on).
    /// - Throws: `LearnError.shape` when the function count differs.
    /// - Complexity: O(*n* · *m*), column by column.
    public func probabilities(_ matrix: LabelMatrix) throws(LearnError) -> [Double] {
        guard matrix.functionCount == functionNames.count else {
            throw LearnError.shape("matrix has \(matrix.functionCount) functions, model \(functionNames.count)")
        }
        let n = matrix.unitCount
        var score = [Double](repeating: log(prior) - log1p(-prior), count: n)
        var outcome = [Int32](repeating: 0, count: factors.contains { $0.members.count > 1 } ? n : 0)
        score.withUnsafeMutableBufferPointer { s in
            for factor in factors {
                let ratio = factor.logRatio
                if factor.members.count == 1 {
                    matrix.columns[factor.members[0]].withUnsafeBufferPointer { col in
                        for i in 0..<n { s[i] += ratio[Int(col[i]) &+ 1] }
                    }
                    continue
                }
                outcome.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n { o[i] = 0 }
                    var digit: Int32 = 1
                    for member in factor.members {
                        matrix.columns[member].withUnsafeBufferPointer { col in
                            for i in 0..<n { o[i] &+= (Int32(col[i]) &+ 1) &* digit }
                        }
                        digit &*= 3
                    }
                    for i in 0..<n { s[i] += ratio[Int(o[i])] }
                }
            }
            for i in 0..<n {
                let e = exp(-abs(s[i]))
                s[i] = s[i] >= 0 ? 1 / (1 + e) : e / (1 + e)
            }
        }
        return score
    }

    /// Malicious where P(malicious) ≥ `threshold`, else benign.
    public func predictions(_ matrix: LabelMatrix, threshold: Double = 0.5) throws(LearnError) -> [Vote] {
        try probabilities(matrix).map { $0 >= threshold ? .malicious : .benign }
    }
}

extension FittedLabelModel {
    /// The model as JSON (with `formatVersion`), to apply it to another case later.
    public func jsonData() throws(LearnError) -> Data {
        try ModelJSON.encode(self, what: "the label model")
    }

    /// A model read from `jsonData()` output.
    /// - Throws: `LearnError.invalid` for another format version, bad JSON, or factors that do
    ///   not fit the functions (a member out of range, outcome tables of the wrong size).
    public init(json: Data) throws(LearnError) {
        let model = try ModelJSON.decode(FittedLabelModel.self, from: json, what: "a spoor label model")
        guard model.formatVersion == Self.formatVersion else {
            throw .invalid("label model format \(model.formatVersion), expected \(Self.formatVersion)")
        }
        guard model.prior > 0, model.prior < 1 else { throw .invalid("the prior \(model.prior) is not in (0, 1)") }
        guard model.functions.count == model.functionNames.count else { throw .invalid("\(model.functions.count) estimates for \(model.functionNames.count) functions") }
        for factor in model.factors {
            guard !factor.members.isEmpty, factor.members.count <= 12,
                  factor.members.allSatisfy({ $0 >= 0 && $0 < model.functionNames.count }),
                  factor.benign.count == LabelFactor.outcomeCount(factor.members.count), factor.malicious.count == factor.benign.count,
                  factor.weight.isFinite else {
                throw .invalid("a factor does not fit the model's \(model.functionNames.count) functions")
            }
        }
        self = model
    }
}

/// P(vote | class) over the three answers.
public struct VoteDistribution: Sendable, Hashable, Codable {
    public var abstain: Double
    public var benign: Double
    public var malicious: Double

    public init(abstain: Double, benign: Double, malicious: Double) {
        self.abstain = abstain
        self.benign = benign
        self.malicious = malicious
    }

    /// P(the function votes at all | class).
    public var coverage: Double { benign + malicious }
}

/// What the label model learnt about one labelling function.
public struct LabelFunctionEstimate: Sendable, Hashable, Codable {
    public var name: String
    /// P(vote | benign unit) and P(vote | malicious unit).
    public var givenBenign: VoteDistribution
    public var givenMalicious: VoteDistribution
    /// P(the function votes), over both classes.
    public var coverage: Double
    /// P(vote = malicious | malicious): the share of attacks it flags.
    public var truePositiveRate: Double { givenMalicious.malicious }
    /// P(vote = benign | benign).
    public var trueNegativeRate: Double { givenBenign.benign }
    /// P(vote = malicious | benign): its false alarms per benign unit.
    public var falsePositiveRate: Double { givenBenign.malicious }
    /// P(vote = class | it voted); nil for a function that never votes.
    public var accuracy: Double?
    /// P(malicious | it voted malicious); nil if it never votes malicious.
    public var maliciousPrecision: Double?
    /// P(benign | it voted benign); nil if it never votes benign.
    public var benignPrecision: Double?
    /// Index into ``FittedLabelModel/groups`` when the function is part of a dependent group.
    public var group: Int?

    init(name: String) {
        self.name = name
        givenBenign = VoteDistribution(abstain: 1, benign: 0, malicious: 0)
        givenMalicious = givenBenign
        coverage = 0
    }

    init(name: String, prior: Double, givenBenign: VoteDistribution, givenMalicious: VoteDistribution, group: Int?) {
        self.name = name
        self.givenBenign = givenBenign
        self.givenMalicious = givenMalicious
        self.group = group
        let votesMalicious = prior * givenMalicious.malicious + (1 - prior) * givenBenign.malicious
        let votesBenign = prior * givenMalicious.benign + (1 - prior) * givenBenign.benign
        coverage = votesMalicious + votesBenign
        // Below ~1e-9 the function is a smoothing artefact, not a voter.
        let correct = prior * givenMalicious.malicious + (1 - prior) * givenBenign.benign
        accuracy = coverage > 1e-9 ? correct / coverage : nil
        maliciousPrecision = votesMalicious > 1e-9 ? prior * givenMalicious.malicious / votesMalicious : nil
        benignPrecision = votesBenign > 1e-9 ? (1 - prior) * givenBenign.benign / votesBenign : nil
    }
}
