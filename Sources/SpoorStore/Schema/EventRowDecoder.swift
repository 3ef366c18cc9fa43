import SpoorCore
import SpoorEvents

/// Rebuilds an ``EventBatch`` from `events` rows: the fixed columns plus the `fields` JSON,
/// with every field's kind taken from the catalog (see ``StoreSchema``).
///
/// The JSON reader understands what ``EventRowEncoder`` writes (one flat object of strings,
/// numbers, booleans and string arrays) and rejects anything else with
/// ``StoreError/Code/corrupt`` instead of guessing, since a hand-edited case should fail loudly.
/// Strings are turned back into their original bytes (JSON escapes, then the ``ByteText``
/// escapes) and interned straight from the row's buffer when they hold neither.
struct EventRowDecoder {
    private(set) var builder = EventBatchBuilder()
    /// Field names; symbol `s` has kind `kinds[s]` and column `handles[s]` once seen.
    private var names = SymbolTable(capacity: 256)
    private var kinds: [FieldKind] = [.string]
    private var handles: [ColumnHandle?] = [nil]
    private var nameStrings: [String] = [""]
    private var promoted: [ColumnHandle?] = Array(repeating: nil, count: StoreSchema.Promoted.allCases.count)
    private var promotedSymbols: [UInt32] = []
    private var scratch: [UInt8] = []
    private var joined: [UInt8] = []
    private let paths: [Int64: [UInt8]]
    /// The `events.id` of the row being read, for error messages.
    private var eventID: Int64 = 0

    init(catalog: [FieldDescriptor], paths: [Int64: String]) {
        var raw: [Int64: [UInt8]] = [:]
        for (id, path) in paths { raw[id] = ByteText.decode(path) }
        self.paths = raw
        for f in catalog { _ = declare(f.name, f.kind) }
        for p in StoreSchema.Promoted.allCases { promotedSymbols.append(declare(p.name, p.kind)) }
    }

    private mutating func declare(_ name: String, _ kind: FieldKind) -> UInt32 {
        let s = names.intern(name)
        if Int(s) == kinds.count { kinds.append(kind); handles.append(nil); nameStrings.append(name) }
        return s
    }

    private mutating func handle(_ s: UInt32) -> ColumnHandle {
        if let h = handles[Int(s)] { return h }
        let h = builder.column(nameStrings[Int(s)], kinds[Int(s)])
        handles[Int(s)] = h
        return h
    }

    private func corrupt(_ what: String) -> StoreError {
        StoreError(.corrupt, "event \(eventID): \(what); the case was changed outside spoor")
    }

    /// Appends one `events` row: its fixed columns (nil where NULL) and its `fields` bytes.
    mutating func append(id: Int64, pathID: Int64?, record: Int64?, offset: Int64?, timestamp: Int64?,
                         organization: UnsafeBufferPointer<UInt8>?, parser: UnsafeBufferPointer<UInt8>?,
                         fields: UnsafeBufferPointer<UInt8>) throws(StoreError) {
        eventID = id
        builder.beginRow()
        do throws(StoreError) {
            if let v = timestamp { builder.set(handle(promotedSymbols[0]), timestamp: Timestamp(microseconds: v)) }
            if let v = record { builder.set(handle(promotedSymbols[1]), int: v) }
            if let v = offset { builder.set(handle(promotedSymbols[2]), int: v) }
            if let p = organization {
                let b = Span(_unsafeElements: p)
                try setText(handle(promotedSymbols[3]), b, 0..<b.count, json: false)
            }
            if let p = parser {
                let b = Span(_unsafeElements: p)
                try setText(handle(promotedSymbols[4]), b, 0..<b.count, json: false)
            }
            if let id = pathID {
                guard let path = paths[id] else { throw corrupt("unknown path id") }
                builder.set(handle(promotedSymbols[5]), bytes: path.span)
            }
            try decodeFields(Span(_unsafeElements: fields))
            builder.endRow()
        } catch {
            builder.cancelRow()
            throw error
        }
    }

    /// The finished batch.
    mutating func finish() -> EventBatch { builder.finish() }

    // MARK: The JSON object

