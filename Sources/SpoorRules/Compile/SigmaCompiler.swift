import SpoorCore

/// A boolean expression over leaf indices (a rule's condition after compilation).
indirect enum RuleExpr: Sendable, Hashable {
    case leaf(Int)
    case and([RuleExpr])
    case or([RuleExpr])
    case not(RuleExpr)
    case constant(Bool)
}

/// Where a leaf reads its value: spoor columns, the first present wins.
struct FieldSource: Sendable, Hashable {
    var columns: [String]
}

/// A compiled leaf: one search item bound to columns.
struct CompiledLeaf: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Value tests, by test index inside the field program `program`.
        case values(program: Int, groups: [[Int]], all: Bool)
        case null(FieldSource)
        case exists(FieldSource, Bool)
        case fieldRef(FieldSource, others: [FieldSource], shape: LeafSpec.FieldRefShape, cased: Bool, all: Bool)
        /// Keywords: value tests (implicitly `contains`) over every text value of the event.
        case keywords(program: Int, groups: [[Int]], all: Bool)
    }

    var kind: Kind
    var negated: Bool
}

/// All tests that read one field, evaluated together once per distinct value.
struct FieldProgram: Sendable {
    var source: FieldSource
    /// Keyword programs read every text column instead of `source`.
    var everyText: Bool
    var tests: [ValueTest] = []
    var index: [ValueTest: Int] = [:]
    /// Compiled `re` tests by test index.
    var regexes: [Int: SigmaRegex] = [:]

    mutating func add(_ t: ValueTest) throws(SigmaValueCompiler.Failure) -> Int {
        if let i = index[t] { return i }
        tests.append(t)
        let i = tests.count - 1
        index[t] = i
        switch t {
        case .regex(let p, let ic, let m, let s):
            regexes[i] = try SigmaRegex(p, ignoreCase: ic, multiline: m, dotAll: s)
        default: break
        }
        return i
    }
}

/// Events a rule alternative applies to: column = value conditions (case-insensitive).
struct Gate: Sendable, Hashable {
    /// column → folded accepted values; an empty list means "present".
    var conditions: [Condition]

    struct Condition: Sendable, Hashable {
        var column: String
        var values: [[UInt8]]
    }
}

/// One way a rule can match: the events it applies to and the condition over its leaves.
struct CompiledAlternative: Sendable {
    var gate: Int
    var condition: RuleExpr
    /// The binding the alternative came from, to resolve other fields (correlation `group-by`).
    var binding: LogsourceBinding
    var alternative: LogsourceBinding.Alternative
}

/// A rule ready to run.
public struct CompiledRule: Sendable {
    public var metadata: SigmaMetadata
    public var logsource: SigmaLogsource
    var alternatives: [CompiledAlternative]
}

/// A rule spoor will not run, and why.
public struct UnsupportedRule: Sendable, Hashable, Error {
    public var rule: String
    public var location: SigmaLocation
    public var reason: String
    /// The rule is not valid Sigma (a bad value for a modifier, say), rather than valid but
    /// beyond what spoor runs.
    public var isError: Bool = false
}

/// Compiles Sigma rules against bindings into a ``SigmaEngine``'s program.
public struct SigmaCompiler: Sendable {
    public var bindings: BindingSet
    /// `expand` placeholder values.
    public var placeholders: [String: [String]] = [:]

    public init(bindings: BindingSet) { self.bindings = bindings }

    /// Compiles every rule of `set` (filters applied; correlations checked and kept).
    public func compile(_ set: SigmaRuleSet) -> SigmaProgram {
        var program = SigmaProgram()
        program.diagnostics = set.diagnostics
        for d in set.diagnostics where d.severity == .unsupported {
            program.unsupported.append(UnsupportedRule(rule: d.rule ?? d.location.file, location: d.location, reason: d.message))
        }
        var state = CompileState()
        let valueCompiler = SigmaValueCompiler(placeholders: placeholders)
        let filters = set.filters
        // pySigma joins a filter with AND, so an exclusion is written `not selection`; the
        // spec's own example writes a positive condition (REFERENCE §2.3): warn about it.
        for f in filters where !Self.negates(f.detection.condition) {
            program.diagnostics.append(SigmaDiagnostic(.warning, f.detection.conditionLocation,
                "the filter's condition has no 'not': it keeps only the events it selects (filters are joined with AND, as in pySigma); write 'not …' to exclude them",
                rule: f.metadata.label))
        }
        for rule in set.rules {
            var detection = rule.detection
            // Filters (spec "Sigma Filters"): joined onto the rules they name, when the logsource fits.
            for (k, f) in filters.enumerated() where Self.applies(f, to: rule) {
                detection = Self.join(detection, filter: f, number: k)
            }
            do throws(UnsupportedRule) {
                let compiled = try compile(rule, detection, &state, valueCompiler)
                program.rules.append(compiled)
            } catch {
                if error.isError { program.invalid.append(error) } else { program.unsupported.append(error) }
            }
        }
        program.leaves = state.leaves
        program.programs = state.programs
        program.gates = state.gates
        program.correlations = set.correlations
        program.resolveCorrelations()
        return program
    }

