/// An instant in UTC with microsecond precision, plus the UTC offset the source wrote it in.
///
/// spoor keeps time as microseconds since the Unix epoch everywhere (memory, SQLite, exports)
/// so that order and arithmetic are exact integers. The original offset is kept beside it
/// (`event.timezone`), because "03:00 local" is evidence too: it says when the host's owner
/// was awake.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(seconds: Int64, microseconds: Int64 = 0) {
        self.microseconds = seconds &* 1_000_000 &+ microseconds
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// Whole seconds since the epoch (floor).
    public var seconds: Int64 {
        microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
    }

    /// The civil date and time in UTC.
    public var civil: CivilTime { CivilTime(utcMicroseconds: microseconds) }

    /// ISO 8601 in UTC with microseconds: `2024-05-01T12:00:00.000123Z`.
    public var description: String { civil.iso8601(fractionDigits: 6, offsetSeconds: nil) }

    /// ISO 8601 rendered in a given offset, e.g. `2024-05-01T14:00:00.000123+02:00`.
    public func iso8601(offsetSeconds: Int) -> String {
        CivilTime(utcMicroseconds: microseconds &+ Int64(offsetSeconds) &* 1_000_000)
            .iso8601(fractionDigits: 6, offsetSeconds: offsetSeconds)
    }
}

/// Formats a UTC offset as `+HH:MM` (ECS `event.timezone` style).
public func formatUTCOffset(_ seconds: Int) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let a = abs(seconds)
    let h = a / 3600, m = (a % 3600) / 60
    return sign + (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
}

/// A broken-down proleptic Gregorian date and time, without a zone.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int      // 1...12
    public var day: Int        // 1...31
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.microsecond = microsecond
    }

    /// Whether the fields are in range (a leap second 60 is accepted and later folded).
    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CivilTime.daysInMonth(year: year, month: month)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
            && (0..<1_000_000).contains(microsecond)
    }

    public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Microseconds since the epoch, reading these fields as UTC.
    public var utcMicroseconds: Int64 {
        let days = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return secs * 1_000_000 + Int64(microsecond)
    }

    /// The civil time of an instant in UTC (Hinnant's `civil_from_days`).
    public init(utcMicroseconds us: Int64) {
        var secs = us >= 0 ? us / 1_000_000 : (us - 999_999) / 1_000_000
        let micro = Int(us - secs * 1_000_000)
        var days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        secs -= days * 86_400
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: Int(y), month: Int(m), day: Int(d),
                  hour: Int(secs / 3600), minute: Int(secs % 3600 / 60), second: Int(secs % 60), microsecond: micro)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`; `offsetSeconds == nil` writes `Z`.
    public func iso8601(fractionDigits: Int, offsetSeconds: Int?) -> String {
        var s = ""
        s.reserveCapacity(32)
        func pad(_ v: Int, _ width: Int) {
            let digits = String(v)
            if digits.count < width { s += String(repeating: "0", count: width - digits.count) }
            s += digits
        }
        pad(year, 4); s += "-"; pad(month, 2); s += "-"; pad(day, 2); s += "T"
        pad(hour, 2); s += ":"; pad(minute, 2); s += ":"; pad(second, 2)
        if fractionDigits > 0 {
            s += "."
            var v = microsecond
            for _ in 0..<(6 - min(6, fractionDigits)) { v /= 10 }
            pad(v, min(6, fractionDigits))
        }
        if let off = offsetSeconds { s += formatUTCOffset(off) } else { s += "Z" }
        return s
    }
}