    private mutating func decodeFields(_ b: Span<UInt8>) throws(StoreError) {
        var i = skip(b, 0)
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw corrupt("fields is not a JSON object") }
        i = skip(b, i + 1)
        if i < b.count, b[i] == UInt8(ascii: "}") { return }
        while true {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw corrupt("expected a field name") }
            let key = try stringRange(b, i)
            let s = try keySymbol(b, key)
            i = skip(b, key.end)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw corrupt("expected ':'") }
            i = try value(b, skip(b, i + 1), handle(s), kinds[Int(s)])
            i = skip(b, i)
            guard i < b.count else { throw corrupt("fields ends early") }
            if b[i] == UInt8(ascii: "}") { return }
            guard b[i] == UInt8(ascii: ",") else { throw corrupt("expected ',' or '}'") }
            i = skip(b, i + 1)
        }
    }

    private mutating func keySymbol(_ b: Span<UInt8>, _ key: StringRange) throws(StoreError) -> UInt32 {
        let raw = key.range
        if !key.hasEscapes, let s = names.lookup(b.extracting(raw)) { return s }
        // Names are Unicode text (Swift strings); only JSON escapes can occur in them.
        scratch.removeAll(keepingCapacity: true)
        try unescape(b, raw, into: &scratch, decodeByteText: false)
        if let s = names.lookup(scratch.span) { return s }
        // A field missing from the catalog (hand-edited case): keep it, as a string.
        return declare(String(decoding: scratch, as: UTF8.self), .string)
    }

    /// Reads one value at `i` into column `h` of kind `kind`; returns the index after it.
    private mutating func value(_ b: Span<UInt8>, _ i: Int, _ h: ColumnHandle, _ kind: FieldKind) throws(StoreError) -> Int {
        guard i < b.count else { throw corrupt("fields ends early") }
        let c = b[i]
        if c == UInt8(ascii: "\"") {
            let str = try stringRange(b, i)
            switch kind {
            case .string:
                if str.isPlain { builder.set(h, bytes: b.extracting(str.range)) } else { try setText(h, b, str.range) }
            case .ip:
                guard !str.hasEscapes, let a = IPAddress.parse(b.extracting(str.range)) else { throw corrupt("an ip field holds a non-address") }
                builder.set(h, ip: a)
            case .double:
                guard let d = Self.nonFinite(b, str.range) else { throw corrupt("a double field holds text") }
                builder.set(h, double: d)
            default:
                throw corrupt("a \(kind) field holds text")
            }
            return str.end
        }
        if c == UInt8(ascii: "[") { return try list(b, i, h, kind) }
        if c == UInt8(ascii: "t") || c == UInt8(ascii: "f") || c == UInt8(ascii: "n") {
            let word: StaticString = c == UInt8(ascii: "t") ? "true" : (c == UInt8(ascii: "f") ? "false" : "null")
            guard Bytes.hasPrefix(b, word, at: i) else { throw corrupt("bad literal") }
            let end = i + word.utf8CodeUnitCount
            if c == UInt8(ascii: "n") { return end }
            switch kind {
            case .bool: builder.set(h, bool: c == UInt8(ascii: "t"))
            case .string: builder.set(h, bytes: b.extracting(i..<end))
            default: throw corrupt("a \(kind) field holds a boolean")
            }
            return end
        }
        // A number.
        var end = i
        var isInteger = true
        while end < b.count {
            let d = b[end]
            if Bytes.isDigit(d) || d == UInt8(ascii: "-") { end += 1; continue }
            if d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") || d == UInt8(ascii: "+") {
                isInteger = false; end += 1; continue
            }
            break
        }
        guard end > i else { throw corrupt("unexpected byte in fields") }
        switch kind {
        case .int, .timestamp:
            guard isInteger, let v = Bytes.int(b, i..<end) else { throw corrupt("a \(kind) field holds a non-integer") }
            if kind == .int { builder.set(h, int: v) } else { builder.set(h, timestamp: Timestamp(microseconds: v)) }
        case .double:
            guard let v = Bytes.double(b, i..<end) else { throw corrupt("a double field holds a bad number") }
            builder.set(h, double: v)
        case .string:
            builder.set(h, bytes: b.extracting(i..<end))
        default:
            throw corrupt("a \(kind) field holds a number")
        }
        return end
    }

    private mutating func list(_ b: Span<UInt8>, _ start: Int, _ h: ColumnHandle, _ kind: FieldKind) throws(StoreError) -> Int {
        guard kind == .stringList || kind == .string else { throw corrupt("a \(kind) field holds a list") }
        if kind == .stringList { builder.beginList(h) }
        joined.removeAll(keepingCapacity: true)
        var i = skip(b, start + 1)
        var first = true
        while true {
            guard i < b.count else { throw corrupt("a list ends early") }
            if b[i] == UInt8(ascii: "]") { i += 1; break }
            if !first {
                guard b[i] == UInt8(ascii: ",") else { throw corrupt("expected ',' in a list") }
                i = skip(b, i + 1)
            }
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw corrupt("a list item is not a string") }
            let str = try stringRange(b, i)
            scratch.removeAll(keepingCapacity: true)
            if str.isPlain { b.extracting(str.range).withUnsafeBufferPointer { scratch.append(contentsOf: $0) } }
            else { try unescape(b, str.range, into: &scratch, decodeByteText: true) }
            if kind == .stringList {
                let item = scratch // a second reference for the call's duration; no copy is made
                builder.appendToList(h, bytes: item.span)
            } else {
                if !first { joined.append(UInt8(ascii: ",")) }
                joined.append(contentsOf: scratch)
            }
            first = false
            i = skip(b, str.end)
        }
        if kind == .string {
            let text = joined
            builder.set(h, bytes: text.span)
        }
        return i
    }

    // MARK: Strings

    struct StringRange {
        /// The bytes between the quotes.
        var range: Range<Int>
        /// The index after the closing quote.
        var end: Int
        var hasEscapes: Bool
        /// Neither JSON escapes nor ByteText escapes: the bytes are the value.
        var isPlain: Bool
    }

    /// Finds the string starting at the quote at `i`.
    private func stringRange(_ b: Span<UInt8>, _ i: Int) throws(StoreError) -> StringRange {
        var j = i + 1
        var escapes = false, byteText = false
        while j < b.count {
            let c = b[j]
            if c == UInt8(ascii: "\"") {
                return StringRange(range: (i + 1)..<j, end: j + 1, hasEscapes: escapes, isPlain: !escapes && !byteText)
            }
            if c == UInt8(ascii: "\\") { escapes = true; j += 2; continue }
            if c == 0xEE { byteText = true }
            j += 1
        }
        throw corrupt("a string is not terminated")
    }

    /// Sets a string column from text stored under the ByteText policy, possibly JSON-escaped.
    private mutating func setText(_ h: ColumnHandle, _ b: Span<UInt8>, _ range: Range<Int>, json: Bool = true) throws(StoreError) {
        scratch.removeAll(keepingCapacity: true)
        try unescape(b, range, into: &scratch, decodeByteText: true, json: json)
        let text = scratch // a second reference for the call's duration; no copy is made
        builder.set(h, bytes: text.span)
    }

    /// Copies `b[range]` to `out`, undoing JSON escapes and, if asked, ByteText escapes
    /// (U+EF80…U+EFFF, bytes `EE BE xx` / `EE BF xx`, stand for the byte 0x80…0xFF).
    private func unescape(_ b: Span<UInt8>, _ range: Range<Int>, into out: inout [UInt8], decodeByteText: Bool,
                          json: Bool = true) throws(StoreError) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = b[i]
            if c == 0xEE, decodeByteText, i + 2 < end, b[i + 1] == 0xBE || b[i + 1] == 0xBF {
                out.append(b[i + 1] == 0xBE ? b[i + 2] : b[i + 2] &+ 0x40)
                i += 3
                continue
            }
            guard json, c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < end else { throw corrupt("a string ends in a backslash") }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = Bytes.hex4(b, i, end: end) else { throw corrupt("a bad \\u escape") }
                i += 4
                if scalar >= 0xD800, scalar < 0xDC00, i + 6 <= end, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                   let low = Bytes.hex4(b, i + 2, end: end), low >= 0xDC00, low < 0xE000 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                if decodeByteText, u.value >= 0xEF80, u.value <= 0xEFFF {
                    out.append(UInt8(u.value - 0xEF00))
                } else {
                    out.append(contentsOf: String(u).utf8)
                }
            default: out.append(e) // \" \\ \/
            }
        }
    }

    private static func nonFinite(_ b: Span<UInt8>, _ r: Range<Int>) -> Double? {
        if Bytes.equals(b, r, "NaN") { return .nan }
        if Bytes.equals(b, r, "Infinity") { return .infinity }
        if Bytes.equals(b, r, "-Infinity") { return -.infinity }
        return nil
    }

    @inline(__always)
    private func skip(_ b: Span<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }
}
