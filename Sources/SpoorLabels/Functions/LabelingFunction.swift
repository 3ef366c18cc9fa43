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

    public init() {}

    /// The index of the function named `f.name`, adding it when new.
    @discardableResult
    public mutating func add(_ f: LabelingFunction) -> Int {
        if let i = byName[f.name] { return i }
        let i = functions.count
        functions.append(f)
        byName[f.name] = i
        votes.append([:])
        return i
    }

    /// Function `function` votes `vote` on `unit` (negative units are ignored: events in no unit).
    public mutating func vote(_ function: Int, unit: Int32, _ vote: Vote) {
        guard unit >= 0, vote != .abstain else { return }
        if let old = votes[function][unit], old == .malicious { return }
        votes[function][unit] = vote
    }

    /// Function `function` casts its own vote on each unit.
    public mutating func vote<S: Sequence>(_ function: Int, units: S) where S.Element == Int32 {
        let v = functions[function].vote
        for u in units { vote(function, unit: u, v) }
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

    /// Drops functions that voted on no unit (they carry no information and cannot be fitted).
    public mutating func dropSilent() {
        let keep = functions.indices.filter { !votes[$0].isEmpty }
        functions = keep.map { functions[$0] }
        votes = keep.map { votes[$0] }
        byName = Dictionary(uniqueKeysWithValues: functions.enumerated().map { ($1.name, $0) })
    }
}
