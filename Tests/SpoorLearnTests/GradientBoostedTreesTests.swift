import Foundation
import Testing
import SpoorCore
@testable import SpoorLearn

@Suite struct GradientBoostedTreesTests {
    /// A non-linear problem (an XOR of two features plus a threshold on a third) with 10 %
    /// missing values in one feature and label noise.
    static func data(_ n: Int, seed: UInt64) throws -> (x: FeatureMatrix, y: [Double]) {
        var rng = SplitMix64(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [Double] = [], noise: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let va = rng.normal(), vb = rng.normal(), vc = rng.unit() * 10
            let positive = ((va > 0) != (vb > 0)) || vc > 9
            a.append(va); b.append(vb)
            c.append(rng.chance(0.1) ? .nan : vc)
            noise.append(rng.normal())
            y.append((rng.chance(0.05) ? !positive : positive) ? 1 : 0)
        }
        return (try FeatureMatrix(names: ["a", "b", "c", "noise"], columns: [a, b, c, noise]), y)
    }

    @Test func learnsANonLinearProblemWithMissingValues() throws {
        let train = try Self.data(6000, seed: 1), test = try Self.data(3000, seed: 2)
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 60
        let m = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        let auc = try BinaryMetrics.rocAUC(scores: m.decisionFunction(test.x), labels: test.y.map { $0 == 1 })
        #expect(auc > 0.93, "test ROC AUC \(auc)")
        #expect(m.trees.count == 60)
        #expect(m.trees.allSatisfy { $0.leafCount <= 31 })
        let importance = m.featureImportance
        #expect(abs(importance.map(\.importance).reduce(0, +) - 1) < 1e-9)
        // The noise feature matters least.
        #expect(importance.min { $0.importance < $1.importance }?.name == "noise")
        // A row with every value missing still gets a finite score.
        let empty = try FeatureMatrix(names: ["a", "b", "c", "noise"], columns: [[.nan], [.nan], [.nan], [.nan]])
        #expect(try m.decisionFunction(empty)[0].isFinite)
    }

    @Test func binnedAndRawPredictionsAgree() throws {
        let train = try Self.data(3000, seed: 3)
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 20; p.maximumBins = 16
        let m = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        var rng = SplitMix64(seed: 0)
        let bins = FeatureBins(train.x, maximumBins: 16, rng: &rng)
        let binned = bins.binned(train.x)
        let raw = try m.decisionFunction(train.x)
        binned.withUnsafeBufferPointer { b in
            for i in 0..<train.x.rowCount {
                let viaBins = m.trees.reduce(m.baseScore) { $0 + $1.predict(binned: b, row: i, rows: train.x.rowCount, missingBin: 16) }
                #expect(abs(viaBins - raw[i]) < 1e-12)
            }
        }
    }

    /// Infinities and NaN in a feature: binning, raw and binned routing must agree, and no
    /// threshold may be NaN.
    @Test func infiniteValuesRouteConsistently() throws {
        var rng = SplitMix64(seed: 9)
        let special: [Double] = [.infinity, -.infinity, .nan]
        var a: [Double] = [], y: [Double] = []
        for k in 0..<600 {
            let v = k % 7 == 0 ? special[k % 3] : rng.normal()
            a.append(v)
            y.append(v > 0.3 || v == .infinity ? 1 : 0)
        }
        let x = try FeatureMatrix(names: ["a"], columns: [a])
        for bins in [4, 255] {
            var p = GradientBoostedTrees.Parameters()
            p.iterations = 5; p.maximumBins = bins; p.minimumSamplesPerLeaf = 5
            let m = try GradientBoostedTrees(fitting: x, targets: y, parameters: p)
            #expect(m.trees.allSatisfy { $0.threshold.allSatisfy { !$0.isNaN } })
            var r = SplitMix64(seed: 0)
            let binned = FeatureBins(x, maximumBins: bins, rng: &r).binned(x)
            let raw = try m.decisionFunction(x)
            binned.withUnsafeBufferPointer { b in
                for i in 0..<600 {
                    let viaBins = m.trees.reduce(m.baseScore) { $0 + $1.predict(binned: b, row: i, rows: 600, missingBin: UInt8(bins)) }
                    #expect(viaBins == raw[i])
                }
            }
            let auc = try BinaryMetrics.rocAUC(scores: raw, labels: y.map { $0 == 1 })
            #expect(auc > 0.95)
        }
    }

    @Test func deterministicSerialOrParallelWithSubsampling() throws {
        let train = try Self.data(20_000, seed: 4)
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 15; p.rowSubsample = 0.7; p.seed = 42
        let parallel = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        p.isParallel = false
        let serial = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        #expect(parallel.trees == serial.trees)
        p.seed = 43
        let other = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        #expect(other.trees != serial.trees)
    }

    @Test func earlyStoppingKeepsTheBestIteration() throws {
        let train = try Self.data(4000, seed: 5)
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 500; p.learningRate = 0.5; p.validationFraction = 0.2; p.patience = 5
        let m = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        #expect(m.validationLoss.count < 500)
        let bestIndex = m.validationLoss.indices.min { m.validationLoss[$0] < m.validationLoss[$1] } ?? -1
        #expect(m.trees.count == bestIndex + 1)
    }

    @Test func jsonRoundTripAndDamagedFiles() throws {
        let train = try Self.data(2000, seed: 6)
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 10
        let m = try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p)
        let json = try m.jsonData()
        let back = try GradientBoostedTrees(json: json)
        #expect(back == m)
        #expect(try back.decisionFunction(train.x) == m.decisionFunction(train.x))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"formatVersion\":\"spoor-gbt\\/1\"") || text.contains("\"formatVersion\":\"spoor-gbt/1\""))
        // Another version, a child pointing back up, garbage: refused, never a crash.
        let otherVersion = text.replacingOccurrences(of: "spoor-gbt\\/1", with: "spoor-gbt\\/9").replacingOccurrences(of: "spoor-gbt/1", with: "spoor-gbt/9")
        #expect(throws: LearnError.self) { try GradientBoostedTrees(json: Data(otherVersion.utf8)) }
        #expect(throws: LearnError.self) { try GradientBoostedTrees(json: Data("{\"trees\": 3}".utf8)) }
        var damaged = m
        damaged.damageForTesting()
        #expect(throws: LearnError.self) { try GradientBoostedTrees(json: damaged.jsonData()) }
    }

    @Test func rejectsBadParametersAndTargets() throws {
        let train = try Self.data(100, seed: 7)
        var p = GradientBoostedTrees.Parameters()
        p.maximumBins = 256
        #expect(throws: LearnError.self) { try GradientBoostedTrees(fitting: train.x, targets: train.y, parameters: p) }
        #expect(throws: LearnError.self) { try GradientBoostedTrees(fitting: train.x, targets: train.y.map { $0 + 0.5 }) }
        #expect(throws: LearnError.self) { try GradientBoostedTrees(fitting: FeatureMatrix(rowCount: 100), targets: train.y) }
    }
}

extension GradientBoostedTrees {
    /// Makes the first tree's root point to itself (for the damaged-file test).
    mutating func damageForTesting() {
        trees[0].left[0] = 0
    }
}
