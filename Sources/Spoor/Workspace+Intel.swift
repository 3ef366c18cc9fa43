import Foundation
import SpoorCore
import SpoorIndicators
import SpoorIngest
import SpoorIntel
import SpoorStore

/// What `spoor intel import` did with one file.
public struct IntelFileReport: Sendable, Codable {
    public var path: String
    /// stix | misp | misp-manifest | attack | warninglist | asn-table | mmdb | rir-delegated | list
    public var format: String
    public var facts: Int
    public var patterns: Int
    public var problems: [String]
    /// False when the same bytes were imported before (nothing new stored).
    public var isNew: Bool
    /// Where reference data (warninglists, ASN tables, ATT&CK) was copied into the case.
    public var keptAs: String?
}

/// What one `spoor intel import` did, with the retro-hunt of the new intel over the case.
public struct IntelImportReport: Sendable {
    public var files: [IntelFileReport]
    /// Indicators of the case named by the new intel, longest lead first.
    public var matches: [IntelMatch]
    /// Matching the case's STIX patterns after the import (nil when no new file brought patterns).
    public var patterns: PatternMatchReport?
    /// The subset seen before the intel was known.
    public var seenBeforeKnown: [IntelMatch] { matches.filter(\.seenBeforeKnown) }
}

extension Workspace {
    /// The folder in the case that keeps reference data (warninglists, ASN tables, ATT&CK).
    public var intelDirectory: String { (caseDirectory as NSString).appendingPathComponent("intel") }

