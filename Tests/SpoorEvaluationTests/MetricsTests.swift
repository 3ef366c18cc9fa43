import Testing
import SpoorCore
import SpoorSimulation
import SpoorEvents
@testable import SpoorEvaluation

/// Hand-made ground truth and findings; every expected number is worked out in the comments.
enum Hand {
    /// 2026-03-02T00:00:00Z, the default first simulated day.
    static let start = Timestamp(microseconds: 1_772_409_600_000_000)

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: start.microseconds + seconds * 1_000_000) }

    static func truth(_ file: String, _ record: Int, _ technique: String, campaign: String = "demo#1", tactic: String = "execution",
                      at seconds: Int64) -> GroundTruthRow {
        GroundTruthRow(file: file, record: record, time: at(seconds), client: "acme", host: "ACME-WS100",
                       label: TruthLabel(technique: technique, tactic: tactic, campaign: campaign, step: "step"))
    }

    static func finding(_ score: Double, day: Int = 0, at seconds: Int64 = 0, id: String = "rule", _ evidence: [(String, Int)]) -> Finding {
        Finding(source: "sigma", id: id, score: score, time: at(seconds), entity: "ACME-WS100", day: day,
                evidence: evidence.map { EvidenceRecord(file: $0.0, record: $0.1) })
    }
}

@Suite struct PrecisionAtKTests {
    // Ground truth: a#1 (T1), a#2 (T2). Everything else is benign.
    static let truth = GroundTruthIndex([Hand.truth("a", 1, "T1", at: 10), Hand.truth("a", 2, "T2", at: 20)])

    /// Day 0: 5 TP, 4 FP, 3 TP → the top 2 hold one TP. Day 1: one TP, one slot.
    /// Pooled: (1 + 1) / (2 + 1) = 2/3.
    @Test func pooledOverDays() {
        let fs = [Hand.finding(5, day: 0, [("a", 1)]), Hand.finding(4, day: 0, [("b", 1)]), Hand.finding(3, day: 0, [("a", 2)]),
                  Hand.finding(2, day: 1, [("a", 2)])]
        let r = Metrics.topK(fs, truth: Self.truth, k: 2)
        #expect(r.truePositives == 2 && r.slots == 3)
    }

    /// K = 2: 9 TP, then three tied at 5 (one TP). One slot is left for the tie: it holds 1/3 of a
    /// TP on average. TP = 1 + 1/3 over 2 slots = 0.667, whatever order the input has.
    @Test func tiesAtTheCutCountTheirExpectedShare() {
        let fs = [Hand.finding(9, [("a", 1)]), Hand.finding(5, [("a", 2)]), Hand.finding(5, [("b", 1)]), Hand.finding(5, [("b", 2)])]
        let r = Metrics.topK(fs, truth: Self.truth, k: 2)
        #expect(abs(r.truePositives - 4.0 / 3) < 1e-12 && r.slots == 2)
        for permutation in [[3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1]] {
            let again = Metrics.topK(permutation.map { fs[$0] }, truth: Self.truth, k: 2)
            #expect(again.truePositives == r.truePositives && again.slots == r.slots)
        }
        // The whole tie fits in K = 4: 1 + 1 = 2 TPs of 4.
        let all = Metrics.topK(fs, truth: Self.truth, k: 4)
        #expect(all.truePositives == 2 && all.slots == 4)
    }

    /// Fewer findings than K: the slots are the findings (one FP → 0 of 1). A finding whose
    /// evidence holds two techniques' records, or a benign and a malicious record, is one TP.
    @Test func fewerThanKAndMixedEvidence() {
        let lone = Metrics.topK([Hand.finding(1, [("b", 7)])], truth: Self.truth, k: 10)
        #expect(lone.truePositives == 0 && lone.slots == 1)
        let mixed = Metrics.topK([Hand.finding(1, [("a", 1), ("a", 2)]), Hand.finding(1, [("b", 7), ("a", 2)])], truth: Self.truth, k: 10)
        #expect(mixed.truePositives == 2 && mixed.slots == 2)
        let none = Metrics.topK([], truth: Self.truth, k: 10)
        #expect(none.truePositives == 0 && none.slots == 0)
    }
}

