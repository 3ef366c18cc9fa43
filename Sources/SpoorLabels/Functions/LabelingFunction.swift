/// A labelling function as spoor keeps it: a name, where its votes come from, and the vote it
/// casts. Functions here vote one way only (a Sigma rule says "malicious" or nothing; a
/// warninglist says "benign" or nothing); the label model estimates how often each is right.
public struct LabelingFunction: Sendable, Hashable, Codable {
    /// Where the votes come from.
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        /// Sigma detections of one level (`sigma:high`).
        case sigma
        /// Matches of a malicious intel source (`intel:<source>`).
        case intel
        /// Indicators on a MISP warninglist (`warninglist`): benign votes.
        case warninglist
        /// A detector's findings at or above its threshold (`detector:<name>`).
        case detector
        /// A user-written function: a Sigma rule tagged `spoor.vote.malicious` or `spoor.vote.benign`.
        case user
    }

    /// Unique within a labelling run: `sigma:high`, `intel:urlhaus`, `detector:beaconing`, `user:<rule id>`.
    public var name: String
    public var source: Source
    /// The vote it casts on the units it covers.
    public var vote: Vote
    /// What it means, for reports ("Sigma rules of level high", "beaconing score ≥ 0.8").
    public var summary: String

    public init(name: String, source: Source, vote: Vote, summary: String) {
        self.name = name
        self.source = source
        self.vote = vote
        self.summary = summary
    }
}

/// Collects votes of labelling functions on units, as they are found (a detection's events, an
/// intel match's sightings), and hands them to the label model as columns.
///
/// A function that would vote both ways on one unit (two of its matches disagree) votes
/// malicious there: evidence of an attack is not cancelled by benign evidence of the same kind.
public struct VoteCollector: Sendable {
    public private(set) var functions: [LabelingFunction] = []
    private var byName: [String: Int] = [:]
    /// Sparse votes per function: unit → vote.
    private var votes: [[Int32: Vote]] = []
    /// The events each vote rests on, where known: function → unit → event ids.
    private var evidence: [[Int32: [Int64]]] = []
    /// Events kept per vote (enough to tell whether two functions saw the same events).
    public static let evidencePerVote = 64

    public init() {}

    /// The index of the function named `f.name`, adding it when new.
    @discardableResult
    public mutating func add(_ f: LabelingFunction) -> Int {
        if let i = byName[f.name] { return i }
        let i = functions.count
        functions.append(f)
        byName[f.name] = i
        votes.append([:])
        evidence.append([:])
        return i
    }

    /// Function `function` votes `vote` on `unit` (negative units are ignored: events in no unit).
    public mutating func vote(_ function: Int, unit: Int32, _ vote: Vote) {
        guard unit >= 0, vote != .abstain else { return }
        if let old = votes[function][unit], old == .malicious { return }
        votes[function][unit] = vote
    }

    /// Function `function` votes `vote` on `unit` because of `event`.
    public mutating func vote(_ function: Int, unit: Int32, _ vote: Vote, event: Int64) {
        guard unit >= 0, vote != .abstain else { return }
        self.vote(function, unit: unit, vote)
        guard votes[function][unit] == vote else { return }
        evidence[function][unit, default: []].appendIfRoom(event, limit: Self.evidencePerVote)
    }

    /// Function `function` casts its own vote on the unit of each event (`unitOf` nil: in no unit).
    public mutating func vote(_ function: Int, events: [Int64], unitOf: (Int64) -> Int32?) {
        let v = functions[function].vote
        for e in events { if let u = unitOf(e) { vote(function, unit: u, v, event: e) } }
    }

    /// `copy` votes as `original` did on each unit where `keep()` says so, with the original's
    /// events when `events` (for experiments on dependent functions).
    public mutating func copyVotes(of original: Int, to copy: Int, events: Bool, keep: () -> Bool) {
        for (u, v) in votes[original].sorted(by: { $0.key < $1.key }) where keep() {
            vote(copy, unit: u, v)
            if events, let e = evidence[original][u] { evidence[copy][u] = e }
        }
    }

