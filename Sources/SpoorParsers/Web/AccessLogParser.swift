import SpoorCore
import SpoorEvents

/// Parses Apache and nginx access logs in Common or Combined Log Format, with the common
/// variants (see ``AccessLogLine``), into ECS web fields.
///
/// | source | field |
/// |---|---|
/// | `%h` | `source.ip`, or `source.domain` when it is a name |
/// | `%l` | `access.ident` (when not `-`) |
/// | `%u` | `user.name` |
/// | `%t` | `@timestamp`, `event.timezone` (the offset written) |
/// | `%r` | `http.request.method`, `url.original`, `url.path`, `url.query`, `http.version`; an absolute target also gives `url.scheme`, `url.domain`, `url.port`, a `CONNECT` target `url.domain`, `url.port` |
/// | `%>s` | `http.response.status_code`, `event.outcome` (`failure` from 400, else `success`) |
/// | `%b` | `http.response.body.bytes` (`-` is 0 bytes, as Apache documents for CLF) |
/// | `%{Referer}i`, `%{User-agent}i` | `http.request.referrer`, `user_agent.original` |
/// | `%v:%p` prefix | `url.domain`, `url.port` |
/// | first extra quoted field holding addresses or `-` | `http.request.x_forwarded_for` (list) |
/// | first extra `0.123` (nginx `$request_time`, seconds) or `12ms` (Traefik) | `event.duration` (ns) |
/// | other extras | `access.extra` (list, in order) |
///
/// Every event has `event.kind` `event`, `event.category` `web`, `event.type` `access`.
///
/// Quoted fields are decoded (``LogEscapes``). A request line that is not
/// `METHOD target [HTTP/x.y]` (scanner garbage, binary, a TLS handshake, an RDP cookie, one
/// word) is still an event: the decoded line goes to `http.request.line` and no method or URL
/// is invented. An empty request (`""`, a connection closed before a request) writes nothing.
/// `-` is an absent value everywhere.
public struct AccessLogParser: LogParser {
    /// The longest record accepted, in bytes.
    public static let maximumRecordLength = 1 << 20

    // Column positions in `columns`.
    private static let names: [(String, FieldKind)] = [
        (Field.timestamp, .timestamp), (Field.eventTimezone, .string), (Field.sourceIP, .ip),
        (Field.userName, .string), (Field.httpRequestMethod, .string), (Field.urlOriginal, .string),
        (Field.urlPath, .string), (Field.urlQuery, .string), (Field.httpVersion, .string),
        (Field.httpResponseStatusCode, .int), (Field.httpResponseBytes, .int),
        (Field.httpRequestReferrer, .string), (Field.userAgentOriginal, .string),
        (Field.eventKind, .string), (Field.eventCategory, .stringList), (Field.eventType, .stringList),
        (Field.eventOutcome, .string),
    ]
    private static let cTimestamp = 0, cTimezone = 1, cSourceIP = 2, cUser = 3, cMethod = 4, cURL = 5,
                        cPath = 6, cQuery = 7, cVersion = 8, cStatus = 9, cBytes = 10, cReferrer = 11,
                        cUserAgent = 12, cKind = 13, cCategory = 14, cType = 15, cOutcome = 16

    let context: ParseContext
    private var columns = ResolvedColumns(AccessLogParser.names)
    private var scratch: [UInt8] = []
    private var offsetText = OffsetText()

