import Foundation
import Testing

/// The weak-supervision benchmark next to `/work/shared/bench/weak/run_weak.sh` (snorkel's
/// LabelModel): 1M units × 20 functions, see ``LabelModelBenchmarkRun``.
///
/// Skipped unless `SPOOR_LABEL_BENCH` is set; run it on a release build:
/// `SPOOR_LABEL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter LabelModelBenchmark`
/// (`SPOOR_LABEL_BENCH_UNITS` changes the unit count; `SPOOR_LABEL_BENCH_MATRIX=<dir>` reads
/// snorkel_bench.py's own matrix exported as `<dir>/L.i8` and `<dir>/y.i8`, see
/// Docs/Label-model.md). Prints one `RESULT {json}` line.
@Suite struct LabelModelBenchmark {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["SPOOR_LABEL_BENCH"] != nil, "set SPOOR_LABEL_BENCH=1 (and use a release build) to run"))
    func snorkelBenchmarkMatrix() throws {
        let n = Int(Self.environment["SPOOR_LABEL_BENCH_UNITS"] ?? "") ?? 1_000_000
        let result = try Self.environment["SPOOR_LABEL_BENCH_MATRIX"].map {
            try LabelModelBenchmarkRun.run(directory: $0, units: n)
        } ?? LabelModelBenchmarkRun.run(units: n)
        print(LabelModelBenchmarkRun.resultLine(result))
        #expect((result["f1_labelmodel"] ?? 0) > (result["f1_majority"] ?? 1))
    }
}
