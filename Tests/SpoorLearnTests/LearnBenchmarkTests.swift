import Foundation
import Testing
import SpoorCore
import SpoorLearn

/// The 1M × 20 fit benchmark, run only when `SPOOR_LEARN_BENCH` names a table written by
/// `Oracle/learn_bench.py make` and `SPOOR_LEARN_MODEL` is `gbt` or `lr` (one model per
/// process, so that peak memory is the model's). Release build, see Docs/Learn.md.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SPOOR_LEARN_BENCH"] != nil, "SPOOR_LEARN_BENCH is not set: the benchmark is skipped"))
struct LearnBenchmarkTests {
    @Test func fit() throws {
        let env = ProcessInfo.processInfo.environment
        let path = try #require(env["SPOOR_LEARN_BENCH"])
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let d = 20, n = data.count / 8 / (d + 1)
        var columns: [[Double]] = []
        var labels = [Double](repeating: 0, count: n)
        data.withUnsafeBytes { raw in
            for j in 0...d {
                var column = [Double](repeating: 0, count: n)
                column.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(j * n * 8)..<((j + 1) * n * 8)])) }
                if j < d { columns.append(column) } else { labels = column }
            }
        }
        let x = try FeatureMatrix(names: (0..<d).map { "x\($0)" }, columns: columns)
        columns = []
        let timer = ContinuousClock()
        let cpu0 = clock()
        var score: () throws(LearnError) -> [Double] = { [] }
        let wall = try timer.measure {
            if env["SPOOR_LEARN_MODEL"] == "lr" {
                let m = try LogisticRegression(fitting: x, targets: labels, parameters: .init(c: 1, tolerance: 1e-8))
                score = { () throws(LearnError) in try m.decisionFunction(x) }
            } else {
                var p = GradientBoostedTrees.Parameters()
                p.iterations = 100; p.maximumLeaves = 31; p.minimumSamplesPerLeaf = 20
                p.isParallel = env["SPOOR_LEARN_SERIAL"] == nil
                let m = try GradientBoostedTrees(fitting: x, targets: labels, parameters: p)
                score = { () throws(LearnError) in try m.decisionFunction(x) }
            }
        }
        let cpu = Double(clock() - cpu0) / Double(CLOCKS_PER_SEC)
        let scores = try score()
        let auc = try BinaryMetrics.rocAUC(scores: scores, labels: labels.map { $0 == 1 })
        print("RESULT {\"model\": \"spoor-\(env["SPOOR_LEARN_MODEL"] ?? "gbt")\", \"rows\": \(n), \"fit_wall\": \"\(wall)\", \"fit_cpu_s\": \(cpu), \"train_auc\": \(auc)}")
    }
}
