import SpoorCore

/// Quantile bins per feature for histogram-based trees (Ke et al. 2017, "LightGBM: a highly
/// efficient gradient boosting decision tree"; scikit-learn's `_BinMapper`).
///
/// A feature with at most `maximumBins` distinct values gets one bin per value (thresholds at
/// the midpoints between neighbours); otherwise the thresholds are the `maximumBins − 1`
/// inner percentiles ("midpoint" interpolation) of a sample of at most 200,000 values, as
/// scikit-learn does. A value's bin is the number of thresholds below it; NaN goes to the
/// extra bin `maximumBins` (missing).
public struct FeatureBins: Sendable, Hashable, Codable {
    /// Ascending thresholds per feature (at most `maximumBins − 1` each).
    public private(set) var thresholds: [[Double]]
    public let maximumBins: Int
    /// The bin index of missing values.
    public var missingBin: Int { maximumBins }

    /// The largest sample of rows used to find the thresholds (scikit-learn's `subsample`).
    public static let sampleLimit = 200_000

    /// Finds the thresholds of every column of `x`, using only `rows` when given.
    /// - Precondition: `2 ≤ maximumBins ≤ 255` (checked by the caller's parameters).
    init(_ x: FeatureMatrix, rows: [Int]? = nil, maximumBins: Int, rng: inout SplitMix64) {
        self.maximumBins = maximumBins
        var sample = rows ?? Array(0..<x.rowCount)
        if sample.count > Self.sampleLimit {
            // A seeded partial Fisher–Yates shuffle picks the sample; sorted back for locality.
            for k in 0..<Self.sampleLimit {
                let j = k + rng.below(sample.count - k)
                sample.swapAt(k, j)
            }
            sample = Array(sample[0..<Self.sampleLimit]).sorted()
        }
        var values: [Double] = []
        values.reserveCapacity(sample.count)
        thresholds = x.columns.map { column in
            values.removeAll(keepingCapacity: true)
            for i in sample where !column[i].isNaN { values.append(column[i]) }
            return Self.thresholds(sorting: &values, maximumBins: maximumBins)
        }
    }

    static func thresholds(sorting values: inout [Double], maximumBins: Int) -> [Double] {
        values.sort()
        var distinct: [Double] = []
        for v in values where distinct.last != v {
            distinct.append(v)
            if distinct.count > maximumBins { break }
        }
        var t: [Double] = []
        if distinct.count <= maximumBins {
            for k in 0..<max(0, distinct.count - 1) { t.append(distinct[k] / 2 + distinct[k + 1] / 2) }
        } else {
            // numpy.percentile(…, method="midpoint") at linspace(0, 100, maximumBins + 1)[1:-1].
            let n = values.count
            for k in 1..<maximumBins {
                let position = (Double(k) * 100 / Double(maximumBins)) / 100 * Double(n - 1)
                let lo = Int(position.rounded(.down)), hi = Int(position.rounded(.up))
                t.append((values[lo] + values[min(hi, n - 1)]) / 2)
            }
        }
        // +infinity thresholds would make "x ≤ t" send everything left; keep them finite. The
        // midpoint of −infinity and +infinity is NaN: take the upper end's finite stand-in.
        return t.map { $0.isNaN ? Double.greatestFiniteMagnitude : min($0, Double.greatestFiniteMagnitude) }
    }

    /// The bin of one value.
    @inline(__always) func bin(_ v: Double, feature f: Int) -> UInt8 {
        if v.isNaN { return UInt8(truncatingIfNeeded: maximumBins) }
        let t = thresholds[f]
        var lo = 0, hi = t.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if v <= t[mid] { hi = mid } else { lo = mid + 1 }
        }
        return UInt8(truncatingIfNeeded: lo)
    }

    /// All values binned, column-major (`feature * rowCount + row`).
    func binned(_ x: FeatureMatrix) -> [UInt8] {
        let n = x.rowCount
        var out = [UInt8](repeating: 0, count: n * x.columnCount)
        out.withUnsafeMutableBufferPointer { o in
            for f in 0..<x.columnCount {
                let column = x.columns[f]
                for i in 0..<n { o[f * n + i] = bin(column[i], feature: f) }
            }
        }
        return out
    }
}

