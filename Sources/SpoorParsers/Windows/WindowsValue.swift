import SpoorCore

/// The type normalisation every Windows JSON form goes through, so one event gives the same
/// text whatever wrote it.
///
/// - Strings are kept as they are, except that a GUID (`{81056205-565c-…}`,
///   `81056205-565C-…`) is written upper-case without braces, the way evtx_dump renders the
///   EVTX GUID type (Windows' own XML and Winlogbeat use braces; OTRF lower-case).
/// - Numbers are kept as the JSON wrote them (`8752`, not `8752.0`).
/// - Booleans are `true`/`false`.
/// - `null` and empty objects are absent values (evtx_dump writes `null` for an empty
///   `Data` element; Winlogbeat omits it).
/// - Arrays and objects are written as compact JSON.
/// - A number given for a field Windows types as `HexInt32`/`HexInt64` (logon ids,
///   Security's process ids; see ``hexFields``) is written as lowercase `0x…`, as EVTX
///   renders it (a `Get-WinEvent` export gives the plain number).
public enum WindowsValue {
    /// The text of a JSON value under the normalisation above; nil for absent values.
    public static func text(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return normalisedString(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        case .object(let kv): return kv.isEmpty ? nil : v.jsonText
        case .array: return v.jsonText
        }
    }

    /// A string with a GUID normalised; other strings unchanged.
    public static func normalisedString(_ s: String) -> String {
        let u = s.utf8
        guard u.count == 36 || u.count == 38 else { return s }
        return guid(s) ?? s
    }

    /// `s` as an upper-case GUID without braces, if it is a GUID (braced or not).
    public static func guid(_ s: String) -> String? {
        var bytes = Array(s.utf8)
        if bytes.count == 38 {
            guard bytes[0] == UInt8(ascii: "{"), bytes[37] == UInt8(ascii: "}") else { return nil }
            bytes = Array(bytes[1..<37])
        }
        guard bytes.count == 36 else { return nil }
        for (i, c) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"): break
            case UInt8(ascii: "a")...UInt8(ascii: "f"): bytes[i] = c - 32
            default: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Data names whose EVTX type is a hex integer, rendered `0x…` by EVTX, Windows' XML,
    /// Winlogbeat and OTRF, but given as a plain number by `Get-WinEvent`.
    public static let hexFields: Set<String> = [
        "SubjectLogonId", "TargetLogonId", "TargetLinkedLogonId", "LogonId", "HandleId", "AccessMask",
        "Status", "SubStatus", "TicketOptions", "TicketEncryptionType", "FailureCode", "ResultCode",
    ]

    /// Data names that are hex only in the Security log's events (Sysmon writes its
    /// `ProcessId` in decimal).
    public static let securityHexFields: Set<String> = ["NewProcessId", "ProcessId", "CallerProcessId"]

    /// `n` (a decimal integer) as lowercase `0x…`; nil if it is not a non-negative integer.
    public static func hex(decimal n: String) -> String? {
        guard let v = UInt64(n) else {
            if let s = Int64(n), s < 0 { return "0x" + String(UInt64(bitPattern: s), radix: 16) }
            return nil
        }
        return "0x" + String(v, radix: 16)
    }

    /// An integer written in decimal or as `0x…` hex.
    public static func integer(_ s: String) -> Int64? {
        let u = s.utf8
        if u.count > 2, s.hasPrefix("0x") || s.hasPrefix("0X") {
            return UInt64(s.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) }
        }
        return Int64(s)
    }

    /// The time of a Windows JSON form: ISO 8601 (with or without offset; `T` or space) or
    /// .NET's `/Date(ms)/` (`ConvertTo-Json` in Windows PowerShell 5.1, always UTC ms).
    ///
    /// A time written without an offset is read in `zone` (`--tz`; OTRF's older datasets
    /// write `2020-10-19 12:28:44.333` without one).
    ///
    /// - Returns: UTC microseconds and the offset written or used.
    public static func time(_ s: String, zone: TimeZoneRule) -> (microseconds: Int64, offsetSeconds: Int)? {
        time(Array(s.utf8).span, zone: zone)
    }

    /// ``time(_:zone:)`` of UTF-8 text.
    public static func time(_ b: Span<UInt8>, zone: TimeZoneRule) -> (microseconds: Int64, offsetSeconds: Int)? {
        if b.count > 8, b[0] == 0x2f, b[1] == 0x44, b[2] == 0x61, b[3] == 0x74, b[4] == 0x65, b[5] == 0x28 {
            var i = 6
            var neg = false
            if i < b.count, b[i] == UInt8(ascii: "-") { neg = true; i += 1 }
            var ms: Int64 = 0
            var digits = 0
            while i < b.count, b[i] &- 48 < 10, digits < 15 {
                ms = ms * 10 + Int64(b[i] &- 48); i += 1; digits += 1
            }
            guard digits > 0 else { return nil }
            // `/Date(ms+0200)/` carries the writer's offset; the ms are UTC regardless.
            return ((neg ? -ms : ms) * 1000, 0)
        }
        guard let p = TimestampText.parseISO8601(b), p.length == b.count, p.civil.isValid else { return nil }
        if let offset = p.offsetSeconds {
            return (p.civil.utcMicroseconds - Int64(offset) * 1_000_000, offset)
        }
        let local = zone.utc(fromLocal: p.civil)
        return (local.microseconds, local.offsetSeconds)
    }
}
