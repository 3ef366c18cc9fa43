import Foundation
import SpoorCore

// Binary XML as stored in EVTX chunks.
//
// Facts from the libyal documentation "Windows XML Event Log (EVTX) format" (Joachim Metz),
// sections "Binary XML", "Binary XML tokens", "Template instance" and "Value types":
// token 0x00 end of file, 0x01/0x41 open start element (0x40: has attributes), 0x02 close start
// element, 0x03 close empty element, 0x04 end element, 0x05/0x45 value text, 0x06/0x46 attribute,
// 0x07/0x47 CDATA section, 0x08/0x48 character reference, 0x09/0x49 entity reference, 0x0a PI
// target, 0x0b PI data, 0x0c template instance, 0x0d normal substitution, 0x0e optional
// substitution, 0x0f fragment header. The 0x40 bit on the other tokens means "more data follows".
// Names are chunk-relative offsets to a name record (u32 next offset, u16 hash, u16 character
// count, UTF-16LE characters, NUL), stored inline the first time they are used.

/// A node of a parsed BinXML fragment or template definition (names resolved, values decoded,
/// substitutions still open).
enum XPart {
    case element(XElement)
    /// Literal text (value token, CDATA, character or entity reference) or a decoded value.
    case value(JSONValue)
    /// `0x0d`/`0x0e id type`: takes value `id` of the enclosing template instance.
    case substitution(index: Int, optional: Bool)
    /// A template instance: its definition and the substitution values of this instance.
    case template(XTemplate, [XValue])
}

final class XElement {
    let name: String
    let attributes: [(String, [XPart])]
    let children: [XPart]
    /// `name == "Data"` (rendered by its `Name` attribute, see `EVTXJSON`).
    let isData: Bool
    /// The index of the substitution when the content is exactly one substitution (an array
    /// value repeats the element).
    let soleSubstitution: Int?
    /// No substitution or template anywhere inside: renders the same in every record.
    let isConstant: Bool
    /// The content is only elements, none named `Data`, with pairwise different names: their
    /// keys need no `_1` suffixes unless an array substitution repeats one of them.
    let hasDistinctElementChildren: Bool
    /// The content is only elements (no text, substitution or template at this level).
    let hasOnlyElementChildren: Bool
    /// The rendering of a constant element, made on first use (templates are cached per chunk,
    /// so their constant parts are rendered once per chunk).
    var constantValue: JSONValue?
    /// The `Name` attribute and text of a constant `Data` element, made on first use.
    var constantData: (name: JSONValue?, text: JSONValue?)?

    // For the direct path (`EVTXEventView`), worked out once per template:
    /// `Event`, `System`, `EventData`, `UserData` (see `EVTXEventRole`), or 0.
    let role: UInt8
    /// Which kind of `System` child this is (first of its name wins), -1 for none.
    let systemChild: Int8
    /// The `EVTXSystemField` its text gives, -1 for none.
    let textField: Int8
    /// Per attribute of a `System` child: the `EVTXSystemField` it gives, -1 for none (empty for
    /// other elements).
    let attributeFields: [Int8]
    /// The name is usable as a key without special meaning in the JSON shape (not empty, not
    /// `#…`, not `xmlns`).
    let hasPlainName: Bool
    /// The element name's id in the direct reader's name table (-1: not looked up yet).
    var nameID: Int32 = -1
    /// The id of a `Data` element's constant `Name` attribute (-1: not looked up yet, -2: the
    /// name is not one constant text).
    var dataNameID: Int32 = -1
    /// The direct path's last dotted name for this element: the prefix id and key id it was made
    /// of, and its own id.
    var dottedName: (prefix: Int32, key: Int32, full: Int32) = (-1, -1, -1)

    init(name: String, attributes: [(String, [XPart])], children: [XPart]) {
        self.name = name
        self.attributes = attributes
        self.children = children
        isData = name == "Data"
        (role, systemChild, textField) = EVTXEventRole.of(name)
        // Only a `System` child's attributes give fields (and only its are looked up).
        attributeFields = systemChild < 0 ? [] : attributes.map { EVTXEventRole.attributeField(element: name, attribute: $0.0) }
        hasPlainName = Self.isPlainName(name)
        if children.count == 1, case .substitution(let i, _) = children[0] { soleSubstitution = i } else { soleSubstitution = nil }
        var constant = true
        for (_, parts) in attributes {
            for p in parts { if case .value = p { continue }; constant = false }
        }
        for c in children where constant {
            switch c {
            case .value: continue
            case .element(let e): constant = e.isConstant
            default: constant = false
            }
        }
        isConstant = constant
        hasOnlyElementChildren = !children.isEmpty && children.allSatisfy { if case .element = $0 { true } else { false } }
        var distinct = !children.isEmpty
        for (k, c) in children.enumerated() where distinct {
            guard case .element(let e) = c, !e.isData else { distinct = false; continue }
            for d in children[..<k] {
                if case .element(let f) = d, f.name.utf8.count == e.name.utf8.count, f.name == e.name { distinct = false }
            }
        }
        hasDistinctElementChildren = distinct
    }

    /// Whether `name` is usable as a key without special meaning in the JSON shape (not empty,
    /// not `#…`, not `xmlns`).
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("#") && name != "xmlns"
    }
}

/// A parsed template definition, cached per chunk by its chunk-relative offset.
final class XTemplate {
    let parts: [XPart]
    init(parts: [XPart]) { self.parts = parts }
}