    /// Whether a condition contains a negation anywhere.
    static func negates(_ c: SigmaCondition) -> Bool {
        switch c {
        case .not: true
        case .and(let a, let b), .or(let a, let b): negates(a) || negates(b)
        default: false
        }
    }

    static func applies(_ f: SigmaFilter, to rule: SigmaRule) -> Bool {
        let named = f.appliesToAny || f.rules.contains { $0 == rule.metadata.id || $0 == rule.metadata.name }
        guard named else { return false }
        let a = f.logsource, b = rule.logsource
        if let p = a.product, p != b.product { return false }
        if let c = a.category, c != b.category { return false }
        if let s = a.service, s != b.service { return false }
        return true
    }

    /// `(rule condition) and (filter condition)`, the filter's identifiers renamed apart
    /// (pySigma's way, REFERENCE §2.3).
    static func join(_ d: SigmaDetection, filter f: SigmaFilter, number: Int) -> SigmaDetection {
        let prefix = "_filter\(number)_"
        func rename(_ c: SigmaCondition) -> SigmaCondition {
            switch c {
            case .identifier(let n): .identifier(prefix + n)
            case .and(let a, let b): .and(rename(a), rename(b))
            case .or(let a, let b): .or(rename(a), rename(b))
            case .not(let a): .not(rename(a))
            // The filter's `them` means the filter's own identifiers, all renamed with the prefix.
            case .oneOf(let p): .oneOf(p == "them" ? prefix + "*" : prefix + p)
            case .allOf(let p): .allOf(p == "them" ? prefix + "*" : prefix + p)
            }
        }
        var out = d
        out.searches += f.detection.searches.map { (prefix + $0.name, $0.search, $0.location) }
        out.condition = .and(d.condition, rename(f.detection.condition))
        return out
    }

    struct CompileState {
        var leaves: [CompiledLeaf] = []
        var leafIndex: [CompiledLeaf: Int] = [:]
        var programs: [FieldProgram] = []
        var programIndex: [FieldSource: Int] = [:]
        var keywordProgram: Int? = nil
        var gates: [Gate] = []
        var gateIndex: [Gate: Int] = [:]

        mutating func leaf(_ l: CompiledLeaf) -> Int {
            if let i = leafIndex[l] { return i }
            leaves.append(l)
            leafIndex[l] = leaves.count - 1
            return leaves.count - 1
        }

        mutating func program(_ s: FieldSource) -> Int {
            if let i = programIndex[s] { return i }
            programs.append(FieldProgram(source: s, everyText: false))
            programIndex[s] = programs.count - 1
            return programs.count - 1
        }

        mutating func keywords() -> Int {
            if let k = keywordProgram { return k }
            programs.append(FieldProgram(source: FieldSource(columns: []), everyText: true))
            keywordProgram = programs.count - 1
            return programs.count - 1
        }

        mutating func gate(_ g: Gate) -> Int {
            if let i = gateIndex[g] { return i }
            gates.append(g)
            gateIndex[g] = gates.count - 1
            return gates.count - 1
        }
    }

