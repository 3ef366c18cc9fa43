import Foundation
import GRDB
import SpoorEvents

/// The tables of a case database and their migrations.
///
/// ## Layout of `events`, and why
///
/// A log field set is open-ended (Zeek, W3C and JSON sources bring their own names), so one
/// SQL column per field would mean `ALTER TABLE` on every new source and tables hundreds of
/// columns wide. Instead each event is one row with:
///
/// - fixed columns for what every event has and every query filters on: `id`, `source_id`
///   (its ledger row), `run_id`, `path_id` (→ `paths`, the `log.file.path` interned), `record`
///   (`spoor.record`), `byte_offset` (`log.offset`), `ts` (`@timestamp` as µs since the epoch,
///   UTC, indexed), `organization_id` and `parser` (`spoor.parser`). These fields are stored
///   there *instead of* in `fields`, never twice;
/// - every other field in `fields`, one JSON object keyed by the field name with typed values:
///   strings as JSON strings under the ``ByteText`` policy, ints and doubles as numbers
///   (non-finite doubles as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`), bools as
///   `true`/`false`, timestamps as integer µs, IPs as their text, string lists as arrays.
///   SQLite's JSON functions query it: `json_extract(fields, '$."source.ip"')`.
///
/// `fields` (the table) catalogs every field name with its ``FieldKind``, so loading restores
/// kinds exactly (an IP stays an IP, a timestamp a timestamp). The view `events_view` puts the
/// common ECS fields in columns (dots become underscores) for `spoor sql`.
///
/// Loading back is one scan of `events` with a small JSON reader over each row's bytes (one
/// pass, no SQL function call per field), and analytics run on the loaded columnar batch,
/// not in SQL.
enum StoreSchema {
    /// The migrations, in order. Never edit a shipped migration: add the next one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2-detections") { db in
            try db.execute(sql: version2)
        }
        migrator.registerMigration("v3-indicators") { db in
            try db.execute(sql: version3)
        }
        migrator.registerMigration("v4-labels") { db in
            try db.execute(sql: version4)
        }
        return migrator
    }

    static let version1 = """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            arguments TEXT NOT NULL,          -- JSON array of strings
            started_at INTEGER NOT NULL,      -- µs since the epoch, UTC
            finished_at INTEGER,
            summary TEXT                      -- JSON object
        );
        CREATE TABLE sources (                -- the ingest ledger, one row per source
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            fingerprint INTEGER NOT NULL,     -- UInt64 bit pattern
            committed_digest INTEGER NOT NULL,
            committed_offset INTEGER NOT NULL,
            committed_records INTEGER NOT NULL,
            events INTEGER NOT NULL,
            rejects INTEGER NOT NULL,
            format TEXT NOT NULL,
            is_complete INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX sources_by_fingerprint ON sources(fingerprint);
        CREATE TABLE fields (                 -- catalog: field name -> kind
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            position INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE paths (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE
        );
        CREATE TABLE events (                 -- no REFERENCES: the store sets these ids itself, and a
                                              -- foreign-key check would cost index lookups per row
            id INTEGER PRIMARY KEY,
            source_id INTEGER,
            run_id INTEGER,
            path_id INTEGER,
            record INTEGER,
            byte_offset INTEGER,
            ts INTEGER,
            organization_id TEXT,
            parser TEXT,
            fields TEXT NOT NULL
        );
        CREATE INDEX events_by_ts ON events(ts);
        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            source_id INTEGER REFERENCES sources(id),
            run_id INTEGER REFERENCES runs(id),
            path TEXT NOT NULL,
            record INTEGER NOT NULL,
            byte_offset INTEGER NOT NULL,
            code TEXT NOT NULL,
            reason TEXT NOT NULL,
            first_bytes BLOB NOT NULL,
            length INTEGER NOT NULL
        );
        \(eventsView)
        """

    /// Detections (Sigma matches, correlations, later the detectors'): one row per finding,
    /// unique by what found it and the events it covers, so hunting twice adds nothing.
    static let version2 = """
        CREATE TABLE detections (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            engine TEXT NOT NULL,              -- sigma | sigma-correlation | …
            rule_id TEXT NOT NULL,
            title TEXT NOT NULL,
            level TEXT NOT NULL,
            tags TEXT NOT NULL,                -- JSON array of strings
            ts INTEGER NOT NULL,               -- µs since the epoch, UTC (a correlation: its last event)
            event_id INTEGER NOT NULL,         -- events.id of the (first) event
            event_ids TEXT NOT NULL,           -- JSON array of events.id, in time order
            details TEXT NOT NULL,             -- JSON object
            UNIQUE (engine, rule_id, event_ids)
        );
        CREATE INDEX detections_ts ON detections(ts);
        CREATE INDEX detections_event ON detections(event_id);
        """

    /// Indicators, their sightings as hourly time series, and intel about them.
    static let version3 = """
        CREATE TABLE indicators (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                -- STIX name: ipv4-addr, domain-name, file:hashes.SHA-256, …
            value TEXT NOT NULL,               -- canonical form
            first_seen INTEGER NOT NULL,       -- µs since the epoch, UTC
            last_seen INTEGER NOT NULL,
            sightings INTEGER NOT NULL,
            UNIQUE (kind, value)
        );
        CREATE TABLE sightings (               -- one row per indicator, client, host, source, place, role, field, decoding, hour
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            organization_id TEXT NOT NULL,
            host TEXT NOT NULL,
            source TEXT NOT NULL,              -- event.dataset or the parser
            place TEXT NOT NULL,               -- disk | memory | network | log
            role TEXT NOT NULL,                -- source | destination | pass-through | unknown
            field TEXT NOT NULL,
            decoding TEXT NOT NULL,            -- base64>utf16le …, '' as written
            hour INTEGER NOT NULL,             -- hours since the epoch, UTC
            count INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            first_event INTEGER NOT NULL,      -- events.id of the first event in the bucket
            PRIMARY KEY (indicator_id, organization_id, host, source, place, role, field, decoding, hour)
        ) WITHOUT ROWID;
        CREATE INDEX sightings_hour ON sightings(hour);
        CREATE TABLE stage_marks (             -- how far a stage has read the events (events.id)
            stage TEXT PRIMARY KEY,
            last_event INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE intel_sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            digest TEXT NOT NULL,              -- of the file's bytes: the same file imported twice is one source
            imported_at INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            facts INTEGER NOT NULL,
            patterns INTEGER NOT NULL,
            problems INTEGER NOT NULL,
            UNIQUE (digest)
        );
        CREATE TABLE intel_facts (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES intel_sources(id),
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            polarity TEXT NOT NULL,            -- malicious | benign
            source TEXT NOT NULL,
            valid_from INTEGER,
            valid_until INTEGER,
            labels TEXT NOT NULL,              -- JSON array
            confidence INTEGER,
            reference TEXT,
            note TEXT,
            known_at INTEGER NOT NULL          -- when spoor learned it: valid_from, else the import time
        );
        CREATE INDEX intel_facts_value ON intel_facts(kind, value);
        CREATE TABLE intel_block_matches (     -- addresses of the case inside CIDR blocks that intel names
            fact_id INTEGER NOT NULL REFERENCES intel_facts(id),
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            PRIMARY KEY (fact_id, indicator_id)
        ) WITHOUT ROWID;
        CREATE TABLE intel_patterns (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES intel_sources(id),
            reference TEXT,
            pattern TEXT NOT NULL,
            valid_from INTEGER,
            valid_until INTEGER,
            labels TEXT NOT NULL
        );
        """

    /// Labelling runs: the functions and what the label model estimated of them, one label per
    /// unit with its votes (provenance) and features, and the end models trained on them.
    static let version4 = """
        CREATE TABLE label_runs (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id),
            unit_kind TEXT NOT NULL,           -- host-hour | user-day | pair-day
            model TEXT NOT NULL,               -- the label model and its version
            created INTEGER NOT NULL,          -- µs since the epoch, UTC
            feature_names TEXT NOT NULL,       -- JSON array, the order of labels.features
            report TEXT NOT NULL               -- JSON: prior, fit report, counts
        );
        CREATE TABLE label_functions (
            run_id INTEGER NOT NULL REFERENCES label_runs(run_id),
            name TEXT NOT NULL,
            source TEXT NOT NULL,              -- sigma | intel | warninglist | detector | user
            vote INTEGER NOT NULL,             -- the vote it casts: 1 malicious, 0 benign
            summary TEXT NOT NULL,
            coverage INTEGER NOT NULL,         -- units it voted on
            estimate TEXT NOT NULL,            -- JSON: what the label model estimated of it
            PRIMARY KEY (run_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE labels (
            run_id INTEGER NOT NULL REFERENCES label_runs(run_id),
            unit INTEGER NOT NULL,             -- index of the unit in its run
            organization_id TEXT NOT NULL,
            entity TEXT NOT NULL,
            window_start INTEGER NOT NULL,     -- µs since the epoch, UTC
            probability REAL NOT NULL,         -- the label model's P(malicious)
            majority REAL NOT NULL,            -- majority vote: 1, 0, or the prior when nothing voted
            end_score REAL,                    -- the end model's score, once trained
            votes TEXT NOT NULL,               -- JSON object: function name → vote
            features TEXT NOT NULL,            -- JSON array of numbers (label_runs.feature_names)
            events INTEGER NOT NULL,           -- events in the unit
            first_event INTEGER NOT NULL,      -- events.id of one event of the unit
            PRIMARY KEY (run_id, unit)
        ) WITHOUT ROWID;
        CREATE INDEX labels_probability ON labels(run_id, probability);
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            label_run INTEGER NOT NULL REFERENCES label_runs(run_id),
            kind TEXT NOT NULL,                -- gradient-boosted-trees | logistic-regression
            version TEXT NOT NULL,
            created INTEGER NOT NULL,
            parameters TEXT NOT NULL,          -- JSON
            model TEXT NOT NULL                -- the fitted model as JSON
        );
        """

    /// Common ECS fields that `events_view` lifts out of `fields` into columns.
    static let viewFields: [String] = [
        Field.eventKind, Field.eventCategory, Field.eventType, Field.eventOutcome, Field.eventAction,
        Field.eventCode, Field.eventDataset, Field.eventTimezone, Field.message, Field.hostName, Field.userName,
        Field.sourceIP, Field.sourcePort, Field.destinationIP, Field.destinationPort, Field.networkTransport,
        Field.processName, Field.processPID, Field.processCommandLine, Field.urlOriginal,
        Field.httpRequestMethod, Field.httpResponseStatusCode, Field.userAgentOriginal, Field.dnsQuestionName,
    ]

    static var eventsView: String {
        let lifted = viewFields.map { name in
            "json_extract(e.fields, '$.\"\(name)\"') AS \(name.replacingOccurrences(of: ".", with: "_"))"
        }.joined(separator: ",\n    ")
        return """
            CREATE VIEW events_view AS SELECT
                e.id,
                strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000, 'unixepoch') || printf('.%06dZ', e.ts % 1000000) AS timestamp,
                e.ts AS ts_us,
                e.organization_id AS organization_id,
                e.parser AS spoor_parser,
                p.path AS log_file_path,
                e.byte_offset AS log_offset,
                e.record AS spoor_record,
                \(lifted),
                e.fields AS fields
            FROM events e LEFT JOIN paths p ON p.id = e.path_id;
            """
    }

    /// Fields kept in fixed `events` columns rather than in `fields`, with the kind they need.
    enum Promoted: Int, CaseIterable {
        case timestamp, record, offset, organization, parser, path

        var name: String {
            switch self {
            case .timestamp: Field.timestamp
            case .record: Field.spoorRecord
            case .offset: Field.logOffset
            case .organization: Field.organizationID
            case .parser: Field.spoorParser
            case .path: Field.logFilePath
            }
        }

        var kind: FieldKind {
            switch self {
            case .timestamp: .timestamp
            case .record, .offset: .int
            case .organization, .parser, .path: .string
            }
        }

        /// The SQL expression over `events` (alias-free) holding the value.
        var column: String {
            switch self {
            case .timestamp: "ts"
            case .record: "record"
            case .offset: "byte_offset"
            case .organization: "organization_id"
            case .parser: "parser"
            case .path: "path_id"
            }
        }

        init?(name: String) {
            guard let p = Promoted.allCases.first(where: { $0.name == name }) else { return nil }
            self = p
        }
    }

    /// The kind two batches' values of one field share: int and double make double, any
    /// other disagreement makes string (the same widening ``EventBatchBuilder`` applies).
    static func merged(_ a: FieldKind, _ b: FieldKind) -> FieldKind {
        if a == b { return a }
        if (a == .int && b == .double) || (a == .double && b == .int) { return .double }
        return .string
    }
}
