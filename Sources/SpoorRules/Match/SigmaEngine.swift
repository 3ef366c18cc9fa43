import SpoorCore
import SpoorEvents

/// Compiled rules, ready to run over event batches.
public struct SigmaProgram: Sendable {
    public var rules: [CompiledRule] = []
    public var unsupported: [UnsupportedRule] = []
    /// Rules that are not valid Sigma although their YAML reads (a bad modifier value).
    public var invalid: [UnsupportedRule] = []
    public var diagnostics: [SigmaDiagnostic] = []
    public var correlations: [SigmaCorrelation] = []
    /// Correlation problems (an unknown rule reference, a cycle) found at compile time.
    public var correlationProblems: [UnsupportedRule] = []
    var leaves: [CompiledLeaf] = [] {
        didSet { flatLeaves = FlatProgram(leaves: leaves) }
    }
    var programs: [FieldProgram] = [] {
        didSet { plans = programs.map(ProgramPlan.init) }
    }
    /// How each program runs (built whenever the programs change).
    private(set) var plans: [ProgramPlan] = []
    /// Leaves as flat arrays (built whenever the leaves change); conditions are emitted by the engine.
    private(set) var flatLeaves = FlatProgram()
    var gates: [Gate] = []

    public init() {}

    /// Rules by id and by name (correlations reference either).
    func ruleIndex(_ reference: String) -> Int? {
        rules.firstIndex { $0.metadata.id == reference || $0.metadata.name == reference }
    }

    mutating func resolveCorrelations() {
        var usable: [SigmaCorrelation] = []
        var known = Set(rules.compactMap(\.metadata.id) + rules.compactMap(\.metadata.name))
        var pending = correlations
        // Correlations may reference correlations: accept in dependency order; what never
        // resolves names an unknown rule or a cycle.
        var progress = true
        while progress {
            progress = false
            var rest: [SigmaCorrelation] = []
            for c in pending {
                if c.rules.allSatisfy(known.contains) {
                    usable.append(c)
                    if let id = c.metadata.id { known.insert(id) }
                    if let n = c.metadata.name { known.insert(n) }
                    progress = true
                } else {
                    rest.append(c)
                }
            }
            pending = rest
        }
        for c in pending {
            let missing = c.rules.filter { !known.contains($0) }
            correlationProblems.append(UnsupportedRule(rule: c.metadata.label, location: c.metadata.location,
                                                       reason: "the correlation references \(missing.joined(separator: ", ")), which is not a loaded, supported rule (or forms a cycle)"))
        }
        correlations = usable
    }
}

/// A rule that matched an event.
public struct SigmaMatch: Sendable, Hashable {
    /// Index into ``SigmaProgram/rules``.
    public var rule: Int
    /// Row in the batch.
    public var row: Int

    public init(rule: Int, row: Int) {
        self.rule = rule
        self.row = row
    }
}

/// Runs a ``SigmaProgram`` over event batches.
///
/// For each batch: the events each rule alternative applies to (its gate: channel, event id…)
/// are found once per gate; the tests that read one field are evaluated together once per
/// distinct value of that field (strings are interned per batch, so a value repeated across
/// thousands of events is tested once, and one Aho–Corasick pass serves every literal of every
/// rule); then only the rules one of whose necessary tests hit are evaluated, each condition a
/// few bit lookups.
public struct SigmaEngine: Sendable {
    public let program: SigmaProgram
    /// Every rule alternative: (rule, where its condition's code starts).
    let alternatives: [(rule: Int, pc: Int)]
    let gatePlans: [GatePlan]
    /// The leaves and every condition's code.
    let flat: FlatProgram
    /// Active gates whose first condition names values, grouped by that column: per event only
    /// the gates whose value the event's column holds are checked (most gates are a channel).
    let keyedGates: [(column: String, gates: [Int])]
    /// Active gates checked on every event (no condition, or the first only asks for presence).
    let unkeyedGates: [Int]

