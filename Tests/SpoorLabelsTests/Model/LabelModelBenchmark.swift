import Foundation
import Testing
import SpoorCore
import SpoorLabels
#if canImport(Glibc)
import Glibc
#endif

/// The weak-supervision benchmark next to `/work/shared/bench/weak/run_weak.sh` (snorkel's
/// LabelModel): 1M units × 20 functions, 10% positives, each function voting on a uniform
/// 5–50% of units with a uniform 0.60–0.95 symmetric accuracy — the script's generator
/// reimplemented with the same parameters but SplitMix64, so not the same draws.
///
/// Skipped unless `SPOOR_LABEL_BENCH` is set; run it on a release build:
/// `SPOOR_LABEL_BENCH=1 swift test -c release --scratch-path .build-release --filter LabelModelBenchmark`
/// (`SPOOR_LABEL_BENCH_UNITS` changes the unit count). Prints one `RESULT {json}` line.
@Suite struct LabelModelBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let isEnabled = environment["SPOOR_LABEL_BENCH"] != nil

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

    @Test(.enabled(if: isEnabled, "set SPOOR_LABEL_BENCH=1 (and use a release build) to run"))
    func snorkelBenchmarkMatrix() throws {
        let n = Int(Self.environment["SPOOR_LABEL_BENCH_UNITS"] ?? "") ?? 1_000_000
        let m = 20
        var rng = SplitMix64(seed: 3)
        var truth = [Bool](repeating: false, count: n)
        for i in 0..<n { truth[i] = rng.chance(0.1) }
        var columns: [[Int8]] = []
        for _ in 0..<m {
            let coverage = 0.05 + 0.45 * rng.unit(), accuracy = 0.6 + 0.35 * rng.unit()
            var column = [Int8](repeating: -1, count: n)
            for i in 0..<n where rng.chance(coverage) {
                let y: Int8 = truth[i] ? 1 : 0
                column[i] = rng.chance(accuracy) ? y : 1 - y
            }
            columns.append(column)
        }
        let matrix = try LabelMatrix(functionNames: (0..<m).map { "lf\($0)" }, rawColumns: columns)
        columns = []
        let rssBeforeFit = Self.peakMegabytes()

        let (fitted, fitCPU, fitWall) = Self.measure { LabelModel().fit(matrix) }
        let (probabilities, predictCPU, _) = try Self.measure { try fitted.probabilities(matrix) }
        let (given, givenCPU, _) = Self.measure { LabelModel(prior: .given(0.1)).fit(matrix) }
        let (plain, plainCPU, _) = Self.measure { LabelModel(modelsDependencies: false).fit(matrix) }
        let f1 = Score.f1(probabilities.map { $0 >= 0.5 }, truth)
        let f1Given = Score.f1(try given.probabilities(matrix).map { $0 >= 0.5 }, truth)
        let f1Plain = Score.f1(try plain.probabilities(matrix).map { $0 >= 0.5 }, truth)
        let f1Majority = Score.f1(MajorityVote(prior: 0.1).predictions(matrix).map { $0 == .malicious }, truth)
        let ece = Score.calibration(probabilities, truth).ece
        let result: [String: Double] = [
            "rows": Double(n), "lfs": Double(m), "patterns": Double(fitted.report.patternCount),
            "iterations": Double(fitted.report.iterations), "rounds": Double(fitted.report.rounds.count),
            "fit_cpu_s": Self.rounded(fitCPU), "fit_wall_s": Self.rounded(fitWall),
            "fit_given_prior_cpu_s": Self.rounded(givenCPU), "fit_no_dependencies_cpu_s": Self.rounded(plainCPU),
            "predict_cpu_s": Self.rounded(predictCPU), "prior": Self.rounded(fitted.prior),
            "f1_labelmodel": Self.rounded(f1), "f1_labelmodel_given_prior": Self.rounded(f1Given),
            "f1_labelmodel_no_dependencies": Self.rounded(f1Plain), "f1_majority": Self.rounded(f1Majority),
            "ece": Self.rounded(ece), "groups": Double(fitted.groups.count),
            "peak_rss_mb_before_fit": Self.rounded(rssBeforeFit), "peak_rss_mb": Self.rounded(Self.peakMegabytes()),
        ]
        let json = result.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        print("RESULT {\(json)}")
        #expect(f1 > f1Majority)
    }
}
