import SpoorCore
import SpoorSimulation

/// How well the findings of several seeds' runs match their ground truth, at explicit
/// operating points, each with a percentile-bootstrap 95% interval over seeds.
/// The definitions are in `Docs/Evaluation.md`.
public struct Scorecard: Sendable, Hashable {
    /// One technique.
    public struct Row: Sendable, Hashable {
        public var technique: String
        public var tactic: String
        /// Executions (campaigns) of the technique over all seeds, and their ground-truth records.
        public var instances: Int
        public var records: Int
        /// Detected executions ÷ executions, at the operating point.
        public var recall: Estimate
        /// Covered ground-truth records ÷ ground-truth records, at the operating point.
        public var recordRecall: Estimate
        /// Median time to detect of the detected executions, in seconds; nil when none was detected.
        public var timeToDetect: Estimate?
        /// The findings (`source:id`) that detected executions first, most executions first (at most 3).
        public var detectedBy: [String]
    }

    public var seeds: [UInt64]
    public var options: EvaluationOptions
    /// Precision among the top K findings per simulated day; nil when no run had a finding.
    public var precisionAtK: Estimate?
    /// False alerts per 1,000 host-days on the attack-free runs: all findings, and those above
    /// the operating point's cut; nil without attack-free runs.
    public var falseAlerts: Estimate?
    public var falseAlertsAtOperatingPoint: Estimate?
    /// Each seed's cut (a finding alerts when its score is greater), in seed order.
    public var cuts: [Double]
    /// Detected executions ÷ executions over every technique; nil without ground truth.
    public var recall: Estimate?
    public var rows: [Row]
    /// The per-seed numbers the estimates come from.
    public var measurements: [SeedMeasurement]

    /// Measures every seed and combines them.
    public static func evaluate(_ runs: [SeedRuns], options: EvaluationOptions = EvaluationOptions()) -> Scorecard {
        combine(runs.map { Metrics.measure($0, options: options) }, options: options)
    }

    /// Pools the seeds' counts (ratios of sums, not means of ratios) and bootstraps over seeds.
    public static func combine(_ ms: [SeedMeasurement], options: EvaluationOptions = EvaluationOptions()) -> Scorecard {
        func estimate(_ units: [SeedMeasurement], _ statistic: ([SeedMeasurement]) -> Double) -> Estimate? {
            guard !units.isEmpty, !statistic(units).isNaN else { return nil }
            return Bootstrap.interval(units, resamples: options.resamples, statistic: statistic)
        }
        func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? .nan : a / b }

        let precision = estimate(ms) { s in ratio(s.reduce(0) { $0 + $1.topKTruePositives }, Double(s.reduce(0) { $0 + $1.topKSlots })) }
        let free = ms.filter { $0.falseAlerts != nil }
        func perThousand(_ count: KeyPath<SeedMeasurement, Int?>) -> ([SeedMeasurement]) -> Double {
            { s in ratio(Double(s.reduce(0) { $0 + ($1[keyPath: count] ?? 0) }) * 1000, Double(s.reduce(0) { $0 + ($1.attackFreeHostDays ?? 0) })) }
        }
        let falseAll = estimate(free, perThousand(\.falseAlerts))
        let falseCut = estimate(free, perThousand(\.falseAlertsAtCut))
        let recall = estimate(ms) { s in
            ratio(Double(s.reduce(0) { $0 + $1.techniques.values.reduce(0) { $0 + $1.detected } }),
                  Double(s.reduce(0) { $0 + $1.techniques.values.reduce(0) { $0 + $1.instances } }))
        }

