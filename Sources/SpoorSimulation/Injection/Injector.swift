import Foundation
import SpoorCore

/// One record to put into a file: its time, its line already in the target file's format,
/// and its ground truth.
struct PendingRecord: Sendable {
    var time: Timestamp
    var sequence: Int
    var line: String
    var client: String
    var host: String
    var label: TruthLabel?
}

/// What `spoor inject` did.
public struct InjectionReport: Sendable {
    /// Ground truth: the inserted records by file (relative to `OUT/logs`) and record number
    /// in the copied file's numbering (ingest's `spoor.record`).
    public var truth: [GroundTruthRow] = []
    /// Files copied with records inserted, files created (no file of the user's took the
    /// records), and files copied byte for byte; paths relative to the logs folder.
    public var modified: [String] = []
    public var created: [String] = []
    public var copied: [String] = []
    /// Scenario runs: name, campaign, start.
    public var runs: [(scenario: String, campaign: String, start: Timestamp)] = []
    /// The client the scenarios ran against (learned hosts and users).
    public var client: SimClient?
}

public struct InjectionError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// `spoor inject`: copies a folder of the user's logs with attack records inserted, each in the
/// format of the file it goes into, in time order, with `ground_truth.jsonl` beside them.
///
/// Layout of the result: `OUT/logs/<same relative paths as INTO>` and `OUT/ground_truth.jsonl`
/// (as `spoor simulate` writes). A file that got records is written decompressed (a `.gz` name
/// loses its suffix); every other file is copied byte for byte.
public enum Injector {
    /// Reads a file's content for insertion; nil when it cannot be read as text (a compressed
    /// file the caller cannot decompress) — such files are only copied.
    public typealias Reader = @Sendable (URL) throws -> [UInt8]?

