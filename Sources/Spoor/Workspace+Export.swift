import Foundation
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIntel
import SpoorDetectors
import SpoorLabels
import SpoorStore

/// The file formats events can be exported to.
public enum ExportFormat: String, Sendable, CaseIterable {
    case parquet, csv, jsonl

    /// The format named by a file's extension (`.parquet`, `.csv`, `.jsonl`/`.ndjson`/`.json`).
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "parquet": self = .parquet
        case "csv": self = .csv
        case "jsonl", "ndjson", "json": self = .jsonl
        default: return nil
        }
    }
}

extension Workspace {
    /// Writes events (all, or those matching `filter`) to `handle` in `format`.
    ///
    /// - Returns: The number of events written.
    @discardableResult
    public func export(to handle: FileHandle, format: ExportFormat, where filter: [FieldEquality] = [], limit: Int? = nil) async throws -> Int {
        let batch = try await events(where: filter, limit: limit)
        try Self.write(batch, to: handle, format: format)
        return batch.count
    }

    /// Writes an event batch in one of the export formats.
    public static func write(_ batch: EventBatch, to handle: FileHandle, format: ExportFormat) throws {
        switch format {
        case .parquet: try ParquetWriter().write(batch, to: handle)
        case .csv: try CSVWriter().write(batch, to: handle)
        case .jsonl: try JSONLinesWriter().write(batch, to: handle)
        }
    }
}

/// The formats a case's indicators can be exported to.
public enum IndicatorExportFormat: String, Sendable, CaseIterable {
    /// Rows (one per indicator) in the event export formats.
    case parquet, csv, jsonl
    /// A STIX 2.1 bundle: observables, indicators with patterns, sighting objects with first/last seen and count.
    case stix
    /// A MISP event (attributes with first/last seen, sighting counts in comments).
    case misp

    /// `.stix.json` → stix, `.misp.json` → misp, else the event export formats by extension.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".stix.json") || lower.hasSuffix(".stix") { self = .stix; return }
        if lower.hasSuffix(".misp.json") || lower.hasSuffix(".misp") { self = .misp; return }
        guard let f = ExportFormat(path: path) else { return nil }
        switch f {
        case .parquet: self = .parquet
        case .csv: self = .csv
        case .jsonl: self = .jsonl
        }
    }
}

extension Workspace {
    /// Writes the case's indicators (after extracting those of new events) with their sighting
    /// summary and intel to `handle`.
    ///
    /// - Returns: The number of indicators written.
    @discardableResult
    public func exportIndicators(to handle: FileHandle, format: IndicatorExportFormat, kinds: [IndicatorKind] = [],
                                 created: Timestamp = Timestamp(microseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))) async throws -> Int {
        _ = try await extractIndicators(arguments: ["(before export)"])
        let records = try await indicators(kinds: kinds)
        switch format {
        case .stix, .misp:
            var facts: [Indicator: [IntelFact]] = [:]
            for m in try await store.intelMatches() { facts[m.indicator, default: []].append(m.fact) }
            let items = records.map { r in
                ExportedIndicator(indicator: r.indicator, firstSeen: r.firstSeen, lastSeen: r.lastSeen, count: r.sightings,
                                  hosts: r.hosts, labels: [], intel: facts[r.indicator] ?? [])
            }
            let name = (caseDirectory as NSString).lastPathComponent
            let bytes = format == .stix
                ? STIXExporter.bundle(items, identity: "spoor case \(name)", created: created)
                : MISPExporter.event(items, info: "spoor case \(name): indicators and sightings", date: created)
            try handle.write(contentsOf: Data(bytes))
        case .parquet, .csv, .jsonl:
            var b = EventBatchBuilder()
            let kind = b.column("kind", .string), value = b.column("value", .string)
            let first = b.column("first_seen", .timestamp), last = b.column("last_seen", .timestamp)
            let count = b.column("sightings", .int), hosts = b.column("hosts", .stringList)
            let sources = b.column("sources", .stringList), places = b.column("places", .stringList)
            let roles = b.column("roles", .stringList), intel = b.column("intel", .stringList)
            for r in records {
                b.beginRow()
                b.set(kind, string: r.indicator.kind.rawValue)
                b.set(value, string: r.indicator.value)
                b.set(first, timestamp: r.firstSeen)
                b.set(last, timestamp: r.lastSeen)
                b.set(count, int: Int64(r.sightings))
                b.set(hosts, .list(r.hosts))
                b.set(sources, .list(r.sources))
                b.set(places, .list(r.places.map(\.rawValue)))
                b.set(roles, .list(r.roles.map(\.rawValue)))
                b.set(intel, .list(r.intel))
                b.endRow()
            }
            let batch = b.finish()
            try Self.write(batch, to: handle, format: format == .parquet ? .parquet : format == .csv ? .csv : .jsonl)
        }
        return records.count
    }
}

extension Workspace {
    /// Writes the newest labelling run's labels: one row per unit with its kind, organisation,
    /// entity and window, the label model's probability, majority vote, the end model's score,
    /// the votes (JSON, function → 1 malicious / 0 benign), the provenance (labelling run, label
    /// model version, time labelled, the functions' estimates as JSON) and every feature as a
    /// `feature.<name>` column.
    @discardableResult
    public func exportLabels(to handle: FileHandle, format: ExportFormat) async throws -> Int {
        guard let (run, labels) = try await labels() else { throw WorkspaceError.notLabelled }
        let functions = try await store.labelFunctions(run: run.run)
        var estimates = "{"
        for (i, f) in functions.enumerated() {
            if i > 0 { estimates += "," }
            estimates += JSONValue.quote(f.function.name) + ":" + f.estimate
        }
        estimates += "}"
        var b = EventBatchBuilder()
        let kind = b.column("unit_kind", .string), org = b.column("organization", .string), entity = b.column("entity", .string)
        let start = b.column("window_start", .timestamp), probability = b.column("probability", .double)
        let majority = b.column("majority_vote", .double), end = b.column("end_score", .double), votes = b.column("votes", .string)
        let voters = b.column("functions", .stringList), events = b.column("events", .int), first = b.column("first_event", .int)
        let runColumn = b.column("label_run", .int), model = b.column("label_model", .string), created = b.column("labelled_at", .timestamp)
        let estimate = b.column("function_estimates", .string)
        let features = run.featureNames.map { b.column("feature." + $0, .double) }
        for l in labels {
            b.beginRow()
            b.set(kind, string: l.unit.kind.rawValue)
            b.set(org, string: l.unit.organization)
            b.set(entity, string: l.unit.entity)
            b.set(start, timestamp: l.unit.start)
            b.set(probability, double: l.probability)
            b.set(majority, double: l.majority)
            if let s = l.endScore { b.set(end, double: s) }
            var v = "{"
            for (i, x) in l.votes.enumerated() {
                if i > 0 { v += "," }
                v += JSONValue.quote(x.function) + ":" + String(x.vote.rawValue)
            }
            b.set(votes, string: v + "}")
            b.set(voters, .list(l.votes.map(\.function)))
            b.set(events, int: Int64(l.events))
            b.set(first, int: l.firstEvent)
            b.set(runColumn, int: run.run.rawValue)
            b.set(model, string: run.model)
            b.set(created, timestamp: run.created)
            b.set(estimate, string: estimates)
            for (c, h) in features.enumerated() where c < l.features.count { b.set(h, double: l.features[c]) }
            b.endRow()
        }
        try Self.write(b.finish(), to: handle, format: format)
        return labels.count
    }
}
