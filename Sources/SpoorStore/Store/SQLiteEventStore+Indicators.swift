import Foundation
import GRDB
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIntel

/// An intel file as the case keeps it.
public struct IntelSourceRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var path: String
    public var format: String
    public var importedAt: Timestamp
    public var facts: Int
    public var patterns: Int
    public var problems: Int
}

/// A STIX pattern kept for matching (patterns that are more than equalities).
public struct StoredIntelPattern: Sendable, Hashable {
    public var reference: String?
    public var pattern: String
    public var validFrom: Timestamp?
    public var validUntil: Timestamp?
    public var labels: [String]

    public init(reference: String?, pattern: String, validFrom: Timestamp?, validUntil: Timestamp?, labels: [String]) {
        self.reference = reference
        self.pattern = pattern
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.labels = labels
    }
}

/// An indicator of the case that intel names: when spoor learned it, and how long before that
/// the case had already seen it.
public struct IntelMatch: Sendable, Hashable, Codable {
    public var indicator: Indicator
    public var fact: IntelFact
    /// When the intel became known: the fact's `valid_from`, else the time it was imported.
    public var knownAt: Timestamp
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// Sightings (and their hosts) before `knownAt`: "seen before it was known".
    public var sightingsBefore: Int
    public var hostsBefore: [String]
    /// `knownAt − firstSeen` in microseconds when the case saw it first; 0 otherwise.
    public var leadMicroseconds: Int64
    public var seenBeforeKnown: Bool { sightingsBefore > 0 }
}

extension SQLiteEventStore {
    /// The last event id a stage has read (0 when it has not run).
    public func stageMark(_ stage: String) async throws(StoreError) -> Int64 {
        try await read("cannot read the progress of \(stage)") { db in
            try Int64.fetchOne(db, sql: "SELECT last_event FROM stage_marks WHERE stage = ?", arguments: [stage]) ?? 0
        }
    }

    /// Adds sighting buckets to the case (summing into existing ones) and moves the
    /// `indicators` stage mark to `throughEvent`, in one transaction: a killed extraction leaves
    /// no half-counted page.
    public func storeSightings(_ buckets: [SightingBucket], throughEvent: Int64) async throws(StoreError) {
        try await write("cannot store sightings") { db in
            let upsertIndicator = try db.makeStatement(sql: """
                INSERT INTO indicators (kind, value, first_seen, last_seen, sightings) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (kind, value) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
                    last_seen = max(last_seen, excluded.last_seen), sightings = sightings + excluded.sightings
                RETURNING id
                """)
            let upsertSighting = try db.makeStatement(sql: """
                INSERT INTO sightings (indicator_id, organization_id, host, source, place, role, field, decoding, hour,
                                       count, first_seen, last_seen, first_event)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET count = count + excluded.count,
                    first_event = CASE WHEN excluded.first_seen < first_seen THEN excluded.first_event ELSE first_event END,
                    first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
                """)
            // One indicator row update per indicator, not per bucket.
            var perIndicator: [Indicator: (first: Int64, last: Int64, count: Int)] = [:]
            for b in buckets {
                let k = b.key.indicator
                if let x = perIndicator[k] {
                    perIndicator[k] = (min(x.first, b.firstSeen.microseconds), max(x.last, b.lastSeen.microseconds), x.count + b.count)
                } else {
                    perIndicator[k] = (b.firstSeen.microseconds, b.lastSeen.microseconds, b.count)
                }
            }
            var ids: [Indicator: Int64] = [:]
            ids.reserveCapacity(perIndicator.count)
            for (indicator, x) in perIndicator {
                let id = try Int64.fetchOne(upsertIndicator, arguments: [indicator.kind.rawValue, indicator.value, x.first, x.last, x.count]) ?? 0
                ids[indicator] = id
            }
            for b in buckets {
                let k = b.key
                try upsertSighting.execute(arguments: [ids[k.indicator] ?? 0, k.organization, k.host, k.source, k.place.rawValue,
                                                       k.role.rawValue, k.field, k.decoding, k.hour, b.count,
                                                       b.firstSeen.microseconds, b.lastSeen.microseconds, b.firstEvent])
            }
            try db.execute(sql: """
                INSERT INTO stage_marks (stage, last_event) VALUES ('indicators', ?)
                ON CONFLICT (stage) DO UPDATE SET last_event = excluded.last_event
                """, arguments: [throughEvent])
        }
    }

