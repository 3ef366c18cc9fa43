import Foundation
import GRDB
import SpoorCore
import SpoorEvents

extension SQLiteEventStore {
    /// The rank of each level, for `minimumLevel` filters.
    static let levels = ["informational", "low", "medium", "high", "critical"]

    static let levelRankSQL = "CASE level WHEN 'informational' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END"

    public func storeDetections(_ detections: [Detection], run: RunID) async throws(StoreError) -> Int {
        guard !detections.isEmpty else { return 0 }
        return try await write("cannot store detections") { db in
            let statement = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO detections (run_id, engine, rule_id, title, level, tags, ts, event_id, event_ids, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var inserted = 0
            for d in detections {
                try statement.execute(arguments: [run.rawValue, d.engine, d.ruleID, d.title, d.level, Self.jsonArray(d.tags),
                                                  d.time.microseconds, d.eventIDs.first ?? 0, Self.jsonArray(d.eventIDs.map(String.init), quoted: false),
                                                  d.details])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func detections(run: RunID?, minimumLevel: String?, limit: Int?) async throws(StoreError) -> [Detection] {
        let minimum = minimumLevel.flatMap { Self.levels.firstIndex(of: $0.lowercased()) } ?? 0
        return try await read("cannot read detections") { db in
            var sql = "SELECT engine, rule_id, title, level, tags, ts, event_ids, details FROM detections WHERE \(Self.levelRankSQL) >= ?"
            var arguments: StatementArguments = [minimum]
            if let run { sql += " AND run_id = ?"; arguments += [run.rawValue] }
            sql += " ORDER BY ts, id LIMIT ?"
            arguments += [limit ?? -1]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let tags = (try? JSONDecoder().decode([String].self, from: Data((row[4] as String).utf8))) ?? []
                let ids = (try? JSONDecoder().decode([Int64].self, from: Data((row[6] as String).utf8))) ?? []
                return Detection(engine: row[0], ruleID: row[1], title: row[2], level: row[3], tags: tags,
                                 time: Timestamp(microseconds: row[5]), eventIDs: ids, details: row[7])
            }
        }
    }

    static func jsonArray(_ items: [String], quoted: Bool = true) -> String {
        guard quoted else { return "[" + items.joined(separator: ",") + "]" }
        var out = "["
        for (i, s) in items.enumerated() {
            if i > 0 { out += "," }
            out += JSONValue.quote(s)
        }
        return out + "]"
    }
}
