import SpoorCore
import SpoorEvents

/// What the caller knows about a source that its records do not say.
public struct ParseContext: Sendable, Hashable {
    /// The zone of times written without an offset (`--tz`); UTC by default.
    public var timeZone: TimeZoneRule
    /// When the logs were collected (`--collected-at`, default the file's modification time):
    /// anchors the year of year-less dates such as RFC 3164 syslog's `Oct 11 22:14:15`.
    public var collectedAt: Timestamp
    /// Whether `timeZone` was given by the user (otherwise UTC was assumed).
    public var isTimeZoneExplicit: Bool
    /// The file name of the source (the member name inside an archive), without folders:
    /// some formats name their log type only there (a Zeek JSON `dns.log` without `_path`).
    public var sourceName: String

    public init(timeZone: TimeZoneRule = .utc, collectedAt: Timestamp, isTimeZoneExplicit: Bool = false, sourceName: String = "") {
        self.timeZone = timeZone
        self.collectedAt = collectedAt
        self.isTimeZoneExplicit = isTimeZoneExplicit
        self.sourceName = sourceName
    }
}

/// What a parser made of one record.
public enum ParseOutcome: Sendable, Hashable {
    /// The record became an event: the fields set on the builder form its row.
    case event
    /// Not a record: a header, directive or comment line (Zeek `#fields`, W3C `#Fields:`, a
    /// CSV header). It is neither an event nor a reject.
    case directive
}

/// A parser of one log format: bytes of one record in, fields of one event out.
///
/// A parser value is made per source (``LogFormat/makeParser``) and may keep state across
/// records of that source: the Zeek `#fields` header, the W3C `#Fields:` directive, a CSV
/// header row, the last syslog date for year rollover.
///
/// All records of a source are parsed into the same ``EventBatchBuilder`` (its ``EventBatchBuilder/finish()``
/// keeps the columns), so a parser may resolve its ``ColumnHandle``s once and keep them.
///
/// The caller opens the row, writes the provenance fields (`log.file.path`, `log.offset`,
/// `spoor.record`, `spoor.parser`, `organization.id`) and closes or cancels the row; the
/// parser only writes the record's own fields. A parser never crashes on input: any bytes
/// give an event, a directive, or a thrown ``ParseError`` (which the caller turns into a
/// counted reject).
public protocol LogParser: Sendable {
    /// Parses one record (without its line break) into the open row of `builder`.
    mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome
}

/// A log format spoor can read: its name, how to recognise it from content, how to parse it.
public struct LogFormat: Sendable, Identifiable {
    /// Stable name, used by `--log-format`, in `spoor.parser` and in the ledger.
    public var name: String
    /// One line for `spoor formats`.
    public var summary: String
    /// Scores a sample of the source's first lines: 0 = not this format, 100 = certain.
    public var sniff: @Sendable (SampleLines) -> Int
    /// Makes a parser for one source.
    public var makeParser: @Sendable (ParseContext) -> any LogParser
    /// How the source is cut into records.
    public var framing: Framing

    public var id: String { name }

    public init(name: String, summary: String, framing: Framing = .lines,
                sniff: @escaping @Sendable (SampleLines) -> Int,
                makeParser: @escaping @Sendable (ParseContext) -> any LogParser) {
        self.name = name
        self.summary = summary
        self.framing = framing
        self.sniff = sniff
        self.makeParser = makeParser
    }
}

/// How a source is cut into records before parsing.
public enum Framing: Sendable, Hashable, CustomStringConvertible {
    /// One record per line (LF or CR LF). A lone CR is data.
    case lines
    /// One record per line, except that a line break inside a double-quoted field continues
    /// the record (RFC 4180 CSV with multi-line cells, e.g. Windows event messages). A quote
    /// opens a field only right after `delimiter` or at the record's start (see ``QuotedLineFramer``).
    case quotedLines(delimiter: UInt8)

    public var description: String {
        switch self {
        case .lines: "lines"
        case .quotedLines: "quoted-lines"
        }
    }
}

/// The first lines of a source, for format recognition.
public struct SampleLines: Sendable {
    /// Non-blank lines without their line breaks, at most ``maximumLines``.
    public var lines: [[UInt8]]
    public static let maximumLines = 32

    public init(lines: [[UInt8]]) { self.lines = lines }

    /// Splits the first bytes of a source into lines (LF or CR LF), dropping blank ones
    /// and a partial last line when the sample was cut.
    public init(prefix: [UInt8], isComplete: Bool) {
        var out: [[UInt8]] = []
        var start = 0
        var i = 0
        // A UTF-8 byte order mark is not content.
        if prefix.count >= 3, prefix[0] == 0xEF, prefix[1] == 0xBB, prefix[2] == 0xBF { start = 3; i = 3 }
        while i < prefix.count, out.count < SampleLines.maximumLines {
            if prefix[i] == Bytes.lf {
                var end = i
                if end > start, prefix[end - 1] == Bytes.cr { end -= 1 }
                if prefix[start..<end].contains(where: { !Bytes.isSpace($0) }) { out.append(Array(prefix[start..<end])) }
                start = i + 1
            }
            i += 1
        }
        if isComplete, start < prefix.count, out.count < SampleLines.maximumLines {
            var end = prefix.count
            if end > start, prefix[end - 1] == Bytes.cr { end -= 1 }
            if prefix[start..<end].contains(where: { !Bytes.isSpace($0) }) { out.append(Array(prefix[start..<end])) }
        }
        lines = out
    }

    /// The share of lines (0…100) for which `predicate` holds; 0 for no lines.
    public func percent(where predicate: (Span<UInt8>) -> Bool) -> Int {
        guard !lines.isEmpty else { return 0 }
        var n = 0
        for line in lines where predicate(line.span) { n += 1 }
        return n * 100 / lines.count
    }
}
