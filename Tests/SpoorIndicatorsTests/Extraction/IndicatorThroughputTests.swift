import Foundation
import Testing
import SpoorIndicators
import SpoorTesting

/// Extraction throughput against msticpy's IoCExtract (issue 5), only with `SPOOR_IOC_BENCH=1`
/// and meaningful only in a release build:
/// `SPOOR_IOC_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter IndicatorThroughput`.
/// Reads the same inputs and line counts as `../shared/bench/ioc/run_ioc.sh` (made by
/// `../shared/bench/make_data.sh` under `$PERF/data/big`, default `/tmp/perf/data/big`): the first
/// 32,000 lines of `mixed_1x.log` (it has 14,000) and the first 100,000 of `OpenSSH_1M.log`.
/// Prints lines per CPU-second (best of 5 passes) and finds per kind; BENCHMARKS.md ("Indicator extraction against msticpy")
/// holds the figures next to msticpy's from the same run.
@Suite struct IndicatorThroughputTests {
    static let dataDir = (ProcessInfo.processInfo.environment["PERF"] ?? "/tmp/perf") + "/data/big"
    static let enabled = ProcessInfo.processInfo.environment["SPOOR_IOC_BENCH"] == "1"
        && FileManager.default.fileExists(atPath: dataDir + "/mixed_1x.log")

    static func lines(_ path: String, max: Int) throws -> [[UInt8]] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var out: [[UInt8]] = []
        var start = 0
        while start < bytes.count, out.count < max {
            let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            out.append(Array(bytes[start..<end]))
            start = end
        }
        return out
    }

    @Test(.enabled(if: enabled, "set SPOOR_IOC_BENCH=1 (and use -c release); needs $PERF/data/big from make_data.sh"),
          arguments: [("mixed_1x.log", 32_000), ("OpenSSH_1M.log", 100_000)])
    func linesPerCPUSecond(file: String, maxLines: Int) throws {
        let lines = try Self.lines(Self.dataDir + "/" + file, max: maxLines)
        let bytes = lines.reduce(0) { $0 + $1.count }
        let extractor = IndicatorExtractor()
        // Each pass reads the lines enough times to take ~100,000 extractions, so a pass lasts long
        // enough for the CPU clock (the mixed file has only 14,000 lines).
        let repeats = max(1, 100_000 / max(1, lines.count))
        var best = Double.infinity
        var counts: [IndicatorKind: Int] = [:]
        for pass in 0..<5 {
            var local: [IndicatorKind: Int] = [:]
            let t0 = ProcessUsage.cpuSeconds()
            for _ in 0..<repeats {
                for line in lines {
                    let found = line.withUnsafeBufferPointer { extractor.extract(Span(_unsafeElements: $0)) }
                    for x in found { local[x.indicator.kind, default: 0] += 1 }
                }
            }
            best = min(best, ProcessUsage.cpuSeconds() - t0)
            if pass == 0 { counts = local.mapValues { $0 / repeats } }
        }
        best /= Double(repeats)
        let perSecond = Double(lines.count) / best
        print("IOC throughput: spoor \(file) \(lines.count) lines, \(bytes) bytes, best of 5: \(String(format: "%.3f", best)) cpu-s, "
              + "\(Int(perSecond)) lines/cpu-s, \(String(format: "%.1f", Double(bytes) / best / 1e6)) MB/cpu-s")
        print("IOC throughput: finds \(counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))")
        #expect(lines.count > 0)
    }
}
