import Foundation
import SpoorCore

/// One test of a field value, after the modifiers are applied.
public enum ValueTest: Sendable, Hashable {
    /// A string pattern (wildcards, case folding, encodings already applied).
    case pattern(BytePattern)
    /// `re` (with its `i`, `m`, `s` flags): unanchored search.
    case regex(String, ignoreCase: Bool, multiline: Bool, dotAll: Bool)
    /// `cidr`: the value is an address inside the network.
    case cidr(IPNetwork)
    /// `lt`, `lte`, `gt`, `gte`: the value is a number that compares so.
    case compare(SigmaCorrelation.Comparison, Double)
    /// `minute` … `year`: the value is a time whose component equals the number.
    case timeComponent(SigmaModifier, Int)
}

/// A search item compiled: what must hold of one field (or, for keywords, of the event).
public struct LeafSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Value tests. Each group is an OR of alternatives (one value and its expansions:
        /// `windash`, `base64offset`); groups are OR-linked, or AND-linked with `all`.
        case values(groups: [[ValueTest]], all: Bool)
        /// `null`: the field is absent or null.
        case null
        /// `exists: true|false`.
        case exists(Bool)
        /// `fieldref`: the value equals (or starts/ends with, contains) another field's value.
        case fieldRef(fields: [String], shape: FieldRefShape, cased: Bool, all: Bool)
    }

    public enum FieldRefShape: Sendable, Hashable { case equal, prefix, suffix, contains }

    /// The field as the rule names it; `nil` for keywords (matched against every text value).
    public var field: String?
    public var kind: Kind
    /// `neq` (v2.1): the item holds when its test does not.
    public var negated: Bool
}

/// Compiles a search item's value and modifier chain (Sigma specification v2.1.0, appendix
/// "Modifiers") into a ``LeafSpec``.
struct SigmaValueCompiler {
    /// Values for `expand` placeholders (`%Admins_Workstations%` → its values).
    var placeholders: [String: [String]] = [:]

    struct Failure: Error {
        var message: String
        /// Valid Sigma that spoor will not run (an unresolved placeholder, say), not an error.
        var unsupported: Bool
    }

    func compile(_ item: SigmaFieldItem) throws(Failure) -> LeafSpec {
        let mods = item.modifiers
        let negated = mods.contains(.neq)
        let all = mods.contains(.all)
        // exists
        if mods.contains(.exists) {
            guard item.values.count == 1, item.values[0].kind == .bool else {
                throw Failure(message: "'exists' takes the single value true or false", unsupported: false)
            }
            guard mods.count == 1 else { throw Failure(message: "'exists' cannot be combined with other modifiers", unsupported: false) }
            return LeafSpec(field: item.field, kind: .exists(item.values[0].comparisonText == "true"), negated: false)
        }
        // null: absent or null (the spec: `null` stands alone).
        if item.values.count == 1, item.values[0].kind == .null, mods.filter({ $0 != .neq }).isEmpty {
            return LeafSpec(field: item.field, kind: .null, negated: negated)
        }
        if item.values.contains(where: { $0.kind == .null }) {
            throw Failure(message: "'null' must be the only value of its item (spec §null)", unsupported: false)
        }
        if mods.contains(.fieldref) {
            var shape = LeafSpec.FieldRefShape.equal
            let starts = mods.contains(.startswith), ends = mods.contains(.endswith)
            if mods.contains(.contains) || (starts && ends) { shape = .contains } else if starts { shape = .prefix } else if ends { shape = .suffix }
            let allowed: Set<SigmaModifier> = [.fieldref, .contains, .startswith, .endswith, .cased, .all, .neq]
            if let bad = mods.first(where: { !allowed.contains($0) }) {
                throw Failure(message: "'fieldref' cannot be combined with '\(bad.rawValue)'", unsupported: false)
            }
            return LeafSpec(field: item.field, kind: .fieldRef(fields: item.values.map(\.text), shape: shape, cased: mods.contains(.cased), all: all),
                            negated: negated)
        }
        var groups: [[ValueTest]] = []
        for value in item.values {
            groups.append(try tests(value, mods))
        }
        return LeafSpec(field: item.field, kind: .values(groups: groups, all: all), negated: negated)
    }