@Suite struct OperatingPointTests {
    /// 200 host-days at 10 per 1,000 allow 2 false alerts. False scores 5, 4, 4, 3, 1: the third
    /// highest is 4, so alerts are scores > 4 (one alert; a cut at 3 would let 5, 4, 4 through).
    @Test func cutIsTheLowestWithinBudget() {
        #expect(Metrics.cut(falseScores: [3, 4, 1, 5, 4], hostDays: 200, budget: 10) == 4)
        // Two false findings, two allowed: no cut.
        #expect(Metrics.cut(falseScores: [3, 4], hostDays: 200, budget: 10) == -.infinity)
        // 16 host-days allow 0.16 → none: the cut is the highest false score.
        #expect(Metrics.cut(falseScores: [3, 4, 1], hostDays: 16, budget: 10) == 4)
        // No false finding at all.
        #expect(Metrics.cut(falseScores: [], hostDays: 16, budget: 10) == -.infinity)
        // 300 host-days allow exactly 3 (no rounding down to 2).
        #expect(Metrics.cut(falseScores: [9, 8, 7, 6], hostDays: 300, budget: 10) == 6)
    }

    /// False alerts per 1,000 host-days: 5 findings on 200 host-days → 25; above the cut 4 → 1 → 5.
    @Test func falseAlertsOnTheAttackFreeRun() {
        let free = EvaluationRun(truth: [], findings: [5, 4, 4, 3, 1].map { Hand.finding($0, [("b", 1)]) }, hostDays: 200)
        let m = Metrics.measure(SeedRuns(seed: 1, attack: EvaluationRun(truth: [], findings: [], hostDays: 200), attackFree: free))
        #expect(m.cut == 4 && m.falseAlerts == 5 && m.falseAlertsAtCut == 1 && m.attackFreeHostDays == 200)
        let card = Scorecard.combine([m])
        #expect(card.falseAlerts?.value == 25 && card.falseAlertsAtOperatingPoint?.value == 5)
        #expect(card.rows.isEmpty && card.recall == nil && card.precisionAtK == nil)
    }

    /// An empty attack-free run: no false alerts (0 per 1,000 host-days) and no cut.
    @Test func emptyAttackFreeRun() {
        let attack = EvaluationRun(truth: [Hand.truth("a", 1, "T1", at: 10)], findings: [Hand.finding(0.5, at: 30, [("a", 1)])], hostDays: 48)
        let m = Metrics.measure(SeedRuns(seed: 1, attack: attack, attackFree: EvaluationRun(truth: [], findings: [], hostDays: 48)))
        #expect(m.cut == -.infinity && m.falseAlerts == 0 && m.falseAlertsAtCut == 0)
        let card = Scorecard.combine([m])
        #expect(card.falseAlerts == Estimate(value: 0, low: 0, high: 0))
        #expect(card.rows.map(\.recall.value) == [1] && card.rows.first?.timeToDetect?.value == 20)
    }
}

@Suite struct RecallAndTimeToDetectTests {
    // T1: f#1 at 100 s, f#2 at 200 s. T2: f#3 at 300 s. T3: g#1 at 50 s, never covered.
    static let truth = [Hand.truth("f", 1, "T1", at: 100), Hand.truth("f", 2, "T1", at: 200),
                        Hand.truth("f", 3, "T2", tactic: "persistence", at: 300), Hand.truth("g", 1, "T3", at: 50)]
    // F1 (5) at 320 s covers T1 (f#2) and T2 (f#3); F2 (2) at 150 s covers T1 (f#1); F3 (4) is benign.
    static let findings = [Hand.finding(5, at: 320, id: "F1", [("f", 2), ("f", 3)]), Hand.finding(2, at: 150, id: "F2", [("f", 1)]),
                           Hand.finding(4, at: 400, id: "F3", [("x", 9)])]

