import SpoorCore
import SpoorIndicators

/// The one table between STIX object paths and ``IndicatorKind`` (STIX 2.1 §6 SCO properties),
/// used by import (equality patterns → facts) and export (indicator → pattern and SCO).
public enum STIXIndicatorMapping {
    /// (object type, property path as dotted names, kind). Hash names follow the STIX
    /// hashing-algorithm vocabulary (§10.7); lookup is case-insensitive and also accepts the
    /// dashless spellings (`SHA256`) seen in feeds.
    public static let table: [(objectType: String, property: String, kind: IndicatorKind)] = [
        ("ipv4-addr", "value", .ipv4),
        ("ipv6-addr", "value", .ipv6),
        ("domain-name", "value", .domain),
        ("url", "value", .url),
        ("email-addr", "value", .email),
        ("file", "hashes.MD5", .md5),
        ("file", "hashes.SHA-1", .sha1),
        ("file", "hashes.SHA-256", .sha256),
        ("file", "hashes.SHA-512", .sha512),
        ("windows-registry-key", "key", .registryKey),
        ("autonomous-system", "number", .asn),
        ("user-account", "account_login", .userAccount),
        // No STIX 2.1 SCO exists for these: custom object types (§11.1, `x-` prefix).
        ("x-cryptocurrency-address", "value", .cryptoAddress),
    ]

    static func normalized(_ s: String) -> String { s.lowercased().replacingDashes() }

    /// The kind a path names, or nil.
    public static func kind(objectType: String, property: String) -> IndicatorKind? {
        let p = normalized(property)
        return table.first { $0.objectType == objectType && normalized($0.property) == p }?.kind
    }

    static func kind(for path: STIXObjectPath) -> IndicatorKind? {
        guard path.steps.allSatisfy({ if case .property = $0 { true } else { false } }) else { return nil }
        return kind(objectType: path.objectType, property: path.dottedProperties)
    }

    /// The object path a kind is written with in a pattern (`file:hashes.'SHA-256'`); nil for
    /// kinds that have no single path (paths on disk, CVEs, credentials).
    public static func patternPath(for kind: IndicatorKind) -> String? {
        guard let row = table.first(where: { $0.kind == kind }) else { return nil }
        let parts = row.property.split(separator: ".").map { part in
            part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? String(part) : "'" + part + "'"
        }
        return row.objectType + ":" + parts.joined(separator: ".")
    }

    /// The value of a pattern constant as an indicator of `kind`, canonical; nil when it is not one.
    static func indicator(kind: IndicatorKind, constant: STIXConstant) -> Indicator? {
        switch constant {
        case .string(let s): return IntelCanonical.indicator(s, kind: kind)
        case .int(let n) where kind == .asn: return IntelCanonical.indicator(String(n), kind: kind)
        default: return nil
        }
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(filter { $0 != "-" }) }
}

extension STIXPattern {
    /// The indicators the pattern names by equality when the whole pattern is an `OR` of
    /// `path = 'value'` (or `path IN (…)`) tests, without `NOT` or qualifiers, each on a path of
    /// ``STIXIndicatorMapping/table``; nil otherwise, or when a value is not a valid indicator
    /// of its kind (the pattern is then kept as a pattern and matched as written).
    public var equalityIndicators: [Indicator]? {
        var out: [Indicator] = []
        func observation(_ e: STIXObservationExpression) -> Bool {
            switch e {
            case .observation(let c): return comparison(c)
            case .or(let parts): return parts.allSatisfy(observation)
            default: return false
            }
        }
        func comparison(_ c: STIXComparisonExpression) -> Bool {
            switch c {
            case .or(let parts): return parts.allSatisfy(comparison)
            case .and: return false
            case .test(let t):
                guard !t.isNegated, let kind = STIXIndicatorMapping.kind(for: t.path) else { return false }
                let constants: [STIXConstant]
                switch t.op {
                case .equal: constants = [t.constant]
                case .in: if case .set(let items) = t.constant { constants = items } else { return false }
                default: return false
                }
                for c in constants {
                    guard let i = STIXIndicatorMapping.indicator(kind: kind, constant: c) else { return false }
                    if !out.contains(i) { out.append(i) }
                }
                return true
            }
        }
        return observation(expression) && !out.isEmpty ? out : nil
    }
}
