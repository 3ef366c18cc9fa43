#!/usr/bin/env bash
# SpoorLearn's 1M × 20 fit benchmark against scikit-learn and LightGBM (figures in Docs/Learn.md).
#
# usage (from the package root): PY=/path/to/python Tests/SpoorLearnTests/Oracle/learn_bench.sh [N]
# Builds SpoorLearn in release (.build-release), links a small driver against it, writes the
# seeded table with learn_bench.py, then runs every model N times (default 3) under
# /work/shared/bench/timeit.py (CPU time, wall time, peak RSS) into $BENCH_OUT.
set -euo pipefail
PY=${PY:-python3}
N=${1:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WORK=${WORK:-$(mktemp -d)}
TIMEIT=${TIMEIT:-/work/shared/bench/timeit.py}
export BENCH_OUT=${BENCH_OUT:-$WORK/results.jsonl}

(cd "$ROOT" && swift build -c release --scratch-path .build-release --target SpoorLearn >/dev/null)
REL="$ROOT/.build-release/release"
cat > "$WORK/main.swift" <<'SWIFT'
import Foundation
import SpoorLearn

// usage: learnbench gbt|gbt-serial|lr FILE   (FILE: 20 float64 columns of n rows, then n labels)
let args = CommandLine.arguments
let d = 20
/// Reads the table; the file's bytes are released on return, so the peak memory is the
/// matrix (n × 20 doubles) plus what the model needs.
func load(_ path: String) throws -> (columns: [[Double]], labels: [Double]) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let n = data.count / 8 / (d + 1)
    var columns: [[Double]] = [], labels: [Double] = []
    data.withUnsafeBytes { raw in
        for j in 0...d {
            var column = [Double](repeating: 0, count: n)
            column.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(j * n * 8)..<((j + 1) * n * 8)])) }
            if j < d { columns.append(column) } else { labels = column }
        }
    }
    return (columns, labels)
}
var (columns, labels) = try load(args[2])
let n = labels.count
if args[1] == "load" { print("RESULT {\"model\": \"spoor-load-only\", \"rows\": \(n)}"); exit(0) }
let x = try FeatureMatrix(names: (0..<d).map { "x\($0)" }, columns: columns)
columns = []
let t0 = Date(), c0 = clock()
let scores: [Double]
if args[1] == "lr" {
    let m = try LogisticRegression(fitting: x, targets: labels, parameters: .init(c: 1, tolerance: 1e-8))
    let fit = (Date().timeIntervalSince(t0), Double(clock() - c0) / Double(CLOCKS_PER_SEC))
    scores = try m.decisionFunction(x)
    print("fit", fit, "steps", m.iterations)
} else {
    var p = GradientBoostedTrees.Parameters()
    p.iterations = 100; p.maximumLeaves = 31; p.minimumSamplesPerLeaf = 20
    p.isParallel = args[1] != "gbt-serial"
    let m = try GradientBoostedTrees(fitting: x, targets: labels, parameters: p)
    let fit = (Date().timeIntervalSince(t0), Double(clock() - c0) / Double(CLOCKS_PER_SEC))
    scores = try m.decisionFunction(x)
    print("fit", fit)
}
let fitWall = Date().timeIntervalSince(t0)
let auc = try BinaryMetrics.rocAUC(scores: scores, labels: labels.map { $0 == 1 })
print("RESULT {\"model\": \"spoor-\(args[1])\", \"rows\": \(n), \"fit_and_score_wall_s\": \(fitWall), \"train_auc\": \(auc)}")
SWIFT
swiftc -O -I "$REL/Modules" "$WORK/main.swift" "$REL"/SpoorLearn.build/*.o "$REL"/SpoorCore.build/*.o -o "$WORK/learnbench"
[ -f "$WORK/table.bin" ] || "$PY" "$HERE/learn_bench.py" make "$WORK/table.bin"
for m in load gbt gbt-serial lr; do
  "$PY" "$TIMEIT" -n "$N" --warmup "${WARMUP:-0}" --label "spoor-$m" -- "$WORK/learnbench" "$m" "$WORK/table.bin"
done
for m in sk-hgb sk-lr lgbm; do
  "$PY" "$TIMEIT" -n "$N" --warmup "${WARMUP:-0}" --label "$m" -- "$PY" "$HERE/learn_bench.py" "$m" "$WORK/table.bin"
done
echo "results: $BENCH_OUT"