/// Template definitions shared by the chunks of one file. Templates are referenced per chunk
/// (by chunk-relative offset) and each chunk repeats the definitions it uses, usually at another
/// offset. A definition is taken from here instead of parsed again when the parse would give the
/// same parts: the same GUID and size, the same bytes apart from the fields that hold
/// chunk-relative offsets, and per name reference the same inline-ness and the same name bytes
/// at the offset it now holds, per element the same header variant (see `Entry.matches`). Name
/// and template references are chunk-relative offsets to name and template records (J. Metz,
/// libevtx, "Windows XML Event Log (EVTX) format", sections "Chunk", "Template definition" and
/// "Name"), so a definition moved within or between chunks has other bytes only there. A
/// definition parsed at a smaller depth or with fewer tokens left is parsed again (the limits
/// then act as in a fresh chunk); one holding a template instance is not kept.
final class EVTXTemplateCache {
    static let maximumEntries = 4096
    /// The context's names (``EVTXNameTable``): shape keys name elements by their ids.
    let names: EVTXNameTable

    init(names: EVTXNameTable) {
        self.names = names
    }

    /// Definitions kept per GUID and size (different bytes under one GUID are rare).
    static let maximumPerKey = 4

    /// A definition's GUID and data size.
    struct Key: Hashable {
        var guidLow: UInt64
        var guidHigh: UInt64
        var size: UInt32
    }

    /// One name reference in a definition, positions relative to the definition's start.
    struct NameRef {
        /// Where the 32-bit name offset is.
        var field: Int32
        /// The name record was inline (right after the field).
        var inline: Bool
        var name: String
        /// The name record's bytes from its character count on (count, UTF-16LE characters).
        var record: [UInt8]
    }

    struct Entry {
        let template: XTemplate
        /// The definition's bytes after its next-offset field (GUID, size, BinXML).
        let definition: [UInt8]
        /// Ranges of `definition` (relative to the definition's start) that are not compared:
        /// name offset fields and the next-offset fields of inline name records.
        let skips: [Range<Int>]
        let names: [NameRef]
        /// Per element: its position relative to the definition's start and its header size (9 or 11).
        let elements: [(Int32, UInt8)]
        let depth: Int
        let tokens: Int

        /// Whether the definition at `d` (its bytes in bounds) parses to this entry's template.
        func matches(_ data: [UInt8], at d: Int, chunkStart: Int, chunkEnd: Int) -> Bool {
            let n = definition.count
            guard d + 4 + n <= data.count else { return false }
            // safe: the base addresses below are of non-empty buffers (`data` holds the
            // definition, `definition` at least its 20-byte header, a name record at least its
            // count), and every offset is checked against their sizes first.
            return data.withUnsafeBytes { r -> Bool in
                definition.withUnsafeBytes { e -> Bool in
                    // Bytes, outside the skipped fields.
                    var lo = 4
                    for k in 0...skips.count {
                        let hi = k < skips.count ? skips[k].lowerBound : n + 4
                        if hi > lo, memcmp(r.baseAddress! + d + lo, e.baseAddress! + (lo - 4), hi - lo) != 0 { return false }
                        if k < skips.count { lo = skips[k].upperBound }
                    }
                    func u32(_ p: Int) -> UInt32 { UInt32(littleEndian: r.loadUnaligned(fromByteOffset: p, as: UInt32.self)) }
                    // The element header variant `element` would choose here.
                    for (rel, size) in elements {
                        let pos = d + Int(rel)
                        let here = UInt32(truncatingIfNeeded: pos - chunkStart)
                        let withID = u32(pos + 7), withoutID = u32(pos + 5)
                        let nine = withID != here &+ 11 && (withoutID == here &+ 9 || (withID >= here && withoutID < here))
                        if (nine ? 9 : 11) != size { return false }
                    }
                    // Each name: inline or not as before, and the same name where it points now.
                    for ref in names {
                        let field = d + Int(ref.field)
                        let abs = chunkStart + Int(u32(field))
                        guard (abs == field + 4) == ref.inline, abs >= chunkStart else { return false }
                        let limit = ref.inline ? d + 4 + n : chunkEnd
                        let m = ref.record.count
                        guard abs <= limit - 6 - m else { return false }
                        let same = ref.record.withUnsafeBytes { memcmp(r.baseAddress! + abs + 6, $0.baseAddress!, m) == 0 }
                        if !same { return false }
                    }
                    return true
                }
            }
        }
    }

    var entries: [Key: [Entry]] = [:]
    private(set) var count = 0

    func add(_ key: Key, _ e: Entry) {
        if count >= Self.maximumEntries { entries.removeAll(); count = 0 }
        var list = entries[key] ?? []
        if list.count >= Self.maximumPerKey { list.removeFirst(); count -= 1 }
        list.append(e)
        entries[key] = list
        count += 1
    }

    /// Nested BinXML that is not a template instance, by its shape (`BinXMLReader.skeleton`):
    /// parsed once with its texts as substitutions. Only for records read again this way
    /// (`BinXMLReader.streamsOff`); the walk reads such a value in `UserData` from its shape
    /// alone (`NestedStreams`).
    var skeletons: [SkeletonKey: XTemplate] = [:]
    /// The key being built (reused).
    var key: [UInt8] = []
    /// The texts' positions and byte counts, in document order (reused).
    var texts: [(Int, Int)] = []
    /// The names shapes are keyed by (see `SkeletonNames`).
    var skeletonNames = SkeletonNames()
}

