import SpoorCore

/// The header of one syslog record, as values and byte ranges into the record.
///
/// Read forms:
/// - RFC 3164 as files hold it: `[<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, the day
///   space-padded (`Oct  1`) or not, seconds optionally with a fraction, an optional year
///   after the day (`Oct 11 2005 22:14:15`), the date optionally in brackets
///   (`[Oct 11 22:14:15]`);
/// - the same with an RFC 3339 / ISO 8601 time in place of the BSD date (rsyslog's
///   `RSYSLOG_FileFormat` high-precision form `2015-04-16T18:02:50.321974+00:00`, and
///   `2013-11-16 21:59:30,121` or `… 14:55:10 UTC` from other writers);
/// - HOST may be absent (`Feb 11 15:23:17 dropbear[1252]: …`, logs of the local host); TAG
///   may be bracketed (`[sshd]:`), may lack the colon (`proftpd[12345] …`), and may carry the
///   PID after a space (`sogod [26818]: …`);
/// - a `<facility.level>` token before the host (syslog-ng's `$PRI`-less templates, Solaris);
/// - RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]` with `-` for nil, structured
///   data `[id k="v" …]` whose values escape `"`, `\` and `]` with a backslash (§6.3.3), and an
///   optional UTF-8 byte order mark before MSG (§6.4).
struct SyslogEnvelope {
    var priority: Int?
    var version: Int?
    /// µs since the epoch, UTC.
    var timestamp: Int64?
    /// The offset the time was written in, or the one used for a local time.
    var offset: Int = 0
    var hostname: Range<Int>?
    var tag: Range<Int>?
    var pid: Int64?
    /// RFC 5424 PROCID as written.
    var procID: Range<Int>?
    var msgID: Range<Int>?
    var message: Range<Int>
    /// Whether the tag was closed the usual way (`TAG:` or `TAG[PID]`); for format sniffing.
    var hasTerminatedTag = false
    /// Whether the time was a BSD date (`Oct 11 22:14:15`); for format sniffing.
    var hasBSDDate = false

    /// The longest record read; longer ones are rejected rather than cut.
    static let maximumLength = 1 << 20
    /// The most structured-data parameters kept per record.
    static let maximumSDParameters = 128

    /// One structured-data parameter: SD-ID, PARAM-NAME and the raw (still escaped) value.
    struct SDParameter {
        var id: Range<Int>
        var name: Range<Int>
        var value: Range<Int>
    }

    static func parse(_ b: Span<UInt8>, clock: inout SyslogClock, sd: inout [SDParameter]) throws(ParseError) -> SyslogEnvelope {
        let n = b.count
        guard n <= maximumLength else { throw ParseError(.recordTooLong, at: maximumLength, "syslog record longer than \(maximumLength) bytes") }
        var i = 0
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        i = MessageText.skipSpaces(b, i, to: n)
        guard i < n else { throw ParseError(.truncated, at: i, "empty syslog record") }
        var env = SyslogEnvelope(message: n..<n)
        if b[i] == UInt8(ascii: "<") {
            var j = i + 1, v = 0
            while j < n, j - i <= 3, MessageText.isDigit(b[j]) { v = v * 10 + Int(b[j] &- 48); j += 1 }
            if j > i + 1, j < n, b[j] == UInt8(ascii: ">"), v <= 191 {
                env.priority = v
                i = j + 1
                if i + 1 < n, b[i] &- 49 < 9, b[i + 1] == MessageText.space || (i + 2 < n && MessageText.isDigit(b[i + 1]) && b[i + 2] == MessageText.space) {
                    return try parse5424(b, from: i, env, clock: &clock, sd: &sd)
                }
            }
        }
        i = try readTimestamp(b, from: i, into: &env, clock: &clock)
        i = MessageText.skipSpaces(b, i, to: n)
        // `<auth.info>`: a facility.level token some templates write before the host.
        if i < n, b[i] == UInt8(ascii: "<") {
            let e = MessageText.tokenEnd(b, from: i, to: n)
            if b[e - 1] == UInt8(ascii: ">") { i = MessageText.skipSpaces(b, e, to: n) }
        }
        guard i < n else { env.message = n..<n; return env }
        // HOST or TAG? A token with a bracket or ending in a colon is a tag: host names have neither.
        let t1End = MessageText.tokenEnd(b, from: i, to: n)
        if isTagLike(b, i, t1End) || isSpacedPID(b, MessageText.skipSpaces(b, t1End, to: n), n) {
            i = readTag(b, from: i, to: n, into: &env)
        } else {
            env.hostname = i..<t1End
            i = MessageText.skipSpaces(b, t1End, to: n)
            if i < n { i = readTag(b, from: i, to: n, into: &env) }
        }
        i = MessageText.skipSpaces(b, i, to: n)
        var end = n
        while end > i, b[end - 1] == MessageText.cr || b[end - 1] == MessageText.space { end -= 1 }
        env.message = i..<end
        return env
    }

