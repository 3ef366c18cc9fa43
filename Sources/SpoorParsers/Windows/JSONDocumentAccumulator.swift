import SpoorCore

/// Gathers JSON documents from lines: one object per line (JSON lines), pretty-printed
/// objects spanning many lines (evtx_dump's `-o json`, the SigmaHQ regression data), and a
/// top-level array of objects (`ConvertTo-Json` of several events).
///
/// Ingest frames sources into lines and a parser gets one line at a time, so a document
/// spread over lines is collected here until its braces balance; the lines before the last
/// are `.directive`s to ingest and the event's provenance (`log.offset`, `spoor.record`)
/// points at the document's LAST line. The scanner tracks only depth and strings (with
/// escapes), byte by byte; the document is parsed by ``JSONParser`` once complete.
///
/// At depth 0, whitespace, a UTF-8 byte order mark, the array's `[`, `,` and `]`, and
/// evtx_dump's `Record N` header lines are skipped. Anything else there is an error for
/// that line, so a stray line costs one reject and the next `{` resynchronises.
struct JSONDocumentAccumulator: Sendable {
    /// The largest document gathered over several lines; a larger one is reported once and
    /// the rest of it skipped.
    static let maximumDocumentBytes = 64 << 20

    /// What a line gave.
    enum Result {
        /// The line holds a whole document at `range`: parse the line itself.
        case line(Range<Int>)
        /// The line completed a document gathered in ``buffer``.
        case buffered
        /// The line is part of a document or separator only.
        case pending
    }

    private(set) var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var discarding = false

    /// Whether a document is open (lines gathered and not yet complete).
    var isOpen: Bool { depth > 0 }

    /// Feeds one line.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` for content outside a document,
    ///   `.recordTooLong` once when a document passes ``maximumDocumentBytes``, `.badField`
    ///   when a line holds more than one document.
    mutating func feed(_ line: Span<UInt8>) throws(ParseError) -> Result {
        var i = 0
        let n = line.count
        var start = depth > 0 ? 0 : -1
        if depth == 0 {
            if n >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { i = 3 }
            if Bytes.hasPrefix(line, "Record ") { return .pending }
        }
        while i < n {
            let c = line[i]
            if depth == 0 {
                switch c {
                case UInt8(ascii: "{"):
                    if start >= 0 {
                        throw ParseError(.badField, at: i, "more than one JSON document on one line; one event per line is supported")
                    }
                    start = i
                    depth = 1
                    inString = false
                    escaped = false
                case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), 0x20, 0x09, 0x0D, 0x0A:
                    break
                default:
                    throw ParseError(.unrecognized, at: i, "not inside a JSON object")
                }
                i += 1
                continue
            }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == Bytes.quote { inString = false }
            } else {
                switch c {
                case Bytes.quote: inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        if let r = try finish(line, start: start, end: i + 1) { return r }
                        start = -2   // a document ended on this line; another may not start.
                        if discarding { discarding = false }
                        i += 1
                        continue
                    }
                default: break
                }
            }
            i += 1
        }
        if depth > 0 {
            let from = max(start, 0)
            try append(line, from, n, newline: true)
            return .pending
        }
        return .pending
    }

    /// Ends a document at `end` on this line.
    private mutating func finish(_ line: Span<UInt8>, start: Int, end: Int) throws(ParseError) -> Result? {
        if discarding {
            discarding = false
            buffer.removeAll(keepingCapacity: true)
            return nil
        }
        // Whatever follows must be separators only.
        var j = end
        while j < line.count {
            switch line[j] {
            case UInt8(ascii: "]"), UInt8(ascii: ","), 0x20, 0x09, 0x0D: j += 1
            default:
                buffer.removeAll(keepingCapacity: true)
                throw ParseError(.badField, at: j, "more than one JSON document on one line; one event per line is supported")
            }
        }
        if buffer.isEmpty, start >= 0 { return .line(start..<end) }
        try append(line, 0, end, newline: false)
        return .buffered
    }

    private mutating func append(_ line: Span<UInt8>, _ from: Int, _ to: Int, newline: Bool) throws(ParseError) {
        guard !discarding else { return }
        guard buffer.count + (to - from) < JSONDocumentAccumulator.maximumDocumentBytes else {
            buffer.removeAll()
            discarding = true
            throw ParseError(.recordTooLong, at: 0, "a JSON document longer than \(JSONDocumentAccumulator.maximumDocumentBytes) bytes")
        }
        for k in from..<to { buffer.append(line[k]) }
        if newline { buffer.append(Bytes.lf) }
    }

    /// Forgets the gathered document after it was parsed.
    mutating func consume() { buffer.removeAll(keepingCapacity: true) }
}
