/// A non-decreasing step function fitted by pool-adjacent-violators (Ayer et al. 1955, "An
/// empirical distribution function for sampling with incomplete information"; Barlow et al.
/// 1972, "Statistical inference under order restrictions"), used to calibrate scores into
/// probabilities (Zadrozny and Elkan 2002, "Transforming classifier scores into accurate
/// multiclass probability estimates").
///
/// Behaves as scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds="clip")`:
/// tied inputs are merged first (weighted mean of their targets, summed weights), prediction
/// interpolates linearly between the fitted points and clips outside them.
public struct IsotonicRegression: Sendable, Hashable, Codable {
    /// The distinct inputs, ascending, kept where the fitted value changes (both ends of every
    /// constant block), as scikit-learn's `X_thresholds_`.
    public private(set) var thresholds: [Double]
    /// The fitted values at `thresholds` (`y_thresholds_`).
    public private(set) var values: [Double]

    /// Fits the step function to `(x, y)` with optional weights.
    /// - Throws: `LearnError` on shape mismatch, non-finite values, negative weights or no weight.
    public init(x: [Double], y: [Double], weights: [Double]? = nil) throws(LearnError) {
        guard x.count == y.count else { throw .shape("\(x.count) inputs for \(y.count) targets") }
        if let weights, weights.count != x.count { throw .shape("\(weights.count) weights for \(x.count) inputs") }
        guard x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { throw .invalid("inputs and targets must be finite") }
        if let weights, !weights.allSatisfy({ $0.isFinite && $0 >= 0 }) { throw .invalid("weights must be finite and ≥ 0") }
        let order = Array(x.indices).sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        // Merge tied inputs (scikit-learn's `_make_unique`); rows with zero weight are dropped
        // as scikit-learn does before fitting.
        var ux: [Double] = [], uy: [Double] = [], uw: [Double] = []
        for i in order {
            let w = weights?[i] ?? 1
            guard w > 0 else { continue }
            if let last = ux.last, last == x[i] {
                uy[uy.count - 1] += w * y[i]; uw[uw.count - 1] += w
            } else {
                ux.append(x[i]); uy.append(w * y[i]); uw.append(w)
            }
        }
        guard !ux.isEmpty else { throw .invalid("no input with positive weight") }
        for k in uy.indices { uy[k] /= uw[k] }
        let fitted = Self.poolAdjacentViolators(uy, uw)
        // Keep only the ends of constant blocks: interpolation is unchanged.
        var tx: [Double] = [], ty: [Double] = []
        for k in ux.indices {
            let sameBefore = k > 0 && fitted[k - 1] == fitted[k]
            let sameAfter = k + 1 < ux.count && fitted[k + 1] == fitted[k]
            if !(sameBefore && sameAfter) { tx.append(ux[k]); ty.append(fitted[k]) }
        }
        thresholds = tx
        values = ty
    }

    /// The weighted least-squares non-decreasing fit of `y`: blocks of adjacent values are
    /// pooled into their weighted mean while a block is above its successor. O(*n*).
    static func poolAdjacentViolators(_ y: [Double], _ w: [Double]) -> [Double] {
        var mean: [Double] = [], weight: [Double] = [], size: [Int] = []
        mean.reserveCapacity(y.count); weight.reserveCapacity(y.count); size.reserveCapacity(y.count)
        for k in y.indices {
            mean.append(y[k]); weight.append(w[k]); size.append(1)
            while mean.count > 1, mean[mean.count - 2] >= mean[mean.count - 1] {
                let b = mean.count - 1
                let total = weight[b - 1] + weight[b]
                // `>=` pools equal neighbours too (as scikit-learn's PAVA), which changes no value.
                mean[b - 1] = (weight[b - 1] * mean[b - 1] + weight[b] * mean[b]) / total
                weight[b - 1] = total; size[b - 1] += size[b]
                mean.removeLast(); weight.removeLast(); size.removeLast()
            }
        }
        var out: [Double] = []
        out.reserveCapacity(y.count)
        for b in mean.indices { out.append(contentsOf: repeatElement(mean[b], count: size[b])) }
        return out
    }

    /// The calibrated value of `x`: linear interpolation between the fitted points, clipped to
    /// the first and last value outside them. NaN gives NaN.
    public func predict(_ x: Double) -> Double {
        guard !x.isNaN, let first = thresholds.first, let last = thresholds.last else { return .nan }
        if x <= first { return values[0] }
        if x >= last { return values[values.count - 1] }
        // The first threshold > x (binary search); it exists and is ≥ 1 here.
        var lo = 0, hi = thresholds.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if thresholds[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        let x0 = thresholds[lo - 1], x1 = thresholds[lo], y0 = values[lo - 1], y1 = values[lo]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }

    /// `predict` over an array.
    public func predict(_ xs: [Double]) -> [Double] { xs.map { predict($0) } }
}
