import SpoorCore

/// Calls `body` with each line of `bytes` (LF or CR LF), its 1-based number and its byte range.
func forEachLine(_ bytes: [UInt8], _ body: (Span<UInt8>, Int, Range<Int>) throws(IntelError) -> Void) throws(IntelError) {
    let span = bytes.span
    var start = 0, line = 0
    let n = bytes.count
    while start < n {
        var end = start
        while end < n, span[end] != 0x0A { end += 1 }
        line += 1
        var stop = end
        if stop > start, span[stop - 1] == 0x0D { stop -= 1 }
        try body(span, line, start..<stop)
        start = end + 1
    }
}

/// Splits `span[range]` at `separator` into at most `limit` ranges (the last keeps the rest).
func fields(_ span: Span<UInt8>, _ range: Range<Int>, separator: UInt8, limit: Int = .max) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var s = range.lowerBound
    var i = s
    while i < range.upperBound {
        if span[i] == separator, out.count < limit - 1 {
            out.append(s..<i)
            s = i + 1
        }
        i += 1
    }
    out.append(s..<range.upperBound)
    return out
}

/// Parses an unsigned decimal in `span[range]`, nil on anything else or overflow.
func decimal(_ span: Span<UInt8>, _ range: Range<Int>, max: UInt64 = UInt64(UInt32.max)) -> UInt64? {
    guard !range.isEmpty, range.count <= 20 else { return nil }
    var v: UInt64 = 0
    for i in range {
        let d = span[i] &- 48
        guard d < 10 else { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(UInt64(d))
        guard !o1, !o2, a <= max else { return nil }
        v = a
    }
    return v
}

/// Reads `yyyymmdd` (and an optional `.hhmm` after it) starting at `i`; nil when not a date.
func compactDate(_ span: Span<UInt8>, at i: Int, end: Int) -> (date: Int64, length: Int)? {
    guard i + 8 <= end else { return nil }
    for k in i..<(i + 8) where span[k] &- 48 >= 10 { return nil }
    func num(_ a: Int, _ n: Int) -> Int {
        var v = 0
        for k in a..<(a + n) { v = v * 10 + Int(span[k] &- 48) }
        return v
    }
    let y = num(i, 4), m = num(i + 4, 2), d = num(i + 6, 2)
    guard y >= 1980, y <= 2200, m >= 1, m <= 12, d >= 1, d <= 31 else { return nil }
    var seconds = Int64(CivilTime.daysFromCivil(year: y, month: m, day: d)) * 86_400
    var length = 8
    // `.0600` or `_0600` after the date: the dump's hour and minute.
    if i + 13 <= end, span[i + 8] == UInt8(ascii: ".") || span[i + 8] == UInt8(ascii: "_") {
        var allDigits = true
        for k in (i + 9)..<(i + 13) where span[k] &- 48 >= 10 { allDigits = false }
        let after = i + 13 < end ? span[i + 13] : UInt8(ascii: ".")
        if allDigits, after &- 48 >= 10 {
            let hh = num(i + 9, 2), mm = num(i + 11, 2)
            if hh < 24, mm < 60 { seconds += Int64(hh * 3600 + mm * 60); length = 13 }
        }
    }
    return (seconds, length)
}

/// The first `yyyymmdd[.hhmm]` in `text` that stands alone (not inside a longer number).
func firstCompactDate(in text: String) -> Int64? {
    let bytes = Array(text.utf8)
    let span = bytes.span
    var i = 0
    while i + 8 <= bytes.count {
        if (i == 0 || span[i - 1] &- 48 >= 10), i + 8 == bytes.count || span[i + 8] &- 48 >= 10,
           let d = compactDate(span, at: i, end: bytes.count) {
            return d.date
        }
        i += 1
    }
    return nil
}
