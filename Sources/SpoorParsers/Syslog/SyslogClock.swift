import SpoorCore

/// Turns the times syslog writes into UTC instants: year-less BSD dates and local times.
///
/// **Year inference.** RFC 3164 dates (`Oct 11 22:14:15`) carry no year. The year is the one of
/// `collectedAt` (in the source's zone); if the date then lies more than ``slack`` (one day)
/// after `collectedAt`, it is taken from the year before. This is the rule fail2ban applies
/// in `fail2ban/server/strptime.py` (`reGroupDictStrptime`: year = now's year, then "if
/// date_result > now + 1 day: assume last year"), with its tests' "now" fixed by
/// `setUpMyTime()` at 1124013600 (2005-08-14 12:00 CEST, zone Europe/Zurich). The one-day
/// slack absorbs clocks and zones that disagree a little. Applied per record, it also handles
/// a file that crosses New Year: collected on Jan 3, a `Dec 30` line is last year's, a `Jan 2`
/// line this year's.
///
/// **Local times.** Times without an offset are read in `ParseContext.timeZone`. The zone's
/// offset is cached per local day when the day has no transition (checked at its first and
/// last minute and at noon), else per local minute (transitions fall on whole minutes), so the
/// zone database is consulted a few times per day of log, not once per line.
struct SyslogClock {
    let zone: TimeZoneRule
    let collectedAt: Int64
    /// How far after `collectedAt` a year-less date may lie and still be this year's.
    static let slack: Int64 = 86_400 * 1_000_000
    /// The largest UTC offset any zone uses (UTC+14, Kiribati), in µs.
    static let maximumOffset: Int64 = 14 * 3600 * 1_000_000
    let collectedYear: Int
    private var cachedMinute = Int.min
    private var cachedOffset = 0
    /// A local day known to have one offset throughout (no zone transition in it).
    private var steadyDay = Int.min
    private var steadyOffset = 0

    init(context: ParseContext) {
        zone = context.timeZone
        collectedAt = context.collectedAt.microseconds
        let offset = context.timeZone.offset(atUTC: collectedAt)
        collectedYear = CivilTime(utcMicroseconds: collectedAt &+ Int64(offset) &* 1_000_000).year
    }

    /// The UTC instant of a local wall-clock time, with the offset used.
    mutating func utc(fromLocal c: CivilTime) -> (microseconds: Int64, offset: Int) {
        let day = CivilTime.daysFromCivil(year: c.year, month: c.month, day: c.day)
        if day == steadyDay { return (c.utcMicroseconds &- Int64(steadyOffset) &* 1_000_000, steadyOffset) }
        // A day whose first and last minutes (and the hour around each) share one offset has
        // no transition: zones change offset at most a few times a year, never twice a day.
        let first = zone.utc(fromLocal: CivilTime(year: c.year, month: c.month, day: c.day)).offsetSeconds
        let last = zone.utc(fromLocal: CivilTime(year: c.year, month: c.month, day: c.day, hour: 23, minute: 59)).offsetSeconds
        if first == last, zone.offset(atUTC: (CivilTime(year: c.year, month: c.month, day: c.day, hour: 12).utcMicroseconds) &- Int64(first) &* 1_000_000) == first {
            steadyDay = day
            steadyOffset = first
            return (c.utcMicroseconds &- Int64(first) &* 1_000_000, first)
        }
        let minute = day &* 1440 &+ c.hour &* 60 &+ c.minute
        if minute != cachedMinute {
            cachedOffset = zone.utc(fromLocal: CivilTime(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute)).offsetSeconds
            cachedMinute = minute
        }
        return (c.utcMicroseconds &- Int64(cachedOffset) &* 1_000_000, cachedOffset)
    }

    /// The UTC instant of a year-less local date, the year inferred as described above; nil
    /// when no nearby year has that date (`Feb 30`).
    mutating func utc(month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int) -> (microseconds: Int64, offset: Int)? {
        var year = collectedYear
        // Feb 29 exists only in leap years: look back at most 8 years for one.
        for _ in 0..<8 {
            let c = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: microsecond)
            if c.isValid {
                // No zone is more than 14 h from UTC: decide without the zone when clear of
                // the boundary, so the zone cache is not thrashed by the year we reject.
                let asUTC = c.utcMicroseconds
                let limit = collectedAt &+ SyslogClock.slack
                if asUTC &- SyslogClock.maximumOffset > limit { year -= 1; continue }
                let t = utc(fromLocal: c)
                if t.microseconds <= limit { return t }
            }
            year -= 1
        }
        return nil
    }
}
