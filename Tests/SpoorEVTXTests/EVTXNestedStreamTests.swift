import Testing
@testable import SpoorEVTX

/// A `UserData` whose content is nested BinXML that is not a template instance (CAPI2's
/// certificate chains) is read from its shape scan (`NestedStreams`,
/// `EVTXViewWalker.userDataStream`), not from a template parsed per shape. Both readings must give
/// the same items, and refuse (leave to the JSON path) the same fragments.
@Suite struct EVTXNestedStreamTests {
    /// BinXML written by hand: elements with inline names (the 11-byte header), attributes,
    /// value texts and entity references, at chunk offsets (the chunk starts at 0).
    struct Writer {
        var b = [UInt8](repeating: 0, count: 64)

        mutating func u16(_ v: Int) { b.append(UInt8(v & 0xff)); b.append(UInt8(v >> 8 & 0xff)) }
        mutating func u32(_ v: Int) { u16(v & 0xffff); u16(v >> 16 & 0xffff) }
        /// A name record (next offset, hash, count, UTF-16LE, NUL).
        mutating func name(_ s: String) {
            let u = Array(s.utf16)
            u32(0); u16(0); u16(u.count)
            for c in u { u16(Int(c)) }
            u16(0)
        }
        mutating func text(_ s: String) {
            let u = Array(s.utf16)
            b.append(0x05); b.append(0x01); u16(u.count)
            for c in u { u16(Int(c)) }
        }
        mutating func entity(_ n: String) {
            b.append(0x09)
            u32(b.count + 4)
            name(n)
        }
        /// An element; `content` nil: closed empty (0x03).
        mutating func element(_ n: String, _ attributes: [(String, String)] = [], _ content: ((inout Writer) -> Void)? = nil) {
            let p = b.count
            b.append(attributes.isEmpty ? 0x01 : 0x41)
            u16(0xffff); u32(0); u32(p + 11)
            name(n)
            if !attributes.isEmpty {
                u32(0)
                for (k, (a, v)) in attributes.enumerated() {
                    let q = b.count
                    b.append(k == attributes.count - 1 ? 0x06 : 0x46)
                    u32(q + 5)
                    name(a)
                    text(v)
                }
            }
            if let content {
                b.append(0x02)
                content(&self)
                b.append(0x04)
            } else {
                b.append(0x03)
            }
        }
    }

    /// The items (name, text) of the fragment `body` writes, read both ways; nil where a reading
    /// leaves the record to the JSON path.
    static func readings(_ body: (inout Writer) -> Void) throws -> (stream: [String]?, template: [String]?) {
        var w = Writer()
        let p = w.b.count
        w.b += [0x0f, 0x01, 0x01, 0x00]
        body(&w)
        w.b.append(0x00)
        let bytes = w.b
        let names = EVTXNameTable()
        let cache = EVTXTemplateCache(names: names)
        var reader = BinXMLReader(data: bytes, chunkStart: 0, chunkEnd: bytes.count, limits: EVTXLimits())
        reader.shared = cache
        let size = bytes.count - p
        guard reader.skeleton(p, end: bytes.count, depth: 1, cache) != nil else {
            Issue.record("the shape scan should take the fragment")
            return (nil, nil)
        }
        func items(_ walker: EVTXViewWalker) -> [String] {
            walker.userData.map { names.name($0.name) + "=" + String(decoding: walker.text[Int($0.start)..<Int($0.end)], as: UTF8.self) }
        }
        var streams = NestedStreams()
        let s = streams.add(key: cache.key, texts: cache.texts)
        var a = EVTXViewWalker(data: bytes, view: EVTXEventView(names: names), plans: EVTXPlanCache(), owner: 1)
        a.streams = streams
        var stream: [String]? = nil
        do throws(EVTXViewWalker.Fallback) {
            try a.userDataStream(FastValue(type: 0x21, pos: p, size: size, nested: -1, stream: s))
            stream = items(a)
        } catch {}

        var held: [XTemplate] = []
        let t = try #require(try reader.skeletonTemplate(p, end: bytes.count, depth: 1, cache, &held))
        var b = EVTXViewWalker(data: bytes, view: EVTXEventView(names: names), plans: EVTXPlanCache(), owner: 2)
        b.instances = [FastInstance(template: .passUnretained(t), first: 0, count: cache.texts.count)]
        b.values = cache.texts.map { FastValue(type: EVTXViewWalker.textType, pos: $0.0, size: $0.1, nested: -1) }
        var template: [String]? = nil
        var payloadKeys: [Int32] = []
        do throws(EVTXViewWalker.Fallback) {
            try b.userDataContent(t.parts, 0, &payloadKeys)
            template = items(b)
        } catch {}
        return (stream, template)
    }

    @Test func aCertificateChainGivesTheTemplateWalksItems() throws {
        let (stream, template) = try Self.readings { w in
            w.element("CertVerifyRevocation") { w in
                // Attributes are not read; a repeated name gets a suffix; empty leaves give no item.
                w.element("Certificate", [("fileRef", "96.cer"), ("subjectName", "Microsoft & Co")])
                w.element("Certificate", [("fileRef", "30.cer")])
                w.element("Flags", [("value", "4")]) { w in w.text("accumulative") }
                w.element("Chain") { w in
                    w.element("Element") { w in
                        w.element("Name") { w in w.text("A "); w.entity("amp"); w.text(" B") }
                        w.element("Name") { w in w.text("C") }
                        w.element("Empty")
                        w.element("Blank") { _ in }
                    }
                    w.element("Element") { w in w.element("Name") { w in w.entity("lt"); w.entity("unknown") } }
                }
                w.element("Result") { _ in }
            }
            // A second payload element: its children's keys start over.
            w.element("CertVerifyRevocation") { w in w.element("Flags") { w in w.text("second") } }
        }
        let expected = ["Flags=accumulative", "Chain.Element.Name=A & B", "Chain.Element.Name_1=C",
                        "Chain.Element_1.Name=<&unknown;", "Flags=second"]
        #expect(template == expected)
        #expect(stream == expected)
    }

