import Foundation

/// Turns local wall-clock times (logs written without an offset) into UTC instants.
///
/// Built from an IANA zone name (`Europe/Zurich`) or a fixed offset (`+02:00`, `UTC`). For a
/// local time that falls in a daylight-saving gap or fold, the offset in force one hour
/// before is used, which is what syslog daemons writing local time did at that moment in the
/// common case (the earlier of two folded instants).
public struct TimeZoneRule: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Sendable, Hashable {
        case fixed(Int)
        case zone(TimeZone)
    }
    let storage: Storage

    /// UTC.
    public static let utc = TimeZoneRule(storage: .fixed(0))

    init(storage: Storage) { self.storage = storage }

    /// Parses `UTC`, `Z`, `+HH:MM`, `-HHMM` or an IANA zone name; nil if unknown.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.uppercased() == "UTC" || t == "Z" || t.uppercased() == "GMT" { storage = .fixed(0); return }
        if let first = t.first, first == "+" || first == "-" {
            let body = t.dropFirst().replacingOccurrences(of: ":", with: "")
            guard body.count == 4 || body.count == 2, let v = Int(body) else { return nil }
            let h = body.count == 4 ? v / 100 : v, m = body.count == 4 ? v % 100 : 0
            guard h <= 23, m <= 59 else { return nil }
            storage = .fixed((first == "-" ? -1 : 1) * (h * 3600 + m * 60))
            return
        }
        guard let zone = TimeZone(identifier: t) else { return nil }
        storage = .zone(zone)
    }

    public var description: String {
        switch storage {
        case .fixed(let s): return s == 0 ? "UTC" : formatUTCOffset(s)
        case .zone(let z): return z.identifier
        }
    }

    /// The offset (seconds east of UTC) in force at a UTC instant.
    public func offset(atUTC microseconds: Int64) -> Int {
        switch storage {
        case .fixed(let s): return s
        case .zone(let z):
            return z.secondsFromGMT(for: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
        }
    }

    /// The UTC instant of a local wall-clock time, and the offset used.
    public func utc(fromLocal civil: CivilTime) -> (microseconds: Int64, offsetSeconds: Int) {
        let asUTC = civil.utcMicroseconds
        switch storage {
        case .fixed(let s):
            return (asUTC - Int64(s) * 1_000_000, s)
        case .zone:
            // Two fixed-point steps settle every real zone (offsets change at most once a day).
            var off = offset(atUTC: asUTC - 3_600_000_000)
            let guess = asUTC - Int64(off) * 1_000_000
            let off2 = offset(atUTC: guess)
            if off2 != off {
                let guess2 = asUTC - Int64(off2) * 1_000_000
                if offset(atUTC: guess2) == off2 { off = off2 }
            }
            return (asUTC - Int64(off) * 1_000_000, off)
        }
    }
}
