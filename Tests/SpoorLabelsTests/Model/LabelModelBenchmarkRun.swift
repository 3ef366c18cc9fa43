import Foundation
import SpoorCore
import SpoorLabels
#if canImport(Glibc)
import Glibc
#endif

/// The body of ``LabelModelBenchmark``, free of the test framework so the same file can be compiled
/// on its own with `swiftc -O` (see Docs/Label-model.md) when a release build of the whole package
/// is too slow on a shared machine.
///
/// The matrix follows `/work/shared/bench/weak/snorkel_bench.py`: 10% positives; per function a
/// coverage uniform in 5–50% and a symmetric accuracy uniform in 0.60–0.95; a voting function
/// votes the true class with that accuracy, else the other. Same parameters, different random
/// generator (SplitMix64, seed 3), so not the same draws.
enum LabelModelBenchmarkRun {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func peakMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func measure<T>(_ body: () throws -> T) rethrows -> (T, cpu: Double, wall: Double) {
        let c0 = cpuSeconds(), w0 = Date()
        let value = try body()
        return (value, cpuSeconds() - c0, Date().timeIntervalSince(w0))
    }

    static func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    /// The matrix, the truth, and the Bayes-optimal P(malicious) from the generating parameters
    /// (what a perfect label model would output on these draws).
    static func matrix(units n: Int, functions m: Int, seed: UInt64) throws -> (LabelMatrix, [Bool], oracle: [Double]) {
        var rng = SplitMix64(seed: seed)
        var truth = [Bool](repeating: false, count: n)
        for i in 0..<n { truth[i] = rng.chance(0.1) }
        var columns: [[Int8]] = []
        var logOdds = [Double](repeating: log(0.1 / 0.9), count: n)
        for _ in 0..<m {
            let coverage = 0.05 + 0.45 * rng.unit(), accuracy = 0.6 + 0.35 * rng.unit()
            let weight = log(accuracy / (1 - accuracy))
            var column = [Int8](repeating: -1, count: n)
            for i in 0..<n where rng.chance(coverage) {
                let y: Int8 = truth[i] ? 1 : 0
                column[i] = rng.chance(accuracy) ? y : 1 - y
                logOdds[i] += column[i] == 1 ? weight : -weight
            }
            columns.append(column)
        }
        let oracle = logOdds.map { 1 / (1 + exp(-$0)) }
        return (try LabelMatrix(functionNames: (0..<m).map { "lf\($0)" }, rawColumns: columns), truth, oracle)
    }

    /// Fits (estimated prior; given prior 0.1; without dependency search), predicts, scores;
    /// returns the figures for a `RESULT {json}` line.
    static func run(units n: Int, functions m: Int = 20) throws -> [String: Double] {
        let (matrix, truth, oracle) = try matrix(units: n, functions: m, seed: 3)
        return try run(matrix, truth: truth, oracle: oracle)
    }

    /// The same on snorkel_bench.py's own matrix, exported from numpy as raw `Int8`:
    /// `L.i8` (column-major: function 0's n votes first) and `y.i8` (0/1 per unit).
    static func run(directory: String, units n: Int, functions m: Int = 20) throws -> [String: Double] {
        guard let votes = FileManager.default.contents(atPath: directory + "/L.i8"),
              let labels = FileManager.default.contents(atPath: directory + "/y.i8"),
              votes.count == n * m, labels.count == n
        else { throw BenchmarkInputError.missing(directory) }
        let raw = [Int8](unsafeUninitializedCapacity: votes.count) { buffer, count in
            count = votes.copyBytes(to: UnsafeMutableRawBufferPointer(buffer))
        }
        let columns = (0..<m).map { Array(raw[($0 * n)..<(($0 + 1) * n)]) }
        let matrix = try LabelMatrix(functionNames: (0..<m).map { "lf\($0)" }, rawColumns: columns)
        return try run(matrix, truth: labels.map { $0 == 1 }, oracle: nil)
    }

    enum BenchmarkInputError: Error { case missing(String) }

    static func run(_ matrix: LabelMatrix, truth: [Bool], oracle: [Double]?) throws -> [String: Double] {
        let n = matrix.unitCount, m = matrix.functionCount
        let rssBeforeFit = peakMegabytes()
        let (fitted, fitCPU, fitWall) = measure { LabelModel().fit(matrix) }
        let (probabilities, predictCPU, _) = try measure { try fitted.probabilities(matrix) }
        let (given, givenCPU, _) = measure { LabelModel(prior: .given(0.1)).fit(matrix) }
        let (plain, plainCPU, _) = measure { LabelModel(modelsDependencies: false).fit(matrix) }
        let f1 = Score.f1(probabilities.map { $0 >= 0.5 }, truth)
        let f1Given = Score.f1(try given.probabilities(matrix).map { $0 >= 0.5 }, truth)
        let f1Plain = Score.f1(try plain.probabilities(matrix).map { $0 >= 0.5 }, truth)
        let f1Majority = Score.f1(MajorityVote(prior: 0.1).predictions(matrix).map { $0 == .malicious }, truth)
        return [
            "rows": Double(n), "lfs": Double(m), "patterns": Double(fitted.report.patternCount),
            "iterations": Double(fitted.report.iterations), "rounds": Double(fitted.report.rounds.count),
            "fit_cpu_s": rounded(fitCPU), "fit_wall_s": rounded(fitWall),
            "fit_given_prior_cpu_s": rounded(givenCPU), "fit_no_dependencies_cpu_s": rounded(plainCPU),
            "predict_cpu_s": rounded(predictCPU), "prior": rounded(fitted.prior),
            "f1_labelmodel": rounded(f1), "f1_labelmodel_given_prior": rounded(f1Given),
            "f1_labelmodel_no_dependencies": rounded(f1Plain), "f1_majority": rounded(f1Majority),
            "f1_oracle": rounded(Score.f1((oracle ?? []).map { $0 >= 0.5 }, oracle == nil ? [] : truth)),
            "max_probability_error_vs_oracle": rounded(zip(probabilities, oracle ?? []).map { abs($0 - $1) }.max() ?? 0),
            "ece": rounded(Score.calibration(probabilities, truth).ece), "groups": Double(fitted.groups.count),
            "peak_rss_mb_before_fit": rounded(rssBeforeFit), "peak_rss_mb": rounded(peakMegabytes()),
        ]
    }

    static func resultLine(_ result: [String: Double]) -> String {
        "RESULT {" + result.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
}
