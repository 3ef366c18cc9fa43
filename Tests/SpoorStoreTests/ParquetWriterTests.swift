import Foundation
import SpoorCore
import SpoorEvents
@testable import SpoorStore
import Testing

/// pyarrow and duckdb, from PyPI, as independent Parquet readers.
enum PythonReaders {
    /// Kept inline (not a file beside the tests) because SwiftPM warns about unhandled files
    /// in a test target and the manifest is not this suite's to change.
    static let script = #"""
"""Reads a Parquet file with pyarrow and with duckdb and prints both as one JSON object.

Used by SpoorStoreTests (ParquetWriterTests) to check spoor's own Parquet writer against two
independent readers. Output: {"pyarrow": {"types": {...}, "rows": [...]}, "duckdb": {...}}.
Timestamps are printed as integer microseconds since the epoch, so precision is compared
exactly; non-finite doubles as the strings "NaN", "Infinity", "-Infinity" (JSON has none).
"""
import json
import math
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def read_pyarrow(path):
    table = pq.read_table(path)
    types, columns = {}, {}
    for field in table.schema:
        col = table.column(field.name)
        types[field.name] = str(field.type)
        if pa.types.is_timestamp(field.type):
            col = col.cast(pa.int64())
        columns[field.name] = [plain(v) for v in col.to_pylist()]
    rows = [{name: columns[name][i] for name in columns} for i in range(table.num_rows)]
    return {"types": types, "rows": rows, "row_groups": pq.ParquetFile(path).num_row_groups}


def read_duckdb(path):
    con = duckdb.connect()
    source = "read_parquet('%s')" % path.replace("'", "''")
    described = con.execute("DESCRIBE SELECT * FROM " + source).fetchall()
    types = {name: kind for name, kind, *_ in described}
    selects = []
    for name, kind in types.items():
        quoted = '"%s"' % name.replace('"', '""')
        selects.append("epoch_us(%s)" % quoted if kind.startswith("TIMESTAMP") else quoted)
    rows = con.execute("SELECT %s FROM %s" % (", ".join(selects), source)).fetchall()
    names = list(types)
    return {"types": types, "rows": [{n: plain(v) for n, v in zip(names, row)} for row in rows]}


if __name__ == "__main__":
    path = sys.argv[1]
    json.dump({"pyarrow": read_pyarrow(path), "duckdb": read_duckdb(path)}, sys.stdout, ensure_ascii=True)
"""#

    static func run(_ arguments: [String]) -> (status: Int32, output: Data) {
        let process = Process()
        // scripts/test.sh installs pyarrow and duckdb in a virtual environment and names its
        // interpreter in SPOOR_PYTHON; otherwise the python3 on the PATH is tried.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["SPOOR_PYTHON"] ?? "python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, Data()) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    /// Whether `python3 -c "import pyarrow, duckdb"` works (scripts/test.sh installs both with pip).
    static let isAvailable = run(["-c", "import pyarrow, duckdb"]).status == 0

    /// Both readers' view of a Parquet file: types by column and rows as JSON values.
    static func read(_ path: String) throws -> [String: Any] {
        let (status, output) = run(["-c", script, path])
        try #require(status == 0, "the reader script failed on \(path)")
        return try #require(JSONSerialization.jsonObject(with: output) as? [String: Any])
    }
}

@Suite(.enabled(if: PythonReaders.isAvailable, "needs python3 with pyarrow and duckdb: pip install pyarrow duckdb"))
struct ParquetWriterTests {
    static let pyarrowTypes: [FieldKind: String] = [
        .string: "string", .int: "int64", .double: "double", .bool: "bool",
        .timestamp: "timestamp[us, tz=UTC]", .ip: "string", .stringList: "list<element: string not null>",
    ]
    static let duckdbTypes: [FieldKind: String] = [
        .string: "VARCHAR", .int: "BIGINT", .double: "DOUBLE", .bool: "BOOLEAN",
        .timestamp: "TIMESTAMP WITH TIME ZONE", .ip: "VARCHAR", .stringList: "VARCHAR[]",
    ]

    /// The value a reader should print for a cell (see read_parquet.py).
    static func expected(_ batch: EventBatch, row r: Int, column c: Int) -> Any {
        guard let value = batch.value(row: r, column: c) else { return NSNull() }
        switch value {
        case .string(let s): return s
        case .int(let i): return i
        case .double(let d): return d.isFinite ? d : FieldValue.format(d)
        case .bool(let b): return b
        case .timestamp(let t): return t.microseconds
        case .ip(let a): return a.description
        case .list(let l): return l
        }
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (is NSNull, is NSNull): return true
        case (let x as String, let y as String): return x == y
        case (let x as Bool, let y as NSNumber): return y.boolValue == x && (y == 0 || y == 1)
        case (let x as Int64, let y as NSNumber): return y.int64Value == x && y.doubleValue.rounded() == y.doubleValue
        case (let x as Double, let y as NSNumber): return y.doubleValue == x
        case (let x as [String], let y as [Any]): return y.count == x.count && zip(x, y).allSatisfy { ($1 as? String) == $0 }
        default: return false
        }
    }

    func check(_ batch: EventBatch, writer: ParquetWriter, rowGroups: Int) throws {
        let path = SampleBatches.temporaryDirectory() + ".parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try writer.write(batch, to: handle)
        try handle.close()
        let read = try PythonReaders.read(path)
        for (reader, types) in [("pyarrow", Self.pyarrowTypes), ("duckdb", Self.duckdbTypes)] {
            let view = try #require(read[reader] as? [String: Any])
            let readTypes = try #require(view["types"] as? [String: String])
            let rows = try #require(view["rows"] as? [[String: Any]])
            #expect(readTypes.count == batch.columns.count, "\(reader) columns")
            for column in batch.columns {
                #expect(readTypes[column.name] == types[column.kind], "\(reader) type of \(column.name)")
            }
            try #require(rows.count == batch.count, "\(reader) rows")
            var mismatches = 0
            for r in 0..<batch.count {
                for (c, column) in batch.columns.enumerated() {
                    let want = Self.expected(batch, row: r, column: c)
                    let got = rows[r][column.name] ?? "(missing)"
                    if !Self.same(want, got) {
                        mismatches += 1
                        if mismatches <= 5 { Issue.record("\(reader) row \(r) \(column.name): \(got) != \(want)") }
                    }
                }
            }
            #expect(mismatches == 0, "\(reader) mismatching cells")
            if reader == "pyarrow" { #expect(view["row_groups"] as? Int == rowGroups) }
        }
        // The invalid bytes come back exactly once the text is decoded under the policy.
        if let message = batch.column(Field.message), message.kind == .string,
           let first = (read["pyarrow"] as? [String: Any])?["rows"] as? [[String: Any]],
           let text = first.first?[Field.message] as? String {
            #expect(ByteText.decode(text) == Array(batch.symbols.bytes(message.symbols[0])))
        }
    }

    @Test(arguments: [ParquetWriter.Compression.none, .gzip])
    func everyKindReadsBackIdentically(compression: ParquetWriter.Compression) throws {
        let batch = SampleBatches.allKinds()
        try check(batch, writer: ParquetWriter(compression: compression), rowGroups: 1)
        try check(batch, writer: ParquetWriter(compression: compression, rowGroupRows: 2), rowGroups: 2)
    }

    @Test func manyRowsSpanRowGroupsAndPages() throws {
        // Three row groups (8,000 + 8,000 + 4,000 rows); with 64 KiB pages each chunk of a
        // string column has several pages.
        var writer = ParquetWriter(compression: .gzip, rowGroupRows: 8_000)
        writer.pageBytes = 64 * 1024
        try check(SampleBatches.synthetic(20_000), writer: writer, rowGroups: 3)
    }

    @Test func listsWithLongRunsAndMixedLevels() throws {
        var b = EventBatchBuilder()
        let tags = b.column("tags", .stringList)
        let flag = b.column("flag", .bool)
        for r in 0..<1_000 {
            b.beginRow()
            switch r % 13 {
            case 0: break // null list
            case 1: b.beginList(tags) // empty list
            default:
                b.beginList(tags)
                for k in 0..<(r % 5) { b.appendToList(tags, text: "t\(k)") }
                if r % 5 == 0 { b.appendToList(tags, text: "") }
            }
            if r < 500 || r % 3 == 0 { b.set(flag, bool: r % 2 == 0) }
            b.endRow()
        }
        var writer = ParquetWriter(rowGroupRows: 300)
        writer.pageBytes = 256 // a page every few dozen rows, so pages start inside a row group's lists
        try check(b.finish(), writer: writer, rowGroups: 4)
    }
}
