import Foundation
import SpoorCore

/// Gradient-boosted regression trees for binary classification with the logistic loss
/// (Friedman 2001, "Greedy function approximation: a gradient boosting machine"; Friedman
/// 2002, "Stochastic gradient boosting" for row subsampling), histogram-based like LightGBM
/// (Ke et al. 2017) and scikit-learn's `HistGradientBoostingClassifier`: features are binned
/// once into at most 255 quantile bins plus one for missing values, trees grow best leaf first
/// on per-node gradient histograms, leaves take the Newton step −G/(H + λ).
///
/// Targets are probabilities in [0, 1] (soft labels from a label model; 0/1 for hard ones):
/// the gradient of the log loss at log-odds F is w·(σ(F) − y) and its hessian w·σ(F)(1 − σ(F)),
/// which for a soft y equals two rows weighted y and 1 − y with labels 1 and 0.
///
/// Fitting is deterministic: the same data, parameters and seed give the same model, serial
/// or parallel (histograms over features are split between threads, each feature summed by
/// one thread in row order).
public struct GradientBoostedTrees: Sendable, Hashable, Codable {
    /// Settings of a fit, named after scikit-learn's where they match.
    public struct Parameters: Sendable, Hashable, Codable {
        /// Boosting iterations (`max_iter`).
        public var iterations = 100
        public var learningRate = 0.1
        /// Leaves per tree (`max_leaf_nodes`).
        public var maximumLeaves = 31
        /// Depth limit (`max_depth`), none when nil.
        public var maximumDepth: Int? = nil
        /// Rows a leaf must hold at least (`min_samples_leaf`).
        public var minimumSamplesPerLeaf = 20
        /// L2 penalty λ on leaf values (`l2_regularization`).
        public var l2Regularization = 0.0
        /// Bins for non-missing values, 2…255 (`max_bins`).
        public var maximumBins = 255
        /// Share of the training rows drawn (without replacement, by a seeded SplitMix64) for each tree.
        public var rowSubsample = 1.0
        /// The share of rows held out to stop early; nil trains all `iterations` on all rows.
        public var validationFraction: Double? = nil
        /// Stop when the validation loss has not improved by more than `tolerance` for this many iterations (`n_iter_no_change`).
        public var patience = 10
        public var tolerance = 1e-7
        public var classWeighting: ClassWeighting = .none
        public var minimumHessianToSplit = 1e-3
        public var seed: UInt64 = 0
        /// Builds histograms on two threads (results are identical either way).
        public var isParallel = true

        public init() {}

        func check() throws(LearnError) {
            guard iterations >= 1 else { throw .invalid("iterations must be ≥ 1") }
            guard learningRate > 0, learningRate.isFinite else { throw .invalid("the learning rate must be positive") }
            guard maximumLeaves >= 2 else { throw .invalid("maximumLeaves must be ≥ 2") }
            guard (2...255).contains(maximumBins) else { throw .invalid("maximumBins must be in 2…255") }
            guard rowSubsample > 0, rowSubsample <= 1 else { throw .invalid("rowSubsample must be in (0, 1]") }
            guard l2Regularization >= 0, minimumHessianToSplit >= 0, tolerance >= 0 else { throw .invalid("penalties and tolerances must be ≥ 0") }
            if let v = validationFraction, !(v > 0 && v < 1) { throw .invalid("validationFraction must be in (0, 1)") }
            if let d = maximumDepth, d < 1 { throw .invalid("maximumDepth must be ≥ 1") }
        }
    }

    /// The JSON format written by `jsonData()`; `init(json:)` refuses any other.
    public static let formatVersion = "spoor-gbt/1"

    public private(set) var formatVersion: String = GradientBoostedTrees.formatVersion
    public private(set) var parameters: Parameters
    public private(set) var featureNames: [String]
    /// The initial log-odds (of the weighted mean target).
    public private(set) var baseScore: Double
    public internal(set) var trees: [DecisionTree]
    /// Validation log loss after each iteration when early stopping was on.
    public private(set) var validationLoss: [Double]

