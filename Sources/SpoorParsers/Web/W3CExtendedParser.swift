import SpoorCore
import SpoorEvents

/// Parses the W3C Extended Log File Format (W3C Working Draft WD-logfile-960323), as written
/// by IIS, some proxies and CDNs.
///
/// Directives (`#Version:`, `#Software:`, `#Date:`, `#Start-Date:`, `#Remark:` …) are
/// ``ParseOutcome/directive``s. `#Fields:` names the values of the lines that follow and may
/// change mid-file (IIS writes a new header block when its logging fields change or a service
/// restarts); a data line before any `#Fields:` is rejected as `.badHeader`.
///
/// Values are separated by spaces or tabs; `-` is absent; a value may be quoted (`"…"`, with
/// `""` for a quote, per the draft). IIS writes `+` for spaces in `cs(User-Agent)`,
/// `cs(Referer)` and `cs(Cookie)`.
///
/// Each field is kept verbatim as `w3c.<field>` (string, with the name as written in
/// `#Fields:`, e.g. `w3c.cs-uri-stem`, `w3c.cs(User-Agent)`), plus the ECS view:
///
/// | W3C | ECS |
/// |---|---|
/// | `date` + `time` (UTC; `#Date:` supplies a missing date) | `@timestamp`, `event.timezone` `+00:00` |
/// | `c-ip` / `c-port` | `source.ip` (or `source.domain`) / `source.port` |
/// | `s-ip` / `s-port` | `destination.ip` / `destination.port` |
/// | `cs-method`, `cs-version` | `http.request.method`, `http.version` (`HTTP/` dropped) |
/// | `cs-uri-stem`, `cs-uri-query`, `cs-uri` | `url.path`, `url.query`, `url.original` (stem`?`query when no `cs-uri`) |
/// | `cs-host` | `url.domain` |
/// | `sc-status` | `http.response.status_code`, `event.outcome` |
/// | `cs(User-Agent)` | `user_agent.original` (`+` → space) |
/// | `cs(Referer)` | `http.request.referrer` |
/// | `cs-username` | `user.name` |
/// | `time-taken` | `event.duration` (ns): IIS writes milliseconds as an integer; a value with a decimal point is seconds, as the draft defines |
/// | `sc-bytes`, `cs-bytes` | `http.response.body.bytes`, `http.request.body.bytes` (as Filebeat's IIS module does; IIS counts headers in them) |
/// | `s-computername` | `host.name` |
/// | `X-Forwarded-For`, `cs(X-Forwarded-For)` | `http.request.x_forwarded_for` (list) |
///
/// `#Software:` goes to `observer.product` of the events that follow. Every event has
/// `event.kind` `event`, `event.category` `web`, `event.type` `access`.
public struct W3CExtendedParser: LogParser {
    /// The longest record accepted, in bytes.
    public static let maximumRecordLength = 1 << 20
    /// The most fields a `#Fields:` directive may name.
    public static let maximumFields = 512

    enum Role: Sendable {
        case none, date, time, clientIP, clientPort, serverIP, serverPort, method, version, uriStem, uriQuery, uri
        case host, status, userAgent, referrer, userName, timeTaken, serverBytes, clientBytes, computerName, forwardedFor
    }

    private static let ecsNames: [(String, FieldKind)] = [
        (Field.timestamp, .timestamp), (Field.eventTimezone, .string), (Field.sourceIP, .ip), (Field.sourcePort, .int),
        (Field.destinationIP, .ip), (Field.destinationPort, .int), (Field.httpRequestMethod, .string),
        (Field.httpVersion, .string), (Field.urlPath, .string), (Field.urlQuery, .string), (Field.urlOriginal, .string),
        (Field.urlDomain, .string), (Field.httpResponseStatusCode, .int), (Field.userAgentOriginal, .string),
        (Field.httpRequestReferrer, .string), (Field.userName, .string), (Field.eventDuration, .int),
        (Field.httpResponseBytes, .int), (Field.httpRequestBytes, .int), (Field.hostName, .string),
        (Field.eventKind, .string), (Field.eventCategory, .stringList), (Field.eventType, .stringList),
        (Field.eventOutcome, .string),
    ]
    private static let cTimestamp = 0, cTimezone = 1, cSourceIP = 2, cSourcePort = 3, cDestIP = 4, cDestPort = 5,
                        cMethod = 6, cVersion = 7, cPath = 8, cQuery = 9, cURL = 10, cDomain = 11, cStatus = 12,
                        cUserAgent = 13, cReferrer = 14, cUser = 15, cDuration = 16, cResponseBytes = 17,
                        cRequestBytes = 18, cHost = 19, cKind = 20, cCategory = 21, cType = 22, cOutcome = 23

