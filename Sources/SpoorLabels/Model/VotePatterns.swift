/// The distinct rows of a label matrix with their multiplicities.
///
/// The label model's likelihood depends on the data only through how many units show each vote
/// pattern, so EM runs over patterns, not units. Security matrices are mostly abstentions (most
/// units trigger nothing), so 1M units often fold into a few thousand patterns; even the dense
/// synthetic benchmark (20 functions voting on 5–50% of units each) folds 1M units into ~640k.
///
/// A pattern is kept as 2 bits per function (0 abstain, 1 benign, 2 malicious), 32 functions per
/// `UInt64` word.
struct VotePatterns: Sendable {
    let functionCount: Int
    let wordsPerPattern: Int
    /// `keys[p * wordsPerPattern + w]`: word `w` of pattern `p`.
    private(set) var keys: [UInt64]
    /// Units per pattern.
    private(set) var weights: [Double]
    let unitCount: Int

    var count: Int { weights.count }

    /// The 2-bit code (0 abstain, 1 benign, 2 malicious) of `function` in pattern `p`.
    @inline(__always)
    func code(_ p: Int, _ function: Int) -> Int {
        Int(truncatingIfNeeded: (keys[p &* wordsPerPattern &+ (function >> 5)] >> UInt64((function & 31) << 1)) & 3)
    }

    /// Folds the matrix into patterns in one pass over the columns and one over the units.
    /// - Complexity: O(*n* · *m*) time, O(*n*) extra memory for the per-unit keys and the hash table.
    init(_ matrix: LabelMatrix) {
        let m = matrix.functionCount, n = matrix.unitCount
        functionCount = m
        unitCount = n
        let words = max(1, (m + 31) / 32)
        wordsPerPattern = words
        guard n > 0 else { keys = []; weights = []; return }

        // Per-unit keys, built column by column (streams each column once).
        var unitKeys = [UInt64](repeating: 0, count: n * words)
        unitKeys.withUnsafeMutableBufferPointer { uk in
            for j in 0..<m {
                let w = j >> 5, shift = UInt64((j & 31) << 1)
                matrix.columns[j].withUnsafeBufferPointer { col in
                    for i in 0..<n {
                        // raw -1/0/1 → 0/1/2; values were validated when the matrix was built.
                        let c = UInt64(truncatingIfNeeded: Int(col[i]) &+ 1) & 3
                        uk[i &* words &+ w] |= c << shift
                    }
                }
            }
        }

        // Open addressing, linear probing; slot holds pattern index + 1 (0 = empty).
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: 0, count: capacity)
        var outKeys: [UInt64] = []
        var outWeights: [Double] = []
        outKeys.reserveCapacity(min(n, 1 << 16) * words)
        outWeights.reserveCapacity(min(n, 1 << 16))
        unitKeys.withUnsafeBufferPointer { uk in
            slots.withUnsafeMutableBufferPointer { table in
                if words == 1 {
                    // Up to 32 functions (the common case): one word, compared directly.
                    for i in 0..<n {
                        let key = uk[i]
                        var s = Int(truncatingIfNeeded: Self.mix(0x9E37_79B9_7F4A_7C15 ^ key)) & mask
                        while true {
                            let t = Int(table[s])
                            if t == 0 {
                                table[s] = Int32(truncatingIfNeeded: outWeights.count + 1)
                                outKeys.append(key)
                                outWeights.append(1)
                                break
                            }
                            if outKeys[t - 1] == key { outWeights[t - 1] += 1; break }
                            s = (s &+ 1) & mask
                        }
                    }
                    return
                }
                for i in 0..<n {
                    let base = i &* words
                    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                    for w in 0..<words { h = Self.mix(h ^ uk[base &+ w]) }
                    var s = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let t = Int(table[s])
                        if t == 0 {
                            table[s] = Int32(truncatingIfNeeded: outWeights.count + 1)
                            for w in 0..<words { outKeys.append(uk[base &+ w]) }
                            outWeights.append(1)
                            break
                        }
                        let pb = (t - 1) &* words
                        var same = true
                        for w in 0..<words where outKeys[pb &+ w] != uk[base &+ w] { same = false; break }
                        if same { outWeights[t - 1] += 1; break }
                        s = (s &+ 1) & mask
                    }
                }
            }
        }
        keys = outKeys
        weights = outWeights
    }

    /// SplitMix64's finaliser (Steele, Lea and Flood 2014) as a hash mixer.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
