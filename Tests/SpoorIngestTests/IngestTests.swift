import Foundation
import Testing
@testable import SpoorIngest
import SpoorCore
import SpoorEvents
import SpoorParsers
import SpoorTesting

@Suite struct IngestTests {
    let plainLines = 200

    func ingest(_ paths: [String], options: IngestOptions = IngestOptions(), ledger: MemoryLedger = MemoryLedger()) async throws -> (IngestReport, MemoryLedger) {
        let report = try await Ingestor(options: options).run(paths: paths, ledger: ledger)
        return (report, ledger)
    }

    func messages(_ ledger: MemoryLedger) async -> [String] {
        await ledger.events.compactMap { $0[Field.message]?.stringValue }
    }

    @Test(arguments: ["app.log", "app.log.gz", "app.log.bz2", "app.log.xz", "app-two-members.log.gz"])
    func compressedSourcesGiveTheSameEvents(file: String) async throws {
        let (plainReport, plain) = try await ingest([Fixtures.url("ingest/app.log").path])
        let (report, ledger) = try await ingest([Fixtures.url("ingest/\(file)").path])
        #expect(report.events == plainLines)
        #expect(report.rejects == 0)
        #expect(report.sources.first?.error == nil)
        #expect(await messages(ledger) == messages(plain))
        #expect(plainReport.records == report.records)
        // Offsets are of the decompressed bytes, so they agree too.
        let offsets = await ledger.events.compactMap { $0[Field.logOffset]?.intValue }
        let plainOffsets = await plain.events.compactMap { $0[Field.logOffset]?.intValue }
        #expect(offsets == plainOffsets)
    }

    @Test func zipMembersAreReadOneByOne() async throws {
        let (report, ledger) = try await ingest([Fixtures.url("ingest/logs.zip").path])
        let archive = Fixtures.url("ingest/logs.zip").path
        #expect(report.sources.map(\.path) == ["one/app.log", "stored.log", "nested.log.gz"].map { archive + "!" + $0 })
        // app.log whole, its second half (the first half holds 101 lines), and app.log reversed.
        #expect(report.events == plainLines + (plainLines - 101) + plainLines)
        #expect(report.sources.allSatisfy { $0.error == nil && $0.records == $0.events + $0.rejects })
        let filePaths = Set(await ledger.events.compactMap { $0[Field.logFilePath]?.stringValue })
        #expect(filePaths.contains(archive + "!nested.log.gz"))
    }

    @Test func truncatedGzipKeepsWhatCameBeforeAndSaysWhere() async throws {
        let (report, ledger) = try await ingest([Fixtures.url("ingest/truncated.log.gz").path])
        let source = try #require(report.sources.first)
        #expect(source.error?.contains("truncated-archive") == true)
        #expect(source.events > 0 && source.events < plainLines)
        #expect(await ledger.events.count == source.events)
    }

    @Test(arguments: ["bomb.log.gz", "bomb.zip"])
    func decompressionBombsStopWithAClearError(file: String) async throws {
        var options = IngestOptions()
        options.decompression = DecompressionLimits(maximumRatio: 100, ratioFloor: 1 << 20)
        let (report, _) = try await ingest([Fixtures.url("ingest/\(file)").path], options: options)
        let source = try #require(report.sources.first)
        #expect(source.error?.contains("decompression-limit") == true)
        // What was decompressed within the limit is kept, not thrown away.
        #expect(source.events > 0)
        #expect(source.events < 16 * 1024)
    }

    @Test func knownButUnsupportedAndBinaryFilesAreSkippedWithAReason() async throws {
        let (report, ledger) = try await ingest([Fixtures.url("ingest/capture.pcap").path,
                                                 Fixtures.url("ingest/binary.dat").path,
                                                 Fixtures.url("ingest/empty.log").path])
        #expect(report.sources[0].skipped?.contains("pcap") == true)
        #expect(report.sources[1].skipped?.contains("binary") == true)
        #expect(report.sources[2].skipped == nil && report.sources[2].records == 0)
        #expect(await ledger.events.isEmpty)
    }

    @Test func invalidUTF8BlankLinesAndCRLF() async throws {
        let (report, ledger) = try await ingest([Fixtures.url("ingest/mixed-bytes.log").path])
        #expect(report.records == 3)   // blank and whitespace-only lines are not records
        let events = await ledger.events
        #expect(events.map { $0[Field.spoorRecord]?.intValue } == [1, 2, 3])
        #expect(events[0][Field.message]?.stringValue == "first line")
        let bad = try #require(events[1][Field.message]?.stringValue)
        #expect(ByteText.decode(bad) == Array("bad ".utf8) + [0xFF, 0xFE] + Array(" bytes here".utf8))
        #expect(events[2][Field.message]?.stringValue == "last line without newline")
        #expect(events[2][Field.logOffset]?.intValue == 35)  // 12 + 18 + 1 + 4 bytes before it
    }

