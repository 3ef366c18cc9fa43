import Foundation

/// Estimates how far to trust each labelling function, without ground truth, and combines their
/// votes into a calibrated P(malicious) per unit.
///
/// The model is data programming's generative label model (Ratner, De Sa, Wu, Selsam and Ré 2016,
/// "Data programming: creating large training sets, quickly") in the form of Dawid and Skene
/// (1979, "Maximum likelihood estimation of observer error-rates using the EM algorithm"):
/// - a binary class `y` with prior P(y = malicious) = π, part of the model: estimated, or given;
/// - each function's vote depends on the class only, through a full per-class distribution over
///   {abstain, benign, malicious}. This is the *two-coin* model with class-dependent coverage,
///   not the one-coin (one symmetric accuracy per function) one: a rule that only ever votes
///   malicious has a hit rate on attacks and a false-alarm rate on benign units, and *whether it
///   fires at all* is its evidence. A one-coin model would call such a rule 100% "accurate" and
///   learn nothing from its silence.
/// - fitted by EM (deterministic: initialised from a smoothed majority vote, no random restarts),
///   with Dirichlet smoothing (MAP) so empty cells never give log 0.
///
/// EM rather than the matrix-completion estimator of Ratner et al. (2019, "Training complex models
/// with multi-task weak supervision", MeTaL, snorkel's LabelModel): the moment method needs the
/// class balance given (snorkel's default balanced prior is what drops its F1 to 0.37 on the
/// benchmark) and is built on a symmetric accuracy per function; EM estimates the prior with the
/// rest and handles asymmetric functions directly, and over folded vote patterns it is fast
/// enough (see Docs/Label-model.md).
///
/// **Dependent functions.** After a fit, pairs of functions correlated *within* a class are found
/// (``dependencies(patterns:posterior:minimumSupport:)``), grouped (connected components above
/// ``dependencyThreshold``) and refitted with each group as one factor whose 3^k joint outcomes
/// get their own per-class distribution, so three copies of a noisy rule count as one rule.
/// Groups larger than ``maximumGroupSize`` instead keep their members as separate factors with
/// their evidence divided by the group size. The detect/refit cycle repeats until the groups stop
/// changing (at most ``maximumRounds`` fits).
///
/// **Orientation.** EM cannot tell the classes apart by itself (the mirror-image solution has the
/// same likelihood); as in data programming, functions are assumed better than chance on
/// average, and when the fitted "malicious" class is the one where malicious votes are rarer the
/// classes are exchanged (only when the prior is estimated).
public struct LabelModel: Sendable, Hashable {
    /// Where P(malicious) comes from.
    public enum Prior: Sendable, Hashable {
        /// Fitted with the rest of the model.
        case estimated
        /// Known share of malicious units (clamped to ``LabelModel/priorBounds``).
        case given(Double)
    }

    public var prior: Prior
    /// Detect and model dependent functions (false: plain conditional independence, one fit).
    public var modelsDependencies: Bool
    /// Within-class φ at or above which two functions are grouped. 0.2: independent functions
    /// measured ≤ 0.05 on the synthetic matrices of the tests, copies ≥ 0.7.
    public var dependencyThreshold: Double
    /// Expected units a φ cell needs before it counts.
    public var minimumSupport: Double
    /// Largest group modelled jointly (3^k outcomes per class).
    public var maximumGroupSize: Int
    /// Dirichlet pseudo-units per class and factor.
    public var smoothing: Double
    /// A Beta prior on each function's precision: `agreementStrength` pseudo-units that its votes
    /// agree with the class at rate `agreementPrecision` (data programming's "better than chance"
    /// made soft). 0 (the default) leaves the estimates to the data; with few overlapping
    /// functions and rare attacks, a function whose votes nothing else confirms otherwise drifts
    /// to "never right" as the estimated prior shrinks.
    public var agreementStrength: Double = 0
    public var agreementPrecision: Double = 0.7
    public var maximumIterations: Int
    /// Stop when no class-conditional vote probability (nor the estimated prior) moves by more
    /// than this in an iteration.
    public var tolerance: Double
    /// Fits at most (one plus refits after finding dependencies).
    public var maximumRounds: Int

    /// The prior is kept inside these bounds, so a degenerate estimate or a given 0 or 1 still
    /// lets the votes move a unit's probability and never yields log 0.
    public static let priorBounds: ClosedRange<Double> = 1e-6...(1 - 1e-6)

