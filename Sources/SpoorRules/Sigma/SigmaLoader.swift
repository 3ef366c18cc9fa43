import Foundation
import SpoorCore
import Yams

/// Reads Sigma rule files: YAML documents (several per file, `---`), each a detection rule,
/// a correlation or a filter (Sigma specification v2.1.0).
///
/// Every problem is reported with `file:line:column`; a broken document never stops the
/// others, in the same file or in other files.
public struct SigmaLoader: Sendable {
    /// The most bytes one rule file may have (the largest SigmaHQ rule is under 40 KB).
    public var maximumFileSize = 4 << 20

    public init() {}

    /// Loads every `.yml`/`.yaml` file under each path (files or folders, recursively, sorted).
    public func load(paths: [String]) -> SigmaRuleSet {
        var set = SigmaRuleSet()
        for path in paths {
            for file in Self.ruleFiles(at: path, diagnostics: &set.diagnostics) {
                load(file: file, into: &set)
            }
        }
        return set
    }

    /// Loads one file's documents into `set`.
    public func load(file: String, into set: inout SigmaRuleSet) {
        let url = URL(fileURLWithPath: file)
        guard let data = try? Data(contentsOf: url) else {
            set.diagnostics.append(SigmaDiagnostic(.error, SigmaLocation(file: file, line: 0, column: 0), "cannot read the file"))
            return
        }
        guard data.count <= maximumFileSize else {
            set.diagnostics.append(SigmaDiagnostic(.error, SigmaLocation(file: file, line: 0, column: 0),
                                                   "the file has \(data.count) bytes, more than the \(maximumFileSize) a rule file may have"))
            return
        }
        load(text: data, file: file, into: &set)
    }

    /// Loads YAML text (UTF-8 bytes) named `file` in messages.
    public func load(text data: Data, file: String, into set: inout SigmaRuleSet) {
        guard let text = String(data: data, encoding: .utf8) else {
            set.diagnostics.append(SigmaDiagnostic(.error, SigmaLocation(file: file, line: 1, column: 1), "the file is not valid UTF-8"))
            return
        }
        load(yaml: text, file: file, into: &set)
    }

    /// Loads YAML text named `file` in messages.
    public func load(yaml text: String, file: String, into set: inout SigmaRuleSet) {
        let parser: Parser
        do {
            parser = try Parser(yaml: text, resolver: .basic)
        } catch {
            set.diagnostics.append(Self.diagnostic(for: error, file: file))
            return
        }
        while true {
            let node: Node?
            do {
                node = try parser.nextRoot()
            } catch {
                set.diagnostics.append(Self.diagnostic(for: error, file: file))
                return
            }
            guard let node else { return }
            var reader = DocumentReader(file: file)
            if let document = reader.document(node) {
                set.documents.append(document)
            }
            set.diagnostics.append(contentsOf: reader.diagnostics)
        }
    }

    static func ruleFiles(at path: String, diagnostics: inout [SigmaDiagnostic]) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            diagnostics.append(SigmaDiagnostic(.error, SigmaLocation(file: path, line: 0, column: 0), "no such file or folder"))
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        var files: [String] = []
        if let walker = FileManager.default.enumerator(atPath: path) {
            while let item = walker.nextObject() as? String {
                if item.hasSuffix(".yml") || item.hasSuffix(".yaml") {
                    files.append((path as NSString).appendingPathComponent(item))
                }
            }
        }
        return files.sorted()
    }

    static func diagnostic(for error: any Error, file: String) -> SigmaDiagnostic {
        if let y = error as? YamlError {
            switch y {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                return SigmaDiagnostic(.error, SigmaLocation(file: file, line: mark.line, column: mark.column), "YAML: \(what)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return SigmaDiagnostic(.error, SigmaLocation(file: file, line: context.mark.line, column: context.mark.column),
                                       "YAML: duplicated keys \(duplicates.joined(separator: ", "))")
            case .reader(let problem, _, _, _):
                return SigmaDiagnostic(.error, SigmaLocation(file: file, line: 1, column: 1), "YAML: \(problem)")
            default:
                return SigmaDiagnostic(.error, SigmaLocation(file: file, line: 1, column: 1), "YAML: \(y)")
            }
        }
        return SigmaDiagnostic(.error, SigmaLocation(file: file, line: 1, column: 1), "YAML: \(error)")
    }
}

/// The documents of one or more rule files, with every problem found reading them.
public struct SigmaRuleSet: Sendable {
    public var documents: [SigmaDocument] = []
    public var diagnostics: [SigmaDiagnostic] = []