    /// The alternatives of one gate: those always evaluated, and those evaluated only when one
    /// of their trigger tests hit (a test at least one of which must hold for the rule to match).
    struct GatePlan: Sendable {
        var always: [Int32] = []
        /// (program, alternatives by test index).
        var triggers: [(program: Int, byTest: [[Int32]])] = []
        var isEmpty: Bool { always.isEmpty && triggers.isEmpty }
    }

    public init(_ program: SigmaProgram) {
        self.program = program
        var alternatives: [(rule: Int, pc: Int)] = []
        var flat = program.flatLeaves
        var plans = [GatePlan](repeating: GatePlan(), count: program.gates.count)
        var triggerMaps = [[Int: [[Int32]]]](repeating: [:], count: program.gates.count)
        for (i, r) in program.rules.enumerated() {
            for a in r.alternatives {
                let index = Int32(alternatives.count)
                alternatives.append((i, Int(flat.emit(a.condition))))
                if let trigger = Self.necessary(a.condition, program), !trigger.isEmpty {
                    for (p, t) in trigger {
                        triggerMaps[a.gate][p, default: [[Int32]](repeating: [], count: program.programs[p].tests.count)][t].append(index)
                    }
                } else {
                    plans[a.gate].always.append(index)
                }
            }
        }
        for g in plans.indices {
            plans[g].triggers = triggerMaps[g].sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        self.alternatives = alternatives
        self.flat = flat
        gatePlans = plans
        var keyed: [String: [Int]] = [:], order: [String] = [], unkeyed: [Int] = []
        for g in plans.indices where !plans[g].isEmpty {
            if let first = program.gates[g].conditions.first, !first.values.isEmpty {
                if keyed[first.column] == nil { order.append(first.column) }
                keyed[first.column, default: []].append(g)
            } else {
                unkeyed.append(g)
            }
        }
        keyedGates = order.map { ($0, keyed[$0] ?? []) }
        unkeyedGates = unkeyed
    }

    /// Tests (program, test) at least one of which must hit for `e` to hold; nil when none can
    /// be named (a negation, `null`, `exists`, keywords…). A necessary condition only: the rule
    /// is then evaluated in full.
    static func necessary(_ e: RuleExpr, _ program: SigmaProgram) -> [(Int, Int)]? {
        switch e {
        case .leaf(let i):
            let leaf = program.leaves[i]
            let p: Int, groups: [[Int]], all: Bool
            switch leaf.kind {
            case .values(let vp, let vg, let va), .keywords(let vp, let vg, let va): (p, groups, all) = (vp, vg, va)
            default: return nil
            }
            guard !leaf.negated, !groups.isEmpty else { return nil }
            // `always` tests (a bare `*`) hit on every present value: no use as a trigger.
            let plan = program.plans[p]
            let tests: [Int]
            if all { tests = groups.min { $0.count < $1.count } ?? [] } else { tests = groups.flatMap { $0 } }
            if tests.contains(where: { plan.always.contains($0) || plan.emptyOnly.contains($0) }) { return nil }
            return tests.map { (p, $0) }
        case .and(let xs):
            var best: [(Int, Int)]? = nil
            for x in xs {
                guard let n = necessary(x, program) else { continue }
                if n.count < (best?.count ?? Int.max) { best = n }
            }
            return best
        case .or(let xs):
            var all: [(Int, Int)] = []
            for x in xs {
                guard let n = necessary(x, program) else { return nil }
                all += n
            }
            return all
        case .not, .constant:
            return nil
        }
    }

    /// Every (rule, event) match in `batch`, ordered by row then rule.
    public func matches(in batch: EventBatch) -> [SigmaMatch] {
        var ctx = BatchEvaluator(program: program, batch: batch, flat: flat)
        var out: [SigmaMatch] = []
        var seen = [Int32](repeating: -1, count: alternatives.count)
        var matchedRule = [Int32](repeating: -1, count: program.rules.count)
        // Per key column: its index in the batch, and per symbol the gates its value opens.
        let keyColumns = keyedGates.map { batch.columnIndex[$0.column] }
        var keyMemo = keyedGates.map { _ in [Int32](repeating: -1, count: batch.symbols.count + 1) }
        var gateLists: [[Int]] = []
        var candidates: [Int] = []
        for r in 0..<batch.count {
            let start = out.count
            let r32 = Int32(r)
            candidates.removeAll(keepingCapacity: true)
            candidates += unkeyedGates
            for (k, key) in keyedGates.enumerated() {
                guard let c = keyColumns[k], batch.columns[c].isValid(r) else { continue }
                guard batch.columns[c].kind == .string else { candidates += key.gates; continue }
                let sym = Int(batch.columns[c].symbols[r])
                if keyMemo[k][sym] < 0 {
                    var opened: [Int] = []
                    let folded = CaseFold.fold(Array(batch.symbols.bytes(UInt32(sym))))
                    for g in key.gates where program.gates[g].conditions[0].values.contains(folded) { opened.append(g) }
                    keyMemo[k][sym] = Int32(gateLists.count)
                    gateLists.append(opened)
                }
                candidates += gateLists[Int(keyMemo[k][sym])]
            }
            for g in candidates {
                guard ctx.gateHolds(g, r) else { continue }
                let plan = gatePlans[g]
                for a in plan.always where seen[Int(a)] != r32 {
                    seen[Int(a)] = r32
                    let (rule, pc) = alternatives[Int(a)]
                    if matchedRule[rule] != r32, ctx.run(pc, r) {
                        matchedRule[rule] = r32
                        out.append(SigmaMatch(rule: rule, row: r))
                    }
                }
                for (p, byTest) in plan.triggers {
                    guard let o = ctx.result(p, r) else { continue }
                    for w in 0..<ctx.wordCount(p) {
                        var bits = ctx.word(o + w)
                        while bits != 0 {
                            let t = w << 6 | bits.trailingZeroBitCount
                            bits &= bits &- 1
                            for a in byTest[t] where seen[Int(a)] != r32 {
                                seen[Int(a)] = r32
                                let (rule, pc) = alternatives[Int(a)]
                                if matchedRule[rule] != r32, ctx.run(pc, r) {
                                    matchedRule[rule] = r32
                                    out.append(SigmaMatch(rule: rule, row: r))
                                }
                            }
                        }
                    }
                }
            }
            if out.count - start > 1 { out[start...].sort { $0.rule < $1.rule } }
        }
        return out
    }
}

/// Per-batch evaluation state: resolved columns and memoised field results.
struct BatchEvaluator {
    let program: SigmaProgram
    let batch: EventBatch
    /// Resolved column indices per field source.
    private var sourceColumns: [FieldSource: [Int]] = [:]
    /// Where the keyword program's per-row bits start in `words` (-1: not built for this batch).
    private var keywordBase = -1
    /// Per program: symbol → offset+1 into `words` (0: not yet computed).
    private var memo: [[Int32]]
    private var words: [UInt64] = []
    private var wordsPerProgram: [Int]
    /// Per gate condition (flattened): symbol → 0 unknown, 1 no, 2 yes.
    private var gateMemo: [[[UInt8]]]
    private var gateColumns: [[Int?]]
    private var lowerIndex: [String: Int]? = nil
    private var textColumns: [Int]? = nil
    private var folded: [UInt8] = []
    private var scratch: [UInt8] = []

