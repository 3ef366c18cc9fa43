import Foundation
import SpoorCore
import SpoorDetectors
import SpoorLabels
import SpoorLearn
import SpoorStore

/// What training the end model did.
public struct TrainReport: Sendable, Codable {
    public var run: Int64
    public var labelRun: Int64
    public var model: Int64
    public var kind: String
    public var version: String
    public var units: Int
    /// Σ P(malicious) over the training units: the expected number of malicious units.
    public var expectedPositives: Double
    public var trees: Int
    public var featureImportance: [Importance]
    public var seconds: Double

    public struct Importance: Sendable, Codable {
        public var feature: String
        public var importance: Double
    }
}

extension Workspace {
    /// The end model's parameters: small trees, many of them, for a few thousand to a few
    /// million units with rare positives.
    public static func endModelParameters(seed: UInt64 = 1) -> GradientBoostedTrees.Parameters {
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 150
        p.learningRate = 0.1
        p.maximumLeaves = 15
        p.minimumSamplesPerLeaf = 5
        p.l2Regularization = 1
        p.seed = seed
        return p
    }

    /// Trains the end model (gradient-boosted trees) on the newest labelling run: the units'
    /// behaviour features as inputs and the label model's probabilities as soft targets — never
    /// the functions' own votes, so that it can rank units no function voted on. Stores the model
    /// and each unit's score.
    public func train(parameters: GradientBoostedTrees.Parameters = Workspace.endModelParameters(), arguments: [String] = []) async throws -> TrainReport {
        let started = Date()
        guard let (labelRun, labels) = try await labels(), !labels.isEmpty else {
            throw WorkspaceError.nothingToTrain
        }
        let run = try await store.beginRun(command: "train", arguments: arguments)
        let x = try Self.featureMatrix(labels, names: labelRun.featureNames)
        let model = try GradientBoostedTrees(fitting: x, targets: labels.map(\.probability), parameters: parameters)
        let scores = try model.predictProbability(x)
        let json = String(decoding: try model.jsonData(), as: UTF8.self)
        let parametersJSON = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        let id = try await store.storeModel(run: run, labelRun: labelRun.run, kind: "gradient-boosted-trees", version: GradientBoostedTrees.formatVersion,
                                            parameters: parametersJSON, model: json)
        try await store.setEndScores(run: labelRun.run, scores: labels.indices.map { (labels[$0].index, scores[$0]) })
        let report = TrainReport(run: run.rawValue, labelRun: labelRun.run.rawValue, model: id, kind: "gradient-boosted-trees",
                                 version: GradientBoostedTrees.formatVersion, units: labels.count,
                                 expectedPositives: labels.reduce(0) { $0 + $1.probability }, trees: model.trees.count,
                                 featureImportance: model.featureImportance.map { .init(feature: $0.name, importance: $0.importance) },
                                 seconds: Date().timeIntervalSince(started))
        try await store.finishRun(run, summary: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return report
    }

    static func featureMatrix(_ labels: [UnitLabel], names: [String]) throws -> FeatureMatrix {
        var columns = Array(repeating: [Double](repeating: 0, count: labels.count), count: names.count)
        for (r, l) in labels.enumerated() {
            for c in 0..<min(names.count, l.features.count) { columns[c][r] = l.features[c] }
        }
        return try FeatureMatrix(names: names, columns: columns)
    }
}

/// A stage asked for something the case does not have yet.
public enum WorkspaceError: Error, CustomStringConvertible {
    case nothingToTrain
    case notLabelled
    /// Input a stage cannot use, with where and why.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .nothingToTrain: "the case has no labels to train on: run `spoor label --case DIR` first"
        case .notLabelled: "the case has not been labelled: run `spoor label --case DIR` first"
        case .invalidInput(let why): why
        }
    }
}
