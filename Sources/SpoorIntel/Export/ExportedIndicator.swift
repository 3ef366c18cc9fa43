import SpoorCore
import SpoorIndicators

/// An indicator seen in the logs, ready for export: when, how often, where, and the intel about it.
public struct ExportedIndicator: Sendable, Hashable {
    public var indicator: Indicator
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// Times seen (records); at least 1 in the export (STIX `count`/`number_observed` start at 1).
    public var count: Int
    /// Hosts it was seen on (`host.name`), each exported as a STIX `identity` of class `system`.
    public var hosts: [String]
    public var labels: [String]
    /// The intel that names it (its dates open the STIX indicator's validity).
    public var intel: [IntelFact]

    public init(indicator: Indicator, firstSeen: Timestamp, lastSeen: Timestamp, count: Int, hosts: [String] = [],
                labels: [String] = [], intel: [IntelFact] = []) {
        self.indicator = indicator; self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.count = count
        self.hosts = hosts; self.labels = labels; self.intel = intel
    }
}

/// RFC 4122 name-based UUIDs (version 5, SHA-1), as STIX 2.1 §2.9 asks for SCO ids.
enum UUIDv5 {
    /// The STIX 2.1 namespace for SCO ids (§2.9): `00abedb4-aa42-466c-9c01-fed23315a9b7`.
    static let stixNamespace: [UInt8] = [0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7]
    /// spoor's own namespace for the ids of the SDOs and SROs it exports (deterministic, so a
    /// re-export of the same indicator keeps its ids): UUIDv5(STIX namespace, "spoor").
    static let spoorNamespace: [UInt8] = bytes(make(namespace: stixNamespace, name: "spoor"))

    static func make(namespace: [UInt8], name: String) -> String {
        var d = SHA1.digest(namespace + Array(name.utf8))
        d[6] = d[6] & 0x0F | 0x50
        d[8] = d[8] & 0x3F | 0x80
        let hex = d[0..<16].map { b -> String in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    static func bytes(_ uuid: String) -> [UInt8] {
        let hex = Array(uuid.utf8.filter { $0 != UInt8(ascii: "-") })
        return stride(from: 0, to: hex.count, by: 2).map { (STIXPatternParser.hexValue(hex[$0]) ?? 0) << 4 | (STIXPatternParser.hexValue(hex[$0 + 1]) ?? 0) }
    }
}

extension JSONValue {
    /// Builds an object from pairs, dropping nil values.
    static func obj(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }
    static func str(_ s: String) -> JSONValue { .string(s) }
    static func strs(_ s: [String]) -> JSONValue { .array(s.map(JSONValue.string)) }
}
