import SpoorCore

/// Cuts delimited text (CSV, TSV) into records at line breaks that are not inside a
/// double-quoted field, as RFC 4180 §2.6 allows ("fields containing line breaks … should be
/// enclosed in double-quotes"). It is the ``Framing/quotedLines`` framing, as a pure function
/// over bytes that ingest and tests share.
///
/// Rules, the same as ``DelimitedRecord``'s so that framing and parsing agree:
/// - A `"` opens a quoted field only as the first byte of a field (at the record start or
///   right after the delimiter). A `"` inside an unquoted field is data (`5" floppy`).
/// - Inside a quoted field `""` is an escaped quote and a lone `"` closes it; LF and CR LF are
///   data there.
/// - Outside quotes LF ends the record; a CR right before it is dropped from the record.
/// - A quoted field still open at the end of input, or one that makes the record longer than
///   ``maximumRecordLength``, is a broken record: it is cut at its first line break instead,
///   so one stray quote costs one line and framing resynchronises on the next.
///
/// ```swift
/// let framer = QuotedLineFramer(delimiter: UInt8(ascii: ","))
/// for range in framer.records(in: bytes.span) { parse(bytes.span.extracting(range)) }
/// ```
///
/// - Complexity: O(*n*) in the bytes framed; each byte is examined once (twice for a broken record).
public struct QuotedLineFramer: Sendable, Hashable {
    /// The field delimiter (`,` for CSV, tab for TSV): a quote opens a field only after it.
    public var delimiter: UInt8
    /// The longest record kept whole, in bytes, line breaks included.
    public var maximumRecordLength: Int

    public init(delimiter: UInt8 = UInt8(ascii: ","), maximumRecordLength: Int = 1 << 20) {
        precondition(maximumRecordLength > 0, "maximumRecordLength must be positive")
        self.delimiter = delimiter
        self.maximumRecordLength = maximumRecordLength
    }

    /// One record found by ``nextRecord(in:from:isEndOfInput:)``.
    public struct Record: Sendable, Hashable {
        /// The record's bytes, without its final line break (LF or CR LF).
        public var range: Range<Int>
        /// Where the next record starts (after the line break).
        public var next: Int
        /// Whether the record was cut at its first line break because a quoted field never
        /// closed (or grew past the limit): its parser will usually reject it.
        public var isBroken: Bool
    }

    /// The record that starts at `start`.
    ///
    /// - Parameters:
    ///   - bytes: Buffered input; the record must start at `start`.
    ///   - isEndOfInput: Whether `bytes` holds the rest of the source. When false and the
    ///     record is not complete in `bytes`, returns nil: read more and call again with the
    ///     same `start`.
    /// - Returns: The record, or nil when more input is needed (or `start` is at the end).
    public func nextRecord(in bytes: Span<UInt8>, from start: Int, isEndOfInput: Bool) -> Record? {
        let n = bytes.count
        guard start < n else { return nil }
        let quote = Bytes.quote, lf = Bytes.lf
        var i = start
        var inQuotes = false
        var atFieldStart = true
        while i < n {
            let c = bytes[i]
            if inQuotes {
                if c == quote {
                    if i + 1 < n {
                        if bytes[i + 1] == quote { i += 2; continue }
                    } else if !isEndOfInput {
                        return nil // `"` then end of buffer: an escaped `""` or a close; need the next byte
                    }
                    inQuotes = false
                }
                i += 1
                if i - start > maximumRecordLength { return brokenRecord(bytes, start, isEndOfInput: isEndOfInput) }
                continue
            }
            if c == lf {
                return Record(range: start..<trimCR(bytes, start, i), next: i + 1, isBroken: false)
            }
            if c == quote, atFieldStart {
                inQuotes = true
                atFieldStart = false
            } else {
                atFieldStart = c == delimiter
            }
            i += 1
        }
        guard isEndOfInput else { return nil }
        if inQuotes { return brokenRecord(bytes, start, isEndOfInput: true) }
        return Record(range: start..<trimCR(bytes, start, n), next: n, isBroken: false)
    }

    /// Every non-blank record of a complete input, in order.
    public func records(in bytes: Span<UInt8>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        // A UTF-8 byte order mark is not content.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while let r = nextRecord(in: bytes, from: start, isEndOfInput: true) {
            if !isBlank(bytes, r.range) { out.append(r.range) }
            start = r.next
        }
        return out
    }

    /// The record cut at its first line break.
    private func brokenRecord(_ bytes: Span<UInt8>, _ start: Int, isEndOfInput: Bool) -> Record? {
        if let lf = Bytes.find(Bytes.lf, in: bytes, from: start) {
            return Record(range: start..<trimCR(bytes, start, lf), next: lf + 1, isBroken: true)
        }
        guard isEndOfInput else { return nil }
        return Record(range: start..<trimCR(bytes, start, bytes.count), next: bytes.count, isBroken: true)
    }

    @inline(__always)
    private func trimCR(_ bytes: Span<UInt8>, _ start: Int, _ end: Int) -> Int {
        end > start && bytes[end - 1] == Bytes.cr ? end - 1 : end
    }

    private func isBlank(_ bytes: Span<UInt8>, _ r: Range<Int>) -> Bool {
        for i in r where !Bytes.isSpace(bytes[i]) { return false }
        return true
    }
}