    /// Fits the ensemble.
    /// - Parameters:
    ///   - x: features; NaN means missing.
    ///   - targets: probability of the positive class per row, in [0, 1].
    ///   - weights: optional sample weights ≥ 0.
    /// - Throws: `LearnError` on shapes, targets, weights or parameters that cannot be used.
    /// - Complexity: binning O(*n d* log 255); each tree O(*n d*) for histograms (halved by the
    ///   subtraction trick below the root) plus O(leaves · *d* · 256) for splits. Memory: the
    ///   binned matrix (*n d* bytes), five O(*n*) vectors, ≤ `maximumLeaves` histograms.
    public init(fitting x: FeatureMatrix, targets: [Double], weights: [Double]? = nil, parameters: Parameters = Parameters()) throws(LearnError) {
        try parameters.check()
        let n = x.rowCount, d = x.columnCount
        try LogisticRegression.checkTargets(targets, weights, rows: n)
        guard d >= 1 else { throw .shape("no feature") }
        self.parameters = parameters
        featureNames = x.names
        validationLoss = []
        trees = []

        var rng = SplitMix64(seed: parameters.seed)
        // The held-out rows for early stopping: a seeded shuffle (not stratified).
        var training = Array(0..<n), validation: [Int] = []
        if let fraction = parameters.validationFraction {
            var order = Array(0..<n)
            for k in stride(from: n - 1, to: 0, by: -1) { order.swapAt(k, rng.below(k + 1)) }
            let held = Int((Double(n) * fraction).rounded())
            validation = order[0..<held].sorted()
            training = order[held...].sorted()
        }
        guard !training.isEmpty else { throw .shape("no training rows") }

        let bins = FeatureBins(x, rows: training, maximumBins: parameters.maximumBins, rng: &rng)
        let binned = bins.binned(x)

        // Loss weights of the positive and negative part per row.
        let (cNeg, cPos) = LogisticRegression.classWeights(parameters.classWeighting, training.map { targets[$0] })
        var aPos = [Double](repeating: 0, count: n), aAll = aPos
        for i in 0..<n {
            let w = weights?[i] ?? 1
            aPos[i] = w * cPos * targets[i]
            aAll[i] = aPos[i] + w * cNeg * (1 - targets[i])
        }
        var sumPos = 0.0, sumAll = 0.0
        for i in training { sumPos += aPos[i]; sumAll += aAll[i] }
        guard sumAll > 0 else { throw .invalid("no weight to fit") }
        // Clamped so that an all-positive or all-negative training set stays finite.
        let mean = min(max(sumPos / sumAll, 1e-15), 1 - 1e-15)
        baseScore = log(mean / (1 - mean))

        var raw = [Double](repeating: baseScore, count: n)
        var g = [Double](repeating: 0, count: n), h = g
        var grower = TreeGrower(rows: n, bins: bins, parameters: parameters)
        var sample: [Int32] = []
        sample.reserveCapacity(training.count)
        let missing = UInt8(truncatingIfNeeded: bins.missingBin)
        var inSample = [Bool](repeating: false, count: n)
        var best = (loss: Double.infinity, trees: 0), sinceBest = 0

        for _ in 0..<parameters.iterations {
            sample.removeAll(keepingCapacity: true)
            if parameters.rowSubsample < 1 {
                for i in training where rng.unit() < parameters.rowSubsample { sample.append(Int32(i)) }
                if sample.isEmpty { sample.append(Int32(training[rng.below(training.count)])) }
            } else {
                for i in training { sample.append(Int32(i)) }
            }
            for s in sample {
                let i = Int(s)
                let p = LogisticRegression.sigmoid(raw[i])
                g[i] = aAll[i] * p - aPos[i]
                h[i] = aAll[i] * p * (1 - p)
            }
            let (tree, leaves) = grower.grow(sample: sample, binned: binned, g: g, h: h, bins: bins)
            trees.append(tree)
            // Training rows in the sample: their leaves are known. Others: walk the tree.
            for leaf in leaves {
                let v = tree.value[leaf.node]
                for k in leaf.start..<(leaf.start + leaf.count) {
                    let i = Int(grower.index[k])
                    raw[i] += v
                    inSample[i] = true
                }
            }
            binned.withUnsafeBufferPointer { b in
                if parameters.rowSubsample < 1 {
                    for i in training where !inSample[i] { raw[i] += tree.predict(binned: b, row: i, rows: n, missingBin: missing) }
                }
                for i in validation { raw[i] += tree.predict(binned: b, row: i, rows: n, missingBin: missing) }
            }
            for s in sample { inSample[Int(s)] = false }

            if !validation.isEmpty {
                var loss = 0.0, weight = 0.0
                for i in validation {
                    loss += aAll[i] * LogisticRegression.softplus(raw[i]) - aPos[i] * raw[i]
                    weight += aAll[i]
                }
                loss /= max(weight, .leastNonzeroMagnitude)
                validationLoss.append(loss)
                if loss < best.loss - parameters.tolerance {
                    best = (loss, trees.count); sinceBest = 0
                } else {
                    sinceBest += 1
                    if sinceBest >= parameters.patience { break }
                }
            }
        }
        // Keep the trees up to the best validation loss.
        if !validation.isEmpty, best.trees > 0, best.trees < trees.count {
            trees.removeLast(trees.count - best.trees)
        }
    }

