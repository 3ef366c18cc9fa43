import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorEVTX
import SpoorParsers
import SpoorTesting

/// The direct EVTX path (`EVTXEventReader` → `WindowsEventMapper.write(evtx:into:)`, what ingest
/// uses) against the JSON path (`EVTXFile.chunk` → `write(evtxRecord:into:)`, what the
/// conformance tests compare with the `evtx` package): the same records, issues, rejects and
/// events (all columns) for every record of every sample file.
@Suite struct EVTXDirectPathTests {
    struct Outcome {
        var events: [Event] = []
        var rejects: [String] = []
        var issues: [String] = []
        var headers: [String] = []
    }

    static func files() -> [URL] {
        var out: [URL] = []
        for dir in ["evtx-rs-samples", "sigma/regression_data"] {
            guard let root = SharedData.url(dir), let e = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let rel as String in e where rel.hasSuffix(".evtx") { out.append(root.appendingPathComponent(rel)) }
        }
        return out.sorted { $0.path < $1.path }
    }

    static let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: 0))

    static func viaJSON(_ file: EVTXFile) -> Outcome {
        var o = Outcome()
        var mapper = WindowsEventMapper(context: context)
        var builder = EventBatchBuilder()
        for i in 0..<file.chunkCount {
            let c = file.chunk(i)
            for r in c.records {
                o.headers.append("\(r.recordID) \(r.offset) \(r.timestamp.microseconds)")
                builder.beginRow()
                do throws(ParseError) {
                    try mapper.write(evtxRecord: r.event, into: &builder)
                    builder.endRow()
                } catch {
                    builder.cancelRow()
                    o.rejects.append("\(r.offset) \(error.code) \(error.message)")
                }
            }
            o.issues += c.issues.map(\.description)
        }
        o.events = builder.finish().events
        return o
    }

    /// The direct path; `stamps: false` turns the reader's stamps off (so the mapper's memos
    /// never hit), `batchRows` finishes a batch every so many rows (a new symbol table: the
    /// memos must start over), `shared` is the reader's context (a fresh one by default).
    static func direct(_ file: EVTXFile, stamps: Bool = true, batchRows: Int = .max,
                       shared: EVTXReadContext = EVTXReadContext()) -> (Outcome, direct: Int, json: Int, retried: Int) {
        var run = DirectRun(file, shared: shared)
        run.reader.stamps = stamps
        for i in 0..<file.chunkCount { run.read(chunk: i, batchRows: batchRows) }
        return (run.finish(), run.reader.directRecords, run.reader.jsonRecords, run.reader.retriedRecords)
    }

    /// One file read by the direct path, a chunk at a time.
    struct DirectRun {
        var o = Outcome()
        var mapper = WindowsEventMapper(context: EVTXDirectPathTests.context)
        var builder = EventBatchBuilder()
        let reader: EVTXEventReader

        init(_ file: EVTXFile, shared: EVTXReadContext) { reader = EVTXEventReader(file: file, context: shared) }

        mutating func read(chunk i: Int, batchRows: Int = .max) {
            let issues = reader.readChunk(i) { header, content in
                if builder.count >= batchRows { o.events += builder.finish().events }
                o.headers.append("\(header.recordID) \(header.offset) \(header.timestamp.microseconds)")
                builder.beginRow()
                do throws(ParseError) {
                    switch content {
                    case .view(let v): try mapper.write(evtx: v, into: &builder)
                    case .json(let j): try mapper.write(evtxRecord: j, into: &builder)
                    }
                    builder.endRow()
                } catch {
                    builder.cancelRow()
                    o.rejects.append("\(header.offset) \(error.code) \(error.message)")
                }
            }
            o.issues += issues.map(\.description)
        }

        mutating func finish() -> Outcome {
            o.events += builder.finish().events
            return o
        }
    }

    static func differences(_ name: String, _ a: Outcome, _ b: Outcome) -> [String] {
        var out: [String] = []
        if a.headers != b.headers { out.append("\(name): records differ (\(a.headers.count) vs \(b.headers.count))") }
        if a.issues != b.issues { out.append("\(name): issues differ \(a.issues.prefix(3)) vs \(b.issues.prefix(3))") }
        if a.rejects != b.rejects { out.append("\(name): rejects differ \(a.rejects.prefix(3)) vs \(b.rejects.prefix(3))") }
        if a.events.count != b.events.count { out.append("\(name): \(a.events.count) vs \(b.events.count) events") }
        for (k, (x, y)) in zip(a.events, b.events).enumerated() where x != y {
            let fx = Dictionary(x.orderedFields, uniquingKeysWith: { l, _ in l })
            let fy = Dictionary(y.orderedFields, uniquingKeysWith: { l, _ in l })
            let keys = Set(fx.keys).union(fy.keys).filter { fx[$0] != fy[$0] }.sorted()
            let detail = keys.prefix(4).map { "\($0): \(fx[$0].map { "\($0)" } ?? "nil") vs \(fy[$0].map { "\($0)" } ?? "nil")" }
            out.append("\(name) event \(k): \(detail.joined(separator: "; "))")
        }
        return out
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func directPathGivesTheJSONPathsEvents() throws {
        let files = Self.files()
        var records = 0, directCount = 0, jsonCount = 0, retried = 0
        var differences: [String] = []
        for url in files {
            guard let file = try? EVTXFile(bytes: Array(try Data(contentsOf: url))) else { continue }
            let a = Self.viaJSON(file)
            let (b, d, j, r) = Self.direct(file)
            directCount += d
            jsonCount += j
            retried += r
            records += a.headers.count
            differences += Self.differences(url.lastPathComponent, a, b)
        }
        // `retried`: records whose nested BinXML, read by its shape, had to be read again with a
        // template per shape (it sat where the walk does not read such a value).
        print("EVTX direct path: \(files.count) files, \(records) records, \(directCount) direct (\(retried) read again), \(jsonCount) via JSON, \(differences.count) differences")
        for d in differences.prefix(12) { print("  DIFF \(d)") }
        #expect(records > 18_000)
        #expect(directCount > records * 99 / 100, "the direct path should read nearly every record")
        #expect(differences.isEmpty, "\(differences.first ?? "")")
    }

    /// Readers that share one `EVTXReadContext` (as the files of one ingest run do: templates,
    /// names and plans learnt from the files before) give each file the events a reader of its
    /// own gives: all files in order, in reverse order, and two files read a chunk each in turn
    /// (each reader then finds the plans' memories last written by the other).
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func sharedContextGivesEachFileItsOwnEvents() throws {
        let files = Self.files().compactMap { url in
            (try? Data(contentsOf: url)).flatMap { try? EVTXFile(bytes: Array($0)) }.map { (url.lastPathComponent, $0) }
        }
        let alone = files.map { Self.direct($0.1).0 }
        var differences: [String] = []
        for order in [Array(files.indices), files.indices.reversed()] {
            let shared = EVTXReadContext()
            for k in order { differences += Self.differences(files[k].0 + " (shared)", alone[k], Self.direct(files[k].1, shared: shared).0) }
        }
        var pairs = 0
        let multi = files.indices.filter { files[$0].1.chunkCount > 1 }
        for (x, y) in zip(multi, multi.dropFirst()) {
            let shared = EVTXReadContext()
            var a = DirectRun(files[x].1, shared: shared), b = DirectRun(files[y].1, shared: shared)
            for i in 0..<max(files[x].1.chunkCount, files[y].1.chunkCount) {
                if i < files[x].1.chunkCount { a.read(chunk: i) }
                if i < files[y].1.chunkCount { b.read(chunk: i) }
            }
            differences += Self.differences(files[x].0 + " (in turn)", alone[x], a.finish())
            differences += Self.differences(files[y].0 + " (in turn)", alone[y], b.finish())
            pairs += 1
        }
        for d in differences.prefix(12) { print("  DIFF \(d)") }
        #expect(files.count > 100)
        #expect(pairs > 10)
        #expect(differences.isEmpty, "\(differences.first ?? "")")
    }

    /// The mapper's memos (keyed by the reader's stamps: a value whose raw bytes repeat in its
    /// place of a record shape is written from what was written for it before) give the rows
    /// the mapper writes without them: every file read with stamps, with stamps and a new
    /// batch (symbol table) every 97 rows, and without stamps gives the same events.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func memoHitsGiveTheRowsOfMisses() throws {
        var records = 0, hits = 0, stamped = 0
        var differences: [String] = []
        for url in Self.files() {
            guard let file = try? EVTXFile(bytes: Array(try Data(contentsOf: url))) else { continue }
            let plain = Self.direct(file, stamps: false).0
            let memo = Self.direct(file).0
            let small = Self.direct(file, batchRows: 97).0
            let reader = EVTXEventReader(file: file)
            for i in 0..<file.chunkCount { _ = reader.readChunk(i) { _, _ in } }
            hits += reader.stampHits
            stamped += reader.stampedItems
            records += plain.events.count
            let name = url.lastPathComponent
            for (label, other) in [("memo", memo), ("memo, batches of 97", small)] {
                differences += Self.differences("\(name) (\(label))", plain, other)
            }
        }
        print("EVTX memo: \(records) records, \(hits) of \(stamped) stamped values repeated, \(differences.count) differences")
        for d in differences.prefix(12) { print("  DIFF \(d)") }
        #expect(records > 18_000)
        // The memos must have been used for the comparison to mean anything.
        #expect(hits > stamped / 2)
        #expect(differences.isEmpty, "\(differences.first ?? "")")
    }

    /// Damaged files (bytes of a real file's first chunk changed at random): both paths still give
    /// the same records, issues, rejects and events, and neither crashes.
    /// Most records are one instance of a template met before in their chunk, with one nested
    /// instance: `directPathGivesTheJSONPathsEvents` then compares the per-template shortcut
    /// (`EVTXViewWalker.shortcut`, on by default) with the JSON path on them.
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func theShortcutReadsMostRecords() throws {
        var direct = 0, shortcut = 0
        for url in Self.files() {
            guard let file = try? EVTXFile(bytes: Array(try Data(contentsOf: url))) else { continue }
            let reader = EVTXEventReader(file: file)
            for i in 0..<file.chunkCount { _ = reader.readChunk(i) { _, _ in } }
            direct += reader.directRecords
            shortcut += reader.shortcutRecords
        }
        print("EVTX shortcut: \(shortcut) of \(direct) direct records")
        #expect(direct > 18_000)
        #expect(shortcut > direct / 2, "the shortcut should read most records")
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func damagedFilesGiveTheSameOutcome() throws {
        let url = try #require(Self.files().first { $0.lastPathComponent == "security.evtx" })
        let original = Array(try Data(contentsOf: url).prefix(4096 + 65_536))
        var state: UInt64 = 0x5eed_e7f0
        func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        var compared = 0
        var differences: [String] = []
        for round in 0..<150 {
            var b = original
            for _ in 0..<(1 + Int(next() % 8)) {
                let i = 4096 + 512 + Int(next() % UInt64(65_536 - 512))
                b[i] = UInt8(truncatingIfNeeded: next())
            }
            guard let file = try? EVTXFile(bytes: b) else { continue }
            let a = Self.viaJSON(file)
            let (d, _, _, _) = Self.direct(file)
            compared += a.headers.count
            if a.headers != d.headers || a.issues != d.issues || a.rejects != d.rejects || a.events != d.events {
                differences.append("round \(round)")
            }
        }
        #expect(compared > 0)
        #expect(differences.isEmpty, "\(differences.prefix(5))")
    }

    /// The direct path decodes UTF-16 itself; the JSON path uses `String(decoding:as:)`. Lone
    /// surrogates are rare in the sample files, so the two are compared on random code units.
    @Test func utf16DecodingMatchesTheStandardLibrary() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let n = Int.random(in: 1...12, using: &rng)
            let units: [UInt16] = (0..<n).map { _ in
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: UInt16.random(in: 0xd800...0xdbff, using: &rng)
                case 1: UInt16.random(in: 0xdc00...0xdfff, using: &rng)
                case 2: UInt16.random(in: 0x20...0x7e, using: &rng)
                case 3: UInt16.random(in: 0x80...0x7ff, using: &rng)
                default: UInt16.random(in: 0x800...0xffff, using: &rng)
                }
            }
            let bytes = units.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
            #expect(EVTXEventReader.utf8(utf16LE: bytes) == Array(String(decoding: units, as: UTF16.self).utf8), "\(units)")
        }
    }
}
