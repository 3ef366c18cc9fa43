import Foundation
import GRDB
import SpoorCore
import SpoorDetectors
import SpoorEvents
import SpoorLabels

/// A labelling run as the case keeps it.
public struct LabelRunRecord: Sendable, Hashable {
    public var run: RunID
    public var unitKind: UnitKind
    public var model: String
    public var created: Timestamp
    public var featureNames: [String]
    /// JSON: prior, fit report, counts.
    public var report: String
}

/// An end model as the case keeps it.
public struct ModelRecord: Sendable, Hashable {
    public var id: Int64
    public var run: RunID
    public var labelRun: RunID
    public var kind: String
    public var version: String
    public var created: Timestamp
    public var parameters: String
    public var model: String
}

extension SQLiteEventStore {
    /// Stores a labelling run: its functions with the label model's estimates and every unit's label.
    public func storeLabelRun(_ run: RunID, unitKind: UnitKind, model: String, featureNames: [String], report: String,
                              functions: [FunctionRecord], labels: [UnitLabel]) async throws(StoreError) {
        let now = Self.nowMicroseconds
        try await write("cannot store the labels") { db in
            try db.execute(sql: "INSERT INTO label_runs (run_id, unit_kind, model, created, feature_names, report) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [run.rawValue, unitKind.rawValue, model, now, Self.jsonArray(featureNames), report])
            let f = try db.makeStatement(sql: "INSERT INTO label_functions (run_id, name, source, vote, summary, coverage, estimate) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for r in functions {
                try f.execute(arguments: [run.rawValue, r.function.name, r.function.source.rawValue, Int(r.function.vote.rawValue),
                                          r.function.summary, r.coverage, r.estimate])
            }
            let l = try db.makeStatement(sql: """
                INSERT INTO labels (run_id, unit, organization_id, entity, window_start, probability, majority, end_score, votes, features, events, first_event)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for x in labels {
                try l.execute(arguments: [run.rawValue, x.index, x.unit.organization, x.unit.entity, x.unit.start.microseconds,
                                          x.probability, x.majority, x.endScore, Self.votesJSON(x.votes), Self.numbersJSON(x.features),
                                          x.events, x.firstEvent])
            }
        }
    }

    /// The newest labelling run, if any.
    public func latestLabelRun() async throws(StoreError) -> LabelRunRecord? {
        try await read("cannot read the labelling runs") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT run_id, unit_kind, model, created, feature_names, report FROM label_runs ORDER BY run_id DESC LIMIT 1") else { return nil }
            let names = (try? JSONDecoder().decode([String].self, from: Data((row[4] as String).utf8))) ?? []
            return LabelRunRecord(run: RunID(rawValue: row[0]), unitKind: UnitKind(rawValue: row[1]) ?? .hostHour, model: row[2],
                                  created: Timestamp(microseconds: row[3]), featureNames: names, report: row[5])
        }
    }

    /// The functions of a labelling run.
    public func labelFunctions(run: RunID) async throws(StoreError) -> [FunctionRecord] {
        try await read("cannot read the labelling functions") { db in
            try Row.fetchAll(db, sql: "SELECT name, source, vote, summary, coverage, estimate FROM label_functions WHERE run_id = ? ORDER BY name",
                             arguments: [run.rawValue]).map { row in
                FunctionRecord(function: LabelingFunction(name: row[0], source: LabelingFunction.Source(rawValue: row[1]) ?? .user,
                                                          vote: Vote(rawValue: Int8(row[2] as Int)) ?? .abstain, summary: row[3]),
                               coverage: row[4], estimate: row[5])
            }
        }
    }

    /// The labels of a run, by unit index.
    public func labels(run: RunID, unitKind: UnitKind) async throws(StoreError) -> [UnitLabel] {
        try await read("cannot read the labels") { db in
            try Row.fetchAll(db, sql: """
                SELECT unit, organization_id, entity, window_start, probability, majority, end_score, votes, features, events, first_event
                FROM labels WHERE run_id = ? ORDER BY unit
                """, arguments: [run.rawValue]).map { row in
                let votes = (try? JSONDecoder().decode([String: Int8].self, from: Data((row[7] as String).utf8))) ?? [:]
                let features = (try? JSONDecoder().decode([Double].self, from: Data((row[8] as String).utf8))) ?? []
                return UnitLabel(index: row[0], unit: UnitKey(kind: unitKind, organization: row[1], entity: row[2], start: Timestamp(microseconds: row[3])),
                                 probability: row[4], majority: row[5], endScore: row[6],
                                 votes: votes.sorted { $0.key < $1.key }.compactMap { k, v in Vote(rawValue: v).map { FunctionVote(k, $0) } },
                                 features: features, events: row[9], firstEvent: row[10])
            }
        }
    }

    /// Sets the end model's score of units of a run.
    public func setEndScores(run: RunID, scores: [(unit: Int, score: Double)]) async throws(StoreError) {
        try await write("cannot store the end model's scores") { db in
            let s = try db.makeStatement(sql: "UPDATE labels SET end_score = ? WHERE run_id = ? AND unit = ?")
            for (u, v) in scores { try s.execute(arguments: [v, run.rawValue, u]) }
        }
    }

    /// Stores a fitted end model; returns its id.
    public func storeModel(run: RunID, labelRun: RunID, kind: String, version: String, parameters: String, model: String) async throws(StoreError) -> Int64 {
        let now = Self.nowMicroseconds
        return try await write("cannot store the model") { db in
            try db.execute(sql: "INSERT INTO models (run_id, label_run, kind, version, created, parameters, model) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [run.rawValue, labelRun.rawValue, kind, version, now, parameters, model])
            return db.lastInsertedRowID
        }
    }

    /// The newest model of a labelling run (any run when nil) and of a kind (any when nil).
    public func latestModel(labelRun: RunID?, kind: String? = nil) async throws(StoreError) -> ModelRecord? {
        try await read("cannot read the models") { db in
            var sql = "SELECT id, run_id, label_run, kind, version, created, parameters, model FROM models"
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let labelRun { conditions.append("label_run = ?"); arguments += [labelRun.rawValue] }
            if let kind { conditions.append("kind = ?"); arguments += [kind] }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT 1"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
            return ModelRecord(id: row[0], run: RunID(rawValue: row[1]), labelRun: RunID(rawValue: row[2]), kind: row[3], version: row[4],
                               created: Timestamp(microseconds: row[5]), parameters: row[6], model: row[7])
        }
    }

    /// Intel about the case's indicators as votes: for every fact (malicious or benign) about an
    /// indicator the case saw — exactly or inside a CIDR block — the source, the polarity and the
    /// first event of each hourly sighting bucket.
    public func intelVoteEvents() async throws(StoreError) -> [(source: String, polarity: String, event: Int64)] {
        try await read("cannot read intel matches for labelling") { db in
            try Row.fetchAll(db, sql: """
                SELECT f.source, f.polarity, s.first_event FROM intel_facts f
                  JOIN indicators i ON i.kind = f.kind AND i.value = f.value
                  JOIN sightings s ON s.indicator_id = i.id
                UNION
                SELECT f.source, f.polarity, s.first_event FROM intel_block_matches b
                  JOIN intel_facts f ON f.id = b.fact_id
                  JOIN sightings s ON s.indicator_id = b.indicator_id
                """).map { ($0[0], $0[1], $0[2]) }
        }
    }

    static func votesJSON(_ votes: [FunctionVote]) -> String {
        var out = "{"
        for (i, v) in votes.enumerated() {
            if i > 0 { out += "," }
            out += JSONValue.quote(v.function) + ":" + String(v.vote.rawValue)
        }
        return out + "}"
    }

    static func numbersJSON(_ values: [Double]) -> String {
        "[" + values.map { $0.isFinite ? ($0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0)) : "0" }.joined(separator: ",") + "]"
    }
}