    let flat: FlatProgram
    /// Per program: where its resolved columns start in `programColumnList` (-1: not yet).
    private var programColumnStart: [Int32]
    private var programColumnCount: [Int32]
    private var programColumnList: [Int32] = []

    init(program: SigmaProgram, batch: EventBatch, flat: FlatProgram? = nil) {
        self.program = program
        self.batch = batch
        self.flat = flat ?? program.flatLeaves
        programColumnStart = [Int32](repeating: -1, count: program.programs.count)
        programColumnCount = [Int32](repeating: 0, count: program.programs.count)
        memo = Array(repeating: [], count: program.programs.count)
        wordsPerProgram = program.programs.map { ($0.tests.count + 63) / 64 }
        gateMemo = program.gates.map { g in g.conditions.map { _ in [] } }
        gateColumns = program.gates.map { g in g.conditions.map { batch.columnIndex[$0.column] } }
    }

    // MARK: columns

    /// The batch's columns for a field source: exact names, else a case-insensitive match
    /// (SQLite and Windows treat field names case-insensitively).
    mutating func columns(_ s: FieldSource) -> [Int] {
        if let c = sourceColumns[s] { return c }
        var out: [Int] = []
        for name in s.columns {
            if let i = batch.columnIndex[name] { out.append(i); continue }
            if lowerIndex == nil {
                var m: [String: Int] = [:]
                for (n, i) in batch.columnIndex { m[n.lowercased()] = i }
                lowerIndex = m
            }
            if let i = lowerIndex?[name.lowercased()] { out.append(i) }
        }
        sourceColumns[s] = out
        return out
    }

