import SpoorCore
import SpoorEvents

/// Parses Zeek's default tab-separated logs (`LogAscii`), keyed by the `#fields` header.
///
/// A Zeek TSV file starts with a header block of directives:
///
/// ```
/// #separator \x09
/// #set_separator	,
/// #empty_field	(empty)
/// #unset_field	-
/// #path	conn
/// #open	2019-02-28-12-07-01
/// #fields	ts	uid	id.orig_h	…
/// #types	time	string	addr	…
/// ```
///
/// and may end with `#close`. Concatenated logs hold several blocks; each `#separator` starts
/// a new one. Header lines are ``ParseOutcome/directive``s. Fields are matched by the names of
/// `#fields`, never by position, because they differ across Zeek versions and packages (an
/// optional `community_id`, RITA's extra fields). Values are typed by `#types`: `time` →
/// timestamp, `addr` → ip, `port`/`count`/`int` → int, `interval`/`double` → double seconds,
/// `bool` → bool, containers → string list, everything else → string. The unset field (`-`)
/// is null; the empty field (`(empty)`) is an empty string or an empty list.
///
/// Each field is kept as `zeek.<field>` and mapped to ECS by ``ZeekMapping``.
///
/// - Complexity: O(*n*) in the record's bytes; columns are resolved once per header block
///   (and per builder), never per field.
public struct ZeekTSVParser: LogParser {
    /// The most fields a `#fields` header may name.
    public static let maximumFields = 1024

    private let context: ParseContext

    /// The tokens of a header block that values are read with.
    struct Tokens: Sendable {
        var separator = Bytes.tab
        var setSeparator = UInt8(ascii: ",")
        var emptyField: [UInt8] = Array("(empty)".utf8)
        var unsetField: [UInt8] = Array("-".utf8)
    }

    // Header state of the current block.
    private var tokens = Tokens()
    private var path: String? = nil
    private var fieldNames: [String]? = nil
    private var types: [ZeekType]? = nil

    // Columns of the current block in the current builder.
    private var slots: [ZeekSlot] = []
    private var constants: ZeekRowConstants? = nil
    private var probe = ZeekBuilderProbe()
    private var isResolved = false

    // Scratch, reused across records.
    private var separators: [Int] = []
    private var scratch: [UInt8] = []

    public init(context: ParseContext) {
        self.context = context
    }

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        if record.count > 0, record[0] == UInt8(ascii: "#") {
            try directive(record)
            return .directive
        }
        guard let names = fieldNames, !names.isEmpty else {
            throw ParseError(.badHeader, at: 0, "Zeek record before any #fields header line")
        }
        if !isResolved || !probe.matches(&builder) { resolve(names, &builder) }

        // Split first, so a record with the wrong field count writes nothing.
        let n = slots.count
        var seps = [Int]()
        swap(&seps, &separators)
        defer { swap(&seps, &separators) }
        seps.removeAll(keepingCapacity: true)
        let tokens = self.tokens
        let sep = tokens.separator
        var count = record.count
        if let extra = ZeekText.separators(in: record, sep, limit: n - 1, into: &seps) {
            // A separator ending the line is tolerated: tools that rewrite Zeek logs leave one
            // (RITA's test_data/dnscat2-ja3-strobe-agent/http.log.gz).
            guard extra == count - 1 else {
                throw ParseError(.badField, at: extra + 1, "record has more fields than the \(n) of its #fields header")
            }
            count = extra
        }
        guard seps.count == n - 1 else {
            throw ParseError(.truncated, at: count, "record has \(seps.count + 1) fields, its #fields header \(n)")
        }

