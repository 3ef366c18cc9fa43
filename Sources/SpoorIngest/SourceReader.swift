import Foundation
import SpoorCore
import SpoorEvents
import SpoorParsers

/// Reads one source (already decompressed) into batches: frames records, parses them, and
/// accounts for every record as an event or a reject.
///
/// Records are lines (LF or CR LF; a lone CR is data), or quoted lines for formats whose
/// fields may hold line breaks. Blank lines are not records. A record longer than the limit
/// becomes a `recordTooLong` reject and its bytes are skipped, never buffered whole.
///
/// When resuming (`resume` set), records that end at or before the committed offset are
/// parsed into a scratch batch and dropped: stateful formats (Zeek headers, CSV header rows,
/// syslog year rollover) see their whole history, and record numbers continue exactly.
final class SourceReader: BatchReader {
    let stream: ByteStream
    let path: String
    let format: LogFormat
    var parser: any LogParser
    let options: IngestOptions
    let fingerprint: UInt64
    var ledger: LedgerEntry
    let resumeOffset: Int

    private var buffer: [UInt8]
    /// Stream offset of `buffer[0]`.
    private var base = 0
    /// Index in `buffer` where the next record starts.
    private var recordStart = 0
    /// Index up to which `buffer` is known to hold no record end.
    private var scanned = 0
    private var streamDone = false
    /// Skipping the rest of an over-long record.
    private var skipping = false
    private var digest = Digest()
    /// Stream offset up to which `digest` has consumed bytes.
    private var hashedUpTo = 0
    private var record = 0
    private(set) var bytesRead = 0
    private(set) var events = 0
    private(set) var rejectCount = 0
    private(set) var examples: [Reject] = []
    private var finished = false
    private let chunkSize = 1 << 20

    init(stream: ByteStream, initialBytes: [UInt8], path: String, format: LogFormat, context: ParseContext,
         options: IngestOptions, fingerprint: UInt64, resume: LedgerEntry?) {
        self.stream = stream
        self.buffer = initialBytes
        self.path = path
        self.format = format
        self.parser = format.makeParser(context)
        self.options = options
        self.fingerprint = fingerprint
        self.resumeOffset = Int(resume?.committedOffset ?? 0)
        self.ledger = resume ?? LedgerEntry(path: path, fingerprint: fingerprint, committedDigest: 0, committedOffset: 0,
                                            committedRecords: 0, events: 0, rejects: 0, format: format.name, isComplete: false)
        self.ledger.path = path
        self.ledger.format = format.name
        bytesRead = initialBytes.count
        // A UTF-8 byte order mark is not part of the first record.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { recordStart = 3; scanned = 3 }
    }

    /// One framed record.
    enum Framed {
        /// A record in `buffer[range]`; `end` is the stream offset just after its line break.
        case record(Range<Int>, end: Int)
        /// A record over the length limit: its first bytes, stream offset, length and end.
        case tooLong(head: [UInt8], offset: Int, length: Int, end: Int)
    }

    private var longRecord: (head: [UInt8], offset: Int)? = nil
    /// One builder for the whole source: parsers keep their column handles across batches.
    private var builder = EventBatchBuilder()
    /// Whether records were replayed (their strings are dropped before the first batch).
    private var warmedUp = false
    /// The error that ended the stream early, if any.
    private(set) var streamError: IngestError? = nil

