/// spoor's one policy for bytes that are not valid UTF-8.
///
/// Logs are written by attackers and by broken software, so a field can hold any bytes.
/// Inside spoor a string field *is* its bytes. Where text must be valid Unicode (JSON, CSV,
/// SQLite TEXT, Parquet UTF8, a terminal), each byte of an invalid sequence is written as the
/// private-use character U+EF00 + byte (so `0xFF` becomes U+EFFF), the "OPTU-8" convention of
/// mksh. To keep the mapping reversible, a valid U+EF80…U+EFFF in the input is escaped byte by
/// byte too. ``decode(_:)`` therefore returns the exact original bytes for every input, and
/// valid UTF-8 without those rare characters passes through unchanged.
///
/// The escaped form is valid UTF-8, so it survives SQLite, JSON, CSV and Parquet unchanged,
/// and a reader who does not know the policy still sees readable text with odd glyphs where
/// the bad bytes were.
public enum ByteText {
    /// Whether `bytes` are valid UTF-8 that needs no escaping (the fast, common case).
    @inline(__always)
    public static func isPlain(_ b: Span<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let len = sequenceLength(b, i)
            if len == 0 { return false }
            if len == 3, c == 0xEE, b[i + 1] >= 0xBE { return false } // U+EF80…U+EFFF
            i += len
        }
        return true
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when it is not valid
    /// (overlong forms, surrogates and values past U+10FFFF are invalid, per RFC 3629).
    @inline(__always)
    static func sequenceLength(_ b: Span<UInt8>, _ i: Int) -> Int {
        let n = b.count
        let c = b[i]
        func cont(_ k: Int) -> Bool { k < n && b[k] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1) && b[i + 1] >= 0xA0 && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1) && b[i + 1] < 0xA0 && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1) && b[i + 1] >= 0x90 && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1) && b[i + 1] < 0x90 && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }

    /// Text for `bytes` under the policy.
    public static func string(_ b: Span<UInt8>) -> String {
        if isPlain(b) {
            return String(unsafeUninitializedCapacity: b.count) { out in
                for i in 0..<b.count { out[i] = b[i] }
                return b.count
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 16)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { out.append(c); i += 1; continue }
            let len = sequenceLength(b, i)
            let escapeAll = len == 3 && c == 0xEE && b[i + 1] >= 0xBE
            if len == 0 || escapeAll {
                let count = len == 0 ? 1 : len
                for k in i..<(i + count) { appendEscaped(b[k], to: &out) }
                i += count
            } else {
                for k in i..<(i + len) { out.append(b[k]) }
                i += len
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text for a byte array under the policy.
    public static func string(_ bytes: [UInt8]) -> String { string(bytes.span) }

    /// U+EF00 + byte, as UTF-8: EE BC|BD|BE|BF xx.
    @inline(__always)
    static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        let scalar = 0xEF00 + UInt32(byte)
        out.append(0xE0 | UInt8(scalar >> 12))
        out.append(0x80 | UInt8((scalar >> 6) & 0x3F))
        out.append(0x80 | UInt8(scalar & 0x3F))
    }

    /// The original bytes of text written under the policy.
    public static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v >= 0xEF80, v <= 0xEFFF {
                out.append(UInt8(v - 0xEF00))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// Whether decoded text holds escaped bytes (it came from invalid UTF-8).
    public static func hasEscapes(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value >= 0xEF80 && $0.value <= 0xEFFF }
    }
}