        var buffer = [UInt8]()
        swap(&buffer, &scratch)
        defer { swap(&buffer, &scratch) }
        // Locals, not `self`: calling a method of `self` from this mutating method would copy
        // the parser per record (measured: a fifth of the time).
        let slots = self.slots
        // Most records hold no escape at all: one scan spares a scan per field.
        let mayEscape = ZeekText.find(ZeekText.backslash, in: record, from: 0, to: count) != nil
        var start = 0
        for f in 0..<n {
            let end = f < n - 1 ? seps[f] : count
            try ZeekTSVParser.write(record, start..<end, slots[f], tokens, mayEscape, &builder, &buffer)
            start = end + 1
        }
        return .event
    }

    // MARK: - Fields

    @inline(__always)
    private static func write(_ b: Span<UInt8>, _ r: Range<Int>, _ slot: ZeekSlot, _ tokens: Tokens, _ mayEscape: Bool,
                              _ builder: inout EventBatchBuilder, _ buffer: inout [UInt8]) throws(ParseError) {
        if matches(b, r, tokens.unsetField) { return }
        let isEmpty = matches(b, r, tokens.emptyField)
        if slot.type.isContainer {
            slot.beginList(into: &builder)
            if isEmpty { return }
            var s = r.lowerBound
            var k = r.lowerBound
            while k <= r.upperBound {
                if k == r.upperBound || b[k] == tokens.setSeparator {
                    appendItem(b, s..<k, slot, mayEscape, &builder, &buffer)
                    s = k + 1
                }
                k += 1
            }
            return
        }
        switch slot.type.base {
        case .string:
            if isEmpty {
                slot.write(string: b.extracting(r.lowerBound..<r.lowerBound), into: &builder)
            } else if mayEscape, ZeekText.hasBackslash(b, r) {
                ZeekText.decodeTSV(b, r, into: &buffer)
                slot.write(string: buffer.span, into: &builder)
            } else {
                slot.write(string: b.extracting(r), into: &builder)
            }
            return
        default:
            break
        }
        if isEmpty { return }
        switch slot.type.base {
        case .time:
            guard let us = ZeekText.microseconds(b, r) else {
                throw ParseError(.badTimestamp, at: r.lowerBound, "a Zeek time is not decimal epoch seconds")
            }
            slot.write(timestamp: us, into: &builder)
        case .addr:
            guard let ip = IPAddress.parse(b.extracting(r)) else {
                throw ParseError(.badField, at: r.lowerBound, "a Zeek addr is not an IP address")
            }
            slot.write(ip: ip, into: &builder)
        case .port, .count, .int:
            guard let v = Bytes.int(b, r) else {
                throw ParseError(.badField, at: r.lowerBound, "a Zeek \(slot.type) is not a 64-bit integer")
            }
            slot.write(int: v, into: &builder)
        case .interval:
            guard let us = ZeekText.microseconds(b, r) else {
                throw ParseError(.badField, at: r.lowerBound, "a Zeek interval is not decimal seconds")
            }
            slot.write(intervalMicroseconds: us, into: &builder)
        case .double:
            guard let d = Bytes.double(b, r) else {
                throw ParseError(.badField, at: r.lowerBound, "a Zeek double is not a decimal number")
            }
            slot.write(double: d, into: &builder)
        case .bool:
            guard r.count == 1, b[r.lowerBound] == UInt8(ascii: "T") || b[r.lowerBound] == UInt8(ascii: "F") else {
                throw ParseError(.badField, at: r.lowerBound, "a Zeek bool is not T or F")
            }
            slot.write(bool: b[r.lowerBound] == UInt8(ascii: "T"), into: &builder)
        case .string:
            break
        }
    }

    /// Appends one container element in its canonical text (see ``ZeekCanonical``).
    private static func appendItem(_ b: Span<UInt8>, _ r: Range<Int>, _ slot: ZeekSlot, _ mayEscape: Bool,
                                   _ builder: inout EventBatchBuilder, _ buffer: inout [UInt8]) {
        switch slot.type.base {
        case .interval, .double, .time:
            if let text = ZeekCanonical.number(b, r, slot.type.base) {
                slot.appendItem(text.utf8.span, into: &builder)
                return
            }
        default:
            break
        }
        if mayEscape, ZeekText.hasBackslash(b, r) {
            ZeekText.decodeTSV(b, r, into: &buffer)
            slot.appendItem(buffer.span, into: &builder)
        } else {
            slot.appendItem(b.extracting(r), into: &builder)
        }
    }

    @inline(__always)
    private static func matches(_ b: Span<UInt8>, _ r: Range<Int>, _ token: [UInt8]) -> Bool {
        guard r.count == token.count else { return false }
        var k = 0
        while k < token.count {
            if b[r.lowerBound + k] != token[k] { return false }
            k += 1
        }
        return true
    }

    // MARK: - Header

    private mutating func resolve(_ names: [String], _ builder: inout EventBatchBuilder) {
        probe.reset()
        let logPath = path ?? ZeekSchema.path(fromSourceName: context.sourceName) ?? ZeekSchema.inferSchema(fields: names) ?? "unknown"
        let schema = ZeekSchema.schemaName(forPath: logPath) ?? ZeekSchema.inferSchema(fields: names)
        let mapping = ZeekMapping.mapping(forPath: logPath, schema: schema)
        constants = ZeekRowConstants(path: logPath, mapping: mapping, builder: &builder, probe: &probe)
        var out: [ZeekSlot] = []
        out.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            let type = types.flatMap { i < $0.count ? $0[i] : nil } ?? .string
            out.append(ZeekSlot(field: name, type: type, mapping: mapping, builder: &builder, probe: &probe))
        }
        slots = out
        // The block's constants (`event.dataset`, …) hold for every record until the next
        // header: the builder writes them, not each record.
        constants?.install(into: &builder)
        isResolved = true
    }

    private mutating func directive(_ b: Span<UInt8>) throws(ParseError) {
        // `#separator` names the separator itself, so it is followed by a space.
        if Bytes.hasPrefix(b, "#separator") {
            var i = 10
            while i < b.count, b[i] == Bytes.space { i += 1 }
            ZeekText.decodeTSV(b, i..<b.count, into: &scratch)
            // Zeek writes `\x09`; some tools that rewrite Zeek logs write `\t` (RITA's
            // test_data/dnscat2-ja3-strobe-agent/http.log.gz).
            if scratch == [Bytes.backslash, UInt8(ascii: "t")] { scratch = [Bytes.tab] }
            guard scratch.count == 1 else {
                throw ParseError(.badHeader, at: i, "the #separator must be one byte (such as \\x09)")
            }
            tokens = Tokens(separator: scratch[0])
            path = nil
            fieldNames = nil
            types = nil
            isResolved = false
            return
        }
        // Search after the `#`: a `#separator #` header makes `#` the separator (found by the fuzzer).
        let nameEnd = Bytes.find(tokens.separator, in: b, from: 1) ?? b.count
        let valueStart = min(nameEnd + 1, b.count)
        let name = 1..<nameEnd
        if Bytes.equals(b, name, "fields") {
            let names = split(b, valueStart..<b.count).map { Bytes.string(b, $0) }
            guard names.count <= ZeekTSVParser.maximumFields else {
                fieldNames = nil
                throw ParseError(.badHeader, at: valueStart, "#fields names more than \(ZeekTSVParser.maximumFields) fields")
            }
            fieldNames = names
            types = nil
            isResolved = false
        } else if Bytes.equals(b, name, "types") {
            let ranges = split(b, valueStart..<b.count)
            isResolved = false
            if let names = fieldNames, names.count != ranges.count {
                types = nil
                throw ParseError(.badHeader, at: valueStart, "#types has \(ranges.count) entries for \(names.count) #fields; fields are read as text")
            }
            types = ranges.map { ZeekType.parse(b, $0) }
        } else if Bytes.equals(b, name, "set_separator") {
            ZeekText.decodeTSV(b, valueStart..<b.count, into: &scratch)
            guard scratch.count == 1 else {
                throw ParseError(.badHeader, at: valueStart, "the #set_separator must be one byte")
            }
            tokens.setSeparator = scratch[0]
        } else if Bytes.equals(b, name, "empty_field") {
            ZeekText.decodeTSV(b, valueStart..<b.count, into: &scratch)
            tokens.emptyField = scratch
        } else if Bytes.equals(b, name, "unset_field") {
            ZeekText.decodeTSV(b, valueStart..<b.count, into: &scratch)
            tokens.unsetField = scratch
        } else if Bytes.equals(b, name, "path") {
            ZeekText.decodeTSV(b, valueStart..<b.count, into: &scratch)
            path = scratch.isEmpty ? nil : ByteText.string(scratch)
            isResolved = false
        }
        // `#open`, `#close` and unknown directives carry nothing the records need.
    }

    private func split(_ b: Span<UInt8>, _ r: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        guard !r.isEmpty else { return out }
        var s = r.lowerBound
        var k = r.lowerBound
        while k <= r.upperBound {
            if k == r.upperBound || b[k] == tokens.separator {
                out.append(s..<k)
                s = k + 1
            }
            k += 1
        }
        return out
    }
}