    /// The first column of `s` with a value in row `r`.
    mutating func present(_ s: FieldSource, _ r: Int) -> Int? {
        for c in columns(s) where batch.columns[c].isValid(r) { return c }
        return nil
    }

    // MARK: gates

    mutating func gateHolds(_ g: Int, _ r: Int) -> Bool {
        let gate = program.gates[g]
        for (k, cond) in gate.conditions.enumerated() {
            guard let c = gateColumns[g][k] else { return false }
            guard batch.columns[c].isValid(r) else { return false }
            if cond.values.isEmpty { continue }
            if batch.columns[c].kind == .string {
                let s = Int(batch.columns[c].symbols[r])
                if gateMemo[g][k].isEmpty { gateMemo[g][k] = [UInt8](repeating: 0, count: batch.symbols.count + 1) }
                var m = gateMemo[g][k][s]
                if m == 0 {
                    let ok = batch.symbols.withBytes(UInt32(s)) { b in
                        CaseFold.fold(b, into: &folded)
                        return cond.values.contains { $0 == folded }
                    }
                    m = ok ? 2 : 1
                    gateMemo[g][k][s] = m
                }
                if m != 2 { return false }
            } else {
                renderText(batch.columns[c], r, into: &scratch)
                let text = scratch
                CaseFold.fold(text.span, into: &folded)
                if !cond.values.contains(where: { $0 == folded }) { return false }
            }
        }
        return true
    }

    // MARK: conditions

    /// Evaluates the condition code at `pc` for row `r`.
    mutating func run(_ pc: Int, _ r: Int) -> Bool {
        switch flat.code[pc] {
        case 0:
            return leafFast(Int(flat.code[pc + 1]), r)
        case 1:
            var c = pc + 3
            for _ in 0..<Int(flat.code[pc + 2]) {
                if !run(c, r) { return false }
                c += flat.length(c)
            }
            return true
        case 2:
            var c = pc + 3
            for _ in 0..<Int(flat.code[pc + 2]) {
                if run(c, r) { return true }
                c += flat.length(c)
            }
            return false
        case 3:
            return !run(pc + 2, r)
        default:
            return flat.code[pc + 1] != 0
        }
    }

    /// A leaf, from the flat arrays (value tests and keywords), else from its description.
    mutating func leafFast(_ i: Int, _ r: Int) -> Bool {
        let v: Bool
        switch flat.leafKind[i] {
        case 0:
            if let o = result(Int(flat.leafProgram[i]), r) { v = satisfiedFlat(i, o) } else { v = false }
        case 1:
            v = keywordsFlat(i, r)
        default:
            return leaf(i, r)
        }
        return flat.leafNegated[i] ? !v : v
    }

    /// Whether leaf `i`'s groups hold on the result bits at `o`.
    func satisfiedFlat(_ i: Int, _ o: Int) -> Bool {
        let all = flat.leafAll[i]
        for g in Int(flat.leafGroups[i])..<Int(flat.leafGroups[i + 1]) {
            var any = false
            for k in Int(flat.groupStart[g])..<Int(flat.groupStart[g + 1]) where bit(o, Int(flat.groupTests[k])) {
                any = true
                break
            }
            if all && !any { return false }
            if !all && any { return true }
        }
        return all
    }

