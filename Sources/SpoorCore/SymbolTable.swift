import Foundation

/// Interns byte strings into dense `UInt32` symbols: the string storage of a columnar batch.
///
/// Symbol 0 is reserved for "no value" (null), so a column of symbols needs no separate
/// validity map. The bytes of all distinct strings live in one arena and an open-addressing
/// table finds them, so interning a field straight from a parser's input buffer allocates
/// nothing once the string has been seen.
///
/// - Complexity: ``intern(_:)`` is O(*n*) in the string's length, amortised.
public struct SymbolTable: Sendable {
    private var arena: [UInt8] = []
    /// `starts[s]..<starts[s+1]` are the bytes of symbol `s` (symbol 0 is empty).
    private var starts: [Int] = [0, 0]
    private var hashes: [UInt64] = [0]
    /// Open addressing: each slot holds a symbol (low 32 bits, 0 = empty) and the high 32 bits
    /// of its hash, so a probe that meets another string rarely reads `hashes` or the arena.
    private var slots: [UInt64]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func tag(_ h: UInt64) -> UInt64 { h & 0xFFFF_FFFF_0000_0000 }

    /// Reserves room for `symbols` more strings of `bytes` bytes in all, so a table filled
    /// like the previous one does not grow its storage by copying.
    public mutating func reserve(symbols: Int, bytes: Int) {
        arena.reserveCapacity(arena.count + bytes)
        starts.reserveCapacity(starts.count + symbols)
        hashes.reserveCapacity(hashes.count + symbols)
    }

    /// The number of symbols, null included.
    public var count: Int { hashes.count }

    /// Total bytes of all distinct strings.
    public var byteCount: Int { arena.count }

    @inline(__always)
    static func hash(_ b: Span<UInt8>) -> UInt64 {
        // FNV-1a over 8-byte words with a final mix: fast, and good enough for a table that
        // compares bytes on every hit (an attacker who forces collisions only slows one batch).
        b.withUnsafeBytes { raw -> UInt64 in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                h = (h ^ w) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
                i += 8
            }
            if i < n {
                var w: UInt64 = 0
                var shift: UInt64 = 0
                while i < n { w |= UInt64(raw[i]) << shift; shift += 8; i += 1 }
                h = (h ^ w) &* 0x0000_0100_0000_01B3
            }
            h ^= UInt64(n)
            h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
            return h | 1
        }
    }

    /// The symbol for `bytes`, adding it if new. The empty string is a symbol too (not null).
    public mutating func intern(_ b: Span<UInt8>) -> UInt32 {
        let h = SymbolTable.hash(b)
        let tag = SymbolTable.tag(h)
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: UInt32? = slots.withUnsafeBufferPointer { table -> UInt32? in
            while true {
                let e = table[slot]
                if e == 0 { return nil }
                if e & 0xFFFF_FFFF_0000_0000 == tag {
                    let s = UInt32(truncatingIfNeeded: e)
                    if equals(Int(s), b) { return s }
                }
                slot = (slot + 1) & mask
            }
        }
        if let found { return found }
        let symbol = UInt32(hashes.count)
        b.withUnsafeBufferPointer { arena.append(contentsOf: $0) }
        starts.append(arena.count)
        hashes.append(h)
        slots[slot] = tag | UInt64(symbol)
        if hashes.count * 2 > slots.count { grow() }
        return symbol
    }

    /// The symbol for a `String`'s UTF-8 bytes.
    public mutating func intern(_ text: String) -> UInt32 {
        intern(text.utf8.span)
    }

    /// The symbol for a byte array.
    public mutating func intern(_ bytes: [UInt8]) -> UInt32 { intern(bytes.span) }

    /// The symbol of `bytes` if present, without adding it.
    public func lookup(_ b: Span<UInt8>) -> UInt32? {
        let h = SymbolTable.hash(b)
        let tag = SymbolTable.tag(h)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = slots[slot]
            if e == 0 { return nil }
            let s = UInt32(truncatingIfNeeded: e)
            if e & 0xFFFF_FFFF_0000_0000 == tag && equals(Int(s), b) { return s }
            slot = (slot + 1) & mask
        }
    }

    public func lookup(_ text: String) -> UInt32? {
        lookup(text.utf8.span)
    }

    /// Whether symbol `symbol` (not null) holds exactly `bytes`: a cheap check before
    /// ``intern(_:)`` for a value likely to repeat.
    @inline(__always)
    public func matches(_ symbol: UInt32, _ b: Span<UInt8>) -> Bool {
        let s = Int(symbol)
        guard s > 0, s < hashes.count else { return false }
        return equals(s, b)
    }

    @inline(__always)
    private func equals(_ s: Int, _ b: Span<UInt8>) -> Bool {
        let start = starts[s], end = starts[s + 1]
        let n = b.count
        guard end - start == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { a in
            b.withUnsafeBytes { q in
                // safe: both buffers hold at least `n` bytes (checked above; n > 0).
                memcmp(a.baseAddress! + start, q.baseAddress!, n) == 0
            }
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: size)
        let m = size - 1
        for s in 1..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[s]) & m
            while newSlots[slot] != 0 { slot = (slot + 1) & m }
            newSlots[slot] = SymbolTable.tag(hashes[s]) | UInt64(s)
        }
        slots = newSlots
        mask = m
    }

    /// The bytes of a symbol (empty for null).
    public func bytes(_ symbol: UInt32) -> ArraySlice<UInt8> {
        let s = Int(symbol)
        guard s > 0, s < hashes.count else { return [] }
        return arena[starts[s]..<starts[s + 1]]
    }

    /// Calls `body` with the bytes of a symbol, without copying.
    public func withBytes<R>(_ symbol: UInt32, _ body: (Span<UInt8>) throws -> R) rethrows -> R {
        let s = Int(symbol)
        let range = (s > 0 && s < hashes.count) ? starts[s]..<starts[s + 1] : 0..<0
        return try arena.withUnsafeBufferPointer { buf in
            try body(Span(_unsafeElements: UnsafeBufferPointer(rebasing: buf[range])))
        }
    }

    /// The text of a symbol under the ``ByteText`` policy; nil for the null symbol.
    public func string(_ symbol: UInt32) -> String? {
        guard symbol != 0, Int(symbol) < hashes.count else { return nil }
        return withBytes(symbol) { ByteText.string($0) }
    }
}
