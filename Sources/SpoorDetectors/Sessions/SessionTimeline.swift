import SpoorCore
import SpoorEvents

/// Who was logged on where and when: logon sessions built from a case's events.
///
/// ```swift
/// let timeline = SessionTimeline(events, policy: SessionPolicy())
/// let present = timeline.present(host: "DC01", at: t)      // people at a keyboard at t
/// ```
public struct SessionTimeline: Sendable {
    /// Every session, ordered by host, then start.
    public private(set) var sessions: [LogonSession]
    /// The last event time in the data (sessions still open then have no end).
    public private(set) var dataEnd: Timestamp?

    public init(sessions: [LogonSession], dataEnd: Timestamp?) {
        self.sessions = sessions.sorted { ($0.host, $0.start, $0.sessionID) < ($1.host, $1.start, $1.sessionID) }
        self.dataEnd = dataEnd
    }

    /// Builds the timeline from events (any order; they are read in time order).
    public init(_ batch: EventBatch, policy: SessionPolicy = SessionPolicy()) {
        var builder = SessionBuilder(batch: batch, policy: policy)
        let (sessions, end) = builder.build()
        self.init(sessions: sessions, dataEnd: end)
    }

    /// Sessions on `host` (case-insensitive; all hosts when nil) that include `at` (all when nil).
    public func sessions(host: String? = nil, at: Timestamp? = nil) -> [LogonSession] {
        sessions.filter { s in
            (host.map { s.host.lowercased() == $0.lowercased() } ?? true) && (at.map { s.contains($0) } ?? true)
        }
    }

    /// The sessions in which a person was present on `host` at `t`.
    public func present(host: String? = nil, at t: Timestamp) -> [LogonSession] {
        sessions(host: host, at: t).filter { $0.isPresent(at: t) }
    }
}