    mutating func keywordsFlat(_ i: Int, _ r: Int) -> Bool {
        // Two statements on purpose: in `satisfiedFlat(i, keywordBits(…))` the non-mutating
        // call would read `self` (and its `words`) before the argument appends to them.
        let o = keywordBits(Int(flat.leafProgram[i]), r)
        return satisfiedFlat(i, o)
    }

    /// The keyword program's bits for row `r`: the OR over every text value of the event.
    /// Built for the whole batch at first use, column by column (one pass over the cells that
    /// have a value, each distinct value tested once), and shared by every keyword leaf.
    mutating func keywordBits(_ p: Int, _ r: Int) -> Int {
        let n = wordsPerProgram[p]
        if keywordBase < 0 {
            keywordBase = words.count
            words.append(contentsOf: repeatElement(0, count: batch.count * n))
            for c in keywordColumns() {
                switch batch.columns[c].kind {
                case .string:
                    for row in 0..<batch.count {
                        let sym = batch.columns[c].symbols[row]
                        guard sym != 0 else { continue }
                        let e = symbolResult(p, sym)
                        for w in 0..<n { words[keywordBase + row * n + w] |= words[e + w] }
                    }
                case .stringList:
                    for row in 0..<batch.count where batch.columns[c].isValid(row) {
                        let lo = Int(batch.columns[c].listStarts[row]), hi = Int(batch.columns[c].listStarts[row + 1])
                        for k in lo..<hi {
                            let e = symbolResult(p, batch.columns[c].listSymbols[k])
                            for w in 0..<n { words[keywordBase + row * n + w] |= words[e + w] }
                        }
                    }
                default:
                    continue
                }
            }
        }
        return keywordBase + r * n
    }

    /// The leaves the flat arrays do not describe: `null`, `exists`, `fieldref`.
    mutating func leaf(_ i: Int, _ r: Int) -> Bool {
        let l = program.leaves[i]
        let v: Bool
        switch l.kind {
        case .values, .keywords:
            return leafFast(i, r)
        case .null(let s):
            v = present(s, r) == nil
        case .exists(let s, let want):
            v = (present(s, r) != nil) == want
        case .fieldRef(let s, let others, let shape, let cased, let all):
            v = fieldRef(s, others, shape, cased, all, r)
        }
        return l.negated ? !v : v
    }

    @inline(__always) func wordCount(_ p: Int) -> Int { wordsPerProgram[p] }
    @inline(__always) func word(_ i: Int) -> UInt64 { words[i] }

    @inline(__always) func bit(_ o: Int, _ t: Int) -> Bool {
        words[o + t >> 6] & (1 << UInt64(t & 63)) != 0
    }

    /// The offset of program `p`'s result bits for row `r`, or nil when the field is absent.
    mutating func result(_ p: Int, _ r: Int) -> Int? {
        if program.programs[p].everyText { return keywordBits(p, r) }
        if programColumnStart[p] < 0 {
            let cols = columns(program.programs[p].source)
            programColumnStart[p] = Int32(programColumnList.count)
            programColumnCount[p] = Int32(cols.count)
            programColumnList += cols.map(Int32.init)
        }
        let start = Int(programColumnStart[p])
        for k in start..<(start + Int(programColumnCount[p])) {
            let c = Int(programColumnList[k])
            if batch.columns[c].isValid(r) { return result(p, column: c, r) }
        }
        return nil
    }

    mutating func result(_ p: Int, column c: Int, _ r: Int) -> Int {
        switch batch.columns[c].kind {
        case .string:
            return symbolResult(p, batch.columns[c].symbols[r])
        case .stringList:
            // Any element: OR the elements' bits.
            let n = wordsPerProgram[p]
            let o = words.count
            words.append(contentsOf: repeatElement(0, count: n))
            let lo = Int(batch.columns[c].listStarts[r]), hi = Int(batch.columns[c].listStarts[r + 1])
            for k in lo..<hi {
                let e = symbolResult(p, batch.columns[c].listSymbols[k])
                for w in 0..<n { words[o + w] |= words[e + w] }
            }
            return o
        default:
            let col = batch.columns[c]
            renderText(col, r, into: &scratch)
            let text = scratch
            return compute(p, text.span, column: col, row: r)
        }
    }

