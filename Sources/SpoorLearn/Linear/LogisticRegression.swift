import Foundation

/// How the two classes are weighted against each other in a fit.
public enum ClassWeighting: Sendable, Hashable, Codable {
    /// Both classes count the same per unit of sample weight.
    case none
    /// Each class weighs n / (2 · its share of targets), as scikit-learn's `class_weight="balanced"`
    /// (counts of the targets, sample weights not included). With soft targets a row counts
    /// `y` towards the positive class and `1 − y` towards the negative one.
    case balanced
    /// Explicit weights for the negative and positive class.
    case explicit(negative: Double, positive: Double)
}

/// L2-regularised logistic regression (Cox 1958, "The regression analysis of binary sequences")
/// on soft targets in [0, 1] with sample weights, fitted by Newton's method (iteratively
/// reweighted least squares, Nelder and Wedderburn 1972) with a backtracking line search.
///
/// The objective is scikit-learn's: C · Σᵢ wᵢ [c₊ yᵢ (−log pᵢ) + c₋ (1 − yᵢ)(−log(1 − pᵢ))] +
/// ½‖β‖², the intercept unpenalised. A soft target y is the same as two rows with labels 1 and
/// 0 weighted y and 1 − y, so probabilities from a label model train it directly.
///
/// Features are standardised inside the model (mean 0, population standard deviation 1,
/// constant columns left unscaled), and the penalty applies to the standardised coefficients,
/// so it does not depend on the units of a feature. The standardisation is kept for
/// prediction. Coefficients are readable in both scales for explanations.
///
/// - Complexity: each Newton step is O(*n d²*) (the Hessian) plus an O(*d³*) Cholesky solve;
///   memory is one standardised copy of the matrix (*n d* doubles) and O(*n*) vectors.
///   Meant for up to a few hundred features.
public struct LogisticRegression: Sendable, Hashable, Codable {
    /// Settings of a fit.
    public struct Parameters: Sendable, Hashable, Codable {
        /// Inverse regularisation strength, as scikit-learn's `C`.
        public var c: Double = 1
        public var classWeighting: ClassWeighting = .none
        /// Stop when the largest gradient component is below this (relative to the total weight · C).
        public var tolerance: Double = 1e-10
        public var maximumIterations: Int = 100
        public init(c: Double = 1, classWeighting: ClassWeighting = .none, tolerance: Double = 1e-10, maximumIterations: Int = 100) {
            self.c = c
            self.classWeighting = classWeighting
            self.tolerance = tolerance
            self.maximumIterations = maximumIterations
        }
    }

    public private(set) var parameters: Parameters
    public private(set) var featureNames: [String]
    /// Mean of each feature in the training data.
    public private(set) var means: [Double]
    /// Scale of each feature (population standard deviation, 1 for constant features).
    public private(set) var scales: [Double]
    /// Coefficients on the standardised features (comparable across features).
    public private(set) var coefficients: [Double]
    /// Intercept on the standardised features.
    public private(set) var intercept: Double
    /// Newton steps taken and whether the gradient tolerance was reached.
    public private(set) var iterations: Int
    public private(set) var isConverged: Bool

    /// Coefficients per unit of each original feature: βⱼ / σⱼ.
    public var unscaledCoefficients: [Double] { zip(coefficients, scales).map { $0 / $1 } }
    /// The intercept for original features: β₀ − Σⱼ βⱼ μⱼ / σⱼ.
    public var unscaledIntercept: Double {
        intercept - zip(zip(coefficients, means), scales).reduce(0) { $0 + $1.0.0 * $1.0.1 / $1.1 }
    }

