/// The Community ID flow hash, version 1 (Corelight's specification, github.com/corelight/community-id-spec),
/// which Zeek, Suricata, Elastic and others write, so that one flow joins across sensors.
///
/// `1:` + base64(SHA-1(seed ‖ addresses ‖ protocol ‖ 0 ‖ ports)), with the endpoints ordered so
/// that both directions of a flow give the same value (the smaller address, then port, first).
/// Computed for TCP (6), UDP (17) and SCTP (132); ICMP flows, whose "ports" are types and codes
/// with the specification's own pairing rules, are not computed here.
public enum CommunityID {
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let sctp: UInt8 = 132

    /// The IANA protocol number of a transport name (`tcp`, `udp`, `sctp`, any case).
    public static func protocolNumber(_ name: String) -> UInt8? {
        switch name.lowercased() {
        case "tcp", "6": tcp
        case "udp", "17": udp
        case "sctp", "132": sctp
        default: nil
        }
    }

    /// The version-1 Community ID, or nil when the flow is not TCP/UDP/SCTP or mixes families.
    ///
    /// - Complexity: one SHA-1 block and no heap allocation but the returned string.
    public static func v1(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16,
                          protocol proto: UInt8, seed: UInt16 = 0) -> String? {
        guard proto == tcp || proto == udp || proto == sctp, source.isIPv4 == destination.isIPv4 else { return nil }
        var (a, ap, b, bp) = (source, sourcePort, destination, destinationPort)
        if (b < a) || (a == b && bp < ap) { swap(&a, &b); swap(&ap, &bp) }
        let h = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buf -> (UInt32, UInt32, UInt32, UInt32, UInt32) in
            var n = 0
            func put(_ v: UInt8) { buf[n] = v; n += 1 }
            func putAddress(_ x: IPAddress) {
                if let v4 = x.ipv4 {
                    for s in [24, 16, 8, 0] { put(UInt8(truncatingIfNeeded: v4 >> UInt32(s))) }
                } else {
                    for s in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: x.high >> UInt64(s))) }
                    for s in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: x.low >> UInt64(s))) }
                }
            }
            put(UInt8(seed >> 8)); put(UInt8(seed & 0xFF))
            putAddress(a); putAddress(b)
            put(proto); put(0)
            put(UInt8(ap >> 8)); put(UInt8(ap & 0xFF)); put(UInt8(bp >> 8)); put(UInt8(bp & 0xFF))
            return SHA1.digestShort(UnsafeBufferPointer(rebasing: buf[0..<n]))
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(20)
        for v in [h.0, h.1, h.2, h.3, h.4] { for s in [24, 16, 8, 0] { digest.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        return "1:" + base64(digest)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let v = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