/// What the parse of a definition for ``EVTXTemplateCache`` met that depends on where it is.
struct DefinitionLog {
    /// Name references: the offset field's position, the offset, whether the name was inline.
    var names: [(field: Int, offset: UInt32, inline: Bool)] = []
    /// Elements: position and header size.
    var elements: [(Int, UInt8)] = []
    /// A template instance inside the definition (not kept).
    var nested = false
}

/// The shape of nested BinXML (`BinXMLReader.skeleton`), hashed as one run of bytes.
struct SkeletonKey: Hashable {
    var bytes: [UInt8]
    func hash(into h: inout Hasher) {
        bytes.withUnsafeBytes { h.combine(bytes: $0) }
    }
}

/// A substitution value.
enum XValue {
    case null
    case json(JSONValue)
    /// Type 0x21: nested BinXML (a fragment, usually holding a template instance).
    case binXML([XPart])
}

/// Long texts decoded in one chunk, by their bytes: substitution values such as provider, channel
/// and computer names, GUIDs and SIDs repeat in most records, so a repeat shares the String of the
/// first instead of decoding and allocating again. A small direct-mapped table; a collision only
/// replaces the entry.
final class TextCache {
    struct Entry {
        var start = 0
        var count = -1
        var kind: UInt8 = 0
        var text = ""
    }
    /// Made on first use (the direct path never uses the cache).
    var entries: [Entry] = []

    /// The text of `data[p..<(p + n)]` (in bounds, checked by the caller) decoded as `kind`.
    func text(_ data: [UInt8], kind: UInt8, at p: Int, count n: Int, make: () -> String) -> String {
        guard n > 0, p >= 0, p + n <= data.count else { return make() }
        var h = UInt64(truncatingIfNeeded: n) << 8 | UInt64(kind)
        h = (h ^ UInt64(data[p])) &* 0x100_0000_01b3
        h = (h ^ UInt64(data[p + n / 4])) &* 0x100_0000_01b3
        h = (h ^ UInt64(data[p + n / 2])) &* 0x100_0000_01b3
        h = (h ^ UInt64(data[p + n - n / 4 - 1])) &* 0x100_0000_01b3
        h = (h ^ UInt64(data[p + n - 1])) &* 0x100_0000_01b3
        let slot = Int(truncatingIfNeeded: (h ^ (h >> 29)) & 127)
        if entries.isEmpty { entries = [Entry](repeating: Entry(), count: 128) }
        let e = entries[slot]
        if e.count == n, e.kind == kind {
            // Both ranges are inside `data` (checked above and when the entry was stored).
            let same = data.withUnsafeBytes { r -> Bool in
                var i = 0
                while i + 8 <= n {
                    if r.loadUnaligned(fromByteOffset: e.start + i, as: UInt64.self) != r.loadUnaligned(fromByteOffset: p + i, as: UInt64.self) { return false }
                    i += 8
                }
                while i < n { if r[e.start + i] != r[p + i] { return false }; i += 1 }
                return true
            }
            if same { return e.text }
        }
        let t = make()
        entries[slot] = Entry(start: p, count: n, kind: kind, text: t)
        return t
    }
}

/// Bounds that keep hostile input from exhausting the stack or memory.
public struct EVTXLimits: Sendable, Hashable {
    /// Element nesting plus nested BinXML/template levels.
    public var maximumDepth = 64
    /// Substitution values per template instance.
    public var maximumSubstitutions = 4096
    /// Tokens per record (all levels).
    public var maximumTokens = 200_000
    public init() {}
}

/// Reads BinXML tokens from one chunk. Offsets are absolute into `data`; `chunkStart` turns
/// them into chunk-relative offsets (names and templates are referenced chunk-relative).
struct BinXMLReader {
    let data: [UInt8]
    let chunkStart: Int
    let chunkEnd: Int
    var limits: EVTXLimits
    var names: [UInt32: String] = [:]
    var templates: [UInt32: XTemplate] = [:]
    var tokens = 0
    let textCache = TextCache()
    /// Template definitions kept across the chunks of a file (the direct path's reader).
    var shared: EVTXTemplateCache? = nil
    /// What the parse of a definition for `shared` depends on (see ``DefinitionLog``).
    var defLog: DefinitionLog? = nil
    /// Value text tokens become substitutions numbered from here (see `EVTXViewWalker` and
    /// `BinXMLReader.skeleton`); -1: they stay text.
    var textSubstitutions = -1
    /// This chunk's generation in `SkeletonNames` (0: none taken yet).
    var skeletonGeneration: UInt32 = 0
    /// Nested BinXML read by its shape gets a template per shape (`skeletonTemplate`) instead of
    /// being kept as a stream (`NestedStreams`), for a record the walk could not read that way.
    var streamsOff = false

    init(data: [UInt8], chunkStart: Int, chunkEnd: Int, limits: EVTXLimits) {
        self.data = data
        self.chunkStart = chunkStart
        self.chunkEnd = chunkEnd
        self.limits = limits
    }

    // MARK: primitive reads (bounds-checked against `end`)