    let context: ParseContext
    private var fields: [String]? = nil
    private var roles: [Role] = []
    private var raw = ResolvedColumns([])
    private var ecs = ResolvedColumns(W3CExtendedParser.ecsNames)
    private var directiveDate: CivilTime? = nil
    private var software: String? = nil
    private var values: [Range<Int>] = []
    private var scratch: [UInt8] = []

    public init(context: ParseContext) {
        self.context = context
    }

    /// The field names of the `#Fields:` directive in force; nil before the first.
    public var fieldNames: [String]? { fields }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        guard record.count <= Self.maximumRecordLength else {
            throw ParseError(.recordTooLong, at: Self.maximumRecordLength, "record longer than \(Self.maximumRecordLength) bytes")
        }
        if record.count > 0, record[0] == UInt8(ascii: "#") {
            try readDirective(record)
            return .directive
        }
        guard let fields else {
            throw ParseError(.badHeader, at: 0, "data line before any #Fields: directive")
        }
        try split(record, count: fields.count)
        raw.resolve(in: &builder)
        ecs.resolve(in: &builder)

        var date: CivilTime? = directiveDate
        var timeOfDay: (h: Int, m: Int, s: Int, us: Int)? = nil
        var stem: Range<Int>? = nil, query: Range<Int>? = nil, hasURI = false
        for k in 0..<values.count {
            let r = values[k]
            if r.isEmpty || (r.count == 1 && record[r.lowerBound] == UInt8(ascii: "-")) { continue }
            builder.set(raw[k], bytes: record, range: r)
            switch roles[k] {
            case .none: break
            case .date:
                if let p = Self.date(record, r) { date = p } else {
                    throw ParseError(.badTimestamp, at: r.lowerBound, "date is not YYYY-MM-DD")
                }
            case .time:
                guard let t = Self.time(record, r) else {
                    throw ParseError(.badTimestamp, at: r.lowerBound, "time is not HH:MM:SS")
                }
                timeOfDay = t
            case .clientIP:
                if let ip = IPAddress.parse(record.extracting(r)) { builder.set(ecs[Self.cSourceIP], ip: ip) }
                else { builder.set(builder.column(Field.sourceDomain, .string), bytes: record, range: r) }
            case .clientPort: setInt(ecs[Self.cSourcePort], record, r, &builder)
            case .serverIP:
                if let ip = IPAddress.parse(record.extracting(r)) { builder.set(ecs[Self.cDestIP], ip: ip) }
                else { builder.set(builder.column(Field.destinationDomain, .string), bytes: record, range: r) }
            case .serverPort: setInt(ecs[Self.cDestPort], record, r, &builder)
            case .method: builder.set(ecs[Self.cMethod], bytes: record, range: r)
            case .version:
                let v = Bytes.hasPrefix(record, "HTTP/", at: r.lowerBound) && r.count > 5 ? (r.lowerBound + 5)..<r.upperBound : r
                builder.set(ecs[Self.cVersion], bytes: record, range: v)
            case .uriStem:
                builder.set(ecs[Self.cPath], bytes: record, range: r)
                stem = r
            case .uriQuery:
                builder.set(ecs[Self.cQuery], bytes: record, range: r)
                query = r
            case .uri:
                builder.set(ecs[Self.cURL], bytes: record, range: r)
                hasURI = true
            case .host: builder.set(ecs[Self.cDomain], bytes: record, range: r)
            case .status:
                guard let v = Bytes.int(record, r) else { break }
                builder.set(ecs[Self.cStatus], int: v)
                builder.set(ecs[Self.cOutcome], string: v >= 400 ? "failure" : "success")
            case .userAgent: setPlusDecoded(ecs[Self.cUserAgent], record, r, &builder)
            case .referrer: builder.set(ecs[Self.cReferrer], bytes: record, range: r)
            case .userName: builder.set(ecs[Self.cUser], bytes: record, range: r)
            case .timeTaken:
                if let ns = Self.timeTaken(record, r) { builder.set(ecs[Self.cDuration], int: ns) }
            case .serverBytes: setInt(ecs[Self.cResponseBytes], record, r, &builder)
            case .clientBytes: setInt(ecs[Self.cRequestBytes], record, r, &builder)
            case .computerName: builder.set(ecs[Self.cHost], bytes: record, range: r)
            case .forwardedFor: writeForwardedFor(record, r, &builder)
            }
        }
        if let d = date, let t = timeOfDay {
            let civil = CivilTime(year: d.year, month: d.month, day: d.day, hour: t.h, minute: t.m, second: t.s, microsecond: t.us)
            if civil.isValid {
                builder.set(ecs[Self.cTimestamp], timestamp: Timestamp(microseconds: civil.utcMicroseconds))
                builder.set(ecs[Self.cTimezone], string: "+00:00")
            }
        }
        if !hasURI, let stem {
            if let query {
                scratch.removeAll(keepingCapacity: true)
                for i in stem { scratch.append(record[i]) }
                scratch.append(UInt8(ascii: "?"))
                for i in query { scratch.append(record[i]) }
                builder.set(ecs[Self.cURL], bytes: scratch.span)
            } else {
                builder.set(ecs[Self.cURL], bytes: record, range: stem)
            }
        }
        if let software { builder.set(builder.column(Field.observerProduct, .string), string: software) }
        builder.set(ecs[Self.cKind], string: "event")
        builder.set(ecs[Self.cCategory], string: "web")
        builder.set(ecs[Self.cType], string: "access")
        return .event
    }

    /// Splits a data line into `count` value ranges (quotes stripped; `""` left as written).
    private mutating func split(_ b: Span<UInt8>, count: Int) throws(ParseError) {
        values.removeAll(keepingCapacity: true)
        let n = b.count
        var i = 0
        while true {
            while i < n, Bytes.isSpace(b[i]) { i += 1 }
            guard i < n else { break }
            guard values.count < count else {
                throw ParseError(.badField, at: i, "more values than the \(count) fields of #Fields:")
            }
            if b[i] == Bytes.quote {
                var j = i + 1
                while j < n {
                    if b[j] == Bytes.quote {
                        if j + 1 < n, b[j + 1] == Bytes.quote { j += 2; continue }
                        break
                    }
                    j += 1
                }
                guard j < n else { throw ParseError(.badField, at: i, "quoted value is not closed") }
                values.append((i + 1)..<j)
                i = j + 1
            } else {
                var j = i
                while j < n, !Bytes.isSpace(b[j]) { j += 1 }
                values.append(i..<j)
                i = j
            }
        }
        guard values.count == count else {
            throw ParseError(.badField, at: n, "\(values.count) values for the \(count) fields of #Fields:")
        }
    }

    private mutating func readDirective(_ b: Span<UInt8>) throws(ParseError) {
        var colon = 1
        while colon < b.count, b[colon] != UInt8(ascii: ":"), !Bytes.isSpace(b[colon]) { colon += 1 }
        let name = 1..<colon
        let value = Bytes.trim(b, min(colon + 1, b.count)..<b.count)
        if Bytes.equalsIgnoringCase(b, name, "Fields") {
            var names: [String] = []
            var i = value.lowerBound
            while i < value.upperBound {
                while i < value.upperBound, Bytes.isSpace(b[i]) { i += 1 }
                var j = i
                while j < value.upperBound, !Bytes.isSpace(b[j]) { j += 1 }
                if j > i {
                    guard names.count < Self.maximumFields, j - i <= 256 else {
                        throw ParseError(.badHeader, at: i, "#Fields: names too many or too long fields")
                    }
                    names.append(Bytes.string(b, i..<j))
                }
                i = j
            }
            guard !names.isEmpty else { throw ParseError(.badHeader, at: 0, "#Fields: names no field") }
            fields = names
            roles = names.map(Self.role)
            raw = ResolvedColumns(names.map { ("w3c." + $0, .string) })
        } else if Bytes.equalsIgnoringCase(b, name, "Date") || Bytes.equalsIgnoringCase(b, name, "Start-Date") {
            directiveDate = Self.date(b, value.lowerBound..<min(value.lowerBound + 10, value.upperBound))
        } else if Bytes.equalsIgnoringCase(b, name, "Software"), !value.isEmpty {
            software = Bytes.string(b, value)
        }
    }

    private func setInt(_ h: ColumnHandle, _ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        if let v = Bytes.int(b, r) { builder.set(h, int: v) }
    }

    /// IIS writes spaces as `+` in header values.
    private mutating func setPlusDecoded(_ h: ColumnHandle, _ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        guard Bytes.find(UInt8(ascii: "+"), in: b, from: r.lowerBound, to: r.upperBound) != nil else {
            builder.set(h, bytes: b, range: r)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        for i in r { scratch.append(b[i] == UInt8(ascii: "+") ? Bytes.space : b[i]) }
        builder.set(h, bytes: scratch.span)
    }

    private func writeForwardedFor(_ b: Span<UInt8>, _ r: Range<Int>, _ builder: inout EventBatchBuilder) {
        let h = builder.column(Field.httpRequestXForwardedFor, .stringList)
        builder.beginList(h)
        var start = r.lowerBound
        while start <= r.upperBound {
            let end = Bytes.find(UInt8(ascii: ","), in: b, from: start, to: r.upperBound) ?? r.upperBound
            let item = Bytes.trim(b, start..<end)
            if !item.isEmpty { builder.appendToList(h, bytes: b.extracting(item)) }
            start = end + 1
        }
    }

    static func role(_ name: String) -> Role {
        switch name.lowercased() {
        case "date": .date
        case "time": .time
        case "c-ip": .clientIP
        case "c-port": .clientPort
        case "s-ip": .serverIP
        case "s-port": .serverPort
        case "cs-method": .method
        case "cs-version": .version
        case "cs-uri-stem": .uriStem
        case "cs-uri-query": .uriQuery
        case "cs-uri": .uri
        case "cs-host", "cs(host)": .host
        case "sc-status": .status
        case "cs(user-agent)": .userAgent
        case "cs(referer)", "cs(referrer)": .referrer
        case "cs-username": .userName
        case "time-taken": .timeTaken
        case "sc-bytes": .serverBytes
        case "cs-bytes": .clientBytes
        case "s-computername": .computerName
        case "x-forwarded-for", "cs(x-forwarded-for)": .forwardedFor
        default: .none
        }
    }

    /// `YYYY-MM-DD`.
    static func date(_ b: Span<UInt8>, _ r: Range<Int>) -> CivilTime? {
        guard r.count == 10, let y = TimestampText.digits(b, r.lowerBound, 4), b[r.lowerBound + 4] == UInt8(ascii: "-"),
              let m = TimestampText.digits(b, r.lowerBound + 5, 2), b[r.lowerBound + 7] == UInt8(ascii: "-"),
              let d = TimestampText.digits(b, r.lowerBound + 8, 2) else { return nil }
        let c = CivilTime(year: y, month: m, day: d)
        return c.isValid ? c : nil
    }

    /// `HH:MM:SS[.fff]`.
    static func time(_ b: Span<UInt8>, _ r: Range<Int>) -> (h: Int, m: Int, s: Int, us: Int)? {
        let i = r.lowerBound
        guard r.count >= 8, let h = TimestampText.digits(b, i, 2), b[i + 2] == UInt8(ascii: ":"),
              let m = TimestampText.digits(b, i + 3, 2), b[i + 5] == UInt8(ascii: ":"),
              let s = TimestampText.digits(b, i + 6, 2), h <= 23, m <= 59, s <= 60 else { return nil }
        var us = 0
        if r.count > 8 {
            guard b[i + 8] == UInt8(ascii: "."), r.count > 9 else { return nil }
            var n = 0
            for k in (i + 9)..<r.upperBound {
                guard Bytes.isDigit(b[k]) else { return nil }
                if n < 6 { us = us * 10 + Int(b[k] &- 48); n += 1 }
            }
            for _ in n..<6 { us *= 10 }
        }
        return (h, m, s, us)
    }

    /// `time-taken` in nanoseconds: an integer is IIS milliseconds, a decimal is seconds.
    static func timeTaken(_ b: Span<UInt8>, _ r: Range<Int>) -> Int64? {
        if let ms = Bytes.int(b, r) { return ms >= 0 && ms < 1 << 40 ? ms * 1_000_000 : nil }
        guard let s = Bytes.double(b, r), s >= 0, s < 1e9 else { return nil }
        return Int64((s * 1e9).rounded())
    }
}
