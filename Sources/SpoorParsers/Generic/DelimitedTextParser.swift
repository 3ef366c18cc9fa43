import SpoorCore
import SpoorEvents

/// Parses CSV or TSV with a header row (RFC 4180): each record becomes an event with its
/// cells under `csv.<column>`.
///
/// - The first record is the header (a ``ParseOutcome/directive``). A leading UTF-8 byte
///   order mark is dropped; an empty header cell (pandas writes one for its index) is named
///   `column<N>` (1-based) and a repeated name gets `_2`, `_3` … appended.
/// - Values are kept as strings, verbatim (spaces included); an empty cell is absent.
/// - Columns named like an address (`SrcIP`, `IpAddress`, `c-ip`, `clientIp`, `ip_address`)
///   are `.ip` columns: a value that parses as an address is stored typed; one that does not
///   (`-` excepted, which means none) goes verbatim to `csv.<column>.text`, so each column
///   keeps one kind and nothing is lost.
/// - `@timestamp` comes from the first time column found in this order of names (any case):
///   `@timestamp`, `TimeGenerated`, `timestamp`, `EventTime`, `TimeCreated`, `TimeCreatedUtc`,
///   `time`, `datetime`, `date`, `_time`, `ts`, `CreateTime`, `CreationTime`, read with
///   ``LooseTimestamp`` (ISO 8601, `2019-02-12 14:22:40.697`, `7/8/2019 4:08:00 PM`, epoch …).
///   A value that cannot be read leaves `@timestamp` absent; the event is kept.
/// - A record with more or fewer cells than the header is rejected (`.badField`).
///
/// Records may hold line breaks inside quoted cells: the format uses
/// ``Framing/quotedLines`` (see ``QuotedLineFramer``).
public struct DelimitedTextParser: LogParser {
    /// The longest record accepted, in bytes.
    public static let maximumRecordLength = 1 << 20
    /// The most columns a header may have.
    public static let maximumColumns = 4096
    /// Header names that hold the event time, in order of preference (compared lowercased).
    static let timeColumnNames = ["@timestamp", "timegenerated", "timestamp", "eventtime", "timecreated",
                                  "timecreatedutc", "time", "datetime", "date", "_time", "ts",
                                  "createtime", "creationtime"]

    public let delimiter: UInt8
    let context: ParseContext
    private var header: [String]? = nil
    private var isAddress: [Bool] = []
    private var timeColumn: Int? = nil
    private var columns = ResolvedColumns([])
    private var cells: [DelimitedRecord.Cell] = []
    private var scratch: [UInt8] = []
    private var offsetText = OffsetText()

    /// - Parameter delimiter: `,` for CSV, tab for TSV.
    public init(delimiter: UInt8, context: ParseContext) {
        self.delimiter = delimiter
        self.context = context
    }

