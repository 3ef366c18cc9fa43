/// What follows the current position: a byte, the last byte when it is a `\n`, or the end.
struct RegexLookahead {
    enum Kind: UInt8 { case byte, finalNewline, end }
    var kind: Kind
    var byte: UInt8
    /// Whether the next character is a word character (for `\b`).
    var isWord: Bool

    static let end = RegexLookahead(kind: .end, byte: 0, isWord: false)
}

/// What precedes the current position, as bit flags (part of a DFA state's identity).
struct RegexLookbehind: Hashable {
    var bits: UInt8
    static let atStart: UInt8 = 1
    static let afterNewline: UInt8 = 2
    static let afterWord: UInt8 = 4
}

/// The NFA simulation step shared by the lazy DFA (which caches its results) and the
/// uncached fallback: one step is the ε-closure of a set of threads at a position, given what
/// lies on either side, then the move over the next byte.
///
/// Threads never start inside a UTF-8 sequence: the search adds the start instruction only
/// where the next byte is not a continuation byte. Input is always valid UTF-8 here (see
/// ``ByteRegex``), so every thread consumes whole characters.
struct RegexStepper {
    private var visited: [Int32]      // generation stamp per instruction
    private var generation: Int32 = 0
    private var stack: [Int32] = []
    private var consumers: [Int32] = []
    private var nextStamp: [Int32]
    private var nextGeneration: Int32 = 0

    init(size: Int) {
        visited = [Int32](repeating: 0, count: size)
        nextStamp = [Int32](repeating: 0, count: size)
    }

    private mutating func bump() {
        generation &+= 1
        if generation == Int32.max { generation = 1; for k in visited.indices { visited[k] = 0 } }
        nextGeneration &+= 1
        if nextGeneration == Int32.max { nextGeneration = 1; for k in nextStamp.indices { nextStamp[k] = 0 } }
    }

    /// Follows ε-edges from `threads` (plus the start when `seedStart`), then moves over the
    /// lookahead byte into `next` (sorted). Returns true as soon as the closure reaches `match`.
    mutating func step(_ program: RegexProgram, threads: [Int32], seedStart: Bool, behind: RegexLookbehind,
                       ahead: RegexLookahead, into next: inout [Int32]) -> Bool {
        bump()
        next.removeAll(keepingCapacity: true)
        consumers.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        for t in threads.reversed() { stack.append(t) }
        if seedStart { stack.append(program.start) }
        let bits = behind.bits
        while let pc = stack.popLast() {
            if visited[Int(pc)] == generation { continue }
            visited[Int(pc)] = generation
            switch program.instructions[Int(pc)] {
            case .match:
                return true
            case .bytes:
                consumers.append(pc)
            case .split(let targets):
                for t in targets.reversed() { stack.append(t) }
            case .assertion(let a, let n):
                let holds: Bool
                switch a {
                case .startText: holds = bits & RegexLookbehind.atStart != 0
                case .startLine: holds = bits & (RegexLookbehind.atStart | RegexLookbehind.afterNewline) != 0
                case .endText: holds = ahead.kind == .end
                case .endTextOrFinalNewline: holds = ahead.kind != .byte
                case .endLine: holds = ahead.kind != .byte || ahead.byte == 0x0A
                case .wordBoundary: holds = (bits & RegexLookbehind.afterWord != 0) != ahead.isWord
                case .notWordBoundary:
                    // As in Python, `\B` never matches the empty input.
                    holds = (bits & RegexLookbehind.afterWord != 0) == ahead.isWord
                        && !(bits & RegexLookbehind.atStart != 0 && ahead.kind == .end)
                }
                if holds { stack.append(n) }
            }
        }
        guard ahead.kind != .end else { return false }
        let b = ahead.byte
        for pc in consumers {
            guard case .bytes(let edges) = program.instructions[Int(pc)] else { continue }
            for e in edges where e.lo <= b && b <= e.hi {
                if nextStamp[Int(e.next)] != nextGeneration {
                    nextStamp[Int(e.next)] = nextGeneration
                    next.append(e.next)
                }
            }
        }
        next.sort()
        return false
    }
}

