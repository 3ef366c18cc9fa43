import SpoorCore
import SpoorIndicators

/// Values as intel formats write them, made canonical: indicators through
/// ``IndicatorNormalizer`` (the same rules as extraction, so intel and sightings compare equal),
/// times as RFC 3339.
enum IntelCanonical {
    static func indicator(_ raw: String, kind: IndicatorKind) -> Indicator? {
        IndicatorNormalizer.normalize(raw, as: kind)
    }

    /// Parses an RFC 3339 / ISO 8601 timestamp; nil when malformed. A time without offset is UTC.
    static func time(_ s: String?) -> Timestamp? {
        guard let s else { return nil }
        let bytes = Array(s.utf8)
        guard let p = TimestampText.parseISO8601(bytes.span), p.length == bytes.count else { return nil }
        return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000)
    }
}
