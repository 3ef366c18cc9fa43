import SpoorCore

/// Byte constants and classes for this module's hot loops.
///
/// `SpoorCore.Bytes` has the same, but its `public static let`s and non-`@inlinable`
/// functions are reached across the module boundary through lazy-initialisation addressors
/// and calls (measured: about 4% of the access-log parser's time); these fold to constants.
enum ASCII {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let dash: UInt8 = 0x2D
    static let colon: UInt8 = 0x3A
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// The index of the first `byte` in `b[from..<to]`, or nil (``Bytes/find(_:in:from:to:)``).
    @inline(__always)
    static func find(_ byte: UInt8, in b: Span<UInt8>, from: Int, to: Int) -> Int? { Bytes.find(byte, in: b, from: from, to: to) }

    /// A non-negative decimal integer in `b[r]` (at most 18 digits); nil otherwise.
    @inline(__always)
    static func unsigned(_ b: Span<UInt8>, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty, r.count <= 18 else { return nil }
        var v: Int64 = 0
        for i in r {
            let d = b[i] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return v
    }
}
