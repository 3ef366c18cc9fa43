/// Aho–Corasick over bytes (Aho & Corasick, "Efficient string matching", CACM 18(6), 1975):
/// every occurrence of any of many literals in one pass over a value.
///
/// The goto function is a dense table over byte classes (bytes no literal uses share one
/// class), so a step is one load; a state's outputs include those of its dictionary suffixes.
struct LiteralAutomaton: Sendable {
    private var classOf = [UInt8](repeating: 0, count: 256)
    private var classCount = 1
    private var table: [Int32] = []
    private var outputStart: [Int32] = []
    private var outputs: [Int32] = []
    let needleLengths: [Int]

    var isEmpty: Bool { needleLengths.isEmpty }

    init(_ needles: [[UInt8]]) {
        needleLengths = needles.map(\.count)
        // Byte classes: 0 for bytes no needle contains.
        var seen = [Bool](repeating: false, count: 256)
        for n in needles { for b in n { seen[Int(b)] = true } }
        var k: UInt8 = 1
        for b in 0..<256 where seen[b] { classOf[b] = k; k &+= 1 }
        classCount = Int(k)
        // Trie.
        var children: [[UInt8: Int32]] = [[:]]
        var terminal: [[Int32]] = [[]]
        for (i, n) in needles.enumerated() where !n.isEmpty {
            var s: Int32 = 0
            for b in n {
                let c = classOf[Int(b)]
                if let t = children[Int(s)][c] { s = t } else {
                    children.append([:]); terminal.append([])
                    let t = Int32(children.count - 1)
                    children[Int(s)][c] = t
                    s = t
                }
            }
            terminal[Int(s)].append(Int32(i))
        }
        let states = children.count
        var fail = [Int32](repeating: 0, count: states)
        table = [Int32](repeating: 0, count: states * classCount)
        var out = terminal
        // Breadth-first: fail links and the full goto table.
        var queue: [Int32] = []
        for c in 0..<classCount {
            if let t = children[0][UInt8(c)] { table[c] = t; queue.append(t) }
        }
        var head = 0
        while head < queue.count {
            let s = Int(queue[head]); head += 1
            out[s] += out[Int(fail[s])]
            for c in 0..<classCount {
                if let t = children[s][UInt8(c)] {
                    fail[Int(t)] = table[Int(fail[s]) * classCount + c]
                    table[s * classCount + c] = t
                    queue.append(t)
                } else {
                    table[s * classCount + c] = table[Int(fail[s]) * classCount + c]
                }
            }
        }
        outputStart.reserveCapacity(states + 1)
        for s in 0..<states {
            outputStart.append(Int32(outputs.count))
            outputs += out[s]
        }
        outputStart.append(Int32(outputs.count))
    }

    /// Calls `found(needle, end)` for every occurrence, `end` the index after its last byte.
    @inline(__always)
    func scan(_ v: Span<UInt8>, _ found: (Int, Int) -> Void) {
        guard !needleLengths.isEmpty else { return }
        var s = 0
        table.withUnsafeBufferPointer { t in
            classOf.withUnsafeBufferPointer { cls in
                for i in 0..<v.count {
                    s = Int(t[s * classCount + Int(cls[Int(v[i])])])
                    let lo = Int(outputStart[s]), hi = Int(outputStart[s + 1])
                    if lo != hi {
                        for k in lo..<hi { found(Int(outputs[k]), i + 1) }
                    }
                }
            }
        }
    }
}
