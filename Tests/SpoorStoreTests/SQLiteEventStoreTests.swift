import Foundation
import SpoorCore
import SpoorEvents
import SpoorIngest
@testable import SpoorStore
import Testing

@Suite struct SQLiteEventStoreTests {
    /// Compares two batches row by row and column kind by column kind (NaN compared as NaN).
    static func expectSameEvents(_ a: EventBatch, _ b: EventBatch, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for column in a.columns where (0..<a.count).contains(where: column.isValid) {
            #expect(b.column(column.name)?.kind == column.kind, "kind of \(column.name)", sourceLocation: sourceLocation)
        }
        for r in 0..<min(a.count, b.count) {
            #expect(a.row(r) == b.row(r), "row \(r)", sourceLocation: sourceLocation)
            // Strings byte for byte, not only as ByteText text.
            for column in a.columns where column.kind == .string {
                if let s = a.symbol(row: r, field: column.name) {
                    #expect(b.symbol(row: r, field: column.name).map { Array(b.symbols.bytes($0)) } == Array(a.symbols.bytes(s)),
                            "bytes of \(column.name) in row \(r)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func writeThenReadReturnsTheSameEvents() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let batch = SampleBatches.allKinds()
        try await store.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger()))
        let loaded = try await store.loadEvents()
        Self.expectSameEvents(batch, loaded)
        #expect(loaded.value(row: 1, field: "zeek.duration") == .double(.infinity))
        #expect(loaded.value(row: 0, field: Field.timestamp) == .timestamp(Timestamp(microseconds: 1_700_000_000_123_456)))
        #expect(loaded.value(row: 1, field: Field.relatedIP) == .list([]))
        #expect(loaded.value(row: 2, field: Field.timestamp) == nil)
        #expect(try await store.eventCount() == 3)
    }

    @Test func eventsLoadByIdAndByPage() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let batch = SampleBatches.allKinds()
        try await store.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger()))
        let (all, ids) = try await store.loadEventPage(afterID: 0, limit: 10)
        #expect(all.count == 3 && ids.count == 3 && ids == ids.sorted())
        let (page, pageIDs) = try await store.loadEventPage(afterID: ids[0], limit: 1)
        #expect(pageIDs == [ids[1]] && page.count == 1)
        // By id: duplicates and unknown ids are ignored; rows come in id order.
        let (some, someIDs) = try await store.loadEvents(ids: [ids[2], 9_999, ids[0], ids[2]])
        #expect(someIDs == [ids[0], ids[2]] && some.count == 2)
        #expect(some.value(row: 1, field: "zeek.duration") == all.value(row: 2, field: "zeek.duration"))
        #expect(try await store.loadEvents(ids: []).events.count == 0)
    }

    @Test func reopeningTheCaseKeepsEverything() async throws {
        let dir = SampleBatches.temporaryDirectory()
        let batch = SampleBatches.allKinds()
        do {
            let store = try await SQLiteEventStore.open(directory: dir)
            try await store.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger()))
        }
        let reopened = try await SQLiteEventStore.open(directory: dir)
        Self.expectSameEvents(batch, try await reopened.loadEvents())
        #expect(FileManager.default.fileExists(atPath: dir + "/case.sqlite"))
    }

    @Test func appendedBatchesLoadInCommitOrderAndWidenKinds() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        var first = EventBatchBuilder()
        let x1 = first.column("json.x", .int)
        first.beginRow(); first.set(x1, int: 5); first.endRow()
        var second = EventBatchBuilder()
        let x2 = second.column("json.x", .string)
        second.beginRow(); second.set(x2, string: "abc"); second.endRow()
        let entry = try await store.commit(IngestCommit(batch: first.finish(), ledger: SampleBatches.ledger()))
        try await store.commit(IngestCommit(batch: second.finish(), ledger: entry))
        let loaded = try await store.loadEvents()
        #expect(loaded.column("json.x")?.kind == .string)
        #expect(loaded.value(row: 0, field: "json.x") == .string("5"))
        #expect(loaded.value(row: 1, field: "json.x") == .string("abc"))
        #expect(try await store.fieldCatalog() == [FieldDescriptor(name: "json.x", kind: .string)])
    }

    @Test func aFailedCommitLeavesNothingOfTheBatch() async throws {
        let dir = SampleBatches.temporaryDirectory()
        let failing = try SQLiteEventStore(configuration: .init(directory: dir), failAfterRows: 500)
        let batch = SampleBatches.synthetic(1_000)
        let reject = Reject(location: RecordLocation(source: "/var/log/synthetic.log", record: 7, byteOffset: 576),
                            code: .truncated, reason: "empty record", firstBytes: [], length: 0)
        await #expect(throws: StoreError.self) {
            try await failing.commit(IngestCommit(batch: batch, rejects: [reject], ledger: SampleBatches.ledger(offset: 96_000)))
        }
        #expect(try await failing.eventCount() == 0)
        #expect(try await failing.rejectCount() == 0)
        #expect(try await failing.sources().isEmpty)
        #expect(try await failing.fieldCatalog().isEmpty)
        #expect(try await failing.query(sql: "SELECT count(*) FROM paths").rows == [[.int(0)]])

        // The same commit succeeds on a healthy store over the same case.
        let store = try await SQLiteEventStore.open(directory: dir)
        try await store.commit(IngestCommit(batch: batch, rejects: [reject], ledger: SampleBatches.ledger(offset: 96_000)))
        #expect(try await store.eventCount() == 1_000)
        #expect(try await store.sources().map(\.committedOffset) == [96_000])
    }

    @Test func aCommitForAnUnknownLedgerRowStoresNothing() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        var entry = SampleBatches.ledger()
        entry.id = 42
        do {
            try await store.commit(IngestCommit(batch: SampleBatches.allKinds(), ledger: entry))
            Issue.record("expected unknownSource")
        } catch {
            #expect(error.code == .unknownSource)
        }
        #expect(try await store.eventCount() == 0)
    }

    @Test func ledgerRoundTrip() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let run = try await store.beginRun(command: "ingest", arguments: ["auth.log", "--tz", "+02:00"])
        let batch = SampleBatches.synthetic(10)
        var entry = SampleBatches.ledger(offset: 960, records: 10, events: 10)
        entry = try await store.commit(IngestCommit(batch: batch, ledger: entry, run: run))
        #expect(entry.id > 0)
        #expect(try await store.ledgerEntries(fingerprint: 0xF00D_FACE_DEAD_BEEF) == [entry])
        #expect(try await store.ledgerEntries(fingerprint: 1).isEmpty)

        entry.committedOffset = 1_920
        entry.committedRecords = 20
        entry.events = 20
        entry.isComplete = true
        entry.committedDigest = UInt64.max
        let updated = try await store.commit(IngestCommit(batch: SampleBatches.synthetic(10), ledger: entry, run: run))
        #expect(updated == entry)
        #expect(try await store.sources() == [entry])
        #expect(try await store.eventCount() == 20)
        try await store.finishRun(run, summary: #"{"events":20}"#)
        let runs = try await store.query(sql: "SELECT command, arguments, summary, finished_at IS NOT NULL FROM runs")
        #expect(runs.rows == [[.string("ingest"), .string(#"["auth.log","--tz","+02:00"]"#), .string(#"{"events":20}"#), .int(1)]])
    }

    @Test func rejectsRoundTrip() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let rejects = [
            Reject(location: RecordLocation(source: "a.log", record: 3, byteOffset: 120), code: .badTimestamp,
                   reason: "no time", firstBytes: [0x00, 0xFF, 0x41], length: 900),
            Reject(location: RecordLocation(source: "a.log", record: 4, byteOffset: 1020), code: .truncated,
                   reason: "empty record", firstBytes: [], length: 0),
        ]
        try await store.commit(IngestCommit(batch: EventBatch(), rejects: rejects, ledger: SampleBatches.ledger("a.log")))
        #expect(try await store.rejects(limit: nil) == rejects)
        #expect(try await store.rejects(limit: 1) == [rejects[0]])
        #expect(try await store.rejectCount() == 2)
    }

    @Test(arguments: [
        ("source.port=22", [0]),
        ("source.ip=10.0.0.1", [0]),
        ("destination.ip=2001:0db8:0::1", [0]),
        ("related.ip=10.0.0.1", [0]),
        ("tls.established=false", [1]),
        ("@timestamp=2023-11-14T22:13:20.123456Z", [0]),
        ("@timestamp=-1234567", [1]),
        ("log.file.path=/var/log/auth.log", [0, 1]),
        ("organization.id=acme", [0]),
        ("event.timezone=-05:30", [2]),
        ("zeek.duration=1.5", [0]),
        ("json.we\"ird key==cmd|' /C calc'!A0", [0]),
        ("no.such.field=1", []),
    ])
    func loadEventsFiltersByField(condition: String, rows: [Int]) async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let batch = SampleBatches.allKinds()
        try await store.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger()))
        let filter = try #require(FieldEquality(parsing: condition))
        let loaded = try await store.loadEvents(filter: [filter], limit: nil)
        #expect(loaded.events == rows.map { batch.row($0) })
    }

    @Test func filtersCombineAndLimit() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        let batch = SampleBatches.synthetic(200)
        try await store.commit(IngestCommit(batch: batch, ledger: SampleBatches.ledger()))
        let both = [FieldEquality(field: Field.userName, value: .string("root")), FieldEquality(field: Field.destinationPort, value: .int(22))]
        let expected = (0..<batch.count).filter { batch.value(row: $0, field: Field.userName) == .string("root") }
        #expect(try await store.loadEvents(filter: both, limit: nil).events == expected.map { batch.row($0) })
        #expect(try await store.loadEvents(filter: both, limit: 3).events == expected.prefix(3).map { batch.row($0) })
        do {
            _ = try await store.loadEvents(filter: [FieldEquality(parsing: "source.port=ssh")!], limit: nil)
            Issue.record("expected invalidFilter")
        } catch {
            #expect(error.code == .invalidFilter)
        }
    }

    @Test(arguments: [
        "DELETE FROM events",
        "INSERT INTO runs (command, arguments, started_at) VALUES ('x', '[]', 0)",
        "UPDATE events SET ts = 0",
        "ATTACH DATABASE ':memory:' AS other",
        "DETACH DATABASE main",
        "PRAGMA writable_schema = 1",
        "PRAGMA table_info(events)",
        "SELECT 1; DELETE FROM events",
        "SELECT 1; SELECT 2",
        "WITH doomed AS (SELECT id FROM events) DELETE FROM events WHERE id IN doomed",
        "/* hidden */ DROP TABLE events",
        "-- comment\nCREATE TABLE x (y)",
        "VACUUM",
        "REPLACE INTO fields VALUES ('a', 'string', 9)",
        "BEGIN IMMEDIATE",
        "",
    ])
    func queryRefusesAnythingButOneRead(sql: String) async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        try await store.commit(IngestCommit(batch: SampleBatches.allKinds(), ledger: SampleBatches.ledger()))
        do {
            _ = try await store.query(sql: sql)
            Issue.record("query was not refused")
        } catch {
            #expect(error.code == .notReadOnly)
        }
        #expect(try await store.eventCount() == 3)
        #expect(try await store.query(sql: "SELECT count(*) FROM runs").rows == [[.int(0)]])
    }

    @Test func queryReturnsTypedRowsAndTheViewLiftsECSFields() async throws {
        let store = try await SQLiteEventStore.open(directory: SampleBatches.temporaryDirectory())
        try await store.commit(IngestCommit(batch: SampleBatches.allKinds(), ledger: SampleBatches.ledger()))
        let result = try await store.query(sql: """
            SELECT timestamp, source_ip, source_port, log_file_path, json_extract(fields, '$."zeek.duration"') AS d
            FROM events_view ORDER BY id
            """)
        #expect(result.columns == ["timestamp", "source_ip", "source_port", "log_file_path", "d"])
        #expect(result.rows.first == [.string("2023-11-14T22:13:20.123456Z"), .string("10.0.0.1"), .int(22),
                                      .string("/var/log/auth.log"), .double(1.5)])
        #expect(result.rows.last?[3] == .string(ByteText.string([0x2F, 0x74, 0xE9, 0x2E, 0x6C, 0x6F, 0x67])))
        let limited = try await store.query(sql: "WITH n AS (SELECT id FROM events) SELECT * FROM n", maximumRows: 2)
        #expect(limited.rows.count == 2 && limited.isTruncated)
        let plan = try await store.query(sql: "EXPLAIN QUERY PLAN SELECT * FROM events WHERE ts > 0")
        #expect(!plan.rows.isEmpty)
    }
}
