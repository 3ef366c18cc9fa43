import SpoorCore
import SpoorSimulation

/// One simulated run as the evaluation needs it: its ground truth, what was found in its logs,
/// and its size in host-days.
public struct EvaluationRun: Sendable {
    public var truth: [GroundTruthRow]
    public var findings: [Finding]
    /// Hosts × simulated days (every client's hosts).
    public var hostDays: Int

    public init(truth: [GroundTruthRow], findings: [Finding], hostDays: Int) {
        self.truth = truth
        self.findings = findings
        self.hostDays = hostDays
    }
}

extension SimulationResult {
    /// Hosts of every client × simulated days: the denominator of false alerts per host-day.
    public var hostDays: Int { organisation.clients.reduce(0) { $0 + $1.hosts.count } * config.days }
}

/// The runs of one seed: the attack run and, for false alerts and the operating point, an
/// attack-free run of the same organisation (same seed, no scenarios).
extension EvaluationRun {
    /// The same run with only the findings that pass `keep`.
    public func only(_ keep: (Finding) -> Bool) -> EvaluationRun {
        EvaluationRun(truth: truth, findings: findings.filter(keep), hostDays: hostDays)
    }
}

public struct SeedRuns: Sendable {
    public var seed: UInt64
    public var attack: EvaluationRun
    public var attackFree: EvaluationRun?

    public init(seed: UInt64, attack: EvaluationRun, attackFree: EvaluationRun?) {
        self.seed = seed
        self.attack = attack
        self.attackFree = attackFree
    }
}

/// The operating points of a scorecard.
public struct EvaluationOptions: Sendable, Hashable {
    /// Findings an analyst reads per simulated day (precision among the top K).
    public var topK: Int
    /// The false-alert budget that sets the recall threshold, per 1,000 host-days.
    public var falseAlertBudget: Double
    /// Bootstrap resamples for the 95% intervals.
    public var resamples: Int

    public init(topK: Int = 10, falseAlertBudget: Double = 10, resamples: Int = 2_000) {
        self.topK = topK
        self.falseAlertBudget = falseAlertBudget
        self.resamples = resamples
    }
}

/// What one seed gives per technique: counts that add up across seeds.
public struct TechniqueCounts: Sendable, Hashable {
    public var tactic: String
    /// Executions of the technique (one per campaign).
    public var instances = 0
    /// Executions that an alerting finding covers.
    public var detected = 0
    /// Ground-truth records of the technique, and those some alerting finding covers.
    public var records = 0
    public var coveredRecords = 0
    /// Time to detect of each detected execution, in seconds.
    public var delays: [Double] = []
    /// How many executions each finding (`source:id`) covered.
    public var detectors: [String: Int] = [:]
}

/// The numbers of one seed, before any interval: sums that pool across seeds.
public struct SeedMeasurement: Sendable, Hashable {
    public var seed: UInt64
    /// Σ over days of the (expected) true positives among the day's top K findings, and
    /// Σ over days of min(K, findings that day).
    public var topKTruePositives: Double
    public var topKSlots: Int
    /// Attack-free run: findings without ground-truth evidence, all of them and those above
    /// the cut; nil without an attack-free run.
    public var falseAlerts: Int?
    public var falseAlertsAtCut: Int?
    public var attackFreeHostDays: Int?
    /// The operating point: a finding alerts when its score is greater than `cut`
    /// (−∞ when the budget admits every attack-free finding, or without an attack-free run).
    public var cut: Double
    /// Per technique.
    public var techniques: [String: TechniqueCounts]
}

/// The metrics, each computed on one seed's runs.
public enum Metrics {
    /// Precision among the top K findings of each simulated day, pooled over days:
    /// Σ_d TP_d / Σ_d min(K, n_d). Ties at the K-th place count as random order among the
    /// tied findings: the slots left are filled with the tied group's share of true positives
    /// (the expected value), so the result does not depend on the input order.
    public static func topK(_ findings: [Finding], truth: GroundTruthIndex, k: Int) -> (truePositives: Double, slots: Int) {
        guard k > 0 else { return (0, 0) }
        var byDay: [Int: [(score: Double, tp: Bool)]] = [:]
        for f in findings { byDay[f.day, default: []].append((f.score, truth.isTruePositive(f))) }
        var tp = 0.0, slots = 0
        for day in byDay.keys.sorted() {
            guard let list = byDay[day] else { continue }
            let sorted = list.sorted { $0.score > $1.score }
            let take = min(k, sorted.count)
            slots += take
            var left = take, i = 0
            while left > 0 && i < sorted.count {
                var j = i
                var groupTP = 0
                while j < sorted.count && sorted[j].score == sorted[i].score {
                    if sorted[j].tp { groupTP += 1 }
                    j += 1
                }
                let size = j - i
                if size <= left {
                    tp += Double(groupTP)
                    left -= size
                } else {
                    tp += Double(left) * Double(groupTP) / Double(size)
                    left = 0
                }
                i = j
            }
        }
        return (tp, slots)
    }

