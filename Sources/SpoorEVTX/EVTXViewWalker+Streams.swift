import Foundation
import SpoorCore

// The direct path's reading of nested BinXML that is not a template instance from its shape scan
// (`NestedStreams`).

extension EVTXViewWalker {
    // MARK: nested BinXML read by its shape

    /// A `UserData` whose whole content is nested BinXML that is not a template instance (CAPI2's
    /// certificate chains), read from its shape (`NestedStreams`: the tokens and name ids
    /// `BinXMLReader.skeleton` wrote, and where its texts are) as `userDataContent`, `payload`
    /// and `nestedContent` read the template `fragment` parses from it (texts as substitutions):
    /// the payload elements' leaves under their keys, deeper leaves under dotted names,
    /// attributes not read; text beside elements, a `Data` or special name, leaves the record
    /// to the JSON path. Items get no stamps.
    mutating func userDataStream(_ v: FastValue) throws(Fallback) {
        let s = Int(v.stream)
        guard s >= 0, s < streams.spans.count else { throw Fallback() }
        let span = streams.spans[s]
        var k = Int(span.keyStart)
        let end = Int(span.keyEnd)
        var t = Int(span.textStart)
        var payloadKeys: [Int32] = []
        while k < end {
            // Top level: payload elements only.
            guard streams.key[k] == 0x01 else { throw Fallback() }
            let (id, closing) = try streamElementHeader(&k, &t, end)
            let key = try key(id: id, among: payloadKeys)
            payloadKeys.append(key)
            if closing == 0x02 { try streamContent(&k, &t, end, prefix: -1) }
        }
    }

    /// An element's start in a stream's key at `k` (0x01): its name id and the token that closes
    /// its start (0x02: content follows, 0x03: none), with `k` after that token and `t` past the
    /// texts of its attributes. Throws for a `Data` or special name, as the walk does.
    mutating func streamElementHeader(_ k: inout Int, _ t: inout Int, _ end: Int) throws(Fallback) -> (Int32, UInt8) {
        let key = streams.key
        guard k + 5 < end else { throw Fallback() }
        let id = Int32(bitPattern: UInt32(key[k + 1]) | UInt32(key[k + 2]) << 8 | UInt32(key[k + 3]) << 16 | UInt32(key[k + 4]) << 24)
        k += 5
        while k < end, key[k] == 0x06 {
            k += 5
            attribute: while k < end {
                switch key[k] {
                case 0x05: t += 1; k += 1
                case 0x09: k += 5
                case 0x07: k += 1; break attribute
                default: throw Fallback()
                }
            }
        }
        guard k < end, key[k] == 0x02 || key[k] == 0x03 else { throw Fallback() }
        let closing = key[k]
        k += 1
        let flags = try streamNameFlags(id)
        guard flags & 2 == 0, flags & 4 != 0 else { throw Fallback() }
        return (id, closing)
    }

    /// The content of an element from `k` to its end (0x04): child elements (`payload`,
    /// `nestedContent`; `prefix` -1: a payload's children, named by their keys, else dotted
    /// under `prefix`), or texts and entity references (a leaf, whose text is not read here).
    mutating func streamContent(_ k: inout Int, _ t: inout Int, _ end: Int, prefix: Int32) throws(Fallback) {
        var local: [Int32] = []
        while true {
            guard k < end else { throw Fallback() }
            switch streams.key[k] {
            case 0x04:
                k += 1
                return
            case 0x01:
                let (id, closing) = try streamElementHeader(&k, &t, end)
                let key = try key(id: id, among: local)
                local.append(key)
                let name: Int32
                if prefix < 0 {
                    name = key
                } else {
                    guard let d = names.dotted(prefix, key, limit: 256) else { throw Fallback() }
                    name = d
                }
                guard closing == 0x02 else { continue }
                guard k < end else { throw Fallback() }
                if streams.key[k] == 0x01 {
                    try streamContent(&k, &t, end, prefix: name)
                } else {
                    try streamLeaf(&k, &t, end, name: name)
                }
            default:
                // Text beside elements (or directly in a payload element).
                throw Fallback()
            }
        }
    }

    /// A leaf's texts and entity references from `k` to its end (0x04), as `leafText` renders
    /// them: an item named `name` when the text is not empty.
    mutating func streamLeaf(_ k: inout Int, _ t: inout Int, _ end: Int, name: Int32) throws(Fallback) {
        let start = text.count
        while true {
            guard k < end else { throw Fallback() }
            switch streams.key[k] {
            case 0x04:
                k += 1
                if text.count > start {
                    userData.append(EVTXDataItem(name: name, start: Int32(start), end: Int32(text.count)))
                    if userData.count > 512 { throw Fallback() }
                }
                return
            case 0x05:
                guard t < streams.texts.count else { throw Fallback() }
                let (p, n) = streams.texts[t]
                t += 1
                try append(FastValue(type: Self.textType, pos: p, size: n, nested: -1))
                k += 1
            case 0x09:
                guard k + 5 <= end else { throw Fallback() }
                let key = streams.key
                let id = Int32(bitPattern: UInt32(key[k + 1]) | UInt32(key[k + 2]) << 8 | UInt32(key[k + 3]) << 16 | UInt32(key[k + 4]) << 24)
                guard id >= 0, Int(id) < names.names.count else { throw Fallback() }
                try appendLiteral(.string(BinXMLReader.entity(names.name(id))))
                k += 5
            default:
                // An element after text: mixed content.
                throw Fallback()
            }
        }
    }

    /// The flags of name `id` (see `streamNameFlags`).
    mutating func streamNameFlags(_ id: Int32) throws(Fallback) -> UInt8 {
        guard id >= 0, Int(id) < names.names.count else { throw Fallback() }
        let i = Int(id)
        if i < streamNameFlags.count, streamNameFlags[i] != 0 { return streamNameFlags[i] }
        if i >= streamNameFlags.count { streamNameFlags.append(contentsOf: repeatElement(0, count: i + 1 - streamNameFlags.count)) }
        let n = names.name(id)
        var f: UInt8 = 1
        if n == "Data" { f |= 2 }
        if XElement.isPlainName(n) { f |= 4 }
        streamNameFlags[i] = f
        return f
    }
}
