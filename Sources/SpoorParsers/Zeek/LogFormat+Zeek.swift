import SpoorCore

extension LogFormat {
    /// Zeek's default tab-separated logs with their `#fields`/`#types` header.
    public static let zeekTSV = LogFormat(
        name: "zeek-tsv",
        summary: "Zeek logs in the default tab-separated form (#separator, #fields, #types headers)",
        sniff: ZeekSniffer.scoreTSV,
        makeParser: { ZeekTSVParser(context: $0) })

    /// Zeek's JSON logs, one object per line.
    public static let zeekJSON = LogFormat(
        name: "zeek-json",
        summary: "Zeek logs as JSON lines (LogAscii::use_json, json-streaming-logs)",
        sniff: ZeekSniffer.scoreJSON,
        makeParser: { ZeekJSONParser(context: $0) })
}

/// Recognises Zeek logs from their first lines.
enum ZeekSniffer {
    /// Zeek TSV: the file starts with `#separator`. 100 with a `#fields` line in the sample,
    /// 95 without (a header cut short by the sample), 0 otherwise.
    static func scoreTSV(_ sample: SampleLines) -> Int {
        guard let first = sample.lines.first, Bytes.hasPrefix(first.span, "#separator ") else { return 0 }
        return sample.lines.contains { Bytes.hasPrefix($0.span, "#fields") } ? 100 : 95
    }

    /// Keys only Zeek writes; one of them besides `ts` marks a line as a Zeek record.
    static let markerKeys: Set<String> = ["uid", "id.orig_h", "_path", "fuid"]

    /// Zeek JSON: JSON objects with `ts` and a Zeek key (`uid`, `id.orig_h`, `_path`, `fuid`).
    /// Scores 90 + at 80 % of the lines and 100 when all fit, above any generic JSON-lines
    /// format (at most 60), so a generic reader never takes a Zeek log.
    static func scoreJSON(_ sample: SampleLines) -> Int {
        let parser = JSONParser(maximumDepth: ZeekJSONParser.maximumDepth)
        let p = sample.percent { line in
            guard line.count > 1, line[0] == UInt8(ascii: "{"),
                  case .object(let members)? = try? parser.parse(line) else { return false }
            var hasTS = false, hasMarker = false
            for (k, _) in members {
                if k == "ts" { hasTS = true } else if markerKeys.contains(k) { hasMarker = true }
            }
            return hasTS && hasMarker
        }
        return p >= 80 ? 90 + (p - 80) / 2 : p / 2
    }
}
