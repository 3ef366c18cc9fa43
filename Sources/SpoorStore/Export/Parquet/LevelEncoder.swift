/// Encodes Parquet repetition and definition levels with the RLE / bit-packing hybrid
/// (Parquet `Encodings.md`, "Run Length Encoding / Bit-Packing Hybrid").
///
/// A run of eight or more equal levels becomes an RLE run: header `count << 1`, then the
/// value in one byte (bit widths here are 1 or 2). Other stretches become bit-packed runs:
/// header `groups << 1 | 1`, then groups of eight values packed from the least significant
/// bit. Only the final group may be padded: readers stop at the page's value count. The
/// data page v1 form is prefixed by the encoded length as a 4-byte little-endian integer.
enum LevelEncoder {
    /// Appends the length-prefixed encoding of `levels` to `out`.
    static func append(_ levels: [UInt8], bitWidth: Int, to out: inout [UInt8]) {
        let lengthAt = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        let n = levels.count
        var i = 0
        func runLength(_ i: Int) -> Int {
            var j = i + 1
            while j < n, levels[j] == levels[i] { j += 1 }
            return j - i
        }
        while i < n {
            let run = runLength(i)
            if run >= 8 {
                varint(UInt64(run) << 1, to: &out)
                out.append(levels[i])
                i += run
                continue
            }
            // Bit-pack groups of eight until a long run starts at a group boundary.
            let start = i
            repeat {
                i += 8
            } while i < n && runLength(i) < 8
            let groups = (i - start) / 8
            varint(UInt64(groups) << 1 | 1, to: &out)
            var acc: UInt32 = 0, bits = 0
            for k in start..<i {
                let v = k < n ? UInt32(levels[k]) : 0
                acc |= v << UInt32(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: acc))
                    acc >>= 8
                    bits -= 8
                }
            }
            if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
            i = min(i, n)
        }
        let length = UInt32(out.count - lengthAt - 4)
        for k in 0..<4 { out[lengthAt + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
    }

    static func varint(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
