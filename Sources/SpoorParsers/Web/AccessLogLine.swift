import SpoorCore

/// The byte ranges of one Apache/Nginx access-log line in Common or Combined Log Format
/// (`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`), found without copying.
///
/// Variants accepted:
/// - Common (ends after `%b`) and Combined;
/// - a virtual-host prefix, Apache's `vhost_combined` (`%v:%p %h %l %u …`): recognised when
///   four space-separated tokens precede the time, or more when the first ends in `:port`
///   (more than four otherwise means a user name with spaces);
/// - anything after the user agent (nginx `"$http_x_forwarded_for"`, request times, Traefik's
///   extras): left in ``rest`` for the parser to read.
///
/// Quoted fields end at a `"` not escaped by `\` (both servers escape `"` and `\`). Old Apache
/// versions and some proxies did not escape quotes, so when that reading gives no sensible end
/// (a request must be followed by a status), the first `"` followed by what must come next is
/// taken instead.
struct AccessLogLine {
    var vhost: Range<Int>? = nil
    var host: Range<Int>
    var ident: Range<Int>
    var user: Range<Int>
    /// Inside the brackets: `10/Oct/2000:13:55:36 -0700`.
    var time: Range<Int>
    /// Inside the quotes, still escaped.
    var request: Range<Int>
    var status: Range<Int>
    var bytes: Range<Int>
    var referrer: Range<Int>? = nil
    var userAgent: Range<Int>? = nil
    /// Whatever follows the user agent (or the bytes), after one space; may be empty.
    var rest: Range<Int>

    static func scan(_ b: Span<UInt8>) throws(ParseError) -> AccessLogLine {
        let n = b.count
        // The time: the first ` [` followed by `dd/`.
        var bracket = -1
        var i = 1
        while i + 3 < n {
            if b[i] == UInt8(ascii: "["), b[i - 1] == ASCII.space, ASCII.isDigit(b[i + 1]), ASCII.isDigit(b[i + 2]),
               b[i + 3] == UInt8(ascii: "/") {
                bracket = i
                break
            }
            i += 1
        }
        guard bracket > 0 else { throw ParseError(.unrecognized, at: 0, "no [dd/Mon/yyyy:hh:mm:ss zone] time") }

        // Tokens before the time.
        let prefixEnd = bracket - 1
        var spaces = 0
        var s1 = -1, s2 = -1, s3 = -1
        i = 0
        while i < prefixEnd {
            if b[i] == ASCII.space {
                spaces += 1
                if spaces == 1 { s1 = i } else if spaces == 2 { s2 = i } else if spaces == 3 { s3 = i }
            }
            i += 1
        }
        guard spaces >= 2 else { throw ParseError(.truncated, at: 0, "host, ident and user expected before the time") }
        var vhost: Range<Int>? = nil
        let host: Range<Int>, ident: Range<Int>, user: Range<Int>
        if spaces == 3 || (spaces > 3 && endsWithPort(b, 0..<s1)) {
            vhost = 0..<s1
            host = (s1 + 1)..<s2
            ident = (s2 + 1)..<s3
            user = (s3 + 1)..<prefixEnd
        } else {
            host = 0..<s1
            ident = (s1 + 1)..<s2
            user = (s2 + 1)..<prefixEnd
        }

        guard let close = ASCII.find(UInt8(ascii: "]"), in: b, from: bracket + 1, to: n) else {
            throw ParseError(.truncated, at: bracket, "unterminated time")
        }
        let time = (bracket + 1)..<close
        guard close + 2 < n, b[close + 1] == ASCII.space, b[close + 2] == ASCII.quote else {
            throw ParseError(.badField, at: close + 1, "quoted request expected after the time")
        }
        let open = close + 2
        guard let requestEnd = closingQuote(b, open, followedBy: isStatusAfter) else {
            throw ParseError(.badField, at: open, "request is not followed by a status")
        }
        let request = (open + 1)..<requestEnd

        let statusStart = requestEnd + 2
        var statusEnd = statusStart
        while statusEnd < n, b[statusEnd] != ASCII.space { statusEnd += 1 }
        guard statusEnd < n else { throw ParseError(.truncated, at: statusEnd, "response size expected after the status") }
        let bytesStart = statusEnd + 1
        var bytesEnd = bytesStart
        while bytesEnd < n, b[bytesEnd] != ASCII.space { bytesEnd += 1 }
        guard bytesEnd > bytesStart, isNumberOrDash(b, bytesStart..<bytesEnd) else {
            throw ParseError(.badField, at: bytesStart, "response size is not a number")
        }
        var line = AccessLogLine(vhost: vhost, host: host, ident: ident, user: user, time: time, request: request,
                                 status: statusStart..<statusEnd, bytes: bytesStart..<bytesEnd, rest: n..<n)
        guard bytesEnd < n else { return line } // Common Log Format
        var k = bytesEnd + 1
        guard k < n, b[k] == ASCII.quote, let refEnd = closingQuote(b, k, followedBy: isSpaceOrEnd) else {
            line.rest = k..<n
            return line
        }
        line.referrer = (k + 1)..<refEnd
        k = refEnd + 2
        guard k < n, b[k] == ASCII.quote, let uaEnd = closingQuote(b, k, followedBy: isSpaceOrEnd) else {
            line.rest = min(k, n)..<n
            return line
        }
        line.userAgent = (k + 1)..<uaEnd
        line.rest = min(uaEnd + 2, n)..<n
        return line
    }

    /// The index of the `"` closing the quoted field opened at `open`, accepted only where
    /// `followedBy` says what comes next fits.
    static func closingQuote(_ b: Span<UInt8>, _ open: Int, followedBy: (Span<UInt8>, Int) -> Bool) -> Int? {
        let n = b.count
        var j = open + 1
        while j < n {
            let c = b[j]
            if c == ASCII.backslash { j += 2; continue }
            if c == ASCII.quote, followedBy(b, j + 1) { return j }
            j += 1
        }
        // Unescaped quotes (old servers): any `"` that fits.
        j = open + 1
        while j < n {
            if b[j] == ASCII.quote, followedBy(b, j + 1) { return j }
            j += 1
        }
        return nil
    }

    /// ` ddd` or ` -` (a status, then a space or the end) at `i`.
    static func isStatusAfter(_ b: Span<UInt8>, _ i: Int) -> Bool {
        let n = b.count
        guard i + 1 < n, b[i] == ASCII.space else { return false }
        if b[i + 1] == UInt8(ascii: "-") { return i + 2 == n || b[i + 2] == ASCII.space }
        guard i + 3 < n else { return false }
        return ASCII.isDigit(b[i + 1]) && ASCII.isDigit(b[i + 2]) && ASCII.isDigit(b[i + 3])
            && (i + 4 == n || b[i + 4] == ASCII.space)
    }

    static func isSpaceOrEnd(_ b: Span<UInt8>, _ i: Int) -> Bool {
        i >= b.count || b[i] == ASCII.space
    }

    static func isNumberOrDash(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        if r.count == 1, b[r.lowerBound] == UInt8(ascii: "-") { return true }
        for i in r where !ASCII.isDigit(b[i]) { return false }
        return true
    }

    /// Whether `b[r]` ends in `:digits` (a `host:port`).
    static func endsWithPort(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        var i = r.upperBound - 1
        var digits = 0
        while i >= r.lowerBound, ASCII.isDigit(b[i]) { digits += 1; i -= 1 }
        return digits > 0 && i > r.lowerBound && b[i] == UInt8(ascii: ":")
    }
}
