import Foundation
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIntel
import SpoorStore

/// What one indicator extraction did.
public struct IndicatorReport: Sendable, Codable {
    public var run: Int64
    /// Events read in this run (only those stored since the last extraction).
    public var events: Int
    public var sightings: Int
    /// Hourly buckets written (a bucket sums the sightings of one indicator, client, host,
    /// source, place, role, field, decoding and hour).
    public var buckets: Int
    /// Distinct indicators found in this run.
    public var indicators: Int
    public var seconds: Double
}

extension Workspace {
    /// Finds the indicators of every event stored since the last extraction and adds their
    /// sightings to the case, page by page (each page's sightings and the stage mark in one
    /// transaction, so an interrupted run resumes without double counting).
    public func extractIndicators(extractor: SightingExtractor = SightingExtractor(), arguments: [String] = [],
                                  pageSize: Int = 50_000,
                                  progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> IndicatorReport {
        let started = Date()
        let run = try await store.beginRun(command: "iocs", arguments: arguments)
        var after = try await store.stageMark("indicators")
        let total = try await store.eventCount()
        var events = 0, sightings = 0, buckets = 0
        var distinct = Set<Indicator>()
        var found: [Sighting] = []
        var accumulator = SightingAccumulator()
        while true {
            let (batch, ids) = try await store.loadEventPage(afterID: after, limit: pageSize)
            guard batch.count > 0, let last = ids.last else { break }
            found.removeAll(keepingCapacity: true)
            extractor.sightings(in: batch, into: &found)
            for s in found {
                accumulator.add(s, eventID: ids[s.row])
                distinct.insert(s.indicator)
            }
            sightings += found.count
            let page = accumulator.drain()
            buckets += page.count
            try await store.storeSightings(page, throughEvent: last)
            after = last
            events += batch.count
            progress?(events, total)
        }
        let report = IndicatorReport(run: run.rawValue, events: events, sightings: sightings, buckets: buckets,
                                     indicators: distinct.count, seconds: Date().timeIntervalSince(started))
        try await refreshWarninglistMatches(run: run)
        let summary = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await store.finishRun(run, summary: summary)
        return report
    }

    /// Indicators of the case, most sighted first.
    public func indicators(kinds: [IndicatorKind] = [], value: String? = nil, limit: Int? = nil) async throws -> [IndicatorRecord] {
        try await store.indicators(kinds: kinds, value: value, limit: limit)
    }

    /// The hourly sightings of one indicator, by time.
    public func sightings(of indicator: Indicator) async throws -> [SightingBucket] {
        try await store.sightingBuckets(of: indicator)
    }
}

/// One indicator's sightings as printed by `spoor sightings`: hourly or daily rows, totals and
/// the intel naming it.
public struct SightingReport: Sendable {
    public struct Row: Sendable {
        /// `2024-03-04T02` (hour) or `2024-03-04` (day), UTC.
        public var period: String
        public var organization: String
        public var host: String
        public var source: String
        public var place: String
        public var role: String
        public var field: String
        public var decoding: String
        public var count: Int
        public var firstSeen: Timestamp
        public var lastSeen: Timestamp
        public var firstEvent: Int64
        /// The origin AS from the prefix table valid at `firstSeen` (IP indicators, when the case has tables).
        public var asn: UInt32?
        public var asnTable: String?
    }

    public var indicator: Indicator
    public var buckets: [Row]
    public var intel: [IntelMatch]

    public var total: Int { buckets.reduce(0) { $0 + $1.count } }
    public var firstSeen: Timestamp { buckets.map(\.firstSeen).min() ?? Timestamp(microseconds: 0) }
    public var lastSeen: Timestamp { buckets.map(\.lastSeen).max() ?? Timestamp(microseconds: 0) }
    public var hosts: [String] { Array(Set(buckets.map(\.host).filter { !$0.isEmpty })).sorted() }

