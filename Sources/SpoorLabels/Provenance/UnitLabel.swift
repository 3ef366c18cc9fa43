import SpoorCore
import SpoorDetectors

/// The label of one unit with its provenance: which functions voted and how, what the label
/// model made of them, the unit's features, and later the end model's score.
public struct UnitLabel: Sendable, Hashable, Codable {
    /// The unit's index in its labelling run.
    public var index: Int
    public var unit: UnitKey
    /// The label model's P(malicious).
    public var probability: Double
    /// Majority vote: 1 or 0, ties and silence as the documented policy gives them.
    public var majority: Double
    /// The end model's score, once trained.
    public var endScore: Double?
    /// The functions that voted, with their votes (abstentions left out).
    public var votes: [FunctionVote]
    /// The unit's features, in the run's feature order.
    public var features: [Double]
    /// Events in the unit, and the id of one of them (to get back to the input).
    public var events: Int
    public var firstEvent: Int64

    public init(index: Int, unit: UnitKey, probability: Double, majority: Double, endScore: Double? = nil,
                votes: [FunctionVote], features: [Double], events: Int, firstEvent: Int64) {
        self.index = index
        self.unit = unit
        self.probability = probability
        self.majority = majority
        self.endScore = endScore
        self.votes = votes
        self.features = features
        self.events = events
        self.firstEvent = firstEvent
    }
}

/// One function's vote on one unit.
public struct FunctionVote: Sendable, Hashable, Codable {
    public var function: String
    public var vote: Vote
    public init(_ function: String, _ vote: Vote) {
        self.function = function
        self.vote = vote
    }
}

/// What a labelling run recorded of one function: its definition, how many units it voted on,
/// and the label model's estimates as JSON (the model's own names).
public struct FunctionRecord: Sendable, Hashable, Codable {
    public var function: LabelingFunction
    public var coverage: Int
    public var estimate: String
    public init(function: LabelingFunction, coverage: Int, estimate: String) {
        self.function = function
        self.coverage = coverage
        self.estimate = estimate
    }
}
