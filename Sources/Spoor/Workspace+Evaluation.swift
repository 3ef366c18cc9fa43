import Foundation
import SpoorCore
import SpoorDetectors
import SpoorEvaluation
import SpoorEvents
import SpoorIngest
import SpoorLabels
import SpoorSimulation
import SpoorRules
import SpoorStore

/// The unit-level scorers of a labelling run.
public enum UnitScorer: String, Sendable, CaseIterable {
    case labelModel = "label model"
    case majorityVote = "majority vote"
    case endModel = "end model"

    func score(_ l: UnitLabel) -> Double? {
        switch self {
        case .labelModel: l.probability
        case .majorityVote: l.majority
        case .endModel: l.endScore
        }
    }
}

/// One simulated run analysed end to end: the simulation, its rule and detector findings, the
/// labelled units as findings of each unit scorer, and the labels scored against ground truth.
public struct SimulationAnalysis: Sendable {
    public var result: SimulationResult
    /// Sigma detections and detector findings.
    public var run: EvaluationRun
    /// The same ground truth with the units of the labelling run as findings, per scorer.
    public var unitRuns: [UnitScorer: EvaluationRun]
    public var labels: LabelEvaluation?
    /// Per unit of the labelling run: whether it holds a ground-truth record, and each scorer's score.
    public var unitTruth: [Bool] = []
    public var unitScores: [UnitScorer: [Double]] = [:]

    /// Sets the labels' scores at the alert budget, with the cut taken from `attackFree`.
    public mutating func setAlertBudget(from attackFree: SimulationAnalysis, budget: Double = 10) throws {
        guard labels != nil else { return }
        labels?.atAlertBudget = try Workspace.alertBudgetScores(attack: (unitTruth, unitScores), attackFree: attackFree.unitScores,
                                                                attackFreeHostDays: attackFree.result.hostDays, budget: budget)
    }
}

extension Workspace {
    /// The case's detections as findings for scoring: each with its rule (source `sigma`,
    /// `sigma-correlation` or `detector`), score (a detector's own 0…1 score; for rules the Sigma
    /// level's rank), time, host and evidence — the events' files
    /// relative to `root` (the folder that was ingested) and record numbers, as ground truth names them.
    public func findings(root: String, runStart: Timestamp) async throws -> [Finding] {
        let detections = try await detections()
        let ids = Array(Set(detections.flatMap(\.eventIDs)))
        var events: [Int64: Event] = [:]
        var start = 0
        while start < ids.count {
            let page = Array(ids[start..<min(ids.count, start + 20_000)])
            events.merge(try await self.events(ids: page)) { a, _ in a }
            start += page.count
        }
        return detections.map { d in
            let evidence = d.eventIDs.compactMap { events[$0].flatMap { EvidenceRecord($0, root: root) } }
            let host = d.eventIDs.first.flatMap { events[$0]?[Field.hostName]?.description } ?? ""
            // Detector findings keep their own 0…1 score (they are scored apart from rules).
            let score = d.engine == "detector" ? (DetectorDetails(json: d.details).score ?? 0) : Finding.levelRank(d.level)
            return Finding(source: d.engine, id: d.ruleID, score: score, time: d.time, entity: host,
                           runStart: runStart, evidence: evidence)
        }
    }