    /// Indicators of the case, most sighted first, with their hosts, sources, places, roles and
    /// the intel sources naming them.
    public func indicators(kinds: [IndicatorKind] = [], value: String? = nil, limit: Int? = nil) async throws(StoreError) -> [IndicatorRecord] {
        try await read("cannot read indicators") { db in
            var sql = """
                SELECT i.id, i.kind, i.value, i.first_seen, i.last_seen, i.sightings,
                    (SELECT json_group_array(DISTINCT host) FROM sightings s WHERE s.indicator_id = i.id AND host <> ''),
                    (SELECT json_group_array(DISTINCT source) FROM sightings s WHERE s.indicator_id = i.id),
                    (SELECT json_group_array(DISTINCT place) FROM sightings s WHERE s.indicator_id = i.id),
                    (SELECT json_group_array(DISTINCT role) FROM sightings s WHERE s.indicator_id = i.id),
                    (SELECT json_group_array(DISTINCT f.polarity || ':' || f.source) FROM intel_facts f
                     WHERE (f.kind = i.kind AND f.value = i.value)
                        OR f.id IN (SELECT b.fact_id FROM intel_block_matches b WHERE b.indicator_id = i.id))
                FROM indicators i WHERE 1
                """
            var arguments: StatementArguments = []
            if !kinds.isEmpty {
                sql += " AND i.kind IN (" + kinds.map { _ in "?" }.joined(separator: ",") + ")"
                for k in kinds { arguments += [k.rawValue] }
            }
            if let value { sql += " AND i.value = ?"; arguments += [value] }
            sql += " ORDER BY i.sightings DESC, i.kind, i.value LIMIT ?"
            arguments += [limit ?? -1]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> IndicatorRecord? in
                guard let kind = IndicatorKind(rawValue: row[1]) else { return nil }
                return IndicatorRecord(indicator: Indicator(kind: kind, value: row[2]),
                                       firstSeen: Timestamp(microseconds: row[3]), lastSeen: Timestamp(microseconds: row[4]),
                                       sightings: row[5], hosts: Self.strings(row[6]), sources: Self.strings(row[7]),
                                       places: Self.strings(row[8]).compactMap(SightingPlace.init(rawValue:)),
                                       roles: Self.strings(row[9]).compactMap(SightingRole.init(rawValue:)),
                                       intel: Self.strings(row[10]))
            }
        }
    }

    /// The hourly sighting buckets of one indicator, by time.
    public func sightingBuckets(of indicator: Indicator) async throws(StoreError) -> [SightingBucket] {
        try await read("cannot read sightings") { db in
            try Row.fetchAll(db, sql: """
                SELECT s.organization_id, s.host, s.source, s.place, s.role, s.field, s.decoding, s.hour, s.count,
                       s.first_seen, s.last_seen, s.first_event
                FROM sightings s JOIN indicators i ON i.id = s.indicator_id
                WHERE i.kind = ? AND i.value = ? ORDER BY s.hour, s.first_seen
                """, arguments: [indicator.kind.rawValue, indicator.value]).map { row in
                let key = SightingBucket.Key(indicator: indicator, organization: row[0], host: row[1], source: row[2],
                                             place: SightingPlace(rawValue: row[3]) ?? .log, role: SightingRole(rawValue: row[4]) ?? .unknown,
                                             field: row[5], decoding: row[6], hour: row[7])
                return SightingBucket(key: key, count: row[8], firstSeen: Timestamp(microseconds: row[9]),
                                      lastSeen: Timestamp(microseconds: row[10]), firstEvent: row[11])
            }
        }
    }

    /// Stores an intel file's facts and patterns. The same bytes imported twice are one source:
    /// the second import stores nothing and returns the first's record with `isNew` false.
    public func storeIntel(name: String, path: String, format: String, digest: String, facts: [IntelFact],
                           patterns: [StoredIntelPattern], problems: Int, run: RunID) async throws(StoreError) -> (source: IntelSourceRecord, isNew: Bool) {
        let now = Self.nowMicroseconds
        return try await write("cannot store intel from \(path)") { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, name, path, format, imported_at, facts, patterns, problems FROM intel_sources WHERE digest = ?", arguments: [digest]) {
                return (Self.intelSource(row), false)
            }
            try db.execute(sql: """
                INSERT INTO intel_sources (name, path, format, digest, imported_at, run_id, facts, patterns, problems)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [name, path, format, digest, now, run.rawValue, facts.count, patterns.count, problems])
            let sourceID = db.lastInsertedRowID
            let insertFact = try db.makeStatement(sql: """
                INSERT INTO intel_facts (source_id, kind, value, polarity, source, valid_from, valid_until, labels, confidence,
                                         reference, note, known_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for f in facts {
                try insertFact.execute(arguments: [sourceID, f.indicator.kind.rawValue, f.indicator.value, f.polarity.rawValue, f.source,
                                                   f.validFrom?.microseconds, f.validUntil?.microseconds, Self.jsonArray(f.labels),
                                                   f.confidence, f.reference, f.note, f.validFrom?.microseconds ?? now])
            }
            let insertPattern = try db.makeStatement(sql: """
                INSERT INTO intel_patterns (source_id, reference, pattern, valid_from, valid_until, labels) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for p in patterns {
                try insertPattern.execute(arguments: [sourceID, p.reference, p.pattern, p.validFrom?.microseconds,
                                                      p.validUntil?.microseconds, Self.jsonArray(p.labels)])
            }
            let source = IntelSourceRecord(id: sourceID, name: name, path: path, format: format, importedAt: Timestamp(microseconds: now),
                                           facts: facts.count, patterns: patterns.count, problems: problems)
            return (source, true)
        }
    }

    /// Intel sources of the case, in import order.
    public func intelSources() async throws(StoreError) -> [IntelSourceRecord] {
        try await read("cannot read intel sources") { db in
            try Row.fetchAll(db, sql: "SELECT id, name, path, format, imported_at, facts, patterns, problems FROM intel_sources ORDER BY id")
                .map(Self.intelSource)
        }
    }

    /// Stored STIX patterns, for matching.
    public func intelPatterns() async throws(StoreError) -> [StoredIntelPattern] {
        try await read("cannot read intel patterns") { db in
            try Row.fetchAll(db, sql: "SELECT reference, pattern, valid_from, valid_until, labels FROM intel_patterns ORDER BY id").map { row in
                StoredIntelPattern(reference: row[0], pattern: row[1], validFrom: (row[2] as Int64?).map(Timestamp.init(microseconds:)),
                                   validUntil: (row[3] as Int64?).map(Timestamp.init(microseconds:)), labels: Self.strings(row[4]))
            }
        }
    }

    /// Every (indicator of the case, intel fact naming it) pair, optionally only for facts of
    /// the given sources, with the sightings that came before the fact was known — the
    /// retro-hunt ("seen before it was known": how long before, on which hosts).
    public func intelMatches(sources: [Int64]? = nil, polarity: IntelPolarity? = nil, indicator: Indicator? = nil) async throws(StoreError) -> [IntelMatch] {
        try await read("cannot match intel") { db in
            var sql = """
                SELECT i.id, i.kind, i.value, i.first_seen, i.last_seen,
                       f.polarity, f.source, f.valid_from, f.valid_until, f.labels, f.confidence, f.reference, f.note, f.known_at,
                       (SELECT coalesce(sum(s.count), 0) FROM sightings s WHERE s.indicator_id = i.id AND s.first_seen < f.known_at),
                       (SELECT json_group_array(DISTINCT s.host) FROM sightings s WHERE s.indicator_id = i.id AND s.first_seen < f.known_at AND s.host <> ''),
                       (SELECT min(s.first_seen) FROM sightings s WHERE s.indicator_id = i.id),
                       f.kind, f.value
                FROM (SELECT f.id AS fact_id, i.id AS indicator_id FROM intel_facts f
                          JOIN indicators i ON i.kind = f.kind AND i.value = f.value
                      UNION SELECT fact_id, indicator_id FROM intel_block_matches) p
                JOIN intel_facts f ON f.id = p.fact_id JOIN indicators i ON i.id = p.indicator_id WHERE 1
                """
            var arguments: StatementArguments = []
            if let sources, !sources.isEmpty {
                sql += " AND f.source_id IN (" + sources.map { _ in "?" }.joined(separator: ",") + ")"
                for s in sources { arguments += [s] }
            }
            if let polarity { sql += " AND f.polarity = ?"; arguments += [polarity.rawValue] }
            if let indicator { sql += " AND i.kind = ? AND i.value = ?"; arguments += [indicator.kind.rawValue, indicator.value] }
            sql += " ORDER BY f.known_at - i.first_seen DESC, i.kind, i.value"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> IntelMatch? in
                guard let kind = IndicatorKind(rawValue: row[1]) else { return nil }
                let indicator = Indicator(kind: kind, value: row[2])
                let named = IndicatorKind(rawValue: row[17]).map { Indicator(kind: $0, value: row[18]) } ?? indicator
                let fact = IntelFact(indicator: named, polarity: IntelPolarity(rawValue: row[5]) ?? .malicious, source: row[6],
                                     validFrom: (row[7] as Int64?).map(Timestamp.init(microseconds:)),
                                     validUntil: (row[8] as Int64?).map(Timestamp.init(microseconds:)),
                                     labels: Self.strings(row[9]), confidence: row[10], reference: row[11], note: row[12])
                let knownAt: Int64 = row[13]
                let before: Int = row[14]
                let first: Int64 = row[3]
                return IntelMatch(indicator: indicator, fact: fact, knownAt: Timestamp(microseconds: knownAt),
                                  firstSeen: Timestamp(microseconds: first), lastSeen: Timestamp(microseconds: row[4]),
                                  sightingsBefore: before, hostsBefore: Self.strings(row[15]),
                                  leadMicroseconds: before > 0 ? knownAt - first : 0)
            }
        }
    }

    static func intelSource(_ row: Row) -> IntelSourceRecord {
        IntelSourceRecord(id: row[0], name: row[1], path: row[2], format: row[3], importedAt: Timestamp(microseconds: row[4]),
                          facts: row[5], patterns: row[6], problems: row[7])
    }

    /// A JSON array of strings as SQLite's `json_group_array` writes it; [] for anything else.
    static func strings(_ text: String?) -> [String] {
        guard let text, let data = text.data(using: .utf8),
              let values = try? JSONDecoder().decode([String?].self, from: data) else { return [] }
        return values.compactMap { $0 }
    }
}

extension SQLiteEventStore {
    /// How many indicators of each kind the case has, most first.
    public func indicatorCounts() async throws(StoreError) -> [(kind: IndicatorKind, count: Int)] {
        let rows: [(String, Int)] = try await read("cannot count indicators") { db in
            try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM indicators GROUP BY kind ORDER BY 2 DESC, 1").map { ($0[0], $0[1]) }
        }
        return rows.compactMap { r in IndicatorKind(rawValue: r.0).map { ($0, r.1) } }
    }
}

extension SQLiteEventStore {
    /// Intel facts that name CIDR blocks (an address kind with a `/`), with their ids.
    public func intelBlockFacts() async throws(StoreError) -> [(id: Int64, fact: IntelFact)] {
        let rows: [(Int64, String, String, String)] = try await read("cannot read intel blocks") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, kind, value, polarity FROM intel_facts
                WHERE kind IN ('ipv4-addr', 'ipv6-addr') AND instr(value, '/') > 0
                """).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
        return rows.compactMap { r in
            IndicatorKind(rawValue: r.1).map { (r.0, IntelFact(indicator: Indicator(kind: $0, value: r.2),
                                                               polarity: IntelPolarity(rawValue: r.3) ?? .malicious, source: "")) }
        }
    }

    /// Every address indicator of the case with its id.
    public func addressIndicators() async throws(StoreError) -> [(id: Int64, indicator: Indicator)] {
        let rows: [(Int64, String, String)] = try await read("cannot read addresses") { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, value FROM indicators WHERE kind IN ('ipv4-addr', 'ipv6-addr')")
                .map { ($0[0], $0[1], $0[2]) }
        }
        return rows.compactMap { r in IndicatorKind(rawValue: r.1).map { (r.0, Indicator(kind: $0, value: r.2)) } }
    }

    /// Replaces the (CIDR fact, address indicator) pairs.
    public func replaceIntelBlockMatches(_ pairs: [(fact: Int64, indicator: Int64)]) async throws(StoreError) {
        try await write("cannot store intel block matches") { db in
            try db.execute(sql: "DELETE FROM intel_block_matches")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO intel_block_matches (fact_id, indicator_id) VALUES (?, ?)")
            for p in pairs { try insert.execute(arguments: [p.fact, p.indicator]) }
        }
    }
}

extension SQLiteEventStore {
    /// Indicators with ids above `afterID`, in id order, with the largest id (for stage marks).
    public func indicators(afterID: Int64) async throws(StoreError) -> [(id: Int64, indicator: Indicator)] {
        let rows: [(Int64, String, String)] = try await read("cannot read indicators") { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, value FROM indicators WHERE id > ? ORDER BY id", arguments: [afterID])
                .map { ($0[0], $0[1], $0[2]) }
        }
        return rows.compactMap { r in IndicatorKind(rawValue: r.1).map { (r.0, Indicator(kind: $0, value: r.2)) } }
    }

    /// Sets a stage mark (`warninglists`: the last indicator id matched against the kept lists).
    public func setStageMark(_ stage: String, to value: Int64) async throws(StoreError) {
        try await write("cannot store the progress of \(stage)") { db in
            try db.execute(sql: """
                INSERT INTO stage_marks (stage, last_event) VALUES (?, ?)
                ON CONFLICT (stage) DO UPDATE SET last_event = excluded.last_event
                """, arguments: [stage, value])
        }
    }

    /// Adds facts under one named intel source that spoor derives itself (warninglist matches),
    /// creating the source on first use; facts already stored (same kind, value, source) are skipped.
    public func addDerivedFacts(_ facts: [IntelFact], sourceName: String, format: String, run: RunID) async throws(StoreError) -> Int {
        guard !facts.isEmpty else { return 0 }
        let now = Self.nowMicroseconds
        return try await write("cannot store \(sourceName) matches") { db in
            let digest = "derived:" + sourceName
            var sourceID = try Int64.fetchOne(db, sql: "SELECT id FROM intel_sources WHERE digest = ?", arguments: [digest])
            if sourceID == nil {
                try db.execute(sql: """
                    INSERT INTO intel_sources (name, path, format, digest, imported_at, run_id, facts, patterns, problems)
                    VALUES (?, '', ?, ?, ?, ?, 0, 0, 0)
                    """, arguments: [sourceName, format, digest, now, run.rawValue])
                sourceID = db.lastInsertedRowID
            }
            let exists = try db.makeStatement(sql: "SELECT 1 FROM intel_facts WHERE source_id = ? AND kind = ? AND value = ? AND source = ?")
            let insert = try db.makeStatement(sql: """
                INSERT INTO intel_facts (source_id, kind, value, polarity, source, valid_from, valid_until, labels, confidence,
                                         reference, note, known_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, NULL, ?, ?, ?)
                """)
            var added = 0
            for f in facts {
                let args: StatementArguments = [sourceID, f.indicator.kind.rawValue, f.indicator.value, f.source]
                if try Int64.fetchOne(exists, arguments: args) != nil { continue }
                try insert.execute(arguments: [sourceID, f.indicator.kind.rawValue, f.indicator.value, f.polarity.rawValue, f.source,
                                               Self.jsonArray(f.labels), f.reference, f.note, now])
                added += 1
            }
            try db.execute(sql: "UPDATE intel_sources SET facts = facts + ? WHERE id = ?", arguments: [added, sourceID])
            return added
        }
    }
}