    /// Without an attack-free run every finding alerts: T1 first at 150 s (50 s after 100 s),
    /// both records covered; T2 at 320 s (20 s after 300 s); T3 missed: recall 0, no time.
    @Test func everyFindingAlertsWithoutAnAttackFreeRun() throws {
        let m = Metrics.measure(SeedRuns(seed: 1, attack: EvaluationRun(truth: Self.truth, findings: Self.findings, hostDays: 100), attackFree: nil))
        #expect(m.cut == -.infinity && m.falseAlerts == nil)
        let t1 = try #require(m.techniques["T1"]), t2 = try #require(m.techniques["T2"]), t3 = try #require(m.techniques["T3"])
        #expect(t1.instances == 1 && t1.detected == 1 && t1.delays == [50] && t1.records == 2 && t1.coveredRecords == 2)
        #expect(t2.detected == 1 && t2.delays == [20] && t2.coveredRecords == 1 && t2.tactic == "persistence")
        #expect(t3.instances == 1 && t3.detected == 0 && t3.delays.isEmpty && t3.coveredRecords == 0)
        #expect(t1.detectors == ["sigma:F2": 1] && t2.detectors == ["sigma:F1": 1])
        // Top 10 of day 0: F1 TP, F3 FP, F2 TP → 2 of 3.
        #expect(m.topKTruePositives == 2 && m.topKSlots == 3)

        let card = Scorecard.combine([m])
        #expect(card.rows.map(\.technique) == ["T1", "T2", "T3"])
        #expect(abs((card.recall?.value ?? 0) - 2.0 / 3) < 1e-12)
        #expect(abs((card.precisionAtK?.value ?? 0) - 2.0 / 3) < 1e-12)
        let row3 = card.rows[2]
        #expect(row3.recall == Estimate(value: 0, low: 0, high: 0) && row3.timeToDetect == nil && row3.detectedBy.isEmpty)
    }

    /// An attack-free run with false scores 3 and 2 on 100 host-days (1 allowed) sets the cut at
    /// 2: F2 (score 2) no longer alerts. T1 is then first detected by F1 at 320 s → 220 s, and
    /// only f#2 of its two records is covered (record recall 0.5).
    @Test func theCutFromTheAttackFreeRunApplies() throws {
        let free = EvaluationRun(truth: [], findings: [Hand.finding(3, [("b", 1)]), Hand.finding(2, [("b", 2)])], hostDays: 100)
        let m = Metrics.measure(SeedRuns(seed: 1, attack: EvaluationRun(truth: Self.truth, findings: Self.findings, hostDays: 100), attackFree: free))
        #expect(m.cut == 2 && m.falseAlerts == 2 && m.falseAlertsAtCut == 1)
        let t1 = try #require(m.techniques["T1"])
        #expect(t1.detected == 1 && t1.delays == [220] && t1.coveredRecords == 1)
        let card = Scorecard.combine([m])
        #expect(card.rows[0].recordRecall.value == 0.5 && card.rows[0].timeToDetect?.value == 220)
        #expect(card.falseAlerts?.value == 20 && card.falseAlertsAtOperatingPoint?.value == 10)
        // Precision at K is a ranking metric: it does not depend on the cut.
        #expect(m.topKTruePositives == 2 && m.topKSlots == 3)
    }

    /// A finding earlier than the technique's first record (its time comes from other evidence)
    /// counts as time to detect 0, not a negative time. Ties in time name every finding.
    @Test func timeToDetectIsNeverNegative() throws {
        let truth = [Hand.truth("f", 1, "T1", at: 100)]
        let fs = [Hand.finding(1, at: 90, id: "A", [("f", 1)]), Hand.finding(1, at: 90, id: "B", [("f", 1), ("x", 1)])]
        let m = Metrics.measure(SeedRuns(seed: 1, attack: EvaluationRun(truth: truth, findings: fs, hostDays: 10), attackFree: nil))
        let t1 = try #require(m.techniques["T1"])
        #expect(t1.delays == [0] && t1.detectors == ["sigma:A": 1, "sigma:B": 1])
    }

