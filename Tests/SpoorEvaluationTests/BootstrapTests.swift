import Testing
import SpoorCore
import SpoorEvaluation

@Suite struct BootstrapTests {
    /// The mean of 200 draws from N(10, 2): the interval holds 10 and is about ±1.96·2/√200 wide.
    @Test func meanIntervalHasTheRightWidth() {
        var rng = SplitMix64(seed: 7)
        let xs = (0..<200).map { _ in rng.normal(mean: 10, deviation: 2) }
        let e = Bootstrap.interval(xs) { s in s.reduce(0, +) / Double(s.count) }
        #expect(e.low < 10 && 10 < e.high)
        let halfWidth = (e.high - e.low) / 2
        #expect(abs(halfWidth - 1.96 * 2 / 200.0.squareRoot()) < 0.08)
        #expect(e.low <= e.value && e.value <= e.high)
    }
}