    func compile(_ rule: SigmaRule, _ detection: SigmaDetection, _ state: inout CompileState,
                 _ values: SigmaValueCompiler) throws(UnsupportedRule) -> CompiledRule {
        let label = rule.metadata.label
        func unsupported(_ at: SigmaLocation, _ why: String) -> UnsupportedRule {
            UnsupportedRule(rule: label, location: at, reason: why)
        }
        guard let (binding, entry) = bindings.resolve(rule.logsource) else {
            throw unsupported(rule.metadata.location, "no binding covers logsource (\(rule.logsource)); add a binding file")
        }
        // Compile every item once (bound to columns per alternative below).
        var specs: [String: [[(LeafSpec, SigmaLocation)]]] = [:]   // search → OR of AND-lists
        for (name, search, _) in detection.searches {
            specs[name] = try flatten(search, values, label)
        }
        var reads = Set<String>()
        for (_, ors) in specs { for and in ors { for (s, _) in and { if let f = s.field { reads.insert(f) } } } }
        var alternatives: [CompiledAlternative] = []
        var lastReason: UnsupportedRule? = nil
        for alt in entry.alternatives {
            // Fields this alternative cannot have: the rule does not apply to these events.
            if let missing = reads.first(where: { alt.unsupported.contains($0) }) {
                lastReason = unsupported(rule.metadata.location, "field '\(missing)' does not exist in these events")
                continue
            }
            var leafOf: [String: RuleExpr] = [:]
            do throws(UnsupportedRule) {
                for (name, ors) in specs {
                    var orExprs: [RuleExpr] = []
                    for and in ors {
                        var andExprs: [RuleExpr] = []
                        for (spec, at) in and {
                            andExprs.append(.leaf(try bind(spec, at, binding, alt, &state, label)))
                        }
                        orExprs.append(andExprs.count == 1 ? andExprs[0] : .and(andExprs))
                    }
                    leafOf[name] = orExprs.count == 1 ? orExprs[0] : .or(orExprs)
                }
            } catch {
                lastReason = error
                continue
            }
            let names = detection.searches.map(\.name)
            let expr = Self.expression(detection.condition, leafOf, names)
            let gate = Gate(conditions: alt.when.map { Gate.Condition(column: $0.column, values: $0.values == ["*"] ? [] : $0.values.map { CaseFold.fold(Array($0.utf8)) }) })
            alternatives.append(CompiledAlternative(gate: state.gate(gate), condition: Self.simplify(expr), binding: binding, alternative: alt))
        }
        guard !alternatives.isEmpty else {
            throw lastReason ?? unsupported(rule.metadata.location, "the binding '\(binding.name)' gives the rule no events")
        }
        return CompiledRule(metadata: rule.metadata, logsource: rule.logsource, alternatives: alternatives)
    }

    /// A search as an OR of AND-lists of leaf specs.
    func flatten(_ s: SigmaSearch, _ values: SigmaValueCompiler, _ label: String) throws(UnsupportedRule) -> [[(LeafSpec, SigmaLocation)]] {
        switch s {
        case .allOf(let items):
            var and: [(LeafSpec, SigmaLocation)] = []
            for item in items {
                do throws(SigmaValueCompiler.Failure) {
                    var spec = try values.compile(item)
                    if item.field == nil { spec = Self.keywordSpec(spec) }
                    and.append((spec, item.location))
                } catch {
                    throw UnsupportedRule(rule: label, location: item.location, reason: error.message, isError: !error.unsupported)
                }
            }
            return [and]
        case .anyOf(let alts):
            var out: [[(LeafSpec, SigmaLocation)]] = []
            for a in alts { out += try flatten(a, values, label) }
            return out
        case .keywords(let item):
            do throws(SigmaValueCompiler.Failure) {
                let spec = Self.keywordSpec(try values.compile(item))
                return [[(spec, item.location)]]
            } catch {
                throw UnsupportedRule(rule: label, location: item.location, reason: error.message, isError: !error.unsupported)
            }
        }
    }

    /// Keywords match anywhere in a text value: each pattern gets `*…*` (REFERENCE §2.3, "applied
    /// to the full log message": spoor matches any text field of the event).
    static func keywordSpec(_ s: LeafSpec) -> LeafSpec {
        guard case .values(let groups, let all) = s.kind else { return s }
        let wrapped = groups.map { g in
            g.map { t -> ValueTest in
                guard case .pattern(let p) = t else { return t }
                var pieces = p.pieces
                if pieces.first != .anyRun { pieces.insert(.anyRun, at: 0) }
                if pieces.last != .anyRun { pieces.append(.anyRun) }
                return .pattern(BytePattern(pieces: pieces, cased: p.cased))
            }
        }
        return LeafSpec(field: nil, kind: .values(groups: wrapped, all: all), negated: s.negated)
    }

    /// The columns a Sigma field reads under a binding alternative.
    static func source(_ field: String, _ b: LogsourceBinding, _ alt: LogsourceBinding.Alternative) -> FieldSource? {
        if let c = alt.fields[field] { return FieldSource(columns: c) }
        if let c = b.fields[field] { return FieldSource(columns: c) }
        if b.closed { return nil }
        return FieldSource(columns: (alt.raw ?? b.raw).map { $0 + field })
    }