/// A lazily built DFA: states are (NFA thread set, lookbehind flags), transitions are computed
/// on first use and cached per byte class. The cache is bounded; when full it is cleared, and a
/// search that keeps clearing it finishes in the uncached NFA simulation, so time stays linear.
struct RegexDFACache: Sendable {
    /// Transition entries: ≥ 0 a state's row offset; otherwise one of these.
    static let unknown: Int32 = -1
    static let matched: Int32 = -2
    static let dead: Int32 = -3

    private struct Key: Hashable { var threads: [Int32]; var behind: UInt8 }

    let program: RegexProgram
    private let stride: Int
    private let maximumStates: Int
    private var table: [Int32] = []
    private var keys: [Key] = []
    private var index: [Key: Int32] = [:]
    private var stepper: RegexStepper
    private var scratch: [Int32] = []
    /// How many times this cache was cleared (for tests and tuning).
    private(set) var clearCount = 0

    init(program: RegexProgram, memoryBudget: Int = 2 << 20) {
        self.program = program
        stride = program.classCount + 1 // the last column is the end of the input
        maximumStates = max(16, memoryBudget / (stride * 4 + 64))
        stepper = RegexStepper(size: program.instructions.count)
    }

    private var behindMask: UInt8 {
        RegexLookbehind.atStart
            | (program.usesLineStart ? RegexLookbehind.afterNewline : 0)
            | (program.usesWordBoundary ? RegexLookbehind.afterWord : 0)
    }

    private mutating func state(_ key: Key) -> Int32 {
        if let s = index[key] { return s }
        let row = Int32(table.count)
        table.append(contentsOf: repeatElement(Self.unknown, count: stride))
        keys.append(key)
        index[key] = row
        return row
    }

    private mutating func clear() {
        table.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
        clearCount += 1
    }

    /// Computes the transition of the state at `row` for a lookahead (uncached).
    private mutating func transition(_ key: Key, _ ahead: RegexLookahead) -> (matched: Bool, key: Key?) {
        let seed = (ahead.kind != .byte || ahead.byte & 0xC0 != 0x80)
            && (!program.isAnchoredAtStart || key.behind & RegexLookbehind.atStart != 0)
        if stepper.step(program, threads: key.threads, seedStart: seed, behind: RegexLookbehind(bits: key.behind),
                        ahead: ahead, into: &scratch) { return (true, nil) }
        if ahead.kind == .end { return (false, nil) }
        if scratch.isEmpty && program.isAnchoredAtStart { return (false, nil) }
        let b = ahead.byte
        var behind: UInt8 = 0
        if b == 0x0A { behind |= RegexLookbehind.afterNewline }
        if UnicodeClasses.isASCIIWord(b) { behind |= RegexLookbehind.afterWord }
        return (false, Key(threads: scratch, behind: behind & behindMask))
    }

    private static func lookahead(_ b: UInt8) -> RegexLookahead {
        RegexLookahead(kind: .byte, byte: b, isWord: UnicodeClasses.isASCIIWord(b))
    }

