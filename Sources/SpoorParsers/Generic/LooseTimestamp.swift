import SpoorCore

/// Reads a timestamp written in any of the common shapes found in exported tables and JSON
/// logs, where the format is not known in advance.
///
/// Recognised (after trimming spaces):
/// - ISO 8601 / RFC 3339: `2019-02-12T14:22:40.697Z`, `2019-02-12 14:22:40.697`, `+0100` offsets;
/// - epoch numbers, unit chosen by magnitude: seconds below 10¹¹, milliseconds below 10¹⁴,
///   microseconds below 10¹⁷, nanoseconds above (with an optional fraction); at least nine
///   integer digits are required, so small counters are not read as 1970 dates;
/// - US dates as Excel and Azure exports write them: `M/D/YYYY H:MM[:SS[.fff]] [AM|PM]`;
/// - the Common Log Format time of web servers: `10/Oct/2000:13:55:36 -0700`;
/// - RFC 1123/2822: `[Tue, ]15 Nov 1994 08:12:31 (GMT|UTC|Z|±hhmm)`;
/// - syslog's `Mon DD HH:MM:SS` (no year: the year of ``ParseContext/collectedAt``, or the
///   year before when that would put the time more than a day after collection).
///
/// A date without a time is not accepted: it says too little to order events.
/// Times without an offset are local times of ``ParseContext/timeZone``.
enum LooseTimestamp {
    struct Result: Sendable, Hashable {
        var timestamp: Timestamp
        /// The offset written in the text, or the one assumed from the context, in seconds.
        var offsetSeconds: Int
    }

    static func parse(_ b: Span<UInt8>, context: ParseContext) -> Result? {
        let r = Bytes.trim(b, 0..<b.count)
        guard r.count >= 8, r.count <= 64 else { return nil }
        let t = b.extracting(r)
        let c0 = t[0]
        if Bytes.isDigit(c0) {
            if let p = TimestampText.parseISO8601(t), p.length == t.count {
                return local(p.civil, offset: p.offsetSeconds, context: context)
            }
            if let us = epoch(t) { return Result(timestamp: Timestamp(microseconds: us), offsetSeconds: 0) }
            if let v = usDate(t, context: context) { return v }
            if let v = commonLogTime(t, 0, context: context), v.length == t.count { return v.result }
            if let v = rfc1123(t, context: context) { return v }
            return nil
        }
        if TimestampText.month(t, 0) != nil, let v = syslogTime(t, context: context) { return v }
        return rfc1123(t, context: context)
    }

    /// A civil time with a written offset, or a local time of the context's zone.
    @inline(__always)
    static func local(_ civil: CivilTime, offset: Int?, context: ParseContext) -> Result {
        if let off = offset {
            return Result(timestamp: Timestamp(microseconds: civil.utcMicroseconds - Int64(off) * 1_000_000), offsetSeconds: off)
        }
        let (us, off) = context.timeZone.utc(fromLocal: civil)
        return Result(timestamp: Timestamp(microseconds: us), offsetSeconds: off)
    }

    /// Decimal epoch time, unit by magnitude; microseconds.
    static func epoch(_ t: Span<UInt8>) -> Int64? {
        var i = 0
        var whole: Int64 = 0
        var digits = 0
        while i < t.count, Bytes.isDigit(t[i]) {
            guard digits < 19 else { return nil }
            whole = whole * 10 + Int64(t[i] &- 48)
            digits += 1; i += 1
        }
        guard digits >= 9 else { return nil }
        // Fraction of the unit, scaled to 10⁻⁹ of it.
        var frac: Int64 = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < t.count, Bytes.isDigit(t[i]) {
                if n < 9 { frac = frac * 10 + Int64(t[i] &- 48); n += 1 }
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in n..<9 { frac *= 10 }
        }
        guard i == t.count else { return nil }
        switch whole {
        case ..<100_000_000_000: return whole * 1_000_000 + frac / 1_000
        case ..<100_000_000_000_000: return whole * 1_000 + frac / 1_000_000
        case ..<100_000_000_000_000_000: return whole
        default: return whole / 1_000
        }
    }