    /// Fits a model.
    /// - Parameters:
    ///   - x: the features (finite values only).
    ///   - targets: one probability of the positive class per row, in [0, 1].
    ///   - weights: optional sample weights ≥ 0.
    /// - Throws: `LearnError` on shape mismatch, non-finite features, targets outside [0, 1],
    ///   negative weights, or no weight at all.
    public init(fitting x: FeatureMatrix, targets: [Double], weights: [Double]? = nil, parameters: Parameters = Parameters()) throws(LearnError) {
        let n = x.rowCount, d = x.columnCount
        try Self.checkTargets(targets, weights, rows: n)
        guard parameters.c > 0, parameters.c.isFinite else { throw .invalid("C must be positive") }
        self.parameters = parameters
        featureNames = x.names
        // Standardise into one contiguous column-major copy.
        var z = [Double](repeating: 0, count: n * d)
        means = []; scales = []
        for j in 0..<d {
            let col = x.columns[j]
            guard col.allSatisfy(\.isFinite) else { throw .invalid("feature \(x.names[j]) has a non-finite value") }
            let mean = n > 0 ? col.reduce(0, +) / Double(n) : 0
            var ss = 0.0
            for v in col { ss += (v - mean) * (v - mean) }
            let sd = n > 0 ? (ss / Double(n)).squareRoot() : 0
            let scale = sd > 0 ? sd : 1
            means.append(mean); scales.append(scale)
            for i in 0..<n { z[j * n + i] = (col[i] - mean) / scale }
        }
        // Per-row weights of the positive and negative part of the loss.
        let (cNeg, cPos) = Self.classWeights(parameters.classWeighting, targets)
        var aPos = [Double](repeating: 0, count: n), aAll = aPos
        var total = 0.0
        for i in 0..<n {
            let w = weights?[i] ?? 1
            aPos[i] = parameters.c * w * cPos * targets[i]
            aAll[i] = aPos[i] + parameters.c * w * cNeg * (1 - targets[i])
            total += aAll[i]
        }
        guard total > 0 else { throw .invalid("no weight to fit") }
        let solution = Self.newton(z: z, rows: n, columns: d, aPos: aPos, aAll: aAll, parameters: parameters, scale: total)
        coefficients = Array(solution.beta.dropLast())
        intercept = solution.beta[d]
        iterations = solution.iterations
        isConverged = solution.converged
    }