    /// Whether the program matches somewhere in `input` (valid UTF-8).
    mutating func search(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = input.count
        // \b needs the whole character on each side; the cached states know only ASCII bytes.
        if program.usesWordBoundary && !Self.isASCII(input) {
            return slowSearch(input, from: 0, threads: [])
        }
        let finalNewline = program.usesFinalNewline && n > 0 && input[n - 1] == 0x0A
        let fastEnd = finalNewline ? n - 1 : n
        var row = state(Key(threads: [], behind: RegexLookbehind.atStart))
        var i = 0
        var clearsHere = 0
        while true {
            // The hot loop: follow cached transitions until one is missing or final.
            var entry: Int32 = 0
            (i, row, entry) = table.withUnsafeBufferPointer { tab in
                program.byteClass.withUnsafeBufferPointer { cls in
                    var s = Int(row), k = i
                    while k < fastEnd {
                        let t = tab[s &+ Int(cls[Int(input[k])])]
                        if t < 0 { return (k, Int32(s), t) }
                        s = Int(t)
                        k &+= 1
                    }
                    return (k, Int32(s), 0)
                }
            }
            if entry == Self.matched { return true }
            if entry == Self.dead { return false }
            if i >= fastEnd { break }
            // A missing transition: compute and cache it.
            let b = input[i]
            let key = keys[Int(row) / stride]
            let (isMatch, nextKey) = transition(key, Self.lookahead(b))
            let column = Int(row) + Int(program.byteClass[Int(b)])
            guard let nextKey else {
                table[column] = isMatch ? Self.matched : Self.dead
                return isMatch
            }
            if keys.count >= maximumStates {
                clear()
                clearsHere += 1
                // A cache that keeps thrashing is no faster than plain simulation: finish that way.
                if clearsHere > 2 { return slowSearch(input, from: i + 1, threads: nextKey.threads) }
                row = state(key)
            }
            let nextRow = state(nextKey)
            table[Int(row) + Int(program.byteClass[Int(b)])] = nextRow
            row = nextRow
            i += 1
        }
        var key = keys[Int(row) / stride]
        if finalNewline {
            // The last byte is "\n": `$` holds before it. Not cached: it happens once per search.
            let (isMatch, nextKey) = transition(key, RegexLookahead(kind: .finalNewline, byte: 0x0A, isWord: false))
            guard let nextKey else { return isMatch }
            key = nextKey
            return transition(key, .end).matched
        }
        let column = Int(row) + stride - 1
        if table[column] != Self.unknown { return table[column] == Self.matched }
        let isMatch = transition(key, .end).matched
        table[column] = isMatch ? Self.matched : Self.dead
        return isMatch
    }

    /// The NFA simulation without caching, with exact Unicode word boundaries. O(n·m).
    private mutating func slowSearch(_ input: UnsafeBufferPointer<UInt8>, from: Int, threads: [Int32]) -> Bool {
        let n = input.count
        var current = threads
        var next: [Int32] = []
        var p = from
        while true {
            var bits: UInt8 = p == 0 ? RegexLookbehind.atStart : 0
            if p > 0 && input[p - 1] == 0x0A { bits |= RegexLookbehind.afterNewline }
            if p > 0 && UnicodeClasses.isWord(Self.decode(before: p, in: input)) { bits |= RegexLookbehind.afterWord }
            let ahead: RegexLookahead
            if p == n {
                ahead = .end
            } else {
                let b = input[p]
                let kind: RegexLookahead.Kind = program.usesFinalNewline && p == n - 1 && b == 0x0A ? .finalNewline : .byte
                let isWord = b & 0xC0 == 0x80 ? false : UnicodeClasses.isWord(Self.decode(at: p, in: input))
                ahead = RegexLookahead(kind: kind, byte: b, isWord: isWord)
            }
            let seed = (ahead.kind == .end || ahead.byte & 0xC0 != 0x80) && (!program.isAnchoredAtStart || p == 0)
            if stepper.step(program, threads: current, seedStart: seed, behind: RegexLookbehind(bits: bits),
                            ahead: ahead, into: &next) { return true }
            if p == n { return false }
            if next.isEmpty && program.isAnchoredAtStart { return false }
            swap(&current, &next)
            p += 1
        }
    }

    private static func isASCII(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var acc: UInt8 = 0
        for b in input { acc |= b }
        return acc < 0x80
    }

    /// The character starting at `p` (valid UTF-8 assumed; a stray byte decodes as itself).
    static func decode(at p: Int, in b: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let c = b[p]
        if c < 0x80 { return UInt32(c) }
        let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
        guard length > 1, p + length <= b.count else { return UInt32(c) }
        var v = UInt32(c) & (0x7F >> UInt32(length))
        for k in 1..<length { v = v << 6 | UInt32(b[p + k] & 0x3F) }
        return v
    }

    /// The character ending just before `p`.
    static func decode(before p: Int, in b: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var s = p - 1
        while s > 0 && p - s < 4 && b[s] & 0xC0 == 0x80 { s -= 1 }
        return decode(at: s, in: b)
    }
}