    /// Pages through the case's events with the unit of every row, assigned as labelling assigns
    /// them (the same order, so the same units); returns the builder with every unit met.
    /// With an `addressBook`, host-hour units of events keyed by an address join the unit of
    /// the host the address belongs to (``HostAddressBook``).
    @discardableResult
    func forEachUnitPage(_ kind: UnitKind, addressBook: HostAddressBook?, pageSize: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
                         _ body: (_ batch: EventBatch, _ ids: [Int64], _ unitOfRow: [Int32], _ keys: [UnitKey]) throws -> Void) async throws -> UnitFeatureBuilder {
        var units = UnitFeatureBuilder(kind: kind, addressBook: kind == .hostHour ? addressBook : nil)
        let total = progress == nil ? 0 : try await store.eventCount()
        var after: Int64 = 0, scanned = 0
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            after = last
            let unitOfRow = units.observe(batch)
            try body(batch, ids, unitOfRow, units.keys)
            scanned += batch.count
            progress?(scanned, total)
        }
        return units
    }

    /// Which host each address belongs to, from the bindings in the case's events (one pass).
    func addressBook(pageSize: Int) async throws -> HostAddressBook {
        var book = HostAddressBook()
        var after: Int64 = 0
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            after = last
            book.observe(batch)
        }
        book.finish()
        return book
    }

    /// The newest labelling run's units as findings of each scorer: units scoring at least
    /// `floor`, with the records of all their events as evidence (relative to `root`).
    public func unitFindings(root: String, runStart: Timestamp, floor: Double = 0.01, pageSize: Int = 50_000) async throws -> [UnitScorer: [Finding]] {
        guard let (run, labels) = try await labels() else { return [:] }
        var wanted: [UnitKey: Int] = [:]
        for (i, l) in labels.enumerated() where UnitScorer.allCases.contains(where: { ($0.score(l) ?? 0) >= floor }) { wanted[l.unit] = i }
        guard !wanted.isEmpty else { return [:] }
        var evidence: [Int: [EvidenceRecord]] = [:]
        try await forEachUnitPage(run.unitKind, addressBook: Self.addressBook(of: run), pageSize: pageSize) { batch, _, unitOfRow, keys in
            for r in 0..<batch.count where unitOfRow[r] >= 0 {
                guard let i = wanted[keys[Int(unitOfRow[r])]], let e = EvidenceRecord(batch, row: r, root: root) else { continue }
                evidence[i, default: []].append(e)
            }
        }
        var out: [UnitScorer: [Finding]] = [:]
        for scorer in UnitScorer.allCases {
            out[scorer] = wanted.values.sorted().compactMap { i in
                let l = labels[i]
                guard let s = scorer.score(l), s >= floor else { return nil }
                let host = l.unit.entity
                return Finding(source: scorer.rawValue, id: l.unit.description, score: s, time: l.unit.start, entity: host,
                               runStart: runStart, evidence: evidence[i] ?? [])
            }
        }
        return out
    }

    /// Simulates `config` into `folder` (logs and ground truth), ingests the logs into this case,
    /// hunts with `rules`, extracts indicators, runs the detectors, labels the units, trains the
    /// end model, and returns the evaluation runs (ground truth, findings, host-days) for the
    /// scorecards with the labels scored against ground truth. With `modelsFrom`, the label and
    /// end models fitted in that case are applied instead of fitting new ones (an attack-free
    /// run scored by the attack run's models).
    public func simulateAndAnalyse(_ config: SimulationConfig, folder: URL, rules: RuleSet, labelling: Bool = true, labelOptions: LabelOptions = LabelOptions(),
                                   modelsFrom: Workspace? = nil,
                                   progress: (@Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void)? = nil) async throws -> SimulationAnalysis {
        let result = Simulator.run(config)
        let truth = try result.write(to: folder)
        let logs = folder.appendingPathComponent("logs").path
        let arguments = ["simulate", String(config.seed)]
        _ = try await ingest([logs], options: IngestOptions(organization: config.clients == 1 ? (result.organisation.clients.first?.id ?? "default") : "default"),
                             arguments: arguments) { d, t in progress?("ingest", d, t) }
        _ = try await hunt(rules, arguments: arguments) { d, t in progress?("hunt", d, t) }
        _ = try await extractIndicators(arguments: arguments) { d, t in progress?("indicators", d, t) }
        var unitRuns: [UnitScorer: EvaluationRun] = [:]
        var evaluation: LabelEvaluation?
        var unitTruth: [Bool] = []
        var unitScores: [UnitScorer: [Double]] = [:]
        if labelling {
            _ = try await detect(arguments: arguments) { d, t in progress?("detect", d, t) }
            var options = labelOptions
            if let modelsFrom { options.model = try await modelsFrom.fittedLabelModel() }
            _ = try await label(options, arguments: arguments) { d, t in progress?("label", d, t) }
            progress?("train", 0, 1)
            _ = try await train(applying: try await modelsFrom?.trainedEndModel(), arguments: arguments)
            progress?("train", 1, 1)
            for (scorer, found) in try await unitFindings(root: logs, runStart: config.window.start) {
                unitRuns[scorer] = EvaluationRun(truth: truth, findings: found, hostDays: result.hostDays)
            }
            (evaluation, unitTruth, unitScores, _) = try await scoredLabels(truth: truth, root: logs)
        }
        let found = try await findings(root: logs, runStart: config.window.start)
        return SimulationAnalysis(result: result, run: EvaluationRun(truth: truth, findings: found, hostDays: result.hostDays),
                                  unitRuns: unitRuns, labels: evaluation, unitTruth: unitTruth, unitScores: unitScores)
    }
}
