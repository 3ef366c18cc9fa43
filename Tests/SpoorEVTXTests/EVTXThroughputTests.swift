import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
@testable import SpoorEVTX
import SpoorTesting

/// Throughput measurement (issue 3), only with `SPOOR_EVTX_BENCH=1` and meaningful only in a
/// release build (`SPOOR_EVTX_BENCH=1 swift test -c release --filter EVTXThroughput`): records
/// per CPU-second over the evtx-rs sample files, in one run,
/// - spoor's JSON rendering (`EVTXFile.chunk`, each record a `JSONValue` in the evtx_dump shape),
/// - full events through the JSON rendering (`WindowsEventMapper.write(evtxRecord:)` into one
///   `EventBatchBuilder` per file),
/// - full events through the direct path ingest uses (`EVTXEventReader` →
///   `WindowsEventMapper.write(evtx:)`, one builder per file),
/// - the `evtx` Python package's `records_json()` on the same files when `SPOOR_PYTHON` has it,
///   from each file's path and from its bytes in memory (as spoor's passes read them).
/// `SPOOR_EVTX_BENCH_ONLY=direct` runs only the direct path, 50 passes (for profiling;
/// `SPOOR_EVTX_BENCH_PASSES=n` another number), and
/// `SPOOR_EVTX_BENCH_FILES=text` only the files whose names hold `text`;
/// `SPOOR_EVTX_BENCH_STAMPS=0` turns the reader's stamps off and `SPOOR_EVTX_BENCH_SHORTCUT=0` its
/// per-template shortcut, `SPOOR_EVTX_BENCH_STAGE=0` the mapper's staged cells
/// (`WindowsEventMapper.stagesCells`: each cell by its own `set`) (A/B comparisons inside one build);
/// `SPOOR_EVTX_BENCH_SHARE=0` gives each file's reader its own `EVTXReadContext` instead of one
/// per pass shared by the files in turn (as ingest shares one), `ab` runs both alternating.
@Suite struct EVTXThroughputTests {
    static let enabled = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH"] == "1" && SharedData.isAvailable