    /// Two campaigns of one technique are two executions: covering one gives recall 1/2.
    /// A record labelled with two techniques counts for both.
    @Test func executionsAreCampaigns() throws {
        let truth = [Hand.truth("f", 1, "T1", campaign: "x#1", at: 100), Hand.truth("f", 9, "T1", campaign: "x#2", at: 5000),
                     Hand.truth("f", 1, "T2", campaign: "x#1", at: 100)]
        let fs = [Hand.finding(1, at: 130, [("f", 1)])]
        let m = Metrics.measure(SeedRuns(seed: 1, attack: EvaluationRun(truth: truth, findings: fs, hostDays: 10), attackFree: nil))
        let t1 = try #require(m.techniques["T1"]), t2 = try #require(m.techniques["T2"])
        #expect(t1.instances == 2 && t1.detected == 1 && t1.delays == [30] && t1.records == 2 && t1.coveredRecords == 1)
        #expect(t2.instances == 1 && t2.detected == 1 && t2.delays == [30])
        #expect(abs((Scorecard.combine([m]).recall?.value ?? 0) - 2.0 / 3) < 1e-12)
    }
}

@Suite struct ScorecardTests {
    static func seed(_ n: UInt64, detectedAfter delay: Int64?) -> SeedRuns {
        let truth = [Hand.truth("f", 1, "T1", at: 100), Hand.truth("f", 2, "T9", at: 100)]
        let fs = delay.map { [Hand.finding(3, at: 100 + $0, [("f", 1)])] } ?? []
        let free = EvaluationRun(truth: [], findings: [Hand.finding(2, [("b", 1)])], hostDays: 100)
        return SeedRuns(seed: n, attack: EvaluationRun(truth: truth, findings: fs, hostDays: 100), attackFree: free)
    }

    /// Four seeds, T1 detected in three (after 10, 20, 60 s): recall pooled 3/4 with an interval
    /// inside [0.25, 1] holding 0.75; time to detect the median 20 s; T9 never: 0 and absent.
    /// Pooled false alerts: 4 on 400 host-days → 10 per 1,000; the budget allows 1 per seed → no cut.
    @Test func poolsSeedsAndBootstraps() throws {
        let card = Scorecard.evaluate([Self.seed(1, detectedAfter: 10), Self.seed(2, detectedAfter: nil),
                                       Self.seed(3, detectedAfter: 60), Self.seed(4, detectedAfter: 20)])
        let t1 = try #require(card.rows.first { $0.technique == "T1" }), t9 = try #require(card.rows.first { $0.technique == "T9" })
        #expect(t1.recall.value == 0.75 && t1.recall.low >= 0.25 && t1.recall.low < 0.75 && t1.recall.high == 1)
        #expect(t1.timeToDetect?.value == 20 && (t1.timeToDetect?.low ?? 0) >= 10 && (t1.timeToDetect?.high ?? 0) <= 60)
        #expect(t1.instances == 4 && t1.records == 4 && t1.detectedBy == ["sigma:rule"])
        #expect(t9.recall == Estimate(value: 0, low: 0, high: 0) && t9.timeToDetect == nil)
        #expect(card.falseAlerts?.value == 10 && card.cuts == [-.infinity, -.infinity, -.infinity, -.infinity])
        #expect(card.recall?.value == 3.0 / 8)
        // Every seed's top list is its one finding, a TP (seed 2 has none).
        #expect(card.precisionAtK == Estimate(value: 1, low: 1, high: 1))
    }

