
/// A strict RFC 8259 JSON parser over bytes, with a nesting limit.
///
/// Logs are hostile: nesting is bounded (``maximumDepth``), invalid UTF-8 inside strings is
/// kept under the ``ByteText`` policy rather than rejected, and every error carries the byte
/// offset. Lone surrogate escapes (`\ud800`) become U+FFFD, as most JSON readers do.
public struct JSONParser: Sendable {
    public var maximumDepth: Int

    public init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one complete JSON text (whitespace around it allowed).
    public func parse(_ b: Span<UInt8>) throws(ParseError) -> JSONValue {
        var i = 0
        skipSpace(b, &i)
        let v = try value(b, &i, depth: 0)
        skipSpace(b, &i)
        guard i == b.count else { throw ParseError(.badField, at: i, "unexpected bytes after the JSON value") }
        return v
    }

    @inline(__always)
    func skipSpace(_ b: Span<UInt8>, _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    func value(_ b: Span<UInt8>, _ i: inout Int, depth: Int) throws(ParseError) -> JSONValue {
        guard i < b.count else { throw ParseError(.truncated, at: i, "JSON value expected") }
        switch b[i] {
        case UInt8(ascii: "{"):
            guard depth < maximumDepth else { throw ParseError(.tooDeep, at: i, "JSON nested deeper than \(maximumDepth)") }
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace(b, &i)
                guard i < b.count, b[i] == Bytes.quote else { throw ParseError(.badField, at: i, "object key expected") }
                let key = try string(b, &i)
                skipSpace(b, &i)
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw ParseError(.badField, at: i, "':' expected") }
                i += 1
                skipSpace(b, &i)
                let v = try value(b, &i, depth: depth + 1)
                members.append((key, v))
                skipSpace(b, &i)
                guard i < b.count else { throw ParseError(.truncated, at: i, "unterminated object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw ParseError(.badField, at: i, "',' or '}' expected")
            }
        case UInt8(ascii: "["):
            guard depth < maximumDepth else { throw ParseError(.tooDeep, at: i, "JSON nested deeper than \(maximumDepth)") }
            i += 1
            var items: [JSONValue] = []
            skipSpace(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace(b, &i)
                items.append(try value(b, &i, depth: depth + 1))
                skipSpace(b, &i)
                guard i < b.count else { throw ParseError(.truncated, at: i, "unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw ParseError(.badField, at: i, "',' or ']' expected")
            }
        case Bytes.quote:
            return .string(try string(b, &i))
        case UInt8(ascii: "t"):
            guard Bytes.hasPrefix(b, "true", at: i) else { throw ParseError(.badField, at: i, "invalid literal") }
            i += 4; return .bool(true)
        case UInt8(ascii: "f"):
            guard Bytes.hasPrefix(b, "false", at: i) else { throw ParseError(.badField, at: i, "invalid literal") }
            i += 5; return .bool(false)
        case UInt8(ascii: "n"):
            guard Bytes.hasPrefix(b, "null", at: i) else { throw ParseError(.badField, at: i, "invalid literal") }
            i += 4; return .null
        default:
            return .number(try number(b, &i))
        }
    }

    func number(_ b: Span<UInt8>, _ i: inout Int) throws(ParseError) -> String {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        var intDigits = 0
        while i < b.count, Bytes.isDigit(b[i]) { i += 1; intDigits += 1 }
        guard intDigits > 0 else { throw ParseError(.badField, at: start, "JSON value expected") }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var f = 0
            while i < b.count, Bytes.isDigit(b[i]) { i += 1; f += 1 }
            guard f > 0 else { throw ParseError(.badField, at: i, "digits expected after '.'") }
        }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            var e = 0
            while i < b.count, Bytes.isDigit(b[i]) { i += 1; e += 1 }
            guard e > 0 else { throw ParseError(.badField, at: i, "digits expected in exponent") }
        }
        guard i - start <= 64 else { throw ParseError(.badField, at: start, "number longer than 64 characters") }
        return Bytes.string(b, start..<i)
    }

    /// Reads a string literal at `b[i] == '"'`; leaves `i` after the closing quote.
    func string(_ b: Span<UInt8>, _ i: inout Int) throws(ParseError) -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count, b[i] != Bytes.quote, b[i] != Bytes.backslash { i += 1 }
        guard i < b.count else { throw ParseError(.truncated, at: open, "unterminated string") }
        if b[i] == Bytes.quote {
            i += 1
            return Bytes.string(b, start..<(i - 1))
        }
        var out: [UInt8] = []
        out.reserveCapacity(i - start + 16)
        for k in start..<i { out.append(b[k]) }
        while i < b.count {
            let c = b[i]
            if c == Bytes.quote { i += 1; return ByteText.string(out) }
            if c == Bytes.backslash {
                guard i + 1 < b.count else { break }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let u = Bytes.hex4(b, i, end: b.count) else { throw ParseError(.badField, at: i, "bad \\u escape") }
                    i += 4
                    var scalar = u
                    if (0xD800...0xDBFF).contains(u) {
                        if i + 6 <= b.count, b[i] == Bytes.backslash, b[i + 1] == UInt8(ascii: "u"),
                           let lo = Bytes.hex4(b, i + 2, end: b.count), (0xDC00...0xDFFF).contains(lo) {
                            scalar = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                            i += 6
                        } else { scalar = 0xFFFD }
                    } else if (0xDC00...0xDFFF).contains(u) { scalar = 0xFFFD }
                    if let s = Unicode.Scalar(scalar) { out.append(contentsOf: String(s).utf8) }
                default:
                    throw ParseError(.badField, at: i - 1, "bad escape in string")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw ParseError(.truncated, at: open, "unterminated string")
    }
}
