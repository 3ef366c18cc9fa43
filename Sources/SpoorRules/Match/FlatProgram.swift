/// Rule conditions and leaves as flat integer arrays, so evaluating a condition copies no
/// enum payloads and retains nothing (the engine's inner loop).
///
/// Condition code, one node after another in `code`:
/// `[0, leaf]` a leaf; `[1, length, n, children…]` AND; `[2, length, n, children…]` OR;
/// `[3, length, child…]` NOT; `[4, value]` a constant. `length` counts the node's own slots.
struct FlatProgram: Sendable {
    var code: [Int32] = []
    /// Per leaf: 0 value tests, 1 keywords, 2 other kinds (read from ``SigmaProgram/leaves``).
    var leafKind: [UInt8] = []
    var leafNegated: [Bool] = []
    var leafAll: [Bool] = []
    var leafProgram: [Int32] = []
    /// Per leaf: its groups are `groupBounds[leafGroups[i]..<leafGroups[i + 1]]`.
    var leafGroups: [Int32] = [0]
    /// Per group: its tests are `groupTests[groupStart[g]..<groupStart[g + 1]]`.
    var groupStart: [Int32] = [0]
    var groupTests: [Int32] = []

    init() {}

    init(leaves: [CompiledLeaf]) {
        for l in leaves {
            leafNegated.append(l.negated)
            switch l.kind {
            case .values(let p, let groups, let all), .keywords(let p, let groups, let all):
                if case .values = l.kind { leafKind.append(0) } else { leafKind.append(1) }
                leafAll.append(all)
                leafProgram.append(Int32(p))
                for g in groups {
                    groupTests += g.map(Int32.init)
                    groupStart.append(Int32(groupTests.count))
                }
            default:
                leafKind.append(2)
                leafAll.append(false)
                leafProgram.append(-1)
            }
            leafGroups.append(Int32(groupStart.count - 1))
        }
    }

    /// Appends the code of `e`; returns where it starts.
    mutating func emit(_ e: RuleExpr) -> Int32 {
        let start = code.count
        switch e {
        case .leaf(let i):
            code += [0, Int32(i)]
        case .constant(let v):
            code += [4, v ? 1 : 0]
        case .not(let x):
            code += [3, 0]
            _ = emit(x)
            code[start + 1] = Int32(code.count - start)
        case .and(let xs), .or(let xs):
            if case .and = e { code.append(1) } else { code.append(2) }
            code += [0, Int32(xs.count)]
            for x in xs { _ = emit(x) }
            code[start + 1] = Int32(code.count - start)
        }
        return Int32(start)
    }

    @inline(__always) func length(_ pc: Int) -> Int {
        let op = code[pc]
        return op == 0 || op == 4 ? 2 : Int(code[pc + 1])
    }
}