    public init(context: ParseContext) {
        self.context = context
        scratch.reserveCapacity(1024)
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        guard record.count <= Self.maximumRecordLength else {
            throw ParseError(.recordTooLong, at: Self.maximumRecordLength, "record longer than \(Self.maximumRecordLength) bytes")
        }
        let line = try AccessLogLine.scan(record)
        guard let time = LooseTimestamp.commonLogTime(record, line.time.lowerBound, context: context),
              time.length == line.time.count else {
            throw ParseError(.badTimestamp, at: line.time.lowerBound, "time is not dd/Mon/yyyy:hh:mm:ss ±hhmm")
        }
        let status = ASCII.unsigned(record, line.status)
        if status == nil, !isDash(record, line.status) {
            throw ParseError(.badField, at: line.status.lowerBound, "status is not a number")
        }
        columns.resolve(in: &builder)

        builder.set(columns[Self.cTimestamp], timestamp: time.result.timestamp)
        builder.set(columns[Self.cTimezone], string: offsetText.text(time.result.offsetSeconds))

        if !line.host.isEmpty, !isDash(record, line.host) {
            if let ip = IPAddress.parse(record.extracting(line.host)) {
                builder.set(columns[Self.cSourceIP], ip: ip)
            } else {
                builder.set(builder.column(Field.sourceDomain, .string), bytes: record, range: line.host)
            }
        }
        if !line.ident.isEmpty, !isDash(record, line.ident) {
            setDecoded(builder.column(Field.accessIdent, .string), record, line.ident, &builder)
        }
        if !line.user.isEmpty, !isDash(record, line.user) {
            setDecoded(columns[Self.cUser], record, line.user, &builder)
        }
        if let vhost = line.vhost { writeAuthority(record, vhost, &builder) }
        if !line.request.isEmpty { writeRequest(record, line.request, &builder) }
        if let status {
            builder.set(columns[Self.cStatus], int: status)
            builder.set(columns[Self.cOutcome], string: status >= 400 ? "failure" : "success")
        }
        builder.set(columns[Self.cBytes], int: ASCII.unsigned(record, line.bytes) ?? 0)
        if let r = line.referrer, !r.isEmpty, !isDash(record, r) {
            setDecoded(columns[Self.cReferrer], record, r, &builder)
        }
        if let r = line.userAgent, !r.isEmpty, !isDash(record, r) {
            setDecoded(columns[Self.cUserAgent], record, r, &builder)
        }
        if !line.rest.isEmpty { writeExtras(record, line.rest, &builder) }
        builder.set(columns[Self.cKind], string: "event")
        builder.set(columns[Self.cCategory], string: "web")
        builder.set(columns[Self.cType], string: "access")
        return .event
    }

    @inline(__always)
    private func isDash(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        r.count == 1 && b[r.lowerBound] == UInt8(ascii: "-")
    }

    /// Sets `b[r]` decoded; copies only when it holds an escape.
    @inline(__always)
    private mutating func setDecoded(_ h: ColumnHandle, _ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        if LogEscapes.hasEscape(b, r) {
            scratch.removeAll(keepingCapacity: true)
            LogEscapes.appendDecoded(b, r, to: &scratch)
            builder.set(h, bytes: scratch.span)
        } else {
            builder.set(h, bytes: b, range: r)
        }
    }

    /// `METHOD SP target [SP HTTP/x.y]`, or the raw line in `http.request.line`.
    private mutating func writeRequest(_ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        var firstSpace = -1
        var i = r.lowerBound
        while i < r.upperBound {
            let c = b[i]
            if c == ASCII.space { firstSpace = i; break }
            guard Self.isTokenByte(c) else { break }
            i += 1
        }
        guard firstSpace > r.lowerBound, firstSpace - r.lowerBound <= 32, firstSpace + 1 < r.upperBound else {
            setDecoded(builder.column(Field.httpRequestLine, .string), b, r, &builder)
            return
        }
        let method = r.lowerBound..<firstSpace
        var targetEnd = r.upperBound
        var lastSpace = r.upperBound - 1
        while lastSpace > firstSpace, b[lastSpace] != ASCII.space { lastSpace -= 1 }
        if lastSpace > firstSpace + 1, Self.isHTTPVersion(b, lastSpace + 1, r.upperBound) {
            targetEnd = lastSpace
            builder.set(columns[Self.cVersion], bytes: b, range: (lastSpace + 6)..<r.upperBound)
        } else if lastSpace == firstSpace, Self.isHTTPVersion(b, firstSpace + 1, r.upperBound) {
            // `GET HTTP/1.1`: no target at all.
            setDecoded(builder.column(Field.httpRequestLine, .string), b, r, &builder)
            return
        }
        builder.set(columns[Self.cMethod], bytes: b, range: method)
        let target = (firstSpace + 1)..<targetEnd
        let isConnect = Bytes.equals(b, method, "CONNECT")
        if LogEscapes.hasEscape(b, target) {
            scratch.removeAll(keepingCapacity: true)
            LogEscapes.appendDecoded(b, target, to: &scratch)
            let decoded = scratch
            writeTarget(decoded.span, 0..<decoded.count, isConnect: isConnect, &builder)
        } else {
            writeTarget(b, target, isConnect: isConnect, &builder)
        }
    }