    /// The column names the header gave (without the `csv.` prefix); nil before the header.
    public var columnNames: [String]? { header }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        guard record.count <= Self.maximumRecordLength else {
            throw ParseError(.recordTooLong, at: Self.maximumRecordLength, "record longer than \(Self.maximumRecordLength) bytes")
        }
        try DelimitedRecord.scan(record, delimiter: delimiter, into: &cells, maximumCells: Self.maximumColumns)
        guard let header else {
            readHeader(record)
            return .directive
        }
        guard cells.count == header.count else {
            throw ParseError(.badField, at: 0, "record has \(cells.count) cells; the header has \(header.count)")
        }
        columns.resolve(in: &builder)
        for k in 0..<cells.count {
            let cell = cells[k]
            if cell.range.isEmpty { continue }
            let h = columns[k]
            if cell.hasEscapedQuotes {
                scratch.removeAll(keepingCapacity: true)
                DelimitedRecord.appendUnescaped(record, cell.range, to: &scratch)
                if isAddress[k] { setAddress(scratch.span, 0..<scratch.count, column: k, h, &builder) }
                else { builder.set(h, bytes: scratch.span) }
            } else if isAddress[k] {
                setAddress(record, cell.range, column: k, h, &builder)
            } else {
                builder.set(h, bytes: record, range: cell.range)
            }
        }
        if let t = timeColumn, !cells[t].range.isEmpty {
            let cell = cells[t]
            let parsed: LooseTimestamp.Result?
            if cell.hasEscapedQuotes {
                scratch.removeAll(keepingCapacity: true)
                DelimitedRecord.appendUnescaped(record, cell.range, to: &scratch)
                parsed = LooseTimestamp.parse(scratch.span, context: context)
            } else {
                parsed = LooseTimestamp.parse(record.extracting(cell.range), context: context)
            }
            if let parsed {
                builder.set(columns[header.count], timestamp: parsed.timestamp)
                builder.set(columns[header.count + 1], string: offsetText.text(parsed.offsetSeconds))
            }
        }
        return .event
    }

    private func setAddress(_ b: Span<UInt8>, _ r: Range<Int>, column k: Int, _ h: ColumnHandle, _ builder: inout EventBatchBuilder) {
        let t = Bytes.trim(b, r)
        if let ip = IPAddress.parse(b.extracting(t)) {
            builder.set(h, ip: ip)
        } else if !(t.count == 1 && b[t.lowerBound] == UInt8(ascii: "-")), let header {
            // Rare: a dictionary lookup only for values that are not addresses.
            let text = builder.column("csv." + header[k] + ".text", .string)
            builder.set(text, bytes: b, range: r)
        }
    }

    private mutating func readHeader(_ record: Span<UInt8>) {
        var names: [String] = []
        var seen: Set<String> = []
        for (k, cell) in cells.enumerated() {
            scratch.removeAll(keepingCapacity: true)
            DelimitedRecord.appendUnescaped(record, cell.range, to: &scratch)
            var lo = 0
            if k == 0, scratch.count >= 3, scratch[0] == 0xEF, scratch[1] == 0xBB, scratch[2] == 0xBF { lo = 3 }
            let r = Bytes.trim(scratch.span, lo..<scratch.count)
            var name = r.isEmpty ? "column\(k + 1)" : Bytes.string(scratch.span, r)
            if seen.contains(name) {
                var n = 2
                while seen.contains(name + "_\(n)") { n += 1 }
                name += "_\(n)"
            }
            seen.insert(name)
            names.append(name)
        }
        header = names
        isAddress = names.map(Self.isAddressName)
        let lowered = names.map { $0.lowercased() }
        timeColumn = nil
        for candidate in Self.timeColumnNames {
            if let k = lowered.firstIndex(of: candidate) { timeColumn = k; break }
        }
        var spec: [(String, FieldKind)] = zip(names, isAddress).map { ("csv." + $0, $1 ? .ip : .string) }
        spec.append((Field.timestamp, .timestamp))
        spec.append((Field.eventTimezone, .string))
        columns = ResolvedColumns(spec)
    }

    /// Whether a header name says its column holds IP addresses.
    static func isAddressName(_ name: String) -> Bool {
        let lower = name.lowercased()
        for word in ["ipaddress", "ip_address", "ip address", "ip-address", "ipaddr", "ip_addr"] where lower.contains(word) { return true }
        if lower == "ip" || lower == "ipv4" || lower == "ipv6" { return true }
        for suffix in ["_ip", "-ip", ".ip", " ip"] where lower.hasSuffix(suffix) { return true }
        let u = Array(name.utf8)
        guard u.count >= 3 else { return false }
        let a = u[u.count - 2], b = u[u.count - 1], before = u[u.count - 3]
        // `SrcIP`, `HostIP`; `clientIp` (camel case, so `Membership` is not an address).
        if a == UInt8(ascii: "I"), b == UInt8(ascii: "P") { return true }
        if a == UInt8(ascii: "I"), b == UInt8(ascii: "p"), before &- 97 < 26 || before &- 48 < 10 { return true }
        return false
    }
}

/// The `event.timezone` text of an offset, cached: consecutive records almost always share it.
struct OffsetText: Sendable {
    private var seconds = Int.min
    private var cached = ""

    mutating func text(_ offsetSeconds: Int) -> String {
        if offsetSeconds != seconds {
            seconds = offsetSeconds
            cached = formatUTCOffset(offsetSeconds)
        }
        return cached
    }
}
