#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpoorCore

/// Byte-level readers for the textual values of Zeek logs: decimal seconds, escapes.
enum ZeekText {
    /// Reads signed decimal seconds (`1521911720.865716`, `-0.000870`, `2230.000000`) as
    /// microseconds, without a `Double` when there are at most six fraction digits.
    ///
    /// Zeek keeps times and intervals as doubles and its TSV writer prints six decimals, so
    /// microseconds are the resolution both Zeek formats share. Longer fractions (a JSON
    /// writer printing full double precision) are rounded half away from zero at the
    /// seventh digit; exponent forms (`1e-06`) go through `Double`.
    @inline(__always)
    static func microseconds(_ b: Span<UInt8>, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        var secs: Int64 = 0
        var n = 0
        while i < end {
            let d = b[i] &- 48
            guard d < 10 else { break }
            guard n < 15 else { return nil }
            secs = secs &* 10 &+ Int64(d)
            i += 1; n += 1
        }
        var micro: Int64 = 0
        var f = 0
        if i < end, b[i] == UInt8(ascii: ".") {
            i += 1
            var roundUp = false
            while i < end {
                let d = b[i] &- 48
                guard d < 10 else { break }
                if f < 6 { micro = micro &* 10 &+ Int64(d) } else if f == 6 { roundUp = d >= 5 }
                f += 1; i += 1
            }
            if f < 6 { for _ in f..<6 { micro &*= 10 } }
            if roundUp { micro += 1 }
        }
        guard n + f > 0 else { return nil }
        if i < end {
            // Only an exponent may follow; anything else is not a number.
            guard b[i] | 0x20 == UInt8(ascii: "e"), let d = Bytes.double(b, range), d.isFinite, abs(d) < 9e12 else { return nil }
            return Int64((d * 1_000_000).rounded())
        }
        // Fifteen digits of seconds do not fit in microseconds (found by the fuzzer).
        let (scaled, o1) = secs.multipliedReportingOverflow(by: 1_000_000)
        let (v, o2) = scaled.addingReportingOverflow(micro)
        guard !o1, !o2 else { return nil }
        return negative ? -v : v
    }

    /// Appends to `seps` the indices of `sep` in `b`, at most `limit` of them; returns the
    /// index of the first one past the limit, or nil.
    ///
    /// Eight bytes per step (SWAR): a field is about six bytes long, so one `memchr` call per
    /// field cost more than the scan itself (measured on conn.log). The pointer never leaves
    /// the closure and every load is within `buf`.
    @inline(__always)
    static func separators(in b: Span<UInt8>, _ sep: UInt8, limit: Int, into seps: inout [Int]) -> Int? {
        b.withUnsafeBufferPointer { buf -> Int? in
            guard let base = buf.baseAddress else { return nil }
            let n = buf.count
            let pattern = UInt64(sep) &* 0x0101_0101_0101_0101
            let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            var i = 0
            while i + 8 <= n {
                let x = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) ^ pattern
                // The high bit of each byte is set exactly where `x` has a zero byte, so where
                // the input has `sep` (no borrow crosses bytes, unlike the shorter `haszero`).
                var m = ~(((x & low7) &+ low7) | x | low7)
                while m != 0 {
                    let k = i + m.trailingZeroBitCount >> 3
                    if seps.count == limit { return k }
                    seps.append(k)
                    m &= m &- 1
                }
                i += 8
            }
            while i < n {
                if base[i] == sep {
                    if seps.count == limit { return i }
                    seps.append(i)
                }
                i += 1
            }
            return nil
        }
    }

    /// Microseconds from a double number of seconds, rounded to the nearest microsecond.
    @inline(__always)
    static func microseconds(_ seconds: Double) -> Int64? {
        guard seconds.isFinite, abs(seconds) < 9e12 else { return nil }
        return Int64((seconds * 1_000_000).rounded())
    }

    /// The backslash, as a literal: `Bytes.backslash` is a global whose accessor was called
    /// per byte in the hot loop (measured).
    static let backslash: UInt8 = 0x5C

    /// Whether `b[range]` contains a backslash (so an escape may need decoding).
    @inline(__always)
    static func hasBackslash(_ b: Span<UInt8>, _ range: Range<Int>) -> Bool {
        find(0x5C, in: b, from: range.lowerBound, to: range.upperBound) != nil
    }

    /// The index of the first `byte` in `b[from..<to]`, or nil (``Bytes/find(_:in:from:to:)``).
    @inline(__always)
    static func find(_ byte: UInt8, in b: Span<UInt8>, from: Int, to: Int) -> Int? { Bytes.find(byte, in: b, from: from, to: to) }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// Decodes the escapes of Zeek's ASCII writer in `b[range]` into `out` (cleared first).
    ///
    /// The writer escapes the separator, the set separator (inside containers), non-printable
    /// bytes and bytes of invalid UTF-8 as `\xHH`, and the backslash itself as `\\` (seen in
    /// zed-sample-data: `\\pipe\\ntsvcs` in TSV is `\pipe\ntsvcs` in the JSON twin). A
    /// backslash followed by anything else is kept as it is.
    static func decodeTSV(_ b: Span<UInt8>, _ range: Range<Int>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = b[i]
            if c == 0x5C, i + 1 < end {
                let e = b[i + 1]
                if e == 0x5C { out.append(0x5C); i += 2; continue }
                if e == UInt8(ascii: "x"), i + 3 < end, let hi = hexValue(b[i + 2]), let lo = hexValue(b[i + 3]) {
                    out.append(hi << 4 | lo)
                    i += 4
                    continue
                }
            }
            out.append(c)
            i += 1
        }
    }

    /// Decodes the `\xHH` escapes Zeek's JSON writer puts into string values, into `out`.
    ///
    /// Zeek's JSON writer (`json_escape_utf8`) leaves text as it is except bytes it cannot put
    /// into a JSON string as themselves: control bytes other than `\b \f \n \r \t`, DEL and the
    /// bytes of invalid UTF-8 become the four characters `\xHH` (seen in zed-sample-data:
    /// the TSV byte 0x01 of a dpd `failure_reason` is `"\\x01"` in JSON). Only escapes of
    /// such bytes are decoded, so a literal `\x41` in a URL stays text. A literal `\x01` in
    /// the original data cannot be told apart from an escape; that ambiguity is Zeek's.
    /// Returns false (and leaves `out` undefined) when there is nothing to decode.
    static func decodeJSONEscapes(_ b: Span<UInt8>, into out: inout [UInt8]) -> Bool {
        var i = 0
        let end = b.count
        var changed = false
        out.removeAll(keepingCapacity: true)
        while i < end {
            let c = b[i]
            if c == 0x5C, i + 3 < end, b[i + 1] == UInt8(ascii: "x"),
               let hi = hexValue(b[i + 2]), let lo = hexValue(b[i + 3]) {
                let v = hi << 4 | lo
                let isPrintableControl = v == 0x08 || v == 0x0C || v == 0x0A || v == 0x0D || v == 0x09
                if (v < 0x20 && !isPrintableControl) || v >= 0x7F {
                    out.append(v)
                    changed = true
                    i += 4
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return changed
    }
}
