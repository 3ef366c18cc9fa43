import Foundation

/// Small byte-level helpers the parsers share. All work on `Span<UInt8>` and byte indices.
public enum Bytes {
    public static let space = UInt8(ascii: " ")
    public static let tab = UInt8(ascii: "\t")
    public static let lf = UInt8(ascii: "\n")
    public static let cr = UInt8(ascii: "\r")
    public static let quote = UInt8(ascii: "\"")
    public static let backslash = UInt8(ascii: "\\")

    /// The index of the first `byte` in `b[from..<to]`, or nil (`memchr`, so long fields cost little).
    /// `@inlinable`: the parsers call it per field from other modules.
    @inlinable @inline(__always)
    public static func find(_ byte: UInt8, in b: Span<UInt8>, from: Int = 0, to: Int? = nil) -> Int? {
        let end = min(to ?? b.count, b.count)
        guard from >= 0, from < end else { return nil }
        // The pointer never leaves the closure; the range was checked against the span above.
        return b.withUnsafeBufferPointer { buf -> Int? in
            guard let base = buf.baseAddress, let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The index where `needle` starts in `b[from...]`, or nil.
    public static func find(_ needle: StaticString, in b: Span<UInt8>, from: Int = 0) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0 else { return from }
        return needle.withUTF8Buffer { nb -> Int? in
            let first = nb[0]
            var i = from
            while i + n <= b.count {
                if b[i] == first {
                    var k = 1
                    while k < n, b[i + k] == nb[k] { k += 1 }
                    if k == n { return i }
                }
                i += 1
            }
            return nil
        }
    }

    /// Whether `b[at...]` starts with `prefix`.
    @inline(__always)
    public static func hasPrefix(_ b: Span<UInt8>, _ prefix: StaticString, at: Int = 0) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard at >= 0, at + n <= b.count else { return false }
        return prefix.withUTF8Buffer { p in
            for k in 0..<n where b[at + k] != p[k] { return false }
            return true
        }
    }

    /// Whether `b[range]` equals `text`, byte for byte.
    @inline(__always)
    public static func equals(_ b: Span<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return hasPrefix(b, text, at: range.lowerBound)
    }

    /// Whether `b[range]` equals `text` ignoring ASCII case.
    public static func equalsIgnoringCase(_ b: Span<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { p in
            for k in 0..<range.count where lower(b[range.lowerBound + k]) != lower(p[k]) { return false }
            return true
        }
    }

    @inline(__always)
    public static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

    @inline(__always)
    public static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// The value of a hexadecimal digit (`0-9`, `a-f`, `A-F`), or nil.
    @inline(__always)
    public static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    /// Four hexadecimal digits at `b[i..<i+4]` (a JSON `\\uXXXX` escape), if `i + 4 <= end`.
    @inline(__always)
    public static func hex4(_ b: Span<UInt8>, _ i: Int, end: Int) -> UInt32? {
        guard i >= 0, i + 4 <= end, end <= b.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            guard let d = hexValue(b[k]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    @inline(__always)
    public static func isSpace(_ c: UInt8) -> Bool { c == space || c == tab }

    /// Parses a decimal integer in `b[range]` with an optional sign; nil on anything else or overflow.
    public static func int(_ b: Span<UInt8>, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        guard i < end else { return nil }
        var v: Int64 = 0
        while i < end {
            let d = b[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }

    /// Parses a decimal floating-point number in `b[range]` (`1.5`, `-0.25`, `3e5`).
    public static func double(_ b: Span<UInt8>, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty, range.count < 64 else { return nil }
        var chars: [UInt8] = []
        chars.reserveCapacity(range.count)
        for i in range {
            let c = b[i]
            guard isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                    || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { return nil }
            chars.append(c)
        }
        return Double(String(decoding: chars, as: UTF8.self))
    }

    /// `range` with spaces and tabs removed at both ends.
    @inline(__always)
    public static func trim(_ b: Span<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi, isSpace(b[lo]) { lo += 1 }
        while hi > lo, isSpace(b[hi - 1]) || b[hi - 1] == cr { hi -= 1 }
        return lo..<hi
    }

    /// A `String` of `b[range]` under the ``ByteText`` policy.
    public static func string(_ b: Span<UInt8>, _ range: Range<Int>) -> String {
        ByteText.string(b.extracting(range))
    }
}
