import Foundation
import Testing
import SpoorCore
import SpoorTesting
@testable import SpoorLearn

/// NSL-KDD (Tavallaee, Bagheri, Lu and Ghorbani 2009, "A detailed analysis of the KDD CUP 99
/// data set"), the 20 % training file: 25,192 connection records, attack vs normal. The three
/// symbolic features are one-hot encoded, the 38 others kept as numbers; a seeded random 70/30
/// split (the records carry no time).
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct NSLKDDTests {
    struct Split {
        var train: FeatureMatrix, trainLabels: [Double]
        var test: FeatureMatrix, testLabels: [Bool]
        var isTest: [Bool], all: FeatureMatrix, labels: [Double]
    }

    static func load() throws -> Split {
        let url = try #require(SharedData.url("nsl-kdd/KDDTrain+_20Percent.txt"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var records: [[Substring]] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 43 else { throw LearnError.shape("a record has \(fields.count) fields") }
            records.append(fields)
        }
        let symbolic = [1, 2, 3]
        let names = ["duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land", "wrong_fragment", "urgent", "hot",
                     "num_failed_logins", "logged_in", "num_compromised", "root_shell", "su_attempted", "num_root", "num_file_creations",
                     "num_shells", "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count", "srv_count",
                     "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate", "same_srv_rate", "diff_srv_rate",
                     "srv_diff_host_rate", "dst_host_count", "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
                     "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate", "dst_host_srv_serror_rate",
                     "dst_host_rerror_rate", "dst_host_srv_rerror_rate"]
        var m = FeatureMatrix(rowCount: records.count)
        for j in 0..<41 {
            if symbolic.contains(j) {
                for category in Set(records.map { String($0[j]) }).sorted() {
                    try m.append("\(names[j])=\(category)", values: records.map { $0[j] == category ? 1 : 0 })
                }
            } else {
                try m.append(names[j], values: try records.map { r in
                    guard let v = Double(r[j]) else { throw LearnError.invalid("field \(names[j]) is not a number") }
                    return v
                })
            }
        }
        let labels = records.map { $0[41] == "normal" ? 0.0 : 1.0 }
        var rng = SplitMix64(seed: 2009)
        let isTest = records.map { _ in rng.chance(0.3) }
        let trainRows = isTest.indices.filter { !isTest[$0] }, testRows = isTest.indices.filter { isTest[$0] }
        return Split(train: m.rows(trainRows), trainLabels: trainRows.map { labels[$0] },
                     test: m.rows(testRows), testLabels: testRows.map { labels[$0] == 1 },
                     isTest: isTest, all: m, labels: labels)
    }

    static func gbtParameters() -> GradientBoostedTrees.Parameters {
        var p = GradientBoostedTrees.Parameters()
        p.iterations = 100; p.maximumLeaves = 31; p.minimumSamplesPerLeaf = 20
        return p
    }

    @Test func gbtAndLogisticRegressionAgainstScikitLearn() throws {
        let d = try Self.load()
        #expect(d.all.rowCount == 25_192)
        let clock = ContinuousClock()
        var gbt: GradientBoostedTrees?
        let gbtTime = try clock.measure { gbt = try GradientBoostedTrees(fitting: d.train, targets: d.trainLabels, parameters: Self.gbtParameters()) }
        var lr: LogisticRegression?
        let lrTime = try clock.measure { lr = try LogisticRegression(fitting: d.train, targets: d.trainLabels, parameters: .init(c: 1)) }
        let gbtScores = try #require(gbt).decisionFunction(d.test), lrScores = try #require(lr).decisionFunction(d.test)
        let gbtAUC = try BinaryMetrics.rocAUC(scores: gbtScores, labels: d.testLabels)
        let lrAUC = try BinaryMetrics.rocAUC(scores: lrScores, labels: d.testLabels)
        let gbtAP = try BinaryMetrics.averagePrecision(scores: gbtScores, labels: d.testLabels)
        let lrAP = try BinaryMetrics.averagePrecision(scores: lrScores, labels: d.testLabels)
        print("NSL-KDD \(d.train.rowCount) train / \(d.test.rowCount) test × \(d.all.columnCount) features: "
              + "spoor GBT AUC \(gbtAUC) AP \(gbtAP) (\(gbtTime)), LR AUC \(lrAUC) AP \(lrAP) (\(lrTime), \(lr?.iterations ?? 0) steps)")
        #expect(gbtAUC > 0.99 && lrAUC > 0.95)
        let top = (gbt?.featureImportance ?? []).sorted { $0.importance > $1.importance }.prefix(5)
        print("NSL-KDD GBT top features: " + top.map { "\($0.name) \(String(format: "%.3f", $0.importance))" }.joined(separator: ", "))

        guard LearnOracle.python != nil else { print(LearnOracle.skipMessage); return }
        // The same matrix and split for scikit-learn: split flag, label, features.
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-nslkdd-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        var out = ""
        for i in 0..<d.all.rowCount {
            out += (d.isTest[i] ? "1," : "0,") + (d.labels[i] == 1 ? "1" : "0")
            for j in 0..<d.all.columnCount { out += ",\(d.all[i, j])" }
            out += "\n"
        }
        try out.write(to: csv, atomically: true, encoding: .utf8)
        let answer = try #require(try LearnOracle.run("nslkdd", ["csv": csv.path, "iterations": 100, "leaves": 31, "minLeaf": 20, "C": 1.0]))
        let hgbAUC = try #require(answer["hgb_auc"] as? Double), skLRAUC = try #require(answer["lr_auc"] as? Double)
        print("NSL-KDD scikit-learn: HistGradientBoosting AUC \(hgbAUC) AP \(answer["hgb_ap"] ?? 0) (CPU \(answer["hgb_cpu_s"] ?? 0) s), "
              + "LogisticRegression AUC \(skLRAUC) AP \(answer["lr_ap"] ?? 0) (CPU \(answer["lr_cpu_s"] ?? 0) s)")
        #expect(abs(gbtAUC - hgbAUC) <= 0.01)
        #expect(abs(lrAUC - skLRAUC) <= 0.01)
    }

    /// Training labels flipped with probability η = 0.2 (seeded), the targets given as the
    /// probabilities a label model would give for a known noise rate: 1 − η for an observed
    /// attack, η for an observed normal record. The ranking must survive (test AUC on the clean
    /// labels close to clean training) and the predicted probabilities must be the expected
    /// soft target: (1 − η)² + η² = 0.68 for true attacks, 2η(1 − η) = 0.32 for normal records.
    @Test func softTargetsFromNoisyLabels() throws {
        let d = try Self.load()
        let eta = 0.2
        var rng = SplitMix64(seed: 77)
        let noisy = d.trainLabels.map { rng.chance(eta) ? 1 - $0 : $0 }
        let soft = noisy.map { $0 == 1 ? 1 - eta : eta }
        let flipped = zip(noisy, d.trainLabels).filter { $0 != $1 }.count
        let clean = try GradientBoostedTrees(fitting: d.train, targets: d.trainLabels, parameters: Self.gbtParameters())
        var p = Self.gbtParameters()
        p.learningRate = 0.05     // noisier gradients: smaller steps
        let fromSoft = try GradientBoostedTrees(fitting: d.train, targets: soft, parameters: p)
        let fromHard = try GradientBoostedTrees(fitting: d.train, targets: noisy, parameters: p)
        let lrSoft = try LogisticRegression(fitting: d.train, targets: soft)
        let auc = { (s: [Double]) throws -> Double in try BinaryMetrics.rocAUC(scores: s, labels: d.testLabels) }
        let cleanAUC = try auc(clean.decisionFunction(d.test)), softAUC = try auc(fromSoft.decisionFunction(d.test))
        let hardAUC = try auc(fromHard.decisionFunction(d.test)), lrAUC = try auc(lrSoft.decisionFunction(d.test))
        let probabilities = try fromSoft.predictProbability(d.test)
        let meanAttack = zip(probabilities, d.testLabels).filter { $0.1 }.map(\.0).reduce(0, +) / Double(d.testLabels.filter { $0 }.count)
        let meanNormal = zip(probabilities, d.testLabels).filter { !$0.1 }.map(\.0).reduce(0, +) / Double(d.testLabels.filter { !$0 }.count)
        print("NSL-KDD, \(flipped) of \(noisy.count) training labels flipped (η = 0.2): test AUC clean-trained \(cleanAUC), "
              + "soft-target GBT \(softAUC), hard noisy GBT \(hardAUC), soft-target LR \(lrAUC); "
              + "mean probability attacks \(meanAttack), normal \(meanNormal)")
        #expect(abs(Double(flipped) / Double(noisy.count) - eta) < 0.01)
        #expect(softAUC > cleanAUC - 0.02)
        #expect(lrAUC > 0.93)
        #expect(abs(meanAttack - 0.68) < 0.04 && abs(meanNormal - 0.32) < 0.04)
    }
}