    public init(
        prior: Prior = .estimated, modelsDependencies: Bool = true, dependencyThreshold: Double = 0.2,
        minimumSupport: Double = 5, maximumGroupSize: Int = 6, smoothing: Double = 1,
        maximumIterations: Int = 300, tolerance: Double = 1e-5, maximumRounds: Int = 4
    ) {
        self.prior = prior
        self.modelsDependencies = modelsDependencies
        self.dependencyThreshold = dependencyThreshold
        self.minimumSupport = minimumSupport
        self.maximumGroupSize = max(1, min(6, maximumGroupSize))
        self.smoothing = smoothing.isFinite ? max(1e-9, smoothing) : 1
        self.maximumIterations = max(1, maximumIterations)
        self.tolerance = tolerance.isFinite ? max(0, tolerance) : 1e-5
        self.maximumRounds = max(1, maximumRounds)
    }

    /// Fits the model to a label matrix. Any matrix is accepted: no units, no functions, functions
    /// that never vote and units without votes all give finite estimates.
    /// - Complexity: one pass over the matrix to fold it into patterns, then per EM iteration
    ///   O(patterns × blocks); see ``EMEngine``.
    public func fit(_ matrix: LabelMatrix) -> FittedLabelModel {
        let patterns = VotePatterns(matrix)
        let m = matrix.functionCount
        let bounds = Self.priorBounds
        var fixedPrior = false
        var prior: Double
        var posterior = [Double](repeating: 0, count: patterns.count)

        switch self.prior {
        case .estimated: prior = 0.5
        case .given(let value):
            prior = value.isNaN ? 0.5 : min(bounds.upperBound, max(bounds.lowerBound, value))
            fixedPrior = true
        }

        var groups: [[Int]] = []
        var rounds: [LabelModelFitReport.Round] = []
        var factors: [LabelFactor] = []
        var dependencies: [LabelDependency] = []
        var swapped = false
        for _ in 0..<maximumRounds {
            factors = Self.factors(functionCount: m, groups: groups, maximumGroupSize: maximumGroupSize)
            // Every round starts afresh from the group-aware majority vote: a warm start would keep
            // the optimum the copies pulled the previous fit into.
            let start = Self.majorityStart(patterns: patterns, factors: factors)
            if !fixedPrior { prior = start.prior }
            for p in 0..<patterns.count { posterior[p] = (start.malicious[p] + prior) / (start.votes[p] + 1) }
            var engine = EMEngine(patterns: patterns, factors: factors)
            engine.agreement = (agreementStrength, agreementPrecision)
            let outcome = engine.run(
                posterior: &posterior, prior: &prior, fixedPrior: fixedPrior, smoothing: smoothing,
                maximumIterations: maximumIterations, tolerance: tolerance, priorBounds: bounds)
            factors = engine.factors
            if !fixedPrior, Self.isMirrored(factors) {
                for f in factors.indices { factors[f].swapClasses() }
                prior = min(bounds.upperBound, max(bounds.lowerBound, 1 - prior))
                for p in posterior.indices { posterior[p] = 1 - posterior[p] }
                swapped.toggle()
            }
            rounds.append(.init(
                iterations: outcome.iterations, logLikelihood: outcome.logLikelihood,
                isConverged: outcome.converged, groups: groups, patternBlocks: engine.blocks.count))
            guard modelsDependencies else { break }
            // Greedy structure search: merge only the strongest new dependencies (within half of
            // the strongest), refit, look again. A fit distorted by one set of copies shows
            // spurious within-class correlation between good functions too; those fade once the
            // copies are merged, so they must not be merged in the same step.
            var groupOf = [Int](repeating: -1, count: m)
            for (g, group) in groups.enumerated() { for j in group { groupOf[j] = g } }
            let fresh = Self.dependencies(patterns: patterns, posterior: posterior, minimumSupport: minimumSupport)
                .filter { groupOf[$0.first] < 0 || groupOf[$0.first] != groupOf[$0.second] }
            let strongest = fresh.map(\.strength).max() ?? -.infinity
            let cut = max(dependencyThreshold, strongest / 2)
            let merged = fresh.filter { $0.strength >= cut }
            if merged.isEmpty { break }
            dependencies += merged
            groups = Self.groups(dependencies, functionCount: m, threshold: -.infinity)
        }
        // When the last round found more, those were never fitted: report only what was used.
        let usedGroups = rounds.last?.groups ?? []
        var usedGroupOf = [Int](repeating: -1, count: m)
        for (g, group) in usedGroups.enumerated() { for j in group { usedGroupOf[j] = g } }
        dependencies = dependencies.filter { usedGroupOf[$0.first] >= 0 && usedGroupOf[$0.first] == usedGroupOf[$0.second] }
        let report = LabelModelFitReport(
            unitCount: matrix.unitCount, patternCount: patterns.count, rounds: rounds, isOrientationSwapped: swapped)
        return FittedLabelModel(
            functionNames: matrix.functionNames, prior: prior, factors: factors, groups: usedGroups,
            dependencies: dependencies, report: report)
    }

