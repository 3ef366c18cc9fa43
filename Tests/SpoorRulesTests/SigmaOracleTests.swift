import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorRules

/// spoor's (rule, event) matches against pySigma's (SQLite backend + Sysmon and Windows
/// pipelines), the issue's oracle, run by `Oracle/sigma_oracle.py` under `SPOOR_PYTHON`.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct SigmaOracleTests {
    struct Pair: Hashable, Comparable, CustomStringConvertible {
        var rule: String
        var file: String
        var index: Int

        static func < (a: Pair, b: Pair) -> Bool { (a.file, a.index, a.rule) < (b.file, b.index, b.rule) }
        var description: String { "\(rule) @ \((file as NSString).lastPathComponent)#\(index)" }
    }

    static var python: String? { ProcessInfo.processInfo.environment["SPOOR_PYTHON"] }

    /// Runs the oracle; nil when pySigma is not installed in `SPOOR_PYTHON`.
    static func oracle(rules: [String], events: [String]) throws -> (matches: Set<Pair>, errors: [String: String], timing: [String: Double])? {
        guard let python else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rulesFile = dir.appendingPathComponent("rules.txt"), eventsFile = dir.appendingPathComponent("events.txt")
        try rules.joined(separator: "\n").write(to: rulesFile, atomically: true, encoding: .utf8)
        try events.joined(separator: "\n").write(to: eventsFile, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/sigma_oracle.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, rulesFile.path, eventsFile.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = json["matches"] as? [[Any]] else { return nil }
        var pairs = Set<Pair>()
        for m in list {
            guard m.count == 3, let r = m[0] as? String, let f = m[1] as? String, let n = m[2] as? Int else { continue }
            pairs.insert(Pair(rule: r, file: f, index: n))
        }
        var timing: [String: Double] = [:]
        for (k, v) in json["timing"] as? [String: Any] ?? [:] { timing[k] = (v as? Double) ?? (v as? Int).map(Double.init) }
        return (pairs, json["errors"] as? [String: String] ?? [:], timing)
    }

    /// Why a pair differs, when spoor's documented semantics explain it; nil when unexplained.
    static func explanation(_ p: Pair, spoorOnly: Bool, rule: CompiledRule?, event: Event?, oracleErrors: [String: String] = [:]) -> String? {
        guard let event else { return nil }
        if spoorOnly, let e = oracleErrors[p.rule] {
            return "pySigma's SQLite backend cannot convert the rule (\(e.prefix(80)))"
        }
        if spoorOnly, event[Field.spoorParser]?.description == "windows-flat-json", event["winlog.provider_name"] != nil,
           let file = rule?.metadata.location.file, let text = try? String(contentsOfFile: file, encoding: .utf8),
           text.contains("Provider_Name") {
            return "the flat OTRF layout names the provider SourceName: the oracle's Provider_Name column is empty there, spoor reads both as winlog.provider_name"
        }
        let channel = event["winlog.channel"]?.description ?? ""
        let id = event["winlog.event_id"]?.description ?? ""
        if spoorOnly, channel == "Security", id == "4688", rule?.logsource.category == "process_creation" {
            return "process_creation is also bound to Security 4688 (pySigma's windows_audit_pipeline mapping); the oracle's Sysmon pipeline binds only Sysmon 1"
        }
        return nil
    }

    @Test func regressionRulesOverAllRegressionEventsMatchPySigma() async throws {
        guard Self.python != nil else {
            print("SPOOR_PYTHON is not set: the pySigma comparison is skipped")
            return
        }
        let cases = try SigmaHQTests.regressionCases()
        let corpus = try SigmaHQTests.corpus()
        let wanted = Set(cases.map(\.ruleID))
        let ruleFiles = Array(Set(corpus.rules.filter { wanted.contains($0.metadata.id ?? "") }.map(\.metadata.location.file))).sorted()
        let root = try #require(SharedData.url("sigma/regression_data"))
        let jsonFiles = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".json") }.sorted().map { root.appendingPathComponent($0).path }
        #expect(ruleFiles.count >= 90 && jsonFiles.count >= 90)
        try await Self.compare("pySigma oracle", ruleFiles: ruleFiles, jsonFiles: jsonFiles)
    }

    static let otrfArchives = [
        "otrf-security-datasets/datasets/atomic/windows/credential_access/host/cmd_sam_copy_esentutl.zip",
        "otrf-security-datasets/datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump.zip",
        "otrf-security-datasets/datasets/compound/LSASS_campaign_02/metasploit_procdump_lsass_memory_dump.zip",
    ]

    /// Every SigmaHQ rule for `product: windows` over the OTRF Windows datasets (the atomic one
    /// and both LSASS campaigns, 97k events): spoor's (rule, event) pairs against pySigma's.
    @Test func windowsRulesOverOTRFDatasetsMatchPySigma() async throws {
        guard Self.python != nil else {
            print("SPOOR_PYTHON is not set: the pySigma comparison is skipped")
            return
        }
        let ruleFiles = try SigmaHQTests.windowsRuleFiles()
        var jsonFiles: [String] = []
        for archive in Self.otrfArchives {
            guard let files = try SharedData.unzipJSON(archive) else { print("unzip is missing: skipped"); return }
            jsonFiles += files.map(\.path)
        }
        jsonFiles.sort()
        defer { for f in jsonFiles { try? FileManager.default.removeItem(atPath: (f as NSString).deletingLastPathComponent) } }
        try await Self.compare("pySigma oracle on OTRF", ruleFiles: ruleFiles, jsonFiles: jsonFiles)
    }

    /// Runs the rules over the JSON files with spoor and with the oracle, and expects every
    /// difference between the two sets of (rule, file, event) pairs to be explained.
    static func compare(_ label: String, ruleFiles: [String], jsonFiles: [String]) async throws {
        guard let oracle = try oracle(rules: ruleFiles, events: jsonFiles) else {
            print("pySigma is not installed in SPOOR_PYTHON: the comparison is skipped")
            return
        }
        let engine = SigmaEngine(SigmaCompiler(bindings: try BindingSet.builtIn()).compile(SigmaLoader().load(paths: ruleFiles)))
        var mine = Set<Pair>()
        var events: [Pair: Event] = [:]
        var total = 0
        for f in jsonFiles {
            let batch = try await SigmaHQTests.ingest(f)
            total += batch.count
            for m in engine.matches(in: batch) {
                let p = Pair(rule: engine.program.rules[m.rule].metadata.id ?? "", file: f, index: m.row)
                mine.insert(p)
                events[p] = batch.row(m.row)
            }
            // Events of pySigma-only pairs, for explanations.
            for p in oracle.matches where p.file == f && p.index < batch.count { events[p] = batch.row(p.index) }
        }
        let onlyMine = mine.subtracting(oracle.matches).sorted(), onlyTheirs = oracle.matches.subtracting(mine).sorted()
        var explained: [String: Int] = [:], unexplained: [String] = []
        for (p, spoorOnly) in onlyMine.map({ ($0, true) }) + onlyTheirs.map({ ($0, false) }) {
            let rule = engine.program.rules.first { $0.metadata.id == p.rule }
            if let why = explanation(p, spoorOnly: spoorOnly, rule: rule, event: events[p], oracleErrors: oracle.errors) {
                explained[why, default: 0] += 1
            } else {
                unexplained.append("\(spoorOnly ? "spoor only" : "pySigma only"): \(p)")
            }
        }
        print("\(label): \(ruleFiles.count) rule files × \(jsonFiles.count) files (\(total) events); spoor \(mine.count) matches, pySigma \(oracle.matches.count), common \(mine.intersection(oracle.matches).count); oracle errors \(oracle.errors.count)")
        for (why, n) in explained { print("  explained \(n)×: \(why)") }
        for e in oracle.errors.sorted(by: { $0.key < $1.key }).prefix(40) { print("  oracle error \(e.key): \(e.value)") }
        #expect(unexplained.isEmpty, "\(unexplained.count) unexplained differences:\n\(unexplained.prefix(60).joined(separator: "\n"))")
    }
}
