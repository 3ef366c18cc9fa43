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
    public static func v1(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16,
                          protocol proto: UInt8, seed: UInt16 = 0) -> String? {
        guard proto == tcp || proto == udp || proto == sctp, source.isIPv4 == destination.isIPv4 else { return nil }
        func addressBytes(_ a: IPAddress) -> [UInt8] { a.isIPv4 ? Array(a.bytes[12...]) : a.bytes }
        var (a, ap, b, bp) = (source, sourcePort, destination, destinationPort)
        if (b < a) || (a == b && bp < ap) { swap(&a, &b); swap(&ap, &bp) }
        var input: [UInt8] = [UInt8(seed >> 8), UInt8(seed & 0xFF)]
        input += addressBytes(a) + addressBytes(b)
        input += [proto, 0, UInt8(ap >> 8), UInt8(ap & 0xFF), UInt8(bp >> 8), UInt8(bp & 0xFF)]
        return "1:" + base64(SHA1.digest(input))
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let v = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : "=")
            out.append(n > 2 ? alphabet[Int(v & 63)] : "=")
            i += 3
        }
        return out
    }
}