    /// The alternatives one value stands for after the modifier chain.
    func tests(_ value: SigmaScalar, _ mods: [SigmaModifier]) throws(Failure) -> [ValueTest] {
        // Modifiers that take the value as something other than a string.
        if mods.contains(.re) {
            let allowed: Set<SigmaModifier> = [.re, .i, .ignorecase, .m, .multiline, .s, .dotall, .all, .neq]
            if let bad = mods.first(where: { !allowed.contains($0) }) {
                throw Failure(message: "'re' cannot be combined with '\(bad.rawValue)'", unsupported: false)
            }
            return [.regex(value.text, ignoreCase: mods.contains(.i) || mods.contains(.ignorecase),
                           multiline: mods.contains(.m) || mods.contains(.multiline),
                           dotAll: mods.contains(.s) || mods.contains(.dotall))]
        }
        if let bad = mods.first(where: \.isRegexFlag) {
            throw Failure(message: "'\(bad.rawValue)' is a sub-modifier of 're'", unsupported: false)
        }
        if mods.contains(.cidr) {
            guard let net = IPNetwork(value.text) else {
                throw Failure(message: "'\(value.text)' is not an IPv4 or IPv6 network", unsupported: false)
            }
            return [.cidr(net)]
        }
        for op in [SigmaModifier.lt, .lte, .gt, .gte] where mods.contains(op) {
            guard let n = value.number ?? Double(value.text) else {
                throw Failure(message: "'\(op.rawValue)' needs a number, not '\(value.text)'", unsupported: false)
            }
            let c: SigmaCorrelation.Comparison = op == .lt ? .lt : op == .lte ? .lte : op == .gt ? .gt : .gte
            return [.compare(c, n)]
        }
        for t in [SigmaModifier.minute, .hour, .day, .week, .month, .year] where mods.contains(t) {
            guard let n = value.number, n == n.rounded() else {
                throw Failure(message: "'\(t.rawValue)' needs a whole number, not '\(value.text)'", unsupported: false)
            }
            return [.timeComponent(t, Int(n))]
        }

        // Strings: parse wildcards and escapes, then apply the chain left to right.
        var variants: [[BytePattern.Piece]]
        if value.kind == .string {
            variants = [SigmaValueCompiler.pieces(value.text)]
        } else {
            variants = [[.literal(Array(value.comparisonText.utf8))]]
        }
        var cased = false
        for m in mods {
            switch m {
            case .contains:
                variants = variants.map { p in
                    var p = p
                    if p.first != .anyRun { p.insert(.anyRun, at: 0) }
                    if p.last != .anyRun { p.append(.anyRun) }
                    return p
                }
            case .startswith:
                variants = variants.map { $0.last == .anyRun ? $0 : $0 + [.anyRun] }
            case .endswith:
                variants = variants.map { $0.first == .anyRun ? $0 : [.anyRun] + $0 }
            case .wide, .utf16le:
                variants = variants.map { $0.map(Self.utf16LE) }
            case .utf16be:
                variants = variants.map { $0.map(Self.utf16BE) }
            case .utf16:
                variants = variants.map { [.literal([0xFF, 0xFE])] + $0.map(Self.utf16LE) }
            case .base64:
                var out: [[BytePattern.Piece]] = []
                for p in variants { out.append([.literal(Array(Data(try Self.plain(p, m)).base64EncodedString().utf8))]) }
                variants = out
            case .base64offset:
                var out: [[BytePattern.Piece]] = []
                for p in variants { for v in Self.base64Offsets(try Self.plain(p, m)) { out.append([.literal(v)]) } }
                variants = out
            case .windash:
                variants = variants.flatMap(Self.windash)
            case .expand:
                var out: [[BytePattern.Piece]] = []
                for p in variants { out += try expand(p) }
                variants = out
            case .cased:
                cased = true
            case .all, .neq:
                continue
            default:
                throw Failure(message: "the modifier '\(m.rawValue)' does not apply to a string value", unsupported: false)
            }
        }
        var seen = Set<BytePattern>()
        var out: [ValueTest] = []
        for v in variants {
            let folded = cased ? v : v.map { piece in
                if case .literal(let l) = piece { return .literal(CaseFold.fold(l)) }
                return piece
            }
            let p = BytePattern(pieces: folded, cased: cased)
            if seen.insert(p).inserted { out.append(.pattern(p)) }
        }
        return out
    }

