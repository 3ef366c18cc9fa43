/// Robust order statistics the network detectors share. Inputs are sorted ascending.
enum NetworkStatistics {
    /// Prevalence (RITA v5's prevalence modifier; BAYWATCH's popularity filter, Hu et al. 2016):
    /// the share of an organisation's *other* internal sources that also reach a destination,
    /// (k − 1) ÷ (N − 1) — 0 for a destination only this source reaches, and 0 when the
    /// organisation has fewer than `minimumSources` internal sources (a share of a handful says
    /// nothing).
    static func prevalence(sourcesReaching k: Int, organisationSources n: Int, minimumSources: Int) -> Double {
        guard n >= max(2, minimumSources), k >= 1 else { return 0 }
        return Double(min(k, n) - 1) / Double(n - 1)
    }

    /// What a score is multiplied by for its prevalence: 1 − weight × prevalence (weight in 0…1).
    static func prevalenceFactor(_ prevalence: Double, weight: Double) -> Double {
        1 - min(1, max(0, weight)) * prevalence
    }

    /// The median of sorted values (mean of the two middle ones for an even count); 0 when empty.
    static func median(_ s: ArraySlice<Double>) -> Double {
        guard !s.isEmpty else { return 0 }
        let mid = s.startIndex + s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    static func median(_ s: [Double]) -> Double { median(s[...]) }

    /// Quartiles by Tukey's hinges without the median (Q1 and Q3 are the medians of the lower and
    /// upper halves, the middle value excluded for an odd count), as in the usual textbook
    /// definition (Tukey 1977, *Exploratory Data Analysis*) and RITA's statistics library.
    static func quartiles(_ s: [Double]) -> (q1: Double, q2: Double, q3: Double) {
        let n = s.count
        guard n >= 2 else { return (s.first ?? 0, s.first ?? 0, s.first ?? 0) }
        let half = n / 2
        let lower = s[0..<half]
        let upper = n % 2 == 0 ? s[half..<n] : s[(half + 1)..<n]
        return (median(lower), median(s), median(upper))
    }

    /// Median absolute deviation about the median (Hampel 1974).
    static func medianAbsoluteDeviation(_ s: [Double], median m: Double) -> Double {
        guard !s.isEmpty else { return 0 }
        var d = s.map { abs($0 - m) }
        d.sort()
        return median(d)
    }

    /// Bowley's quartile skewness (Bowley 1901, *Elements of Statistics*):
    /// (Q3 + Q1 − 2·Q2) / (Q3 − Q1), in −1…1. Reported as 0 when the interquartile range is
    /// below `minimumSpread` (a spread that small is measurement noise, not shape) or the median
    /// sits on a quartile.
    static func bowleySkewness(_ s: [Double], minimumSpread: Double) -> Double {
        let (q1, q2, q3) = quartiles(s)
        let spread = q3 - q1
        guard spread >= minimumSpread, q2 != q1, q2 != q3 else { return 0 }
        return (q3 + q1 - 2 * q2) / spread
    }

    /// A dispersion score in 0…1: 1 − MAD/median (1 = every value the same). `fallback` when
    /// the median is below 1 (the ratio means nothing there).
    static func dispersionScore(_ s: [Double], fallback: Double) -> (score: Double, median: Double, mad: Double) {
        let m = median(s)
        let mad = medianAbsoluteDeviation(s, median: m)
        guard m >= 1 else { return (fallback, m, mad) }
        let v = (m - mad) / m
        return (v.isNaN ? 0 : min(1, max(0, v)), m, mad)
    }
}
