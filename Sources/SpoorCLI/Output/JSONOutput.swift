import Foundation
import Spoor
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorParsers

/// Builds the JSON a command prints; one place, so every command spells values the same way.
enum JSONOutput {
    static func int(_ v: Int) -> JSONValue { .number(String(v)) }
    static func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    static func value(_ v: FieldValue?) -> JSONValue {
        guard let v else { return .null }
        switch v {
        case .string(let s): return .string(s)
        case .int(let i): return .number(String(i))
        case .double(let d): return d.isFinite ? .number(FieldValue.format(d)) : .string(FieldValue.format(d))
        case .bool(let b): return .bool(b)
        case .timestamp(let t): return .string(t.description)
        case .ip(let a): return .string(a.description)
        case .list(let l): return .array(l.map(JSONValue.string))
        }
    }

    static func reject(_ r: Reject) -> JSONValue {
        .object([("location", .string(r.location.description)), ("source", .string(r.location.source)),
                 ("record", int(r.location.record)), ("offset", int(r.location.byteOffset)),
                 ("code", .string(r.code.description)), ("reason", .string(r.reason)),
                 ("length", int(r.length)), ("first_bytes", .string(ByteText.string(r.firstBytes)))])
    }

    static func ingest(_ report: IngestReport) -> JSONValue {
        .object([
            ("records", int(report.records)), ("events", int(report.events)), ("rejects", int(report.rejects)),
            ("bytes", int(report.bytes)), ("seconds", .number(String(format: "%.3f", report.seconds))),
            ("sources", .array(report.sources.map { s in
                .object([("path", .string(s.path)), ("format", string(s.format)), ("records", int(s.records)),
                         ("events", int(s.events)), ("rejects", int(s.rejects)), ("bytes", int(s.bytes)),
                         ("skipped", string(s.skipped)), ("error", string(s.error)),
                         ("resumed_at", s.resumedAt.map(int) ?? .null),
                         ("reject_examples", .array(s.rejectExamples.map(reject)))])
            })),
            ("missing", .array(report.missing.map(JSONValue.string))),
        ])
    }

    static func summary(_ s: CaseSummary) -> JSONValue {
        func counts(_ c: [CaseSummary.Count]) -> JSONValue {
            .array(c.map { .object([("value", .string($0.value)), ("count", int($0.count))]) })
        }
        return .object([("events", int(s.events)), ("first", string(s.first?.description)), ("last", string(s.last?.description)),
                        ("by_parser", counts(s.byParser)), ("by_category", counts(s.byCategory)),
                        ("top_actions", counts(s.topActions)), ("hosts", counts(s.hosts)),
                        ("failure_sources", counts(s.failureSources)), ("failure_users", counts(s.failureUsers))])
    }

    /// Prints a JSON value on standard output. JSON escapes every control character, so
    /// nothing from a log reaches the terminal raw.
    static func print(_ v: JSONValue) { Console.out(v.jsonText) }
}
