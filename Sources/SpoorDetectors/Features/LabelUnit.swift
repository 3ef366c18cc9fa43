import SpoorCore
import SpoorEvents

/// What a label is about: an entity during a window of time, so that a label is about
/// something a person would triage ("this host during this hour"), not a lone log line.
///
/// - `host-hour`: a host (its `host.name`; for flows that name no host, the internal end of the
///   flow) during one UTC hour. The default: attacks on hosts leave traces across sources within
///   the hour, and an analyst triages a host's hour.
/// - `user-day`: an account (`user.name`, case-folded) during one UTC day.
/// - `pair-day`: a source address and a destination (address or name) during one UTC day — the
///   unit of beaconing and exfiltration.
///
/// Events that name none of a kind's entity belong to no unit of that kind.
public enum UnitKind: String, Sendable, Hashable, Codable, CaseIterable {
    case hostHour = "host-hour"
    case userDay = "user-day"
    case pairDay = "pair-day"

    /// The window's length in microseconds.
    public var window: Int64 {
        switch self {
        case .hostHour: 3_600_000_000
        case .userDay, .pairDay: 86_400_000_000
        }
    }
}

/// One unit: its kind, the organisation (client), the entity and the window's start.
public struct UnitKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: UnitKind
    public var organization: String
    public var entity: String
    public var start: Timestamp

    public init(kind: UnitKind, organization: String, entity: String, start: Timestamp) {
        self.kind = kind
        self.organization = organization
        self.entity = entity
        self.start = start
    }

    public static func < (a: UnitKey, b: UnitKey) -> Bool {
        (a.start, a.organization, a.entity) < (b.start, b.organization, b.entity)
    }

    /// `org/entity@2024-03-04T08:00:00Z`.
    public var description: String {
        (organization.isEmpty ? "" : organization + "/") + entity + "@" + start.description
    }

    /// The UTC day the unit starts in (midnight), for per-day counts over units of any kind.
    public var day: Timestamp { Self.windowStart(start, kind: .userDay) }

    /// The window's start for time `t`.
    public static func windowStart(_ t: Timestamp, kind: UnitKind) -> Timestamp {
        let w = kind.window
        let m = t.microseconds
        return Timestamp(microseconds: m >= 0 ? m - m % w : m - ((m % w) + w) % w)
    }
}