        let names = Set(ms.flatMap(\.techniques.keys)).sorted()
        var rows: [Row] = []
        for t in names {
            func sum(_ s: [SeedMeasurement], _ f: (TechniqueCounts) -> Int) -> Double { Double(s.reduce(0) { $0 + ($1.techniques[t].map(f) ?? 0) }) }
            let tactic = ms.compactMap { $0.techniques[t]?.tactic }.min() ?? ""
            let r = estimate(ms) { s in ratio(sum(s, \.detected), sum(s, \.instances)) } ?? Estimate(value: 0, low: 0, high: 0)
            let rr = estimate(ms) { s in ratio(sum(s, \.coveredRecords), sum(s, \.records)) } ?? Estimate(value: 0, low: 0, high: 0)
            let ttd = estimate(ms) { s in Metrics.median(s.flatMap { $0.techniques[t]?.delays ?? [] }) }
            var by: [String: Int] = [:]
            for m in ms { for (name, n) in m.techniques[t]?.detectors ?? [:] { by[name, default: 0] += n } }
            let detectedBy = by.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3).map(\.key)
            rows.append(Row(technique: t, tactic: tactic, instances: Int(sum(ms, \.instances)), records: Int(sum(ms, \.records)),
                            recall: r, recordRecall: rr, timeToDetect: ttd, detectedBy: detectedBy))
        }
        return Scorecard(seeds: ms.map(\.seed), options: options, precisionAtK: precision, falseAlerts: falseAll,
                         falseAlertsAtOperatingPoint: falseCut, cuts: ms.map(\.cut), recall: recall, rows: rows, measurements: ms)
    }
}

// MARK: - Rendering

extension Scorecard {
    /// A fixed-width text table: the overall figures, then one line per technique.
    public func table() -> String {
        let k = options.topK
        var out = "Scorecard: \(seeds.count) seed\(seeds.count == 1 ? "" : "s"), 95% bootstrap intervals over seeds\n"
        func line(_ label: String, _ value: String) -> String { "  " + label + String(repeating: " ", count: max(1, 48 - label.count)) + value + "\n" }
        out += line("precision among the top \(k) findings per day", Self.text(precisionAtK, Self.ratio))
        out += line("false alerts per 1,000 host-days (attack-free)", Self.text(falseAlerts, Self.rate))
        out += line("operating point", "≤ \(Self.rate(options.falseAlertBudget)) false alerts per 1,000 host-days: alert when score > "
                    + cuts.map(Self.cutText).joined(separator: ", ") + (cuts.count > 1 ? " (per seed)" : ""))
        out += line("false alerts per 1,000 host-days at that point", Self.text(falseAlertsAtOperatingPoint, Self.rate))
        out += line("recall, all techniques", Self.text(recall, Self.ratio)) + "\n"
        let header = ["technique", "tactic", "runs", "records", "recall [95%]", "record recall [95%]", "time to detect [95%]", "first detected by"]
        var lines = [header]
        for r in rows {
            lines.append([r.technique, r.tactic, String(r.instances), String(r.records), Self.text(r.recall, Self.ratio),
                          Self.text(r.recordRecall, Self.ratio), Self.text(r.timeToDetect, Self.duration),
                          r.detectedBy.isEmpty ? "–" : r.detectedBy.joined(separator: ", ")])
        }
        var widths = Array(repeating: 0, count: header.count)
        for l in lines { for (i, c) in l.enumerated() { widths[i] = max(widths[i], c.count) } }
        for l in lines {
            var s = ""
            for (i, c) in l.enumerated() {
                let last = i == l.count - 1
                let numeric = (2...3).contains(i)
                let pad = String(repeating: " ", count: widths[i] - c.count)
                s += last ? c : (numeric ? pad + c : c + pad) + "  "
            }
            out += s + "\n"
        }
        if rows.isEmpty { out += "(no ground truth: no technique to score)\n" }
        return out
    }

    /// The scorecard as one JSON object, keys in a fixed order; absent values are `null`,
    /// durations in seconds, a cut of −∞ is `null`.
    public func json() -> String {
        func est(_ e: Estimate?) -> String {
            guard let e else { return "null" }
            return "{\"value\":\(Self.number(e.value)),\"low\":\(Self.number(e.low)),\"high\":\(Self.number(e.high))}"
        }
        var s = "{\"seeds\":[" + seeds.map(String.init).joined(separator: ",") + "]"
        s += ",\"top_k\":\(options.topK),\"false_alert_budget_per_1000_host_days\":\(Self.number(options.falseAlertBudget))"
        s += ",\"precision_at_k\":\(est(precisionAtK)),\"false_alerts_per_1000_host_days\":\(est(falseAlerts))"
        s += ",\"false_alerts_per_1000_host_days_at_operating_point\":\(est(falseAlertsAtOperatingPoint))"
        s += ",\"cuts\":[" + cuts.map(Self.number).joined(separator: ",") + "]"
        s += ",\"recall\":\(est(recall)),\"techniques\":["
        s += rows.map { r in
            "{\"technique\":\(JSONValue.quote(r.technique)),\"tactic\":\(JSONValue.quote(r.tactic)),\"runs\":\(r.instances),\"records\":\(r.records)"
                + ",\"recall\":\(est(r.recall)),\"record_recall\":\(est(r.recordRecall)),\"time_to_detect_seconds\":\(est(r.timeToDetect))"
                + ",\"first_detected_by\":[" + r.detectedBy.map(JSONValue.quote).joined(separator: ",") + "]}"
        }.joined(separator: ",")
        return s + "]}"
    }

