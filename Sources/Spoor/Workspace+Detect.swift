import Foundation
import SpoorCore
import SpoorDetectors
import SpoorEvents
import SpoorStore

/// What a detection run did.
public struct DetectReport: Sendable, Codable {
    public var run: Int64
    public var events: Int
    public var detectors: [String]
    public var findings: [String: Int]
    public var newDetections: Int
    public var seconds: Double
}

extension Workspace {
    /// Runs the detectors over every event of the case, page by page, and stores their findings
    /// as detections (engine `detector`, the detector's name as the rule, the score's level, the
    /// evidence events, and score, sub-scores and entity in the details).
    ///
    /// - Returns: the report and the findings, highest score first.
    public func detect(_ names: [String] = DetectorCatalog.names, arguments: [String] = [], pageSize: Int = 50_000,
                       progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> (DetectReport, [DetectorFinding]) {
        let started = Date()
        for n in names where !DetectorCatalog.names.contains(n) {
            throw DetectorCatalog.UnknownDetector(name: n)
        }
        let run = try await store.beginRun(command: "detect", arguments: arguments)
        let total = try await store.eventCount()
        let sessions = names.contains { DetectorCatalog.needsSessions($0) } ? try await sessionTimeline() : nil
        var detectors = try DetectorCatalog.make(names, sessions: sessions)
        var after: Int64 = 0
        var scanned = 0
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            after = last
            for i in detectors.indices { detectors[i].observe(batch, ids: ids) }
            scanned += batch.count
            progress?(scanned, total)
        }
        var all: [DetectorFinding] = []
        var counts: [String: Int] = [:]
        for i in detectors.indices {
            let found = detectors[i].finish()
            counts[detectors[i].name] = found.count
            all += found
        }
        all.sort { ($0.score, $1.detector, $1.entity.description) > ($1.score, $0.detector, $0.entity.description) }
        let detections = all.map(Self.detection)
        let new = try await store.storeDetections(detections, run: run)
        let report = DetectReport(run: run.rawValue, events: scanned, detectors: names, findings: counts, newDetections: new,
                                  seconds: Date().timeIntervalSince(started))
        try await store.finishRun(run, summary: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return (report, all)
    }

    /// A finding as the case stores it: a detection whose level follows the score (≥ 0.9 high,
    /// ≥ 0.7 medium, ≥ 0.5 low, else informational).
    static func detection(_ f: DetectorFinding) -> Detection {
        let level = f.score >= 0.9 ? "high" : f.score >= 0.7 ? "medium" : f.score >= 0.5 ? "low" : "informational"
        var details = "{\"score\":\(number(f.score)),\"subscores\":{"
        for (i, s) in f.subscores.enumerated() {
            if i > 0 { details += "," }
            details += JSONValue.quote(s.name) + ":" + number(s.value)
        }
        details += "},\"entity\":{\"kind\":\(JSONValue.quote(f.entity.kind)),\"organization\":\(JSONValue.quote(f.entity.organization)),\"parts\":["
        details += f.entity.parts.map(JSONValue.quote).joined(separator: ",")
        details += "]},\"first_seen\":\(JSONValue.quote(f.firstSeen.description)),\"last_seen\":\(JSONValue.quote(f.lastSeen.description))}"
        return Detection(engine: "detector", ruleID: f.detector, title: f.summary, level: level,
                         tags: DetectorCatalog.tags(f.detector), time: f.lastSeen, eventIDs: f.evidence, details: details)
    }
}

/// What labelling and evaluation read back from a stored detector finding's details (the JSON
/// ``Workspace/detection(_:)`` writes), parsed once per detection.
struct DetectorDetails {
    var score: Double?
    var entityParts: [String] = []
    /// A beacon's `prevalence` sub-score: the share of the organisation's other internal hosts
    /// that reach the same destination (``BeaconConfiguration/prevalenceWeight``).
    var prevalence: Double?

    init() {}

    /// Unparseable or foreign details give no score and no parts.
    init(json: String) {
        guard let v = try? JSONParser(maximumDepth: 8).parse(Array(json.utf8).span) else { return }
        if case .number(let text)? = v["score"] { score = Double(text) }
        if case .array(let items)? = v["entity"]?["parts"] { entityParts = items.compactMap(\.stringValue) }
        if case .number(let text)? = v["subscores"]?["prevalence"] { prevalence = Double(text) }
    }
}