    /// The smoothed majority vote EM starts from, with each factor as one voter: p = (malicious
    /// votes + π0) / (votes + 1), where a group's vote is the share of its voting members that
    /// said malicious and a down-weighted member counts its weight. π0 is the soft vote's mean over
    /// all units (abstain-only units counting 0), kept in 0.001…0.5, which keeps the silent
    /// majority near benign when attacks are rare.
    static func majorityStart(patterns: VotePatterns, factors: [LabelFactor])
        -> (malicious: [Double], votes: [Double], prior: Double) {
        let np = patterns.count, words = patterns.wordsPerPattern
        var malicious = [Double](repeating: 0, count: np)
        var votes = malicious
        var softSum = 0.0
        // 2-bit codes: benign 01, malicious 10.
        let benignBits: UInt64 = 0x5555_5555_5555_5555, maliciousBits: UInt64 = 0xAAAA_AAAA_AAAA_AAAA
        let allSingle = factors.allSatisfy { $0.members.count == 1 && $0.weight == 1 }
        var flat: [Int] = [], bounds: [Int] = [0], weights: [Double] = []
        for factor in factors {
            flat += factor.members
            bounds.append(flat.count)
            weights.append(factor.weight)
        }
        patterns.keys.withUnsafeBufferPointer { keys in
            for p in 0..<np {
                let base = p &* words
                if allSingle {
                    var bad = 0, said = 0
                    for w in 0..<words {
                        let k = keys[base &+ w]
                        bad &+= (k & maliciousBits).nonzeroBitCount
                        said &+= (k & benignBits).nonzeroBitCount
                    }
                    said &+= bad
                    votes[p] = Double(said)
                    malicious[p] = Double(bad)
                } else {
                    for f in 0..<weights.count {
                        var said = 0, bad = 0
                        for x in bounds[f]..<bounds[f + 1] {
                            let j = flat[x]
                            let c = (keys[base &+ (j >> 5)] >> UInt64((j & 31) << 1)) & 3
                            if c != 0 { said += 1 }
                            if c == 2 { bad += 1 }
                        }
                        guard said > 0 else { continue }
                        votes[p] += weights[f]
                        malicious[p] += weights[f] * Double(bad) / Double(said)
                    }
                }
                if votes[p] > 0 { softSum += patterns.weights[p] * malicious[p] / votes[p] }
            }
        }
        let n = Double(patterns.unitCount)
        let prior = n > 0 ? min(0.5, max(0.001, softSum / n)) : 0.5
        return (malicious, votes, prior)
    }

    /// One factor per function, except groups (≤ `maximumGroupSize`) which become one joint factor
    /// each; members of larger groups stay single with weight 1/size.
    static func factors(functionCount m: Int, groups: [[Int]], maximumGroupSize: Int) -> [LabelFactor] {
        var grouped = [Bool](repeating: false, count: m)
        var weight = [Double](repeating: 1, count: m)
        var out: [LabelFactor] = []
        for group in groups {
            if group.count <= maximumGroupSize {
                out.append(LabelFactor(members: group, weight: 1))
                for j in group { grouped[j] = true }
            } else {
                for j in group { weight[j] = 1 / Double(group.count) }
            }
        }
        for j in 0..<m where !grouped[j] { out.append(LabelFactor(members: [j], weight: weight[j])) }
        return out
    }

    /// True when malicious votes are, summed over functions, more typical of the fitted *benign*
    /// class (and benign votes of the malicious one): EM found the mirror image.
    static func isMirrored(_ factors: [LabelFactor]) -> Bool {
        var direction = 0.0
        for factor in factors {
            for i in factor.members.indices {
                let (b, m) = factor.marginal(member: i)
                direction += (m[2] - b[2]) + (b[1] - m[1])
            }
        }
        return direction < 0
    }
}

/// How a fit went.
public struct LabelModelFitReport: Sendable, Hashable, Codable {
    /// One EM run (the first with independent functions, later ones with the groups found).
    public struct Round: Sendable, Hashable, Codable {
        public var iterations: Int
        /// Σ over units of log P(votes); a tempered pseudo-likelihood when a group had to be
        /// down-weighted.
        public var logLikelihood: Double
        public var isConverged: Bool
        /// The dependent groups modelled jointly in this round.
        public var groups: [[Int]]
        /// Look-up blocks per pattern in an iteration.
        public var patternBlocks: Int
    }

    public var unitCount: Int
    /// Distinct vote patterns EM ran over.
    public var patternCount: Int
    public var rounds: [Round]
    /// The classes were exchanged after EM (see ``LabelModel``, orientation).
    public var isOrientationSwapped: Bool

    public var iterations: Int { rounds.reduce(0) { $0 + $1.iterations } }
    public var logLikelihood: Double { rounds.last?.logLikelihood ?? 0 }
    public var isConverged: Bool { rounds.last?.isConverged ?? true }
}