    /// Parses a Sigma string: `*` and `?` are wildcards; `\` escapes `*`, `?` and `\`; a `\`
    /// before any other character, or at the end, is a literal backslash (spec §"Escaping";
    /// pySigma's `SigmaString`).
    static func pieces(_ text: String) -> [BytePattern.Piece] {
        let u = Array(text.utf8)
        var out: [BytePattern.Piece] = []
        var lit: [UInt8] = []
        var k = 0
        func flush() { if !lit.isEmpty { out.append(.literal(lit)); lit.removeAll() } }
        while k < u.count {
            let c = u[k]
            if c == UInt8(ascii: "\\"), k + 1 < u.count, [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "\\")].contains(u[k + 1]) {
                lit.append(u[k + 1]); k += 2; continue
            }
            if c == UInt8(ascii: "*") { flush(); out.append(.anyRun) }
            else if c == UInt8(ascii: "?") { flush(); out.append(.anyCharacter) }
            else { lit.append(c) }
            k += 1
        }
        flush()
        return out
    }

    static func plain(_ p: [BytePattern.Piece], _ m: SigmaModifier) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        for piece in p {
            guard case .literal(let l) = piece else {
                throw Failure(message: "'\(m.rawValue)' cannot encode a value with wildcards", unsupported: false)
            }
            out += l
        }
        return out
    }

    static func utf16LE(_ piece: BytePattern.Piece) -> BytePattern.Piece {
        guard case .literal(let l) = piece else { return piece }
        var out: [UInt8] = []
        for u in String(decoding: l, as: UTF8.self).utf16 { out.append(UInt8(u & 0xFF)); out.append(UInt8(u >> 8)) }
        return .literal(out)
    }

    static func utf16BE(_ piece: BytePattern.Piece) -> BytePattern.Piece {
        guard case .literal(let l) = piece else { return piece }
        var out: [UInt8] = []
        for u in String(decoding: l, as: UTF8.self).utf16 { out.append(UInt8(u >> 8)); out.append(UInt8(u & 0xFF)) }
        return .literal(out)
    }

    /// `base64offset`: the three encodings of `v` at offsets 0, 1 and 2 in a base64 stream,
    /// keeping only the characters that do not depend on the neighbours (spec appendix
    /// "Modifiers"; pySigma: prefix `i` spaces, slice `[start[i] : end[(len+i) % 3]]` with
    /// start (0, 2, 3) and end (none, −3, −2)).
    static func base64Offsets(_ v: [UInt8]) -> [[UInt8]] {
        let starts = [0, 2, 3], ends = [0, -3, -2]
        var out: [[UInt8]] = []
        for i in 0..<3 {
            let encoded = Array(Data(Array(repeating: UInt8(ascii: " "), count: i) + v).base64EncodedString().utf8)
            let end = ends[(v.count + i) % 3]
            let upper = end == 0 ? encoded.count : encoded.count + end
            let lower = starts[i]
            out.append(lower < upper ? Array(encoded[lower..<upper]) : [])
        }
        return out
    }

    /// `windash`: every `-` or `/` that starts a flag (regex `\B[-/]\b`) becomes each of
    /// `-`, `/`, en dash, em dash and horizontal bar; all combinations (pySigma).
    static func windash(_ p: [BytePattern.Piece]) -> [[BytePattern.Piece]] {
        let dashes: [[UInt8]] = [[0x2D], [0x2F], [0xE2, 0x80, 0x93], [0xE2, 0x80, 0x94], [0xE2, 0x80, 0x95]]
        // Positions over the whole text; wildcards count as non-word characters.
        var flat: [(UInt8?, BytePattern.Piece?)] = []
        for piece in p {
            if case .literal(let l) = piece { for b in l { flat.append((b, nil)) } } else { flat.append((nil, piece)) }
        }
        func isWord(_ i: Int) -> Bool {
            guard i >= 0, i < flat.count, let b = flat[i].0 else { return false }
            return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
        }
        var sites: [Int] = []
        for i in flat.indices {
            guard let b = flat[i].0, b == 0x2D || b == 0x2F else { continue }
            // \B before a non-word char: the previous char is non-word too (or the start).
            if !isWord(i - 1) && isWord(i + 1) { sites.append(i) }
        }
        guard !sites.isEmpty, sites.count <= 6 else { return [p] }
        var out: [[BytePattern.Piece]] = []
        var choice = [Int](repeating: 0, count: sites.count)
        while true {
            var pieces: [BytePattern.Piece] = []
            var lit: [UInt8] = []
            var site = 0
            for (i, item) in flat.enumerated() {
                if let b = item.0 {
                    if site < sites.count, sites[site] == i { lit += dashes[choice[site]]; site += 1 } else { lit.append(b) }
                } else if let piece = item.1 {
                    if !lit.isEmpty { pieces.append(.literal(lit)); lit.removeAll() }
                    pieces.append(piece)
                }
            }
            if !lit.isEmpty { pieces.append(.literal(lit)) }
            out.append(pieces)
            var k = 0
            while k < choice.count {
                choice[k] += 1
                if choice[k] < dashes.count { break }
                choice[k] = 0; k += 1
            }
            if k == choice.count { break }
        }
        return out
    }

    /// `expand`: `%name%` placeholders replaced by their values (each value one alternative).
    /// A placeholder without values makes the rule unsupported (spec: a tool that cannot
    /// resolve a placeholder must not run the rule). `\%` is a literal percent sign.
    func expand(_ p: [BytePattern.Piece]) throws(Failure) -> [[BytePattern.Piece]] {
        var results: [[BytePattern.Piece]] = [[]]
        for piece in p {
            guard case .literal(let l) = piece else {
                results = results.map { $0 + [piece] }
                continue
            }
            var k = 0
            var lit: [UInt8] = []
            while k < l.count {
                if l[k] == UInt8(ascii: "\\"), k + 1 < l.count, l[k + 1] == UInt8(ascii: "%") { lit.append(UInt8(ascii: "%")); k += 2; continue }
                if l[k] == UInt8(ascii: "%"), let close = l[(k + 1)...].firstIndex(of: UInt8(ascii: "%")) {
                    let name = String(decoding: l[(k + 1)..<close], as: UTF8.self)
                    guard let values = placeholders[name] ?? placeholders[name.lowercased()], !values.isEmpty else {
                        throw Failure(message: "the placeholder %\(name)% has no values (give them with a placeholder file)", unsupported: true)
                    }
                    let prefix = lit
                    lit.removeAll()
                    results = results.flatMap { r in
                        values.map { v in r + [.literal(prefix)] + Self.pieces(v) }
                    }
                    k = close + 1
                    continue
                }
                lit.append(l[k]); k += 1
            }
            results = results.map { $0 + [.literal(lit)] }
        }
        return results
    }
}
