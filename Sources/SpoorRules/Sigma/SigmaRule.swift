import SpoorCore

// The documents of the Sigma specification v2.1.0 (SigmaHQ/sigma-specification, 2025-08-02):
// detection rules (Sigma_specification.md), correlation rules (Sigma_meta_rules.md,
// "Correlations") and filters (Sigma_meta_filter.md). Field names follow the spec's own.

/// Where something sits in a rule file: `file:line:column`, 1-based like an editor.
public struct SigmaLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A rule's severity (spec §"Level"). Ordered: `informational` < `low` < … < `critical`.
public enum SigmaLevel: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case informational, low, medium, high, critical

    public init?(_ text: String) {
        switch text.lowercased() {
        case "informational": self = .informational
        case "low": self = .low
        case "medium": self = .medium
        case "high": self = .high
        case "critical": self = .critical
        default: return nil
        }
    }

    public static func < (a: SigmaLevel, b: SigmaLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .informational: "informational"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }
}

/// `logsource` (spec §"Log source"): which events a rule is about. Values are compared
/// case-insensitively; absent keys match any source.
public struct SigmaLogsource: Sendable, Hashable, CustomStringConvertible {
    public var category: String?
    public var product: String?
    public var service: String?
    public var definition: String?

    public init(category: String? = nil, product: String? = nil, service: String? = nil, definition: String? = nil) {
        self.category = category?.lowercased()
        self.product = product?.lowercased()
        self.service = service?.lowercased()
        self.definition = definition
    }

    public var description: String {
        [("product", product), ("category", category), ("service", service)]
            .compactMap { k, v in v.map { "\(k): \($0)" } }.joined(separator: ", ")
    }
}

/// The fields every Sigma document carries (spec §"Metadata").
public struct SigmaMetadata: Sendable, Hashable {
    public var title: String = ""
    public var id: String?
    public var name: String?
    public var status: String?
    public var description: String?
    public var author: String?
    public var date: String?
    public var modified: String?
    public var level: SigmaLevel?
    public var tags: [String] = []
    public var references: [String] = []
    public var falsePositives: [String] = []
    public var fields: [String] = []
    public var location: SigmaLocation

    public init(location: SigmaLocation) { self.location = location }

    /// The ATT&CK tags (`attack.t1059.001`, `attack.execution`).
    public var attackTags: [String] { tags.filter { $0.lowercased().hasPrefix("attack.") } }

    /// How the rule is named in messages: its title and id.
    public var label: String { id.map { "\(title) (\($0))" } ?? title }
}

/// A detection rule.
public struct SigmaRule: Sendable {
    public var metadata: SigmaMetadata
    public var logsource: SigmaLogsource
    public var detection: SigmaDetection
}

/// A correlation rule (spec "Sigma Correlation Rules").
public struct SigmaCorrelation: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case eventCount = "event_count"
        case valueCount = "value_count"
        case temporal
        case temporalOrdered = "temporal_ordered"
        case valueSum = "value_sum"
        case valueAvg = "value_avg"
        case valuePercentile = "value_percentile"
    }

    /// One bound of the correlation condition (`gt: 10`).
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case gt, gte, lt, lte, eq, neq

        public func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .gt: a > b
            case .gte: a >= b
            case .lt: a < b
            case .lte: a <= b
            case .eq: a == b
            case .neq: a != b
            }
        }
    }

    public var metadata: SigmaMetadata
    public var kind: Kind
    /// The rules correlated, by `id` or `name` (may name other correlations).
    public var rules: [String]
    public var groupBy: [String]
    /// The window, in microseconds.
    public var timespan: Int64
    public var conditions: [(Comparison, Double)]
    /// The field a `value_*` correlation aggregates.
    public var conditionField: String?
    /// `value_percentile`: which percentile (`percentile: 95`)?
    public var percentile: Double?
    /// `aliases`: alias name → (rule reference → field in that rule's events).
    public var aliases: [String: [String: String]]
    /// `generate: true`: the referenced rules also report their own matches.
    public var generate: Bool
}

/// A filter (spec "Sigma Filters"): extra conditions joined onto rules it names.
public struct SigmaFilter: Sendable {
    public var metadata: SigmaMetadata
    public var logsource: SigmaLogsource
    /// Rule ids or names the filter applies to; empty with `appliesToAny` for every rule.
    public var rules: [String]
    public var appliesToAny: Bool
    public var detection: SigmaDetection
}

/// One parsed document of a rule file.
public enum SigmaDocument: Sendable {
    case rule(SigmaRule)
    case correlation(SigmaCorrelation)
    case filter(SigmaFilter)

    public var metadata: SigmaMetadata {
        switch self {
        case .rule(let r): r.metadata
        case .correlation(let c): c.metadata
        case .filter(let f): f.metadata
        }
    }
}

/// A problem found in a rule file or while compiling a rule.
public struct SigmaDiagnostic: Sendable, Hashable, CustomStringConvertible, Error {
    public enum Severity: String, Sendable, Hashable {
        /// The document cannot be read.
        case error
        /// The rule is valid Sigma but spoor cannot run it as written (the reason says why).
        case unsupported
        /// The rule runs, but something is odd.
        case warning
    }

    public var severity: Severity
    public var location: SigmaLocation
    public var message: String
    /// The rule (title and id) the problem belongs to, when known.
    public var rule: String?

    public init(_ severity: Severity, _ location: SigmaLocation, _ message: String, rule: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.rule = rule
    }

    public var description: String {
        "\(location): \(severity.rawValue): \(message)" + (rule.map { " [\($0)]" } ?? "")
    }
}