    /// The log-odds of the positive class for every row of `x` (NaN = missing).
    /// - Throws: `LearnError.shape` when `x` has a different number of features.
    public func decisionFunction(_ x: FeatureMatrix) throws(LearnError) -> [Double] {
        guard x.columnCount == featureNames.count else {
            throw .shape("\(x.columnCount) features, the model was fitted on \(featureNames.count)")
        }
        var raw = [Double](repeating: baseScore, count: x.rowCount)
        let columns = x.columns
        for tree in trees {
            for i in 0..<x.rowCount {
                raw[i] += tree.predict { columns[$0][i] }
            }
        }
        return raw
    }

    /// The probability of the positive class for every row.
    public func predictProbability(_ x: FeatureMatrix) throws(LearnError) -> [Double] {
        try decisionFunction(x).map(LogisticRegression.sigmoid)
    }

    /// Each feature's share of the total split gain over all trees (sums to 1; all 0 when no
    /// tree split), with names, in feature order.
    public var featureImportance: [(name: String, importance: Double)] {
        var gain = [Double](repeating: 0, count: featureNames.count)
        for tree in trees {
            for k in 0..<tree.nodeCount where tree.feature[k] >= 0 { gain[Int(tree.feature[k])] += tree.gain[k] }
        }
        let total = gain.reduce(0, +)
        return zip(featureNames, gain).map { ($0, total > 0 ? $1 / total : 0) }
    }
}

extension GradientBoostedTrees {
    /// The model as JSON (with `formatVersion`), for saving.
    public func jsonData() throws(LearnError) -> Data {
        // Thresholds of splits that send every non-missing value left are +infinity.
        try ModelJSON.encode(self, what: "the model")
    }

    /// A model read from `jsonData()` output.
    /// - Throws: `LearnError.invalid` for another format version, bad JSON or a damaged tree.
    public init(json: Data) throws(LearnError) {
        let model = try ModelJSON.decode(GradientBoostedTrees.self, from: json, what: "a spoor gradient-boosted model")
        guard model.formatVersion == Self.formatVersion else {
            throw .invalid("model format \(model.formatVersion), expected \(Self.formatVersion)")
        }
        guard model.baseScore.isFinite else { throw .invalid("the base score is not finite") }
        for tree in model.trees { try tree.validate(featureCount: model.featureNames.count) }
        self = model
    }
}