    /// Imports intel files and folders into the case and retro-hunts the new indicators over
    /// everything the case has already seen.
    ///
    /// Formats are recognised by content: STIX 2.1 bundles (the ATT&CK bundle is also kept for
    /// technique names), MISP events and feed manifests (a manifest imports the event files
    /// beside it), MISP warninglists (kept as known-benign knowledge), prefix→ASN tables (pyasn
    /// `ipasn`, iptoasn TSV), MaxMind `.mmdb` databases, RIR delegated-stats files, and plain
    /// lists or CSV (one indicator per line). `.gz`/`.bz2` files are read decompressed.
    public func importIntel(_ paths: [String], arguments: [String] = [],
                            progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> IntelImportReport {
        let run = try await store.beginRun(command: "intel import", arguments: arguments.isEmpty ? paths : arguments)
        _ = try await extractIndicators(arguments: ["(before intel import)"])
        var files: [IntelFileReport] = []
        var newSources: [Int64] = []
        let all = Self.expand(paths)
        for (n, path) in all.enumerated() {
            let bytes = try Self.readIntelFile(path)
            let digest = SHA1.digest(bytes).map { String(format: "%02x", $0) }.joined()
            let name = (path as NSString).lastPathComponent
            let kind = IntelFormat.detect(bytes, name: name)
            var report = IntelFileReport(path: path, format: kind.rawValue, facts: 0, patterns: 0, problems: [], isNew: true, keptAs: nil)
            switch kind {
            case .unsupported:
                report.problems = ["\(path): not an intel format spoor reads (STIX 2.x JSON, MISP JSON, warninglists, ASN tables, MMDB, RIR delegated stats, plain lists or CSV)"]
            case .warninglist, .asnTable, .mmdb, .rirDelegated, .attack:
                // A table must load (and have a date) before it is kept: a bad file is refused here,
                // not found broken when a sighting asks for its AS.
                if kind == .asnTable {
                    do {
                        let table = try PrefixTable.parse(bytes, file: path, name: name, date: nil)
                        report.facts = table.count
                    } catch {
                        report.problems = [String(describing: error)]
                        files.append(report)
                        progress?(n + 1, all.count)
                        continue
                    }
                }
                report.keptAs = try keepReference(bytes, kind: kind, name: name, digest: digest)
                if kind == .attack {
                    fallthrough
                }
            case .stix, .misp, .mispManifest, .list:
                let document: IntelDocument
                switch kind {
                case .stix, .attack: document = STIXImporter.read(bytes, source: name)
                case .misp: document = MISPImporter.read(bytes, source: name)
                case .mispManifest:
                    document = try Self.readManifest(bytes, directory: (path as NSString).deletingLastPathComponent, source: name)
                default:
                    let (facts, problems) = PlainIntelList.read(bytes, source: name)
                    // Mostly lines that are no indicator: not a list (a report, a config file).
                    if facts.count * 4 < problems.count {
                        report.format = IntelFormat.unsupported.rawValue
                        report.problems = ["\(path): \(problems.count) of \(facts.count + problems.count) lines are no indicator: not an intel list (use `spoor iocs --text` to extract from prose)"]
                        files.append(report)
                        progress?(n + 1, all.count)
                        continue
                    }
                    var d = IntelDocument()
                    d.facts = facts
                    d.problems = problems.map { IntelProblem(file: "\(path):\($0.line)", message: $0.message) }
                    document = d
                }
                let patterns = document.patterns.map { p in
                    StoredIntelPattern(reference: p.id, pattern: p.pattern.text, validFrom: p.validFrom, validUntil: p.validUntil, labels: p.labels)
                }
                let (source, isNew) = try await store.storeIntel(name: name, path: path, format: kind.rawValue, digest: digest,
                                                                 facts: document.facts, patterns: patterns,
                                                                 problems: document.problems.count, run: run)
                report.facts = document.facts.count
                report.patterns = patterns.count
                report.problems = document.problems.map(\.description)
                report.isNew = isNew
                if isNew { newSources.append(source.id) }
            }
            files.append(report)
            progress?(n + 1, all.count)
        }
        // New lists: every indicator of the case is checked against them again.
        if files.contains(where: { $0.isNew && $0.format == IntelFormat.warninglist.rawValue }) {
            try await store.setStageMark("warninglists", to: 0)
        }
        try await refreshWarninglistMatches(run: run)
        try await refreshIntelBlockMatches()
        let matches = newSources.isEmpty ? [] : try await store.intelMatches(sources: newSources, polarity: .malicious)
        let patterns = files.contains { $0.isNew && $0.patterns > 0 } ? try await matchIntelPatterns() : nil
        let summary = "{\"files\":\(files.count),\"facts\":\(files.reduce(0) { $0 + $1.facts }),\"matches\":\(matches.count),\"seen_before_known\":\(matches.filter(\.seenBeforeKnown).count)}"
        try await store.finishRun(run, summary: summary)
        return IntelImportReport(files: files, matches: matches, patterns: patterns)
    }

    /// Intel matches of the case (all sources): which of its indicators intel names.
    public func intelMatches(polarity: IntelPolarity? = nil) async throws -> [IntelMatch] {
        try await refreshWarninglistMatches()
        try await refreshIntelBlockMatches()
        return try await store.intelMatches(polarity: polarity)
    }

    /// Matches the indicators found since the last check against the MISP warninglists kept in
    /// the case and stores each hit as a benign fact (source: the list's name), so known
    /// infrastructure — public resolvers, cloud ranges, top sites — is marked in `spoor iocs`
    /// and can vote "benign" as a labelling function.
    func refreshWarninglistMatches(run: RunID? = nil) async throws {
        let folder = URL(fileURLWithPath: (intelDirectory as NSString).appendingPathComponent(IntelFormat.warninglist.folder))
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        let mark = try await store.stageMark("warninglists")
        let fresh = try await store.indicators(afterID: mark)
        guard let last = fresh.last?.id else { return }
        let lists = try WarninglistSet.load(directory: folder).set
        var facts: [IntelFact] = []
        for (_, indicator) in fresh {
            for name in lists.matches(indicator) {
                facts.append(IntelFact(indicator: indicator, polarity: .benign, source: name, labels: ["warninglist"], reference: name))
            }
        }
        let owner: RunID
        if let run { owner = run } else { owner = try await store.beginRun(command: "warninglists", arguments: []) }
        _ = try await store.addDerivedFacts(facts, sourceName: "misp-warninglists", format: IntelFormat.warninglist.rawValue, run: owner)
        if run == nil { try await store.finishRun(owner, summary: "{\"benign_facts\":\(facts.count)}") }
        try await store.setStageMark("warninglists", to: last)
    }

    /// Finds the case's addresses inside CIDR blocks that intel names (`203.0.113.0/24` in a
    /// feed matches a sighting of 203.0.113.9), for the matches and the retro-hunt. Recomputed
    /// from scratch: blocks are few, and both new blocks and new addresses change the answer.
    func refreshIntelBlockMatches() async throws {
        let blocks = try await store.intelBlockFacts()
        guard !blocks.isEmpty else { return }
        let index = IntelIndex(blocks.map(\.fact))
        var pairs: [(fact: Int64, indicator: Int64)] = []
        for (id, indicator) in try await store.addressIndicators() where !indicator.value.contains("/") {
            for k in index.matchIndices(indicator) { pairs.append((blocks[Int(k)].id, id)) }
        }
        try await store.replaceIntelBlockMatches(pairs)
    }

    /// The prefix→ASN tables kept in the case (`intel/asn/`), as one history: each sighting
    /// asks the table valid at its time. Files that no longer load are skipped.
    public func asnHistory() -> ASNHistory? {
        let folder = (intelDirectory as NSString).appendingPathComponent(IntelFormat.asnTable.folder)
        var tables: [any DatedPrefixLookup] = []
        for path in Self.expand([folder]) where FileManager.default.fileExists(atPath: path) {
            if let table = try? PrefixTable.load(contentsOf: URL(fileURLWithPath: path)) { tables.append(table) }
        }
        return tables.isEmpty ? nil : ASNHistory(tables: tables)
    }

    /// Intel files imported into the case.
    public func intelSources() async throws -> [IntelSourceRecord] {
        try await store.intelSources()
    }

    /// Copies reference data into `intel/<kind>/` (named by content, so a second import of the
    /// same file keeps one copy).
    func keepReference(_ bytes: [UInt8], kind: IntelFormat, name: String, digest: String) throws -> String {
        let folder = (intelDirectory as NSString).appendingPathComponent(kind.folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var base = name
        for suffix in [".gz", ".bz2"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        // One folder per content, the file under its own name (table dates come from names).
        let holder = (folder as NSString).appendingPathComponent(String(digest.prefix(12)))
        try FileManager.default.createDirectory(atPath: holder, withIntermediateDirectories: true)
        let target = (holder as NSString).appendingPathComponent(base)
        if !FileManager.default.fileExists(atPath: target) {
            try Data(bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
        }
        return target
    }

    /// Files under the given paths (folders recursively, hidden files skipped), sorted.
    static func expand(_ paths: [String]) -> [String] {
        var out: [String] = []
        for p in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory) else { out.append(p); continue }
            if !isDirectory.boolValue { out.append(p); continue }
            let found = (FileManager.default.enumerator(atPath: p)?.allObjects as? [String] ?? [])
                .filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .map { (p as NSString).appendingPathComponent($0) }
                .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
            out += found.sorted()
        }
        return out
    }

    /// A whole intel file, decompressed when it is gzip or bzip2.
    static func readIntelFile(_ path: String) throws -> [UInt8] {
        try IntelFileReader.read(URL(fileURLWithPath: path))
    }

    /// A MISP feed manifest and the event files beside it (`<uuid>.json`).
    static func readManifest(_ bytes: [UInt8], directory: String, source: String) throws -> IntelDocument {
        var document = IntelDocument()
        for entry in MISPImporter.readManifest(bytes) {
            let path = (directory as NSString).appendingPathComponent(entry.uuid + ".json")
            guard let data = FileManager.default.contents(atPath: path) else {
                document.problems.append(IntelProblem(file: path, message: "the manifest lists this event but its file is missing"))
                continue
            }
            let event = MISPImporter.read([UInt8](data), source: source + "/" + entry.uuid)
            document.facts += event.facts
            document.patterns += event.patterns
            document.problems += event.problems
        }
        return document
    }
}

/// The kinds of intel file `spoor intel import` recognises, by content.
public enum IntelFormat: String, Sendable, CaseIterable {
    case stix, attack, misp, mispManifest = "misp-manifest", warninglist, asnTable = "asn-table", mmdb,
         rirDelegated = "rir-delegated", list
    /// Not intel spoor reads (STIX 1.x XML, OpenIOC, binary files, other JSON).
    case unsupported

    /// Where reference data of this kind is kept in the case.
    var folder: String {
        switch self {
        case .warninglist: "warninglists"
        case .asnTable, .mmdb: "asn"
        case .rirDelegated: "rir"
        case .attack: "attack"
        default: "other"
        }
    }

    public static func detect(_ bytes: [UInt8], name: String) -> IntelFormat {
        // MaxMind DB: the metadata marker near the end (MaxMind DB spec 2.0, "Database Metadata").
        let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        if bytes.count > marker.count {
            let tail = bytes.suffix(128 * 1024)
            if tail.firstRange(of: marker) != nil { return .mmdb }
        }
        let start = bytes.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) } ?? bytes.endIndex
        if start < bytes.endIndex && (bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[")) {
            guard let json = try? JSONParser(maximumDepth: 256).parse(bytes.span) else { return .unsupported }
            return detect(json: json, name: name)
        }
        if start < bytes.endIndex && bytes[start] == UInt8(ascii: "<") { return .unsupported }    // XML: STIX 1.x, OpenIOC
        if bytes.prefix(65_536).contains(0) { return .unsupported }                               // binary
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        // RIR delegated-stats: "2|apnic|20140214|…" version line or "apnic|CN|ipv4|…" records.
        let firstData = head.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty } ?? ""
        let pipes = firstData.split(separator: "|", omittingEmptySubsequences: false)
        if pipes.count >= 6, ["apnic", "arin", "ripencc", "lacnic", "afrinic", "iana"].contains(pipes[1].lowercased()) || pipes.count >= 7 && ["ipv4", "ipv6", "asn"].contains(pipes[2]) {
            return .rirDelegated
        }
        // pyasn ipasn: "; IP-ASN32-DAT file" header or "1.0.0.0/24\t15169"; iptoasn: "1.0.0.0\t1.0.0.255\t13335\tUS\t…".
        if head.hasPrefix("; IP-ASN") { return .asnTable }
        let fields = firstData.split(separator: "\t", omittingEmptySubsequences: false)
        if fields.count == 2, fields[0].contains("/"), UInt32(fields[1].trimmingCharacters(in: .whitespaces)) != nil { return .asnTable }
        if fields.count >= 3, IPAddress(String(fields[0])) != nil, IPAddress(String(fields[1])) != nil, UInt32(fields[2]) != nil { return .asnTable }
        return .list
    }

    /// The kind of a JSON intel document by its top-level keys.
    static func detect(json: JSONValue, name: String) -> IntelFormat {
        guard case .object(let members) = json else { return .unsupported }
        let keys = Set(members.map(\.0))
        if json["type"] == .string("bundle") || (keys.contains("objects") && keys.contains("spec_version")) {
            // The ATT&CK bundle: objects with MITRE's own properties.
            if case .array(let objects)? = json["objects"],
               objects.prefix(2_000).contains(where: { o in
                   if case .object(let kv) = o { return kv.contains { $0.0.hasPrefix("x_mitre_") } }
                   return false
               }) { return .attack }
            return .stix
        }
        if keys.contains("Event") || keys.contains("response") || keys.contains("Attribute") || keys.contains("Object")
            || (keys.contains("info") && (keys.contains("date") || keys.contains("threat_level_id") || keys.contains("analysis"))) {
            return .misp
        }
        if keys.contains("list") && keys.contains("type") && keys.contains("name") { return .warninglist }
        // A MISP feed manifest: event uuid → {info, Orgc, date, …}.
        if !members.isEmpty, members.allSatisfy({ if case .object = $0.1 { return $0.1["info"] != nil }; return false }) {
            return .mispManifest
        }
        return .unsupported
    }
}