    /// The default reader: plain files only (gzip, bzip2, xz and zip give nil).
    public static let plainReader: Reader = { url in
        let bytes = try [UInt8](Data(contentsOf: url))
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return nil }
        if bytes.count >= 3, bytes[0] == 0x42, bytes[1] == 0x5A, bytes[2] == 0x68 { return nil }
        if bytes.count >= 6, bytes[0] == 0xFD, bytes[1] == 0x37, bytes[2] == 0x7A { return nil }
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B { return nil }
        return bytes
    }

    /// Runs the named scenarios against the client learned from the user's events and writes
    /// the copy. `start` defaults to a point in the second half of the learned time span.
    public static func inject(into: URL, environment: LearnedEnvironment, scenarios names: [String], out: URL, seed: UInt64 = 1,
                              start: Timestamp? = nil, read: Reader = plainReader) throws -> InjectionReport {
        var entries: [ScenarioEntry] = []
        for n in names {
            guard let e = ScenarioCatalog.entry(named: n) else {
                throw InjectionError(description: "unknown scenario \(n) (known: \(ScenarioCatalog.all.map(\.name).joined(separator: ", ")))")
            }
            entries.append(e)
        }
        return try inject(into: into, environment: environment, entries: entries, out: out, seed: seed, start: start, read: read)
    }

    /// The same with scenario entries (tests pass their own).
    public static func inject(into: URL, environment: LearnedEnvironment, entries: [ScenarioEntry], out: URL, seed: UInt64 = 1,
                              start: Timestamp? = nil, read: Reader = plainReader) throws -> InjectionReport {
        let client = environment.client()
        let spanStart = environment.typicalSpan?.start ?? environment.start ?? Timestamp(microseconds: CivilTime(year: 2026, month: 3, day: 2).utcMicroseconds)
        let spanEnd = max(environment.typicalSpan?.end ?? environment.end ?? spanStart, spanStart)
        let days = max(1, Int((spanEnd.microseconds - spanStart.microseconds) / 86_400_000_000) + 1)
        let startCivil = CivilTime(utcMicroseconds: spanStart.microseconds)
        let config = SimulationConfig(seed: seed, days: days, hosts: client.hosts.count, clients: 1,
                                      start: CivilTime(year: startCivil.year, month: startCivil.month, day: startCivil.day),
                                      scenarios: entries.map(\.name))
        var output = SimulationOutput()
        var root = SplitMix64(seed: seed ^ 0x1A7E_C700)
        var report = InjectionReport()
        report.client = client
        for (n, entry) in entries.enumerated() {
            var rng = root.split()
            let span = Double(spanEnd.microseconds - spanStart.microseconds)
            let at = start ?? Timestamp(microseconds: spanStart.microseconds + Int64(span * (0.45 + 0.3 * rng.unit())))
            var context = ScenarioContext(simulation: SimulationContext(config: config, client: client, output: output, rng: rng),
                                          campaign: "\(entry.name)#\(client.id)-\(n + 1)", start: at)
            entry.run(&context)
            output = context.simulation.output
            report.runs.append((entry.name, context.campaign, context.start))
        }
        // Route each simulated file to a file of the user's, translating its records.
        let listing = try listFiles(into)
        var pending: [String: (kind: TargetKind, records: [PendingRecord])] = [:]
        var created: [String: (layout: LogFileLayout, records: [PendingRecord])] = [:]
        for name in output.fileNames {
            let entries = (output.files[name] ?? []).sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            let layout = output.layouts[name] ?? LogFileLayout()
            if let (rel, kind) = try route(name, layout: layout, client: client, environment: environment, listing: listing, into: into, read: read) {
                var list = pending[rel]?.records ?? []
                for e in entries {
                    guard let line = translate(e.line, from: layout, to: kind) else { continue }
                    list.append(PendingRecord(time: e.time, sequence: list.count, line: line, client: e.client, host: e.host, label: e.label))
                }
                pending[rel] = (kind, list)
            } else {
                let rel = String(name.dropFirst(client.id.count + 1))
                created[rel] = (layout, entries.map { PendingRecord(time: $0.time, sequence: $0.sequence, line: $0.line, client: $0.client, host: $0.host, label: $0.label) })
            }
        }
        try write(into: into, listing: listing, pending: pending.mapValues(\.records), kinds: pending.mapValues(\.kind), created: created,
                  environment: environment, out: out, read: read, report: &report)
        return report
    }

    // MARK: - Routing

    /// How records are written into a target file.
    enum TargetKind: Sendable {
        case syslog(SyslogStamp, offset: Int)
        case zeek(fields: [String], unset: String, empty: String, separator: String)
        case lines   // one JSON object (or other self-contained record) per line, inserted as given
    }

    enum SyslogStamp: Sendable, Equatable {
        case bsd
        case rfc3339(fraction: Int, zulu: Bool)
    }

    /// Every regular file under `root`, relative, sorted.
    static func listFiles(_ root: URL) throws -> [String] {
        let base = root.standardizedFileURL.path
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw InjectionError(description: "cannot list \(root.path)")
        }
        var out: [String] = []
        for case let url as URL in e {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let p = url.standardizedFileURL.path
            if p.hasPrefix(base + "/") { out.append(String(p.dropFirst(base.count + 1))) }
        }
        return out.sorted()
    }

    /// The user's file a simulated file's records go into, with how to write them; nil when
    /// none fits (the records then go to a new file in the simulator's layout).
    static func route(_ name: String, layout: LogFileLayout, client: SimClient, environment: LearnedEnvironment, listing: [String],
                      into: URL, read: Reader) throws -> (String, TargetKind)? {
        let parts = name.split(separator: "/").map(String.init)
        if parts.count == 4, parts[1] == "linux", parts[3] == "auth.log" {
            let host = parts[2]
            let candidates = listing.compactMap { rel -> (String, LearnedEnvironment.File)? in
                guard let f = environment.file(endingWith: rel), f.parser == "syslog", f.hosts[host, default: 0] > 0 else { return nil }
                return (rel, f)
            }.sorted {
                ($0.1.mainHost == host ? 0 : 1, authLike($0.0) ? 0 : 1, -$0.1.hosts[host, default: 0], $0.0)
                    < ($1.1.mainHost == host ? 0 : 1, authLike($1.0) ? 0 : 1, -$1.1.hosts[host, default: 0], $1.0)
            }
            for (rel, f) in candidates {
                guard let bytes = try read(into.appendingPathComponent(rel)) else { continue }
                return (rel, .syslog(detectStamp(bytes), offset: f.utcOffset ?? client.utcOffset))
            }
            return nil
        }
        if parts.count == 3, parts[1] == "zeek", let path = zeekHeader(layout.header.joined(separator: "\n").utf8.map { $0 }).path {
            for rel in listing {
                guard let f = environment.file(endingWith: rel), f.parser == "zeek-tsv", let bytes = try read(into.appendingPathComponent(rel)) else { continue }
                let h = zeekHeader(bytes)
                if h.path == path { return (rel, .zeek(fields: h.fields, unset: h.unset, empty: h.empty, separator: "\t")) }
            }
        }
        return nil
    }

    static func authLike(_ rel: String) -> Bool {
        let l = rel.lowercased()
        return l.contains("auth") || l.contains("secure") || l.contains("ssh")
    }

    /// The timestamp style most of a syslog file's first lines use.
    static func detectStamp(_ bytes: [UInt8]) -> SyslogStamp {
        var counts: [String: Int] = [:]
        var styles: [String: SyslogStamp] = [:]
        var seen = 0
        for line in lines(bytes) where seen < 500 {
            let b = Array(bytes[line.start..<line.end])
            guard !b.isEmpty else { continue }
            seen += 1
            if b.count > 15, b[3] == 0x20, b[6] == 0x20, b[9] == 0x3A, b[12] == 0x3A, (0x41...0x5A).contains(b[0]) {
                counts["bsd", default: 0] += 1
                styles["bsd"] = .bsd
            } else if b.count > 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A {
                var i = 19, fraction = 0
                if i < b.count, b[i] == 0x2E {
                    i += 1
                    while i < b.count, (0x30...0x39).contains(b[i]) { fraction += 1; i += 1 }
                }
                let zulu = i < b.count && b[i] == 0x5A
                let key = "rfc\(fraction)\(zulu)"
                counts[key, default: 0] += 1
                styles[key] = .rfc3339(fraction: fraction, zulu: zulu)
            }
        }
        guard let best = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { return .rfc3339(fraction: 6, zulu: false) }
        return styles[best.key] ?? .bsd
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func render(_ t: Timestamp, _ style: SyslogStamp, offset: Int) -> String {
        switch style {
        case .bsd:
            let c = CivilTime(utcMicroseconds: t.microseconds + Int64(offset) * 1_000_000)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return months[c.month - 1] + " " + (c.day < 10 ? " \(c.day)" : "\(c.day)") + " " + two(c.hour) + ":" + two(c.minute) + ":" + two(c.second)
        case .rfc3339(let fraction, let zulu):
            if zulu { return t.civil.iso8601(fractionDigits: fraction, offsetSeconds: nil) }
            return CivilTime(utcMicroseconds: t.microseconds + Int64(offset) * 1_000_000).iso8601(fractionDigits: fraction, offsetSeconds: offset)
        }
    }

    /// A Zeek TSV header's `#path`, `#fields`, unset and empty markers.
    static func zeekHeader(_ bytes: [UInt8]) -> (path: String?, fields: [String], unset: String, empty: String) {
        var path: String?, fields: [String] = [], unset = "-", empty = "(empty)"
        for line in lines(bytes) {
            let s = String(decoding: bytes[line.start..<line.end], as: UTF8.self)
            guard s.hasPrefix("#") else { break }
            let parts = s.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "#path": path = parts.count > 1 ? parts[1] : nil
            case "#fields": fields = Array(parts.dropFirst())
            case "#unset_field": unset = parts.count > 1 ? parts[1] : "-"
            case "#empty_field": empty = parts.count > 1 ? parts[1] : "(empty)"
            default: break
            }
        }
        return (path, fields, unset, empty)
    }

    /// A simulated record in the target's format; nil when it cannot be written there.
    static func translate(_ line: String, from layout: LogFileLayout, to kind: TargetKind) -> String? {
        switch kind {
        case .lines:
            return line
        case .syslog:
            // The simulator writes `RFC3339 host tag: message`; the time is re-rendered when merged.
            guard let space = line.firstIndex(of: " ") else { return nil }
            return String(line[line.index(after: space)...])
        case .zeek(let fields, let unset, let empty, let separator):
            let header = zeekHeader(Array(layout.header.joined(separator: "\n").utf8))
            let values = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard values.count == header.fields.count else { return nil }
            var byName: [String: String] = [:]
            for (k, v) in zip(header.fields, values) {
                byName[k] = v == header.unset ? unset : (v == header.empty ? empty : v)
            }
            return fields.map { byName[$0] ?? unset }.joined(separator: separator)
        }
    }

    // MARK: - Writing

    /// Line ranges (without the line end) of a text.
    static func lines(_ bytes: [UInt8]) -> [(start: Int, end: Int, next: Int)] {
        var out: [(Int, Int, Int)] = []
        var s = 0
        while s < bytes.count {
            var e = s
            while e < bytes.count && bytes[e] != 0x0A { e += 1 }
            let next = e < bytes.count ? e + 1 : e
            let end = e > s && bytes[e - 1] == 0x0D ? e - 1 : e
            out.append((s, end, next))
            s = next
        }
        return out
    }

    /// Whether a line is a record as ingest counts them (not blank, not a directive of the format).
    static func isRecord(_ bytes: [UInt8], _ line: (start: Int, end: Int, next: Int), kind: TargetKind) -> Bool {
        var i = line.start
        while i < line.end && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
        guard i < line.end else { return false }
        if case .zeek = kind { return bytes[line.start] != 0x23 }
        return true
    }

    /// Merges `pending` (sorted by time) into `bytes`: each before the first record of the file
    /// later than it (records without a learned time keep their place), the rest after the last
    /// record (before a trailing footer). Returns the text and the inserted records' numbers.
    static func merge(_ bytes: [UInt8], kind: TargetKind, pending: [PendingRecord], file: LearnedEnvironment.File?) -> (text: [UInt8], numbers: [Int]) {
        let records = pending.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        let all = lines(bytes)
        let crlf = all.first.map { $0.next - $0.end == 2 } ?? false
        let newline: [UInt8] = crlf ? [0x0D, 0x0A] : [0x0A]
        let lastRecord = all.lastIndex { isRecord(bytes, $0, kind: kind) } ?? -1
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + records.count * 160)
        var numbers: [Int] = []
        var next = 0, record = 0
        func emit(upTo limit: Timestamp?) {
            while next < records.count, limit.map({ records[next].time < $0 }) ?? true {
                let r = records[next]
                if !out.isEmpty && out.last != 0x0A { out += newline }
                let text: String
                if case .syslog(let style, let offset) = kind { text = render(r.time, style, offset: offset) + " " + r.line } else { text = r.line }
                out += Array(text.utf8)
                out += newline
                record += 1
                numbers.append(record)
                next += 1
            }
        }
        for (i, line) in all.enumerated() {
            let counted = isRecord(bytes, line, kind: kind)
            if counted, let t = file?.times[line.start] { emit(upTo: t) }
            if (lastRecord >= 0 && i > lastRecord) || (lastRecord < 0 && isTrailer(bytes, line, kind: kind)) { emit(upTo: nil) }
            if counted { record += 1 }
            out += bytes[line.start..<line.next]
        }
        emit(upTo: nil)
        return (out, numbers)
    }

    /// A footer directive (Zeek's `#close`).
    static func isTrailer(_ bytes: [UInt8], _ line: (start: Int, end: Int, next: Int), kind: TargetKind) -> Bool {
        guard case .zeek = kind else { return false }
        return String(decoding: bytes[line.start..<line.end], as: UTF8.self).hasPrefix("#close")
    }

    static func write(into: URL, listing: [String], pending: [String: [PendingRecord]], kinds: [String: TargetKind],
                      created: [String: (layout: LogFileLayout, records: [PendingRecord])], environment: LearnedEnvironment,
                      out: URL, read: Reader, report: inout InjectionReport) throws {
        let logs = out.appendingPathComponent("logs")
        let fm = FileManager.default
        try fm.createDirectory(at: logs, withIntermediateDirectories: true)
        var truth: [GroundTruthRow] = []
        for rel in listing {
            let source = into.appendingPathComponent(rel)
            if let records = pending[rel], let kind = kinds[rel], let bytes = try read(source) {
                let (text, numbers) = merge(bytes, kind: kind, pending: records, file: environment.file(endingWith: rel))
                let target = stripCompression(rel)
                let url = logs.appendingPathComponent(target)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text).write(to: url)
                let sorted = records.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
                for (r, n) in zip(sorted, numbers) {
                    if let label = r.label { truth.append(GroundTruthRow(file: target, record: n, time: r.time, client: r.client, host: r.host, label: label)) }
                }
                report.modified.append(target)
            } else {
                let url = logs.appendingPathComponent(rel)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
                try fm.copyItem(at: source, to: url)
                report.copied.append(rel)
            }
        }
        for rel in created.keys.sorted() {
            guard let c = created[rel] else { continue }
            let url = logs.appendingPathComponent(rel)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var text = ""
            for h in c.layout.header { text += h + "\n" }
            let sorted = c.records.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            for (i, r) in sorted.enumerated() {
                text += r.line + "\n"
                if let label = r.label { truth.append(GroundTruthRow(file: rel, record: i + 1, time: r.time, client: r.client, host: r.host, label: label)) }
            }
            for f in c.layout.footer { text += f + "\n" }
            try Data(text.utf8).write(to: url)
            report.created.append(rel)
        }
        truth.sort { ($0.file, $0.record) < ($1.file, $1.record) }
        report.truth = truth
        try Data(SimulationOutput.groundTruthJSONL(truth).utf8).write(to: out.appendingPathComponent("ground_truth.jsonl"))
    }

    static func stripCompression(_ rel: String) -> String {
        for suffix in [".gz", ".bz2", ".xz"] where rel.hasSuffix(suffix) { return String(rel.dropLast(suffix.count)) }
        return rel
    }
}
