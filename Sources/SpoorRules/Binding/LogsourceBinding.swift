import Foundation
import Yams

/// How a Sigma `logsource` and its field names bind to spoor's events: data, not code
/// (files in `Bindings/`, and any a user adds with `--bindings`), in the spirit of pySigma's
/// processing pipelines (REFERENCE §2.4).
///
/// A binding file:
/// ```yaml
/// name: windows
/// fields:                      # Sigma field → spoor column(s), first present wins
///   EventID: winlog.event_id
/// raw: [winlog.event_data.]    # other fields: these prefixes + the name (open namespaces)
/// closed: false                # true: a field neither listed nor raw is unsupported
/// logsources:
///   - product: windows
///     category: process_creation
///     when:                    # OR of alternatives; each an AND of column = value(s)
///       - winlog.channel: Microsoft-Windows-Sysmon/Operational
///         winlog.event_id: 1
///       - winlog.channel: Security
///         winlog.event_id: 4688
///         fields: {Image: winlog.event_data.NewProcessName}   # this alternative only
///         unsupported: [User]                                 # fields it cannot have
///         raw: [winlog.event_data.]                            # raw prefixes for this alternative
/// ```
public struct LogsourceBinding: Sendable {
    /// One way events of a logsource look: column conditions and field overrides.
    public struct Alternative: Sendable {
        /// column → accepted values (case-insensitive equality); all must hold.
        public var when: [(column: String, values: [String])]
        public var fields: [String: [String]]
        public var unsupported: Set<String>
        /// Raw prefixes for this alternative's events, instead of the file's.
        public var raw: [String]?
    }

    public struct Entry: Sendable {
        public var product: String?
        public var category: String?
        public var service: String?
        public var alternatives: [Alternative]

        var keyCount: Int { [product, category, service].compactMap { $0 }.count }
    }

    public var name: String
    public var fields: [String: [String]]
    public var raw: [String]
    public var closed: Bool
    public var entries: [Entry]
    public var file: String

    /// Parses a binding file's text.
    public init(yaml text: String, file: String) throws(SigmaDiagnostic) {
        let root: Node?
        do { root = try Yams.compose(yaml: text, .basic) } catch { throw SigmaLoader.diagnostic(for: error, file: file) }
        let at = { (n: Node?) in SigmaLocation(file: file, line: n?.mark?.line ?? 1, column: n?.mark?.column ?? 1) }
        guard let root, case .mapping = root else { throw SigmaDiagnostic(.error, at(root), "a binding file must be a mapping") }
        self.file = file
        name = DocumentReader.value(root, "name")?.scalar?.string ?? (file as NSString).lastPathComponent
        fields = try Self.fieldMap(DocumentReader.value(root, "fields"), at)
        raw = Self.strings(DocumentReader.value(root, "raw"))
        closed = DocumentReader.value(root, "closed")?.scalar.map { ["true", "yes", "on"].contains($0.string.lowercased()) } ?? false
        entries = []
        guard let list = DocumentReader.value(root, "logsources") else { return }
        guard case .sequence(let seq) = list else { throw SigmaDiagnostic(.error, at(list), "'logsources' must be a list") }
        for item in seq {
            guard case .mapping = item else { throw SigmaDiagnostic(.error, at(item), "a logsource entry must be a mapping") }
            func key(_ k: String) -> String? { DocumentReader.value(item, k)?.scalar?.string.lowercased() }
            var alternatives: [Alternative] = []
            if let when = DocumentReader.value(item, "when") {
                let altNodes: [Node]
                if case .sequence(let s) = when { altNodes = Array(s) } else { altNodes = [when] }
                for a in altNodes {
                    guard let pairs = DocumentReader.pairs(a) else { throw SigmaDiagnostic(.error, at(a), "a 'when' alternative must be a mapping") }
                    var cond: [(String, [String])] = []
                    var f: [String: [String]] = [:]
                    var unsupported = Set<String>()
                    var raw: [String]? = nil
                    for (k, _, v) in pairs {
                        switch k {
                        case "fields": f = try Self.fieldMap(v, at)
                        case "raw": raw = Self.strings(v)
                        case "unsupported": unsupported = Set(Self.strings(v))
                        default: cond.append((k, Self.strings(v)))
                        }
                    }
                    alternatives.append(Alternative(when: cond, fields: f, unsupported: unsupported, raw: raw))
                }
            } else {
                alternatives = [Alternative(when: [], fields: [:], unsupported: [], raw: nil)]
            }
            entries.append(Entry(product: key("product"), category: key("category"), service: key("service"), alternatives: alternatives))
        }
    }

