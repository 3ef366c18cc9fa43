import SpoorCore
import SpoorIndicators

/// Intel facts held in memory for matching indicators as they are sighted: a hash lookup for
/// facts that name a value, and, for facts that name CIDR blocks (`ipv4-addr:value` with a `/`,
/// as STIX and many feeds write networks), one lookup per prefix length present, so an address
/// finds every block that holds it (nested blocks included).
///
/// ```swift
/// let index = IntelIndex(facts)
/// for fact in index.matches(Indicator(kind: .ipv4, value: "203.0.113.9")) { … }
/// ```
public struct IntelIndex: Sendable {
    public let facts: [IntelFact]
    private var exact: [Indicator: [Int32]] = [:]
    /// Per family: prefix length → masked network → facts.
    private var blocks4: [Int: [UInt32: [Int32]]] = [:]
    private var blocks6: [Int: [IPAddress: [Int32]]] = [:]

    public init(_ facts: [IntelFact]) {
        self.facts = facts
        exact.reserveCapacity(facts.count)
        for (i, f) in facts.enumerated() {
            let n = Int32(i)
            if f.indicator.kind.isAddress, f.indicator.value.contains("/"), let net = IPNetwork(f.indicator.value) {
                if let v4 = net.address.ipv4 {
                    blocks4[net.prefixLength, default: [:]][Self.mask(v4, net.prefixLength), default: []].append(n)
                } else {
                    blocks6[net.prefixLength, default: [:]][Self.mask(net.address, net.prefixLength), default: []].append(n)
                }
            } else {
                exact[f.indicator, default: []].append(n)
            }
        }
    }

    /// Facts naming `indicator` (by value, or a CIDR block holding the address), in import order.
    public func matches(_ indicator: Indicator) -> [IntelFact] {
        matchIndices(indicator).map { facts[Int($0)] }
    }

    /// Indices into ``facts`` of the facts naming `indicator`.
    public func matchIndices(_ indicator: Indicator) -> [Int32] {
        var out = exact[indicator] ?? []
        guard indicator.kind.isAddress, !(blocks4.isEmpty && blocks6.isEmpty), !indicator.value.contains("/"),
              let ip = IPAddress(indicator.value) else { return out }
        if let v4 = ip.ipv4 {
            for (length, table) in blocks4 { if let f = table[Self.mask(v4, length)] { out += f } }
        } else {
            for (length, table) in blocks6 { if let f = table[Self.mask(ip, length)] { out += f } }
        }
        if out.count > 1 { out.sort() }
        return out
    }

    /// Facts naming `indicator` that hold at `time` (validity windows).
    public func matches(_ indicator: Indicator, at time: Timestamp) -> [IntelFact] {
        matches(indicator).filter { $0.isValid(at: time) }
    }

    public var isEmpty: Bool { facts.isEmpty }

    static func mask(_ v: UInt32, _ length: Int) -> UInt32 {
        length == 0 ? 0 : v & ~UInt32(0) << UInt32(32 - length)
    }

    static func mask(_ a: IPAddress, _ length: Int) -> IPAddress {
        func keep(_ word: UInt64, _ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? word : word & ~UInt64(0) << UInt64(64 - bits) }
        return IPAddress(high: keep(a.high, length), low: keep(a.low, length - 64))
    }
}
