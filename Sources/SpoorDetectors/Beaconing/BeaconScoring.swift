import SpoorCore

/// The parameters of ``BeaconDetector``. Defaults are RITA v5's (Active Countermeasures, RITA
/// documentation and default `config.hjson`: equal weights, 5 % mode sensitivity, one outlier bar,
/// 11 bars for the bimodal fit, 6 hours for a duration score, 12 consistent hours ideal).
public struct BeaconConfiguration: Sendable, Hashable {
    /// Which span of time is scored.
    public enum Window: Sendable, Hashable, Codable {
        /// Everything observed (a case's whole timeline; histogram bins of about an hour).
        case all
        /// The last `hours` whole hours before the last hour observed, plus that hour — RITA's
        /// rolling 24-hour view (from the start of the last hour seen, minus 24 h).
        case lastHours(Int)
    }

    public var window: Window = .all
    /// Also score a named connection under its (source, destination IP) pair. Off by default: a
    /// TLS beacon would be reported twice with the same evidence, and behind a proxy every
    /// connection would pile onto the proxy's address.
    public var alsoScoreAddressPairs = false
    /// Fewer connections than this (after dropping sub-second repeats) are not scored.
    public var minimumConnections = 4
    /// Intervals shorter than this are one check-in seen twice (a retry, a second socket) and are
    /// dropped, as RITA drops repeated timestamps in the same second.
    public var minimumIntervalSeconds = 1.0
    /// Quartile spreads below this (seconds for intervals, bytes for sizes) count as no skew.
    public var minimumSkewSpread = 10.0
    public var timestampWeight = 0.25
    public var dataSizeWeight = 0.25
    public var durationWeight = 0.25
    public var histogramWeight = 0.25
    /// Histogram bars within this share of the tallest bar fall in one mode.
    public var histogramModeSensitivity = 0.05
    /// Bars left out of the bimodal fit as outliers.
    public var histogramBimodalOutlierBars = 1
    /// Non-empty bars needed before the bimodal fit is tried.
    public var histogramBimodalMinimumBars = 11
    /// Non-empty bars (≈ hours) needed for a duration score.
    public var durationMinimumHours = 6
    /// A run of this many consecutive non-empty bars scores 1 for consistency.
    public var durationIdealConsistentHours = 12
    /// Evidence ids reported per pair (its latest connections inside the window).
    public var evidenceLimit = 64
    /// Pairs reported (highest scores first); 0 = all scored pairs.
    public var reportLimit = 0
    /// Pairs scoring below this are not reported.
    public var minimumScore = 0.0
    /// Prevalence: a destination that many of the organisation's hosts talk to is
    /// infrastructure (an update service, a fleet agent's console), while an implant's server is
    /// reached by the few hosts it runs on. The score is multiplied by 1 − `prevalenceWeight` ×
    /// the share of the organisation's *other* internal sources that also connect to the
    /// destination, (k − 1) ÷ (N − 1) — 0 for a destination only this host reaches (RITA v5's
    /// prevalence modifier; BAYWATCH's popularity filter, Hu et al. 2016). 0 = RITA's plain score.
    public var prevalenceWeight = 1.0
    /// Organisations with fewer internal sources than this get no prevalence factor (a share of
    /// a handful of hosts says nothing).
    public var prevalenceMinimumSources = 5
    /// Internal sources, for prevalence.
    public var internalNetworks = InternalNetworks()
    /// Protocols that are periodic by their own specification, scored × `periodicByDesignFactor`:
    /// NTP clients poll their servers every 2^poll seconds, 64 s to 1,024 s by default (RFC 5905
    /// §7.3), so a time sync is a perfect beacon that says nothing about an implant. A pair is
    /// such when most of its connections are (Zeek's `service`/`network.protocol` in
    /// `periodicByDesignServices`, or UDP to a port in `periodicByDesignUDPPorts`). Kept in the
    /// findings, not dropped: a covert channel over NTP would still be seen, lower.
    public var periodicByDesignServices: Set<String> = ["ntp"]
    public var periodicByDesignUDPPorts: Set<Int64> = [123]
    public var periodicByDesignFactor = 0.5

    public init() {}
}

/// The parts of one pair's beacon score.
struct BeaconScore {
    var timestamp: Double
    var dataSize: Double
    var duration: Double
    var histogram: Double
    var score: Double
    var connections: Int
    var medianInterval: Double
    var medianBytes: Double
    /// Set by the detector after scoring (``BeaconConfiguration/prevalenceWeight``).
    var prevalence = 0.0
    var periodicByDesign = false
}