    public init() {}

    public var rules: [SigmaRule] {
        documents.compactMap { if case .rule(let r) = $0 { r } else { nil } }
    }

    public var correlations: [SigmaCorrelation] {
        documents.compactMap { if case .correlation(let c) = $0 { c } else { nil } }
    }

    public var filters: [SigmaFilter] {
        documents.compactMap { if case .filter(let f) = $0 { f } else { nil } }
    }

    public var errors: [SigmaDiagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Turns one YAML document into a Sigma document, collecting every problem.
struct DocumentReader {
    let file: String
    var diagnostics: [SigmaDiagnostic] = []
    private var failed = false

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SigmaLocation {
        SigmaLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    mutating func error(_ node: Node, _ message: String, rule: String? = nil) {
        diagnostics.append(SigmaDiagnostic(.error, location(node), message, rule: rule))
        failed = true
    }

    mutating func unsupported(_ node: Node, _ message: String, rule: String? = nil) {
        diagnostics.append(SigmaDiagnostic(.unsupported, location(node), message, rule: rule))
        failed = true
    }

    mutating func warning(_ node: Node, _ message: String, rule: String? = nil) {
        diagnostics.append(SigmaDiagnostic(.warning, location(node), message, rule: rule))
    }

    static func pairs(_ node: Node) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let m) = node else { return nil }
        return m.map { (key: $0.key.scalar?.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    static func value(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let m) = node else { return nil }
        return m.first { $0.key.scalar?.string == key }?.value
    }

    mutating func document(_ root: Node) -> SigmaDocument? {
        guard case .mapping = root else {
            error(root, "a Sigma document must be a YAML mapping")
            return nil
        }
        var meta = metadata(root)
        let label = meta.label
        if let c = Self.value(root, "correlation") {
            var correlation = self.correlation(c, meta: meta)
            // The spec's schema puts `generate` at the document's top level; older text inside `correlation`.
            if let g = Self.value(root, "generate")?.scalar, ["true", "yes", "on"].contains(g.string.lowercased()) {
                correlation?.generate = true
            }
            return failed ? nil : correlation.map(SigmaDocument.correlation)
        }
        if let f = Self.value(root, "filter") {
            let filter = self.filter(f, root: root, meta: meta)
            return failed ? nil : filter.map(SigmaDocument.filter)
        }
        guard let d = Self.value(root, "detection") else {
            error(root, "the document has neither 'detection', 'correlation' nor 'filter'", rule: label)
            return nil
        }
        guard let ls = Self.value(root, "logsource") else {
            error(root, "the rule has no 'logsource'", rule: label)
            return nil
        }
        let logsource = self.logsource(ls, rule: label)
        guard let detection = self.detection(d, rule: label) else { return nil }
        if meta.title.isEmpty { meta.title = meta.id ?? "(untitled)" }
        guard !failed, let logsource else { return nil }
        return .rule(SigmaRule(metadata: meta, logsource: logsource, detection: detection))
    }

    mutating func metadata(_ root: Node) -> SigmaMetadata {
        var m = SigmaMetadata(location: location(root))
        func text(_ key: String) -> String? { Self.value(root, key)?.scalar?.string }
        func list(_ key: String) -> [String] {
            guard let n = Self.value(root, key) else { return [] }
            if case .sequence(let s) = n { return s.compactMap { $0.scalar?.string } }
            return n.scalar.map { [$0.string] } ?? []
        }
        if let t = text("title") {
            m.title = t
            if t.utf8.count > 256, let n = Self.value(root, "title") { warning(n, "the title is longer than the 256 characters the spec allows") }
        } else {
            error(root, "the document has no 'title' (mandatory, spec §Title)")
        }
        m.id = text("id")
        m.name = text("name")
        m.status = text("status")
        m.description = text("description")
        m.author = text("author")
        m.date = text("date")
        m.modified = text("modified")
        if let l = text("level") {
            if let level = SigmaLevel(l) { m.level = level }
            else if let n = Self.value(root, "level") { warning(n, "unknown level '\(l)' (informational, low, medium, high, critical)", rule: m.label) }
        }
        m.tags = list("tags")
        m.references = list("references")
        m.falsePositives = list("falsepositives")
        m.fields = list("fields")
        return m
    }

    mutating func logsource(_ node: Node, rule: String) -> SigmaLogsource? {
        guard case .mapping = node else {
            error(node, "'logsource' must be a mapping", rule: rule)
            return nil
        }
        func text(_ key: String) -> String? { Self.value(node, key)?.scalar?.string }
        return SigmaLogsource(category: text("category"), product: text("product"), service: text("service"), definition: text("definition"))
    }

    // MARK: detection

    mutating func detection(_ node: Node, rule: String) -> SigmaDetection? {
        guard let items = Self.pairs(node) else {
            error(node, "'detection' must be a mapping", rule: rule)
            return nil
        }
        var searches: [(name: String, search: SigmaSearch, location: SigmaLocation)] = []
        var conditionNode: Node? = nil
        for (key, keyNode, value) in items {
            if key == "condition" { conditionNode = value; continue }
            if key == "timeframe" {
                unsupported(keyNode, "'timeframe' belongs to the obsolete v1 aggregation; write a correlation rule", rule: rule)
                continue
            }
            if let s = search(value, rule: rule) {
                searches.append((key, s, location(keyNode)))
            }
        }
        guard let conditionNode else {
            error(node, "'detection' has no 'condition'", rule: rule)
            return nil
        }
        var texts: [(String, Node)] = []
        switch conditionNode {
        case .scalar(let s): texts = [(s.string, conditionNode)]
        case .sequence(let seq): texts = seq.map { ($0.scalar?.string ?? "", $0) }
        default:
            error(conditionNode, "'condition' must be a string or a list of strings", rule: rule)
            return nil
        }
        var condition: SigmaCondition? = nil
        let names = searches.map(\.name)
        for (text, n) in texts {
            do throws(SigmaConditionParser.Failure) {
                let c = try SigmaConditionParser.parse(text)
                for id in c.identifiers where !names.contains(id) {
                    error(n, "the condition names '\(id)', which the detection does not define", rule: rule)
                }
                for p in c.patterns where SigmaCondition.select(p, from: names).isEmpty {
                    error(n, "the condition's pattern '\(p)' selects no search identifier", rule: rule)
                }
                condition = condition.map { .or($0, c) } ?? c
            } catch {
                var loc = location(n)
                loc.column += error.column
                diagnostics.append(SigmaDiagnostic(error.unsupported ? .unsupported : .error, loc, "condition: \(error.message)", rule: rule))
                failed = true
            }
        }
        guard let condition, !failed else { return nil }
        return SigmaDetection(searches: searches, condition: condition, conditionLocation: location(conditionNode))
    }

    /// A search identifier: a map (AND), a list of maps (OR) or a list of keywords (OR).
    mutating func search(_ node: Node, rule: String) -> SigmaSearch? {
        switch node {
        case .mapping:
            return map(node, rule: rule)
        case .sequence(let seq):
            if seq.allSatisfy({ if case .mapping = $0 { true } else { false } }) && !seq.isEmpty {
                var alternatives: [SigmaSearch] = []
                for item in seq { if let m = map(item, rule: rule) { alternatives.append(m) } }
                return .anyOf(alternatives)
            }
            if seq.contains(where: { if case .mapping = $0 { true } else { false } }) {
                error(node, "a search list mixes maps and plain values", rule: rule)
                return nil
            }
            guard let values = scalars(node, rule: rule) else { return nil }
            return .keywords(SigmaFieldItem(field: nil, modifiers: [], values: values, location: location(node)))
        case .scalar:
            guard let values = scalars(node, rule: rule) else { return nil }
            return .keywords(SigmaFieldItem(field: nil, modifiers: [], values: values, location: location(node)))
        case .alias:
            error(node, "YAML aliases are not allowed in a detection", rule: rule)
            return nil
        }
    }

    mutating func map(_ node: Node, rule: String) -> SigmaSearch? {
        guard let items = Self.pairs(node) else { return nil }
        var fields: [SigmaFieldItem] = []
        for (key, keyNode, value) in items {
            let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let field = parts[0]
            var modifiers: [SigmaModifier] = []
            var ok = true
            for name in parts.dropFirst() {
                guard let m = SigmaModifier(rawValue: name) else {
                    unsupported(keyNode, "unknown modifier '\(name)'", rule: rule)
                    ok = false
                    continue
                }
                modifiers.append(m)
            }
            guard ok, let values = scalars(value, rule: rule) else { continue }
            if values.isEmpty {
                error(value, "an empty list of values can never match", rule: rule)
                continue
            }
            fields.append(SigmaFieldItem(field: field.isEmpty ? nil : field, modifiers: modifiers, values: values, location: location(keyNode)))
        }
        return .allOf(fields)
    }

    /// A value or a list of values (scalars only).
    mutating func scalars(_ node: Node, rule: String) -> [SigmaScalar]? {
        switch node {
        case .scalar(let s):
            return [scalar(s, node)]
        case .sequence(let seq):
            var out: [SigmaScalar] = []
            for item in seq {
                guard case .scalar(let s) = item else {
                    error(item, "a value list may hold only plain values", rule: rule)
                    return nil
                }
                out.append(scalar(s, item))
            }
            return out
        default:
            error(node, "expected a value or a list of values", rule: rule)
            return nil
        }
    }

    func scalar(_ s: Node.Scalar, _ node: Node) -> SigmaScalar {
        let loc = location(node)
        guard s.style == .plain else { return SigmaScalar(.string, s.string, at: loc) }
        return SigmaScalar(YAML11.kind(of: s.string), s.string, at: loc)
    }

    // MARK: correlation and filter

    mutating func correlation(_ node: Node, meta: SigmaMetadata) -> SigmaCorrelation? {
        let rule = meta.label
        guard case .mapping = node else { error(node, "'correlation' must be a mapping", rule: rule); return nil }
        guard let typeText = Self.value(node, "type")?.scalar?.string else {
            error(node, "the correlation has no 'type'", rule: rule); return nil
        }
        guard let kind = SigmaCorrelation.Kind(rawValue: typeText) else {
            error(Self.value(node, "type") ?? node, "unknown correlation type '\(typeText)'", rule: rule); return nil
        }
        var rules: [String] = []
        if let r = Self.value(node, "rules") {
            if case .sequence(let s) = r { rules = s.compactMap { $0.scalar?.string } } else if let t = r.scalar?.string { rules = [t] }
        }
        if rules.isEmpty { error(node, "the correlation names no 'rules'", rule: rule) }
        var groupBy: [String] = []
        if let g = Self.value(node, "group-by") {
            if case .sequence(let s) = g { groupBy = s.compactMap { $0.scalar?.string } } else if let t = g.scalar?.string { groupBy = [t] }
        }
        var timespan: Int64 = 0
        if let t = Self.value(node, "timespan") ?? Self.value(node, "timeframe") {
            if let v = t.scalar.flatMap({ Self.duration($0.string) }) { timespan = v }
            else { error(t, "'timespan' must be a number followed by s, m, h, d, w, M or y", rule: rule) }
        } else {
            error(node, "the correlation has no 'timespan'", rule: rule)
        }
        var conditions: [(SigmaCorrelation.Comparison, Double)] = []
        var field: String? = nil
        var percentile: Double? = nil
        if let c = Self.value(node, "condition") {
            for (key, keyNode, value) in Self.pairs(c) ?? [] {
                if key == "field" { field = value.scalar?.string; continue }
                if key == "percentile" { percentile = value.scalar.flatMap { Double($0.string) }; continue }
                guard let op = SigmaCorrelation.Comparison(rawValue: key) else {
                    error(keyNode, "unknown correlation condition '\(key)'", rule: rule); continue
                }
                guard let n = value.scalar.flatMap({ Double($0.string) }) else {
                    error(value, "the '\(key)' bound must be a number", rule: rule); continue
                }
                conditions.append((op, n))
            }
        }
        switch kind {
        case .temporal, .temporalOrdered:
            // The spec gives temporal rules an optional condition; without one all rules must be seen.
            if conditions.isEmpty { conditions = [(.gte, Double(rules.count))] }
        default:
            if conditions.isEmpty { error(node, "the \(kind.rawValue) correlation has no 'condition'", rule: rule) }
        }
        if [.valueCount, .valueSum, .valueAvg, .valuePercentile].contains(kind), field == nil {
            error(node, "a \(kind.rawValue) correlation needs 'condition.field'", rule: rule)
        }
        var aliases: [String: [String: String]] = [:]
        let aliasNode = Self.value(node, "aliases")
        for (alias, _, value) in aliasNode.flatMap(Self.pairs) ?? [] {
            var m: [String: String] = [:]
            for (r, _, f) in Self.pairs(value) ?? [] { m[r] = f.scalar?.string }
            aliases[alias] = m
        }
        let generate = Self.value(node, "generate")?.scalar.map { YAML11.kind(of: $0.string) == .bool && ["true", "yes", "on"].contains($0.string.lowercased()) } ?? false
        return SigmaCorrelation(metadata: meta, kind: kind, rules: rules, groupBy: groupBy, timespan: timespan,
                                conditions: conditions, conditionField: field, percentile: percentile,
                                aliases: aliases, generate: generate)
    }

    mutating func filter(_ node: Node, root: Node, meta: SigmaMetadata) -> SigmaFilter? {
        let rule = meta.label
        guard case .mapping = node else { error(node, "'filter' must be a mapping", rule: rule); return nil }
        var rules: [String] = []
        var any = false
        if let r = Self.value(node, "rules") {
            if case .sequence(let s) = r { rules = s.compactMap { $0.scalar?.string } }
            else if let t = r.scalar?.string { if t == "any" { any = true } else { rules = [t] } }
        }
        if rules.isEmpty && !any { error(node, "the filter names no 'rules' (a list, or 'any')", rule: rule) }
        var filterDetection: [(Node, Node)] = []
        if case .mapping(let m) = node {
            for pair in m where pair.key.scalar?.string != "rules" { filterDetection.append((pair.key, pair.value)) }
        }
        guard let detection = detection(.mapping(.init(filterDetection, .implicit, .any, node.mark)), rule: rule) else { return nil }
        let logsource = Self.value(root, "logsource").flatMap { self.logsource($0, rule: rule) } ?? SigmaLogsource()
        return SigmaFilter(metadata: meta, logsource: logsource, rules: rules, appliesToAny: any, detection: detection)
    }

    /// `30s`, `5m`, `1h`, `2d`, `1w`, `1M`, `1y` → microseconds (spec "Correlations: timespan").
    static func duration(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        case "M": seconds = 2_592_000
        case "y": seconds = 31_536_000
        default: return nil
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: seconds * 1_000_000)
        return overflow ? nil : v
    }
}

/// YAML 1.1 typing of plain scalars (the resolver PyYAML and so pySigma use).
enum YAML11 {
    static func kind(of s: String) -> SigmaScalar.Kind {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
             "on", "On", "ON", "off", "Off", "OFF": return .bool
        default: break
        }
        let u = Array(s.utf8)
        if isInteger(u) { return .integer }
        if isFloat(u) { return .float }
        return .string
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isInteger(_ u: [UInt8]) -> Bool {
        var k = 0
        if k < u.count, u[k] == UInt8(ascii: "-") || u[k] == UInt8(ascii: "+") { k += 1 }
        let body = u[k...]
        guard let first = body.first else { return false }
        if body.count > 2, first == UInt8(ascii: "0"), body[k + 1] == UInt8(ascii: "x") {
            return body.dropFirst(2).allSatisfy { isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) || $0 == UInt8(ascii: "_") }
        }
        if body.count > 2, first == UInt8(ascii: "0"), body[k + 1] == UInt8(ascii: "b") {
            return body.dropFirst(2).allSatisfy { $0 == 0x30 || $0 == 0x31 || $0 == UInt8(ascii: "_") }
        }
        if first == UInt8(ascii: "0") {
            return body.allSatisfy { ($0 >= 0x30 && $0 <= 0x37) || $0 == UInt8(ascii: "_") }
        }
        return isDigit(first) && body.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    static func isFloat(_ u: [UInt8]) -> Bool {
        let s = String(decoding: u, as: UTF8.self)
        if [".inf", ".Inf", ".INF", "-.inf", "+.inf", "-.Inf", "+.Inf", ".nan", ".NaN", ".NAN"].contains(s) { return true }
        var k = 0
        if k < u.count, u[k] == UInt8(ascii: "-") || u[k] == UInt8(ascii: "+") { k += 1 }
        var digits = 0, dot = false
        while k < u.count, isDigit(u[k]) || u[k] == UInt8(ascii: "_") { k += 1; digits += 1 }
        if k < u.count, u[k] == UInt8(ascii: ".") {
            dot = true; k += 1
            while k < u.count, isDigit(u[k]) || u[k] == UInt8(ascii: "_") { k += 1 }
        }
        guard dot else { return false }
        if digits == 0, k == (u.first == UInt8(ascii: "-") || u.first == UInt8(ascii: "+") ? 2 : 1) { return false }
        if k < u.count, u[k] == UInt8(ascii: "e") || u[k] == UInt8(ascii: "E") {
            k += 1
            guard k < u.count, u[k] == UInt8(ascii: "-") || u[k] == UInt8(ascii: "+") else { return false }
            k += 1
            let start = k
            while k < u.count, isDigit(u[k]) { k += 1 }
            if k == start { return false }
        }
        return k == u.count
    }
}
