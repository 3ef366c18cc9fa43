import Foundation
import SpoorCore
import SpoorEvaluation
import SpoorEvents
import SpoorIngest
import SpoorSimulation
import SpoorStore

extension Workspace {
    /// The case's detections as findings for scoring: each with its rule, score (the Sigma level's
    /// rank), time, host and evidence — the events' files relative to `root` (the folder that
    /// was ingested) and record numbers, as ground truth names them.
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
            return Finding(source: d.engine, id: d.ruleID, score: Finding.levelRank(d.level), time: d.time, entity: host,
                           runStart: runStart, evidence: evidence)
        }
    }

    /// Simulates `config` into `folder` (logs and ground truth), ingests the logs into this case,
    /// hunts with `rules`, extracts indicators, and returns the evaluation run (ground truth,
    /// findings, host-days) for the scorecard.
    public func simulateAndAnalyse(_ config: SimulationConfig, folder: URL, rules: RuleSet,
                                   progress: (@Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void)? = nil) async throws -> (SimulationResult, EvaluationRun) {
        let result = Simulator.run(config)
        let truth = try result.write(to: folder)
        let logs = folder.appendingPathComponent("logs").path
        _ = try await ingest([logs], options: IngestOptions(organization: config.clients == 1 ? (result.organisation.clients.first?.id ?? "default") : "default"),
                             arguments: ["simulate", String(config.seed)]) { d, t in progress?("ingest", d, t) }
        _ = try await hunt(rules, arguments: ["simulate", String(config.seed)]) { d, t in progress?("hunt", d, t) }
        _ = try await extractIndicators(arguments: ["simulate", String(config.seed)]) { d, t in progress?("indicators", d, t) }
        let found = try await findings(root: logs, runStart: config.window.start)
        return (result, EvaluationRun(truth: truth, findings: found, hostDays: result.hostDays))
    }
}
