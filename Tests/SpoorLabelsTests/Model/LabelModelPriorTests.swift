import Testing
@testable import SpoorLabels

/// The two assumptions spoor adds to the Dawid–Skene fit: a vote is never evidence for the other
/// class ("better than chance"), and a soft prior on each function's precision.
@Suite struct LabelModelPriorTests {
    /// 10,000 units, 100 malicious (0..<100); a third function `other` confirms `good`. `good` votes
    /// malicious on 90 of the malicious units and 50 benign ones; `bad` on 11 malicious units and
    /// 2,000 benign ones (worse than chance: its vote is more common among benign units).
    static func matrix() throws -> LabelMatrix {
        var good = [Vote](repeating: .abstain, count: 10_000), bad = good, other = good
        for u in 0..<90 { good[u] = .malicious }
        for u in 100..<150 { good[u] = .malicious }
        for u in 20..<98 { other[u] = .malicious }
        for u in 3_000..<3_040 { other[u] = .malicious }
        bad[95] = .malicious
        for u in 0..<10 { bad[u] = .malicious }
        for u in 1_000..<3_000 { bad[u] = .malicious }
        return try LabelMatrix(functionNames: ["good", "bad", "other"], columns: [good, bad, other])
    }

    @Test func aVoteIsNeverEvidenceForTheOtherClass() throws {
        let m = try Self.matrix()
        let p = try LabelModel().fit(m).probabilities(m)
        // Unit 1,500 has only `bad`'s vote, unit 5,000 no vote at all: the same probability.
        #expect(abs(p[1_500] - p[5_000]) < 1e-9, "bad's vote moved the unit: \(p[1_500]) vs \(p[5_000])")
        // `good`'s votes still count.
        #expect(p[0] > 10 * p[5_000])
    }

    @Test func aPrecisionPriorKeepsAnUnconfirmedFunctionFromCollapsing() throws {
        // Two overlapping functions and one (`lone`) whose 5 votes nothing else confirms.
        var a = [Vote](repeating: .abstain, count: 20_000), b = a, lone = a
        for u in 0..<200 { a[u] = .malicious; if u % 2 == 0 { b[u] = .malicious } }
        for u in 200..<260 { a[u] = .malicious }
        for u in 300..<340 { b[u] = .malicious }
        for u in 1_000..<1_005 { lone[u] = .malicious }
        let m = try LabelMatrix(functionNames: ["a", "b", "lone"], columns: [a, b, lone])
        var plain = LabelModel()
        plain.agreementStrength = 0
        var believing = LabelModel()
        believing.agreementStrength = 2
        let p0 = try plain.fit(m).probabilities(m)[1_000]
        let p2 = try believing.fit(m).probabilities(m)[1_000]
        #expect(p2 > p0, "the prior should raise the lone function's units: \(p0) → \(p2)")
        let silent = try believing.fit(m).probabilities(m)[10_000]
        #expect(p2 > silent, "its votes still count for more than silence")
    }
}