    @Test(.enabled(if: enabled, "set SPOOR_EVTX_BENCH=1 (and use -c release)"))
    func recordsPerCPUSecond() throws {
        let dir = try #require(SharedData.url("evtx-rs-samples/samples")).path
        // `SPOOR_EVTX_BENCH_FILES=text`: only the files whose names hold `text` (for profiling one
        // kind of log; the record-count checks then do not apply).
        let only = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_FILES"]
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.hasSuffix(".evtx") && (only.map($0.contains) ?? true) }.sorted()
        let files = try names.map { try EVTXFile(bytes: Array(Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))) }
        let directOnly = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_ONLY"] == "direct"
        var best = Double.infinity
        var records = 0
        for _ in 0..<(directOnly ? 0 : 5) {
            let t0 = ProcessUsage.cpuSeconds()
            records = 0
            for f in files {
                for i in 0..<f.chunkCount { records += f.chunk(i).records.count }
            }
            best = min(best, ProcessUsage.cpuSeconds() - t0)
        }
        #expect(directOnly || only != nil || records == 18_397)
        print("EVTX throughput: spoor JSONValue path \(records) records, \(Int(Double(records) / best)) records/cpu-s")

        // Full events as ingest stores them: each record through the Windows mapper into a row of
        // one builder per file (the JSON path, then the direct path).
        let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: 0))
        var bestJSONEvents = Double.infinity
        var events = 0
        for _ in 0..<(directOnly ? 0 : 5) {
            let t0 = ProcessUsage.cpuSeconds()
            events = 0
            for f in files {
                var mapper = WindowsEventMapper(context: context)
                var builder = EventBatchBuilder()
                for i in 0..<f.chunkCount {
                    for r in f.chunk(i).records {
                        builder.beginRow()
                        do { try mapper.write(evtxRecord: r.event, into: &builder); builder.endRow() } catch { builder.cancelRow() }
                    }
                }
                events += builder.finish().count
            }
            bestJSONEvents = min(bestJSONEvents, ProcessUsage.cpuSeconds() - t0)
        }
        print("EVTX throughput: spoor full events via JSONValue \(events) events, \(Int(Double(events) / bestJSONEvents)) records/cpu-s")

        // `SPOOR_EVTX_BENCH_STAMPS=0`: the reader gives no stamps (the mapper's memos never hit).
        let stamps = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_STAMPS"] != "0"
        // `SPOOR_EVTX_BENCH_SHORTCUT=0`: every record by the instance scan (no per-template shortcut).
        let shortcuts = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_SHORTCUT"] != "0"
        // `SPOOR_EVTX_BENCH_STAGE=0`: the mapper writes each cell by its own `set` (no `set(cells:)`).
        let staged = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_STAGE"] != "0"
        // `SPOOR_EVTX_BENCH_STAGE=ab`: every pass of the direct path twice, staged and not, alternating
        // (an A/B whose two sides meet the same load), and the best of each printed.
        let alternate = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_STAGE"] == "ab"
        // `SPOOR_EVTX_BENCH_SHARE`: `1` (the default) one `EVTXReadContext` per pass, shared by the
        // files' readers in turn as ingest shares one across the files of a run; `0` a context per
        // file (each file read as if alone); `ab` both, alternating (unless `STAGE=ab`).
        let shareMode = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_SHARE"] ?? "1"
        let alternateShare = shareMode == "ab" && !alternate
        var bestDirect = Double.infinity
        var bestUnstaged = Double.infinity
        var bestPerFile = Double.infinity
        var directEvents = 0, direct = 0, replayed = 0, shortcut = 0
        // `SPOOR_EVTX_BENCH_PASSES=n`: passes of the direct path (default 50 with `ONLY=direct`, else 5).
        let passes = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH_PASSES"].flatMap { Int($0) } ?? (directOnly ? 50 : 5)
        for pass in 0..<(passes * (alternate || alternateShare ? 2 : 1)) {
            let unstaged = alternate ? pass % 2 == 1 : !staged
            let perFile = alternateShare ? pass % 2 == 1 : shareMode == "0"
            let t0 = ProcessUsage.cpuSeconds()
            directEvents = 0
            direct = 0
            replayed = 0
            shortcut = 0
            var shared = EVTXReadContext()
            for f in files {
                var mapper = WindowsEventMapper(context: context)
                mapper.stagesCells = !unstaged
                var builder = EventBatchBuilder()
                builder.reserve(rows: f.estimatedRecords(chunks: 0..<f.chunkCount))
                if perFile || shared.isSaturated { shared = EVTXReadContext() }
                let reader = EVTXEventReader(file: f, context: shared)
                reader.stamps = stamps
                reader.shortcuts = shortcuts
                for i in 0..<f.chunkCount {
                    _ = reader.readChunk(i) { _, content in
                        builder.beginRow()
                        do throws(ParseError) {
                            switch content {
                            case .view(let v): try mapper.write(evtx: v, into: &builder)
                            case .json(let j): try mapper.write(evtxRecord: j, into: &builder)
                            }
                            builder.endRow()
                        } catch {
                            builder.cancelRow()
                        }
                    }
                }
                directEvents += builder.finish().count
                direct += reader.directRecords
                replayed += reader.replayedRecords
                shortcut += reader.shortcutRecords
            }
            if unstaged && alternate {
                bestUnstaged = min(bestUnstaged, ProcessUsage.cpuSeconds() - t0)
            } else if perFile && alternateShare {
                bestPerFile = min(bestPerFile, ProcessUsage.cpuSeconds() - t0)
            } else {
                bestDirect = min(bestDirect, ProcessUsage.cpuSeconds() - t0)
            }
        }
        if alternate {
            print("EVTX throughput: spoor full events, direct path (no staging, alternating) \(directEvents) events, \(Int(Double(directEvents) / bestUnstaged)) records/cpu-s")
        }
        if alternateShare {
            print("EVTX throughput: spoor full events, direct path (a context per file, alternating) \(directEvents) events, \(Int(Double(directEvents) / bestPerFile)) records/cpu-s")
        }
        #expect(directOnly || directEvents == events)
        print("EVTX throughput: spoor full events, direct path\(shareMode == "0" ? " (a context per file)" : "")\(stamps ? "" : " (no stamps)")\(shortcuts ? "" : " (no shortcut)")\(staged ? "" : " (no staging)") \(directEvents) events (\(direct) direct, \(replayed) by a plan, \(shortcut) by the shortcut), \(Int(Double(directEvents) / bestDirect)) records/cpu-s")

        // The reader alone (no mapper, no builder): what the direct path costs before the row is written.
        var bestReader = Double.infinity
        var readerRecords = 0
        for _ in 0..<(directOnly ? 0 : 5) {
            let t0 = ProcessUsage.cpuSeconds()
            readerRecords = 0
            var bytes = 0
            var shared = EVTXReadContext()
            for f in files {
                if shareMode == "0" || shared.isSaturated { shared = EVTXReadContext() }
                let reader = EVTXEventReader(file: f, context: shared)
                reader.stamps = stamps
                reader.shortcuts = shortcuts
                for i in 0..<f.chunkCount {
                    _ = reader.readChunk(i) { _, content in
                        readerRecords += 1
                        if case .view(let v) = content { bytes &+= v.text.count }
                    }
                }
            }
            #expect(bytes > 0)
            bestReader = min(bestReader, ProcessUsage.cpuSeconds() - t0)
        }
        if !directOnly {
            print("EVTX throughput: spoor direct reader only (no mapper, no builder)\(stamps ? "" : " (no stamps)")\(shortcuts ? "" : " (no shortcut)") \(readerRecords) records, \(Int(Double(readerRecords) / bestReader)) records/cpu-s")
        }

        if !directOnly { Self.printStampRates(files, names) }

        let python = ProcessInfo.processInfo.environment["SPOOR_PYTHON"] ?? "python3"
        // The package read from each file's path (its usual use: its time includes reading the
        // file) and from the file's bytes already in memory (`io.BytesIO`, as spoor's passes
        // read theirs: loaded before the clock starts), alternating pass by pass.
        let script = """
        import io, os, sys, time
        import evtx
        d = sys.argv[1]
        files = sorted(f for f in os.listdir(d) if f.endswith('.evtx') and sys.argv[2] in f)
        datas = [open(os.path.join(d, f), 'rb').read() for f in files]
        best = [1e9, 1e9]
        for p in range(10):
            t0 = time.process_time(); n = 0
            for i, f in enumerate(files):
                src = os.path.join(d, f) if p % 2 == 0 else io.BytesIO(datas[i])
                it = evtx.PyEvtxParser(src).records_json()
                while True:
                    try: next(it)
                    except StopIteration: break
                    except Exception: continue
                    n += 1
            best[p % 2] = min(best[p % 2], time.process_time() - t0)
        print(n, int(n / best[0]), int(n / best[1]))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", script, dir, only ?? ""]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let figures = out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if figures.count == 3 {
            print("EVTX throughput: evtx package (records, records/cpu-s): \(figures[0]) \(figures[1])")
            print("EVTX throughput: evtx package from memory (records, records/cpu-s): \(figures[0]) \(figures[2])")
        } else {
            print("EVTX throughput: evtx package: no figures (\(out.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
    }

    /// The share of values a memo keyed by the reader's stamps finds (untimed): per file,
    /// `System` fields and data items whose stamp is the one their slot (place in a record
    /// shape) had the last time it was met; the same over all files and per `System` field.
    static func printStampRates(_ files: [EVTXFile], _ names: [String]) {
        var allSystem = (0, 0), allItems = (0, 0)
        var byField = [(Int, Int)](repeating: (0, 0), count: EVTXSystemField.allCases.count)
        for (f, name) in zip(files, names) {
            let reader = EVTXEventReader(file: f)
            var lastSlot: [Int32: Int32] = [:]
            var system = (0, 0), items = (0, 0)
            for i in 0..<f.chunkCount {
                _ = reader.readChunk(i) { _, content in
                    guard case .view(let v) = content else { return }
                    for k in 0..<byField.count where v.range(EVTXSystemField(rawValue: k)!) != nil {
                        let hit = v.systemStamps[k] >= 0 && lastSlot[v.systemSlots[k]] == v.systemStamps[k]
                        system.1 += 1; byField[k].1 += 1
                        if hit { system.0 += 1; byField[k].0 += 1 }
                        lastSlot[v.systemSlots[k]] = v.systemStamps[k]
                    }
                    for item in v.eventData + v.userData {
                        items.1 += 1
                        if item.stamp >= 0, lastSlot[item.slot] == item.stamp { items.0 += 1 }
                        lastSlot[item.slot] = item.stamp
                    }
                }
            }
            func pct(_ x: (Int, Int)) -> String { x.1 == 0 ? "-" : String(Int((100 * Double(x.0) / Double(x.1)).rounded())) + "%" }
            print("EVTX stamps: \(name): System \(pct(system)) of \(system.1), items \(pct(items)) of \(items.1)")
            allSystem.0 += system.0; allSystem.1 += system.1; allItems.0 += items.0; allItems.1 += items.1
        }
        func pct(_ x: (Int, Int)) -> String { x.1 == 0 ? "-" : String(format: "%.1f%%", 100 * Double(x.0) / Double(x.1)) }
        print("EVTX stamps: all files: System \(pct(allSystem)) of \(allSystem.1), items \(pct(allItems)) of \(allItems.1)")
        for (k, x) in byField.enumerated() { print("EVTX stamps: System \(EVTXSystemField(rawValue: k)!): \(pct(x)) of \(x.1)") }
    }
}
