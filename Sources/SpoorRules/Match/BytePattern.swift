import SpoorCore

/// A Sigma string value compiled to bytes: literal runs and the wildcards `*` (any run,
/// possibly empty) and `?` (exactly one character), Sigma specification v2.1.0 §"Wildcards".
///
/// Case-insensitive patterns hold folded bytes (``CaseFold``) and are matched against folded
/// values; `cased` patterns compare the bytes as written.
public struct BytePattern: Sendable, Hashable, CustomStringConvertible {
    public enum Piece: Sendable, Hashable {
        case literal([UInt8])
        case anyRun
        case anyCharacter
    }

    public var pieces: [Piece]
    public var cased: Bool

    public init(pieces: [Piece], cased: Bool) {
        self.pieces = BytePattern.normalise(pieces)
        self.cased = cased
    }

    /// Merges adjacent literals and collapses runs of `*`.
    static func normalise(_ pieces: [Piece]) -> [Piece] {
        var out: [Piece] = []
        for p in pieces {
            switch (out.last, p) {
            case (.literal(let a)?, .literal(let b)):
                out[out.count - 1] = .literal(a + b)
            case (.anyRun?, .anyRun):
                continue
            case (_, .literal(let b)) where b.isEmpty:
                continue
            default:
                out.append(p)
            }
        }
        return out
    }

    /// The shape a matcher can use without the general wildcard algorithm.
    public enum Shape: Sendable, Hashable {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case contains([UInt8])
        /// `*` alone: any value, even empty.
        case any
        case general
    }

    public var shape: Shape {
        switch pieces.count {
        case 0: return .exact([])
        case 1:
            switch pieces[0] {
            case .literal(let l): return .exact(l)
            case .anyRun: return .any
            case .anyCharacter: return .general
            }
        case 2:
            if case .literal(let l) = pieces[0], case .anyRun = pieces[1] { return .prefix(l) }
            if case .anyRun = pieces[0], case .literal(let l) = pieces[1] { return .suffix(l) }
            return .general
        case 3:
            if case .anyRun = pieces[0], case .literal(let l) = pieces[1], case .anyRun = pieces[2] { return .contains(l) }
            return .general
        default: return .general
        }
    }

    /// The longest literal piece: every match contains it.
    public var longestLiteral: [UInt8] {
        var best: [UInt8] = []
        for case .literal(let l) in pieces where l.count > best.count { best = l }
        return best
    }

    /// Whether the (already folded, for a case-insensitive pattern) value matches, whole.
    public func matches(_ v: Span<UInt8>) -> Bool {
        switch shape {
        case .exact(let l): return Bytes.equal(v, l)
        case .prefix(let l): return v.count >= l.count && Bytes.equal(v, l, at: 0)
        case .suffix(let l): return v.count >= l.count && Bytes.equal(v, l, at: v.count - l.count)
        case .contains(let l): return l.isEmpty || Bytes.contains(v, l)
        case .any: return true
        case .general: return generalMatch(v)
        }
    }

    /// Glob matching with backtracking to the last `*` only: linear in pattern × value, never
    /// exponential. `?` consumes one UTF-8 character.
    func generalMatch(_ v: Span<UInt8>) -> Bool {
        var pi = 0, vi = 0
        var starPiece = -1, starValue = 0
        let n = v.count
        while true {
            if pi < pieces.count {
                switch pieces[pi] {
                case .anyRun:
                    starPiece = pi; starValue = vi; pi += 1; continue
                case .anyCharacter:
                    if vi < n { vi += UTF8Width.of(v[vi], remaining: n - vi); pi += 1; continue }
                case .literal(let l):
                    if vi + l.count <= n, Bytes.equal(v, l, at: vi) { vi += l.count; pi += 1; continue }
                }
            } else if vi == n {
                return true
            }
            // Mismatch: retry from the last `*` one character further on.
            guard starPiece >= 0, starValue < n else { return false }
            starValue += UTF8Width.of(v[starValue], remaining: n - starValue)
            vi = starValue
            pi = starPiece + 1
        }
    }

    public var description: String {
        var s = ""
        for p in pieces {
            switch p {
            case .literal(let l): s += String(decoding: l, as: UTF8.self)
            case .anyRun: s += "*"
            case .anyCharacter: s += "?"
            }
        }
        return cased ? "cased:" + s : s
    }
}

enum UTF8Width {
    /// The length of the UTF-8 sequence starting with `b` (1 for a stray continuation byte).
    @inline(__always) static func of(_ b: UInt8, remaining: Int) -> Int {
        let w = b < 0xC0 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
        return min(w, remaining)
    }
}

extension Bytes {
    /// Whether `v` equals `l`.
    @inline(__always) static func equal(_ v: Span<UInt8>, _ l: [UInt8]) -> Bool {
        v.count == l.count && equal(v, l, at: 0)
    }

    /// Whether `l` occurs in `v` at `offset` (the caller checks the bounds).
    @inline(__always) static func equal(_ v: Span<UInt8>, _ l: [UInt8], at offset: Int) -> Bool {
        var k = 0
        while k < l.count {
            if v[offset + k] != l[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether `l` occurs anywhere in `v`.
    static func contains(_ v: Span<UInt8>, _ l: [UInt8]) -> Bool {
        guard l.count <= v.count, let first = l.first else { return l.isEmpty }
        var i = 0
        let last = v.count - l.count
        while i <= last {
            guard let j = Bytes.find(first, in: v, from: i), j <= last else { return false }
            if equal(v, l, at: j) { return true }
            i = j + 1
        }
        return false
    }
}

/// Case folding for case-insensitive Sigma matching (spec: "case insensitive by default").
///
/// ASCII letters fold to lowercase byte by byte; a value with any non-ASCII byte is folded
/// with Unicode's lowercase mapping (so `Ä` matches `ä`). pySigma's SQLite backend folds ASCII
/// only; the differential tests note where that differs.
public enum CaseFold {
    /// Whether every byte is ASCII.
    @inline(__always) static func isASCII(_ v: Span<UInt8>) -> Bool {
        var k = 0
        while k < v.count {
            if v[k] >= 0x80 { return false }
            k += 1
        }
        return true
    }

    /// Folds `v` into `out` (cleared first).
    public static func fold(_ v: Span<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        if isASCII(v) {
            out.reserveCapacity(v.count)
            for k in 0..<v.count {
                let b = v[k]
                out.append(b &- 0x41 < 26 ? b | 0x20 : b)
            }
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count)
        for k in 0..<v.count { bytes.append(v[k]) }
        // Only valid UTF-8 is folded as text; encoded patterns (`wide`, `utf16`) keep their
        // non-ASCII bytes exactly (decoding them would turn every invalid byte into U+FFFD).
        guard let text = String(validating: bytes, as: UTF8.self) else {
            for b in bytes { out.append(b &- 0x41 < 26 ? b | 0x20 : b) }
            return
        }
        out.append(contentsOf: text.lowercased().utf8)
    }

    /// `v` folded.
    public static func fold(_ v: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        fold(v.span, into: &out)
        return out
    }
}