    static func strings(_ node: Node?) -> [String] {
        guard let node else { return [] }
        if case .sequence(let s) = node { return s.compactMap { $0.scalar?.string } }
        return node.scalar.map { [$0.string] } ?? []
    }

    static func fieldMap(_ node: Node?, _ at: (Node?) -> SigmaLocation) throws(SigmaDiagnostic) -> [String: [String]] {
        guard let node else { return [:] }
        guard let pairs = DocumentReader.pairs(node) else { throw SigmaDiagnostic(.error, at(node), "'fields' must be a mapping") }
        var out: [String: [String]] = [:]
        for (k, _, v) in pairs { out[k] = strings(v) }
        return out
    }

    /// The entry for a rule's logsource: the most specific one whose keys the rule has, all equal.
    func entry(for ls: SigmaLogsource) -> Entry? {
        var best: Entry? = nil
        for e in entries {
            if let p = e.product, p != ls.product { continue }
            if let c = e.category, c != ls.category { continue }
            if let s = e.service, s != ls.service { continue }
            if e.keyCount > (best?.keyCount ?? -1) { best = e }
        }
        return best
    }
}

/// The bindings in force: spoor's own files, then the user's (a user's entry for the same
/// logsource wins).
public struct BindingSet: Sendable {
    public var bindings: [LogsourceBinding]

    public init(_ bindings: [LogsourceBinding]) { self.bindings = bindings }

    /// spoor's own bindings (``BuiltInBindings``).
    public static func builtIn() throws(SigmaDiagnostic) -> BindingSet {
        var out: [LogsourceBinding] = []
        for (name, yaml) in BuiltInBindings.files { out.append(try LogsourceBinding(yaml: yaml, file: name)) }
        return BindingSet(out)
    }

    /// Writes spoor's own binding files into `folder` (to edit, and pass back with `--bindings`).
    public static func writeBuiltIn(to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for (name, yaml) in BuiltInBindings.files {
            let path = (folder as NSString).appendingPathComponent(name)
            try (yaml + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }

    /// Every `.yml` file in `folder`, sorted by name.
    public static func load(folder: String) throws(SigmaDiagnostic) -> BindingSet {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yml") }.sorted()
        var out: [LogsourceBinding] = []
        for n in names {
            let path = (folder as NSString).appendingPathComponent(n)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SigmaDiagnostic(.error, SigmaLocation(file: path, line: 0, column: 0), "cannot read the binding file")
            }
            out.append(try LogsourceBinding(yaml: text, file: path))
        }
        return BindingSet(out)
    }

    /// Adds a user's binding files after the built-in ones, so theirs take precedence.
    public mutating func add(_ other: BindingSet) { bindings = other.bindings + bindings }

    /// The binding and entry for a logsource: the most specific entry across files (first file wins ties).
    func resolve(_ ls: SigmaLogsource) -> (LogsourceBinding, LogsourceBinding.Entry)? {
        var best: (LogsourceBinding, LogsourceBinding.Entry)? = nil
        for b in bindings {
            guard let e = b.entry(for: ls) else { continue }
            if e.keyCount > (best?.1.keyCount ?? -1) { best = (b, e) }
        }
        return best
    }
}