    public var bucketJSON: [JSONValue] {
        buckets.map { b in
            var fields: [(String, JSONValue)] = [
                ("period", .string(b.period)), ("organization", .string(b.organization)), ("host", .string(b.host)),
                ("source", .string(b.source)), ("place", .string(b.place)), ("role", .string(b.role)), ("field", .string(b.field)),
                ("decoding", .string(b.decoding)), ("count", .number(String(b.count))), ("first_seen", .string(b.firstSeen.description)),
                ("last_seen", .string(b.lastSeen.description)), ("first_event", .number(String(b.firstEvent))),
            ]
            if let asn = b.asn { fields.append(("asn", .number(String(asn)))) }
            if let t = b.asnTable { fields.append(("asn_table", .string(t))) }
            return .object(fields)
        }
    }

    public var json: JSONValue {
        .object([
            ("kind", .string(indicator.kind.rawValue)), ("value", .string(indicator.value)),
            ("sightings", .number(String(total))), ("first_seen", .string(firstSeen.description)),
            ("last_seen", .string(lastSeen.description)), ("hosts", .array(hosts.map(JSONValue.string))),
            ("buckets", .array(bucketJSON)),
            ("intel", .array(intel.map { m in
                .object([("polarity", .string(m.fact.polarity.rawValue)), ("source", .string(m.fact.source)),
                         ("labels", .array(m.fact.labels.map(JSONValue.string))), ("known_at", .string(m.knownAt.description)),
                         ("seen_before_known", .bool(m.seenBeforeKnown)), ("lead_seconds", .number(String(m.leadMicroseconds / 1_000_000))),
                         ("hosts_before", .array(m.hostsBefore.map(JSONValue.string)))])
            })),
        ])
    }
}

extension Workspace {
    /// One indicator's sightings by hour (or day), with the AS of the time for addresses and the
    /// intel that names it.
    public func sightingReport(of indicator: Indicator, daily: Bool = false) async throws -> SightingReport {
        let raw = try await store.sightingBuckets(of: indicator)
        var rows: [SightingReport.Row] = []
        var index: [String: Int] = [:]
        for b in raw {
            let hourStart = Timestamp(microseconds: b.key.hour * SightingBucket.microsecondsPerHour)
            let iso = hourStart.description
            let period = daily ? String(iso.prefix(10)) : String(iso.prefix(13))
            let k = [period, b.key.organization, b.key.host, b.key.source, b.key.place.rawValue, b.key.role.rawValue,
                     b.key.field, b.key.decoding].joined(separator: "\u{1F}")
            if let i = index[k] {
                rows[i].count += b.count
                if b.firstSeen < rows[i].firstSeen { rows[i].firstSeen = b.firstSeen; rows[i].firstEvent = b.firstEvent }
                if b.lastSeen > rows[i].lastSeen { rows[i].lastSeen = b.lastSeen }
            } else {
                index[k] = rows.count
                rows.append(SightingReport.Row(period: period, organization: b.key.organization, host: b.key.host, source: b.key.source,
                                               place: b.key.place.rawValue, role: b.key.role.rawValue, field: b.key.field,
                                               decoding: b.key.decoding, count: b.count, firstSeen: b.firstSeen, lastSeen: b.lastSeen,
                                               firstEvent: b.firstEvent, asn: nil, asnTable: nil))
            }
        }
        // The origin AS as of each row's time, for addresses.
        if indicator.kind.isAddress, let ip = IPAddress(indicator.value), let history = asnHistory() {
            for i in rows.indices {
                if let answer = history.answer(ip, at: rows[i].firstSeen) {
                    rows[i].asn = answer.match.asn
                    rows[i].asnTable = answer.tableName + (answer.isBeforeFirstTable ? " (sighting before the table)" : "")
                }
            }
        }
        try await refreshIntelBlockMatches()
        let intel = try await store.intelMatches(indicator: indicator)
        return SightingReport(indicator: indicator, buckets: rows, intel: intel)
    }
}

extension Workspace {
    /// How many indicators of each kind the case has, most first.
    public func indicatorCounts() async throws -> [(kind: IndicatorKind, count: Int)] {
        try await store.indicatorCounts()
    }
}
