import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

/// Throughput measurement (issue 3), only with `SPOOR_EVTX_BENCH=1` and meaningful only in a
/// release build (`SPOOR_EVTX_BENCH=1 swift test -c release --filter EVTXThroughput`): spoor's
/// records per CPU-second over the evtx-rs sample files, reading chunk by chunk as ingest does,
/// next to the `evtx` Python package's (`records_json()`) on the same files when `SPOOR_PYTHON`
/// has it.
@Suite struct EVTXThroughputTests {
    static let enabled = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH"] == "1" && SharedData.isAvailable

    static func cpuSeconds() -> Double {
        var r = rusage()
        getrusage(RUSAGE_SELF.rawValue, &r)
        return Double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + Double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6
    }

    @Test(.enabled(if: enabled, "set SPOOR_EVTX_BENCH=1 (and use -c release)"))
    func recordsPerCPUSecond() throws {
        let dir = try #require(SharedData.url("evtx-rs-samples/samples")).path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".evtx") }.sorted()
        let files = try names.map { try EVTXFile(bytes: Array(Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)))) }
        var best = Double.infinity
        var records = 0
        for _ in 0..<5 {
            let t0 = Self.cpuSeconds()
            records = 0
            for f in files {
                for i in 0..<f.chunkCount { records += f.chunk(i).records.count }
            }
            best = min(best, Self.cpuSeconds() - t0)
        }
        #expect(records == 18_397)
        print("EVTX throughput: spoor \(records) records, \(Int(Double(records) / best)) records/cpu-s")

        let python = ProcessInfo.processInfo.environment["SPOOR_PYTHON"] ?? "python3"
        let script = """
        import os, sys, time
        import evtx
        d = sys.argv[1]
        files = sorted(f for f in os.listdir(d) if f.endswith('.evtx'))
        best = 1e9
        for _ in range(5):
            t0 = time.process_time(); n = 0
            for f in files:
                it = evtx.PyEvtxParser(os.path.join(d, f)).records_json()
                while True:
                    try: next(it)
                    except StopIteration: break
                    except Exception: continue
                    n += 1
            best = min(best, time.process_time() - t0)
        print(n, int(n / best))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", script, dir]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print("EVTX throughput: evtx package (records, records/cpu-s): \(out.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}
