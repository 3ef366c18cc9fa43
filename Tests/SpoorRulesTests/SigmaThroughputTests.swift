import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorParsers
import SpoorTesting
@testable import SpoorRules

/// The hunting benchmark of BENCHMARKS.md (run only when asked, in a release build):
/// every SigmaHQ rule for `product: windows` over the Windows events in `../shared/data`
/// (evtx-rs samples, SigmaHQ regression EVTX, the OTRF datasets), replicated with perturbation
/// to `SPOOR_SIGMA_BENCH_EVENTS` (default 1,000,000) events written as flat Windows JSON, and
/// pySigma + SQLite (the oracle script, Zircolite's approach) on a slice of the same events.
///
///     SPOOR_SIGMA_BENCH=1 SPOOR_PYTHON=… swift test -c release -Xswiftc -enable-testing --filter SigmaThroughput
@Suite(.enabled(if: SharedData.isAvailable && ProcessInfo.processInfo.environment["SPOOR_SIGMA_BENCH"] == "1",
                "the Sigma benchmark runs only with SPOOR_SIGMA_BENCH=1 and ../shared/data"))
struct SigmaThroughputTests {
    /// One seed event as flat Windows JSON (the OTRF layout), perturbed for replica `k`: host,
    /// account names and IPv4 addresses change, the time moves by `k` hours; command lines,
    /// images and paths stay, so the rules match replicas as they match the seed.
    static func flatJSON(_ e: Event, replica k: Int) -> String? {
        guard let channel = e["winlog.channel"]?.description, let id = e["winlog.event_id"]?.description,
              case .timestamp(let t)? = e[Field.timestamp] else { return nil }
        var members: [(String, JSONValue)] = [
            ("Channel", .string(channel)), ("EventID", .number(id)),
            ("@timestamp", .string(Timestamp(microseconds: t.microseconds + Int64(k) * 3_600_000_000).description)),
        ]
        if let v = e["winlog.provider_name"]?.description { members.append(("SourceName", .string(v))) }
        if let v = e["winlog.computer_name"]?.description { members.append(("Hostname", .string(k == 0 ? v : "\(v)-\(k)"))) }
        if case .int(let r)? = e["winlog.record_id"] { members.append(("EventRecordID", .number(String(r)))) }
        let accounts: Set<String> = ["User", "SubjectUserName", "TargetUserName", "AccountName", "SourceUser", "TargetUser"]
        for (name, value) in e.orderedFields {
            let key: String
            if name.hasPrefix("winlog.event_data.") { key = String(name.dropFirst(18)) }
            else if name.hasPrefix("winlog.user_data.") { key = String(name.dropFirst(17)) }
            else { continue }
            var v = value.description
            if k > 0 {
                if accounts.contains(key), !v.isEmpty, v != "-" { v += String(k) }
                else if let ip = IPAddress(v), let four = ip.ipv4 {
                    let shifted = (four & 0xFFFF_0000) | ((four &+ UInt32(k)) & 0xFFFF)
                    v = IPAddress(ipv4: shifted).description
                }
            }
            members.append((key, .string(v)))
        }
        return JSONValue.object(members).jsonText
    }