    /// `M/D/YYYY H:MM[:SS[.fff]] [AM|PM]`.
    static func usDate(_ t: Span<UInt8>, context: ParseContext) -> Result? {
        var i = 0
        guard let mo = number(t, &i, maxDigits: 2), i < t.count, t[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        guard let d = number(t, &i, maxDigits: 2), i < t.count, t[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        let yStart = i
        guard let y = number(t, &i, maxDigits: 4), i - yStart == 4 else { return nil }
        guard i < t.count, t[i] == Bytes.space || t[i] == UInt8(ascii: "T") else { return nil }
        while i < t.count, t[i] == Bytes.space || t[i] == UInt8(ascii: "T") { i += 1 }
        guard var h = number(t, &i, maxDigits: 2), i < t.count, t[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let mi = TimestampText.digits(t, i, 2) else { return nil }
        i += 2
        var s = 0, micro = 0
        if i < t.count, t[i] == UInt8(ascii: ":") {
            guard let sec = TimestampText.digits(t, i + 1, 2) else { return nil }
            s = sec; i += 3
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                var n = 0
                while i < t.count, Bytes.isDigit(t[i]) {
                    if n < 6 { micro = micro * 10 + Int(t[i] &- 48) }
                    n += 1; i += 1
                }
                guard n > 0 else { return nil }
                if n < 6 { for _ in n..<6 { micro *= 10 } }
            }
        }
        while i < t.count, t[i] == Bytes.space { i += 1 }
        if i + 2 == t.count, Bytes.lower(t[i + 1]) == UInt8(ascii: "m") {
            let ap = Bytes.lower(t[i])
            guard (1...12).contains(h), ap == UInt8(ascii: "a") || ap == UInt8(ascii: "p") else { return nil }
            if ap == UInt8(ascii: "a") { if h == 12 { h = 0 } } else if h != 12 { h += 12 }
            i += 2
        }
        guard i == t.count else { return nil }
        let civil = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: micro)
        guard civil.isValid else { return nil }
        return local(civil, offset: nil, context: context)
    }

    /// `dd/Mon/yyyy:HH:MM:SS[.frac][ ±hhmm]` starting at `i`; also the bytes consumed.
    static func commonLogTime(_ t: Span<UInt8>, _ i: Int, context: ParseContext) -> (result: Result, length: Int)? {
        guard let d = TimestampText.digits(t, i, 2), i + 20 <= t.count, t[i + 2] == UInt8(ascii: "/"),
              let mo = TimestampText.month(t, i + 3), t[i + 6] == UInt8(ascii: "/"),
              let y = TimestampText.digits(t, i + 7, 4), t[i + 11] == UInt8(ascii: ":"),
              let h = TimestampText.digits(t, i + 12, 2), t[i + 14] == UInt8(ascii: ":"),
              let mi = TimestampText.digits(t, i + 15, 2), t[i + 17] == UInt8(ascii: ":"),
              let s = TimestampText.digits(t, i + 18, 2)
        else { return nil }
        var k = i + 20
        var micro = 0
        if k < t.count, t[k] == UInt8(ascii: ".") {
            k += 1
            var n = 0
            while k < t.count, Bytes.isDigit(t[k]) {
                if n < 6 { micro = micro * 10 + Int(t[k] &- 48) }
                n += 1; k += 1
            }
            if n < 6 { for _ in n..<6 { micro *= 10 } }
        }
        var offset: Int? = nil
        if k + 5 < t.count, t[k] == Bytes.space, t[k + 1] == UInt8(ascii: "+") || t[k + 1] == UInt8(ascii: "-"),
           let oh = TimestampText.digits(t, k + 2, 2), let om = TimestampText.digits(t, k + 4, 2), oh <= 23, om <= 59 {
            offset = (t[k + 1] == UInt8(ascii: "-") ? -1 : 1) * (oh * 3600 + om * 60)
            k += 6
        }
        let civil = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: micro)
        guard civil.isValid else { return nil }
        return (local(civil, offset: offset, context: context), k - i)
    }

