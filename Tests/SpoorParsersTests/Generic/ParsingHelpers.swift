import SpoorCore
import SpoorEvents
@testable import SpoorParsers

/// The context the web and generic tests parse with: UTC, collected 2023-11-14T22:13:20Z.
let testContext = ParseContext(collectedAt: Timestamp(seconds: 1_700_000_000))

/// Parses one record into a one-row batch and returns the event, or nil for a directive.
func parseOne(_ record: String, with parser: inout some LogParser) throws(ParseError) -> Event? {
    var builder = EventBatchBuilder()
    builder.beginRow()
    let bytes = Array(record.utf8)
    let outcome: ParseOutcome
    do {
        outcome = try parser.parse(bytes.span, into: &builder)
    } catch {
        builder.cancelRow()
        throw error
    }
    guard outcome == .event else { builder.cancelRow(); return nil }
    builder.endRow()
    return builder.finish().row(0)
}

/// Parses one record given as bytes.
func parseOne(bytes: [UInt8], with parser: inout some LogParser) throws(ParseError) -> Event? {
    var builder = EventBatchBuilder()
    builder.beginRow()
    let outcome: ParseOutcome
    do {
        outcome = try parser.parse(bytes.span, into: &builder)
    } catch {
        builder.cancelRow()
        throw error
    }
    guard outcome == .event else { builder.cancelRow(); return nil }
    builder.endRow()
    return builder.finish().row(0)
}

/// Frames `bytes` with `framer` (as ingest's `.quotedLines` framing does) and parses every
/// record; rejects carry the 1-based record number.
func parseRecords(_ bytes: [UInt8], framer: QuotedLineFramer, with parser: some LogParser)
    -> (batch: EventBatch, rejects: [(record: Int, error: ParseError)], directives: Int) {
    var p = parser
    var builder = EventBatchBuilder()
    var rejects: [(Int, ParseError)] = []
    var directives = 0
    for (n, range) in framer.records(in: bytes.span).enumerated() {
        builder.beginRow()
        do {
            if try p.parse(bytes.span.extracting(range), into: &builder) == .event { builder.endRow() } else {
                builder.cancelRow()
                directives += 1
            }
        } catch {
            builder.cancelRow()
            rejects.append((n + 1, error))
        }
    }
    return (builder.finish(), rejects, directives)
}

extension FieldValue {
    var listValue: [String]? { if case .list(let l) = self { l } else { nil } }
}