    @Test func renderingAsTableAndJSON() throws {
        let card = Scorecard.evaluate([Self.seed(1, detectedAfter: 600), Self.seed(2, detectedAfter: 9000)], options: EvaluationOptions(topK: 5))
        let table = card.table()
        #expect(table.contains("precision among the top 5 findings per day      1.000 [1.000, 1.000]"))
        #expect(table.contains("false alerts per 1,000 host-days (attack-free)  10.0 [10.0, 10.0]"))
        #expect(table.contains("alert when score > −∞, −∞"))
        let t1 = try #require(table.split(separator: "\n").first { $0.hasPrefix("T1 ") })
        // Median of 600 s and 9000 s = 4800 s = 80 min; the interval spans the two seeds' times.
        #expect(t1.contains("1.000 [1.000, 1.000]") && t1.contains("80.0 min [10.0 min, 2.5 h]") && t1.hasSuffix("sigma:rule"))
        let t9 = try #require(table.split(separator: "\n").first { $0.hasPrefix("T9 ") })
        #expect(t9.contains("0.000 [0.000, 0.000]") && t9.split(separator: " ").suffix(2) == ["–", "–"])

        let json = card.json()
        let v = try JSONParser(maximumDepth: 8).parse(Array(json.utf8).span)
        #expect(v["top_k"]?.intValue == 5 && v["cuts"]?.jsonText == "[null,null]")
        #expect(v["false_alerts_per_1000_host_days"]?["value"]?.jsonText == "10")
        guard case .array(let rows) = try #require(v["techniques"]), rows.count == 2 else {
            Issue.record("techniques is not an array of two")
            return
        }
        #expect(rows[0]["technique"]?.stringValue == "T1" && rows[0]["time_to_detect_seconds"]?["value"]?.jsonText == "4800")
        #expect(rows[1]["time_to_detect_seconds"]?.jsonText == "null" && rows[1]["first_detected_by"]?.jsonText == "[]")
    }

    @Test func numberFormats() {
        #expect(Scorecard.ratio(2.0 / 3) == "0.667" && Scorecard.rate(8.25) == "8.3" && Scorecard.rate(0) == "0.0")
        #expect(Scorecard.duration(42) == "42 s" && Scorecard.duration(150) == "2.5 min" && Scorecard.duration(9000) == "2.5 h")
        #expect(Scorecard.number(0.5) == "0.5" && Scorecard.number(3) == "3" && Scorecard.number(.nan) == "null")
    }
}

@Suite struct FindingModelTests {
    @Test(arguments: [
        ("/tmp/x/logs/acme/zeek/conn.log", "/tmp/x/logs/", "acme/zeek/conn.log"),
        ("/tmp/x/logs/acme/zeek/conn.log", "/tmp/x/logs", "acme/zeek/conn.log"),
        ("./logs/acme/web/access.log", "logs", "acme/web/access.log"),
        ("/elsewhere/a.log", "/tmp/x/logs", "/elsewhere/a.log"),
        ("/tmp/x/logsother/a.log", "/tmp/x/logs", "/tmp/x/logsother/a.log"),
    ])
    func evidencePathsAreRelativeToTheRoot(path: String, root: String, expected: String) {
        #expect(EvidenceRecord(path: path, root: root, record: 3) == EvidenceRecord(file: expected, record: 3))
    }

    @Test func daysAndLevels() {
        #expect(Finding.day(of: Hand.at(0), runStart: Hand.start) == 0)
        #expect(Finding.day(of: Hand.at(86_399), runStart: Hand.start) == 0)
        #expect(Finding.day(of: Hand.at(86_400), runStart: Hand.start) == 1)
        #expect(Finding.day(of: Hand.at(-1), runStart: Hand.start) == -1)
        #expect(Finding(source: "sigma", id: "r", score: 4, time: Hand.at(90_000), entity: "h", runStart: Hand.start, evidence: []).day == 1)
        #expect(["informational", "low", "medium", "High", "critical", "bogus"].map(Finding.levelRank) == [1, 2, 3, 4, 5, 0])
    }

    /// Host-days count every client's hosts: 8 hosts × 2 days × 2 clients.
    @Test func hostDaysOfASimulation() {
        let result = Simulator.run(SimulationConfig(seed: 3, days: 2, hosts: 8, clients: 2, scenarios: []))
        #expect(result.hostDays == 32)
    }
}

@Suite struct EvidenceFromEventsTests {
    @Test func evidenceFromAnIngestedEvent() {
        let e = Event(orderedFields: [(Field.logFilePath, .string("/tmp/run/logs/acme/zeek/dns.log")), (Field.spoorRecord, .int(42))])
        #expect(EvidenceRecord(e, root: "/tmp/run/logs") == EvidenceRecord(file: "acme/zeek/dns.log", record: 42))
        #expect(EvidenceRecord(Event(orderedFields: [(Field.spoorRecord, .int(1))]), root: "/") == nil)
    }
}
