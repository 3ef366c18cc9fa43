/// A streaming 64-bit digest: the same value however the bytes are chunked.
///
/// FNV-1a applied to little-endian 8-byte words (a partial word is carried between updates),
/// then a final avalanche. Used for the ingest ledger (is this the file we saw, up to the
/// committed offset?), not for security: whoever can write the file can also change it.
public struct Digest: Sendable, Hashable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var length: UInt64 = 0

    public init() {}

    /// The digest of every byte given so far.
    public var value: UInt64 {
        var h = state
        if pendingCount > 0 { h = (h ^ pending) &* 0x0000_0100_0000_01B3 }
        h ^= length
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            length &+= UInt64(n)
            // Finish a partial word from the previous update.
            while pendingCount > 0 && pendingCount < 8 && i < n {
                pending |= UInt64(raw[i]) << (8 * UInt64(pendingCount))
                pendingCount += 1
                i += 1
            }
            if pendingCount == 8 {
                state = (state ^ pending) &* 0x0000_0100_0000_01B3
                pending = 0
                pendingCount = 0
            }
            var h = state
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                i += 8
            }
            state = h
            while i < n {
                pending |= UInt64(raw[i]) << (8 * UInt64(pendingCount))
                pendingCount += 1
                i += 1
            }
        }
    }

    public mutating func update(_ bytes: [UInt8]) { update(bytes[...]) }

    public static func of(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var d = Digest()
        d.update(bytes)
        return d.value
    }
}
