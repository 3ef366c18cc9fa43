import Testing
@testable import SpoorEVTX

/// The shape keys of nested BinXML that is not a template instance (`BinXMLReader.skeleton`)
/// name elements, attributes and entities by their ids in the context's name table, found by
/// chunk offset in a table shared by the chunks of a context (`SkeletonNames`, one generation per
/// chunk reader). An id must follow the name's text, never its offset: another chunk holds other
/// names at the same offsets.
@Suite struct EVTXSkeletonNamesTests {
    /// A chunk's bytes with name records (next offset, hash, character count, UTF-16LE, NUL) at
    /// the given chunk offsets.
    static func chunk(_ names: [(Int, String)], size: Int = 4096) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: size)
        for (o, s) in names {
            let u = Array(s.utf16)
            b[o + 6] = UInt8(u.count & 0xff)
            b[o + 7] = UInt8(u.count >> 8)
            for (k, c) in u.enumerated() {
                b[o + 8 + 2 * k] = UInt8(c & 0xff)
                b[o + 9 + 2 * k] = UInt8(c >> 8)
            }
        }
        return b
    }

    static func reader(_ bytes: [UInt8], _ scan: inout SkeletonScan, _ cache: EVTXTemplateCache = EVTXTemplateCache(names: EVTXNameTable())) -> BinXMLReader {
        var r = BinXMLReader(data: bytes, chunkStart: 0, chunkEnd: bytes.count, limits: EVTXLimits())
        r.shared = cache
        r.skeletonGeneration = scan.names.nextGeneration()
        return r
    }

    /// The 5 key bytes (token, name id) written for the `k`th name.
    static func entry(_ key: [UInt8], _ k: Int) -> [UInt8] { Array(key[(5 * k)..<(5 * k + 5)]) }

    @Test func numbersFollowTheTextNotTheOffset() {
        var scan = SkeletonScan()
        let cache = EVTXTemplateCache(names: EVTXNameTable())
        let a = Self.chunk([(100, "Certificate"), (200, "Flags")])
        var ra = Self.reader(a, &scan, cache)
        // Names referenced from elsewhere in the chunk (not inline): the position stays.
        #expect(ra.skeletonName(0x01, at: 100, position: 1000, end: a.count, &scan) == 1000)
        #expect(ra.skeletonName(0x06, at: 200, position: 1000, end: a.count, &scan) == 1000)
        #expect(ra.skeletonName(0x01, at: 100, position: 1000, end: a.count, &scan) == 1000)
        let keyA = scan.key
        #expect(keyA.count == 15)
        #expect(keyA[0] == 0x01 && keyA[5] == 0x06)
        #expect(Array(Self.entry(keyA, 0)[1...]) != Array(Self.entry(keyA, 1)[1...]))
        #expect(Self.entry(keyA, 0) == Self.entry(keyA, 2))

        // The next chunk holds another name at offset 100 and "Certificate" at 300.
        scan.key.removeAll()
        let b = Self.chunk([(100, "Flags"), (300, "Certificate")])
        var rb = Self.reader(b, &scan, cache)
        _ = rb.skeletonName(0x06, at: 100, position: 1000, end: b.count, &scan)
        _ = rb.skeletonName(0x01, at: 300, position: 1000, end: b.count, &scan)
        #expect(Self.entry(scan.key, 0) == Self.entry(keyA, 1))
        #expect(Self.entry(scan.key, 1) == Self.entry(keyA, 0))
        // The ids are the context's name ids (the walk's), two names in all.
        #expect(cache.names.names.count == 2)
        #expect(Self.entry(keyA, 0) == [0x01] + Self.bytes(cache.names.id("Certificate")))
    }

    static func bytes(_ id: Int32) -> [UInt8] {
        let u = UInt32(bitPattern: id)
        return [UInt8(u & 0xff), UInt8(u >> 8 & 0xff), UInt8(u >> 16 & 0xff), UInt8(u >> 24)]
    }

    @Test func aNameOver256BytesGivesNoShape() {
        var scan = SkeletonScan()
        let long = String(repeating: "n", count: 257)
        let a = Self.chunk([(100, long)], size: 4096)
        var r = Self.reader(a, &scan)
        #expect(r.skeletonName(0x01, at: 100, position: 1000, end: a.count, &scan) == nil)
        // Known now (as given none): still none.
        #expect(r.skeletonName(0x01, at: 100, position: 1000, end: a.count, &scan) == nil)
        #expect(scan.key.isEmpty)
    }

    @Test func anInlineNameIsCheckedAgainstTheFragmentEnd() {
        var scan = SkeletonScan()
        let a = Self.chunk([(500, "Usage")])
        var r = Self.reader(a, &scan)
        // Inline: the record is at the position itself; the position after it is returned.
        let after = 500 + 8 + 2 * 5 + 2
        #expect(r.skeletonName(0x01, at: 500, position: 500, end: a.count, &scan) == after)
        // Known now, but a fragment ending inside the record still fails, as `name` would.
        #expect(r.skeletonName(0x01, at: 500, position: 500, end: 500 + 8 + 2 * 5 - 1, &scan) == nil)
        #expect(r.skeletonName(0x01, at: 500, position: 500, end: after, &scan) == after)
    }

    @Test func entityReferencesArePartOfTheShape() {
        var scan = SkeletonScan()
        var a = Self.chunk([(600, "amp"), (700, "lt")])
        // Two entity reference tokens (0x09, name offset) at 2000 and 2005.
        a.replaceSubrange(2000..<2010, with: [0x09, 0x58, 0x02, 0, 0, 0x49, 0xbc, 0x02, 0, 0])
        var r = Self.reader(a, &scan)
        var pos = 2000
        #expect(r.skeletonEntity(&pos, end: a.count, &scan) && pos == 2005)
        #expect(r.skeletonEntity(&pos, end: a.count, &scan) && pos == 2010)
        #expect(scan.key.count == 10 && scan.key[0] == 0x09 && scan.key[5] == 0x09)
        #expect(Self.entry(scan.key, 0) != Self.entry(scan.key, 1))
        // A reference cut off by the fragment's end is not read.
        pos = 2000
        #expect(!r.skeletonEntity(&pos, end: 2004, &scan))
    }
}
