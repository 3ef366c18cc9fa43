/// Aho–Corasick automaton over bytes (Aho & Corasick 1975): every pattern found inside a text in
/// one pass. Edges are stored per node as a sorted slice of one flat array (the root has a dense
/// table), so ~10k domain-like patterns cost a few MB, not 256 words per node.
struct AhoCorasick: Sendable {
    private var edgeStart: [Int32] = []    // node → first edge; edgeStart[n + 1] ends it
    private var edgeByte: [UInt8] = []
    private var edgeTarget: [Int32] = []
    private var rootNext = [Int32](repeating: 0, count: 256)
    private var fail: [Int32] = []
    /// The nearest node on the failure chain (itself included) that ends a pattern, or -1.
    private var outputLink: [Int32] = []
    /// node → the values of the patterns ending exactly there.
    private var outputs: [[UInt16]] = []

    /// `patterns`: (bytes, value); equal patterns keep all their values.
    init(patterns: [([UInt8], UInt16)]) {
        var children: [[(UInt8, Int32)]] = [[]]
        var out: [[UInt16]] = [[]]
        for (p, value) in patterns where !p.isEmpty {
            var node = 0
            for c in p {
                if let next = children[node].first(where: { $0.0 == c }) { node = Int(next.1); continue }
                children.append([])
                out.append([])
                children[node].append((c, Int32(children.count - 1)))
                node = children.count - 1
            }
            if !out[node].contains(value) { out[node].append(value) }
        }
        let n = children.count
        edgeStart = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n {
            children[i].sort { $0.0 < $1.0 }
            edgeStart[i + 1] = edgeStart[i] + Int32(children[i].count)
            for (c, t) in children[i] { edgeByte.append(c); edgeTarget.append(t) }
        }
        for (c, t) in children[0] { rootNext[Int(c)] = t }
        outputs = out
        fail = [Int32](repeating: 0, count: n)
        outputLink = [Int32](repeating: -1, count: n)
        // Breadth-first: a node's failure target is shallower, so it is final when needed.
        var queue: [Int32] = children[0].map(\.1)
        var head = 0
        while head < queue.count {
            let u = Int(queue[head]); head += 1
            let f = Int(fail[u])
            outputLink[u] = !outputs[u].isEmpty ? Int32(u) : (u == 0 ? -1 : outputLink[f])
            for (c, v) in children[u] {
                var s = Int(fail[u])
                var target: Int32 = 0
                while true {
                    if let t = next(s, c), Int(t) != Int(v) { target = t; break }
                    if s == 0 { break }
                    s = Int(fail[s])
                }
                fail[Int(v)] = target
                queue.append(v)
            }
        }
    }

    @inline(__always)
    private func next(_ node: Int, _ c: UInt8) -> Int32? {
        if node == 0 { let t = rootNext[Int(c)]; return t == 0 ? nil : t }
        var lo = Int(edgeStart[node]), hi = Int(edgeStart[node + 1])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let b = edgeByte[mid]
            if b == c { return edgeTarget[mid] }
            if b < c { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    var isEmpty: Bool { fail.count <= 1 }

    /// Calls `found` with the value of every pattern occurring in `text` (ASCII-lowercased
    /// on the fly when `foldCase`), possibly more than once.
    func search(_ text: Span<UInt8>, foldCase: Bool, _ found: (UInt16) -> Void) {
        var s = 0
        for i in 0..<text.count {
            var c = text[i]
            if foldCase, c &- 65 < 26 { c |= 0x20 }
            while true {
                if let t = next(s, c) { s = Int(t); break }
                if s == 0 { break }
                s = Int(fail[s])
            }
            var o = Int(outputLink[s])
            while o > 0 {
                for v in outputs[o] { found(v) }
                o = Int(outputLink[Int(fail[o])])
            }
        }
    }
}
