import Testing
@testable import SpoorEVTX

/// The direct path renders values itself (`EVTXViewWalker.append`); the JSON path through
/// `BinXMLReader`. Both must give the same text.
@Suite struct EVTXValueTextTests {
    /// FILETIMEs: the walker keeps the last day's date and renders only the time of day for
    /// the next value on that day, so values are rendered in one walker one after the other —
    /// within a day, across midnight, back and forth between days, before 1970 (negative Unix
    /// time), at the ends of the range the rendering handles (year 9999) and past it.
    @Test func fileTimesRenderAsTheJSONPathRendersThem() {
        let ticksPerDay: UInt64 = 864_000_000_000
        let epoch: UInt64 = 116_444_736_000_000_000
        var times: [UInt64] = [
            epoch, epoch - 1, epoch - 10, epoch + 9, epoch - ticksPerDay, epoch - ticksPerDay + 10,
            0, 9, 10, ticksPerDay - 10, ticksPerDay,
            132_223_423_455_678_901, 132_223_423_455_678_901 + 10, 132_223_423_455_678_901 - ticksPerDay,
            2_650_467_743_999_999_990, 2_650_467_744_000_000_000, UInt64.max,
        ]
        var rng = SystemRandomNumberGenerator()
        var t: UInt64 = 132_000_000_000_000_000
        for _ in 0..<3_000 {
            // Mostly steps within a day, sometimes a jump of days either way.
            if Int.random(in: 0..<10, using: &rng) == 0 {
                t = UInt64.random(in: 0...3_000_000_000_000_000_000, using: &rng)
            } else {
                t &+= UInt64.random(in: 0...(ticksPerDay / 20), using: &rng)
            }
            times.append(t)
        }
        var bytes: [UInt8] = []
        for v in times { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        var w = EVTXViewWalker(data: bytes, view: EVTXEventView(names: EVTXNameTable()), plans: EVTXPlanCache(), owner: 1)
        for (k, v) in times.enumerated() {
            w.text.removeAll()
            do throws(EVTXViewWalker.Fallback) {
                try w.append(FastValue(type: 0x11, pos: 8 * k, size: 8, nested: -1))
            } catch {
                Issue.record("FILETIME \(v) was refused")
                continue
            }
            #expect(String(decoding: w.text, as: UTF8.self) == BinXMLReader.filetimeText(v), "FILETIME \(v)")
        }
    }
}
