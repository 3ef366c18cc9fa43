import SpoorCore
import SpoorEvents

extension LogFormat {
    /// Apache/nginx access logs, Common and Combined Log Format (``AccessLogParser``).
    public static let accessCombined = LogFormat(
        name: "access-combined",
        summary: "Apache/nginx access log (Common, Combined, vhost_combined, nginx extras)",
        sniff: { sample in
            // Structural match of the whole envelope, time included; at most 95 so a format
            // that is certain can still win.
            let context = ParseContext(collectedAt: Timestamp(microseconds: 0))
            let share = sample.percent { line in
                guard let l = try? AccessLogLine.scan(line),
                      let t = LooseTimestamp.commonLogTime(line, l.time.lowerBound, context: context) else { return false }
                return t.length == l.time.count
            }
            return share * 95 / 100
        },
        makeParser: { AccessLogParser(context: $0) })

    /// W3C Extended Log File Format, IIS and others (``W3CExtendedParser``).
    public static let w3cExtended = LogFormat(
        name: "w3c-extended",
        summary: "W3C extended log format (IIS, proxies): #Fields: directive and space-separated values",
        sniff: { sample in
            var hasFields = false, hasOther = false
            var data = 0, fitting = 0
            var fieldCount = 0
            for line in sample.lines {
                let b = line.span
                if b.count > 0, b[0] == UInt8(ascii: "#") {
                    if Bytes.hasPrefix(b, "#Fields:") {
                        hasFields = true
                        fieldCount = W3CSniff.countTokens(b, from: 8)
                    } else if Bytes.hasPrefix(b, "#Software:") || Bytes.hasPrefix(b, "#Version:") || Bytes.hasPrefix(b, "#Date:")
                                || Bytes.hasPrefix(b, "#Start-Date:") || Bytes.hasPrefix(b, "#Remark:") {
                        hasOther = true
                    }
                    continue
                }
                data += 1
                if fieldCount > 0, W3CSniff.countTokens(b, from: 0) == fieldCount { fitting += 1 }
            }
            guard hasFields else { return 0 }
            // Header-only samples (a log just rotated) are still W3C.
            let share = data == 0 ? 100 : fitting * 100 / data
            return (hasOther ? 90 : 80) * share / 100
        },
        makeParser: { W3CExtendedParser(context: $0) })
}

enum W3CSniff {
    /// Whitespace-separated tokens of `b[from...]` (quotes not considered: a sniff heuristic).
    static func countTokens(_ b: Span<UInt8>, from: Int) -> Int {
        var n = 0
        var inToken = false
        var i = from
        while i < b.count {
            let space = Bytes.isSpace(b[i])
            if !space, !inToken { n += 1 }
            inToken = !space
            i += 1
        }
        return n
    }
}
