import Foundation
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIntel
import SpoorStore

/// What matching the case's STIX patterns did.
public struct PatternMatchReport: Sendable, Codable {
    public var patterns: Int
    /// Patterns that could not be parsed again (none unless the store was edited by hand).
    public var unreadable: Int
    public var events: Int
    public var matches: Int
    public var newDetections: Int
}

extension Workspace {
    /// The most events one multi-observation match keeps as evidence.
    static let maximumPatternEvidence = 100
    /// The most candidate observations kept per pattern and host for multi-observation patterns.
    static let maximumPatternCandidates = 20_000

    /// Matches the STIX patterns imported as intel (indicators that are more than equalities)
    /// against every event of the case, with spoor's own pattern matcher, and stores the
    /// matches as detections (engine `stix-pattern`, the pattern's id as rule id).
    ///
    /// Each event becomes one STIX observation: the indicators found in it (addresses with their
    /// role, domains, URLs, e-mail addresses, a `file` with its hashes and name, registry keys,
    /// user accounts) and a `network-traffic` object joining source and destination. A pattern
    /// of one `[…]` is tested on each observation. A pattern of several (`AND`, `OR`,
    /// `FOLLOWEDBY`, qualifiers) is tested per host on the observations that match at least one
    /// of its `[…]` parts — the only ones that can take part in a match — so a `FOLLOWEDBY`
    /// across two events of a host is found; observations of different hosts are not combined.
    public func matchIntelPatterns(pageSize: Int = 50_000) async throws -> PatternMatchReport {
        let stored = try await store.intelPatterns()
        var patterns: [(StoredIntelPattern, STIXPattern, [STIXPattern])] = []
        var unreadable = 0
        for s in stored {
            guard let p = try? STIXPattern.parse(s.pattern) else { unreadable += 1; continue }
            patterns.append((s, p, p.isSingleObservation ? [] : p.observationLeaves))
        }
        guard !patterns.isEmpty else { return PatternMatchReport(patterns: 0, unreadable: unreadable, events: 0, matches: 0, newDetections: 0) }
        let run = try await store.beginRun(command: "intel patterns", arguments: [])
        let extractor = SightingExtractor()
        var after: Int64 = 0
        var events = 0, matches = 0, newDetections = 0
        // Multi-observation patterns: candidates per pattern and host.
        var candidates: [Int: [String: [(STIXObservation, Int64)]]] = [:]
        var found: [Sighting] = []
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            after = last
            events += batch.count
            found.removeAll(keepingCapacity: true)
            extractor.sightings(in: batch, into: &found)
            var byRow: [Int: [(indicator: Indicator, role: SightingRole)]] = [:]
            var hostOf: [Int: String] = [:]
            for s in found {
                byRow[s.row, default: []].append((s.indicator, s.role))
                if hostOf[s.row] == nil { hostOf[s.row] = s.host }
            }
            let fileName = batch.columnIndex[Field.fileName].map { batch.columns[$0] }
            let time = batch.columnIndex[Field.timestamp].map { batch.columns[$0] }
            var detections: [Detection] = []
            for (row, indicators) in byRow.sorted(by: { $0.key < $1.key }) {
                let t = time.flatMap { $0.isValid(row) ? Timestamp(microseconds: $0.integers[row]) : nil } ?? Timestamp(microseconds: 0)
                let name = fileName.flatMap { c -> String? in c.kind == .string && c.isValid(row) ? batch.symbols.string(c.symbols[row]) : nil }
                let observation = STIXObservation(time: t, indicators: indicators, fileName: name)
                for (k, (s, p, leaves)) in patterns.enumerated() {
                    if let from = s.validFrom, let until = s.validUntil, !(from <= t && t < until) { continue }
                    if leaves.isEmpty {
                        if p.matches([observation]) {
                            detections.append(Self.patternDetection(s, time: t, events: [ids[row]]))
                        }
                    } else if leaves.contains(where: { $0.matches([observation]) }) {
                        var list = candidates[k, default: [:]][hostOf[row] ?? "", default: []]
                        if list.count < Self.maximumPatternCandidates { list.append((observation, ids[row])) }
                        candidates[k, default: [:]][hostOf[row] ?? ""] = list
                    }
                }
            }
            matches += detections.count
            newDetections += try await store.storeDetections(detections, run: run)
        }
        var hits: [Detection] = []
        for (k, hosts) in candidates {
            let (s, p, _) = patterns[k]
            for (_, list) in hosts.sorted(by: { $0.key < $1.key }) where p.matches(list.map(\.0)) {
                let evidence = list.sorted { $0.0.time < $1.0.time }.prefix(Self.maximumPatternEvidence)
                hits.append(Self.patternDetection(s, time: evidence.last?.0.time ?? Timestamp(microseconds: 0), events: evidence.map(\.1)))
            }
        }
        matches += hits.count
        newDetections += try await store.storeDetections(hits, run: run)
        let report = PatternMatchReport(patterns: patterns.count, unreadable: unreadable, events: events, matches: matches, newDetections: newDetections)
        try await store.finishRun(run, summary: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return report
    }

    static func patternDetection(_ s: StoredIntelPattern, time: Timestamp, events: [Int64]) -> Detection {
        let title = s.labels.isEmpty ? "STIX pattern \(s.pattern)" : "STIX indicator: " + s.labels.joined(separator: ", ")
        return Detection(engine: "stix-pattern", ruleID: s.reference ?? s.pattern, title: title, level: "high", tags: s.labels,
                         time: time, eventIDs: events, details: "{\"pattern\":\(JSONValue.quote(s.pattern))}")
    }
}
