/// A streaming 64-bit FNV-1a digest: the same value however the bytes are chunked.
///
/// Used for the ingest ledger (is this the file we saw, up to the committed offset?), not
/// for security: an attacker who can write the file can also change it.
public struct Digest: Sendable, Hashable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        var h = value
        bytes.withUnsafeBufferPointer { buf in
            for b in buf { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        }
        value = h
    }

    public mutating func update(_ bytes: [UInt8]) { update(bytes[...]) }

    public static func of(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var d = Digest()
        d.update(bytes)
        return d.value
    }
}
