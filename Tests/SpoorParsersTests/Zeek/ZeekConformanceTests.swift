import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Zeek parsers against real public Zeek data in `../shared/data` (skipped when absent).
@Suite struct ZeekConformanceTests {
    /// zed-sample-data: the same Zeek 6.2 run written as TSV (`zeek-default/*.log.gz`) and as
    /// JSON by the json-streaming-logs package (`zeek-json/*.json.gz`); conn, files and http
    /// are not in the shared copy (see its MISSING.txt).
    static let zedLogs: [String] = {
        guard let dir = SharedData.url("zed-sample-data/zeek-default"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".log.gz") }.map { String($0.dropLast(7)) }.sorted()
    }()

    /// Every TSV log and its JSON twin give identical events: same count, same field names,
    /// same values, row by row.
    ///
    /// Deliberate differences, not counted as disagreement:
    /// - `zeek._write_ts`: json-streaming-logs adds the time the line was written; TSV has no
    ///   such field.
    /// - `double` fields (capture_loss `percent_lost`): TSV prints six decimals, JSON the
    ///   full double, and the JSON parser keeps the precision it is given. Compared at TSV's
    ///   precision (within 5e-7). Intervals and times are different: Zeek's clock has
    ///   microsecond resolution, so both parsers keep them in whole microseconds and they
    ///   compare exactly.
    /// - A container holding only empty strings (known_services `service` = `[""]` in JSON) is
    ///   `(empty)` in TSV, which Zeek also writes for an empty set, so TSV reads `[]`. JSON
    ///   keeps the information TSV cannot carry.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func zedTSVAndJSONTwinsAgree() throws {
        #expect(Self.zedLogs.count >= 30)
        var total = 0
        var totalIdentical = 0
        var report: [String] = []
        for log in Self.zedLogs {
            let tsvURL = try #require(SharedData.url("zed-sample-data/zeek-default/\(log).log.gz"))
            let jsonURL = try #require(SharedData.url("zed-sample-data/zeek-json/\(log).json.gz"))
            let tsv = Fixtures.parseLines(try gunzip(tsvURL), with: ZeekTSVParser(context: Self.context("\(log).log.gz")))
            let json = Fixtures.parseLines(try gunzip(jsonURL), with: ZeekJSONParser(context: Self.context("\(log).json.gz")))
            #expect(tsv.rejects.isEmpty, "\(log) TSV rejects: \(tsv.rejects.prefix(3))")
            #expect(json.rejects.isEmpty, "\(log) JSON rejects: \(json.rejects.prefix(3))")
            #expect(tsv.batch.count == json.batch.count, "\(log): \(tsv.batch.count) TSV events, \(json.batch.count) JSON")
            #expect(tsv.batch.count > 0, "\(log): no events")

            let (identical, differences, example) = Self.compare(tsv.batch, json.batch)
            let n = min(tsv.batch.count, json.batch.count)
            total += n
            totalIdentical += identical
            report.append("\(log): \(identical)/\(n)")
            #expect(differences.isEmpty, "\(log): fields that differ: \(differences) e.g. \(example)")
        }
        print("zed-sample-data TSV vs JSON, identical events per log: " + report.joined(separator: ", "))
        print("zed-sample-data TSV vs JSON: \(totalIdentical)/\(total) events identical over \(Self.zedLogs.count) logs")
        #expect(total > 150_000)
        #expect(totalIdentical == total)
    }

    /// The TSV header of every zed log agrees with the type table the JSON parser uses: the
    /// table must not contradict what Zeek itself declares.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func schemaTableMatchesZedTypes() throws {
        for log in Self.zedLogs {
            let url = try #require(SharedData.url("zed-sample-data/zeek-default/\(log).log.gz"))
            let lines = try gunzip(url).split(separator: Bytes.lf, maxSplits: 10).map { Array($0) }
            let fields = try #require(lines.first { $0.starts(with: Array("#fields".utf8)) })
            let types = try #require(lines.first { $0.starts(with: Array("#types".utf8)) })
            let names = fields.split(separator: Bytes.tab).dropFirst().map { String(decoding: $0, as: UTF8.self) }
            let kinds = types.split(separator: Bytes.tab).dropFirst().map { ZeekType.parse(String(decoding: $0, as: UTF8.self)) }
            for (name, type) in zip(names, kinds) {
                let table = ZeekSchema.type(of: name, inSchema: ZeekSchema.schemaName(forPath: log))
                #expect(table?.kind == type.kind && table?.base == type.base, "\(log).\(name): table \(table.map { "\($0)" } ?? "nil"), header \(type)")
            }
        }
    }

    /// RITA's twins: the same http logs as TSV (`valid_tsv/`) and JSON without `_path`
    /// (`valid_json/`), where the JSON parser takes the log path from the file name.
    ///
    /// Deliberate difference besides those of ``zedTSVAndJSONTwinsAgree()``: the tool that
    /// wrote RITA's JSON leaves out empty strings and empty sets (`status_msg`, `tags`) that
    /// the TSV writes as `(empty)`, so JSON has no value where TSV has an empty one.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"), arguments: ["http", "open_http"])
    func ritaTSVAndJSONTwinsAgree(log: String) throws {
        let tsvURL = try #require(SharedData.url("rita-test-data/test_data/valid_tsv/\(log).log.gz"))
        let jsonURL = try #require(SharedData.url("rita-test-data/test_data/valid_json/\(log).log.gz"))
        let tsv = Fixtures.parseLines(try gunzip(tsvURL), with: ZeekTSVParser(context: Self.context("\(log).log.gz")))
        let json = Fixtures.parseLines(try gunzip(jsonURL), with: ZeekJSONParser(context: Self.context("\(log).log.gz")))
        #expect(tsv.rejects.isEmpty && json.rejects.isEmpty)
        #expect(tsv.batch.count == json.batch.count && tsv.batch.count > 27_000)
        let (identical, differences, example) = Self.compare(tsv.batch, json.batch, omittedEmpty: true)
        print("RITA \(log) TSV vs JSON: \(identical)/\(tsv.batch.count) events identical")
        #expect(differences.isEmpty, "\(log): fields that differ: \(differences) e.g. \(example)")
        #expect(identical == tsv.batch.count)
    }

    /// Expected rejects in RITA's test data, each with its reason. Every other file must parse
    /// with none.
    static let ritaExpectedRejects: [String: (count: Int, code: ParseError.Code, reason: String)] = [
        // RITA's check that a text file named like a log is refused: it is not Zeek at all, so
        // no format recognises it and every line is a reject when it is read as Zeek TSV.
        "text_file/conn.log": (5, .badHeader, "not a Zeek log (lorem ipsum)"),
        // The tail was cut in the middle of a record: the last line has too few fields.
        "truncated/conn.log": (1, .truncated, "last line cut short"),
        // The head was cut off: records without the #fields header they need.
        "truncated/conn_top.log": (59, .badHeader, "header block cut off"),
        // Line 9 has 29 values for the 30 #fields (the test adds an unknown field to the header
        // and leaves one record without a value for it); the other records have 30.
        "has_unknown_field/http.log": (1, .truncated, "one record one value short"),
        // Cut inside the JSON object of the last line.
        "truncated/conn_json.log": (1, .truncated, "last line cut inside its JSON object"),
    ]

    /// RITA's Zeek test data (TSV and JSON, some gzipped, some truncated, with unknown fields):
    /// the sniffers pick the right format and parsing gives no rejects beyond the explained ones.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func ritaTestDataParses() throws {
        let root = try #require(SharedData.url("rita-test-data/test_data"))
        let files = try #require(FileManager.default.subpaths(atPath: root.path)).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
        #expect(files.count >= 50)
        var events = 0
        var rejects = 0
        for file in files {
            let url = root.appendingPathComponent(file)
            let bytes = file.hasSuffix(".gz") ? try gunzip(url) : Array(try Data(contentsOf: url))
            let name = String(file.split(separator: "/").last ?? "")
            let sample = SampleLines(prefix: Array(bytes.prefix(64 * 1024)), isComplete: bytes.count <= 64 * 1024)
            let recognised = LogFormat.recognise(sample, among: [.zeekTSV, .zeekJSON])
            let expected = Self.ritaExpectedRejects[file]
            let isJSON = bytes.first == UInt8(ascii: "{")
            if expected == nil {
                #expect(recognised?.format.name == (isJSON ? "zeek-json" : "zeek-tsv"), "\(file) recognised as \(recognised?.format.name ?? "nothing")")
            }
            let context = Self.context(name)
            let result = isJSON ? Fixtures.parseLines(bytes, with: ZeekJSONParser(context: context))
                                : Fixtures.parseLines(bytes, with: ZeekTSVParser(context: context))
            events += result.batch.count
            rejects += result.rejects.count
            if let expected {
                #expect(result.rejects.count == expected.count, "\(file) (\(expected.reason)): \(result.rejects.count) rejects")
                #expect(result.rejects.allSatisfy { $0.error.code == expected.code }, "\(file): \(result.rejects.prefix(2))")
            } else {
                #expect(result.rejects.isEmpty, "\(file): \(result.rejects.count) rejects, e.g. \(result.rejects.prefix(2))")
                #expect(result.batch.count > 0, "\(file): no events")
                // Every event carries its log's dataset and a timestamp.
                for r in 0..<result.batch.count {
                    guard case .string(let ds)? = result.batch.value(row: r, field: Field.eventDataset), ds.hasPrefix("zeek.") else {
                        Issue.record("\(file) row \(r): no event.dataset"); break
                    }
                    if name != "loaded_scripts.log", result.batch.value(row: r, field: Field.timestamp) == nil {
                        Issue.record("\(file) row \(r): no @timestamp"); break
                    }
                }
            }
        }
        print("RITA test data: \(files.count) files, \(events) events, \(rejects) rejects (all explained)")
    }

    // MARK: - Helpers

    /// Compares two batches row by row, allowing only the differences documented on
    /// ``zedTSVAndJSONTwinsAgree()``: identical rows, and per field the rows that differ.
    /// - Parameter omittedEmpty: Also allow an empty string or empty list in TSV to be absent
    ///   in JSON (RITA's JSON writer drops them; Zeek's writes `""` and `[]`).
    static func compare(_ tsv: EventBatch, _ json: EventBatch, omittedEmpty: Bool = false) -> (identical: Int, differences: [String: Int], example: [String: String]) {
        var identical = 0
        var differences: [String: Int] = [:]
        var example: [String: String] = [:]
        for r in 0..<min(tsv.count, json.count) {
            let a = fields(tsv.row(r))
            var b = fields(json.row(r))
            b["zeek._write_ts"] = nil
            var same = true
            for name in Set(a.keys).union(b.keys) where a[name] != b[name] {
                if case .list(let l)? = a[name], l.isEmpty, case .list(let m)? = b[name], m.allSatisfy(\.isEmpty) { continue }
                if case .double(let x)? = a[name], case .double(let y)? = b[name], abs(x - y) <= 5e-7 { continue }
                if omittedEmpty, b[name] == nil, a[name] == .string("") || a[name] == .list([]) { continue }
                same = false
                differences[name, default: 0] += 1
                if example[name] == nil { example[name] = "row \(r): TSV \(a[name].map { "\($0)" } ?? "nil") JSON \(b[name].map { "\($0)" } ?? "nil")" }
            }
            if same { identical += 1 }
        }
        return (identical, differences, example)
    }

    static func context(_ name: String) -> ParseContext {
        ParseContext(collectedAt: Timestamp(seconds: 1_700_000_000), sourceName: name)
    }

    static func fields(_ e: Event) -> [String: FieldValue] {
        Dictionary(e.orderedFields, uniquingKeysWith: { a, _ in a })
    }

    /// Decompresses a gzip file with `/bin/gzip -dc` (ingest's own decompression is separate).
    private func gunzip(_ url: URL) throws -> [UInt8] {
        Array(try Subprocess.output("/bin/gzip", ["-dc", url.path]))
    }
}
