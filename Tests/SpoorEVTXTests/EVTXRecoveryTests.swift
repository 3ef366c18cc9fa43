import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

/// CRC32 (IEEE, reflected), written here so the tests do not depend on zlib.
func crc32IEEE(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xffff_ffff
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xedb8_8320 : c >> 1 }
    }
    return ~c
}

/// Builds a small EVTX file by hand: a file header and one chunk holding one record whose
/// BinXML is `<Event xmlns="…"><System><EventID>%0</EventID></System></Event>` as a template
/// instance with one uint16 substitution.
enum HandMadeEVTX {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xff) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(v >> (8 * UInt64($0)) & 0xff) } }
    static func utf16(_ s: String) -> [UInt8] { s.utf16.flatMap { le16(Int($0)) } }

    static func make(dirty: Bool, recordID: UInt64 = 7, eventID: Int = 4624) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        // BinXML at chunk offset 512 + 24 (after the record header).
        let base = 512 + 24
        var x: [UInt8] = [0x0f, 0x01, 0x01, 0x00]
        // Template instance (0x0c, unknown, template id, definition offset) with the definition inline.
        x += [0x0c, 0x01] + le32(1)
        let defOffset = base + x.count + 4
        x += le32(defOffset)
        // Definition: next offset, GUID, data size, then the body starting at defOffset + 24.
        let bodyStart = defOffset + 24
        var body: [UInt8] = []
        func bname(_ s: String) { body += le32(0) + le16(0) + le16(s.utf16.count) + utf16(s) + [0, 0] }
        func bopen(_ s: String, attributes: Bool) {
            body += [attributes ? 0x41 : 0x01] + le16(0xffff) + le32(0)
            body += le32(bodyStart + body.count + 4)
            bname(s)
        }
        body += [0x0f, 0x01, 0x01, 0x00]
        bopen("Event", attributes: true)
        body += le32(0) // attribute list size (not used by the reader)
        body += [0x06] + le32(bodyStart + body.count + 5)
        bname("xmlns")
        let ns = "http://schemas.microsoft.com/win/2004/08/events/event"
        body += [0x05, 0x01] + le16(ns.utf16.count) + utf16(ns)
        body += [0x02]
        bopen("System", attributes: false)
        body += [0x02]
        bopen("EventID", attributes: false)
        body += [0x02, 0x0e] + le16(0) + [0x06]
        body += [0x04, 0x04, 0x04, 0x00]
        x += le32(0) + [UInt8](repeating: 0xab, count: 16) + le32(body.count) + body
        // Instance data: one uint16 value.
        x += le32(1) + le16(2) + [0x06, 0x00] + le16(eventID)
        x += [0x00]
        // Record.
        let size = 24 + x.count + 4
        var record = [0x2a, 0x2a, 0x00, 0x00] + le32(size) + le64(recordID) + le64(132_000_000_000_000_000)
        record += x + le32(size)
        chunk.replaceSubrange(512..<(512 + record.count), with: record)
        let free = 512 + record.count
        chunk.replaceSubrange(0..<8, with: Array("ElfChnk\0".utf8))
        chunk.replaceSubrange(8..<40, with: le64(recordID) + le64(recordID) + le64(recordID) + le64(recordID))
        chunk.replaceSubrange(40..<52, with: le32(128) + le32(512) + le32(free))
        chunk.replaceSubrange(52..<56, with: le32(Int(crc32IEEE(chunk[512..<free]))))
        let headerCRC = crc32IEEE(chunk[0..<120] + chunk[128..<512])
        chunk.replaceSubrange(124..<128, with: le32(Int(headerCRC)))

        var header = [UInt8](repeating: 0, count: 4096)
        header.replaceSubrange(0..<8, with: Array("ElfFile\0".utf8))
        header.replaceSubrange(8..<32, with: le64(0) + le64(0) + le64(recordID + 1))
        header.replaceSubrange(32..<44, with: le32(128) + le16(2) + le16(3) + le16(4096) + le16(1))
        header.replaceSubrange(120..<124, with: le32(dirty ? 1 : 0))
        header.replaceSubrange(124..<128, with: le32(Int(crc32IEEE(header[0..<120]))))
        return header + chunk
    }
}

@Suite struct EVTXRecoveryTests {
    @Test(arguments: [false, true])
    func handMadeFileReadsWithTheDirtyFlagReported(dirty: Bool) throws {
        let bytes = HandMadeEVTX.make(dirty: dirty)
        let file = try EVTXFile(bytes: bytes)
        #expect(file.header.isDirty == dirty)
        let (records, issues) = file.records()
        #expect(issues.map(\.kind) == (dirty ? [.dirtyFile] : []))
        let r = try #require(records.first)
        #expect(records.count == 1)
        #expect(r.recordID == 7)
        #expect(r.offset == 4096 + 512)
        // FILETIME 132,000,000,000,000,000 ticks = 13,200,000,000 s after 1601 = 1,555,526,400 s after 1970.
        #expect(r.timestamp.description == "2019-04-17T18:40:00.000000Z")
        #expect(r.event.jsonText == ##"{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"EventID":4624}}}"##)
    }

