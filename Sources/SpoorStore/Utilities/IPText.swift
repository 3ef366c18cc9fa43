import SpoorCore

/// Writes an IP address's text straight into a byte buffer.
///
/// IPv4 is formatted here digit by digit (the common case, and `description` builds a
/// `String` through interpolation, which showed up in insert profiles); IPv6 uses
/// ``IPAddress/description`` for its RFC 5952 compression.
enum IPText {
    @inline(__always)
    static func append(_ a: IPAddress, to out: inout [UInt8]) {
        guard let v = a.ipv4 else {
            out.append(contentsOf: a.description.utf8)
            return
        }
        for k in 0..<4 {
            let octet = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k)))
            if k > 0 { out.append(UInt8(ascii: ".")) }
            if octet >= 100 { out.append(48 + octet / 100) }
            if octet >= 10 { out.append(48 + (octet / 10) % 10) }
            out.append(48 + octet % 10)
        }
    }
}
