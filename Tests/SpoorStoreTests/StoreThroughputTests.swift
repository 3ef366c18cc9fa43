import Foundation
import GRDBSQLite
import SpoorCore
import SpoorEvents
@testable import SpoorStore
import Testing

/// Throughput figures for the store and the exports: they print, they do not assert (wall
/// clock on a shared VM is noise). Run them in a release build:
///
/// ```
/// SPOOR_STORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter StoreThroughputTests
/// ```
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SPOOR_STORE_BENCH"] != nil,
                             "a measurement; set SPOOR_STORE_BENCH=1 and use -c release"))
struct StoreThroughputTests {
    static let rows = Int(ProcessInfo.processInfo.environment["SPOOR_STORE_BENCH_ROWS"] ?? "") ?? 1_000_000
    static let commitRows = 100_000

    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func slices(_ n: Int) -> [EventBatch] {
        (0..<(rows / commitRows)).map { SampleBatches.synthetic(commitRows, file: "/var/log/synthetic-\($0).log") }
    }

    @Test func insertAndLoad() async throws {
        let batches = Self.slices(Self.rows)
        // Store and bare insert alternate, best of three each: the VM is shared and noisy.
        var insert = Double.infinity, bare = (insert: Double.infinity, encode: Double.infinity)
        var dir = "", lastStore: SQLiteEventStore?
        for _ in 0..<3 {
            if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
            dir = SampleBatches.temporaryDirectory()
            let fresh = try await SQLiteEventStore.open(directory: dir)
            insert = min(insert, try await Self.seconds {
                for (i, batch) in batches.enumerated() {
                    try await fresh.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger("/var/log/synthetic-\(i).log", fingerprint: UInt64(i))))
                }
            })
            lastStore = fresh
            let b = try Self.bareInsert(batches)
            bare = (min(bare.insert, b.insert), min(bare.encode, b.encode))
        }
        let store = try #require(lastStore)
        var loaded = EventBatch()
        let load = try await Self.seconds { loaded = try await store.loadEvents() }
        #expect(loaded.count == Self.rows)
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/case.sqlite")[.size] as? Int) ?? 0
        print(String(format: "store.commit: %d rows in %.2f s = %.0f rows/s", Self.rows, insert, Double(Self.rows) / insert))
        print(String(format: "bare sqlite3: %d rows in %.2f s = %.0f rows/s (encoding done beforehand: %.2f s)",
                     Self.rows, bare.insert, Double(Self.rows) / bare.insert, bare.encode))
        print(String(format: "ratio store/bare: %.2f; store/(bare + encoding): %.2f", bare.insert / insert, (bare.insert + bare.encode) / insert))
        print(String(format: "loadEvents: %d rows in %.2f s = %.0f rows/s; case.sqlite %.0f MB",
                     loaded.count, load, Double(loaded.count) / load, Double(size) / 1e6))

        for (name, write) in [("parquet", { (h: FileHandle) throws in try ParquetWriter().write(loaded, to: h) }),
                              ("parquet.gz", { (h: FileHandle) throws in try ParquetWriter(compression: .gzip).write(loaded, to: h) }),
                              ("csv", { (h: FileHandle) throws in try CSVWriter().write(loaded, to: h) }),
                              ("jsonl", { (h: FileHandle) throws in try JSONLinesWriter().write(loaded, to: h) })] {
            let path = dir + "/export." + name
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            let t = try await Self.seconds { try write(handle) }
            try handle.close()
            let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print(String(format: "export %@: %.2f s = %.0f rows/s, %.0f MB", name, t, Double(loaded.count) / t, Double(bytes) / 1e6))
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The same rows into the same schema with nothing but the SQLite C API: values encoded
    /// beforehand (untimed), then one prepared statement, bind, step, reset; one transaction
    /// per 100,000 rows, as the store commits.
    static func bareInsert(_ batches: [EventBatch]) throws -> (insert: Double, encode: Double) {
        struct Prepared { var arena: [UInt8] = []; var rows: [(Int64?, Int64?, Int64?, Range<Int>, Range<Int>?, Range<Int>?)] = [] }
        var prepared: [Prepared] = []
        let encodeStart = ContinuousClock.now
        for batch in batches {
            var p = Prepared()
            var encoder = EventRowEncoder(batch: batch)
            for r in 0..<batch.count {
                let lo = p.arena.count
                encoder.appendFields(row: r, to: &p.arena)
                let fields = lo..<p.arena.count
                var org: Range<Int>?, parser: Range<Int>?
                if let s = encoder.symbol(.organization, row: r) { let a = p.arena.count; encoder.appendText(s, to: &p.arena); org = a..<p.arena.count }
                if let s = encoder.symbol(.parser, row: r) { let a = p.arena.count; encoder.appendText(s, to: &p.arena); parser = a..<p.arena.count }
                p.rows.append((encoder.integer(.record, row: r), encoder.integer(.offset, row: r), encoder.integer(.timestamp, row: r), fields, org, parser))
            }
            prepared.append(p)
        }
        let encode = ContinuousClock.now - encodeStart

        let path = SampleBatches.temporaryDirectory() + ".sqlite"
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw StoreError(.cannotOpen, "bare open") }
        defer { sqlite3_close(db); try? FileManager.default.removeItem(atPath: path) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw StoreError(.database, String(cString: sqlite3_errmsg(db))) }
        }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
        try exec(StoreSchema.version1)
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, """
            INSERT INTO events (source_id, run_id, path_id, record, byte_offset, ts, organization_id, parser, fields)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        let start = ContinuousClock.now
        for (i, p) in prepared.enumerated() {
            try exec("BEGIN IMMEDIATE")
            try exec("INSERT INTO paths (path) VALUES ('/var/log/synthetic-\(i).log')")
            let pathID = sqlite3_last_insert_rowid(db)
            p.arena.withUnsafeBufferPointer { arena in
                arena.withMemoryRebound(to: CChar.self) { chars in
                    for row in p.rows {
                        sqlite3_bind_int64(stmt, 1, Int64(i + 1))
                        sqlite3_bind_null(stmt, 2)
                        sqlite3_bind_int64(stmt, 3, pathID)
                        if let v = row.0 { sqlite3_bind_int64(stmt, 4, v) } else { sqlite3_bind_null(stmt, 4) }
                        if let v = row.1 { sqlite3_bind_int64(stmt, 5, v) } else { sqlite3_bind_null(stmt, 5) }
                        if let v = row.2 { sqlite3_bind_int64(stmt, 6, v) } else { sqlite3_bind_null(stmt, 6) }
                        for (index, range) in [(Int32(7), row.4), (8, row.5), (9, Optional(row.3))] {
                            if let range { sqlite3_bind_text(stmt, index, chars.baseAddress! + range.lowerBound, Int32(range.count), nil) }
                            else { sqlite3_bind_null(stmt, index) }
                        }
                        sqlite3_step(stmt)
                        sqlite3_reset(stmt)
                    }
                }
            }
            try exec("COMMIT")
        }
        let d = ContinuousClock.now - start
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        return (secs(d), secs(encode))
    }
}
