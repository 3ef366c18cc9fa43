/// Parsers for the textual timestamps logs use, working on bytes.
public enum TimestampText {
    /// Reads `n` ASCII digits at `i`; nil if any is not a digit.
    @inline(__always)
    public static func digits(_ b: Span<UInt8>, _ i: Int, _ n: Int) -> Int? {
        guard i >= 0, i + n <= b.count else { return nil }
        var v = 0
        for k in i..<(i + n) {
            let c = b[k] &- 48
            guard c < 10 else { return nil }
            v = v * 10 + Int(c)
        }
        return v
    }

    /// The result of reading an ISO 8601 / RFC 3339 timestamp.
    public struct Parsed: Sendable, Hashable {
        public var civil: CivilTime
        /// The offset written in the text, in seconds east of UTC; nil when the text has none
        /// (the caller decides: a `--tz` zone, or UTC).
        public var offsetSeconds: Int?
        /// Bytes consumed.
        public var length: Int
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM|±HHMM|±HH]` at the start of `b`.
    ///
    /// Fractions longer than microseconds are truncated (Windows writes 100 ns ticks, some
    /// tools nanoseconds). A date alone is not accepted: logs always carry a time.
    public static func parseISO8601(_ b: Span<UInt8>) -> Parsed? {
        guard let y = digits(b, 0, 4), b.count >= 19, b[4] == UInt8(ascii: "-"),
              let mo = digits(b, 5, 2), b[7] == UInt8(ascii: "-"), let d = digits(b, 8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
              let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2),
              b[16] == UInt8(ascii: ":"), let s = digits(b, 17, 2)
        else { return nil }
        var i = 19
        var micro = 0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var n = 0
            while i < b.count, b[i] &- 48 < 10 {
                if n < 6 { micro = micro * 10 + Int(b[i] &- 48) }
                n += 1; i += 1
            }
            guard n > 0 else { return nil }
            if n < 6 { for _ in n..<6 { micro *= 10 } }
        }
        var offset: Int? = nil
        if i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                offset = 0; i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                let sign = c == UInt8(ascii: "-") ? -1 : 1
                guard let oh = digits(b, i + 1, 2) else { return nil }
                var om = 0
                var len = 3
                if i + 3 < b.count, b[i + 3] == UInt8(ascii: ":") {
                    guard let m = digits(b, i + 4, 2) else { return nil }
                    om = m; len = 6
                } else if let m = digits(b, i + 3, 2) {
                    om = m; len = 5
                }
                guard oh <= 23, om <= 59 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i += len
            }
        }
        let civil = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: micro)
        guard civil.isValid else { return nil }
        return Parsed(civil: civil, offsetSeconds: offset, length: i)
    }

    /// The month number of an English three-letter abbreviation (`Jan` … `Dec`, any case).
    public static func month(_ b: Span<UInt8>, _ i: Int) -> Int? {
        guard i >= 0, i + 3 <= b.count else { return nil }
        let a = b[i] | 0x20, c1 = b[i + 1] | 0x20, c2 = b[i + 2] | 0x20
        switch (a, c1, c2) {
        case (0x6a, 0x61, 0x6e): return 1   // jan
        case (0x66, 0x65, 0x62): return 2   // feb
        case (0x6d, 0x61, 0x72): return 3   // mar
        case (0x61, 0x70, 0x72): return 4   // apr
        case (0x6d, 0x61, 0x79): return 5   // may
        case (0x6a, 0x75, 0x6e): return 6   // jun
        case (0x6a, 0x75, 0x6c): return 7   // jul
        case (0x61, 0x75, 0x67): return 8   // aug
        case (0x73, 0x65, 0x70): return 9   // sep
        case (0x6f, 0x63, 0x74): return 10  // oct
        case (0x6e, 0x6f, 0x76): return 11  // nov
        case (0x64, 0x65, 0x63): return 12  // dec
        default: return nil
        }
    }

    /// Parses a decimal epoch time in seconds with an optional fraction (`1425565514.419939`),
    /// the form Zeek and many JSON logs use. Returns microseconds.
    public static func parseEpochSeconds(_ b: Span<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var secs: Int64 = 0
        var n = 0
        while i < b.count, b[i] &- 48 < 10 {
            guard n < 12 else { return nil }
            secs = secs * 10 + Int64(b[i] &- 48); i += 1; n += 1
        }
        guard n > 0 else { return nil }
        var micro: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var f = 0
            while i < b.count, b[i] &- 48 < 10 {
                if f < 6 { micro = micro * 10 + Int64(b[i] &- 48) }
                f += 1; i += 1
            }
            if f < 6 { for _ in f..<6 { micro *= 10 } }
        }
        guard i == b.count else { return nil }
        let v = secs * 1_000_000 + micro
        return negative ? -v : v
    }
}