    /// `[Ddd, ]DD Mon YYYY HH:MM:SS (GMT|UTC|Z|±hhmm)`.
    static func rfc1123(_ t: Span<UInt8>, context: ParseContext) -> Result? {
        var i = 0
        if !Bytes.isDigit(t[0]) {
            guard let comma = Bytes.find(UInt8(ascii: ","), in: t, to: min(t.count, 10)) else { return nil }
            i = comma + 1
            while i < t.count, t[i] == Bytes.space { i += 1 }
        }
        guard let d = number(t, &i, maxDigits: 2), i < t.count, t[i] == Bytes.space,
              let mo = TimestampText.month(t, i + 1), i + 4 < t.count, t[i + 4] == Bytes.space else { return nil }
        i += 5
        guard let y = TimestampText.digits(t, i, 4), i + 4 < t.count, t[i + 4] == Bytes.space,
              let h = TimestampText.digits(t, i + 5, 2), i + 7 < t.count, t[i + 7] == UInt8(ascii: ":"),
              let mi = TimestampText.digits(t, i + 8, 2), i + 10 < t.count, t[i + 10] == UInt8(ascii: ":"),
              let s = TimestampText.digits(t, i + 11, 2) else { return nil }
        i += 13
        var offset: Int? = nil
        if i < t.count {
            guard t[i] == Bytes.space else { return nil }
            i += 1
            let rest = i..<t.count
            if Bytes.equalsIgnoringCase(t, rest, "GMT") || Bytes.equalsIgnoringCase(t, rest, "UTC") || Bytes.equals(t, rest, "Z") {
                offset = 0
            } else if rest.count == 5, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-"),
                      let oh = TimestampText.digits(t, i + 1, 2), let om = TimestampText.digits(t, i + 3, 2), oh <= 23, om <= 59 {
                offset = (t[i] == UInt8(ascii: "-") ? -1 : 1) * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        let civil = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        guard civil.isValid else { return nil }
        return local(civil, offset: offset, context: context)
    }

    /// `Mon DD HH:MM:SS[.frac]` (day may be space-padded), year inferred from collection time.
    static func syslogTime(_ t: Span<UInt8>, context: ParseContext) -> Result? {
        guard let mo = TimestampText.month(t, 0), t.count >= 15, t[3] == Bytes.space else { return nil }
        var i = 4
        if t[i] == Bytes.space { i += 1 }
        guard let d = number(t, &i, maxDigits: 2), i < t.count, t[i] == Bytes.space,
              let h = TimestampText.digits(t, i + 1, 2), i + 3 < t.count, t[i + 3] == UInt8(ascii: ":"),
              let mi = TimestampText.digits(t, i + 4, 2), i + 6 < t.count, t[i + 6] == UInt8(ascii: ":"),
              let s = TimestampText.digits(t, i + 7, 2) else { return nil }
        i += 9
        var micro = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < t.count, Bytes.isDigit(t[i]) {
                if n < 6 { micro = micro * 10 + Int(t[i] &- 48) }
                n += 1; i += 1
            }
            if n < 6 { for _ in n..<6 { micro *= 10 } }
        }
        guard i == t.count else { return nil }
        let year = context.collectedAt.civil.year
        var civil = CivilTime(year: year, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: micro)
        // Feb 29 of a non-leap collection year belongs to the year before.
        if !civil.isValid { civil.year -= 1; guard civil.isValid else { return nil } }
        var r = local(civil, offset: nil, context: context)
        if r.timestamp.microseconds > context.collectedAt.microseconds + 86_400_000_000 {
            civil.year -= 1
            guard civil.isValid else { return nil }
            r = local(civil, offset: nil, context: context)
        }
        return r
    }

    /// 1…`maxDigits` decimal digits at `i`, advancing `i`.
    @inline(__always)
    static func number(_ t: Span<UInt8>, _ i: inout Int, maxDigits: Int) -> Int? {
        var v = 0, n = 0
        while i < t.count, n < maxDigits, Bytes.isDigit(t[i]) {
            v = v * 10 + Int(t[i] &- 48); n += 1; i += 1
        }
        return n > 0 ? v : nil
    }
}
