import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorTesting

/// The builder alone (issue 3, sixth round): CPU nanoseconds per value written by
/// `EventBatchBuilder` in a mix shaped like the direct EVTX path's rows (per row 36 string
/// values — constants, a few alternating values, many distinct ones — 8 integers, a timestamp
/// and two one-item lists; a builder per 800 rows, as per file), against interning the same
/// strings in a bare `SymbolTable` and a loop that only reads the values. Only with
/// `SPOOR_EVTX_BENCH=1`, meaningful in a release build. The checks hold in any build.
@Suite struct EVTXBuilderBenchTests {
    static let enabled = ProcessInfo.processInfo.environment["SPOOR_EVTX_BENCH"] == "1"

    /// The values of `rows` rows: bytes and, per string value, its range.
    struct Workload {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        static let strings = 36, ints = 8

        init(rows: Int) {
            var rng = SystemRandomNumberGenerator()
            for r in 0..<rows {
                for c in 0..<Self.strings {
                    let text: String
                    switch c {
                    case 0..<10: text = "constant-value-\(c)"
                    case 10..<20: text = "alternating-\(c)-\(Int.random(in: 0..<4, using: &rng))"
                    case 20..<30: text = "C:\\Windows\\System32\\image-\(c)-\(Int.random(in: 0..<200, using: &rng)).exe"
                    default: text = "distinct value \(c) of row \(r) with some length to it"
                    }
                    let start = bytes.count
                    bytes.append(contentsOf: Array(text.utf8))
                    ranges.append(start..<bytes.count)
                }
            }
        }
    }

    /// Writes `w`'s rows into builders of 800 rows; returns the rows finished.
    static func build(_ w: Workload, rows: Int) -> Int {
        var builder = EventBatchBuilder()
        let strings = (0..<Workload.strings).map { builder.column("s\($0)", .string) }
        let ints = (0..<Workload.ints).map { builder.column("i\($0)", .int) }
        let time = builder.column("@timestamp", .timestamp)
        let lists = [builder.column("l0", .stringList), builder.column("l1", .stringList)]
        var total = 0
        let span = w.bytes.span
        var k = 0
        for r in 0..<rows {
            builder.beginRow()
            builder.set(time, timestamp: Timestamp(microseconds: Int64(r)))
            for c in 0..<Workload.strings {
                builder.set(strings[c], bytes: span.extracting(w.ranges[k]))
                k += 1
            }
            for c in 0..<Workload.ints { builder.set(ints[c], int: Int64(r &* (c + 1))) }
            for l in lists {
                builder.beginList(l)
                builder.appendToList(l, bytes: span.extracting(w.ranges[k - 1 - Workload.strings + 10]))
            }
            builder.endRow()
            if (r + 1) % 800 == 0 { total += builder.finish().count }
        }
        return total + builder.finish().count
    }

    @Test func builderMatchesItsInput() throws {
        let w = Workload(rows: 1000)
        #expect(Self.build(w, rows: 1000) == 1000)
        var builder = EventBatchBuilder()
        let h = builder.column("s", .string)
        builder.beginRow()
        builder.set(h, bytes: w.bytes.span.extracting(w.ranges[35]))
        builder.endRow()
        let batch = builder.finish()
        #expect(batch.value(row: 0, field: "s") == .string("distinct value 35 of row 0 with some length to it"))
    }

    @Test(.enabled(if: enabled, "set SPOOR_EVTX_BENCH=1 (and use -c release)"))
    func nanosecondsPerValue() throws {
        let rows = 20_000
        let w = Workload(rows: rows)
        let values = Double(rows * (Workload.strings + Workload.ints + 1 + 2))
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = ProcessUsage.cpuSeconds()
            #expect(Self.build(w, rows: rows) == rows)
            best = min(best, ProcessUsage.cpuSeconds() - t0)
        }
        var bestIntern = Double.infinity
        for _ in 0..<5 {
            let t0 = ProcessUsage.cpuSeconds()
            var table = SymbolTable(capacity: 4096)
            var sum: UInt64 = 0
            let span = w.bytes.span
            for (k, r) in w.ranges.enumerated() {
                if k % (800 * Workload.strings) == 0 { table = SymbolTable(capacity: 4096) }
                sum &+= UInt64(table.intern(span.extracting(r)))
            }
            #expect(sum > 0)
            bestIntern = min(bestIntern, ProcessUsage.cpuSeconds() - t0)
        }
        var bestRead = Double.infinity
        for _ in 0..<5 {
            let t0 = ProcessUsage.cpuSeconds()
            var sum: UInt64 = 0
            for r in w.ranges { sum &+= UInt64(w.bytes[r.lowerBound]) &+ UInt64(r.count) }
            #expect(sum > 0)
            bestRead = min(bestRead, ProcessUsage.cpuSeconds() - t0)
        }
        let strings = Double(w.ranges.count)
        print("EVTX builder bench: builder \(String(format: "%.1f", best / values * 1e9)) ns/value (\(Int(values)) values), "
              + "SymbolTable.intern alone \(String(format: "%.1f", bestIntern / strings * 1e9)) ns/string, "
              + "reading the values \(String(format: "%.1f", bestRead / strings * 1e9)) ns/string")
    }
}
