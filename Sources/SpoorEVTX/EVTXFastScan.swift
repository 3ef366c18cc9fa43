import Foundation
import SpoorCore

// The direct path's per-record scan of template instances and their values (see EVTXEventView.swift).

/// The shape key and text positions a skeleton scan writes (see `BinXMLReader.skeleton`).
struct SkeletonScan {
    var key: [UInt8] = []
    var texts: [(Int, Int)] = []
    var names = SkeletonNames()
}

/// Shape keys name elements, attributes and entities by their ids in the context's
/// ``EVTXNameTable``, found by the name's chunk offset in a flat table: a name's text was looked
/// up by offset in a dictionary and copied into the key for every element of every record
/// scanned (CAPI2's certificate chains: a hundred names a record).
struct SkeletonNames {
    /// Per chunk offset: the id of the name there (-1: over 256 bytes, given none), valid when
    /// `generations` at the offset is the reading chunk's generation (each chunk reader takes a
    /// new one).
    var byOffset: [Int32] = []
    var generations: [UInt32] = []
    var generation: UInt32 = 0

    /// A generation for a new chunk reader (the tables made on first use).
    mutating func nextGeneration() -> UInt32 {
        if byOffset.isEmpty {
            byOffset = [Int32](repeating: -1, count: EVTXFile.chunkSize)
            generations = [UInt32](repeating: 0, count: EVTXFile.chunkSize)
        }
        if generation == UInt32.max {
            for k in generations.indices { generations[k] = 0 }
            generation = 0
        }
        generation += 1
        return generation
    }

    // Names by their UTF-16LE characters (`ByteKeyTable`): a name met at a new chunk offset
    // (CAPI2's nested BinXML writes its names inline in every record) finds its id without
    // being decoded into a String and hashed.
    var byText = ByteKeyTable()
}

/// Ids by byte strings (the shape scan's names by their characters, `StreamPlanTable`'s shape
/// keys): an open-addressing table over an arena of the keys' bytes, hashed a word
/// at a time and compared with `memcmp` (no String, no `Hasher`). Bounded: past
/// `maximumEntries` keys, or `maximumBytes` of them, nothing more is added (a miss only means
/// the caller's slower way).
struct ByteKeyTable {
    static let maximumEntries = 1 << 16
    static let maximumBytes = 1 << 22
    /// Per slot: 1 + the entry's index, 0: empty.
    private var slots = [Int32](repeating: 0, count: 1024)
    private var entries: [(hash: UInt64, start: Int32, count: Int32, id: Int32)] = []
    private var arena: [UInt8] = []

    var count: Int { entries.count }

