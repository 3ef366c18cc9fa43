import Foundation
import Logging
import SpoorCore
import SpoorEvents
import SpoorEVTX
import SpoorParsers
import Synchronization

/// Reads files, directory trees and archives into a case, in parallel, losing nothing.
///
/// Sources are recognised by content (compression by magic bytes, the log format by
/// sniffing the first lines), parsed on bytes in batches, and each batch is committed with
/// its ledger entry through the ``IngestLedger``. Sources run concurrently, at most
/// ``IngestOptions/parallelism`` at a time; each source's batches are committed in order.
public struct Ingestor: Sendable {
    public var options: IngestOptions

    public init(options: IngestOptions) { self.options = options }

    /// Failure of the run as a whole (the store failed, or `--strict` met a reject).
    public struct RunError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Ingests `paths`. Per-source problems are in the report; only store failures throw.
    ///
    /// - Parameter progress: Called with the number of input bytes read so far (compressed
    ///   bytes for compressed files) and the total input size.
    public func run(paths: [String], ledger: some IngestLedger, strict: Bool = false,
                    progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> IngestReport {
        let started = Date()
        let discovered = SourceDiscovery.expand(paths)
        var specs: [SourceSpec] = []
        var early: [SourceReport] = []
        for file in discovered.files {
            if let members = zipMembers(file) {
                switch members {
                case .success(let list): specs.append(contentsOf: list.map { .zipMember(archive: file, member: $0) })
                case .failure(let e): early.append(SourceReport(path: file, error: e.description))
                }
            } else {
                specs.append(.file(file))
            }
        }
        let totalBytes = discovered.files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? NSNumber)?.intValue ?? 0) }
        let counter = ProgressCounter()
        let width = max(1, options.parallelism > 0 ? options.parallelism : ProcessInfo.processInfo.activeProcessorCount)
        var reports = early
        let evtxContexts = EVTXContextPool()
        try await withThrowingTaskGroup(of: (Int, SourceReport).self) { group in
            var next = 0
            func launch() {
                let index = next
                let spec = specs[index]
                next += 1
                group.addTask {
                    (index, try await self.ingest(spec, ledger: ledger, strict: strict, evtxContexts: evtxContexts) { delta in
                        let done = counter.add(delta)
                        progress?(done, totalBytes)
                    })
                }
            }
            while next < specs.count && next < width { launch() }
            var results: [(Int, SourceReport)] = []
            while let r = try await group.next() {
                results.append(r)
                if next < specs.count { launch() }
            }
            reports.append(contentsOf: results.sorted { $0.0 < $1.0 }.map(\.1))
        }
        return IngestReport(sources: reports, missing: discovered.missing, seconds: Date().timeIntervalSince(started))
    }

    private func zipMembers(_ file: String) -> Result<[ZipArchive.Member], IngestError>? {
        guard let stream = try? FileStream(path: file, length: 4) else { return nil }
        var head: [UInt8] = []
        _ = try? stream.read(into: &head, maximum: 4)
        guard ContentKind.detect(head) == .zip else { return nil }
        do {
            return .success(try ZipArchive(path: file).members.filter { !$0.isDirectory })
        } catch {
            return .failure(error)
        }
    }

    /// Ingests one source, committing batch by batch. An EVTX file's reader borrows its context
    /// from `evtxContexts` (what the run's earlier EVTX files taught).
    func ingest(_ spec: SourceSpec, ledger: some IngestLedger, strict: Bool, evtxContexts: EVTXContextPool,
                progress: @Sendable (Int) -> Void) async throws -> SourceReport {
        let path = spec.path
        var report = SourceReport(path: path)
        let opener = SourceOpener(limits: options.decompression)
        let opened: SourceOpener.Opened
        do { opened = try opener.open(spec) } catch {
            report.error = error.description
            return report
        }
        switch opened.kind {
        case .unsupported(let why):
            report.skipped = why
            return report
        case .zip:
            report.skipped = "ZIP archive inside an archive (extract the outer one first)"
            return report
        case .empty:
            report.format = nil
            return report
        case .evtx:
            return try await ingestEVTX(spec, opened: opened, ledger: ledger, strict: strict, opener: opener,
                                        contexts: evtxContexts, progress: progress)
        default:
            break
        }
        // Choose the format: forced, or recognised from the first lines.
        let format: LogFormat
        if let forced = options.forcedFormat {
            guard let f = LogFormat.named(forced, among: options.formats) else {
                report.error = "unknown format \(forced) (see `spoor formats`)"
                return report
            }
            format = f
        } else {
            let sample = SampleLines(prefix: opened.head, isComplete: opened.head.count < SourceOpener.headLength)
            format = LogFormat.recognise(sample, among: options.formats)?.format ?? LogFormat.plainText
        }
        report.format = format.name
        let fingerprint = Digest.of(opened.head.prefix(4096))
        // Was this content ingested before (under any path)?
        var resume: LedgerEntry? = nil
        for entry in try await ledger.entries(fingerprint: fingerprint).sorted(by: { $0.committedOffset > $1.committedOffset }) {
            switch verify(spec, entry: entry, opener: opener) {
            case .unchanged:
                report.resumedAt = Int(entry.committedOffset)
                return report
            case .grown:
                resume = entry
            case .different:
                continue
            }
            break
        }
        let context = ParseContext(timeZone: options.timeZone ?? .utc,
                                   collectedAt: options.collectedAt ?? spec.modificationTime ?? Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)),
                                   isTimeZoneExplicit: options.timeZone != nil, sourceName: spec.fileName)
        var stream = opened.stream
        var head = opened.head
        if resume != nil {
            // Verification consumed a stream; read from the start again.
            do {
                let again = try opener.open(spec)
                stream = again.stream
                head = again.head
            } catch {
                report.error = error.description
                return report
            }
            report.resumedAt = Int(resume?.committedOffset ?? 0)
        }
        let reader = SourceReader(stream: stream, initialBytes: head, path: path, format: format, context: context,
                                  options: options, fingerprint: fingerprint, resume: resume)
        try await commitBatches(from: reader, to: ledger, strict: strict, report: &report) {
            stream.compressedBytesRead
        } progress: { progress($0) }
        report.records = report.events + report.rejects
        report.bytes = max(0, reader.bytesRead - (resume.map { Int($0.committedOffset) } ?? 0))
        report.rejectExamples = reader.examples
        if let e = reader.streamError { report.error = e.description }
        Logger.current.debug("ingested source", metadata: ["ingest.source": "\(path)", "ingest.format": "\(format.name)",
                                                           "ingest.events": "\(report.events)", "ingest.rejects": "\(report.rejects)"])
        return report
    }

    /// Commits a reader's batches in order, parsing the next one while the store writes the
    /// last (two cores: one parses, one writes).
    func commitBatches(from reader: some BatchReader, to ledger: some IngestLedger, strict: Bool, report: inout SourceReport,
                       consumed: () -> Int, progress: (Int) -> Void) async throws {
        var lastConsumed = 0
        var pending: Task<Int64, any Error>? = nil
        var sourceID = reader.ledger.id
        while var batch = reader.nextBatch() {
            if strict, let first = batch.rejects.first {
                if let pending { _ = try await pending.value }
                throw RunError(message: "\(first.location): \(first.code): \(first.reason) (--strict stops at the first rejected record)")
            }
            if let p = pending {
                // The store names a new source on its first commit; later batches update that row.
                sourceID = try await p.value
                reader.ledger.id = sourceID
            }
            batch.ledger.id = sourceID
            batch.events.fillCommunityIDs()
            report.events += batch.events.count
            report.rejects += batch.rejects.count
            let toCommit = batch
            pending = Task { try await ledger.commit(toCommit) }
            let now = consumed()
            progress(now - lastConsumed)
            lastConsumed = now
        }
        if let p = pending { reader.ledger.id = try await p.value }
    }

    /// Ingests a Windows EVTX file (see ``EVTXSourceReader``).
    ///
    /// The ledger knows an EVTX file by its first chunk, not its header, and its digest skips
    /// the header: Windows rewrites the header as the log grows, the chunks before the last stay.
    func ingestEVTX(_ spec: SourceSpec, opened: SourceOpener.Opened, ledger: some IngestLedger, strict: Bool,
                    opener: SourceOpener, contexts: EVTXContextPool, progress: @Sendable (Int) -> Void) async throws -> SourceReport {
        var report = SourceReport(path: spec.path, format: EVTXSourceReader.format)
        var bytes = opened.head
        do throws(IngestError) {
            while try opened.stream.read(into: &bytes, maximum: 4 << 20) > 0 {
                guard bytes.count <= options.decompression.maximumOutput else {
                    throw IngestError(.decompressionLimit, source: spec.path, at: bytes.count, "EVTX file larger than the size limit")
                }
            }
        } catch {
            report.error = error.description
            return report
        }
        let fingerprint = Digest.of(bytes.dropFirst(EVTXFileHeader.size).prefix(4096))
        var resume: LedgerEntry? = nil
        for entry in try await ledger.entries(fingerprint: fingerprint).sorted(by: { $0.committedOffset > $1.committedOffset }) {
            let end = Int(entry.committedOffset)
            guard end >= EVTXFileHeader.size, end <= bytes.count,
                  Digest.of(bytes[EVTXFileHeader.size..<end]) == entry.committedDigest else { continue }
            report.resumedAt = end
            if end == bytes.count && entry.isComplete { return report }
            resume = entry
            break
        }
        let context = ParseContext(timeZone: options.timeZone ?? .utc,
                                   collectedAt: options.collectedAt ?? spec.modificationTime ?? Timestamp(microseconds: 0),
                                   isTimeZoneExplicit: options.timeZone != nil, sourceName: spec.fileName)
        let reader: EVTXSourceReader
        let shared = contexts.take()
        defer { contexts.give(shared) }
        do {
            reader = try EVTXSourceReader(bytes: bytes, path: spec.path, context: context, readContext: shared, options: options,
                                          fingerprint: fingerprint, resume: resume)
        } catch {
            report.error = "\(spec.path):0:\(error.byteOffset): \(error.code): \(error.message)"
            return report
        }
        try await commitBatches(from: reader, to: ledger, strict: strict, report: &report, consumed: { 0 }, progress: { _ in })
        progress(opened.stream.compressedBytesRead)
        report.records = report.events + report.rejects
        report.bytes = max(0, bytes.count - (resume.map { Int($0.committedOffset) } ?? 0))
        report.rejectExamples = reader.examples
        return report
    }

    enum Verification { case unchanged, grown, different }

    /// Whether `spec` holds the bytes `entry` committed, and whether it has more.
    func verify(_ spec: SourceSpec, entry: LedgerEntry, opener: SourceOpener) -> Verification {
        guard let opened = try? opener.open(spec) else { return .different }
        var digest = Digest()
        var remaining = Int(entry.committedOffset)
        var chunk = opened.head
        let stream = opened.stream
        while remaining > 0 {
            if chunk.isEmpty {
                guard (try? stream.read(into: &chunk, maximum: min(remaining, 1 << 20))) ?? 0 > 0 else { return .different }
            }
            let take = min(remaining, chunk.count)
            digest.update(chunk[0..<take])
            remaining -= take
            chunk.removeFirst(take)
        }
        guard digest.value == entry.committedDigest else { return .different }
        if !chunk.isEmpty { return .grown }
        var probe: [UInt8] = []
        let more = (try? stream.read(into: &probe, maximum: 1)) ?? 0
        return more > 0 ? .grown : .unchanged
    }
}

/// The EVTX read contexts of one ingest run (``EVTXReadContext``: template definitions, names
/// and plans learnt from earlier files): each EVTX source borrows one for its reader and gives it
/// back when done, so a context serves one reader at a time and files read later in the run
/// start from what earlier ones taught (concurrent sources borrow different contexts). A
/// context that holds all the plans it takes is not given out again.
final class EVTXContextPool: @unchecked Sendable {
    // @unchecked: `free` is only touched under `lock`, and a context taken out is used by the
    // one source that took it until it gives it back.
    private let lock = NSLock()
    private var free: [EVTXReadContext] = []

    func take() -> EVTXReadContext {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? EVTXReadContext()
    }

    func give(_ context: EVTXReadContext) {
        guard !context.isSaturated else { return }
        lock.lock()
        free.append(context)
        lock.unlock()
    }
}

/// Bytes read across concurrent sources, for the progress bar.
final class ProgressCounter: Sendable {
    private let value = Mutex(0)
    func add(_ n: Int) -> Int { value.withLock { $0 += n; return $0 } }
}