    /// The lowest cut c with #{attack-free false findings with score > c} ≤ ⌊budget × host-days
    /// / 1000⌋: the (B+1)-th highest false score (B the allowed count), or −∞ when there are at
    /// most B false findings. Every cut between that score and the next higher one gives the same
    /// count on the attack-free run; the lowest is the most lenient for the attack run.
    public static func cut(falseScores: [Double], hostDays: Int, budget: Double) -> Double {
        let allowed = max(0, Int((budget * Double(hostDays) / 1000 + 1e-9).rounded(.down)))
        let sorted = falseScores.sorted(by: >)
        return sorted.count <= allowed ? -.infinity : sorted[allowed]
    }

    /// Measures one seed.
    public static func measure(_ runs: SeedRuns, options: EvaluationOptions = EvaluationOptions()) -> SeedMeasurement {
        let truth = GroundTruthIndex(runs.attack.truth)
        let top = topK(runs.attack.findings, truth: truth, k: options.topK)

        var falseAlerts: Int?, falseAtCut: Int?, freeHostDays: Int?
        var cut = -Double.infinity
        if let free = runs.attackFree {
            let freeTruth = GroundTruthIndex(free.truth)
            let falseScores = free.findings.filter { !freeTruth.isTruePositive($0) }.map(\.score)
            cut = Self.cut(falseScores: falseScores, hostDays: free.hostDays, budget: options.falseAlertBudget)
            falseAlerts = falseScores.count
            falseAtCut = falseScores.filter { $0 > cut }.count
            freeHostDays = free.hostDays
        }

        var techniques: [String: TechniqueCounts] = [:]
        var firstFinding: [String: [String: (time: Timestamp, names: Set<String>)]] = [:]   // technique → campaign → …
        var covered: [String: Set<EvidenceRecord>] = [:]
        for f in runs.attack.findings where f.score > cut {
            for (technique, campaign) in truth.covered(by: f) {
                if let seen = firstFinding[technique]?[campaign] {
                    if f.time < seen.time {
                        firstFinding[technique]?[campaign] = (f.time, [f.name])
                    } else if f.time == seen.time {
                        firstFinding[technique]?[campaign]?.names.insert(f.name)
                    }
                } else {
                    firstFinding[technique, default: [:]][campaign] = (f.time, [f.name])
                }
                for r in truth.records(of: technique, in: f) { covered[technique, default: []].insert(r) }
            }
        }
        for instance in truth.instances {
            var counts = techniques[instance.technique] ?? TechniqueCounts(tactic: instance.tactic)
            counts.instances += 1
            if let first = firstFinding[instance.technique]?[instance.campaign] {
                counts.detected += 1
                counts.delays.append(max(0, Double(first.time.microseconds - instance.firstTime.microseconds) / 1_000_000))
                for name in first.names { counts.detectors[name, default: 0] += 1 }
            }
            techniques[instance.technique] = counts
        }
        for (technique, var counts) in techniques {
            let all = truth.instances.filter { $0.technique == technique }.reduce(into: Set<EvidenceRecord>()) { $0.formUnion($1.records) }
            counts.records = all.count
            counts.coveredRecords = covered[technique]?.intersection(all).count ?? 0
            techniques[technique] = counts
        }
        return SeedMeasurement(seed: runs.seed, topKTruePositives: top.truePositives, topKSlots: top.slots,
                               falseAlerts: falseAlerts, falseAlertsAtCut: falseAtCut, attackFreeHostDays: freeHostDays,
                               cut: cut, techniques: techniques)
    }

    /// The median (mean of the two middle values for an even count); NaN for none.
    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
