import Foundation

/// One term of the label model's likelihood: a labelling function alone, or a group of
/// dependent functions modelled jointly.
///
/// A factor with `k` members has 3^k outcomes (each member abstains, votes benign or votes
/// malicious; member `i` is digit `i` in base 3, 0 abstain, 1 benign, 2 malicious) and one
/// categorical distribution over them per class: the Dawid–Skene class-conditional "confusion
/// matrix" with abstention as one more answer. `weight` < 1 tempers a factor's evidence (used for
/// members of a dependent group too large to model jointly).
struct LabelFactor: Sendable, Hashable, Codable {
    var members: [Int]
    var weight: Double
    /// P(outcome | benign), P(outcome | malicious).
    var benign: [Double]
    var malicious: [Double]

    /// Outcome probabilities below this are raised to it before taking logs, so an outcome seen
    /// in neither class (or an outcome of a new matrix never seen in training) weighs nothing.
    static let floor = 1e-12

    init(members: [Int], weight: Double) {
        self.members = members
        self.weight = weight
        let k = Self.outcomeCount(members.count)
        benign = [Double](repeating: 1 / Double(k), count: k)
        malicious = benign
    }

    var outcomeCount: Int { benign.count }

    static func outcomeCount(_ memberCount: Int) -> Int {
        var k = 1
        for _ in 0..<memberCount { k *= 3 }
        return k
    }

    /// Weighted log-likelihood ratio log P(o | malicious) − log P(o | benign) per outcome.
    var logRatio: [Double] {
        (0..<outcomeCount).map { o in
            weight * (log(max(malicious[o], Self.floor)) - log(max(benign[o], Self.floor)))
        }
    }

    /// Weighted log P(o | benign) per outcome.
    var logBenign: [Double] {
        benign.map { weight * log(max($0, Self.floor)) }
    }

    /// P(member's vote = v | class) for v = 0 abstain, 1 benign, 2 malicious, marginalised from
    /// the joint outcome distribution.
    func marginal(member i: Int) -> (benign: [Double], malicious: [Double]) {
        var b = [0.0, 0.0, 0.0], m = [0.0, 0.0, 0.0]
        var stride = 1
        for _ in 0..<i { stride *= 3 }
        for o in 0..<outcomeCount {
            let v = (o / stride) % 3
            b[v] += benign[o]
            m[v] += malicious[o]
        }
        return (b, m)
    }

    /// Exchanges the classes (when EM settled on the mirror-image solution).
    mutating func swapClasses() { swap(&benign, &malicious) }
}