    @Test func overLongRecordsAreRejectedWithoutBufferingThem() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.log")
        var bytes = Array("before\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 5_000_000)
        bytes += Array("\nafter\n".utf8)
        try Data(bytes).write(to: file)
        let (report, ledger) = try await ingest([file.path])
        #expect(report.events == 2)
        #expect(report.rejects == 1)
        let reject = try #require(await ledger.rejects.first)
        #expect(reject.code == .recordTooLong)
        #expect(reject.length == 5_000_000)
        #expect(reject.location.record == 2 && reject.location.byteOffset == 7)
        #expect(reject.firstBytes.count == Reject.maximumKeptBytes)
        let after = await ledger.events.last
        #expect(after?[Field.spoorRecord]?.intValue == 3)
        #expect(after?[Field.logOffset]?.intValue == 5_000_008)
    }

    @Test func reingestingAddsNothingAndAGrownFileAddsOnlyTheNewRecords() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Fixtures.bytes("ingest/app.log")
        let file = dir.appendingPathComponent("app.log")
        try Data(original).write(to: file)
        let ledger = MemoryLedger()
        let (first, _) = try await ingest([file.path], ledger: ledger)
        #expect(first.events == plainLines)
        let (second, _) = try await ingest([file.path], ledger: ledger)
        #expect(second.events == 0)
        #expect(second.sources.first?.resumedAt == original.count)
        // The same content under another name is the same source.
        let copy = dir.appendingPathComponent("copy.log")
        try Data(original).write(to: copy)
        let (third, _) = try await ingest([copy.path], ledger: ledger)
        #expect(third.events == 0)
        // Appended lines are read from the committed offset on, numbered after the old ones.
        let handle = try FileHandle(forWritingTo: file)
        handle.seekToEndOfFile()
        handle.write(Data("2024-03-09T23:00:00Z app[1200]: request id=200 u\n2024-03-09T23:00:01Z app[1201]: request id=201 u\n".utf8))
        try handle.close()
        let (fourth, _) = try await ingest([file.path], ledger: ledger)
        #expect(fourth.events == 2)
        let events = await ledger.events
        #expect(events.count == plainLines + 2)
        #expect(events.last?[Field.spoorRecord]?.intValue == Int64(plainLines + 2))
        #expect(events.last?[Field.logOffset]?.intValue == Int64(original.count + 49))  // after the first 49-byte appended line
    }

    @Test func aKilledIngestResumesWithNoLossAndNoDuplicates() async throws {
        var options = IngestOptions()
        options.batchRecords = 30
        let ledger = MemoryLedger()
        await ledger.setFailAfter(3)
        let path = Fixtures.url("ingest/app.log.gz").path
        await #expect(throws: (any Error).self) { _ = try await Ingestor(options: options).run(paths: [path], ledger: ledger) }
        #expect(await ledger.events.count == 90)
        await ledger.setFailAfter(nil)
        let report = try await Ingestor(options: options).run(paths: [path], ledger: ledger)
        #expect(report.events == plainLines - 90)
        let records = await ledger.events.compactMap { $0[Field.spoorRecord]?.intValue }
        #expect(records == (1...Int64(plainLines)).map { $0 })
        // One ledger row for the source, however many batches it took.
        #expect(await ledger.stored.count == 1)
    }

    @Test(arguments: [1, 2, 7, 64, 4096])
    func framingIsChunkInvariant(chunkSize: Int) throws {
        let bytes = Array("a\r\nb\n\n  \nc\rstill c\nlast".utf8)
        func frame(_ chunk: Int) -> [String] {
            let reader = SourceReader(stream: MemoryStream(bytes, chunkSize: chunk), initialBytes: [], path: "m",
                                      format: .plainText, context: ParseContext(collectedAt: Timestamp(microseconds: 0)),
                                      options: IngestOptions(), fingerprint: 0, resume: nil)
            var out: [String] = []
            while let b = reader.nextBatch() { out += b.events.events.compactMap { $0[Field.message]?.stringValue } }
            return out
        }
        #expect(frame(chunkSize) == ["a", "b", "c\rstill c", "last"])
    }

    @Test func missingPathsAreReported() async throws {
        let (report, _) = try await ingest(["/nonexistent/spoor/file.log"])
        #expect(report.missing == ["/nonexistent/spoor/file.log"])
        #expect(report.hasDiagnostics)
    }
}

@Suite struct DigestTests {
    @Test func theDigestDoesNotDependOnChunking() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<1_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = Digest.of(bytes[...])
        for _ in 0..<200 {
            var d = Digest()
            var i = 0
            while i < bytes.count {
                let n = Int.random(in: 0...13, using: &rng)
                d.update(bytes[i..<min(bytes.count, i + n)])
                i += n
            }
            #expect(d.value == whole)
        }
        #expect(Digest.of(bytes[0..<999]) != whole)
        #expect(Digest.of([0][...]) != Digest.of([][...]))
    }
}
