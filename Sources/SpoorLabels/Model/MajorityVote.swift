import SpoorLearn

/// The baseline every label model must beat: each unit gets the class most of its
/// non-abstaining functions voted for, every function counting the same.
///
/// Policy (deterministic, unlike snorkel's random tie-break):
/// - probability of malicious = malicious votes / all votes; a tie gives 0.5;
/// - a unit on which every function abstained gets ``prior``;
/// - ``predictions(_:)``: more malicious than benign votes → malicious, fewer → benign; a tie or
///   no vote at all goes to the class the prior favours (benign unless `prior` > 0.5), because
///   with rare attacks "no evidence either way" should not raise an alert.
public struct MajorityVote: Sendable, Hashable {
    /// P(malicious) assumed for units without any vote, and the tie-breaker.
    public var prior: Double

    /// - Parameter prior: the share of malicious units assumed where the votes say nothing
    ///   (clamped to 0…1; NaN counts as 0).
    public init(prior: Double = 0) {
        self.prior = prior.isNaN ? 0 : min(1, max(0, prior))
    }

    /// The share of malicious votes per unit (see the type's policy for ties and abstentions).
    public func probabilities(_ matrix: LabelMatrix) -> [Double] {
        let (malicious, benign) = Self.counts(matrix)
        var out = [Double](repeating: prior, count: matrix.unitCount)
        for i in out.indices {
            let total = Int(malicious[i]) + Int(benign[i])
            if total > 0 { out[i] = Double(malicious[i]) / Double(total) }
        }
        return out
    }

    /// The majority class per unit; ties and abstain-only units go to the prior's class.
    public func predictions(_ matrix: LabelMatrix) -> [Vote] {
        let (malicious, benign) = Self.counts(matrix)
        let tie: Vote = prior > 0.5 ? .malicious : .benign
        var out = [Vote](repeating: tie, count: matrix.unitCount)
        for i in out.indices {
            if malicious[i] > benign[i] { out[i] = .malicious } else if malicious[i] < benign[i] { out[i] = .benign }
        }
        return out
    }

    /// Malicious and benign vote counts per unit, one column pass each.
    static func counts(_ matrix: LabelMatrix) -> (malicious: [Int32], benign: [Int32]) {
        var malicious = [Int32](repeating: 0, count: matrix.unitCount)
        var benign = [Int32](repeating: 0, count: matrix.unitCount)
        for column in matrix.columns {
            for i in column.indices {
                let v = column[i]
                malicious[i] &+= v == 1 ? 1 : 0
                benign[i] &+= v == 0 ? 1 : 0
            }
        }
        return (malicious, benign)
    }
}
