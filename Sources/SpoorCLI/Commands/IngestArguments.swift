import ArgumentParser
import Foundation
import SpoorCore
import SpoorIngest
import SpoorParsers

/// The options that shape how logs are read; shared by `ingest` and `analyze`.
struct IngestArguments: ParsableArguments {
    @Option(name: .customLong("org"), help: ArgumentHelp("The client the logs belong to, stored as organization.id on every event.", valueName: "id"))
    var organization: String = "default"

    @Option(help: ArgumentHelp("Read every source as this format instead of recognising it (see `spoor formats`).", valueName: "name"))
    var logFormat: String?

    @Option(help: ArgumentHelp("Zone of times written without an offset: an IANA name (Europe/Zurich) or ±HH:MM. Default UTC.", valueName: "zone"))
    var tz: String?

    @Option(help: ArgumentHelp("When the logs were collected (ISO 8601 date or time): anchors the year of year-less syslog dates. Default: each file's modification time.", valueName: "time"))
    var collectedAt: String?

    @Option(help: ArgumentHelp("Reject records longer than this many bytes.", valueName: "bytes"))
    var maxRecordLength: Int = 1 << 20

    @Flag(help: "Stop at the first rejected record instead of counting it and going on.")
    var strict = false

    @Option(help: ArgumentHelp("Records per committed batch: an interrupted ingest resumes after the last committed batch.", valueName: "n"))
    var batchRecords: Int = 50_000

    func validate() throws {
        if let f = logFormat, LogFormat.named(f) == nil {
            throw ValidationError("Unknown format '\(f)'. Known formats: \((LogFormat.builtIn + [LogFormat.plainText]).map(\.name).joined(separator: ", ")).")
        }
        if let tz, TimeZoneRule(tz) == nil { throw ValidationError("Unknown time zone '\(tz)': give an IANA name such as Europe/Zurich, or an offset such as +02:00.") }
        if let c = collectedAt, IngestArguments.parseTime(c) == nil { throw ValidationError("Cannot read --collected-at '\(c)': give an ISO 8601 date or time, e.g. 2005-08-14 or 2005-08-14T12:00:00Z.") }
        guard maxRecordLength >= 1024 else { throw ValidationError("--max-record-length must be at least 1024 bytes.") }
        guard batchRecords >= 1 else { throw ValidationError("--batch-records must be at least 1.") }
    }

    /// An ISO 8601 date (midnight UTC) or date-time.
    static func parseTime(_ text: String) -> Timestamp? {
        if let p = TimestampText.parseISO8601(text.utf8.span), p.length == text.utf8.count {
            return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000)
        }
        let parts = text.split(separator: "-")
        if parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            let c = CivilTime(year: y, month: m, day: d)
            if c.isValid { return Timestamp(microseconds: c.utcMicroseconds) }
        }
        return nil
    }

    var options: IngestOptions {
        IngestOptions(organization: organization, forcedFormat: logFormat, timeZone: tz.flatMap(TimeZoneRule.init),
                      collectedAt: collectedAt.flatMap(IngestArguments.parseTime), maximumRecordLength: maxRecordLength,
                      batchRecords: batchRecords)
    }
}