    @inline(__always) func need(_ p: Int, _ n: Int, _ end: Int) throws(ParseError) {
        if p < 0 || n < 0 || p > end - n { throw ParseError(.truncated, at: p, "BinXML needs \(n) bytes at offset \(p - chunkStart) of the chunk") }
    }
    @inline(__always) func u8(_ p: Int) -> UInt8 { data[p] }
    @inline(__always) func u16(_ p: Int) -> UInt16 { UInt16(data[p]) | UInt16(data[p + 1]) << 8 }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
    }
    @inline(__always) func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }

    /// UTF-16LE code units `[p, p + 2n)` as a String (ASCII fast path; lone surrogates become U+FFFD).
    func utf16(_ p: Int, count n: Int) -> String {
        let e = p + 2 * n
        guard p >= 0, n > 0, e <= data.count else { return "" }
        return data.withUnsafeBufferPointer { b -> String in
            // ASCII in one pass; the first other code unit abandons it for the general decoding.
            var ascii = true
            let s = String(unsafeUninitializedCapacity: n) { buf in
                for k in 0..<n {
                    let lo = b[p + 2 * k]
                    if lo >= 0x80 || b[p + 2 * k + 1] != 0 { ascii = false; return 0 }
                    buf[k] = lo
                }
                return n
            }
            if ascii { return s }
            var units = [UInt16]()
            units.reserveCapacity(n)
            for k in 0..<n { units.append(UInt16(b[p + 2 * k]) | UInt16(b[p + 2 * k + 1]) << 8) }
            return String(decoding: units, as: UTF16.self)
        }
    }

    // MARK: names

    /// Reads the name at chunk-relative `offset`; returns the position after an inline name
    /// when the name is stored at `position` (the first use).
    mutating func name(at offset: UInt32, position: Int, end: Int) throws(ParseError) -> (String, Int) {
        let abs = chunkStart + Int(offset)
        let inline = abs == position
        if defLog != nil { defLog?.names.append((position - 4, offset, inline)) }
        if let cached = names[offset] {
            if inline {
                let count = Int(u16(abs + 6))
                return (cached, abs + 8 + 2 * count + 2)
            }
            return (cached, position)
        }
        let limit = inline ? end : chunkEnd
        guard abs >= chunkStart else { throw ParseError(.badField, at: abs, "name offset outside the chunk") }
        try need(abs, 8, limit)
        let count = Int(u16(abs + 6))
        try need(abs + 8, 2 * count, limit)
        let s = utf16(abs + 8, count: count)
        names[offset] = s
        return (s, inline ? abs + 8 + 2 * count + 2 : position)
    }

    // MARK: fragments and elements

    /// Parses tokens from `p` to `end` (a whole fragment: header, elements, EOF).
    mutating func fragment(_ p: Int, end: Int, depth: Int) throws(ParseError) -> [XPart] {
        var pos = p
        var parts: [XPart] = []
        try content(&pos, end: end, depth: depth, into: &parts, topLevel: true)
        return parts
    }

    /// Content tokens until end element (0x04) or, at top level, EOF (0x00) or `end`.
    mutating func content(_ pos: inout Int, end: Int, depth: Int, into parts: inout [XPart], topLevel: Bool) throws(ParseError) {
        guard depth < limits.maximumDepth else { throw ParseError(.tooDeep, at: pos, "BinXML nested deeper than \(limits.maximumDepth) levels") }
        while true {
            if topLevel && pos >= end { return }
            try need(pos, 1, end)
            tokens += 1
            guard tokens <= limits.maximumTokens else { throw ParseError(.recordTooLong, at: pos, "more than \(limits.maximumTokens) BinXML tokens in a record") }
            let token = u8(pos)
            switch token {
            case 0x00:
                pos += 1
                if topLevel { return }
                throw ParseError(.badField, at: pos - 1, "BinXML ends inside an element")
            case 0x04:
                pos += 1
                if topLevel { throw ParseError(.badField, at: pos - 1, "end element without an open element") }
                return
            case 0x0f:
                try need(pos, 4, end)
                pos += 4
            case 0x01, 0x41:
                parts.append(.element(try element(&pos, end: end, depth: depth + 1)))
            case 0x05, 0x45, 0x07, 0x47, 0x08, 0x48, 0x09, 0x49, 0x0d, 0x0e:
                parts.append(try valuePart(&pos, end: end))
            case 0x0a:
                // PI target: name offset; its data token 0x0b follows. Neither renders in JSON.
                try need(pos, 5, end)
                (_, pos) = try name(at: u32(pos + 1), position: pos + 5, end: end)
            case 0x0b:
                try need(pos, 3, end)
                let n = Int(u16(pos + 1))
                try need(pos + 3, 2 * n, end)
                pos += 3 + 2 * n
            case 0x0c:
                parts.append(try templateInstance(&pos, end: end, depth: depth + 1))
            default:
                throw ParseError(.badField, at: pos, "unknown BinXML token 0x\(String(token, radix: 16)) at chunk offset \(pos - chunkStart)")
            }
        }
    }

    /// A value-like token: text, CDATA, character/entity reference, substitution.
    mutating func valuePart(_ pos: inout Int, end: Int) throws(ParseError) -> XPart {
        let token = u8(pos) & ~0x40
        switch token {
        case 0x05:
            try need(pos, 4, end)
            let type = u8(pos + 1)
            let n = Int(u16(pos + 2))
            try need(pos + 4, 2 * n, end)
            if textSubstitutions >= 0 {
                pos += 4 + 2 * n
                textSubstitutions += 1
                return .substitution(index: textSubstitutions - 1, optional: false)
            }
            let s = utf16(pos + 4, count: n)
            pos += 4 + 2 * n
            // Value tokens hold UTF-16 text (type 0x01); other types are not written here.
            _ = type
            return .value(.string(s))
        case 0x07:
            try need(pos, 3, end)
            let n = Int(u16(pos + 1))
            try need(pos + 3, 2 * n, end)
            let s = utf16(pos + 3, count: n)
            pos += 3 + 2 * n
            return .value(.string(s))
        case 0x08:
            try need(pos, 3, end)
            let c = u16(pos + 1)
            pos += 3
            let s = Unicode.Scalar(UInt32(c)).map { String(Character($0)) } ?? "\u{FFFD}"
            return .value(.string(s))
        case 0x09:
            try need(pos, 5, end)
            let (n, next) = try name(at: u32(pos + 1), position: pos + 5, end: end)
            pos = next
            return .value(.string(Self.entity(n)))
        default: // 0x0d, 0x0e
            try need(pos, 4, end)
            let index = Int(u16(pos + 1))
            let optional = u8(pos) == 0x0e
            pos += 4
            return .substitution(index: index, optional: optional)
        }
    }

    /// The five predefined XML entities; others are kept as `&name;`.
    static func entity(_ n: String) -> String {
        switch n {
        case "amp": "&"
        case "lt": "<"
        case "gt": ">"
        case "quot": "\""
        case "apos": "'"
        default: "&" + n + ";"
        }
    }

    mutating func element(_ pos: inout Int, end: Int, depth: Int) throws(ParseError) -> XElement {
        guard depth < limits.maximumDepth else { throw ParseError(.tooDeep, at: pos, "BinXML nested deeper than \(limits.maximumDepth) levels") }
        let hasAttributes = u8(pos) & 0x40 != 0
        // token, dependency id (u16), data size (u32), name offset (u32). Some writers (records
        // forwarded by Windows Event Collector, some nested BinXML values) leave out the
        // dependency id; the variant is told apart by where the name offset points: at the
        // bytes right after the header (inline name) or back into the chunk.
        try need(pos, 11, end)
        var headerSize = 11
        let here = UInt32(truncatingIfNeeded: pos - chunkStart)
        let withID = u32(pos + 7), withoutID = u32(pos + 5)
        if withID != here + 11 && (withoutID == here + 9 || (withID >= here && withoutID < here)) { headerSize = 9 }
        let nameOffset = headerSize == 11 ? withID : withoutID
        if defLog != nil { defLog?.elements.append((pos, UInt8(headerSize))) }
        let (elementName, afterName) = try name(at: nameOffset, position: pos + headerSize, end: end)
        pos = afterName
        var attributes: [(String, [XPart])] = []
        if hasAttributes {
            try need(pos, 4, end)
            pos += 4 // attribute list size
            while true {
                try need(pos, 1, end)
                let t = u8(pos)
                guard t & ~0x40 == 0x06 else { break }
                try need(pos, 5, end)
                let (attrName, next) = try name(at: u32(pos + 1), position: pos + 5, end: end)
                pos = next
                var value: [XPart] = []
                while true {
                    try need(pos, 1, end)
                    let v = u8(pos) & ~0x40
                    guard v == 0x05 || v == 0x07 || v == 0x08 || v == 0x09 || u8(pos) == 0x0d || u8(pos) == 0x0e else { break }
                    value.append(try valuePart(&pos, end: end))
                }
                attributes.append((attrName, value))
                if t & 0x40 == 0 { break }
            }
        }
        try need(pos, 1, end)
        var children: [XPart] = []
        switch u8(pos) {
        case 0x03:
            pos += 1
        case 0x02:
            pos += 1
            try content(&pos, end: end, depth: depth, into: &children, topLevel: false)
        default:
            throw ParseError(.badField, at: pos, "expected close start element, found token 0x\(String(u8(pos), radix: 16))")
        }
        return XElement(name: elementName, attributes: attributes, children: children)
    }

    // MARK: templates

    /// The definition of the template instance at `pos` (token 0x0c), from the chunk's cache or
    /// parsed (an inline definition is skipped); `pos` ends at the instance data.
    mutating func templateDefinition(_ pos: inout Int, end: Int, depth: Int) throws(ParseError) -> XTemplate {
        guard depth < limits.maximumDepth else { throw ParseError(.tooDeep, at: pos, "templates nested deeper than \(limits.maximumDepth) levels") }
        if defLog != nil { defLog?.nested = true }
        // 0x0c, unknown (1), template id (u32), definition offset (u32)
        try need(pos, 10, end)
        let defOffset = u32(pos + 6)
        pos += 10
        let defAbs = chunkStart + Int(defOffset)
        let template: XTemplate
        if defAbs == pos {
            // Inline definition: next offset (u32), GUID (16), data size (u32), fragment.
            try need(pos, 24, end)
            let size = Int(u32(pos + 20))
            try need(pos + 24, size, end)
            if let cached = templates[defOffset] {
                template = cached
            } else {
                template = try definition(defOffset, at: pos, size: size, depth: depth)
            }
            pos += 24 + size
        } else if let cached = templates[defOffset] {
            template = cached
        } else {
            // A definition stored elsewhere in the chunk (its first use was in a record we skipped
            // or did not read yet): parse it where it is.
            guard defAbs >= chunkStart, defAbs <= chunkEnd - 24 else {
                throw ParseError(.badField, at: pos, "template definition offset \(defOffset) outside the chunk")
            }
            let size = Int(u32(defAbs + 20))
            try need(defAbs + 24, size, chunkEnd)
            template = try definition(defOffset, at: defAbs, size: size, depth: depth)
        }
        return template
    }

    /// Parses the definition at `d` (its `size` bytes of BinXML in bounds) into the chunk's cache,
    /// or takes it from `shared` when an earlier definition (in this chunk at another offset, or
    /// in an earlier chunk) parses to the same parts (see ``EVTXTemplateCache``).
    mutating func definition(_ defOffset: UInt32, at d: Int, size: Int, depth: Int) throws(ParseError) -> XTemplate {
        guard let shared, defLog == nil else {
            let t = XTemplate(parts: try fragment(d + 24, end: d + 24 + size, depth: depth))
            templates[defOffset] = t
            return t
        }
        let key = EVTXTemplateCache.Key(guidLow: u64(d + 4), guidHigh: u64(d + 12), size: UInt32(truncatingIfNeeded: size))
        if let list = shared.entries[key] {
            for e in list where e.depth >= depth && tokens + e.tokens <= limits.maximumTokens
                && e.matches(data, at: d, chunkStart: chunkStart, chunkEnd: chunkEnd) {
                tokens += e.tokens
                // Its names are not put in this chunk's name table: `matches` checked that they
                // are where the entry says, and `name(at:position:end:)` reads one there when
                // a later parse needs it (most chunks never parse one of them again).
                templates[defOffset] = e.template
                return e.template
            }
        }
        let tokens0 = tokens
        defLog = DefinitionLog()
        let t: XTemplate
        do throws(ParseError) {
            t = XTemplate(parts: try fragment(d + 24, end: d + 24 + size, depth: depth))
        } catch {
            defLog = nil
            throw error
        }
        templates[defOffset] = t
        let log = defLog ?? DefinitionLog(nested: true)
        defLog = nil
        guard !log.nested else { return t }
        var refs: [EVTXTemplateCache.NameRef] = []
        var skips: [Range<Int>] = []
        refs.reserveCapacity(log.names.count)
        for (field, offset, inline) in log.names {
            let abs = chunkStart + Int(offset)
            guard let n = names[offset], field >= d + 24, field + 4 <= d + 24 + size, u32(field) == offset,
                  abs >= chunkStart, abs + 8 <= chunkEnd, abs + 8 + 2 * Int(u16(abs + 6)) <= chunkEnd else { return t }
            refs.append(EVTXTemplateCache.NameRef(field: Int32(field - d), inline: inline, name: n,
                                                  record: Array(data[(abs + 6)..<(abs + 8 + 2 * Int(u16(abs + 6)))])))
            skips.append((field - d)..<(field - d + 4))
            if inline { skips.append((abs - d)..<(abs - d + 4)) }
        }
        skips.sort { $0.lowerBound < $1.lowerBound }
        for k in skips.indices.dropFirst() where skips[k].lowerBound < skips[k - 1].upperBound { return t }
        let elements = log.elements.map { (Int32($0.0 - d), $0.1) }
        shared.add(key, EVTXTemplateCache.Entry(template: t, definition: Array(data[(d + 4)..<(d + 24 + size)]), skips: skips,
                                                names: refs, elements: elements, depth: depth, tokens: tokens - tokens0))
        return t
    }

    mutating func templateInstance(_ pos: inout Int, end: Int, depth: Int) throws(ParseError) -> XPart {
        let template = try templateDefinition(&pos, end: end, depth: depth)
        // Instance data: count, count × (u16 size, u8 type, u8 0), values.
        try need(pos, 4, end)
        let count = Int(u32(pos))
        guard count <= limits.maximumSubstitutions else {
            throw ParseError(.recordTooLong, at: pos, "\(count) substitution values exceed the limit of \(limits.maximumSubstitutions)")
        }
        pos += 4
        try need(pos, 4 * count, end)
        var values: [XValue] = []
        values.reserveCapacity(count)
        var v = pos + 4 * count
        for k in 0..<count {
            let size = Int(u16(pos + 4 * k))
            let type = u8(pos + 4 * k + 2)
            try need(v, size, end)
            values.append(try value(type: type, at: v, size: size, depth: depth))
            v += size
        }
        pos = v
        return .template(template, values)
    }

    // MARK: values

    /// Decodes one substitution value ("Value types" in the libyal document).
    mutating func value(type: UInt8, at p: Int, size: Int, depth: Int) throws(ParseError) -> XValue {
        if type & 0x80 != 0 { return try array(type: type & 0x7f, at: p, size: size) }
        switch type {
        case 0x00: return .null
        case 0x21:
            if size == 0 { return .null }
            return .binXML(try fragment(p, end: p + size, depth: depth + 1))
        default:
            guard let j = scalar(type: type, at: p, size: size) else {
                throw ParseError(.badField, at: p, "value of type 0x\(String(type, radix: 16)) with size \(size)")
            }
            return .json(j)
        }
    }

    func scalar(type: UInt8, at p: Int, size: Int) -> JSONValue? {
        switch type {
        case 0x00: return .null
        case 0x01:
            var n = size / 2
            while n > 0 && u16(p + 2 * (n - 1)) == 0 { n -= 1 }
            // Up to 15 ASCII characters make a String without allocation: no need to cache.
            if n <= 15 { return .string(utf16(p, count: n)) }
            return .string(textCache.text(data, kind: 0x01, at: p, count: 2 * n) { utf16(p, count: n) })
        case 0x02:
            var n = size
            while n > 0 && data[p + n - 1] == 0 { n -= 1 }
            return .string(Self.windows1252(data[p..<(p + n)]))
        case 0x03: guard size >= 1 else { return nil }; return .number(String(Int8(bitPattern: data[p])))
        case 0x04: guard size >= 1 else { return nil }; return .number(String(data[p]))
        case 0x05: guard size >= 2 else { return nil }; return .number(String(Int16(bitPattern: u16(p))))
        case 0x06: guard size >= 2 else { return nil }; return .number(String(u16(p)))
        case 0x07: guard size >= 4 else { return nil }; return .number(String(Int32(bitPattern: u32(p))))
        case 0x08: guard size >= 4 else { return nil }; return .number(String(u32(p)))
        case 0x09: guard size >= 8 else { return nil }; return .number(String(Int64(bitPattern: u64(p))))
        case 0x0a: guard size >= 8 else { return nil }; return .number(String(u64(p)))
        case 0x0b:
            guard size >= 4 else { return nil }
            return Self.number(Double(Float(bitPattern: u32(p))), float: Float(bitPattern: u32(p)))
        case 0x0c:
            guard size >= 8 else { return nil }
            return Self.number(Double(bitPattern: u64(p)), float: nil)
        case 0x0d:
            guard size >= 1 else { return nil }
            // 0 and 1 are booleans; other values (seen in real files) are kept as the number.
            let raw = size >= 4 ? Int32(bitPattern: u32(p)) : Int32(data[p])
            return raw == 0 || raw == 1 ? .bool(raw == 1) : .number(String(raw))
        case 0x0e:
            return .string(Self.hex(data[p..<(p + size)]))
        case 0x0f:
            guard size >= 16 else { return nil }
            return .string(textCache.text(data, kind: 0x0f, at: p, count: 16) { guid(p) })
        case 0x10:
            if size == 8 { return .string(Self.hexText(u64(p))) }
            if size == 4 { return .string(Self.hexText(UInt64(u32(p)))) }
            return nil
        case 0x11:
            guard size >= 8 else { return nil }
            return .string(Self.filetimeText(u64(p)))
        case 0x12:
            guard size >= 16 else { return nil }
            return .string(systemtime(p))
        case 0x13:
            guard size >= 8, 8 + 4 * Int(data[p + 1]) <= size else { return nil }
            return .string(textCache.text(data, kind: 0x13, at: p, count: 8 + 4 * Int(data[p + 1])) { sid(p, size: size) ?? "" })
        case 0x14: guard size >= 4 else { return nil }; return .string(Self.hexText(UInt64(u32(p))))
        case 0x15: guard size >= 8 else { return nil }; return .string(Self.hexText(u64(p)))
        default:
            return nil
        }
    }

    func array(type: UInt8, at p: Int, size: Int) throws(ParseError) -> XValue {
        guard let ranges = Self.arrayItems(data, type: type, at: p, size: size) else {
            throw ParseError(.badField, at: p, "array of unsupported value type 0x\(String(type, radix: 16))")
        }
        var items: [JSONValue] = []
        items.reserveCapacity(ranges.count)
        for (i, n) in ranges {
            switch type {
            case 0x01: items.append(.string(utf16(i, count: n / 2)))
            case 0x02: items.append(.string(Self.windows1252(data[i..<(i + n)])))
            case 0x13: if let s = sid(i, size: n) { items.append(.string(s)) }
            default: if let v = scalar(type: type, at: i, size: n) { items.append(v) }
            }
        }
        return .json(.array(items))
    }

    /// The items of an array value of `type` (without its array bit) in `d[p ..< p + size]` (in
    /// bounds), as (position, byte count): NUL-terminated UTF-16LE strings (0x01) and ANSI strings
    /// (0x02) without their NULs, the last one also without; SIDs (0x13), 8 + 4 × their
    /// sub-authority count bytes each, up to the first that does not fit; fixed-size values
    /// otherwise. Nil for a type arrays are not read for. Both the JSON rendering (`array`) and
    /// the direct path (`EVTXViewWalker.arrayItems`) read arrays by it.
    static func arrayItems(_ d: [UInt8], type: UInt8, at p: Int, size: Int) -> [(Int, Int)]? {
        var out: [(Int, Int)] = []
        let end = p + size
        switch type {
        case 0x01:
            var start = p
            var i = p
            let e = end - size % 2
            while i < e {
                if d[i] == 0 && d[i + 1] == 0 {
                    out.append((start, i - start))
                    start = i + 2
                }
                i += 2
            }
            if start < e { out.append((start, e - start)) }
        case 0x02:
            var start = p
            for i in p..<end where d[i] == 0 {
                out.append((start, i - start))
                start = i + 1
            }
            if start < end { out.append((start, end - start)) }
        case 0x13:
            var i = p
            while i + 8 <= end {
                let n = 8 + 4 * Int(d[i + 1])
                guard i + n <= end else { break }
                out.append((i, n))
                i += n
            }
        default:
            let width: Int
            switch type {
            case 0x03, 0x04: width = 1
            case 0x05, 0x06: width = 2
            case 0x07, 0x08, 0x0b, 0x0d, 0x14: width = 4
            case 0x09, 0x0a, 0x0c, 0x10, 0x11, 0x15: width = 8
            case 0x0f, 0x12: width = 16
            default: return nil
            }
            var i = p
            while i + width <= end {
                out.append((i, width))
                i += width
            }
        }
        return out
    }

    // MARK: renderings

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buf in
            var k = 0
            for b in bytes { buf[k] = hexDigits[Int(b >> 4)]; buf[k + 1] = hexDigits[Int(b & 15)]; k += 2 }
            return k
        }
    }

    static func hexNumber(_ v: UInt64, width: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// GUID as written by Windows (first three fields little-endian), upper case, no braces.
    func guid(_ p: Int) -> String {
        String(unsafeUninitializedCapacity: 36) { buf in
            var k = 0
            for i in Self.guidOrder {
                if i < 0 { buf[k] = 0x2d; k += 1; continue }
                let b = data[p + i]
                buf[k] = Self.hexDigits[Int(b >> 4)]; buf[k + 1] = Self.hexDigits[Int(b & 15)]
                k += 2
            }
            return k
        }
    }

    /// Byte order of a GUID's text (-1: a dash).
    static let guidOrder: [Int] = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
    static let lowerHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `0x` and lower-case hex digits without leading zeros (as `"0x" + String(v, radix: 16)`).
    static func hexText(_ v: UInt64) -> String {
        let digits = max(1, (64 - v.leadingZeroBitCount + 3) / 4)
        return String(unsafeUninitializedCapacity: digits + 2) { buf in
            buf[0] = 0x30; buf[1] = 0x78
            var x = v
            for k in stride(from: digits + 1, through: 2, by: -1) { buf[k] = lowerHexDigits[Int(x & 15)]; x >>= 4 }
            return digits + 2
        }
    }

    /// Writes `v` in decimal at `buf[k...]`; returns the index after it.
    @inline(__always) static func putDecimal(_ v: UInt64, _ buf: UnsafeMutableBufferPointer<UInt8>, _ k: Int) -> Int {
        var n = 1
        var t = v
        while t >= 10 { t /= 10; n += 1 }
        var x = v
        for i in stride(from: k + n - 1, through: k, by: -1) { buf[i] = 0x30 + UInt8(x % 10); x /= 10 }
        return k + n
    }

    /// Writes `v` (< 10^width) zero-padded to `width` digits.
    @inline(__always) static func putPadded(_ v: Int, _ width: Int, _ buf: UnsafeMutableBufferPointer<UInt8>, _ k: Int) {
        var x = v
        for i in stride(from: k + width - 1, through: k, by: -1) { buf[i] = 0x30 + UInt8(x % 10); x /= 10 }
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (as `CivilTime.iso8601(fractionDigits: 6, offsetSeconds: nil)`).
    static func isoText(_ c: CivilTime) -> String {
        guard (0...9999).contains(c.year), (0...99).contains(c.month), (0...99).contains(c.day), (0...99).contains(c.hour),
              (0...99).contains(c.minute), (0...99).contains(c.second), (0...999_999).contains(c.microsecond) else {
            return c.iso8601(fractionDigits: 6, offsetSeconds: nil)
        }
        return String(unsafeUninitializedCapacity: 27) { buf in
            putPadded(c.year, 4, buf, 0); buf[4] = 0x2d
            putPadded(c.month, 2, buf, 5); buf[7] = 0x2d
            putPadded(c.day, 2, buf, 8); buf[10] = 0x54
            putPadded(c.hour, 2, buf, 11); buf[13] = 0x3a
            putPadded(c.minute, 2, buf, 14); buf[16] = 0x3a
            putPadded(c.second, 2, buf, 17); buf[19] = 0x2e
            putPadded(c.microsecond, 6, buf, 20); buf[26] = 0x5a
            return 27
        }
    }

    /// `S-revision-authority-sub…` (authority is a 48-bit big-endian number).
    func sid(_ p: Int, size: Int) -> String? {
        guard size >= 8 else { return nil }
        let revision = data[p]
        let n = Int(data[p + 1])
        guard 8 + 4 * n <= size else { return nil }
        var authority: UInt64 = 0
        for k in 2..<8 { authority = authority << 8 | UInt64(data[p + k]) }
        return String(unsafeUninitializedCapacity: 2 + 4 + 21 + 11 * n) { buf in
            buf[0] = 0x53; buf[1] = 0x2d
            var k = Self.putDecimal(UInt64(revision), buf, 2)
            buf[k] = 0x2d
            k = Self.putDecimal(authority, buf, k + 1)
            for i in 0..<n {
                buf[k] = 0x2d
                k = Self.putDecimal(UInt64(u32(p + 8 + 4 * i)), buf, k + 1)
            }
            return k
        }
    }

    func systemtime(_ p: Int) -> String {
        let year = Int(u16(p)), month = Int(u16(p + 2)), day = Int(u16(p + 6))
        let hour = Int(u16(p + 8)), minute = Int(u16(p + 10)), second = Int(u16(p + 12)), ms = Int(u16(p + 14))
        let c = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: ms * 1000)
        return Self.isoText(c)
    }

    /// FILETIME (100 ns ticks since 1601-01-01 UTC) → microseconds since the Unix epoch.
    static func filetimeMicroseconds(_ ft: UInt64) -> Int64 {
        Int64(ft / 10) - 11_644_473_600_000_000
    }

    static func filetimeText(_ ft: UInt64) -> String {
        isoText(CivilTime(utcMicroseconds: filetimeMicroseconds(ft)))
    }

    static func number(_ d: Double, float: Float?) -> JSONValue {
        guard d.isFinite else { return .string(d.isNaN ? "NaN" : (d > 0 ? "inf" : "-inf")) }
        if let f = float { return .number(Self.trimZero("\(f)")) }
        return .number(Self.trimZero("\(d)"))
    }

    static func trimZero(_ s: String) -> String { s.hasSuffix(".0") ? String(s.dropLast(2)) : s }

    /// ANSI strings: Windows-1252 (the `evtx` package's default codec).
    static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var s = String.UnicodeScalarView()
        for b in bytes {
            if b >= 0x80 && b < 0xa0, let u = Unicode.Scalar(cp1252High[Int(b - 0x80)]) { s.append(u) } else { s.append(Unicode.Scalar(b)) }
        }
        return String(s)
    }

    static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
