import Foundation
import SpoorCore

// The direct path's value text: BinXML values rendered as the evtx_dump JSON shape gives them.

extension EVTXViewWalker {
    // MARK: value text

    @inline(__always) func u16(_ p: Int) -> UInt16 { UInt16(data[p]) | UInt16(data[p + 1]) << 8 }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
    }
    @inline(__always) func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }

    /// The most text one record may render here. Values are copied into the buffer, where the
    /// JSON rendering shares the template's strings, so a hostile record that instantiates a big
    /// template many times is left to the JSON path.
    static let maximumText = 1 << 24

    @inline(__always) func checkSize() throws(Fallback) {
        if text.count > Self.maximumText { throw Fallback() }
    }

    /// A literal text piece of a template (`EVTXJSON.text` of it).
    mutating func appendLiteral(_ v: JSONValue) throws(Fallback) {
        try checkSize()
        if case .string(let s) = v { text.append(contentsOf: s.utf8) } else { text.append(contentsOf: EVTXJSON.text(v).utf8) }
    }

    mutating func appendDecimal(_ v: UInt64, negative: Bool = false) {
        if negative { text.append(0x2d) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[19 - n] = 0x30 + UInt8(x % 10); x /= 10; n += 1 } while x > 0
            // A typed buffer: `append(contentsOf:)` of a raw buffer's slice takes the generic,
            // byte-by-byte path.
            Self.append(&text, d, from: 20 - n, count: n)
        }
    }

    mutating func appendSigned(_ v: Int64) {
        appendDecimal(v.magnitude, negative: v < 0)
    }

    /// Appends `count` bytes of `raw` from `start` to `text` (one copy).
    @inline(__always) static func append(_ text: inout [UInt8], _ raw: UnsafeMutableRawBufferPointer, from start: Int, count: Int) {
        guard let base = raw.baseAddress, start >= 0, count >= 0, start + count <= raw.count else { return }
        text.append(contentsOf: UnsafeBufferPointer(start: (base + start).assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// The upper-case hex digit of `d` (0…15).
    @inline(__always) static func upperHex(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 &+ d : 0x37 &+ d }

    /// `0x` and lower-case hex digits without leading zeros.
    mutating func appendHex(_ v: UInt64) {
        text.append(0x30); text.append(0x78)
        let digits = max(1, (64 - v.leadingZeroBitCount + 3) / 4)
        for k in stride(from: digits - 1, through: 0, by: -1) {
            let d = UInt8(truncatingIfNeeded: (v >> (4 * UInt64(k))) & 15)
            text.append(d < 10 ? 0x30 &+ d : 0x57 &+ d)
        }
    }

    /// UTF-16LE code units as UTF-8 (ill-formed units become U+FFFD, as `String(decoding:as:)`).
    mutating func appendUTF16(_ p: Int, count n: Int) {
        guard n > 0 else { return }
        data.withUnsafeBufferPointer { b in
            // ASCII (the usual case) is written in place; the first other unit ends that.
            let base = text.count
            // Room for `n` bytes, copied from a buffer of zeros (appending `repeatElement`
            // takes the generic path, element by element).
            var left = n
            zeros.withUnsafeBufferPointer { z in
                while left > 0 {
                    let k = min(left, z.count)
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: z[0..<k]))
                    left -= k
                }
            }
            var ascii = 0
            text.withUnsafeMutableBufferPointer { t in
                guard let src = UnsafeRawPointer(b.baseAddress), let dst = t.baseAddress else { return }
                // Four units at a time while all are ASCII (each unit's high byte 0, low < 0x80).
                while ascii + 4 <= n {
                    let w = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: p + 2 * ascii, as: UInt64.self))
                    if w & 0xff80_ff80_ff80_ff80 != 0 { break }
                    dst[base + ascii] = UInt8(truncatingIfNeeded: w)
                    dst[base + ascii + 1] = UInt8(truncatingIfNeeded: w >> 16)
                    dst[base + ascii + 2] = UInt8(truncatingIfNeeded: w >> 32)
                    dst[base + ascii + 3] = UInt8(truncatingIfNeeded: w >> 48)
                    ascii += 4
                }
                while ascii < n {
                    let lo = b[p + 2 * ascii]
                    if lo >= 0x80 || b[p + 2 * ascii + 1] != 0 { break }
                    t[base + ascii] = lo
                    ascii += 1
                }
            }
            if ascii == n { return }
            text.removeSubrange((base + ascii)...)
            var k = ascii
            while k < n {
                let u = UInt32(b[p + 2 * k]) | UInt32(b[p + 2 * k + 1]) << 8
                k += 1
                if u < 0x80 {
                    text.append(UInt8(u))
                } else if u < 0x800 {
                    text.append(0xc0 | UInt8(u >> 6)); text.append(0x80 | UInt8(u & 0x3f))
                } else if u & 0xfc00 == 0xd800, k < n,
                          case let l = UInt32(b[p + 2 * k]) | UInt32(b[p + 2 * k + 1]) << 8, l & 0xfc00 == 0xdc00 {
                    k += 1
                    let c = 0x10000 + ((u & 0x3ff) << 10) + (l & 0x3ff)
                    text.append(0xf0 | UInt8(c >> 18)); text.append(0x80 | UInt8((c >> 12) & 0x3f))
                    text.append(0x80 | UInt8((c >> 6) & 0x3f)); text.append(0x80 | UInt8(c & 0x3f))
                } else if u & 0xf800 == 0xd800 {
                    text.append(0xef); text.append(0xbf); text.append(0xbd)
                } else {
                    text.append(0xe0 | UInt8(u >> 12)); text.append(0x80 | UInt8((u >> 6) & 0x3f)); text.append(0x80 | UInt8(u & 0x3f))
                }
            }
        }
    }

    /// Appends the items of an array value (as `array(type:at:size:)` gives them, split by
    /// `BinXMLReader.arrayItems`) and notes their ranges in `items`.
    mutating func arrayItems(_ v: FastValue) throws(Fallback) {
        try checkSize()
        let type = v.type & 0x7f
        guard v.pos >= 0, v.pos + v.size <= data.count,
              let ranges = BinXMLReader.arrayItems(data, type: type, at: v.pos, size: v.size) else { throw Fallback() }
        for (p, n) in ranges {
            let s = text.count
            switch type {
            case 0x01: appendUTF16(p, count: n / 2)
            case 0x02: text.append(contentsOf: BinXMLReader.windows1252(data[p..<(p + n)]).utf8)
            default: try append(FastValue(type: type, pos: p, size: n, nested: -1))
            }
            items.append((Int32(s), Int32(text.count)))
        }
    }

    /// Appends a substitution value's text as `scalar` and `EVTXJSON.text` give it.
    mutating func append(_ v: FastValue) throws(Fallback) {
        try checkSize()
        let p = v.pos, size = v.size
        switch v.type {
        case 0x01:
            var n = size / 2
            while n > 0 && u16(p + 2 * (n - 1)) == 0 { n -= 1 }
            appendUTF16(p, count: n)
        case 0x02:
            var n = size
            while n > 0 && data[p + n - 1] == 0 { n -= 1 }
            let bytes = data[p..<(p + n)]
            if bytes.allSatisfy({ $0 < 0x80 }) { text.append(contentsOf: bytes) } else { text.append(contentsOf: BinXMLReader.windows1252(bytes).utf8) }
        case 0x03: appendSigned(Int64(Int8(bitPattern: data[p])))
        case 0x04: appendDecimal(UInt64(data[p]))
        case 0x05: appendSigned(Int64(Int16(bitPattern: u16(p))))
        case 0x06: appendDecimal(UInt64(u16(p)))
        case 0x07: appendSigned(Int64(Int32(bitPattern: u32(p))))
        case 0x08: appendDecimal(UInt64(u32(p)))
        case 0x09: appendSigned(Int64(bitPattern: u64(p)))
        case 0x0a: appendDecimal(u64(p))
        case 0x0b:
            try appendLiteral(BinXMLReader.number(Double(Float(bitPattern: u32(p))), float: Float(bitPattern: u32(p))))
        case 0x0c:
            try appendLiteral(BinXMLReader.number(Double(bitPattern: u64(p)), float: nil))
        case 0x0d:
            let raw = size >= 4 ? Int32(bitPattern: u32(p)) : Int32(data[p])
            if raw == 0 || raw == 1 { text.append(contentsOf: raw == 1 ? "true".utf8 : "false".utf8) } else { appendSigned(Int64(raw)) }
        case 0x0e:
            for b in data[p..<(p + size)] {
                text.append(Self.upperHex(b >> 4)); text.append(Self.upperHex(b & 15))
            }
        case 0x0f:
            // `BinXMLReader.guidOrder` written out: data1 (u32 LE), data2, data3 (u16 LE), then
            // eight bytes in order, upper-case hex (no static tables: each use of one costs a
            // `swift_once` check).
            var b: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &b) { t in
                var k = 0
                func put(_ x: UInt8) { t[k] = Self.upperHex(x >> 4); t[k + 1] = Self.upperHex(x & 15); k += 2 }
                put(data[p + 3]); put(data[p + 2]); put(data[p + 1]); put(data[p]); t[k] = 0x2d; k += 1
                put(data[p + 5]); put(data[p + 4]); t[k] = 0x2d; k += 1
                put(data[p + 7]); put(data[p + 6]); t[k] = 0x2d; k += 1
                put(data[p + 8]); put(data[p + 9]); t[k] = 0x2d; k += 1
                for i in 10..<16 { put(data[p + i]) }
                Self.append(&text, t, from: 0, count: 36)
            }
        case 0x10:
            appendHex(size == 8 ? u64(p) : UInt64(u32(p)))
        case 0x11:
            let us = BinXMLReader.filetimeMicroseconds(u64(p))
            let dayLength: Int64 = 86_400_000_000
            let day = us >= 0 ? us / dayLength : -((-us + dayLength - 1) / dayLength)
            if day != lastDay.day {
                // The date of a new day (most FILETIMEs of a file fall on a few days).
                let c = CivilTime(utcMicroseconds: us)
                guard (0...9999).contains(c.year) else {
                    text.append(contentsOf: BinXMLReader.isoText(c).utf8)
                    return
                }
                lastDay = (day, c.year, c.month, c.day)
            }
            // YYYY-MM-DDTHH:MM:SS.ffffffZ
            let inDay = Int(us - day * dayLength)
            let seconds = inDay / 1_000_000
            var b: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &b) { t in
                func put(_ v: Int, _ width: Int, _ at: Int) {
                    var x = v
                    for i in stride(from: at + width - 1, through: at, by: -1) { t[i] = 0x30 + UInt8(x % 10); x /= 10 }
                }
                put(lastDay.year, 4, 0); t[4] = 0x2d; put(lastDay.month, 2, 5); t[7] = 0x2d; put(lastDay.dayOfMonth, 2, 8); t[10] = 0x54
                put(seconds / 3600, 2, 11); t[13] = 0x3a; put(seconds % 3600 / 60, 2, 14); t[16] = 0x3a; put(seconds % 60, 2, 17); t[19] = 0x2e
                put(inDay % 1_000_000, 6, 20); t[26] = 0x5a
                Self.append(&text, t, from: 0, count: 27)
            }
            timeMicros = us
            timeEnd = text.count
        case 0x12:
            let year = Int(u16(p)), month = Int(u16(p + 2)), day = Int(u16(p + 6))
            let hour = Int(u16(p + 8)), minute = Int(u16(p + 10)), second = Int(u16(p + 12)), ms = Int(u16(p + 14))
            let c = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: ms * 1000)
            text.append(contentsOf: BinXMLReader.isoText(c).utf8)
        case 0x13:
            let n = Int(data[p + 1])
            text.append(0x53); text.append(0x2d)
            appendDecimal(UInt64(data[p]))
            var authority: UInt64 = 0
            for k in 2..<8 { authority = authority << 8 | UInt64(data[p + k]) }
            text.append(0x2d)
            appendDecimal(authority)
            for i in 0..<n {
                text.append(0x2d)
                appendDecimal(UInt64(u32(p + 8 + 4 * i)))
            }
        case 0x14: appendHex(UInt64(u32(p)))
        case 0x15: appendHex(u64(p))
        case Self.textType: appendUTF16(p, count: size / 2)
        default:
            throw Fallback()
        }
    }
}