    /// Several scorers side by side, each at its own operating point: one line per scorer with
    /// the false alerts per 1,000 host-days of all its findings and at its cut, its recall over
    /// every technique, and the techniques it detected at the cut (recall over seeds in brackets).
    /// For scorers whose scores are not on one scale (detectors), where one cut over all of them
    /// measures only the one whose scores run highest.
    public static func comparisonTable(_ cards: [(name: String, card: Scorecard)]) -> String {
        let header = ["scorer", "false alerts, all", "cut", "false alerts at cut", "recall [95%]", "techniques detected at the cut"]
        var lines = [header]
        for (name, c) in cards {
            let found = c.rows.filter { $0.recall.value > 0 }.map { "\($0.technique) \(ratio($0.recall.value))" }
            lines.append([name, text(c.falseAlerts, rate), c.cuts.map(cutDigits).joined(separator: ", "),
                          text(c.falseAlertsAtOperatingPoint, rate), text(c.recall, ratio), found.isEmpty ? "–" : found.joined(separator: ", ")])
        }
        var widths = Array(repeating: 0, count: header.count)
        for l in lines { for (i, cell) in l.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let budget = cards.first.map { rate($0.card.options.falseAlertBudget) } ?? "–"
        let seeds = cards.first?.card.seeds.count ?? 0
        return "\(seeds) seed\(seeds == 1 ? "" : "s"); false alerts per 1,000 host-days of the attack-free runs; each cut keeps ≤ \(budget); 95% bootstrap intervals over seeds\n"
            + lines.map { l in
            l.enumerated().map { i, cell in i == l.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count) + "  " }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// A cut with three digits past its leading nines or zeros (`0.999964`, `0.0103`, `4`).
    static func cutDigits(_ c: Double) -> String {
        guard c.isFinite else { return cutText(c) }
        if c == c.rounded() && abs(c) < 1e15 { return String(Int64(c)) }
        var digits = 3
        var x = abs(c)
        while digits < 9, x > 0, x.truncatingRemainder(dividingBy: 1) >= 0.99 || x < 0.1 { x *= 10; digits += 1 }
        return fixed(c, digits)
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    static func text(_ e: Estimate?, _ f: (Double) -> String) -> String {
        guard let e else { return "–" }
        guard !e.low.isNaN, !e.high.isNaN else { return f(e.value) }
        return "\(f(e.value)) [\(f(e.low)), \(f(e.high))]"
    }

    /// Three decimals (`0.812`).
    static func ratio(_ x: Double) -> String { fixed(x, 3) }
    /// One decimal (`8.3`).
    static func rate(_ x: Double) -> String { fixed(x, 1) }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "–" : (x > 0 ? "∞" : "−∞") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int64((abs(x) * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        let fracText = digits == 0 ? "" : "." + String(String(frac + Int64(scale)).dropFirst())
        return (x < 0 && n != 0 ? "-" : "") + String(whole) + fracText
    }

    /// Seconds below two minutes, minutes below two hours, hours beyond.
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return fixed(seconds, 0) + " s" }
        if seconds < 7200 { return fixed(seconds / 60, 1) + " min" }
        return fixed(seconds / 3600, 1) + " h"
    }

    static func cutText(_ c: Double) -> String { c == -.infinity ? "−∞" : (c == c.rounded() && abs(c) < 1e15 ? String(Int64(c)) : "\(c)") }
}