    @Test func whatTheWalkRefusesIsRefused() throws {
        let cases: [(String, (inout Writer) -> Void)] = [
            ("text beside elements", { w in w.element("P") { w in w.element("a") { w in w.text("t"); w.element("b") { w in w.text("u") } } } }),
            ("an element after an element with text", { w in w.element("P") { w in w.element("a") { w in w.element("b"); w.text("t") } } }),
            ("text in the payload element", { w in w.element("P") { w in w.text("t") } }),
            ("text at the top", { w in w.text("t"); w.element("P") }),
            ("a Data element", { w in w.element("P") { w in w.element("Data") { w in w.text("1") } } }),
            ("a special name", { w in w.element("P") { w in w.element("#text") { w in w.text("1") } } }),
        ]
        for (what, body) in cases {
            let (stream, template) = try Self.readings(body)
            #expect(template == nil, "\(what): the template walk should refuse it")
            #expect(stream == nil, "\(what): the stream reading should refuse it")
        }
    }

    /// The stream reading works a shape out once (`StreamPlan`): a second value of the same shape
    /// is read by the first one's plan with its own texts, and a refused shape is refused again.
    @Test func aShapeMetAgainIsReadByItsPlanWithItsOwnTexts() throws {
        func chain(_ a: String, _ b: String) -> (inout Writer) -> Void {
            { w in w.element("P") { w in w.element("Name") { w in w.text(a); w.entity("amp"); w.text(b) }; w.element("Name") { w in w.text(b) } } }
        }
        let refused: (inout Writer) -> Void = { w in w.element("P") { w in w.text("t") } }
        var w = Writer()
        var fragments: [(Int, Int)] = []
        for body in [chain("A", "B"), chain("long text", ""), refused, refused] {
            let p = w.b.count
            w.b += [0x0f, 0x01, 0x01, 0x00]
            body(&w)
            w.b.append(0x00)
            fragments.append((p, w.b.count))
        }
        let bytes = w.b
        let names = EVTXNameTable()
        let cache = EVTXTemplateCache(names: names)
        var reader = BinXMLReader(data: bytes, chunkStart: 0, chunkEnd: bytes.count, limits: EVTXLimits())
        reader.shared = cache
        var streams = NestedStreams()
        var ids: [Int32] = []
        for (p, end) in fragments {
            let scanned = reader.skeleton(p, end: end, depth: 1, cache)
            #expect(scanned != nil)
            ids.append(streams.add(key: cache.key, texts: cache.texts))
        }
        var walker = EVTXViewWalker(data: bytes, view: EVTXEventView(names: names), plans: EVTXPlanCache(), owner: 1)
        walker.streams = streams
        var got: [[String]?] = []
        for (k, (p, end)) in fragments.enumerated() {
            walker.startRecord()
            do throws(EVTXViewWalker.Fallback) {
                try walker.userDataStream(FastValue(type: 0x21, pos: p, size: end - p, nested: -1, stream: ids[k]))
                got.append(walker.userData.map { names.name($0.name) + "=" + String(decoding: walker.text[Int($0.start)..<Int($0.end)], as: UTF8.self) })
            } catch {
                got.append(nil)
            }
        }
        #expect(got[0] == ["Name=A&B", "Name_1=B"])
        // The same shape: an empty text keeps its place, the item with no text is left out.
        #expect(got[1] == ["Name=long text&"])
        #expect(got[2] == nil && got[3] == nil)
        // One plan for the two chains, one (refused) for the other shape.
        #expect(walker.streamPlans.plans.count == 2)
        #expect(walker.streamPlans.plans.filter(\.usable).count == 1)
    }

    /// `ByteKeyTable` (names by their UTF-16 bytes in the shape scan): ids by byte strings, equal
    /// bytes at other places find the same id, strings that differ in one byte or in length do
    /// not, and it grows past its first slots.
    @Test func byteKeyTableFindsKeysByTheirBytes() {
        var table = ByteKeyTable()
        var bytes: [UInt8] = []
        var places: [(Int, Int)] = []
        for k in 0..<3000 {
            let key = Array("name-\(k)-".utf8) + [UInt8](repeating: UInt8(k % 7), count: k % 23)
            places.append((bytes.count, key.count))
            bytes += key
        }
        for (k, (p, n)) in places.enumerated() where k % 2 == 0 { table.add(bytes, p, n, id: Int32(k)) }
        #expect(table.count == 1500)
        for (k, (p, n)) in places.enumerated() {
            #expect(table.id(bytes, p, n) == (k % 2 == 0 ? Int32(k) : nil))
        }
        // The same bytes elsewhere, one byte changed, one byte shorter.
        let copy = [UInt8](repeating: 0, count: 3) + bytes[places[42].0..<(places[42].0 + places[42].1)]
        #expect(table.id(copy, 3, places[42].1) == 42)
        var changed = copy
        changed[5] ^= 1
        #expect(table.id(changed, 3, places[42].1) == nil)
        #expect(table.id(copy, 3, places[42].1 - 1) == nil)
        #expect(table.id(bytes, 0, 0) == nil)
    }
}
