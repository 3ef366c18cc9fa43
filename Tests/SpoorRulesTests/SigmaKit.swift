import Foundation
import SpoorCore
import SpoorEvents
@testable import SpoorRules

/// Test support: run Sigma YAML over events written as dictionaries.
///
/// Event values: `String`, `Int`, `Double`, `Bool`, `IPAddress`, `[String]` (a list column),
/// or `SigmaKit.null` for an explicit null. `"@timestamp"` as an ISO 8601 string becomes the
/// time column. A rule without `product` binds through `generic.yml`, so a field `CommandLine`
/// reads the column `CommandLine` (and `json.CommandLine`, `csv.CommandLine`).
enum SigmaKit {
    struct Null {}
    static let null = Null()

    struct Result {
        var ruleSet: SigmaRuleSet
        var program: SigmaProgram
        /// Rule title → matching rows (event indices), ascending.
        var matches: [String: [Int]]
        /// Correlation title → hits.
        var correlations: [String: [CorrelationHit]]
        var unsupported: [UnsupportedRule] { program.unsupported + program.invalid }
        var errors: [SigmaDiagnostic] { ruleSet.diagnostics.filter { $0.severity == .error } }

        /// Rows the (only) rule matched.
        var rows: [Int] { matches.values.first ?? [] }
    }

    static func batch(_ events: [[String: Any]]) -> EventBatch {
        var b = EventBatchBuilder()
        for e in events {
            b.beginRow()
            for (k, v) in e.sorted(by: { $0.key < $1.key }) {
                switch v {
                case let s as String:
                    if k == Field.timestamp, let p = TimestampText.parseISO8601(Array(s.utf8).span) {
                        let us = p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000
                        b.set(b.column(k, .timestamp), timestamp: Timestamp(microseconds: us))
                    } else {
                        b.set(b.column(k, .string), text: s)
                    }
                case let i as Int: b.set(b.column(k, .int), int: Int64(i))
                case let d as Double: b.set(b.column(k, .double), double: d)
                case let x as Bool: b.set(b.column(k, .bool), bool: x)
                case let a as IPAddress: b.set(b.column(k, .ip), ip: a)
                case let l as [String]:
                    let h = b.column(k, .stringList)
                    b.beginList(h)
                    for s in l { b.appendToList(h, text: s) }
                case is Null: _ = b.column(k, .string)
                default: continue
                }
            }
            b.endRow()
        }
        return b.finish()
    }

    static func run(_ yaml: String, _ events: [[String: Any]], placeholders: [String: [String]] = [:]) throws -> Result {
        var set = SigmaRuleSet()
        SigmaLoader().load(yaml: yaml, file: "test.yml", into: &set)
        var compiler = SigmaCompiler(bindings: try BindingSet.builtIn())
        compiler.placeholders = placeholders
        let program = compiler.compile(set)
        let engine = SigmaEngine(program)
        let batch = Self.batch(events)
        let found = engine.matches(in: batch)
        var matches: [String: [Int]] = [:]
        for r in program.rules { matches[r.metadata.title] = [] }
        for m in found { matches[program.rules[m.rule].metadata.title, default: []].append(m.row) }
        var correlator = CorrelationEngine(program: program)
        correlator.add(found, in: batch, reference: { Int64($0) })
        var correlations: [String: [CorrelationHit]] = [:]
        for c in program.correlations { correlations[c.metadata.title] = [] }
        for h in correlator.finish() { correlations[program.correlations[h.correlation].metadata.title, default: []].append(h) }
        return Result(ruleSet: set, program: program, matches: matches, correlations: correlations)
    }

    /// A one-rule document around a detection block (YAML, indented as under `detection:`).
    static func rule(_ detection: String, logsource: String = "category: test", title: String = "t") -> String {
        """
        title: \(title)
        id: 00000000-0000-4000-8000-000000000001
        logsource:
            \(logsource)
        detection:
        \(detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        level: medium
        """
    }
}
