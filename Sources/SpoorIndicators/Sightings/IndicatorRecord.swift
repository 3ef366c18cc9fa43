import SpoorCore

/// One indicator of a case with the summary of its sightings.
public struct IndicatorRecord: Sendable, Hashable, Codable {
    public var indicator: Indicator
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var sightings: Int
    /// Distinct hosts, sources, places and roles it was seen with.
    public var hosts: [String]
    public var sources: [String]
    public var places: [SightingPlace]
    public var roles: [SightingRole]
    /// Intel facts that name it (malicious and benign), by source.
    public var intel: [String]

    public init(indicator: Indicator, firstSeen: Timestamp, lastSeen: Timestamp, sightings: Int, hosts: [String] = [],
                sources: [String] = [], places: [SightingPlace] = [], roles: [SightingRole] = [], intel: [String] = []) {
        self.indicator = indicator
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.sightings = sightings
        self.hosts = hosts
        self.sources = sources
        self.places = places
        self.roles = roles
        self.intel = intel
    }
}
