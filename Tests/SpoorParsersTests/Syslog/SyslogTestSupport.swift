import Foundation
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Shared context and helpers for the syslog tests.
enum SyslogTesting {
    /// fail2ban's test clock: collected 2005-08-14T00:00:00Z, local zone Europe/Zurich.
    static let zurich = TimeZoneRule("Europe/Zurich") ?? .utc
    static let context = ParseContext(timeZone: zurich, collectedAt: Timestamp(seconds: 1_123_977_600), isTimeZoneExplicit: true)

    /// Parses one line; the event or the error.
    static func parse(_ line: String, context: ParseContext = context) -> Result<Event, ParseError> {
        parse(Array(line.utf8), context: context)
    }

    static func parse(_ bytes: [UInt8], context: ParseContext = context) -> Result<Event, ParseError> {
        var parser = SyslogParser(context: context)
        var builder = EventBatchBuilder()
        builder.beginRow()
        do {
            _ = try parser.parse(bytes.span, into: &builder)
            builder.endRow()
            return .success(builder.finish().row(0))
        } catch {
            builder.cancelRow()
            return .failure(error)
        }
    }

    /// The UTC instant of a local Zurich time, computed with Foundation (independent of the parser).
    static func zurichSeconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich") ?? .gmt
        let date = calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s)) ?? .distantPast
        return Int64(date.timeIntervalSince1970)
    }
}

extension Event {
    func string(_ name: String) -> String? { if case .string(let s)? = self[name] { s } else { nil } }
    func int(_ name: String) -> Int64? { if case .int(let v)? = self[name] { v } else { nil } }
    func ip(_ name: String) -> String? { if case .ip(let a)? = self[name] { a.description } else { nil } }
    func list(_ name: String) -> [String]? { if case .list(let l)? = self[name] { l } else { nil } }
}
