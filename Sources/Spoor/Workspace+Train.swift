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
    /// Whether a model trained before was applied (no fit; `model` is that model's id in its case).
    public var applied: Bool
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
    /// and each unit's score. With `applying`, a model trained before (another case, an earlier
    /// period) scores the units instead, and nothing is fitted.
    public func train(parameters: GradientBoostedTrees.Parameters = Workspace.endModelParameters(),
                      applying given: (model: GradientBoostedTrees, id: Int64)? = nil, arguments: [String] = []) async throws -> TrainReport {
        let started = Date()
        guard let (labelRun, labels) = try await labels(), !labels.isEmpty else {
            throw WorkspaceError.nothingToTrain
        }
        let run = try await store.beginRun(command: "train", arguments: arguments)
        let x = try Self.featureMatrix(labels, names: labelRun.featureNames)
        let model: GradientBoostedTrees
        let id: Int64
        if let given {
            guard given.model.featureNames == labelRun.featureNames else {
                throw WorkspaceError.invalidInput("the end model was trained on the features \(given.model.featureNames.joined(separator: ", ")); this case's units have \(labelRun.featureNames.joined(separator: ", "))")
            }
            (model, id) = given
        } else {
            model = try GradientBoostedTrees(fitting: x, targets: labels.map(\.probability), parameters: parameters)
            let json = String(decoding: try model.jsonData(), as: UTF8.self)
            let parametersJSON = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
            id = try await store.storeModel(run: run, labelRun: labelRun.run, kind: Self.endModelKind, version: GradientBoostedTrees.formatVersion,
                                            parameters: parametersJSON, model: json)
        }
        let scores = try model.predictProbability(x)
        try await store.setEndScores(run: labelRun.run, scores: labels.indices.map { (labels[$0].index, scores[$0]) })
        let report = TrainReport(run: run.rawValue, labelRun: labelRun.run.rawValue, model: id, kind: Self.endModelKind,
                                 version: GradientBoostedTrees.formatVersion, units: labels.count,
                                 expectedPositives: labels.reduce(0) { $0 + $1.probability }, trees: model.trees.count,
                                 featureImportance: model.featureImportance.map { .init(feature: $0.name, importance: $0.importance) },
                                 applied: given != nil, seconds: Date().timeIntervalSince(started))
        try await store.finishRun(run, summary: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return report
    }

    /// The kind under which end models are stored in the case's `models` table.
    public static let endModelKind = "gradient-boosted-trees"

    /// The newest end model trained in this case and its id (to apply it to another case).
    public func trainedEndModel() async throws -> (model: GradientBoostedTrees, id: Int64) {
        guard let record = try await store.latestModel(labelRun: nil, kind: Self.endModelKind) else { throw WorkspaceError.nothingToTrain }
        do {
            return (try GradientBoostedTrees(json: Data(record.model.utf8)), record.id)
        } catch {
            throw WorkspaceError.invalidInput("the case's end model \(record.id): \(error)")
        }
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
