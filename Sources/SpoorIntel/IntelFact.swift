import SpoorCore
import SpoorIndicators

/// Whether a piece of intel says an indicator is bad or known to be benign.
public enum IntelPolarity: String, Sendable, Hashable, Codable {
    /// A feed, a STIX indicator or a MISP attribute that marks it as malicious or suspicious.
    case malicious
    /// A warninglist or an allow list: known infrastructure, not evidence of an attack.
    case benign
}

/// One dated, sourced statement about one indicator: what every intel format comes down to
/// when it names indicators by value. Patterns that are more than one equality stay
/// patterns (``IntelPattern``) and are matched against observations instead.
public struct IntelFact: Sendable, Hashable, Codable {
    public var indicator: Indicator
    public var polarity: IntelPolarity
    /// The feed or file it came from (`abuse.ch urlhaus`, `misp-warninglists/google-dns`, a
    /// STIX bundle's id), as the user will read it.
    public var source: String
    /// When the source says it became valid (STIX `valid_from`, a MISP attribute's timestamp,
    /// a feed's date); nil when it does not say.
    public var validFrom: Timestamp?
    /// When it stops being valid (STIX `valid_until`); nil when open.
    public var validUntil: Timestamp?
    /// Labels, tags, malware families, threat actors, ATT&CK technique ids named with it.
    public var labels: [String]
    /// 0…100 when the source gives one.
    public var confidence: Int?
    /// The source's own id for the statement (a STIX indicator id, a MISP attribute uuid).
    public var reference: String?
    /// Free text the source gives (a description, a comment).
    public var note: String?

    public init(indicator: Indicator, polarity: IntelPolarity, source: String, validFrom: Timestamp? = nil,
                validUntil: Timestamp? = nil, labels: [String] = [], confidence: Int? = nil,
                reference: String? = nil, note: String? = nil) {
        self.indicator = indicator
        self.polarity = polarity
        self.source = source
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.labels = labels
        self.confidence = confidence
        self.reference = reference
        self.note = note
    }

    /// True when the fact holds at `time` (an open end counts as valid).
    public func isValid(at time: Timestamp) -> Bool {
        if let from = validFrom, time < from { return false }
        if let until = validUntil, time >= until { return false }
        return true
    }
}