    mutating func symbolResult(_ p: Int, _ s: UInt32) -> Int {
        if memo[p].isEmpty { memo[p] = [Int32](repeating: 0, count: batch.symbols.count + 1) }
        let m = memo[p][Int(s)]
        if m != 0 { return Int(m) - 1 }
        let bytes = Array(batch.symbols.bytes(s))
        let o = compute(p, bytes.span, column: nil, row: 0)
        memo[p][Int(s)] = Int32(o + 1)
        return o
    }

    /// Runs every test of program `p` on one value; appends and returns the result bits.
    mutating func compute(_ p: Int, _ v: Span<UInt8>, column: Column?, row: Int) -> Int {
        let prog = program.programs[p]
        let plan = program.plans[p]
        let o = words.count
        words.append(contentsOf: repeatElement(0, count: wordsPerProgram[p]))
        var candidates: [Int32] = []
        @inline(__always) func set(_ t: Int) { words[o + t >> 6] |= 1 << UInt64(t & 63) }
        for t in plan.always { set(t) }
        let n = v.count
        if n == 0 { for t in plan.emptyOnly { set(t) } }
        // One pass over the value for every literal test of every rule reading this field.
        func visit(_ hits: [[ProgramPlan.Hit]], _ needle: Int, _ end: Int, _ length: Int, _ n: Int) {
            for h in hits[needle] {
                switch h.kind {
                case .contains: set(Int(h.test))
                case .prefix: if end == length { set(Int(h.test)) }
                case .suffix: if end == n { set(Int(h.test)) }
                case .exact: if end == n && length == n { set(Int(h.test)) }
                case .trigger: candidates.append(h.general)
                }
            }
        }
        if plan.needsFold {
            CaseFold.fold(v, into: &folded)
            let f = folded
            let fn = f.count
            plan.foldedAutomaton.scan(f.span) { needle, end in
                visit(plan.foldedHits, needle, end, plan.foldedAutomaton.needleLengths[needle], fn)
            }
        }
        if !plan.casedAutomaton.isEmpty {
            plan.casedAutomaton.scan(v) { needle, end in
                visit(plan.casedHits, needle, end, plan.casedAutomaton.needleLengths[needle], n)
            }
        }
        // Glob patterns: those whose longest literal occurred (once each), and those without one.
        for (gi, g) in plan.general.enumerated() where !g.triggered { candidates.append(Int32(gi)) }
        if candidates.count > 1 { candidates.sort() }
        var previous: Int32 = -1
        for gi in candidates where gi != previous {
            previous = gi
            let g = plan.general[Int(gi)]
            let hit: Bool
            if g.pattern.cased { hit = g.pattern.matches(v) } else { let f = folded; hit = g.pattern.matches(f.span) }
            if hit { set(g.test) }
        }
        for t in plan.direct {
            let hit: Bool
            switch prog.tests[t] {
            case .pattern:
                continue   // never here: ProgramPlan runs patterns in the automaton or as globs
            case .regex:
                hit = prog.regexes[t]?.matches(v) ?? false
            case .cidr(let net):
                if let column, column.kind == .ip { hit = net.contains(column.addresses[row]) }
                else { hit = IPAddress.parse(v).map(net.contains) ?? false }
            case .compare(let op, let n):
                if let x = Self.number(v) { hit = op.holds(x, n) } else { hit = false }
            case .timeComponent(let unit, let n):
                hit = Self.timeComponent(v, column: column, row: row, unit) == n
            }
            if hit { set(t) }
        }
        return o
    }

