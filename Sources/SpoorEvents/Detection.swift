import SpoorCore

/// Something a rule or a detector found: one event (a Sigma match) or several (a correlation),
/// with the rule's identity and the events' provenance, as the case store keeps it.
public struct Detection: Sendable, Hashable, Codable {
    /// What produced it: `sigma`, `sigma-correlation`, later the detectors' own names.
    public var engine: String
    /// The rule's id (a UUID for Sigma rules) or, without one, its title.
    public var ruleID: String
    public var title: String
    /// `informational`, `low`, `medium`, `high` or `critical`.
    public var level: String
    /// The rule's tags (`attack.t1003.001`, `attack.credential-access`).
    public var tags: [String]
    /// The time of the event (a correlation: of its last event).
    public var time: Timestamp
    /// The case store ids of the events, in time order (one for a plain match).
    public var eventIDs: [Int64]
    /// Extra facts as JSON text: a correlation's group and aggregate, say. `{}` when none.
    public var details: String

    public init(engine: String, ruleID: String, title: String, level: String, tags: [String], time: Timestamp,
                eventIDs: [Int64], details: String = "{}") {
        self.engine = engine
        self.ruleID = ruleID
        self.title = title
        self.level = level
        self.tags = tags
        self.time = time
        self.eventIDs = eventIDs
        self.details = details
    }

    /// The ATT&CK technique and tactic tags.
    public var attackTags: [String] { tags.filter { $0.lowercased().hasPrefix("attack.") } }
}
