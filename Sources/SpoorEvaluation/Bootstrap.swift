import SpoorCore

/// A point estimate with its 95% interval.
public struct Estimate: Sendable, Hashable, Codable, CustomStringConvertible {
    public var value: Double
    public var low: Double
    public var high: Double

    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }

    public var description: String {
        func f(_ x: Double) -> String { x.isNaN ? "–" : String(Int((x * 1000).rounded())) .padded() }
        return "\(f(value)) [\(f(low)), \(f(high))]"
    }
}

private extension String {
    /// Thousandths as a decimal (`873` → `0.873`).
    func padded() -> String {
        guard let n = Int(self) else { return self }
        let sign = n < 0 ? "-" : ""
        let a = abs(n)
        return "\(sign)\(a / 1000).\(String(a % 1000 + 1000).dropFirst())"
    }
}

/// The percentile bootstrap (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993,
/// ch. 13): resample the units with replacement, recompute the statistic, take the 2.5% and
/// 97.5% quantiles. Units are whatever was drawn independently (seeds, days, hosts).
public enum Bootstrap {
    public static func interval<Unit>(_ units: [Unit], resamples: Int = 2_000, seed: UInt64 = 0xB007,
                                      statistic: ([Unit]) -> Double) -> Estimate {
        let point = statistic(units)
        guard units.count > 1 else { return Estimate(value: point, low: point, high: point) }
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var sample: [Unit] = []
        sample.reserveCapacity(units.count)
        for _ in 0..<resamples {
            sample.removeAll(keepingCapacity: true)
            for _ in 0..<units.count { sample.append(units[rng.below(units.count)]) }
            let v = statistic(sample)
            if !v.isNaN { values.append(v) }
        }
        guard !values.isEmpty else { return Estimate(value: point, low: .nan, high: .nan) }
        values.sort()
        func quantile(_ q: Double) -> Double { values[min(values.count - 1, max(0, Int((q * Double(values.count - 1)).rounded())))] }
        return Estimate(value: point, low: quantile(0.025), high: quantile(0.975))
    }
}
