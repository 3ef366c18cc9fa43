import SpoorCore

/// Cryptocurrency addresses, each checked by its own checksum where it has one so that random
/// base58 or hex runs are not reported:
/// - Base58Check (Bitcoin `1…`/`3…`, Litecoin `L…`/`M…`, Dogecoin `D…`): 25 decoded bytes whose
///   last 4 are the first 4 of SHA-256(SHA-256(first 21)) (Bitcoin wiki "Base58Check encoding").
/// - Bech32/Bech32m segwit (`bc1…`, `ltc1…`): the BIP 173 / BIP 350 checksum.
/// - Ethereum: `0x` and 40 hex digits (EIP-55 mixed case is not required: most logs lower-case).
/// - Monero: 95 base58 characters starting `4` or `8` (no checksum check: it needs Keccak).
enum CryptoSyntax {
    static let base58Alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let base58Value: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in base58Alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    @inline(__always) static func isBase58(_ c: UInt8) -> Bool { base58Value[Int(c)] >= 0 }

    static func isAddress(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        isBase58Check(b, r) || isBech32(b, r) || isEthereum(b, r) || isMonero(b, r)
    }

    static func isEthereum(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count == 42, b[r.lowerBound] == 0x30, b[r.lowerBound + 1] | 0x20 == 0x78 else { return false }
        return IndicatorSyntax.isHexRun(b, (r.lowerBound + 2)..<r.upperBound)
    }

    static func isMonero(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count == 95, b[r.lowerBound] == 0x34 || b[r.lowerBound] == 0x38 else { return false }
        for i in r where !isBase58(b[i]) { return false }
        return true
    }

    /// Version bytes accepted: Bitcoin P2PKH 0x00 / P2SH 0x05, Litecoin 0x30 / 0x32,
    /// Dogecoin 0x1E / 0x16.
    static let versions: Set<UInt8> = [0x00, 0x05, 0x30, 0x32, 0x1E, 0x16]

    static func isBase58Check(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count >= 26, r.count <= 35 else { return false }
        var num = [UInt8](repeating: 0, count: 25)
        for i in r {
            let v = base58Value[Int(b[i])]
            guard v >= 0 else { return false }
            var carry = Int(v)
            for k in stride(from: 24, through: 0, by: -1) {
                carry += 58 * Int(num[k])
                num[k] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
            }
            guard carry == 0 else { return false }
        }
        // Leading '1's are leading zero bytes.
        var ones = 0
        for i in r { if b[i] == 0x31 { ones += 1 } else { break } }
        var zeros = 0
        for k in 0..<25 { if num[k] == 0 { zeros += 1 } else { break } }
        guard ones == zeros else { return false }
        guard versions.contains(num[0]) else { return false }
        let check = SHA256.digest(SHA256.digest(Array(num[0..<21])))
        return check[0] == num[21] && check[1] == num[22] && check[2] == num[23] && check[3] == num[24]
    }

    private static let bech32Charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let bech32Value: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in bech32Charset.enumerated() { t[Int(c)] = Int8(i); t[Int(c & ~0x20)] = Int8(i) }
        return t
    }()

    /// BIP 173 / BIP 350 checksum over `hrp1data` (single case), for the `bc` and `ltc` prefixes.
    static func isBech32(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count >= 14, r.count <= 90 else { return false }
        var sep = -1
        for i in r where b[i] == 0x31 { sep = i }
        guard sep > r.lowerBound, r.upperBound - sep - 1 >= 6 else { return false }
        let hrpLen = sep - r.lowerBound
        let h0 = IndicatorSyntax.lower(b[r.lowerBound])
        let isBC = hrpLen == 2 && h0 == 0x62 && IndicatorSyntax.lower(b[r.lowerBound + 1]) == 0x63
        let isLTC = hrpLen == 3 && h0 == 0x6C && IndicatorSyntax.lower(b[r.lowerBound + 1]) == 0x74 && IndicatorSyntax.lower(b[r.lowerBound + 2]) == 0x63
        guard isBC || isLTC else { return false }
        var hasLower = false, hasUpper = false
        for i in r { let c = b[i]; if c &- 97 < 26 { hasLower = true }; if c &- 65 < 26 { hasUpper = true } }
        guard !(hasLower && hasUpper) else { return false }
        var chk: UInt32 = 1
        func step(_ v: UInt32) {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ v
            let g: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
            for k in 0..<5 where (top >> UInt32(k)) & 1 == 1 { chk ^= g[k] }
        }
        for i in r.lowerBound..<sep { step(UInt32(IndicatorSyntax.lower(b[i]) >> 5)) }
        step(0)
        for i in r.lowerBound..<sep { step(UInt32(IndicatorSyntax.lower(b[i]) & 31)) }
        for i in (sep + 1)..<r.upperBound {
            let v = bech32Value[Int(b[i])]
            guard v >= 0 else { return false }
            step(UInt32(v))
        }
        return chk == 1 || chk == 0x2bc8_30a3
    }
}