    func bind(_ spec: LeafSpec, _ at: SigmaLocation, _ b: LogsourceBinding, _ alt: LogsourceBinding.Alternative,
              _ state: inout CompileState, _ label: String) throws(UnsupportedRule) -> Int {
        func src(_ f: String) throws(UnsupportedRule) -> FieldSource {
            guard let s = Self.source(f, b, alt) else {
                throw UnsupportedRule(rule: label, location: at, reason: "no parser produces field '\(f)' for the binding '\(b.name)'")
            }
            return s
        }
        guard let field = spec.field else {
            guard case .values(let groups, let all) = spec.kind else {
                throw UnsupportedRule(rule: label, location: at, reason: "keywords take plain values only")
            }
            let p = state.keywords()
            let ids = try add(groups, p, &state, at, label)
            return state.leaf(CompiledLeaf(kind: .keywords(program: p, groups: ids, all: all), negated: spec.negated))
        }
        let s = try src(field)
        switch spec.kind {
        case .values(let groups, let all):
            let p = state.program(s)
            let ids = try add(groups, p, &state, at, label)
            return state.leaf(CompiledLeaf(kind: .values(program: p, groups: ids, all: all), negated: spec.negated))
        case .null:
            return state.leaf(CompiledLeaf(kind: .null(s), negated: spec.negated))
        case .exists(let e):
            return state.leaf(CompiledLeaf(kind: .exists(s, e), negated: spec.negated))
        case .fieldRef(let fields, let shape, let cased, let all):
            var others: [FieldSource] = []
            for f in fields { others.append(try src(f)) }
            return state.leaf(CompiledLeaf(kind: .fieldRef(s, others: others, shape: shape, cased: cased, all: all), negated: spec.negated))
        }
    }

    func add(_ groups: [[ValueTest]], _ p: Int, _ state: inout CompileState, _ at: SigmaLocation,
             _ label: String) throws(UnsupportedRule) -> [[Int]] {
        var out: [[Int]] = []
        for g in groups {
            var ids: [Int] = []
            for t in g {
                do throws(SigmaValueCompiler.Failure) { ids.append(try state.programs[p].add(t)) }
                catch { throw UnsupportedRule(rule: label, location: at, reason: error.message, isError: !error.unsupported) }
            }
            out.append(ids)
        }
        return out
    }

    /// The condition with identifiers and `of` selectors replaced by their leaf expressions.
    static func expression(_ c: SigmaCondition, _ leafOf: [String: RuleExpr], _ names: [String]) -> RuleExpr {
        switch c {
        case .identifier(let n): return leafOf[n] ?? .constant(false)
        case .and(let a, let b): return .and([expression(a, leafOf, names), expression(b, leafOf, names)])
        case .or(let a, let b): return .or([expression(a, leafOf, names), expression(b, leafOf, names)])
        case .not(let a): return .not(expression(a, leafOf, names))
        case .oneOf(let p):
            let sel = SigmaCondition.select(p, from: names).compactMap { leafOf[$0] }
            return sel.isEmpty ? .constant(false) : .or(sel)
        case .allOf(let p):
            let sel = SigmaCondition.select(p, from: names).compactMap { leafOf[$0] }
            return sel.isEmpty ? .constant(false) : .and(sel)
        }
    }

    /// Flattens nested ANDs/ORs and folds constants.
    static func simplify(_ e: RuleExpr) -> RuleExpr {
        switch e {
        case .leaf, .constant: return e
        case .not(let a):
            let s = simplify(a)
            if case .constant(let v) = s { return .constant(!v) }
            if case .not(let inner) = s { return inner }
            return .not(s)
        case .and(let xs):
            var out: [RuleExpr] = []
            for x in xs.map(simplify) {
                if case .constant(let v) = x { if !v { return .constant(false) }; continue }
                if case .and(let ys) = x { out += ys } else { out.append(x) }
            }
            return out.isEmpty ? .constant(true) : (out.count == 1 ? out[0] : .and(out))
        case .or(let xs):
            var out: [RuleExpr] = []
            for x in xs.map(simplify) {
                if case .constant(let v) = x { if v { return .constant(true) }; continue }
                if case .or(let ys) = x { out += ys } else { out.append(x) }
            }
            return out.isEmpty ? .constant(false) : (out.count == 1 ? out[0] : .or(out))
        }
    }
}
