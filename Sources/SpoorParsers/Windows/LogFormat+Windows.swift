import SpoorCore

extension LogFormat {
    /// EVTX records as evtx_dump / the `evtx` Python package render them.
    public static let windowsEVTXJSON = LogFormat(
        name: "windows-evtx-json",
        summary: "Windows events as evtx_dump JSON ({\"Event\": {\"System\": …, \"EventData\": …}}), one per line or pretty-printed",
        sniff: { WindowsSniffer.score($0, .evtx) },
        makeParser: { WindowsJSONParser(context: $0) })

    /// The flat layout of OTRF Security-Datasets (and NXLog JSON).
    public static let windowsFlatJSON = LogFormat(
        name: "windows-flat-json",
        summary: "Windows events as flat JSON lines (OTRF Security-Datasets, NXLog: Hostname, Channel, EventID, data at top level)",
        sniff: { WindowsSniffer.score($0, .flat) },
        makeParser: { WindowsJSONParser(context: $0) })

    /// Winlogbeat / Elastic Agent JSON.
    public static let winlogbeatJSON = LogFormat(
        name: "winlogbeat-json",
        summary: "Windows events as Winlogbeat / Elastic Agent JSON (winlog.channel, winlog.event_data.*)",
        sniff: { WindowsSniffer.score($0, .winlogbeat) },
        makeParser: { WindowsJSONParser(context: $0) })

    /// `Get-WinEvent | ConvertTo-Json` exports.
    public static let getWinEventJSON = LogFormat(
        name: "windows-getwinevent-json",
        summary: "Windows events exported with Get-WinEvent | ConvertTo-Json (Id, LogName, Properties)",
        sniff: { WindowsSniffer.score($0, .getWinEvent) },
        makeParser: { WindowsJSONParser(context: $0) })
}

/// Recognises the Windows JSON forms from a file's first lines.
///
/// JSON lines (one document per line) score by the share of lines that are documents of
/// the form: 90 + at 80 % and 100 when all are, above the generic JSON-lines format (at most
/// 60). Pretty-printed documents (evtx_dump, `ConvertTo-Json`) cannot be parsed from a
/// 32-line sample, so they score 95 when the first line opens an object or array and the
/// sample shows the form's own keys on lines of their own.
enum WindowsSniffer {
    static func score(_ sample: SampleLines, _ form: WindowsJSONForm) -> Int {
        guard let first = sample.lines.first else { return 0 }
        let head = trimmed(first.span)
        if head == "{" || head == "[" || head.hasPrefix("Record ") {
            return prettyScore(sample, form)
        }
        let parser = JSONParser(maximumDepth: WindowsEventLimits.maximumDepth)
        let p = sample.percent { line in
            guard line.count > 1, line[0] == UInt8(ascii: "{") || line[0] == 0xEF,
                  let v = try? parser.parse(line.extracting(line[0] == 0xEF && line.count > 3 ? 3..<line.count : 0..<line.count))
            else { return false }
            return WindowsJSONForm.detect(v) == form
        }
        return p >= 80 ? 90 + (p - 80) / 2 : 0
    }

    /// Pretty-printed: the keys that open lines.
    private static func prettyScore(_ sample: SampleLines, _ form: WindowsJSONForm) -> Int {
        var keys: Set<String> = []
        for line in sample.lines {
            let t = trimmed(line.span)
            guard t.hasPrefix("\""), let close = t.dropFirst().firstIndex(of: "\"") else { continue }
            keys.insert(String(t[t.index(after: t.startIndex)..<close]))
        }
        switch form {
        case .evtx:
            return keys.contains("Event") && keys.contains("System") ? 95 : 0
        case .getWinEvent:
            return keys.contains("Id") && keys.contains("LogName") && (keys.contains("ProviderName") || keys.contains("MachineName")) ? 95 : 0
        case .winlogbeat:
            return keys.contains("winlog") && (keys.contains("event_data") || keys.contains("channel")) ? 95 : 0
        case .flat:
            return keys.contains("EventID") && keys.contains("Channel") && !keys.contains("Event") && !keys.contains("winlog") ? 92 : 0
        }
    }

    private static func trimmed(_ b: Span<UInt8>) -> String {
        var s = 0, e = min(b.count, 256)
        if e >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { s = 3 }
        while s < e, Bytes.isSpace(b[s]) { s += 1 }
        while e > s, Bytes.isSpace(b[e - 1]) { e -= 1 }
        return ByteText.string(b.extracting(s..<e))
    }
}
