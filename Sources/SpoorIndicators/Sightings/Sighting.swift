import SpoorCore

/// One sighting: an indicator seen in one event's field, with where and in which part.
public struct Sighting: Sendable, Hashable {
    public var indicator: Indicator
    public var time: Timestamp
    /// The client (`organization.id`).
    public var organization: String
    /// The host it was seen on or by (`host.name`, else the sensor `observer.hostname`, else "").
    public var host: String
    /// What reported it (`event.dataset`, else `spoor.parser`).
    public var source: String
    public var place: SightingPlace
    public var role: SightingRole
    /// The event field it was found in (`destination.ip`, `process.command_line`).
    public var field: String
    /// The decodings that revealed it, outermost first, joined by `>` (`base64>utf16le`); "" as written.
    public var decoding: String
    /// The event's row in its batch.
    public var row: Int

    public init(indicator: Indicator, time: Timestamp, organization: String, host: String, source: String,
                place: SightingPlace, role: SightingRole, field: String, decoding: String = "", row: Int) {
        self.indicator = indicator
        self.time = time
        self.organization = organization
        self.host = host
        self.source = source
        self.place = place
        self.role = role
        self.field = field
        self.decoding = decoding
        self.row = row
    }
}

/// Sightings summed per indicator, client, host, source, place, role, field, decoding and hour:
/// the time series the case store keeps (daily buckets are sums of these).
public struct SightingBucket: Sendable, Hashable {
    public struct Key: Sendable, Hashable {
        public var indicator: Indicator
        public var organization: String
        public var host: String
        public var source: String
        public var place: SightingPlace
        public var role: SightingRole
        public var field: String
        public var decoding: String
        /// Hours since the Unix epoch (UTC).
        public var hour: Int64

        public init(indicator: Indicator, organization: String, host: String, source: String, place: SightingPlace,
                    role: SightingRole, field: String, decoding: String, hour: Int64) {
            self.indicator = indicator
            self.organization = organization
            self.host = host
            self.source = source
            self.place = place
            self.role = role
            self.field = field
            self.decoding = decoding
            self.hour = hour
        }
    }

    public var key: Key
    public var count: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// The case store id of the first event in the bucket (provenance: one event to open).
    public var firstEvent: Int64

    public init(key: Key, count: Int, firstSeen: Timestamp, lastSeen: Timestamp, firstEvent: Int64) {
        self.key = key
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.firstEvent = firstEvent
    }

    public static let microsecondsPerHour: Int64 = 3_600_000_000

    /// The hour of a time (floor division, so times before 1970 fall in the right hour).
    public static func hour(of t: Timestamp) -> Int64 {
        let us = t.microseconds
        return us >= 0 ? us / microsecondsPerHour : -((-us - 1) / microsecondsPerHour) - 1
    }
}

/// Sums sightings into hourly buckets.
public struct SightingAccumulator: Sendable {
    public private(set) var buckets: [SightingBucket.Key: SightingBucket] = [:]
    public private(set) var sightings = 0

    public init() {}

    public mutating func add(_ s: Sighting, eventID: Int64) {
        sightings += 1
        let key = SightingBucket.Key(indicator: s.indicator, organization: s.organization, host: s.host, source: s.source,
                                     place: s.place, role: s.role, field: s.field, decoding: s.decoding,
                                     hour: SightingBucket.hour(of: s.time))
        if var b = buckets[key] {
            b.count += 1
            if s.time < b.firstSeen { b.firstSeen = s.time; b.firstEvent = eventID }
            if s.time > b.lastSeen { b.lastSeen = s.time }
            buckets[key] = b
        } else {
            buckets[key] = SightingBucket(key: key, count: 1, firstSeen: s.time, lastSeen: s.time, firstEvent: eventID)
        }
    }

    /// The buckets so far, and an empty accumulator.
    public mutating func drain() -> [SightingBucket] {
        defer { buckets.removeAll(keepingCapacity: true) }
        return Array(buckets.values)
    }
}