    @inline(__always)
    static func isTagLike(_ b: Span<UInt8>, _ s: Int, _ e: Int) -> Bool {
        if b[e - 1] == MessageText.colon { return true }
        var k = s
        while k < e { if b[k] == MessageText.openBracket { return true }; k += 1 }
        return false
    }

    /// Whether `b[i...]` is `[digits]` followed by a colon or space (`sogod [26818]: …`).
    @inline(__always)
    static func isSpacedPID(_ b: Span<UInt8>, _ i: Int, _ n: Int) -> Bool {
        guard i < n, b[i] == MessageText.openBracket,
              let num = MessageText.number(b, from: i + 1, to: n), num.end < n, b[num.end] == MessageText.closeBracket
        else { return false }
        return num.end + 1 == n || b[num.end + 1] == MessageText.colon || b[num.end + 1] == MessageText.space
    }

    /// Reads `TAG`, `TAG:`, `TAG[PID]:`, `[TAG]:`, `TAG [PID]:`, `TAG(sub)[PID]` at `i`; returns
    /// where the message starts.
    static func readTag(_ b: Span<UInt8>, from i: Int, to n: Int, into env: inout SyslogEnvelope) -> Int {
        var i = i
        var bracketed = false
        if b[i] == MessageText.openBracket { bracketed = true; i += 1 }
        let s = i
        while i < n {
            let c = b[i]
            if c == MessageText.colon || c == MessageText.space || c == MessageText.openBracket || (bracketed && c == MessageText.closeBracket) { break }
            i += 1
        }
        guard i > s else { return s }
        env.tag = s..<i
        if bracketed, i < n, b[i] == MessageText.closeBracket { i += 1 }
        // [PID], directly or after one space.
        var p = i
        if p < n, b[p] == MessageText.space, isSpacedPID(b, p + 1, n) { p += 1 }
        if p < n, b[p] == MessageText.openBracket, let num = MessageText.number(b, from: p + 1, to: n),
           num.end < n, b[num.end] == MessageText.closeBracket {
            env.pid = num.value
            env.hasTerminatedTag = true
            i = num.end + 1
        }
        if i < n, b[i] == MessageText.colon { i += 1; env.hasTerminatedTag = true }
        return i
    }

