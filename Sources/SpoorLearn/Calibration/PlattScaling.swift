import Foundation

/// Maps a score `f` to a probability 1 / (1 + exp(a·f + b)), with `a`, `b` fitted by maximum
/// likelihood on regularised targets (Platt 1999, "Probabilistic outputs for support vector
/// machines and comparisons to regularized likelihood methods"), using the Newton method with
/// backtracking of Lin, Lin and Weng 2007 ("A note on Platt's probabilistic outputs for support
/// vector machines"). The targets are (N₊ + 1)/(N₊ + 2) for positives and 1/(N₋ + 2) for
/// negatives, as scikit-learn's `_sigmoid_calibration`.
public struct PlattScaling: Sendable, Hashable, Codable {
    public private(set) var a: Double
    public private(set) var b: Double

    /// Fits the sigmoid to scores and labels (weighted counts when `weights` is given).
    /// - Throws: `LearnError` on shape mismatch or non-finite scores.
    public init(scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(LearnError) {
        try BinaryMetrics.check(scores, labels, weights)
        guard scores.allSatisfy(\.isFinite) else { throw .invalid("scores must be finite") }
        var positives = 0.0, negatives = 0.0
        for i in scores.indices {
            let w = weights?[i] ?? 1
            if labels[i] { positives += w } else { negatives += w }
        }
        let hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2)
        func objective(_ a: Double, _ b: Double) -> Double {
            var f = 0.0
            for i in scores.indices {
                let w = weights?[i] ?? 1, t = labels[i] ? hi : lo
                let z = a * scores[i] + b
                // −[t log p + (1−t) log(1−p)] with p = 1/(1+e^z), written stably.
                f += w * (z >= 0 ? (t * z + log1p(exp(-z))) : ((t - 1) * z + log1p(exp(z))))
            }
            return f
        }
        var a = 0.0, b = log((negatives + 1) / (positives + 1))
        var f = objective(a, b)
        for _ in 0..<100 {
            var g1 = 0.0, g2 = 0.0, h11 = 1e-12, h22 = 1e-12, h21 = 0.0
            for i in scores.indices {
                let w = weights?[i] ?? 1, t = labels[i] ? hi : lo
                let z = a * scores[i] + b
                let p = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z))
                let q = 1 - p
                let d = w * (t - p)          // ∂f/∂z
                let s = w * p * q
                g1 += scores[i] * d; g2 += d
                h11 += scores[i] * scores[i] * s; h22 += s; h21 += scores[i] * s
            }
            if abs(g1) < 1e-12 && abs(g2) < 1e-12 { break }
            let det = h11 * h22 - h21 * h21
            guard det > 0 else { break }
            let da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det
            let gd = g1 * da + g2 * db
            var step = 1.0, moved = false
            while step >= 1e-10 {
                let na = a + step * da, nb = b + step * db
                let nf = objective(na, nb)
                if nf < f + 1e-4 * step * gd { a = na; b = nb; f = nf; moved = true; break }
                step /= 2
            }
            if !moved { break }
        }
        self.a = a
        self.b = b
    }

    /// The probability for one score.
    public func predict(_ score: Double) -> Double {
        let z = a * score + b
        return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z))
    }

    public func predict(_ scores: [Double]) -> [Double] { scores.map { predict($0) } }
}
