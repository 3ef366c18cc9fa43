import SpoorCore
import SpoorEvents

/// A first look at a case: what was read, over what time, and where failures come from.
///
/// Computed in one pass over the columnar working set. It is the analysis that the foundation
/// supports; detections, indicators and labels extend `spoor analyze` as their stages land.
public struct CaseSummary: Sendable, Codable {
    public struct Count: Sendable, Codable, Hashable {
        public var value: String
        public var count: Int
    }

    public var events: Int
    public var first: Timestamp?
    public var last: Timestamp?
    /// Events per parser (`spoor.parser`).
    public var byParser: [Count]
    /// Events per `event.dataset`, or per parser where a format has no datasets.
    public var byCategory: [Count]
    /// `event.action` values, most frequent first.
    public var topActions: [Count]
    /// Source addresses of events whose outcome is failure, most frequent first.
    public var failureSources: [Count]
    /// User names of events whose outcome is failure, most frequent first.
    public var failureUsers: [Count]
    /// Hosts that logged, most frequent first.
    public var hosts: [Count]

    /// Summarises `batch`, keeping the `top` most frequent values of each list.
    public init(_ batch: EventBatch, top: Int = 10) {
        events = batch.count
        var lo = Int64.max, hi = Int64.min
        if let ts = batch.column(Field.timestamp), ts.kind == .timestamp {
            for r in 0..<batch.count where ts.valid[r] {
                lo = min(lo, ts.integers[r])
                hi = max(hi, ts.integers[r])
            }
        }
        first = lo == .max ? nil : Timestamp(microseconds: lo)
        last = hi == .min ? nil : Timestamp(microseconds: hi)
        byParser = CaseSummary.counts(batch, Field.spoorParser, top: top)
        byCategory = CaseSummary.counts(batch, Field.eventCategory, top: top)
        topActions = CaseSummary.counts(batch, Field.eventAction, top: top)
        hosts = CaseSummary.counts(batch, Field.hostName, top: top)
        let failed: (Int) -> Bool = { r in batch.value(row: r, field: Field.eventOutcome)?.stringValue == "failure" }
        failureSources = CaseSummary.counts(batch, Field.sourceIP, top: top, where: failed)
        failureUsers = CaseSummary.counts(batch, Field.userName, top: top, where: failed)
    }

    /// Value counts of one column, most frequent first (ties by value), as text.
    static func counts(_ batch: EventBatch, _ field: String, top: Int, where keep: ((Int) -> Bool)? = nil) -> [Count] {
        guard let c = batch.columnIndex[field] else { return [] }
        let col = batch.columns[c]
        var tally: [String: Int] = [:]
        if col.kind == .string {
            // Count symbols first (cheap), decode each distinct value once.
            var bySymbol: [UInt32: Int] = [:]
            for r in 0..<batch.count where col.symbols[r] != 0 && (keep?(r) ?? true) { bySymbol[col.symbols[r], default: 0] += 1 }
            for (s, n) in bySymbol { tally[batch.symbols.string(s) ?? "", default: 0] += n }
        } else if col.kind == .stringList {
            for r in 0..<batch.count where keep?(r) ?? true {
                if case .list(let items)? = batch.value(row: r, column: c) { for i in items { tally[i, default: 0] += 1 } }
            }
        } else {
            for r in 0..<batch.count where keep?(r) ?? true {
                if let v = batch.value(row: r, column: c) { tally[v.description, default: 0] += 1 }
            }
        }
        return tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(top).map { Count(value: $0.key, count: $0.value) }
    }
}

extension Workspace {
    /// Summarises the events in the case (see ``CaseSummary``).
    public func summary(top: Int = 10) async throws -> CaseSummary {
        CaseSummary(try await events(), top: top)
    }
}