    /// Reads the BSD date or an ISO time at `i`; returns the index after it.
    static func readTimestamp(_ b: Span<UInt8>, from start: Int, into env: inout SyslogEnvelope, clock: inout SyslogClock) throws(ParseError) -> Int {
        let n = b.count
        var i = start
        var bracketed = false
        if i < n, b[i] == MessageText.openBracket { bracketed = true; i += 1 }
        if let month = TimestampText.month(b, i), i + 3 < n, b[i + 3] == MessageText.space {
            var j = i + 4
            if j < n, b[j] == MessageText.space { j += 1 }
            guard let d = MessageText.number(b, from: j, to: n, maxDigits: 2), d.end < n, b[d.end] == MessageText.space else {
                throw ParseError(.badTimestamp, at: j, "syslog date without a day")
            }
            j = d.end + 1
            var year: Int? = nil
            if let y = TimestampText.digits(b, j, 4), j + 4 < n, b[j + 4] == MessageText.space { year = y; j += 5 }
            guard let h = TimestampText.digits(b, j, 2), j + 2 < n, b[j + 2] == MessageText.colon,
                  let mi = TimestampText.digits(b, j + 3, 2), j + 5 < n, b[j + 5] == MessageText.colon,
                  let s = TimestampText.digits(b, j + 6, 2) else {
                throw ParseError(.badTimestamp, at: j, "syslog date without hh:mm:ss")
            }
            j += 8
            var micro = 0
            if j < n, b[j] == UInt8(ascii: "."), j + 1 < n, MessageText.isDigit(b[j + 1]) {
                j += 1
                var digits = 0
                while j < n, MessageText.isDigit(b[j]) {
                    if digits < 6 { micro = micro * 10 + Int(b[j] &- 48) }
                    digits += 1; j += 1
                }
                if digits < 6 { for _ in digits..<6 { micro *= 10 } }
            }
            guard j == n || b[j] == MessageText.space || b[j] == MessageText.closeBracket else {
                throw ParseError(.badTimestamp, at: j, "syslog date followed by unexpected bytes")
            }
            let t: (microseconds: Int64, offset: Int)?
            if let year {
                let c = CivilTime(year: year, month: month, day: Int(d.value), hour: h, minute: mi, second: s, microsecond: micro)
                t = c.isValid ? clock.utc(fromLocal: c) : nil
            } else {
                t = clock.utc(month: month, day: Int(d.value), hour: h, minute: mi, second: s, microsecond: micro)
            }
            guard let t, h < 24, mi < 60, s <= 60 else { throw ParseError(.badTimestamp, at: i, "syslog date out of range") }
            env.timestamp = t.microseconds
            env.offset = t.offset
            env.hasBSDDate = true
            i = j
        } else if !bracketed, i + 4 < n, b[i + 4] == UInt8(ascii: "-"), MessageText.isDigit(b[i]) {
            // (A bracketed ISO time, `[2013-06-10 18:15:03] NOTICE[2723] …`, is Asterisk's
            // own log format, not syslog.)
            guard let p = TimestampText.parseISO8601(b.extracting(i..<n)) else {
                throw ParseError(.badTimestamp, at: i, "unreadable ISO 8601 time in syslog header")
            }
            i += p.length
            var offset = p.offsetSeconds
            if offset == nil, i + 4 <= n, b[i] == MessageText.space,
               MessageText.hasPrefix(b, " UTC", at: i, to: n) || MessageText.hasPrefix(b, " GMT", at: i, to: n),
               i + 4 == n || b[i + 4] == MessageText.space {
                offset = 0
                i += 4
            }
            if let offset {
                env.timestamp = p.civil.utcMicroseconds &- Int64(offset) &* 1_000_000
                env.offset = offset
            } else {
                let t = clock.utc(fromLocal: p.civil)
                env.timestamp = t.microseconds
                env.offset = t.offset
            }
        } else {
            throw ParseError(.unrecognized, at: i, "not a syslog record: no BSD date or ISO 8601 time at the start")
        }
        if bracketed, i < n, b[i] == MessageText.closeBracket { i += 1 }
        return i
    }

    /// RFC 5424 after `<PRI>`: `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
    static func parse5424(_ b: Span<UInt8>, from start: Int, _ env: SyslogEnvelope, clock: inout SyslogClock, sd: inout [SDParameter]) throws(ParseError) -> SyslogEnvelope {
        let n = b.count
        var env = env
        env.hasTerminatedTag = true
        var i = start
        guard let v = MessageText.number(b, from: i, to: n, maxDigits: 2) else { throw ParseError(.badHeader, at: i, "RFC 5424 version missing") }
        env.version = Int(v.value)
        i = v.end + 1
        // TIMESTAMP
        guard i < n else { throw ParseError(.truncated, at: i, "RFC 5424 header ends before TIMESTAMP") }
        if b[i] == UInt8(ascii: "-") {
            i += 1
        } else {
            guard let p = TimestampText.parseISO8601(b.extracting(i..<n)) else {
                throw ParseError(.badTimestamp, at: i, "RFC 5424 TIMESTAMP is not RFC 3339")
            }
            if let off = p.offsetSeconds {
                env.timestamp = p.civil.utcMicroseconds &- Int64(off) &* 1_000_000
                env.offset = off
            } else {
                let t = clock.utc(fromLocal: p.civil)
                env.timestamp = t.microseconds
                env.offset = t.offset
            }
            i += p.length
        }
        // HOSTNAME APP-NAME PROCID MSGID: "-" is nil. A header cut short leaves the rest nil.
        var fields: (Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?) = (nil, nil, nil, nil)
        for k in 0..<4 {
            guard i < n, b[i] == MessageText.space else {
                if k == 0 { throw ParseError(.truncated, at: i, "RFC 5424 header ends before HOSTNAME") }
                env.message = n..<n
                env = assign(env, fields)
                if let p = env.procID, let pid = Bytes.int(b, p), pid >= 0 { env.pid = pid }
                return env
            }
            i += 1
            let e = MessageText.tokenEnd(b, from: i, to: n)
            let r: Range<Int>? = (e - i == 1 && b[i] == UInt8(ascii: "-")) || e == i ? nil : i..<e
            switch k {
            case 0: fields.0 = r
            case 1: fields.1 = r
            case 2: fields.2 = r
            default: fields.3 = r
            }
            i = e
        }
        env = assign(env, fields)
        if let p = env.procID, let pid = Bytes.int(b, p), pid >= 0 { env.pid = pid }
        // STRUCTURED-DATA
        guard i < n, b[i] == MessageText.space, i + 1 < n else { env.message = n..<n; return env }
        i += 1
        if b[i] == UInt8(ascii: "-") {
            i += 1
        } else if b[i] == MessageText.openBracket {
            i = try readStructuredData(b, from: i, into: &sd)
        } else {
            throw ParseError(.badField, at: i, "RFC 5424 STRUCTURED-DATA is neither '-' nor '['")
        }
        if i < n, b[i] == MessageText.space { i += 1 }
        if i + 3 <= n, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF { i += 3 }
        var end = n
        while end > i, b[end - 1] == MessageText.cr { end -= 1 }
        env.message = i..<end
        return env
    }

