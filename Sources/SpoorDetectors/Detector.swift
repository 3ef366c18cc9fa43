import SpoorCore
import SpoorEvents

/// What a detector reports: a score in 0…1 for one entity over a span of time, the sub-scores it
/// was made of, and the events that are its evidence (provenance), so that a person can get back
/// to the exact input lines.
public struct DetectorFinding: Sendable, Hashable, Codable {
    /// The detector's name: `beaconing`, `dga`, `dns-tunnel`, `brute-force`, `rare-process`, `new-logon-path`, `exfiltration`.
    public var detector: String
    /// 0…1, higher is more suspicious. Comparable within one detector; thresholds are per detector.
    public var score: Double
    /// The parts the score was made of, in the detector's documented order.
    public var subscores: [Subscore]
    /// What the finding is about.
    public var entity: DetectorEntity
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// The ids of the evidence events as they were given to `observe` (case store ids), ascending,
    /// capped by the detector's documented evidence limit.
    public var evidence: [Int64]
    /// One line a person reads first ("10.0.0.5 → c2.example.org: 357 connections every ~60 s").
    public var summary: String

    public init(detector: String, score: Double, subscores: [Subscore], entity: DetectorEntity,
                firstSeen: Timestamp, lastSeen: Timestamp, evidence: [Int64], summary: String) {
        self.detector = detector
        self.score = score
        self.subscores = subscores
        self.entity = entity
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.evidence = evidence
        self.summary = summary
    }
}

/// One named part of a score.
public struct Subscore: Sendable, Hashable, Codable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}

/// The thing a finding is about, as a kind and its key parts (in a fixed order per kind).
///
/// Kinds in use: `source-destination` (source IP, destination IP or name), `source` (an address
/// that guesses passwords), `host` (a host name), `host-hour` (host, hour start ISO-8601),
/// `domain` (a DNS name), `source-domain-day` (source, registrable domain, day start),
/// `process-pair` (host, parent image, child image), `logon-path` (account, source, target).
public struct DetectorEntity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: String
    public var parts: [String]
    /// The organisation (client) the entity belongs to; empty when the events name none.
    public var organization: String

    public init(kind: String, parts: [String], organization: String = "") {
        self.kind = kind
        self.parts = parts
        self.organization = organization
    }

    /// `kind:part1→part2…` (with the organisation first when there is one).
    public var description: String {
        (organization.isEmpty ? "" : organization + "/") + kind + ":" + parts.joined(separator: "→")
    }
}

/// A detector reads events page by page (in the order they come, not necessarily time order)
/// and reports its findings at the end. Detectors are values: no I/O, no global state.
public protocol EventDetector: Sendable {
    /// The name findings carry in `DetectorFinding.detector`.
    var name: String { get }
    /// Reads one page. `ids[r]` is the id of row `r` (the case store id; a row number in tests).
    mutating func observe(_ batch: EventBatch, ids: [Int64])
    /// The findings over everything observed, highest score first.
    mutating func finish() -> [DetectorFinding]
}
