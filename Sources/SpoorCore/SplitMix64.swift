import Foundation

/// A small, fast, seeded generator (SplitMix64, Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014) for reproducible data: the demo, the
/// simulator and randomised tests. Not for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<n` (0 when `n` ≤ 1).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An exponentially distributed wait with the given mean (for Poisson arrivals).
    public mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }

    /// A normally distributed value (Box–Muller).
    public mutating func normal(mean: Double = 0, deviation: Double = 1) -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// An element of a non-empty array, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A new generator whose stream does not overlap this one's in practice (for a sub-task
    /// that must not change when another sub-task draws more numbers).
    public mutating func split() -> SplitMix64 { SplitMix64(seed: next() ^ 0xD1B5_4A32_D192_ED03) }
}