/// The scoring of one (source, destination) pair in the RITA family (Active Countermeasures,
/// *RITA: Real Intelligence Threat Analytics*, beacon analysis documentation, v5):
///
/// - **timestamp**: intervals between connections should be regular. The mean of a symmetry
///   score 1 − |Bowley skewness| and a dispersion score 1 − MAD/median of the intervals.
///   Median and MAD tolerate jitter and a minority of missing or extra check-ins (a missed
///   check-in is one long interval, an outlier to the median).
/// - **data_size**: the same two measures over bytes per connection (C2 check-ins are alike).
/// - **histogram**: connections per bin (≈ one hour) over the window should be flat: 1 − the
///   coefficient of variation, or, for beacons that alternate between two rates (a laptop
///   asleep at night), the share of non-empty bars in the two most common bar heights.
/// - **duration**: the beacon should last: the larger of the share of the window between its
///   first and last connection and its longest run of consecutive non-empty bars (wrapping
///   around the window) over an ideal run.
enum BeaconScoring {
    /// Scores a pair. `times` are µs, sorted; `bytes` per connection (same order or not).
    /// Nil when there are too few connections or intervals to say anything.
    static func score(times: [Int64], bytes: [Int64], window: (start: Int64, end: Int64), _ c: BeaconConfiguration) -> BeaconScore? {
        guard times.count >= c.minimumConnections, window.end > window.start else { return nil }
        var intervals: [Double] = []
        intervals.reserveCapacity(times.count)
        var distinct = 1
        for i in 1..<times.count {
            let d = Double(times[i] - times[i - 1]) / 1e6
            if d >= c.minimumIntervalSeconds {
                intervals.append(d)
                distinct += 1
            }
        }
        guard distinct >= c.minimumConnections, intervals.count >= 3 else { return nil }
        intervals.sort()
        let tsSkew = 1 - abs(NetworkStatistics.bowleySkewness(intervals, minimumSpread: c.minimumSkewSpread))
        let tsDispersion = NetworkStatistics.dispersionScore(intervals, fallback: 1)
        let timestamp = (tsSkew + tsDispersion.score) / 2

        var sizes = bytes.map(Double.init)
        sizes.sort()
        let dsSkew = 1 - abs(NetworkStatistics.bowleySkewness(sizes, minimumSpread: c.minimumSkewSpread))
        let dsDispersion = NetworkStatistics.dispersionScore(sizes, fallback: 0)
        let dataSize = (dsSkew + dsDispersion.score) / 2

        let (histogram, bars, longestRun) = histogramScore(times: times, window: window, c)
        var duration = 0.0
        if bars >= c.durationMinimumHours, let first = times.first, let last = times.last {
            let coverage = min(1, Double(last - first) / Double(window.end - window.start))
            let consistency = min(1, Double(longestRun) / Double(max(1, c.durationIdealConsistentHours)))
            duration = max(coverage, consistency)
        }
        let weights = c.timestampWeight + c.dataSizeWeight + c.durationWeight + c.histogramWeight
        let total = (timestamp * c.timestampWeight + dataSize * c.dataSizeWeight + duration * c.durationWeight
            + histogram * c.histogramWeight) / (weights > 0 ? weights : 1)
        return BeaconScore(timestamp: timestamp, dataSize: dataSize, duration: duration, histogram: histogram,
                           score: min(1, max(0, total)), connections: distinct, medianInterval: tsDispersion.median,
                           medianBytes: dsDispersion.median)
    }

    /// The histogram score, the number of non-empty bars and the longest run of them (wrapping).
    static func histogramScore(times: [Int64], window: (start: Int64, end: Int64), _ c: BeaconConfiguration) -> (Double, Int, Int) {
        let span = window.end - window.start
        let bins = max(1, Int(span / 3_600_000_000))
        var counts = [Int](repeating: 0, count: bins)
        for t in times where t >= window.start && t <= window.end {
            let b = Int((Double(t - window.start) / Double(span)) * Double(bins))
            counts[min(bins - 1, max(0, b))] += 1
        }
        let total = counts.reduce(0, +)
        guard total > 0 else { return (0, 0, 0) }
        let mean = Double(total) / Double(bins)
        let variance = counts.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(bins)
        let cv = variance.squareRoot() / mean
        let flatness = cv > 1 ? 0 : 1 - cv

        let bars = counts.count { $0 > 0 }
        var longest = 0, run = 0
        for i in 0..<(2 * bins) {
            if counts[i % bins] > 0 { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        longest = min(longest, bins)

        var bimodal = 0.0
        if bars >= max(6, c.histogramBimodalMinimumBars) {
            let tallest = counts.max() ?? 0
            let width = max(1, (Double(tallest) * c.histogramModeSensitivity).rounded(.up))
            var modes: [Int: Int] = [:]
            for h in counts where h > 0 { modes[Int((Double(h) / width).rounded(.down)), default: 0] += 1 }
            let top = modes.values.sorted(by: >)
            let fit = Double((top.first ?? 0) + (top.dropFirst().first ?? 0))
            bimodal = min(1, fit / Double(max(1, bars - c.histogramBimodalOutlierBars)))
        }
        return (max(flatness, bimodal), bars, longest)
    }
}
