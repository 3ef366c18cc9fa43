import Foundation
import SpoorCore
import SpoorEvents
import SpoorRules
import SpoorStore

/// Sigma rules loaded and compiled, with every problem found on the way.
public struct RuleSet: Sendable {
    public var program: SigmaProgram
    public var loaded: SigmaRuleSet

    /// Loads rule files/folders and compiles them against spoor's bindings plus `bindingFolders`
    /// (the user's binding files win), with `placeholders` for `expand`.
    public static func load(paths: [String], bindingFolders: [String] = [], placeholders: [String: [String]] = [:]) throws -> RuleSet {
        let loaded = SigmaLoader().load(paths: paths)
        var bindings = try BindingSet.builtIn()
        for folder in bindingFolders { bindings.add(try BindingSet.load(folder: folder)) }
        var compiler = SigmaCompiler(bindings: bindings)
        compiler.placeholders = placeholders
        return RuleSet(program: compiler.compile(loaded), loaded: loaded)
    }

    /// Reads a placeholder file: YAML mapping name → value or list of values.
    public static func placeholders(file: String) throws -> [String: [String]] {
        try SigmaPlaceholders.load(file: file)
    }
}

/// What one hunt did.
public struct HuntReport: Sendable, Codable {
    public var run: Int64
    public var events: Int
    public var rules: Int
    public var unsupportedRules: Int
    public var correlations: Int
    public var matches: Int
    public var correlationHits: Int
    /// Detections not already in the case (hunting twice stores nothing new).
    public var newDetections: Int
    public var seconds: Double
}

extension Workspace {
    /// Runs compiled Sigma rules over every event of the case, page by page, and stores what
    /// they find as detections (rule id, title, level, ATT&CK tags, the events' store ids).
    ///
    /// Rules below `minimumLevel` are not reported; rules that only feed correlations are not
    /// reported on their own unless a correlation says `generate: true` (spec "Correlations").
    ///
    /// - Returns: the report and the detections of this run, by time.
    public func hunt(_ rules: RuleSet, minimumLevel: SigmaLevel = .informational, arguments: [String] = [],
                     pageSize: Int = 50_000,
                     progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> (HuntReport, [Detection]) {
        let started = Date()
        let program = rules.program
        let run = try await store.beginRun(command: "hunt", arguments: arguments)
        let total = try await store.eventCount()
        let engine = SigmaEngine(program)
        var correlator = CorrelationEngine(program: program)
        let reported = program.rules.indices.map { i in
            correlator.reportsOwnMatches(i) && (program.rules[i].metadata.level ?? .informational) >= minimumLevel
        }
        let correlated = program.rules.indices.map { correlator.isCorrelated($0) }
        var after: Int64 = 0
        var scanned = 0, matches = 0, newDetections = 0
        var findings: [Detection] = []
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            after = last
            scanned += batch.count
            let found = engine.matches(in: batch)
            var detections: [Detection] = []
            let time = batch.columnIndex[Field.timestamp].map { batch.columns[$0] }
            for m in found where reported[m.rule] {
                let meta = program.rules[m.rule].metadata
                let t = time.map { $0.isValid(m.row) ? Timestamp(microseconds: $0.integers[m.row]) : Timestamp(microseconds: 0) } ?? Timestamp(microseconds: 0)
                detections.append(Detection(engine: "sigma", ruleID: meta.id ?? meta.title, title: meta.title,
                                            level: (meta.level ?? .informational).description, tags: meta.tags,
                                            time: t, eventIDs: [ids[m.row]]))
            }
            matches += detections.count
            findings += detections
            correlator.add(found.filter { correlated[$0.rule] }, in: batch, reference: { ids[$0] })
            newDetections += try await store.storeDetections(detections, run: run)
            progress?(scanned, total)
        }
        var hits: [Detection] = []
        for h in correlator.finish() {
            let c = program.correlations[h.correlation]
            guard (c.metadata.level ?? .informational) >= minimumLevel else { continue }
            var group = "{"
            for (i, f) in c.groupBy.enumerated() {
                if i > 0 { group += "," }
                group += JSONValue.quote(f) + ":" + JSONValue.quote(i < h.group.count ? h.group[i] : "")
            }
            group += "}"
            let details = "{\"type\":\(JSONValue.quote(c.kind.rawValue)),\"group\":\(group),\"value\":\(h.value),\"first\":\(JSONValue.quote(h.first.description))}"
            hits.append(Detection(engine: "sigma-correlation", ruleID: c.metadata.id ?? c.metadata.title, title: c.metadata.title,
                                  level: (c.metadata.level ?? .informational).description, tags: c.metadata.tags,
                                  time: h.last, eventIDs: h.events.map(\.reference), details: details))
        }
        newDetections += try await store.storeDetections(hits, run: run)
        let report = HuntReport(run: run.rawValue, events: scanned, rules: program.rules.count, unsupportedRules: program.unsupported.count + program.invalid.count,
                                correlations: program.correlations.count, matches: matches, correlationHits: hits.count,
                                newDetections: newDetections, seconds: Date().timeIntervalSince(started))
        let summary = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await store.finishRun(run, summary: summary)
        // This run's findings, whether new or already stored by an earlier hunt.
        findings += hits
        findings.sort { ($0.time, $0.eventIDs.first ?? 0, $0.title) < ($1.time, $1.eventIDs.first ?? 0, $1.title) }
        return (report, findings)
    }

    /// Detections stored in the case, by time.
    public func detections(minimumLevel: SigmaLevel = .informational, limit: Int? = nil) async throws -> [Detection] {
        try await store.detections(run: nil, minimumLevel: minimumLevel.description, limit: limit)
    }

    /// Events by store id, for showing detections.
    public func events(ids: [Int64]) async throws -> [Int64: Event] {
        let (batch, got) = try await store.loadEvents(ids: ids)
        var out: [Int64: Event] = [:]
        for (row, id) in got.enumerated() { out[id] = batch.row(row) }
        return out
    }
}
