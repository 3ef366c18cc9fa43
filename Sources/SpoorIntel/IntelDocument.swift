import SpoorCore
import SpoorIndicators

/// What one intel file yields, whatever its format (STIX 2.x bundle, MISP event).
///
/// Import never stops at a bad object: each object that cannot be read becomes an
/// ``IntelProblem`` and the rest of the file is still read.
public struct IntelDocument: Sendable {
    /// Indicators named by value: STIX patterns that are a disjunction of equalities, MISP attributes.
    public var facts: [IntelFact] = []
    /// STIX indicators whose pattern is more than a disjunction of equalities.
    public var patterns: [IntelPattern] = []
    /// What the feed saw (STIX sighting objects).
    public var sightings: [IntelSighting] = []
    /// Malware, threat actors, campaigns, attack patterns, intrusion sets, tools, MISP galaxy clusters.
    public var entities: [IntelEntity] = []
    public var relationships: [IntelRelationship] = []
    /// Objects that could not be read, or parts of them that were skipped.
    public var problems: [IntelProblem] = []
    /// Objects read, by type (`indicator`, `malware`, …; MISP: `misp-event`, `misp-attribute`,
    /// `misp-object`, and `misp-attribute:<type>` per attribute type).
    public var counts: [String: Int] = [:]

    public init() {}

    /// Appends another document's content (several files of one feed).
    public mutating func merge(_ other: IntelDocument) {
        facts += other.facts
        patterns += other.patterns
        sightings += other.sightings
        entities += other.entities
        relationships += other.relationships
        problems += other.problems
        counts.merge(other.counts, uniquingKeysWith: +)
    }
}

/// A STIX indicator whose pattern is matched against observations rather than looked up by value.
public struct IntelPattern: Sendable {
    /// The STIX indicator id.
    public var id: String
    /// The file or feed it came from.
    public var source: String
    public var pattern: STIXPattern
    public var validFrom: Timestamp?
    public var validUntil: Timestamp?
    /// The indicator's labels and types, then the names of the malware, threat actors, intrusion
    /// sets, campaigns and attack patterns it `indicates` (resolved through relationships).
    public var labels: [String]
    /// The indicator's name, or the pattern text when it has none.
    public var text: String

    public init(id: String, source: String, pattern: STIXPattern, validFrom: Timestamp?, validUntil: Timestamp?, labels: [String], text: String) {
        self.id = id; self.source = source; self.pattern = pattern
        self.validFrom = validFrom; self.validUntil = validUntil; self.labels = labels; self.text = text
    }

    /// True when the pattern is valid at `time` (STIX `valid_until` is exclusive).
    public func isValid(at time: Timestamp) -> Bool {
        if let from = validFrom, time < from { return false }
        if let until = validUntil, time >= until { return false }
        return true
    }
}

/// A STIX sighting object: something the feed's producer saw (STIX 2.1 §5.2).
public struct IntelSighting: Sendable, Hashable {
    public var id: String
    public var source: String
    /// The sighted object's id (`sighting_of_ref`): an indicator, a malware, …
    public var sightingOf: String
    /// The indicators named by value by the sighted indicator, when it is one.
    public var indicators: [Indicator]
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    /// `count` (STIX: 0…999,999,999); nil when the object does not say.
    public var count: Int?
    public var observedDataRefs: [String]
    public var whereSightedRefs: [String]
    /// Names of the `where_sighted_refs` identities and locations when the bundle has them.
    public var whereSightedNames: [String]

    public init(id: String, source: String, sightingOf: String, indicators: [Indicator] = [], firstSeen: Timestamp? = nil,
                lastSeen: Timestamp? = nil, count: Int? = nil, observedDataRefs: [String] = [],
                whereSightedRefs: [String] = [], whereSightedNames: [String] = []) {
        self.id = id; self.source = source; self.sightingOf = sightingOf; self.indicators = indicators
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.count = count
        self.observedDataRefs = observedDataRefs; self.whereSightedRefs = whereSightedRefs; self.whereSightedNames = whereSightedNames
    }
}

/// A named thing intel talks about: malware, threat actor, campaign, attack pattern,
/// intrusion set, tool, vulnerability (STIX SDOs), or a MISP galaxy cluster.
public struct IntelEntity: Sendable, Hashable {
    public var id: String
    /// The STIX type (`malware`, `threat-actor`, …) or, for MISP, the galaxy type.
    public var type: String
    public var name: String
    public var aliases: [String]
    /// External ids (`T1059.001`, `S0002`, `CVE-2021-44228`), from `external_references`.
    public var externalIDs: [String]
    public var labels: [String]
    public var isRevoked: Bool

    public init(id: String, type: String, name: String, aliases: [String] = [], externalIDs: [String] = [], labels: [String] = [], isRevoked: Bool = false) {
        self.id = id; self.type = type; self.name = name; self.aliases = aliases
        self.externalIDs = externalIDs; self.labels = labels; self.isRevoked = isRevoked
    }
}

/// A STIX relationship object (`indicates`, `uses`, `attributed-to`, …).
public struct IntelRelationship: Sendable, Hashable {
    public var id: String
    public var type: String
    public var sourceRef: String
    public var targetRef: String

    public init(id: String, type: String, sourceRef: String, targetRef: String) {
        self.id = id; self.type = type; self.sourceRef = sourceRef; self.targetRef = targetRef
    }
}

/// One object (or part of one) that import skipped, and why. Never holds the object's values.
public struct IntelProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file or feed name given to the importer.
    public var file: String
    /// The object's index in the bundle's `objects` (or the event's attribute list); nil for the whole file.
    public var index: Int?
    /// The object's id or uuid when it has one.
    public var objectID: String?
    public var message: String

    public init(file: String, index: Int? = nil, objectID: String? = nil, message: String) {
        self.file = file; self.index = index; self.objectID = objectID; self.message = message
    }

    public var description: String {
        var s = file
        if let index { s += "#\(index)" }
        if let objectID { s += " (\(objectID))" }
        return s + ": " + message
    }
}

extension IntelDocument {
    /// An intel file's JSON, or nil with the reason recorded as a problem (too large, not JSON).
    mutating func parseJSON(_ bytes: [UInt8], source: String, maximumSize: Int) -> JSONValue? {
        guard bytes.count <= maximumSize else {
            problems.append(IntelProblem(file: source, message: "file larger than \(maximumSize) bytes"))
            return nil
        }
        do { return try JSONParser(maximumDepth: 64).parse(bytes.span) } catch {
            problems.append(IntelProblem(file: source, message: "not JSON: \(error)"))
            return nil
        }
    }
}