    /// A hash of `bytes[p ..< p + n]` (in bounds).
    @inline(__always) private static func hash(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ n: Int) -> UInt64 {
        let raw = UnsafeRawBufferPointer(b)
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: p + i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(b[p + i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    /// The id kept for `bytes[p ..< p + n]` (in bounds), nil when none is.
    func id(_ bytes: [UInt8], _ p: Int, _ n: Int) -> Int32? {
        bytes.withUnsafeBufferPointer { b -> Int32? in
            let h = Self.hash(b, p, n)
            let mask = slots.count - 1
            var s = Int(truncatingIfNeeded: h) & mask
            while true {
                let e = Int(slots[s])
                if e == 0 { return nil }
                let entry = entries[e - 1]
                if entry.hash == h, Int(entry.count) == n, arena.withUnsafeBufferPointer({ a in
                    // safe: both ranges are in bounds (the entry's in the arena, the key's checked by the caller).
                    n == 0 || memcmp(a.baseAddress! + Int(entry.start), b.baseAddress! + p, n) == 0
                }) {
                    return entry.id
                }
                s = (s + 1) & mask
            }
        }
    }

    /// Keeps `id` for `bytes[p ..< p + n]` (in bounds; not kept yet); false when the table is
    /// full (nothing kept).
    @discardableResult
    mutating func add(_ bytes: [UInt8], _ p: Int, _ n: Int, id: Int32) -> Bool {
        guard entries.count < Self.maximumEntries, arena.count + n <= Self.maximumBytes else { return false }
        if 2 * (entries.count + 1) > slots.count {
            slots = [Int32](repeating: 0, count: 2 * slots.count)
            for (k, e) in entries.enumerated() { place(e.hash, Int32(k + 1)) }
        }
        let h = bytes.withUnsafeBufferPointer { Self.hash($0, p, n) }
        entries.append((h, Int32(arena.count), Int32(n), id))
        arena.append(contentsOf: bytes[p..<(p + n)])
        place(h, Int32(entries.count))
        return true
    }

    private mutating func place(_ h: UInt64, _ e: Int32) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = e
    }
}

/// A substitution value of the record being read: where its bytes are (nested BinXML: the
/// instance it holds).
struct FastValue {
    var type: UInt8
    var pos: Int
    var size: Int
    var nested: Int32
    /// Nested BinXML that is not a template instance, read by its shape: its index in the
    /// record's `NestedStreams` (-1: none).
    var stream: Int32 = -1
}

/// The shapes of a record's nested BinXML values that are not template instances (see
/// `BinXMLReader.skeleton`), kept for the walk to read them without a template
/// (`EVTXViewWalker.userDataStream`): each value's key (tokens and name ids) and text positions.
struct NestedStreams {
    var key: [UInt8] = []
    var texts: [(Int, Int)] = []
    var spans: [(keyStart: Int32, keyEnd: Int32, textStart: Int32)] = []

    var isEmpty: Bool { spans.isEmpty }

    mutating func removeAll() {
        key.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Adds a value's shape; returns its index.
    mutating func add(key k: [UInt8], texts t: [(Int, Int)]) -> Int32 {
        spans.append((Int32(key.count), Int32(key.count + k.count), Int32(texts.count)))
        key.append(contentsOf: k)
        texts.append(contentsOf: t)
        return Int32(spans.count - 1)
    }
}

/// A template instance of the record being read: its definition and its values.
struct FastInstance {
    var template: Unmanaged<XTemplate>
    var first: Int
    var count: Int
}

extension BinXMLReader {
    /// Parses a fragment that is one template instance (after fragment headers), as
    /// `fragment` would, but keeping the values as byte ranges. Returns the instance, or nil
    /// when the fragment has another shape (the caller uses `fragment` then). Throws where
    /// `fragment` throws (the same checks, in the same order).
    mutating func fastFragment(_ p: Int, end: Int, depth: Int, _ values: inout [FastValue], _ instances: inout [FastInstance], _ held: inout [XTemplate],
                               _ streams: inout NestedStreams) throws(ParseError) -> Int? {
        guard depth < limits.maximumDepth else { throw ParseError(.tooDeep, at: p, "BinXML nested deeper than \(limits.maximumDepth) levels") }
        var pos = p
        var instance: Int? = nil
        while instance == nil {
            if pos >= end { return nil }
            try need(pos, 1, end)
            tokens += 1
            guard tokens <= limits.maximumTokens else { throw ParseError(.recordTooLong, at: pos, "more than \(limits.maximumTokens) BinXML tokens in a record") }
            switch u8(pos) {
            case 0x0f:
                try need(pos, 4, end)
                pos += 4
            case 0x0c:
                guard let i = try fastInstance(&pos, end: end, depth: depth + 1, &values, &instances, &held, &streams) else { return nil }
                instance = i
            default:
                return nil
            }
        }
        if pos < end {
            try need(pos, 1, end)
            tokens += 1
            guard tokens <= limits.maximumTokens else { throw ParseError(.recordTooLong, at: pos, "more than \(limits.maximumTokens) BinXML tokens in a record") }
            guard u8(pos) == 0x00 else { return nil }
        }
        return instance
    }

    mutating func fastInstance(_ pos: inout Int, end: Int, depth: Int, _ values: inout [FastValue], _ instances: inout [FastInstance], _ held: inout [XTemplate],
                               _ streams: inout NestedStreams) throws(ParseError) -> Int? {
        let template = try templateDefinition(&pos, end: end, depth: depth)
        try need(pos, 4, end)
        let count = Int(u32(pos))
        guard count <= limits.maximumSubstitutions else {
            throw ParseError(.recordTooLong, at: pos, "\(count) substitution values exceed the limit of \(limits.maximumSubstitutions)")
        }
        pos += 4
        try need(pos, 4 * count, end)
        let index = instances.count
        let first = values.count
        instances.append(FastInstance(template: .passUnretained(template), first: first, count: count))
        values.append(contentsOf: repeatElement(FastValue(type: 0, pos: 0, size: 0, nested: -1), count: count))
        var v = pos + 4 * count
        for k in 0..<count {
            let size = Int(u16(pos + 4 * k))
            let type = u8(pos + 4 * k + 2)
            try need(v, size, end)
            var fv = FastValue(type: type, pos: v, size: size, nested: -1)
            if type & 0x80 != 0 {
                guard Self.arrayTypeIsKnown(type & 0x7f) else {
                    throw ParseError(.badField, at: v, "array of unsupported value type 0x\(String(type & 0x7f, radix: 16))")
                }
            } else if type == 0x21 {
                if size == 0 {
                    fv.type = 0
                } else if isInstance(v, end: v + size) {
                    guard let n = try fastFragment(v, end: v + size, depth: depth + 1, &values, &instances, &held, &streams) else { return nil }
                    fv.nested = Int32(n)
                } else if let cache = shared, !streamsOff, let n = skeleton(v, end: v + size, depth: depth + 1, cache),
                          tokens + n <= limits.maximumTokens {
                    // Elements and texts only: its shape, read by the walk without a template.
                    tokens += n
                    fv.stream = streams.add(key: cache.key, texts: cache.texts)
                } else if let cache = shared, let n = skeleton(v, end: v + size, depth: depth + 1, cache),
                          tokens + n <= limits.maximumTokens,
                          let t = try skeletonTemplate(v, end: v + size, depth: depth + 1, cache, &held) {
                    // Elements and texts only: the template of its shape, its texts as the values.
                    tokens += n
                    fv.nested = Int32(instances.count)
                    let first = values.count
                    for (p, n) in cache.texts { values.append(FastValue(type: EVTXViewWalker.textType, pos: p, size: n, nested: -1)) }
                    instances.append(FastInstance(template: .passUnretained(t), first: first, count: cache.texts.count))
                } else {
                    // BinXML that is not a template instance (elements written out): parsed as
                    // `value` parses it, an instance without values (as the JSON rendering
                    // gives nested BinXML none).
                    let t = XTemplate(parts: try fragment(v, end: v + size, depth: depth + 1))
                    held.append(t)
                    fv.nested = Int32(instances.count)
                    instances.append(FastInstance(template: .passUnretained(t), first: values.count, count: 0))
                }
            } else if type != 0 {
                guard scalarFits(type: type, at: v, size: size) else {
                    throw ParseError(.badField, at: v, "value of type 0x\(String(type, radix: 16)) with size \(size)")
                }
            }
            values[first + k] = fv
            v += size
        }
        pos = v
        return index
    }

    /// The template of a nested fragment's shape (``skeleton(_:end:depth:_:)`` wrote it into
    /// `cache.key`): from the cache, or parsed as `fragment` parses it with its texts as
    /// substitutions 0, 1, … (in document order, as the scan lists them). Nil when the parse does
    /// not give one substitution per text (then the caller parses it the usual way).
    mutating func skeletonTemplate(_ p: Int, end: Int, depth: Int, _ cache: EVTXTemplateCache, _ held: inout [XTemplate]) throws(ParseError) -> XTemplate? {
        if let t = cache.skeletons[SkeletonKey(bytes: cache.key)] { return t }
        let saved = tokens
        textSubstitutions = 0
        defer { textSubstitutions = -1; tokens = saved }
        let t = XTemplate(parts: try fragment(p, end: end, depth: depth))
        guard textSubstitutions == cache.texts.count else { return nil }
        if cache.skeletons.count < EVTXTemplateCache.maximumEntries {
            cache.skeletons[SkeletonKey(bytes: cache.key)] = t
        } else {
            held.append(t)
        }
        return t
    }

    /// Scans nested BinXML that is not a template instance as `fragment` parses it, when it
    /// holds only fragment headers, elements, attributes, value texts and entity references
    /// (in CAPI2's certificate names): writes its shape (the tokens and names, not the texts)
    /// into `cache.key` and where its texts are into `cache.texts`, and returns the number of
    /// tokens `fragment` counts. Nil for anything else and wherever `fragment` would throw (the
    /// caller then parses it with `fragment`).
    mutating func skeleton(_ p: Int, end: Int, depth: Int, _ cache: EVTXTemplateCache) -> Int? {
        // The scan writes into a local value, not the cache's properties (each append to a
        // class's property costs a dynamic exclusivity check).
        var scan = SkeletonScan()
        swap(&scan.key, &cache.key)
        swap(&scan.texts, &cache.texts)
        swap(&scan.names, &cache.skeletonNames)
        defer {
            swap(&scan.key, &cache.key)
            swap(&scan.texts, &cache.texts)
            swap(&scan.names, &cache.skeletonNames)
        }
        if skeletonGeneration == 0 { skeletonGeneration = scan.names.nextGeneration() }
        scan.key.removeAll(keepingCapacity: true)
        scan.texts.removeAll(keepingCapacity: true)
        var pos = p
        var count = 0
        guard skeletonContent(&pos, end: end, depth: depth, topLevel: true, &count, &scan) else { return nil }
        return count
    }

    mutating func skeletonContent(_ pos: inout Int, end: Int, depth: Int, topLevel: Bool, _ count: inout Int, _ c: inout SkeletonScan) -> Bool {
        guard depth < limits.maximumDepth else { return false }
        while true {
            if topLevel && pos >= end { return true }
            guard pos >= 0, pos < end else { return false }
            count += 1
            switch u8(pos) {
            case 0x00:
                pos += 1
                return topLevel
            case 0x04:
                pos += 1
                c.key.append(0x04)
                return !topLevel
            case 0x0f:
                guard pos <= end - 4 else { return false }
                pos += 4
            case 0x01, 0x41:
                guard skeletonElement(&pos, end: end, depth: depth + 1, &count, &c) else { return false }
            case 0x05, 0x45:
                guard skeletonText(&pos, end: end, &c) else { return false }
            case 0x09, 0x49:
                guard skeletonEntity(&pos, end: end, &c) else { return false }
            default:
                return false
            }
        }
    }

    mutating func skeletonText(_ pos: inout Int, end: Int, _ c: inout SkeletonScan) -> Bool {
        guard pos >= 0, pos <= end - 4 else { return false }
        let n = Int(u16(pos + 2))
        guard pos + 4 <= end - 2 * n else { return false }
        c.texts.append((pos + 4, 2 * n))
        c.key.append(0x05)
        pos += 4 + 2 * n
        return true
    }

    /// An entity reference (`&amp;` …): part of the shape by its name (`fragment` makes it a
    /// literal text, not a substitution).
    mutating func skeletonEntity(_ pos: inout Int, end: Int, _ c: inout SkeletonScan) -> Bool {
        guard pos >= 0, pos <= end - 5 else { return false }
        guard let next = skeletonName(0x09, at: u32(pos + 1), position: pos + 5, end: end, &c) else { return false }
        pos = next
        return true
    }

    /// Appends `token` and the id of the name at `offset` (in the context's name table, as the
    /// walk names elements) to the key; returns the position after the name as
    /// `name(at:position:end:)` does, nil where it throws or for a name over 256 bytes (which the
    /// walk leaves to the JSON path).
    mutating func skeletonName(_ token: UInt8, at offset: UInt32, position: Int, end: Int, _ c: inout SkeletonScan) -> Int? {
        let abs = chunkStart + Int(offset)
        let inline = abs == position
        let o = Int(offset)
        var id: Int32 = -1
        var next = position
        if o < c.names.byOffset.count, c.names.generations[o] == skeletonGeneration {
            id = c.names.byOffset[o]
            if inline {
                // The checks `name` makes of an inline name, against this `end`.
                guard abs <= end - 8 else { return nil }
                let count = Int(u16(abs + 6))
                guard abs + 8 <= end - 2 * count else { return nil }
                next = abs + 8 + 2 * count + 2
            }
        } else {
            // The checks `name(at:position:end:)` makes of a name it has not met in the chunk.
            let limit = inline ? end : chunkEnd
            guard let table = shared?.names, abs >= chunkStart, abs <= limit - 8 else { return nil }
            let count = Int(u16(abs + 6))
            guard abs + 8 <= limit - 2 * count else { return nil }
            next = inline ? abs + 8 + 2 * count + 2 : position
            if let known = c.names.byText.id(data, abs + 8, 2 * count) {
                id = known
            } else {
                let s = utf16(abs + 8, count: count)
                id = s.utf8.count <= 256 ? table.id(s) : -1
                c.names.byText.add(data, abs + 8, 2 * count, id: id)
            }
            if o < c.names.byOffset.count {
                c.names.byOffset[o] = id
                c.names.generations[o] = skeletonGeneration
            }
        }
        guard id >= 0 else { return nil }
        // The token and the id (little-endian) in one append.
        var u = (UInt64(token) | UInt64(UInt32(bitPattern: id)) << 8).littleEndian
        withUnsafeMutableBytes(of: &u) { EVTXViewWalker.append(&c.key, $0, from: 0, count: 5) }
        return next
    }

    /// `element` without building it (the same header variants, names and checks).
    mutating func skeletonElement(_ pos: inout Int, end: Int, depth: Int, _ count: inout Int, _ c: inout SkeletonScan) -> Bool {
        guard depth < limits.maximumDepth else { return false }
        let hasAttributes = u8(pos) & 0x40 != 0
        guard pos >= 0, pos <= end - 11 else { return false }
        var headerSize = 11
        let here = UInt32(truncatingIfNeeded: pos - chunkStart)
        let withID = u32(pos + 7), withoutID = u32(pos + 5)
        if withID != here + 11 && (withoutID == here + 9 || (withID >= here && withoutID < here)) { headerSize = 9 }
        let nameOffset = headerSize == 11 ? withID : withoutID
        guard let afterName = skeletonName(0x01, at: nameOffset, position: pos + headerSize, end: end, &c) else { return false }
        pos = afterName
        if hasAttributes {
            guard pos >= 0, pos <= end - 4 else { return false }
            pos += 4
            while true {
                guard pos >= 0, pos < end else { return false }
                let t = u8(pos)
                guard t & ~0x40 == 0x06 else { break }
                guard pos <= end - 5 else { return false }
                guard let next = skeletonName(0x06, at: u32(pos + 1), position: pos + 5, end: end, &c) else { return false }
                pos = next
                while true {
                    guard pos >= 0, pos < end else { return false }
                    let v = u8(pos) & ~0x40
                    guard v == 0x05 || v == 0x07 || v == 0x08 || v == 0x09 || u8(pos) == 0x0d || u8(pos) == 0x0e else { break }
                    if v == 0x09 {
                        guard skeletonEntity(&pos, end: end, &c) else { return false }
                        continue
                    }
                    guard v == 0x05, skeletonText(&pos, end: end, &c) else { return false }
                }
                c.key.append(0x07)
                if t & 0x40 == 0 { break }
            }
        }
        guard pos >= 0, pos < end else { return false }
        switch u8(pos) {
        case 0x03:
            pos += 1
            c.key.append(0x03)
            return true
        case 0x02:
            pos += 1
            c.key.append(0x02)
            return skeletonContent(&pos, end: end, depth: depth, topLevel: false, &count, &c)
        default:
            return false
        }
    }

    /// Whether the fragment at `p` is (after fragment headers) a template instance; reads
    /// nothing else, so the caller may still parse it with `fragment`.
    func isInstance(_ p: Int, end: Int) -> Bool {
        var q = p
        while q < end {
            switch data[q] {
            case 0x0f: q += 4
            case 0x0c: return true
            default: return false
            }
        }
        return false
    }

    /// Whether `array(type:at:size:)` reads arrays of `type` (`arrayItems` splits them).
    static func arrayTypeIsKnown(_ type: UInt8) -> Bool {
        arrayItems([], type: type, at: 0, size: 0) != nil
    }

    /// Whether `scalar(type:at:size:)` gives a value (the same conditions).
    @inline(__always)
    func scalarFits(type: UInt8, at p: Int, size: Int) -> Bool { Self.scalarFits(type, data, p, size) }

    /// Whether a value of `type` and `size` at `p` in `d` is one `scalar(type:at:size:)` reads
    /// (`p + size` in bounds); the per-template shortcut checks its descriptors with it too.
    @inline(__always)
    static func scalarFits(_ type: UInt8, _ d: [UInt8], _ p: Int, _ size: Int) -> Bool {
        switch type {
        case 0x00, 0x01, 0x02, 0x0e: true
        case 0x03, 0x04, 0x0d: size >= 1
        case 0x05, 0x06: size >= 2
        case 0x07, 0x08, 0x0b, 0x14: size >= 4
        case 0x09, 0x0a, 0x0c, 0x11, 0x15: size >= 8
        case 0x0f, 0x12: size >= 16
        case 0x10: size == 8 || size == 4
        case 0x13: size >= 8 && 8 + 4 * Int(d[p + 1]) <= size
        default: false
        }
    }
}