    /// The next batch, or nil when the source is exhausted.
    func nextBatch() -> SourceBatch? {
        guard !finished else { return nil }
        // The builder and parser as locals for the loop: a stored property of a class passed
        // `inout` costs a dynamic exclusivity check per access (measured: a few % of syslog).
        var builder = EventBatchBuilder(symbolCapacity: 1)
        swap(&builder, &self.builder)
        var parser = self.parser
        defer {
            swap(&builder, &self.builder)
            self.parser = parser
        }
        var rejects: [Reject] = []
        let h = ProvenanceHandles(&builder, path: path, parser: format.name, organization: options.organization)
        var produced = 0
        var lastEnd = Int(ledger.committedOffset)
        while produced < options.batchRecords {
            guard let framed = nextRecord() else { break }
            switch framed {
            case .tooLong(let head, let offset, let length, let end):
                record += 1
                guard end > resumeOffset else { continue }
                addReject(Reject(location: RecordLocation(source: path, record: record, byteOffset: offset),
                                 code: .recordTooLong,
                                 reason: "record of \(length) bytes is longer than the limit of \(options.maximumRecordLength); skipped",
                                 firstBytes: head, length: length), to: &rejects)
                produced += 1
                lastEnd = end
            case .record(let range, let end):
                let isWarmUp = end <= resumeOffset
                if isBlank(range) {
                    if !isWarmUp { lastEnd = end }
                    continue
                }
                record += 1
                let offset = base + range.lowerBound
                if isWarmUp {
                    // Replay for parser state only; the events are already in the case.
                    builder.beginRow()
                    let outcome = try? parser.parse(buffer.span.extracting(range), into: &builder)
                    builder.cancelRow()
                    if outcome == .directive { record -= 1 }
                    warmedUp = true
                    continue
                }
                builder.beginRow()
                h.write(&builder, offset: offset, record: record)
                do {
                    let outcome = try parser.parse(buffer.span.extracting(range), into: &builder)
                    if outcome == .event {
                        builder.endRow()
                        events += 1
                        produced += 1
                    } else {
                        builder.cancelRow()
                        record -= 1
                    }
                } catch {
                    builder.cancelRow()
                    produced += 1
                    addReject(Reject(location: RecordLocation(source: path, record: record, byteOffset: offset),
                                     code: error.code, reason: error.message + " (at byte \(error.byteOffset) of the record)",
                                     firstBytes: Array(buffer[range.lowerBound..<min(range.upperBound, range.lowerBound + Reject.maximumKeptBytes)]),
                                     length: range.count), to: &rejects)
                }
                lastEnd = end
            }
        }
        if warmedUp && builder.count == 0 {
            // Forget the replayed records' strings; the columns (and handles) stay.
            _ = builder.finish()
            warmedUp = false
        }
        let atEnd = streamDone && recordStart >= buffer.count && longRecord == nil
        if atEnd { finished = true }
        if produced == 0 && lastEnd <= Int(ledger.committedOffset) && !(atEnd && !ledger.isComplete) {
            return nil
        }
        // The commit point is the end of the last record handled; hash up to it.
        if lastEnd > hashedUpTo {
            let from = hashedUpTo - base, to = lastEnd - base
            if from >= 0, to <= buffer.count, from <= to { digest.update(buffer[from..<to]) }
            hashedUpTo = lastEnd
        }
        ledger.committedOffset = Int64(lastEnd)
        ledger.committedDigest = digest.value
        ledger.committedRecords = Int64(record)
        ledger.events += Int64(builder.count)
        ledger.rejects += Int64(rejects.count)
        ledger.isComplete = atEnd
        return SourceBatch(events: builder.finish(), rejects: rejects, ledger: ledger)
    }

    private func addReject(_ r: Reject, to rejects: inout [Reject]) {
        rejectCount += 1
        if examples.count < options.rejectExamples { examples.append(r) }
        rejects.append(r)
    }

    private func isBlank(_ range: Range<Int>) -> Bool {
        for i in range where !Bytes.isSpace(buffer[i]) && buffer[i] != Bytes.cr { return false }
        return true
    }