    static func checkTargets(_ targets: [Double], _ weights: [Double]?, rows n: Int) throws(LearnError) {
        guard targets.count == n else { throw .shape("\(targets.count) targets for \(n) rows") }
        guard targets.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw .invalid("targets must be probabilities in [0, 1]") }
        if let weights {
            guard weights.count == n else { throw .shape("\(weights.count) weights for \(n) rows") }
            guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalid("weights must be finite and ≥ 0") }
        }
    }

    /// (negative, positive) class weights.
    static func classWeights(_ weighting: ClassWeighting, _ targets: [Double]) -> (Double, Double) {
        switch weighting {
        case .none: return (1, 1)
        case .explicit(let negative, let positive): return (negative, positive)
        case .balanced:
            let pos = targets.reduce(0, +), neg = Double(targets.count) - pos
            let n = Double(targets.count)
            return (neg > 0 ? n / (2 * neg) : 1, pos > 0 ? n / (2 * pos) : 1)
        }
    }

    /// log(1 + e^z) without overflow.
    @inline(__always) static func softplus(_ z: Double) -> Double { z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)) }
    @inline(__always) static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// Newton's method on the penalised loss; β has d coefficients then the intercept.
    static func newton(z: [Double], rows n: Int, columns d: Int, aPos: [Double], aAll: [Double], parameters: Parameters, scale: Double)
        -> (beta: [Double], iterations: Int, converged: Bool) {
        var beta = [Double](repeating: 0, count: d + 1)
        // Start the intercept at the weighted log-odds.
        let pos = aPos.reduce(0, +), all = aAll.reduce(0, +)
        if pos > 0, pos < all { beta[d] = log(pos / (all - pos)) }
        var margin = [Double](repeating: 0, count: n)
        var residual = margin, curvature = margin, scratch = margin

        func margins(_ b: [Double], into m: inout [Double]) {
            for i in 0..<n { m[i] = b[d] }
            z.withUnsafeBufferPointer { zp in
                m.withUnsafeMutableBufferPointer { mp in
                    guard let zb = zp.baseAddress, let mb = mp.baseAddress else { return }
                    for j in 0..<d where b[j] != 0 { Kernels.axpy(b[j], zb + j * n, mb, n) }
                }
            }
        }
        func objective(_ m: [Double], _ b: [Double]) -> Double {
            // aAll·softplus(m) − aPos·m is Σ a₊(−log p) + a₋(−log(1−p)).
            var f = 0.0
            m.withUnsafeBufferPointer { mp in
                aAll.withUnsafeBufferPointer { ap in
                    aPos.withUnsafeBufferPointer { pp in
                        guard let m = mp.baseAddress, let a = ap.baseAddress, let p = pp.baseAddress else { return }
                        var i = 0
                        while i < n {
                            if a[i] > 0 { f += a[i] * softplus(m[i]) - p[i] * m[i] }
                            i &+= 1
                        }
                    }
                }
            }
            for j in 0..<d { f += 0.5 * b[j] * b[j] }
            return f
        }
        margins(beta, into: &margin)
        var f = objective(margin, beta)
        var iterations = 0, converged = false
        var candidate = beta, candidateMargin = margin
        while iterations < parameters.maximumIterations {
            // Gradient and Hessian.
            for i in 0..<n {
                let p = sigmoid(margin[i])
                residual[i] = aAll[i] * p - aPos[i]
                curvature[i] = aAll[i] * p * (1 - p)
            }
            var g = [Double](repeating: 0, count: d + 1)
            var h = [Double](repeating: 0, count: (d + 1) * (d + 1))
            z.withUnsafeBufferPointer { zp in
                residual.withUnsafeBufferPointer { rp in
                    curvature.withUnsafeBufferPointer { cp in
                        scratch.withUnsafeMutableBufferPointer { sp in
                            guard let zb = zp.baseAddress, let r = rp.baseAddress, let c = cp.baseAddress, let s = sp.baseAddress else { return }
                            for j in 0..<d {
                                let column = zb + j * n
                                g[j] = Kernels.dot(column, r, n) + beta[j]
                                // scratch = zⱼ ⊙ curvature; its sum is the (j, intercept) entry.
                                let hjd = Kernels.multiply(column, c, into: s, n)
                                h[j * (d + 1) + d] = hjd; h[d * (d + 1) + j] = hjd
                                for k in 0...j {
                                    let v = Kernels.dot(s, zb + k * n, n)
                                    h[j * (d + 1) + k] = v; h[k * (d + 1) + j] = v
                                }
                                h[j * (d + 1) + j] += 1
                            }
                        }
                    }
                }
            }
            g[d] = residual.reduce(0, +)
            h[d * (d + 1) + d] = curvature.reduce(0, +) + 1e-12 * scale
            let gmax = g.map(abs).max() ?? 0
            if gmax <= parameters.tolerance * max(1, scale) { converged = true; break }
            guard let step = Cholesky.solve(h, g, size: d + 1) else { break }
            iterations += 1
            // Backtracking (Armijo) on the descent direction −step.
            let slope = -zip(g, step).reduce(0) { $0 + $1.0 * $1.1 }
            var t = 1.0, accepted = false
            while t > 1e-12 {
                for j in 0...d { candidate[j] = beta[j] - t * step[j] }
                margins(candidate, into: &candidateMargin)
                let nf = objective(candidateMargin, candidate)
                if nf <= f + 1e-4 * t * slope || (nf <= f && t < 1e-6) {
                    let improvement = f - nf
                    beta = candidate; margin = candidateMargin; f = nf; accepted = true
                    if improvement <= 1e-15 * max(1, abs(f)) { converged = true }
                    break
                }
                t /= 2
            }
            if !accepted || converged { if !accepted { converged = gmax <= 1e-6 * max(1, scale) }; break }
        }
        return (beta, iterations, converged)
    }

    /// The log-odds of the positive class for each row.
    /// - Throws: `LearnError.shape` when the columns differ in number from the training data.
    public func decisionFunction(_ x: FeatureMatrix) throws(LearnError) -> [Double] {
        guard x.columnCount == coefficients.count else {
            throw .shape("\(x.columnCount) features, the model was fitted on \(coefficients.count)")
        }
        var m = [Double](repeating: unscaledIntercept, count: x.rowCount)
        for (j, w) in unscaledCoefficients.enumerated() where w != 0 {
            let col = x.columns[j]
            for i in 0..<x.rowCount { m[i] += w * col[i] }
        }
        return m
    }

    /// The probability of the positive class for each row.
    public func predictProbability(_ x: FeatureMatrix) throws(LearnError) -> [Double] {
        try decisionFunction(x).map(Self.sigmoid)
    }

    /// Each feature's share of one row's log-odds in the standardised scale, βⱼ (xⱼ − μⱼ)/σⱼ,
    /// with names: what pushed the score up or down (largest magnitude first).
    public func contributions(_ x: FeatureMatrix, row: Int) -> [(name: String, value: Double)] {
        guard x.columnCount == coefficients.count, row >= 0, row < x.rowCount else { return [] }
        return coefficients.indices.map { j in
            (featureNames[j], coefficients[j] * (x.columns[j][row] - means[j]) / scales[j])
        }.sorted { abs($0.value) > abs($1.value) }
    }
}
