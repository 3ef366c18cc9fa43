import SpoorCore
import SpoorEvents
import SpoorSimulation

/// One record a finding points at: its file relative to the ingested root (`acme/zeek/conn.log`,
/// `/`-separated, as `ground_truth.jsonl` keys it) and its record number (ingest's
/// `spoor.record`: 1-based among the file's data records).
public struct EvidenceRecord: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var file: String
    public var record: Int

    public init(file: String, record: Int) {
        self.file = file
        self.record = record
    }

    /// From ingest's provenance: `log.file.path` (as ingest wrote it, usually under `root`) made
    /// relative to the ingested root, and `spoor.record`. A path outside `root` is kept as given.
    public init(path: String, root: String, record: Int) {
        self.init(file: EvidenceRecord.relative(path, to: root), record: record)
    }

    /// `path` relative to `root`: `./`, a trailing `/` on the root and repeated separators do
    /// not matter. A path that does not lie under `root` is returned with only `./` removed.
    public static func relative(_ path: String, to root: String) -> String {
        func components(_ s: String) -> [Substring] {
            s.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        }
        let p = components(path), r = components(root)
        let absolute = path.hasPrefix("/") == root.hasPrefix("/")
        if absolute, !r.isEmpty, p.count > r.count, Array(p.prefix(r.count)) == r {
            return p.dropFirst(r.count).joined(separator: "/")
        }
        return (path.hasPrefix("/") ? "/" : "") + p.joined(separator: "/")
    }

    public static func < (a: EvidenceRecord, b: EvidenceRecord) -> Bool { (a.file, a.record) < (b.file, b.record) }
    public var description: String { "\(file)#\(record)" }
}

/// Something a detector or a rule reported, as the evaluation sees it.
public struct Finding: Sendable, Hashable, Codable {
    /// Who reported it: `sigma`, `stix-pattern`, or a detector's name.
    public var source: String
    /// The rule's or detector's id.
    public var id: String
    /// Higher = more suspicious. Rules: their level's rank (``Finding/levelRank(_:)``).
    public var score: Double
    /// When it could have been raised (the time of its last evidence record, for a rule match).
    public var time: Timestamp
    /// The host or user it is about.
    public var entity: String
    /// The simulated day it falls on (0-based from the run's first day, UTC days).
    public var day: Int
    /// The records it rests on.
    public var evidence: [EvidenceRecord]

    public init(source: String, id: String, score: Double, time: Timestamp, entity: String, day: Int, evidence: [EvidenceRecord]) {
        self.source = source
        self.id = id
        self.score = score
        self.time = time
        self.entity = entity
        self.day = day
        self.evidence = evidence
    }

    /// A finding whose day is counted from `start` (the run's first instant, e.g.
    /// `SimulationConfig.window.start`): whole UTC days since then, floored.
    public init(source: String, id: String, score: Double, time: Timestamp, entity: String, runStart start: Timestamp, evidence: [EvidenceRecord]) {
        self.init(source: source, id: id, score: score, time: time, entity: entity,
                  day: Finding.day(of: time, runStart: start), evidence: evidence)
    }

    /// Whole days from `start` to `time`, floored (times before the start fall on negative days).
    public static func day(of time: Timestamp, runStart start: Timestamp) -> Int {
        let d = time.microseconds - start.microseconds
        let perDay: Int64 = 86_400_000_000
        return Int(d >= 0 ? d / perDay : -((-d + perDay - 1) / perDay))
    }

    /// The score of a Sigma rule's level: informational 1, low 2, medium 3, high 4, critical 5
    /// (the order of the Sigma specification's `level` values); unknown levels 0.
    public static func levelRank(_ level: String) -> Double {
        switch level.lowercased() {
        case "informational": 1
        case "low": 2
        case "medium": 3
        case "high": 4
        case "critical": 5
        default: 0
        }
    }

    /// `source:id`, the name a scorecard lists it under.
    public var name: String { source + ":" + id }
}

/// One execution of one technique: the unit recall and time to detect count.
public struct TechniqueInstance: Sendable, Hashable, Comparable {
    public var technique: String
    public var campaign: String
    public var tactic: String
    /// The first ground-truth record's time.
    public var firstTime: Timestamp
    /// Its ground-truth records.
    public var records: Set<EvidenceRecord>

    public static func < (a: TechniqueInstance, b: TechniqueInstance) -> Bool {
        (a.technique, a.campaign) < (b.technique, b.campaign)
    }
}

/// Ground truth indexed by record: which techniques (and campaigns) a record belongs to.
public struct GroundTruthIndex: Sendable {
    /// Per record, the (technique, campaign) pairs it carries.
    private var byRecord: [EvidenceRecord: [Key]] = [:]
    /// Every technique instance, sorted by technique then campaign.
    public private(set) var instances: [TechniqueInstance] = []

    struct Key: Hashable, Comparable {
        var technique: String
        var campaign: String
        static func < (a: Key, b: Key) -> Bool { (a.technique, a.campaign) < (b.technique, b.campaign) }
    }

    public init(_ rows: [GroundTruthRow]) {
        var found: [Key: TechniqueInstance] = [:]
        for row in rows {
            let e = EvidenceRecord(file: row.file, record: row.record)
            let key = Key(technique: row.label.technique, campaign: row.label.campaign)
            if !(byRecord[e]?.contains(key) ?? false) { byRecord[e, default: []].append(key) }
            if var i = found[key] {
                if row.time < i.firstTime { i.firstTime = row.time }
                if row.label.tactic < i.tactic { i.tactic = row.label.tactic }
                i.records.insert(e)
                found[key] = i
            } else {
                found[key] = TechniqueInstance(technique: key.technique, campaign: key.campaign, tactic: row.label.tactic,
                                               firstTime: row.time, records: [e])
            }
        }
        instances = found.keys.sorted().compactMap { found[$0] }
    }

    /// True when `record` is a ground-truth record (of any technique).
    public func isMalicious(_ record: EvidenceRecord) -> Bool { byRecord[record] != nil }

    /// True when some evidence record of `finding` is a ground-truth record.
    public func isTruePositive(_ finding: Finding) -> Bool { finding.evidence.contains { byRecord[$0] != nil } }

    /// The (technique, campaign) pairs `finding`'s evidence covers, sorted.
    public func covered(by finding: Finding) -> [(technique: String, campaign: String)] {
        var keys = Set<Key>()
        for e in finding.evidence { for k in byRecord[e] ?? [] { keys.insert(k) } }
        return keys.sorted().map { ($0.technique, $0.campaign) }
    }

    /// The ground-truth records of `finding`'s evidence that belong to `technique`.
    public func records(of technique: String, in finding: Finding) -> [EvidenceRecord] {
        finding.evidence.filter { byRecord[$0]?.contains { $0.technique == technique } ?? false }
    }
}

extension EvidenceRecord {
    /// The evidence record of an ingested event: its `log.file.path` relative to `root` and its
    /// `spoor.record`; nil when the event lacks either (it did not come through ingest).
    public init?(_ event: Event, root: String) {
        guard let path = event[Field.logFilePath]?.stringValue, let record = event[Field.spoorRecord]?.intValue else { return nil }
        self.init(path: path, root: root, record: Int(record))
    }

    /// The same for row `row` of a batch, without building the event.
    public init?(_ batch: EventBatch, row: Int, root: String) {
        guard let path = batch.value(row: row, field: Field.logFilePath)?.stringValue,
              let record = batch.value(row: row, field: Field.spoorRecord)?.intValue else { return nil }
        self.init(path: path, root: root, record: Int(record))
    }
}