    /// `url.original` and its parts, from a decoded request target.
    private func writeTarget(_ b: Span<UInt8>, _ r: Range<Int>, isConnect: Bool, _ builder: inout EventBatchBuilder) {
        builder.set(columns[Self.cURL], bytes: b, range: r)
        guard !r.isEmpty else { return }
        var pathStart = r.lowerBound
        if b[pathStart] != UInt8(ascii: "/") {
            if isConnect {
                writeAuthority(b, r, &builder)
                return
            }
            // Absolute form: `scheme://authority/path?query`.
            guard let colon = Bytes.find(UInt8(ascii: ":"), in: b, from: r.lowerBound, to: r.upperBound),
                  colon > r.lowerBound, colon + 2 < r.upperBound,
                  b[colon + 1] == UInt8(ascii: "/"), b[colon + 2] == UInt8(ascii: "/") else { return }
            builder.set(builder.column(Field.urlScheme, .string), bytes: b, range: r.lowerBound..<colon)
            let authorityStart = colon + 3
            var authorityEnd = authorityStart
            while authorityEnd < r.upperBound, b[authorityEnd] != UInt8(ascii: "/"), b[authorityEnd] != UInt8(ascii: "?") {
                authorityEnd += 1
            }
            writeAuthority(b, authorityStart..<authorityEnd, &builder)
            pathStart = authorityEnd
        }
        var q = pathStart
        while q < r.upperBound, b[q] != UInt8(ascii: "?") { q += 1 }
        if q > pathStart { builder.set(columns[Self.cPath], bytes: b, range: pathStart..<q) }
        if q + 1 < r.upperBound { builder.set(columns[Self.cQuery], bytes: b, range: (q + 1)..<r.upperBound) }
    }

    /// `[user@]host[:port]` → `url.domain`, `url.port`.
    private func writeAuthority(_ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        var lo = r.lowerBound
        if let at = Bytes.find(UInt8(ascii: "@"), in: b, from: lo, to: r.upperBound) { lo = at + 1 }
        var hostEnd = r.upperBound
        var port: Int64? = nil
        if AccessLogLine.endsWithPort(b, lo..<r.upperBound) {
            var c = r.upperBound - 1
            while b[c] != UInt8(ascii: ":") { c -= 1 }
            // `[v6]:port` or `host:port`; a bare IPv6 address ends in hex digits, not `:port`,
            // unless bracketed, so require no other colon outside brackets.
            let bracketed = b[lo] == UInt8(ascii: "[")
            let otherColon = !bracketed && Bytes.find(UInt8(ascii: ":"), in: b, from: lo, to: c) != nil
            if !otherColon {
                hostEnd = c
                port = Bytes.int(b, (c + 1)..<r.upperBound)
            }
        }
        if hostEnd > lo, b[lo] == UInt8(ascii: "["), b[hostEnd - 1] == UInt8(ascii: "]") {
            if hostEnd - lo > 2 { builder.set(builder.column(Field.urlDomain, .string), bytes: b, range: (lo + 1)..<(hostEnd - 1)) }
        } else if hostEnd > lo {
            builder.set(builder.column(Field.urlDomain, .string), bytes: b, range: lo..<hostEnd)
        }
        if let port, port <= 65_535 { builder.set(builder.column(Field.urlPort, .int), int: port) }
    }