    /// Two functions that voted on a unit because of the same events saw one thing, not two: on
    /// each unit, the functions' malicious votes are taken from the most specific function (least
    /// coverage) to the least, and a vote whose events were all already counted for another
    /// function there is dropped (a rare process pair and a rule on that same process start; a
    /// brute-force detector and the rules on the same failed logons). Votes without recorded
    /// events are kept. Returns how many votes each function lost.
    @discardableResult
    public mutating func dropRepeatedEvidence() -> [String: Int] {
        var byUnit: [Int32: [Int]] = [:]
        for f in functions.indices {
            for (u, v) in votes[f] where v == .malicious && evidence[f][u] != nil { byUnit[u, default: []].append(f) }
        }
        let coverage = self.coverage
        var dropped: [String: Int] = [:]
        for (u, fs) in byUnit where fs.count > 1 {
            var counted = Set<Int64>()
            for f in fs.sorted(by: { (coverage[$0], $0) < (coverage[$1], $1) }) {
                let events = evidence[f][u] ?? []
                if events.allSatisfy(counted.contains) {
                    votes[f][u] = nil
                    evidence[f][u] = nil
                    dropped[functions[f].name, default: 0] += 1
                } else {
                    counted.formUnion(events)
                }
            }
        }
        return dropped
    }

    /// The index of the function named `name`, if any.
    public func index(of name: String) -> Int? { byName[name] }

    /// The votes of one function, by unit (ascending).
    public func votes(of function: Int) -> [(unit: Int32, vote: Vote)] {
        votes[function].sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// How many units each function voted on.
    public var coverage: [Int] { votes.map(\.count) }

    /// The votes as dense columns over `unitCount` units (abstain where a function said nothing).
    public func columns(unitCount: Int) -> [[Vote]] {
        votes.map { sparse in
            var c = [Vote](repeating: .abstain, count: unitCount)
            for (u, v) in sparse where Int(u) < unitCount { c[Int(u)] = v }
            return c
        }
    }

    /// The votes one unit received, by function name (abstentions left out).
    public func votes(unit: Int32) -> [(function: String, vote: Vote)] {
        functions.indices.compactMap { i in votes[i][unit].map { (functions[i].name, $0) } }
    }

    /// Suppresses each function's malicious votes on an entity it votes on in `days` or more
    /// different periods: such a function describes the entity's routine (a server exposed to
    /// internet password guessing, an administrator's daily script), not an event. Analysts
    /// tune these out by suppression; left in, they are the strongest agreement in the data and
    /// the label model takes the routine for the attack. `entity` and `period` give each unit's
    /// entity and period (a day). Returns, per function, the entities suppressed and their votes.
    @discardableResult
    public mutating func suppressRoutine(days: Int, entity: (Int32) -> String, period: (Int32) -> Int64)
        -> [(function: String, entity: String, periods: Int, votes: Int)] {
        guard days > 0 else { return [] }
        var out: [(function: String, entity: String, periods: Int, votes: Int)] = []
        for f in functions.indices {
            var periods: [String: Set<Int64>] = [:]
            for (u, v) in votes[f] where v == .malicious { periods[entity(u), default: []].insert(period(u)) }
            let routine = periods.filter { $0.value.count >= days }
            guard !routine.isEmpty else { continue }
            var dropped: [String: Int] = [:]
            for (u, v) in votes[f] where v == .malicious {
                let e = entity(u)
                if routine[e] != nil {
                    votes[f][u] = nil
                    evidence[f][u] = nil
                    dropped[e, default: 0] += 1
                }
            }
            for (e, n) in dropped.sorted(by: { $0.key < $1.key }) {
                out.append((functions[f].name, e, routine[e]?.count ?? 0, n))
            }
        }
        return out
    }

    /// Drops functions that voted on no unit (they carry no information and cannot be fitted).
    public mutating func dropSilent() {
        let silent = votes.map(\.isEmpty)
        keepFunctions { !silent[$0] }
    }

    /// Keeps only the functions whose index satisfies `keep` (their order kept); returns the names
    /// of those dropped.
    @discardableResult
    public mutating func keepFunctions(where wanted: (Int) -> Bool) -> [String] {
        let dropped = functions.indices.filter { !wanted($0) }.map { functions[$0].name }
        let keep = functions.indices.filter(wanted)
        functions = keep.map { functions[$0] }
        votes = keep.map { votes[$0] }
        evidence = keep.map { evidence[$0] }
        byName = Dictionary(uniqueKeysWithValues: functions.enumerated().map { ($1.name, $0) })
        return dropped
    }
}

extension Array {
    fileprivate mutating func appendIfRoom(_ x: Element, limit: Int) {
        if count < limit { append(x) }
    }
}
