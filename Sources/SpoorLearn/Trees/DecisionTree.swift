/// One regression tree of a boosted ensemble, stored as parallel arrays (node 0 is the root).
///
/// An inner node sends a row left when its feature value is ≤ `threshold`, or when the value
/// is NaN and `missingGoesLeft`. A leaf has `feature == -1` and adds `value` (already scaled by
/// the learning rate) to the log-odds. Children always have larger indices than their parent,
/// which `validate` checks on loading so that a damaged file can neither crash nor loop.
public struct DecisionTree: Sendable, Hashable, Codable {
    public internal(set) var feature: [Int32] = []
    public internal(set) var threshold: [Double] = []
    /// The same split in bins (a row goes left when its bin ≤ `binThreshold`), for binned data.
    public internal(set) var binThreshold: [UInt8] = []
    public internal(set) var missingGoesLeft: [Bool] = []
    public internal(set) var left: [Int32] = []
    public internal(set) var right: [Int32] = []
    public internal(set) var value: [Double] = []
    /// The split gain of inner nodes (0 at leaves), for feature importance.
    public internal(set) var gain: [Double] = []

    public var nodeCount: Int { feature.count }
    public var leafCount: Int { feature.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    mutating func addNode() -> Int {
        feature.append(-1); threshold.append(0); binThreshold.append(0); missingGoesLeft.append(false)
        left.append(-1); right.append(-1); value.append(0); gain.append(0)
        return feature.count - 1
    }

    /// The leaf value for a row of raw features (`x(feature)` gives the row's value).
    @inline(__always) func predict(_ x: (Int) -> Double) -> Double {
        var node = 0
        while feature[node] >= 0 {
            let v = x(Int(feature[node]))
            let goLeft = v.isNaN ? missingGoesLeft[node] : v <= threshold[node]
            node = Int(goLeft ? left[node] : right[node])
        }
        return value[node]
    }

    /// The leaf value for row `row` of binned column-major data with `rows` rows.
    @inline(__always) func predict(binned: UnsafeBufferPointer<UInt8>, row: Int, rows: Int, missingBin: UInt8) -> Double {
        var node = 0
        while feature[node] >= 0 {
            let b = binned[Int(feature[node]) * rows + row]
            let goLeft = b == missingBin ? missingGoesLeft[node] : b <= binThreshold[node]
            node = Int(goLeft ? left[node] : right[node])
        }
        return value[node]
    }

    /// Checks the structure of a tree read from a file.
    func validate(featureCount: Int) throws(LearnError) {
        let n = feature.count
        guard n > 0, threshold.count == n, binThreshold.count == n, missingGoesLeft.count == n,
              left.count == n, right.count == n, value.count == n, gain.count == n else {
            throw .invalid("a tree's node arrays differ in length or are empty")
        }
        for k in 0..<n {
            if feature[k] < 0 {
                guard value[k].isFinite else { throw .invalid("leaf \(k) has a non-finite value") }
            } else {
                guard Int(feature[k]) < featureCount else { throw .invalid("node \(k) uses feature \(feature[k]) of \(featureCount)") }
                guard left[k] > k, right[k] > k, Int(left[k]) < n, Int(right[k]) < n else {
                    throw .invalid("node \(k) has a child out of order or out of range")
                }
                guard !threshold[k].isNaN else { throw .invalid("node \(k) has a NaN threshold") }
            }
        }
    }
}