    @Test func damagedChunkAndRecordAreReportedWithOffsets() throws {
        var bytes = HandMadeEVTX.make(dirty: false)
        bytes[4096 + 600] ^= 0xff // inside the template body: records CRC breaks
        var file = try EVTXFile(bytes: bytes)
        var result = file.records()
        #expect(result.issues.contains { $0.kind == .badRecordsChecksum && $0.chunk == 0 })

        bytes = HandMadeEVTX.make(dirty: false)
        bytes[4096 + 512 + 4] = 0xff; bytes[4096 + 512 + 5] = 0xff; bytes[4096 + 512 + 6] = 0xff // impossible size
        file = try EVTXFile(bytes: bytes)
        result = file.records()
        #expect(result.records.isEmpty)
        let bad = try #require(result.issues.first { $0.kind == .badRecord })
        #expect(bad.offset == 4096 + 512)
        #expect(bad.recordID == 7)

        bytes = HandMadeEVTX.make(dirty: false)
        bytes[4096] = UInt8(ascii: "X") // chunk signature
        file = try EVTXFile(bytes: bytes)
        result = file.records()
        #expect(result.records.isEmpty)
        #expect(result.issues.map(\.kind) == [.badChunkSignature])
        #expect(result.issues.first?.offset == 4096)
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func dirtyFlagFlippedInMemoryChangesNothingButTheReport() throws {
        let url = try #require(SharedData.url("evtx-rs-samples/samples/new-user-security.evtx"))
        var bytes = Array(try Data(contentsOf: url))
        let clean = try EVTXFile(bytes: bytes).records()
        #expect(!clean.issues.contains { $0.kind == .dirtyFile })
        bytes[120] |= 1
        let dirty = try EVTXFile(bytes: bytes).records()
        #expect(dirty.records == clean.records)
        #expect(dirty.records.count == 4)
        #expect(dirty.issues.contains { $0.kind == .dirtyFile })
    }

    /// Random damage never crashes the reader: every mutated file gives records and/or issues.
    /// `EVTXFile.isZero` (the scan for unused chunk slots and chunk tails) against the plain
    /// byte-by-byte answer, for every range start and length up to 40 with one non-zero byte at
    /// every place (and none), so the word loop and the tail loop both meet it.
    @Test func zeroScanMatchesTheByteByByteAnswer() {
        for at in -1..<40 {
            var bytes = [UInt8](repeating: 0, count: 40)
            if at >= 0 { bytes[at] = 0x80 }
            for lower in 0...40 {
                for upper in lower...40 {
                    #expect(EVTXFile.isZero(bytes, lower..<upper) == !bytes[lower..<upper].contains(where: { $0 != 0 }),
                            "non-zero at \(at), range \(lower)..<\(upper)")
                }
            }
        }
    }

    @Test func mutatedFilesNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5eed)
        let original = HandMadeEVTX.make(dirty: false)
        var seen = 0
        for _ in 0..<3000 {
            var b = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = 4096 + 512 + Int(rng.next() % 700)
                b[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if Bool.random(using: &rng) { b.removeLast(Int(rng.next() % 65_000)) }
            guard let f = try? EVTXFile(bytes: b) else { continue }
            let r = f.records()
            seen += r.records.count + r.issues.count
        }
        #expect(seen > 0)
    }

    @Test func deepNestingIsRefusedNotOverflowed() throws {
        // A record whose BinXML opens 10,000 elements: refused with tooDeep.
        var bytes = HandMadeEVTX.make(dirty: false)
        var x: [UInt8] = [0x0f, 0x01, 0x01, 0x00]
        let nameAt = 512 + 24 + 4 + 11
        x += [0x01] + HandMadeEVTX.le16(0) + HandMadeEVTX.le32(0) + HandMadeEVTX.le32(nameAt)
        x += HandMadeEVTX.le32(0) + HandMadeEVTX.le16(0) + HandMadeEVTX.le16(1) + HandMadeEVTX.utf16("a") + [0, 0] + [0x02]
        for _ in 0..<5000 { x += [0x01] + HandMadeEVTX.le16(0) + HandMadeEVTX.le32(0) + HandMadeEVTX.le32(nameAt) + [0x02] }
        let size = 24 + x.count + 4
        let start = 4096 + 512
        bytes.replaceSubrange((start + 4)..<(start + 8), with: HandMadeEVTX.le32(size))
        bytes.replaceSubrange((start + 24)..<(start + 24 + x.count), with: x)
        bytes.replaceSubrange((4096 + 48)..<(4096 + 52), with: HandMadeEVTX.le32(512 + size))
        let result = try EVTXFile(bytes: bytes).records()
        #expect(result.records.isEmpty)
        #expect(result.issues.contains { $0.kind == .badRecord && $0.error.code == .tooDeep })
    }
}

/// Writes the hand-made files into the EVTX fuzzer's seed corpus:
/// `SPOOR_REGENERATE_FUZZ_SEEDS=1 swift test --filter FuzzSeedWriter`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SPOOR_REGENERATE_FUZZ_SEEDS"] != nil, "only regenerates fuzz seeds"))
struct FuzzSeedWriter {
    @Test func writeSeeds() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/Corpus/evtx")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(HandMadeEVTX.make(dirty: false)).write(to: dir.appendingPathComponent("handmade-one-record.evtx"))
        try Data(HandMadeEVTX.make(dirty: true, recordID: 9, eventID: 4688)).write(to: dir.appendingPathComponent("handmade-dirty.evtx"))
    }
}