    private static func assign(_ env: SyslogEnvelope, _ f: (Range<Int>?, Range<Int>?, Range<Int>?, Range<Int>?)) -> SyslogEnvelope {
        var env = env
        env.hostname = f.0
        env.tag = f.1
        env.procID = f.2
        env.msgID = f.3
        return env
    }

    /// Reads one or more `[SD-ID name="value" …]` elements; returns the index after the last.
    static func readStructuredData(_ b: Span<UInt8>, from start: Int, into sd: inout [SDParameter]) throws(ParseError) -> Int {
        let n = b.count
        var i = start
        while i < n, b[i] == MessageText.openBracket {
            i += 1
            let idStart = i
            while i < n, b[i] != MessageText.space, b[i] != MessageText.closeBracket { i += 1 }
            guard i < n, i > idStart else { throw ParseError(.truncated, at: i, "unterminated RFC 5424 SD-ELEMENT") }
            let id = idStart..<i
            while i < n, b[i] == MessageText.space {
                i += 1
                let nameStart = i
                while i < n, b[i] != UInt8(ascii: "="), b[i] != MessageText.space, b[i] != MessageText.closeBracket { i += 1 }
                guard i + 1 < n, b[i] == UInt8(ascii: "="), b[i + 1] == MessageText.quote, i > nameStart else {
                    throw ParseError(.badField, at: i, "RFC 5424 SD-PARAM is not name=\"value\"")
                }
                let name = nameStart..<i
                i += 2
                let valueStart = i
                while i < n, b[i] != MessageText.quote {
                    if b[i] == MessageText.backslash { i += 1 }
                    i += 1
                }
                guard i < n else { throw ParseError(.truncated, at: n, "unterminated RFC 5424 SD-PARAM value") }
                guard sd.count < maximumSDParameters else {
                    throw ParseError(.badField, at: i, "more than \(maximumSDParameters) RFC 5424 SD-PARAMs")
                }
                sd.append(SDParameter(id: id, name: name, value: valueStart..<i))
                i += 1
            }
            guard i < n, b[i] == MessageText.closeBracket else { throw ParseError(.badField, at: i, "RFC 5424 SD-ELEMENT not closed by ']'") }
            i += 1
        }
        return i
    }

    /// An SD-PARAM value with RFC 5424 §6.3.3 escapes (`\"`, `\\`, `\]`) removed; other
    /// backslashes are kept as written, as the RFC says.
    static func unescapeSDValue(_ b: Span<UInt8>, _ r: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var i = r.lowerBound
        while i < r.upperBound {
            let c = b[i]
            if c == MessageText.backslash, i + 1 < r.upperBound {
                let d = b[i + 1]
                if d == MessageText.quote || d == MessageText.backslash || d == MessageText.closeBracket { out.append(d); i += 2; continue }
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
