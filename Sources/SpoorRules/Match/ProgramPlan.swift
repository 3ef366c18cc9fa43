import SpoorCore

/// How a ``FieldProgram``'s tests run on one value: every literal test (exact, prefix, suffix,
/// contains) of every rule that reads the field in one Aho–Corasick pass; glob patterns
/// verified only when their longest literal occurs; regular expressions, CIDR and number
/// tests one by one.
struct ProgramPlan: Sendable {
    enum Kind: UInt8, Sendable { case exact, prefix, suffix, contains, trigger }

    struct Hit: Sendable {
        var test: Int32
        var kind: Kind
        /// For `trigger`: index into `general`.
        var general: Int32
    }

    var foldedAutomaton: LiteralAutomaton
    var foldedHits: [[Hit]]
    var casedAutomaton: LiteralAutomaton
    var casedHits: [[Hit]]
    /// Tests true for any present value (`*`, an empty `contains`/`startswith`/`endswith`).
    var always: [Int] = []
    /// Tests true for the empty value only (`''`).
    var emptyOnly: [Int] = []
    /// Glob patterns: (test, pattern, has a trigger literal).
    var general: [(test: Int, pattern: BytePattern, triggered: Bool)] = []
    /// Tests run one by one (regex, cidr, comparisons, time components).
    var direct: [Int] = []
    var needsFold: Bool

    init(_ p: FieldProgram) {
        var folded: [[UInt8]] = [], foldedHits: [[Hit]] = []
        var cased: [[UInt8]] = [], casedHits: [[Hit]] = []
        var foldedIndex: [[UInt8]: Int] = [:], casedIndex: [[UInt8]: Int] = [:]
        var generalList: [(test: Int, pattern: BytePattern, triggered: Bool)] = []
        func add(_ needle: [UInt8], _ hit: Hit, cased isCased: Bool) {
            if isCased {
                if let i = casedIndex[needle] { casedHits[i].append(hit) } else {
                    casedIndex[needle] = cased.count; cased.append(needle); casedHits.append([hit])
                }
            } else {
                if let i = foldedIndex[needle] { foldedHits[i].append(hit) } else {
                    foldedIndex[needle] = folded.count; folded.append(needle); foldedHits.append([hit])
                }
            }
        }
        for (t, test) in p.tests.enumerated() {
            guard case .pattern(let pattern) = test else { direct.append(t); continue }
            let t32 = Int32(t)
            switch pattern.shape {
            case .any: always.append(t)
            case .exact(let l):
                if l.isEmpty { emptyOnly.append(t) } else { add(l, Hit(test: t32, kind: .exact, general: -1), cased: pattern.cased) }
            case .prefix(let l):
                if l.isEmpty { always.append(t) } else { add(l, Hit(test: t32, kind: .prefix, general: -1), cased: pattern.cased) }
            case .suffix(let l):
                if l.isEmpty { always.append(t) } else { add(l, Hit(test: t32, kind: .suffix, general: -1), cased: pattern.cased) }
            case .contains(let l):
                if l.isEmpty { always.append(t) } else { add(l, Hit(test: t32, kind: .contains, general: -1), cased: pattern.cased) }
            case .general:
                let trigger = pattern.longestLiteral
                let g = Int32(generalList.count)
                generalList.append((t, pattern, !trigger.isEmpty))
                if !trigger.isEmpty { add(trigger, Hit(test: t32, kind: .trigger, general: g), cased: pattern.cased) }
            }
        }
        general = generalList
        foldedAutomaton = LiteralAutomaton(folded)
        self.foldedHits = foldedHits
        casedAutomaton = LiteralAutomaton(cased)
        self.casedHits = casedHits
        needsFold = !folded.isEmpty || generalList.contains { !$0.pattern.cased }
    }
}
