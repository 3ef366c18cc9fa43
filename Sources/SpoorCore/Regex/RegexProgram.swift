/// One transition of a ``RegexProgram/Instruction/bytes(_:)`` instruction: bytes `lo...hi` lead to `next`.
struct ByteEdge: Hashable, Sendable {
    var lo: UInt8
    var hi: UInt8
    var next: Int32
}

/// A Thompson NFA over bytes, compiled from a ``RegexNode``.
///
/// Characters and classes become UTF-8 byte sequences, shared as a trie with common suffixes
/// merged, so `\w` or `.` costs one instruction per distinct byte prefix, not one per range.
/// The program is immutable once built and shared between threads.
struct RegexProgram: Sendable {
    enum Instruction: Hashable, Sendable {
        /// Consume one byte; every edge whose range holds it is followed. No edge: the thread dies.
        case bytes([ByteEdge])
        case split([Int32])
        case assertion(RegexAssertion, Int32)
        case match
    }

    /// The most instructions a program may have: bounds compile time, memory and search cost.
    static let maximumInstructions = 50_000

    var instructions: [Instruction] = []
    var start: Int32 = 0
    /// The byte → equivalence class map: bytes in one class behave identically everywhere.
    var byteClass: [UInt8] = []
    var classCount = 0
    var usesWordBoundary = false
    var usesLineStart = false
    var usesFinalNewline = false
    var isAnchoredAtStart = false
}

/// Builds a ``RegexProgram`` backwards: each node is compiled knowing the instruction that follows it.
struct RegexCompiler {
    private var program = RegexProgram()
    private var trieMemo: [[ByteEdge]: Int32] = [:]

    static func compile(_ node: RegexNode) throws(RegexError) -> RegexProgram {
        var c = RegexCompiler()
        let matchPC = try c.emit(.match)
        c.program.start = try c.compile(node, next: matchPC, depth: 0)
        node.forEachAssertion { a in
            switch a {
            case .wordBoundary, .notWordBoundary: c.program.usesWordBoundary = true
            case .startLine: c.program.usesLineStart = true
            case .endTextOrFinalNewline: c.program.usesFinalNewline = true
            default: break
            }
        }
        c.program.isAnchoredAtStart = node.isAnchoredAtStart
        c.computeByteClasses()
        return c.program
    }

    private mutating func emit(_ inst: RegexProgram.Instruction) throws(RegexError) -> Int32 {
        guard program.instructions.count < RegexProgram.maximumInstructions else {
            throw RegexError(.tooLarge, at: 0, "pattern compiles to more than \(RegexProgram.maximumInstructions) instructions")
        }
        program.instructions.append(inst)
        return Int32(program.instructions.count - 1)
    }

    private mutating func compile(_ node: RegexNode, next: Int32, depth: Int) throws(RegexError) -> Int32 {
        switch node {
        case .empty:
            return next
        case .char(let c, let caseless):
            if !caseless, c < 0x80 { return try emitEdges([ByteEdge(lo: UInt8(c), hi: UInt8(c), next: next)]) }
            let chars = caseless ? CaseFolding.variants(of: c) : [c]
            return try compileSet(CodePointSet(chars.map { $0...$0 }), next: next)
        case .set(let set):
            return try compileSet(set, next: next)
        case .assertion(let a):
            return try emit(.assertion(a, next))
        case .concat(let items):
            var pc = next
            for item in items.reversed() { pc = try compile(item, next: pc, depth: depth + 1) }
            return pc
        case .alternation(let alternatives):
            var targets: [Int32] = []
            for alt in alternatives { targets.append(try compile(alt, next: next, depth: depth + 1)) }
            return try emit(.split(targets))
        case .repetition(let child, let minimum, let maximum):
            var tail = next
            var copies = minimum
            if let maximum {
                for _ in 0..<(maximum - minimum) {
                    let body = try compile(child, next: tail, depth: depth + 1)
                    tail = try emit(.split([body, next]))
                }
            } else {
                // A loop: the split goes back into the body or on. With min ≥ 1 the first copy is
                // the loop body itself (x+ = one copy), so nesting does not double the program.
                let loop = try emit(.split([]))
                let body = try compile(child, next: loop, depth: depth + 1)
                program.instructions[Int(loop)] = .split([body, next])
                if minimum >= 1 { tail = body; copies -= 1 } else { tail = loop }
            }
            for _ in 0..<copies { tail = try compile(child, next: tail, depth: depth + 1) }
            return tail
        }
    }

    // MARK: - UTF-8 classes

    private mutating func emitEdges(_ edges: [ByteEdge]) throws(RegexError) -> Int32 {
        if let pc = trieMemo[edges] { return pc }
        let pc = try emit(.bytes(edges))
        trieMemo[edges] = pc
        return pc
    }

    /// A trie node under construction: edges to children (-1: the end of a character).
    private struct TrieNode { var edges: [(lo: UInt8, hi: UInt8, child: Int)] = [] }

