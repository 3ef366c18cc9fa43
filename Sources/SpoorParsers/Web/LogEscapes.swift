import SpoorCore

/// The backslash escapes Apache (`ap_escape_logitem`) and nginx write inside access-log fields.
///
/// Both escape `"` and `\` and write other non-printable bytes as `\xHH`; Apache also uses
/// `\b \n \r \t \v \f`. Decoding gives back the bytes the client sent, which may be any bytes
/// at all (a TLS ClientHello sent to a plain-text port logs as `\x16\x03\x01…`); they are
/// stored under the ``ByteText`` policy. A backslash before anything else is kept as written.
enum LogEscapes {
    /// Whether `b[r]` holds a backslash (so needs decoding).
    @inline(__always)
    static func hasEscape(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        while i < r.upperBound {
            if b[i] == ASCII.backslash { return true }
            i += 1
        }
        return false
    }

    /// Appends the decoded bytes of `b[r]` to `out`.
    static func appendDecoded(_ b: Span<UInt8>, _ r: Range<Int>, to out: inout [UInt8]) {
        var i = r.lowerBound
        let end = r.upperBound
        while i < end {
            let c = b[i]
            guard c == ASCII.backslash, i + 1 < end else { out.append(c); i += 1; continue }
            let e = b[i + 1]
            switch e {
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                if i + 3 < end, let hi = hex(b[i + 2]), let lo = hex(b[i + 3]) {
                    out.append(hi << 4 | lo)
                    i += 4
                } else {
                    out.append(c); i += 1
                }
                continue
            case ASCII.quote, ASCII.backslash: out.append(e)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "f"): out.append(0x0C)
            default:
                out.append(c); i += 1
                continue
            }
            i += 2
        }
    }

    @inline(__always)
    static func hex(_ c: UInt8) -> UInt8? {
        if c &- 48 < 10 { return c &- 48 }
        let l = c | 0x20
        if l &- 97 < 6 { return l &- 87 }
        return nil
    }
}
