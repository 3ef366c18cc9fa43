import SpoorCore
import SpoorEvents
import SpoorEVTX
import SpoorParsers

/// Reads a Windows EVTX file into batches: records from `SpoorEVTX`'s direct path
/// (`EVTXEventReader`: values straight from BinXML; the few records it does not cover come as
/// the evtx_dump JSON rendering), events from the same Windows mapping as the evtx_dump JSON form
/// (so an event read from EVTX or from its JSON twin is the same event).
///
/// Provenance: `log.offset` is the record's byte offset in the file, `spoor.record` its position
/// in the file (1-based, over the records read), `spoor.parser` is `windows-evtx`. Damage the
/// reader reports (bad chunk signatures, CRC mismatches, unreadable records) becomes rejects at
/// its offset; records the mapping refuses are rejects too. Batches end at chunk boundaries, so
/// the ledger's committed offset is always the end of a chunk.
final class EVTXSourceReader: BatchReader {
    static let format = "windows-evtx"

    let path: String
    let file: EVTXFile
    private let events: EVTXEventReader
    var ledger: LedgerEntry
    private var mapper: WindowsEventMapper
    private var builder = EventBatchBuilder()
    private var nextChunk = 0
    private var record = 0
    private let resumeOffset: Int
    private let options: IngestOptions
    private var digest = Digest()
    /// The digest skips the file header, which Windows rewrites as the log grows.
    private var hashedUpTo = EVTXFileHeader.size
    private(set) var examples: [Reject] = []
    private var reportedHeader = false

    init(bytes: [UInt8], path: String, context: ParseContext, readContext: EVTXReadContext, options: IngestOptions,
         fingerprint: UInt64, resume: LedgerEntry?) throws(ParseError) {
        file = try EVTXFile(bytes: bytes)
        events = EVTXEventReader(file: file, context: readContext)
        self.path = path
        self.options = options
        mapper = WindowsEventMapper(context: context)
        resumeOffset = Int(resume?.committedOffset ?? 0)
        ledger = resume ?? LedgerEntry(path: path, fingerprint: fingerprint, committedDigest: 0, committedOffset: 0,
                                       committedRecords: 0, events: 0, rejects: 0, format: EVTXSourceReader.format, isComplete: false)
        ledger.path = path
        ledger.format = EVTXSourceReader.format
    }

    var bytesRead: Int { file.bytes.count }

    private func reject(_ issueOffset: Int, _ error: ParseError, _ detail: String) -> Reject {
        let end = min(file.bytes.count, issueOffset + Reject.maximumKeptBytes)
        let head = issueOffset < end ? Array(file.bytes[issueOffset..<end]) : []
        return Reject(location: RecordLocation(source: path, record: record, byteOffset: issueOffset),
                      code: error.code, reason: detail, firstBytes: head, length: 0)
    }

    /// The next batch (about `options.batchRecords` records, whole chunks), or nil at the end.
    func nextBatch() -> SourceBatch? {
        guard nextChunk < file.chunkCount || !reportedHeader else { return nil }
        var rejects: [Reject] = []
        let h = ProvenanceHandles(&builder, path: path, parser: EVTXSourceReader.format, organization: options.organization)
        if !reportedHeader {
            reportedHeader = true
            if resumeOffset == 0 {
                for issue in file.headerIssues where issue.kind != .dirtyFile {
                    rejects.append(reject(issue.offset, issue.error, "\(issue.kind.rawValue): \(issue.error.message)"))
                }
            }
        }
        var produced = 0
        var lastEnd = Int(ledger.committedOffset)
        if builder.count == 0 {
            builder.reserve(rows: min(options.batchRecords, file.estimatedRecords(chunks: nextChunk..<file.chunkCount)))
        }
        while nextChunk < file.chunkCount && produced < options.batchRecords {
            let index = nextChunk
            nextChunk += 1
            let chunkOffset = EVTXFileHeader.size + index * EVTXFile.chunkSize
            let chunkEnd = min(file.bytes.count, chunkOffset + EVTXFile.chunkSize)
            let replay = chunkEnd <= resumeOffset
            let issues = events.readChunk(index) { header, content in
                record += 1
                if replay { return }
                builder.beginRow()
                h.write(&builder, offset: header.offset, record: record)
                do throws(ParseError) {
                    switch content {
                    case .view(let v): try mapper.write(evtx: v, into: &builder)
                    case .json(let j): try mapper.write(evtxRecord: j, into: &builder)
                    }
                    builder.endRow()
                } catch {
                    builder.cancelRow()
                    rejects.append(reject(header.offset, error, error.message + " (record \(header.recordID))"))
                }
                produced += 1
            }
            if !replay {
                for issue in issues {
                    rejects.append(reject(issue.offset, issue.error, "\(issue.kind.rawValue): \(issue.error.message)"))
                    produced += 1
                }
                lastEnd = chunkEnd
            }
        }
        for r in rejects where examples.count < options.rejectExamples { examples.append(r) }
        let atEnd = nextChunk >= file.chunkCount
        if lastEnd > hashedUpTo {
            digest.update(file.bytes[hashedUpTo..<lastEnd])
            hashedUpTo = lastEnd
        }
        if produced == 0 && rejects.isEmpty && lastEnd <= Int(ledger.committedOffset) && !(atEnd && !ledger.isComplete) { return nil }
        ledger.committedOffset = Int64(lastEnd)
        ledger.committedDigest = digest.value
        ledger.committedRecords = Int64(record)
        ledger.events += Int64(builder.count)
        ledger.rejects += Int64(rejects.count)
        ledger.isComplete = atEnd
        return SourceBatch(events: builder.finish(), rejects: rejects, ledger: ledger)
    }
}