    static func number(_ v: Span<UInt8>) -> Double? {
        guard v.count > 0, v.count < 64 else { return nil }
        if let i = Bytes.int(v, 0..<v.count) { return Double(i) }
        return Bytes.double(v, 0..<v.count)
    }

    static func timeComponent(_ v: Span<UInt8>, column: Column?, row: Int, _ unit: SigmaModifier) -> Int? {
        let t: Timestamp?
        if let column, column.kind == .timestamp { t = Timestamp(microseconds: column.integers[row]) }
        else { t = TimestampText.parseISO8601(v).map { Timestamp(microseconds: $0.civil.utcMicroseconds - Int64($0.offsetSeconds ?? 0) * 1_000_000) } }
        guard let t else { return nil }
        let c = t.civil
        switch unit {
        case .minute: return c.minute
        case .hour: return c.hour
        case .day: return c.day
        case .month: return c.month
        case .year: return c.year
        case .week:
            // ISO week number.
            let us = t.microseconds
            let days = Int(us >= 0 ? us / 86_400_000_000 : (us - 86_399_999_999) / 86_400_000_000)
            let weekday = ((days + 3) % 7 + 7) % 7          // Monday = 0
            let thursday = days - weekday + 3
            let year = CivilTime(utcMicroseconds: Int64(thursday) * 86_400_000_000).year
            let jan1 = CivilTime.daysFromCivil(year: year, month: 1, day: 1)
            return (thursday - jan1) / 7 + 1
        default: return nil
        }
    }


    /// The columns keyword searches read: every text column but provenance.
    mutating func keywordColumns() -> [Int] {
        if let t = textColumns { return t }
        let skip = Set(Field.provenance)
        let out = batch.columns.indices.filter {
            (batch.columns[$0].kind == .string || batch.columns[$0].kind == .stringList) && !skip.contains(batch.columns[$0].name)
        }
        textColumns = out
        return out
    }

    mutating func text(_ s: FieldSource, _ r: Int, cased: Bool) -> [UInt8]? {
        guard let c = present(s, r) else { return nil }
        renderText(batch.columns[c], r, into: &scratch)
        let text = scratch
        if cased { return text }
        CaseFold.fold(text.span, into: &folded)
        return folded
    }

    mutating func fieldRef(_ s: FieldSource, _ others: [FieldSource], _ shape: LeafSpec.FieldRefShape, _ cased: Bool,
                           _ all: Bool, _ r: Int) -> Bool {
        guard let mine = text(s, r, cased: cased) else { return false }
        var results: [Bool] = []
        for o in others {
            guard let theirs = text(o, r, cased: cased) else { results.append(false); continue }
            let ok: Bool
            switch shape {
            case .equal: ok = mine == theirs
            case .prefix: ok = mine.starts(with: theirs)
            case .suffix: ok = mine.count >= theirs.count && Array(mine.suffix(theirs.count)) == theirs
            case .contains: ok = theirs.isEmpty || Bytes.contains(mine.span, theirs)
            }
            results.append(ok)
        }
        return all ? results.allSatisfy { $0 } : results.contains(true)
    }

    /// A non-string value as the text a Sigma string compares with.
    func renderText(_ col: Column, _ r: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        switch col.kind {
        case .string:
            out.append(contentsOf: batch.symbols.bytes(col.symbols[r]))
        case .int:
            out.append(contentsOf: String(col.integers[r]).utf8)
        case .bool:
            out.append(contentsOf: (col.integers[r] != 0 ? "true" : "false").utf8)
        case .double:
            let d = col.doubles[r]
            out.append(contentsOf: (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
        case .ip:
            out.append(contentsOf: col.addresses[r].description.utf8)
        case .timestamp:
            out.append(contentsOf: Timestamp(microseconds: col.integers[r]).description.utf8)
        case .stringList:
            let lo = Int(col.listStarts[r]), hi = Int(col.listStarts[r + 1])
            for k in lo..<hi {
                if k > lo { out.append(UInt8(ascii: " ")) }
                out.append(contentsOf: batch.symbols.bytes(col.listSymbols[k]))
            }
        }
    }
}
