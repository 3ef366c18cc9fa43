import SpoorCore
import SpoorEvents

/// Writes JSON text straight into byte buffers: the store's `fields` column and JSON Lines.
///
/// Strings are escaped per RFC 8259: `"` and `\` get a backslash, control characters
/// U+0000–U+001F use the short forms (`\n`, `\t`, …) or `\u00XX`. DEL (0x7F) is escaped too,
/// so a line never carries a raw control byte to a terminal. Everything else is copied as
/// UTF-8; input that is not valid UTF-8 is first written under the ``ByteText`` policy.
enum JSONText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` (valid UTF-8) as a quoted JSON string.
    @inline(__always)
    static func appendQuoted(utf8 b: Span<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        let n = b.count
        var runStart = 0
        while i < n {
            let c = b[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") && c != 0x7F { i += 1; continue }
            if runStart < i { appendRun(b, runStart, i, to: &out) }
            out.append(UInt8(ascii: "\\"))
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(UInt8(ascii: "u")); out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "0"))
                out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 0xF)])
            }
            i += 1
            runStart = i
        }
        if runStart < n { appendRun(b, runStart, n, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func appendRun(_ b: Span<UInt8>, _ lo: Int, _ hi: Int, to out: inout [UInt8]) {
        b.extracting(lo..<hi).withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }

    /// Appends arbitrary bytes as a quoted JSON string under the ``ByteText`` policy.
    @inline(__always)
    static func appendQuoted(bytes b: Span<UInt8>, to out: inout [UInt8]) {
        if ByteText.isPlain(b) {
            appendQuoted(utf8: b, to: &out)
        } else {
            var text = ByteText.string(b)
            text.withUTF8 { appendQuoted(utf8: Span(_unsafeElements: $0), to: &out) }
        }
    }

    /// Appends a `String` (already valid Unicode) as a quoted JSON string.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted(utf8: Span(_unsafeElements: $0), to: &out) }
    }

    /// Appends the decimal digits of `v`.
    @inline(__always)
    static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(UInt8(ascii: "0")); return }
        var m = v.magnitude
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes of scratch, enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while m > 0 { raw[23 - count] = UInt8(48 + m % 10); m /= 10; count += 1 }
            out.append(contentsOf: raw[(24 - count)...])
        }
    }

    /// Appends a double: the shortest text that reads back to the same value; non-finite
    /// values, which JSON cannot hold, as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    static func appendDouble(_ v: Double, to out: inout [UInt8]) {
        if v.isFinite {
            out.append(contentsOf: v.description.utf8)
        } else {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: FieldValue.format(v).utf8)
            out.append(UInt8(ascii: "\""))
        }
    }

    static func appendBool(_ v: Bool, to out: inout [UInt8]) {
        out.append(contentsOf: v ? "true".utf8 : "false".utf8)
    }
}
