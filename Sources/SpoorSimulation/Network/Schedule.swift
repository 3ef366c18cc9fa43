import SpoorCore

/// Arrival times: Poisson processes with a time-varying rate (by thinning), and the diurnal
/// shape of office work.
public enum Schedule {
    /// Arrivals in `[from, to)` of a Poisson process whose rate at `t` is `peakPerHour ×
    /// shape(t)` (`shape` in 0…1), by thinning a homogeneous process (Lewis and Shedler 1979).
    public static func arrivals(_ rng: inout SplitMix64, from: Timestamp, to: Timestamp, peakPerHour: Double,
                                shape: (Timestamp) -> Double) -> [Timestamp] {
        guard peakPerHour > 0 else { return [] }
        var out: [Timestamp] = []
        var t = Double(from.microseconds)
        let end = Double(to.microseconds)
        let mean = 3_600_000_000 / peakPerHour
        while true {
            t += rng.exponential(mean: mean)
            if t >= end { break }
            let at = Timestamp(microseconds: Int64(t))
            if rng.unit() < shape(at) { out.append(at) }
        }
        return out
    }

    /// Activity of an office worker by local hour while at work: a slow first hour, a peak
    /// in the late morning, the lunch dip, a second peak and a tail (relative, max 1).
    public static func office(localSeconds s: Double, start: Int, end: Int) -> Double {
        let h = s / 3600
        if h < Double(start) || h >= Double(end) { return 0 }
        let intoDay = h - Double(start), left = Double(end) - h
        var f = 1.0
        if intoDay < 1 { f = 0.55 + 0.45 * intoDay }
        if left < 1 { f = min(f, 0.5 + 0.4 * left) }
        if h >= 12 && h < 13 { f *= 0.45 }
        if h >= 14.5 && h < 16 { f *= 0.9 }
        return f
    }

    /// Local seconds into the day of `t` for `client`.
    public static func localSeconds(_ t: Timestamp, _ client: SimClient) -> Double {
        let us = t.microseconds + Int64(client.utcOffset) * 1_000_000
        let day = us >= 0 ? us / 86_400_000_000 : (us - 86_399_999_999) / 86_400_000_000
        return Double(us - day * 86_400_000_000) / 1e6
    }

    /// Times of a timer: every `period` seconds from `first`, each late by up to `jitter`
    /// seconds (uniform), until `end`.
    public static func timer(_ rng: inout SplitMix64, first: Timestamp, end: Timestamp, period: Double, jitter: Double) -> [Timestamp] {
        var out: [Timestamp] = []
        var k = 0
        while true {
            let t = first.microseconds + Int64(Double(k) * period * 1e6) + Int64(rng.unit() * jitter * 1e6)
            if t >= end.microseconds { break }
            out.append(Timestamp(microseconds: t))
            k += 1
        }
        return out
    }

    public static func plus(_ t: Timestamp, _ seconds: Double) -> Timestamp {
        Timestamp(microseconds: t.microseconds + Int64(seconds * 1e6))
    }
}