    private mutating func compileSet(_ set: CodePointSet, next: Int32) throws(RegexError) -> Int32 {
        var sequences: [[ClosedRange<UInt8>]] = []
        for r in set.ranges {
            // Surrogates are not characters and never occur in valid UTF-8.
            if r.lowerBound < 0xD800 { Self.utf8Sequences(r.lowerBound, min(r.upperBound, 0xD7FF), into: &sequences) }
            if r.upperBound > 0xDFFF { Self.utf8Sequences(max(r.lowerBound, 0xE000), r.upperBound, into: &sequences) }
        }
        var nodes = [TrieNode()]
        for seq in sequences {
            var n = 0
            for (k, range) in seq.enumerated() {
                let last = k == seq.count - 1
                if let e = nodes[n].edges.firstIndex(where: { $0.lo == range.lowerBound && $0.hi == range.upperBound && ($0.child == -1) == last }) {
                    n = nodes[n].edges[e].child
                    if last { break }
                } else {
                    let child = last ? -1 : nodes.count
                    nodes[n].edges.append((range.lowerBound, range.upperBound, child))
                    if !last { nodes.append(TrieNode()); n = child }
                }
            }
        }
        return try emitTrie(nodes, 0, next: next)
    }

    private mutating func emitTrie(_ nodes: [TrieNode], _ n: Int, next: Int32) throws(RegexError) -> Int32 {
        var edges: [ByteEdge] = []
        for e in nodes[n].edges {
            let target = e.child < 0 ? next : try emitTrie(nodes, e.child, next: next)
            edges.append(ByteEdge(lo: e.lo, hi: e.hi, next: target))
        }
        edges.sort { ($0.lo, $0.hi) < ($1.lo, $1.hi) }
        return try emitEdges(edges)
    }

    /// Splits `lo...hi` (no surrogates) into sequences of byte ranges, each covering exactly the
    /// UTF-8 encodings of a sub-range: the classic construction where every split point lies on
    /// a boundary of the encoded length or of a continuation byte's 6 bits.
    static func utf8Sequences(_ lo: UInt32, _ hi: UInt32, into out: inout [[ClosedRange<UInt8>]]) {
        guard lo <= hi else { return }
        for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where lo <= boundary && hi > boundary {
            utf8Sequences(lo, boundary, into: &out)
            utf8Sequences(boundary + 1, hi, into: &out)
            return
        }
        if hi < 0x80 { out.append([UInt8(lo)...UInt8(hi)]); return }
        let length = hi < 0x800 ? 2 : hi < 0x10000 ? 3 : 4
        for k in 1..<length {
            let m: UInt32 = (1 << (6 * UInt32(k))) - 1
            if lo & ~m != hi & ~m {
                if lo & m != 0 {
                    utf8Sequences(lo, lo | m, into: &out)
                    utf8Sequences((lo | m) + 1, hi, into: &out)
                    return
                }
                if hi & m != m {
                    utf8Sequences(lo, (hi & ~m) - 1, into: &out)
                    utf8Sequences(hi & ~m, hi, into: &out)
                    return
                }
            }
        }
        let a = encode(lo), b = encode(hi)
        out.append((0..<a.count).map { a[$0]...b[$0] })
    }

    static func encode(_ c: UInt32) -> [UInt8] {
        switch c {
        case ..<0x80: return [UInt8(c)]
        case ..<0x800: return [UInt8(0xC0 | c >> 6), UInt8(0x80 | c & 0x3F)]
        case ..<0x10000: return [UInt8(0xE0 | c >> 12), UInt8(0x80 | c >> 6 & 0x3F), UInt8(0x80 | c & 0x3F)]
        default: return [UInt8(0xF0 | c >> 18), UInt8(0x80 | c >> 12 & 0x3F), UInt8(0x80 | c >> 6 & 0x3F), UInt8(0x80 | c & 0x3F)]
        }
    }

    // MARK: - Byte classes

    private mutating func computeByteClasses() {
        var boundary = [Bool](repeating: false, count: 257)
        func mark(_ lo: Int, _ hiExclusive: Int) { boundary[lo] = true; boundary[hiExclusive] = true }
        for inst in program.instructions {
            if case .bytes(let edges) = inst { for e in edges { mark(Int(e.lo), Int(e.hi) + 1) } }
        }
        // Continuation bytes (no search starts there) and, for assertions, "\n" and word bytes.
        mark(0x80, 0xC0)
        mark(0x0A, 0x0B)
        if program.usesWordBoundary {
            mark(0x30, 0x3A); mark(0x41, 0x5B); mark(0x5F, 0x60); mark(0x61, 0x7B)
        }
        var classes = [UInt8](repeating: 0, count: 256)
        var current = 0
        for b in 1..<256 {
            if boundary[b] { current += 1 }
            classes[b] = UInt8(current)
        }
        program.byteClass = classes
        program.classCount = current + 1
    }
}
