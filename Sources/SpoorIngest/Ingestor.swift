import Foundation
import Logging
import SpoorCore
import SpoorEvents
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
        try await withThrowingTaskGroup(of: (Int, SourceReport).self) { group in
            var next = 0
            func launch() {
                let index = next
                let spec = specs[index]
                next += 1
                group.addTask {
                    (index, try await self.ingest(spec, ledger: ledger, strict: strict) { delta in
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

    /// Ingests one source, committing batch by batch.
    func ingest(_ spec: SourceSpec, ledger: some IngestLedger, strict: Bool,
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
        default:
            break
        }
        // Choose the format: forced, or recognised from the first lines.
        let format: LogFormat
        if let forced = options.forcedFormat {
            guard let f = (options.formats + [LogFormat.plainText]).first(where: { $0.name == forced }) else {
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
        var lastCompressed = 0
        // Parse the next batch while the store writes the previous one (two cores: one
        // parses, one writes). Commits stay in order: each waits for the one before it.
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
            report.events += batch.events.count
            report.rejects += batch.rejects.count
            let toCommit = batch
            pending = Task { try await ledger.commit(toCommit) }
            let compressed = stream.compressedBytesRead
            progress(compressed - lastCompressed)
            lastCompressed = compressed
        }
        if let p = pending { reader.ledger.id = try await p.value }
        report.records = report.events + report.rejects
        report.bytes = max(0, reader.bytesRead - (resume.map { Int($0.committedOffset) } ?? 0))
        report.rejectExamples = reader.examples
        if let e = reader.streamError { report.error = e.description }
        Logger.current.debug("ingested source", metadata: ["ingest.source": "\(path)", "ingest.format": "\(format.name)",
                                                           "ingest.events": "\(report.events)", "ingest.rejects": "\(report.rejects)"])
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

/// Bytes read across concurrent sources, for the progress bar.
final class ProgressCounter: Sendable {
    private let value = Mutex(0)
    func add(_ n: Int) -> Int { value.withLock { $0 += n; return $0 } }
}