    @Test func sigmaWindowsRulesOverAMillionEvents() async throws {
        let env = ProcessInfo.processInfo.environment
        let target = Int(env["SPOOR_SIGMA_BENCH_EVENTS"] ?? "") ?? 1_000_000
        let peerEvents = Int(env["SPOOR_SIGMA_BENCH_PEER_EVENTS"] ?? "") ?? 20_000
        let ruleFiles = try SigmaHQTests.windowsRuleFiles()

        // Seeds: every Windows event in ../shared/data.
        var seeds: [Event] = []
        var sources = [try #require(SharedData.url("evtx-rs-samples")).path]
        let regression = try #require(SharedData.url("sigma/regression_data"))
        sources += (FileManager.default.enumerator(atPath: regression.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".evtx") }.map { regression.appendingPathComponent($0).path }
        sources += SigmaOracleTests.otrfArchives.compactMap { SharedData.url($0)?.path }
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions(organization: "bench")).run(paths: sources, ledger: ledger)
        for b in await ledger.batches { seeds += b.events.events.filter { $0["winlog.channel"] != nil } }
        #expect(seeds.count > 100_000)

        // The corpus: replicas written as flat JSON Lines, 100k events per file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-sigma-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [URL] = [], written = 0, chunk = "", replica = 0
        func flush() throws {
            guard !chunk.isEmpty else { return }
            let url = dir.appendingPathComponent(String(format: "part-%04d.json", files.count))
            try chunk.write(to: url, atomically: false, encoding: .utf8)
            files.append(url)
            chunk = ""
        }
        outer: while written < target {
            for e in seeds {
                guard let line = Self.flatJSON(e, replica: replica) else { continue }
                chunk += line + "\n"
                written += 1
                if written % 100_000 == 0 { try flush() }
                if written >= target { break outer }
            }
            replica += 1
        }
        try flush()

        // spoor: compile, then parse and match file by file.
        var c0 = ProcessUsage.cpuSeconds()
        let set = SigmaLoader().load(paths: ruleFiles)
        let program = SigmaCompiler(bindings: try BindingSet.builtIn()).compile(set)
        let engine = SigmaEngine(program)
        let compileCPU = ProcessUsage.cpuSeconds() - c0
        let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: 0), isTimeZoneExplicit: false)
        var parseCPU = 0.0, matchCPU = 0.0, events = 0, matches = 0
        for url in files {
            let bytes = try [UInt8](Data(contentsOf: url))
            c0 = ProcessUsage.cpuSeconds()
            let (batch, rejects) = Fixtures.parseLines(bytes, with: LogFormat.windowsFlatJSON.makeParser(context))
            parseCPU += ProcessUsage.cpuSeconds() - c0
            #expect(rejects.isEmpty)
            c0 = ProcessUsage.cpuSeconds()
            matches += engine.matches(in: batch).count
            matchCPU += ProcessUsage.cpuSeconds() - c0
            events += batch.count
        }
        let peak = ProcessUsage.peakMiB()
        print(String(format: "spoor: %d rules compiled (%d unsupported) in %.2f CPU s; %d events, %d matches; parse %.2f CPU s (%.0f events/s), match %.2f CPU s (%.0f events/s), parse+match %.0f events/s; peak RSS %.0f MiB",
                     program.rules.count, program.unsupported.count, compileCPU, events, matches, parseCPU, Double(events) / parseCPU,
                     matchCPU, Double(events) / matchCPU, Double(events) / (parseCPU + matchCPU), peak))

        // The peer on a slice of the same events, and spoor on the same slice.
        let slice = dir.appendingPathComponent("slice.json")
        let firstFile = try String(contentsOf: files[0], encoding: .utf8)
        try (firstFile.split(separator: "\n").prefix(peerEvents).joined(separator: "\n") + "\n").write(to: slice, atomically: false, encoding: .utf8)
        let sliceBytes = try [UInt8](Data(contentsOf: slice))
        c0 = ProcessUsage.cpuSeconds()
        let (sliceBatch, _) = Fixtures.parseLines(sliceBytes, with: LogFormat.windowsFlatJSON.makeParser(context))
        let sliceMatches = engine.matches(in: sliceBatch).count
        let sliceCPU = ProcessUsage.cpuSeconds() - c0
        if let peer = try SigmaOracleTests.oracle(rules: ruleFiles, events: [slice.path]) {
            let t = peer.timing
            let peerCPU = (t["flatten_cpu_s"] ?? 0) + (t["sqlite_load_cpu_s"] ?? 0) + (t["query_cpu_s"] ?? 0)
            print(String(format: "slice of %d events: spoor parse+match %.3f CPU s (%d matches, %.0f events/s); pySigma+SQLite flatten %.2f + load %.2f + query %.2f = %.2f CPU s (%d matches, %.0f events/s), convert %.2f CPU s; spoor is %.0f× faster",
                         sliceBatch.count, sliceCPU, sliceMatches, Double(sliceBatch.count) / sliceCPU,
                         t["flatten_cpu_s"] ?? 0, t["sqlite_load_cpu_s"] ?? 0, t["query_cpu_s"] ?? 0, peerCPU, peer.matches.count,
                         Double(sliceBatch.count) / peerCPU, t["convert_cpu_s"] ?? 0, peerCPU / sliceCPU))
        } else {
            print("pySigma is not installed in SPOOR_PYTHON: the peer was not measured")
        }
    }

    /// Our Aho–Corasick automaton against Debian's libhyperscan on the literals of the field
    /// most rules read (CommandLine) over the distinct command lines of the Windows seeds.
    @Test func literalAutomatonAgainstHyperscan() async throws {
        let root = try #require(SharedData.url("sigma"))
        let set = SigmaLoader().load(paths: [root.appendingPathComponent("rules/windows").path])
        let program = SigmaCompiler(bindings: try BindingSet.builtIn()).compile(set)
        // The program with the most literal tests.
        func literals(_ p: FieldProgram) -> [[UInt8]] {
            var out: [[UInt8]] = [], seen = Set<[UInt8]>()
            for case .pattern(let pat) in p.tests where !pat.cased {
                switch pat.shape {
                case .exact(let l), .prefix(let l), .suffix(let l), .contains(let l):
                    if !l.isEmpty, seen.insert(l).inserted { out.append(l) }
                default: continue
                }
            }
            return out
        }
        let best = try #require(program.programs.max { literals($0).count < literals($1).count })
        let needles = literals(best)
        let column = try #require(best.source.columns.first)
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions(organization: "bench")).run(
            paths: SigmaOracleTests.otrfArchives.compactMap { SharedData.url($0)?.path } + [try #require(SharedData.url("evtx-rs-samples")).path],
            ledger: ledger)
        var values = Set<String>()
        for b in await ledger.batches { for e in b.events.events { if let v = e[column]?.description { values.insert(v) } } }
        let list = Array(values).sorted()
        let repeats = 50
        // spoor: fold, then one automaton pass.
        let automaton = LiteralAutomaton(needles)
        var folded: [UInt8] = [], ours = 0, bytes = 0
        let c0 = ProcessUsage.cpuSeconds()
        for _ in 0..<repeats {
            for v in list {
                let raw = Array(v.utf8)
                CaseFold.fold(raw.span, into: &folded)
                bytes += folded.count
                automaton.scan(folded.span) { _, _ in ours += 1 }
            }
        }
        let ourCPU = ProcessUsage.cpuSeconds() - c0
        print(String(format: "literals of %@: %d literals, %d distinct values × %d; spoor Aho–Corasick (fold + scan) %.3f CPU s, %.0f MB/s, %d matches",
                     column, needles.count, list.count, repeats, ourCPU, Double(bytes) / ourCPU / 1e6, ours))
        // Hyperscan, when its headers and a C compiler are there.
        guard FileManager.default.fileExists(atPath: "/usr/include/hs/hs.h"), FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc") else {
            print("libhyperscan-dev or gcc missing: hyperscan not measured"); return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-hs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func escape(_ b: [UInt8]) -> String {
            var s = ""
            for c in String(decoding: b, as: UTF8.self).unicodeScalars {
                switch c { case "\n": s += "\\n"; case "\r": s += "\\r"; case "\\": s += "\\\\"; case "\0": s += "\\0"; default: s.unicodeScalars.append(c) }
            }
            return s
        }
        try needles.map(escape).joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent("l.txt"), atomically: true, encoding: .utf8)
        try list.map { escape(Array($0.utf8)) }.joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent("v.txt"), atomically: true, encoding: .utf8)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/hyperscan/hs_literals.c")
        let exe = dir.appendingPathComponent("hs").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
        cc.arguments = ["-O2", "-o", exe, source.path, "-lhs"]
        try cc.run(); cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { print("hyperscan harness did not build"); return }
        let run = Process()
        run.executableURL = URL(fileURLWithPath: exe)
        run.arguments = [dir.appendingPathComponent("l.txt").path, dir.appendingPathComponent("v.txt").path, String(repeats)]
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        print("hyperscan: \(out.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}
