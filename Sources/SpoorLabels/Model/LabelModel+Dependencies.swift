import Foundation

/// Two labelling functions that agree more than the class explains: their votes are correlated
/// *within* a class, which the conditional-independence model cannot represent.
public struct LabelDependency: Sendable, Hashable, Codable {
    /// Column indices, `first < second`.
    public var first: Int
    public var second: Int
    /// The largest within-class φ coefficient between "`first` voted a" and "`second` voted b"
    /// over both classes and a, b ∈ {benign, malicious} (−1…1; 0 under conditional independence).
    public var strength: Double
}

extension LabelModel {
    /// Finds pairs of functions correlated given the class, without labels.
    ///
    /// Under the model, votes are independent given the class, so within each class (weighted by
    /// the fitted posteriors, as soft labels) every pair of vote indicators has φ ≈ 0; copies and
    /// near-copies of a rule have φ near 1. This is the "agreement in excess of conditional
    /// independence" test; Bach, He, Ratner and Ré (2017, "Learning the structure of generative
    /// models without labeled data") select dependencies with an ℓ1-regularised pseudo-likelihood
    /// instead, which needs an optimiser per function; the φ screen needs one pass over the
    /// patterns and finds the structure that matters here (duplicated rules).
    ///
    /// Cells with fewer than `minimumSupport` expected units are skipped, so the rare class does
    /// not produce φ from a handful of units.
    /// - Complexity: O(Σ over patterns of (votes in the pattern)²) plus O(*m*²).
    static func dependencies(
        patterns: VotePatterns, posterior: [Double], minimumSupport: Double
    ) -> [LabelDependency] {
        let m = patterns.functionCount
        guard m > 1, patterns.count > 0 else { return [] }
        let n = Double(patterns.unitCount)
        // Flat: single[(class * m + j) * 2 + a], pair[((class * m + j) * m + k) * 4 + a * 2 + b],
        // a/b: 0 benign, 1 malicious.
        var single = [Double](repeating: 0, count: 2 * m * 2)
        var pair = [Double](repeating: 0, count: 2 * m * m * 4)
        var maliciousMass = 0.0
        let words = patterns.wordsPerPattern
        var voted = [Int](repeating: 0, count: m)
        patterns.keys.withUnsafeBufferPointer { keys in
            single.withUnsafeMutableBufferPointer { single in
                pair.withUnsafeMutableBufferPointer { pair in
                    voted.withUnsafeMutableBufferPointer { voted in
                        for p in 0..<patterns.count {
                            let w = patterns.weights[p], w1 = w * posterior[p], w0 = w - w1
                            maliciousMass += w1
                            // voted[x] = j * 2 + a for each function that did not abstain.
                            var count = 0
                            for word in 0..<words {
                                var k = keys[p &* words &+ word]
                                while k != 0 {
                                    let bit = k.trailingZeroBitCount
                                    let j = word &* 32 &+ bit >> 1
                                    voted[count] = j &* 2 &+ (bit & 1)
                                    count &+= 1
                                    k &= k &- 1
                                }
                            }
                            for x in 0..<count {
                                let ja = voted[x], j = ja >> 1, a = ja & 1
                                single[ja] += w0
                                single[m &* 2 &+ ja] += w1
                                for z in (x &+ 1)..<count {
                                    let kb = voted[z], k = kb >> 1, b = kb & 1
                                    let i = (j &* m &+ k) &* 4 &+ a &* 2 &+ b
                                    pair[i] += w0
                                    pair[m &* m &* 4 &+ i] += w1
                                }
                            }
                        }
                    }
                }
            }
        }
        let mass = [n - maliciousMass, maliciousMass]
        var out: [LabelDependency] = []
        for j in 0..<m {
            for k in (j + 1)..<m {
                var best = -Double.infinity
                for y in 0..<2 where mass[y] > 0 {
                    for a in 0..<2 {
                        let pa = single[(y * m + j) * 2 + a] / mass[y]
                        for b in 0..<2 {
                            let pb = single[(y * m + k) * 2 + b] / mass[y]
                            guard mass[y] * min(pa, pb) >= minimumSupport else { continue }
                            let variance = pa * (1 - pa) * pb * (1 - pb)
                            guard variance > 1e-12 else { continue }
                            let pab = pair[((y * m + j) * m + k) * 4 + a * 2 + b] / mass[y]
                            best = max(best, (pab - pa * pb) / variance.squareRoot())
                        }
                    }
                }
                if best.isFinite { out.append(LabelDependency(first: j, second: k, strength: best)) }
            }
        }
        return out
    }

    /// Connected components of the pairs at or above `threshold` (groups of two or more, sorted).
    static func groups(_ dependencies: [LabelDependency], functionCount m: Int, threshold: Double) -> [[Int]] {
        var parent = Array(0..<m)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for d in dependencies where d.strength >= threshold {
            let a = root(d.first), b = root(d.second)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var byRoot: [Int: [Int]] = [:]
        for j in 0..<m { byRoot[root(j), default: []].append(j) }
        return byRoot.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
    }
}