    /// Fields after the user agent.
    private mutating func writeExtras(_ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        var i = r.lowerBound
        var index = 0
        var hasDuration = false
        var extra: ColumnHandle? = nil
        while i < r.upperBound, index < 64 {
            while i < r.upperBound, b[i] == ASCII.space { i += 1 }
            guard i < r.upperBound else { break }
            var content: Range<Int>
            let quoted = b[i] == ASCII.quote
            if quoted, let close = AccessLogLine.closingQuote(b, i, followedBy: AccessLogLine.isSpaceOrEnd), close < r.upperBound {
                content = (i + 1)..<close
                i = close + 1
            } else {
                var j = i
                while j < r.upperBound, b[j] != ASCII.space { j += 1 }
                content = i..<j
                i = j
            }
            defer { index += 1 }
            if index == 0, quoted, writeForwardedFor(b, content, &builder) { continue }
            if !quoted, !hasDuration, let ns = Self.duration(b, content) {
                builder.set(builder.column(Field.eventDuration, .int), int: ns)
                hasDuration = true
                continue
            }
            let h: ColumnHandle
            if let extra { h = extra } else {
                h = builder.column(Field.accessExtra, .stringList)
                builder.beginList(h)
                extra = h
            }
            if LogEscapes.hasEscape(b, content) {
                scratch.removeAll(keepingCapacity: true)
                LogEscapes.appendDecoded(b, content, to: &scratch)
                builder.appendToList(h, bytes: scratch.span)
            } else {
                builder.appendToList(h, bytes: b.extracting(content))
            }
        }
    }

    /// Writes an `X-Forwarded-For` value (`-`, or addresses separated by commas) and says
    /// whether the field was one.
    private func writeForwardedFor(_ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) -> Bool {
        if isDash(b, r) { return true }
        guard !r.isEmpty else { return false }
        var start = r.lowerBound
        while start <= r.upperBound {
            let end = Bytes.find(UInt8(ascii: ","), in: b, from: start, to: r.upperBound) ?? r.upperBound
            let item = Bytes.trim(b, start..<end)
            guard IPAddress.parse(b.extracting(item)) != nil || Bytes.equalsIgnoringCase(b, item, "unknown") else { return false }
            start = end + 1
        }
        let h = builder.column(Field.httpRequestXForwardedFor, .stringList)
        builder.beginList(h)
        start = r.lowerBound
        while start <= r.upperBound {
            let end = Bytes.find(UInt8(ascii: ","), in: b, from: start, to: r.upperBound) ?? r.upperBound
            builder.appendToList(h, bytes: b.extracting(Bytes.trim(b, start..<end)))
            start = end + 1
        }
        return true
    }

    /// `1.234` (seconds, nginx `$request_time`) or `12ms` (Traefik) as nanoseconds.
    static func duration(_ b: Span<UInt8>, _ r: Range<Int>) -> Int64? {
        guard r.count >= 3, r.count <= 24 else { return nil }
        var i = r.lowerBound
        var whole: Int64 = 0
        var digits = 0
        while i < r.upperBound, ASCII.isDigit(b[i]) { whole = whole * 10 + Int64(b[i] &- 48); digits += 1; i += 1 }
        guard digits > 0, digits <= 12, i < r.upperBound else { return nil }
        if b[i] == UInt8(ascii: "m"), i + 2 == r.upperBound, b[i + 1] == UInt8(ascii: "s") {
            return whole * 1_000_000
        }
        guard b[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        var frac: Int64 = 0
        var n = 0
        while i < r.upperBound, ASCII.isDigit(b[i]) {
            if n < 9 { frac = frac * 10 + Int64(b[i] &- 48); n += 1 }
            i += 1
        }
        guard n > 0, i == r.upperBound else { return nil }
        for _ in n..<9 { frac *= 10 }
        return whole * 1_000_000_000 + frac
    }

    /// Whether `b[i..<end]` starts with `HTTP/`.
    @inline(__always)
    static func isHTTPVersion(_ b: Span<UInt8>, _ i: Int, _ end: Int) -> Bool {
        i + 5 <= end && b[i] == UInt8(ascii: "H") && b[i + 1] == UInt8(ascii: "T") && b[i + 2] == UInt8(ascii: "T")
            && b[i + 3] == UInt8(ascii: "P") && b[i + 4] == UInt8(ascii: "/")
    }

    /// RFC 9110 `tchar`: the bytes an HTTP method is made of.
    @inline(__always)
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
