import Foundation
import SpoorCore

/// What one malicious record is: the ground truth the simulator writes beside the logs.
public struct TruthLabel: Sendable, Hashable, Codable {
    /// ATT&CK technique (`T1110.001`).
    public var technique: String
    /// ATT&CK tactic (`credential-access`).
    public var tactic: String
    /// The scenario run (`ssh-brute-force#1`), shared by every record of one execution.
    public var campaign: String
    /// The step within the campaign (`guess`, `login`, `download`).
    public var step: String

    public init(technique: String, tactic: String, campaign: String, step: String) {
        self.technique = technique
        self.tactic = tactic
        self.campaign = campaign
        self.step = step
    }
}

/// One row of `ground_truth.jsonl`: a malicious record by its file (relative to the logs
/// folder, as ingest's `log.file.path` gives it relative to the ingested root) and its record
/// number (ingest's `spoor.record`: 1-based among the file's data records, header and comment
/// lines not counted).
public struct GroundTruthRow: Sendable, Hashable, Codable {
    public var file: String
    public var record: Int
    public var time: Timestamp
    public var client: String
    public var host: String
    public var label: TruthLabel

    public init(file: String, record: Int, time: Timestamp, client: String, host: String, label: TruthLabel) {
        self.file = file
        self.record = record
        self.time = time
        self.client = client
        self.host = host
        self.label = label
    }
}

/// How a log file of the simulation is laid out: its header and footer lines (not records)
/// and whether records end with a newline (every format here does).
public struct LogFileLayout: Sendable, Hashable {
    public var header: [String]
    public var footer: [String]

    public init(header: [String] = [], footer: [String] = []) {
        self.header = header
        self.footer = footer
    }
}

/// Everything a simulation writes: records per file, each with its time and, for attack
/// records, its ground truth. Files are written in time order (ties keep the order records
/// were added), so the same inputs give byte-identical files.
public struct SimulationOutput: Sendable {
    struct Entry: Sendable {
        var time: Timestamp
        var sequence: Int
        var line: String
        var client: String
        var host: String
        var label: TruthLabel?
    }

    private(set) var files: [String: [Entry]] = [:]
    private(set) var layouts: [String: LogFileLayout] = [:]
    private var sequence = 0

    public init() {}

    /// Declares a file's header and footer (Zeek's `#fields` lines, W3C directives).
    public mutating func declare(_ file: String, layout: LogFileLayout) {
        layouts[file] = layout
    }

    /// Adds one record (one line, no newline) to `file` (a path relative to the logs folder).
    public mutating func add(_ file: String, time: Timestamp, line: String, client: String, host: String, label: TruthLabel? = nil) {
        sequence += 1
        files[file, default: []].append(Entry(time: time, sequence: sequence, line: line, client: client, host: host, label: label))
    }

    /// Adds every record and layout of `other` after this output's records (their order
    /// among themselves kept): how a scenario run written on its own joins the simulation.
    public mutating func append(contentsOf other: SimulationOutput) {
        for (file, layout) in other.layouts where layouts[file] == nil { layouts[file] = layout }
        var moved: [(Int, String, Entry)] = []
        for (file, entries) in other.files { for e in entries { moved.append((e.sequence, file, e)) } }
        moved.sort { $0.0 < $1.0 }
        for (_, file, e) in moved {
            sequence += 1
            var copy = e
            copy.sequence = sequence
            files[file, default: []].append(copy)
        }
    }

    /// Records so far, and how many are attack records.
    public var recordCount: Int { files.values.reduce(0) { $0 + $1.count } }
    public var attackRecordCount: Int { files.values.reduce(0) { $0 + $1.filter { $0.label != nil }.count } }
    public var fileNames: [String] { files.keys.sorted() }

    /// Writes every file under `logs` and returns the ground truth, sorted by file and record.
    public func write(logs: URL) throws -> [GroundTruthRow] {
        var truth: [GroundTruthRow] = []
        for name in fileNames {
            guard let entries = files[name] else { continue }
            let sorted = entries.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            let url = logs.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var text = ""
            let layout = layouts[name] ?? LogFileLayout()
            for h in layout.header { text += h + "\n" }
            for (i, e) in sorted.enumerated() {
                text += e.line + "\n"
                if let label = e.label {
                    truth.append(GroundTruthRow(file: name, record: i + 1, time: e.time, client: e.client, host: e.host, label: label))
                }
            }
            for f in layout.footer { text += f + "\n" }
            try Data(text.utf8).write(to: url)
        }
        return truth
    }

    /// The ground truth as JSON Lines (one object per malicious record, keys in a fixed order).
    public static func groundTruthJSONL(_ rows: [GroundTruthRow]) -> String {
        var out = ""
        for r in rows {
            out += "{\"file\":\(JSONValue.quote(r.file)),\"record\":\(r.record),\"time\":\(JSONValue.quote(r.time.description))"
            out += ",\"client\":\(JSONValue.quote(r.client)),\"host\":\(JSONValue.quote(r.host))"
            out += ",\"technique\":\(JSONValue.quote(r.label.technique)),\"tactic\":\(JSONValue.quote(r.label.tactic))"
            out += ",\"campaign\":\(JSONValue.quote(r.label.campaign)),\"step\":\(JSONValue.quote(r.label.step))}\n"
        }
        return out
    }

    /// Reads `ground_truth.jsonl`; malformed lines are errors with their line number.
    public static func readGroundTruth(_ bytes: [UInt8], file: String = "ground_truth.jsonl") throws(ParseError) -> [GroundTruthRow] {
        var rows: [GroundTruthRow] = []
        var start = 0, line = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            line += 1
            if end > start {
                let lineBytes = Array(bytes[start..<end])
                let v = try JSONParser(maximumDepth: 8).parse(lineBytes.span)
                guard let f = v["file"]?.stringValue, let r = v["record"]?.intValue,
                      let t = v["time"]?.stringValue, let technique = v["technique"]?.stringValue else {
                    throw ParseError(.badField, at: start, "line \(line): a ground-truth row needs file, record, time and technique")
                }
                let time = Array(t.utf8).withUnsafeBufferPointer { b -> Timestamp? in
                    TimestampText.parseISO8601(b.span).map { Timestamp(microseconds: $0.civil.utcMicroseconds - Int64($0.offsetSeconds ?? 0) * 1_000_000) }
                }
                guard let time else { throw ParseError(.badTimestamp, at: start, "line \(line): bad time") }
                rows.append(GroundTruthRow(file: f, record: Int(r), time: time, client: v["client"]?.stringValue ?? "", host: v["host"]?.stringValue ?? "",
                                           label: TruthLabel(technique: technique, tactic: v["tactic"]?.stringValue ?? "",
                                                             campaign: v["campaign"]?.stringValue ?? "", step: v["step"]?.stringValue ?? "")))
            }
            start = end + 1
        }
        return rows
    }
}
