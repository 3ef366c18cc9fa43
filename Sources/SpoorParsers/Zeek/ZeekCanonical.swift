import SpoorCore
import SpoorEvents

/// The text a container element of a numeric or time type is kept as, the same for TSV and
/// JSON.
///
/// Lists are string lists, but the two formats print numbers differently: a `vector[interval]`
/// is `2230.000000,41830.000000` in TSV and `[2230.0,41830.0]` in JSON. Elements of
/// `interval` and `double` are therefore kept as the shortest text of their value (intervals at
/// microsecond resolution), and `time` elements as ISO 8601 UTC with microseconds.
enum ZeekCanonical {
    /// The canonical text of `b[r]` for an element of type `base`, or nil when it does not read
    /// as that type (the caller then keeps the text as it is).
    static func number(_ b: Span<UInt8>, _ r: Range<Int>, _ base: ZeekType.Base) -> String? {
        switch base {
        case .interval:
            return ZeekText.microseconds(b, r).map { FieldValue.format(Double($0) / 1_000_000) }
        case .double:
            return Bytes.double(b, r).map { FieldValue.format($0) }
        case .time:
            if let us = ZeekText.microseconds(b, r) { return Timestamp(microseconds: us).description }
            let sub = b.extracting(r)
            if let p = TimestampText.parseISO8601(sub), p.length == sub.count {
                return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000).description
            }
            return nil
        default:
            return nil
        }
    }
}
