/// A zero-width test at a position between two characters.
enum RegexAssertion: UInt8, Hashable, Sendable {
    /// `\A`, and `^` without multiline: the start of the input.
    case startText
    /// `^` with multiline: the start of the input or just after `\n`.
    case startLine
    /// `\z`, and Python's `\Z`: the end of the input.
    case endText
    /// `$` without multiline (Python): the end of the input, or just before a final `\n`.
    case endTextOrFinalNewline
    /// `$` with multiline: the end of the input or just before any `\n`.
    case endLine
    /// `\b`: a word character on exactly one side.
    case wordBoundary
    /// `\B`: word characters on both sides or on neither; never in the empty input (Python).
    case notWordBoundary
}

/// The parsed pattern, with the flags already applied: case-insensitive characters carry
/// `caseless`, `.` is a set with or without `\n`, `^`/`$` are the multiline or the text kind.
indirect enum RegexNode: Hashable, Sendable {
    case empty
    case char(UInt32, caseless: Bool)
    case set(CodePointSet)
    case assertion(RegexAssertion)
    case concat([RegexNode])
    case alternation([RegexNode])
    /// `max == nil` is unbounded.
    case repetition(RegexNode, min: Int, max: Int?)

    /// Whether the node is anchored at the start of the input on every path.
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(let a): return a == .startText
        case .concat(let items):
            for item in items {
                if item.isAnchoredAtStart { return true }
                // Zero-width items before the anchor keep it first (`\b^a`); anything else ends the search.
                if case .assertion = item { continue }
                return false
            }
            return false
        case .alternation(let alts): return !alts.isEmpty && alts.allSatisfy(\.isAnchoredAtStart)
        case .repetition(let child, let min, _): return min > 0 && child.isAnchoredAtStart
        default: return false
        }
    }

    /// Visits every assertion in the tree.
    func forEachAssertion(_ body: (RegexAssertion) -> Void) {
        switch self {
        case .assertion(let a): body(a)
        case .concat(let items), .alternation(let items): for i in items { i.forEachAssertion(body) }
        case .repetition(let child, _, _): child.forEachAssertion(body)
        default: break
        }
    }
}