    /// Frames the next record, reading more of the stream as needed.
    private func nextRecord() -> Framed? {
        let limit = options.maximumRecordLength
        while true {
            if let lf = findRecordEnd() {
                let start = recordStart
                recordStart = lf + 1
                scanned = recordStart
                var end = lf
                if end > start, buffer[end - 1] == Bytes.cr { end -= 1 }
                if let long = longRecord {
                    longRecord = nil
                    return .tooLong(head: long.head, offset: long.offset, length: base + end - long.offset, end: base + lf + 1)
                }
                if end - start > limit {
                    return .tooLong(head: Array(buffer[start..<(start + Reject.maximumKeptBytes)]), offset: base + start,
                                    length: end - start, end: base + lf + 1)
                }
                return .record(start..<end, end: base + lf + 1)
            }
            if longRecord == nil, buffer.count - recordStart > limit {
                // Over the limit with no end in sight: keep its head, drop the rest as it comes.
                longRecord = (Array(buffer[recordStart..<(recordStart + Reject.maximumKeptBytes)]), base + recordStart)
            }
            if streamDone {
                if let long = longRecord {
                    longRecord = nil
                    let length = base + buffer.count - long.offset
                    drop(upTo: buffer.count)
                    return .tooLong(head: long.head, offset: long.offset, length: length, end: base)
                }
                guard recordStart < buffer.count else { return nil }
                let start = recordStart
                recordStart = buffer.count
                scanned = recordStart
                var end = buffer.count
                if end > start, buffer[end - 1] == Bytes.cr { end -= 1 }
                return .record(start..<end, end: base + buffer.count)
            }
            drop(upTo: longRecord == nil ? recordStart : buffer.count)
            do {
                let n = try stream.read(into: &buffer, maximum: chunkSize)
                bytesRead += n
                if n == 0 { streamDone = true }
            } catch {
                // A truncated or corrupt stream ends the source, not the batch: what was read
                // before the error is still framed, parsed and committed.
                streamError = error
                streamDone = true
            }
        }
    }

    /// Drops `buffer[0..<k]`, hashing what the digest has not seen yet.
    private func drop(upTo k: Int) {
        guard k > 0 else { return }
        if base + k > hashedUpTo {
            digest.update(buffer[max(0, hashedUpTo - base)..<k])
            hashedUpTo = base + k
        }
        buffer.removeFirst(k)
        base += k
        recordStart = max(0, recordStart - k)
        scanned = max(0, scanned - k)
    }

    /// Finds the line feed that ends the current record, scanning only bytes not seen before.
    private func findRecordEnd() -> Int? {
        let n = buffer.count
        let i = max(scanned, recordStart)
        if case .quotedLines(let delimiter) = format.framing, longRecord == nil {
            // RFC 4180 framing: rescans the open record from its start when more bytes arrive
            // (records are short; the length limit bounds the rescans).
            let framer = QuotedLineFramer(delimiter: delimiter, maximumRecordLength: options.maximumRecordLength)
            guard let rec = framer.nextRecord(in: buffer.span, from: recordStart, isEndOfInput: streamDone),
                  rec.next > 0, rec.next <= n, buffer[rec.next - 1] == Bytes.lf else {
                scanned = n
                return nil
            }
            return rec.next - 1
        }
        let found: Int? = buffer.withUnsafeBufferPointer { buf -> Int? in
            guard i < n, let start = buf.baseAddress else { return nil }
            guard let p = memchr(start + i, Int32(Bytes.lf), n - i) else { return nil }
            return start.distance(to: p.assumingMemoryBound(to: UInt8.self))
        }
        if found == nil { scanned = n }
        return found
    }
}

/// Something that yields a source's batches in order and carries its ledger entry.
protocol BatchReader: AnyObject {
    var ledger: LedgerEntry { get set }
    func nextBatch() -> SourceBatch?
}

/// The provenance columns every event gets, resolved once per batch.
///
/// The path, parser and organization hold for every row of the source: they are the
/// builder's constants (``EventBatchBuilder/setConstant(_:items:)``), written once, not per row.
struct ProvenanceHandles {
    let offset: ColumnHandle, record: ColumnHandle

    init(_ b: inout EventBatchBuilder, path p: String, parser: String, organization: String) {
        let path = b.column(Field.logFilePath, .string)
        offset = b.column(Field.logOffset, .int)
        record = b.column(Field.spoorRecord, .int)
        let parserColumn = b.column(Field.spoorParser, .string)
        let organizationColumn = b.column(Field.organizationID, .string)
        b.setConstant(path, items: [Array(p.utf8)])
        b.setConstant(parserColumn, items: [Array(parser.utf8)])
        b.setConstant(organizationColumn, items: [Array(organization.utf8)])
    }

    func write(_ b: inout EventBatchBuilder, offset o: Int, record r: Int) {
        b.set(offset, int: Int64(o))
        b.set(record, int: Int64(r))
    }
}
