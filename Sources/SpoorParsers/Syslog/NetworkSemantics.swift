import SpoorCore

/// Postfix and netfilter (`kernel:` lines with `SRC=`/`DST=`) messages.
///
/// | action | message | category / type / outcome |
/// |---|---|---|
/// | `smtp-reject` | `NOQUEUE: reject: RCPT from H[IP]: 554 …`, `milter-reject: …` | email / info / failure |
/// | `smtp-auth-failure` | `warning: H[IP]: SASL LOGIN authentication failed: …` (`sasl_username=` → `user.name`) | authentication / start / failure |
/// | `smtp-connect`, `smtp-disconnect` | `connect from H[IP]`, `disconnect from H[IP] …` | network / connection, start or end |
/// | `smtp-lost-connection` | `lost connection after CMD from H[IP]` | network / connection, end |
/// | `netfilter-log` | `[PREFIX] IN=… OUT=… SRC=… DST=… PROTO=TCP SPT=… DPT=…` | network / connection |
///
/// The peer of Postfix lines comes from the generic `host[IP]` pattern (``PeerPatterns``); a
/// netfilter prefix (`UFW BLOCK`) goes to `event.reason`.
enum NetworkSemantics {
    static func postfix(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        if MessageText.find("reject: ", in: b, from: lo, to: min(hi, lo + 64)) != nil {
            f.classify("smtp-reject", .email, .info, .failure)
            if let c = MessageText.find("]: ", in: b, from: lo, to: hi) {
                let rs = c + 3
                f.reason = rs..<(MessageText.find("; from=", in: b, from: rs, to: hi) ?? hi)
            }
        } else if let sasl = MessageText.find(" authentication failed", in: b, from: lo, to: hi),
                  MessageText.find("SASL ", in: b, from: lo, to: sasl) != nil {
            f.classify("smtp-auth-failure", .authentication, .start, .failure)
            if let u = MessageText.find("sasl_username=", in: b, from: sasl, to: hi) {
                f.user = (u + 14)..<MessageText.tokenEnd(b, from: u + 14, to: hi)
            }
        } else if MessageText.hasPrefix(b, "connect from ", at: lo, to: hi) {
            f.classify("smtp-connect", .network, [.connection, .start])
        } else if MessageText.hasPrefix(b, "disconnect from ", at: lo, to: hi) {
            f.classify("smtp-disconnect", .network, [.connection, .end])
        } else if MessageText.find("lost connection after ", in: b, from: lo, to: min(hi, lo + 40)) != nil {
            f.classify("smtp-lost-connection", .network, [.connection, .end])
        }
    }

    /// A netfilter LOG line; false if the message is not one.
    static func netfilter(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) -> Bool {
        let lo = m.lowerBound, hi = m.upperBound
        guard let src = MessageText.find(" SRC=", in: b, from: lo, to: hi),
              let inKey = MessageText.find("IN=", in: b, from: lo, to: src) else { return false }
        f.classify("netfilter-log", .network, .connection)
        // The --log-prefix sits between the uptime stamp and "IN=".
        var ps = lo
        if ps < hi, b[ps] == MessageText.openBracket, let c = MessageText.find(MessageText.closeBracket, in: b, from: ps, to: inKey),
           MessageText.number(b, from: MessageText.skipSpaces(b, ps + 1, to: c), to: c) != nil { ps = MessageText.skipSpaces(b, c + 1, to: inKey) }
        var pe = inKey
        while pe > ps, b[pe - 1] == MessageText.space { pe -= 1 }
        if pe > ps { f.reason = ps..<pe }
        var i = src + 1
        while i < hi {
            let te = MessageText.tokenEnd(b, from: i, to: hi)
            if let eq = MessageText.find(UInt8(ascii: "="), in: b, from: i, to: te) {
                let key = i..<eq, value = (eq + 1)..<te
                if MessageText.equals(b, key, "SRC") { if let a = MessageText.address(b, value) { f.sourceIP = a.ip } }
                else if MessageText.equals(b, key, "DST") { if let a = MessageText.address(b, value) { f.destinationIP = a.ip } }
                else if MessageText.equals(b, key, "SPT") { f.sourcePort = MessageText.number(b, from: value.lowerBound, to: value.upperBound, maxDigits: 5)?.value }
                else if MessageText.equals(b, key, "DPT") { f.destinationPort = MessageText.number(b, from: value.lowerBound, to: value.upperBound, maxDigits: 5)?.value }
                else if MessageText.equals(b, key, "PROTO") {
                    if MessageText.equals(b, value, "TCP") { f.transport = "tcp" }
                    else if MessageText.equals(b, value, "UDP") { f.transport = "udp" }
                    else if MessageText.equals(b, value, "ICMP") { f.transport = "icmp" }
                    else if MessageText.equals(b, value, "ICMPv6") { f.transport = "ipv6-icmp" }
                }
            }
            i = MessageText.skipSpaces(b, te, to: hi)
        }
        if !f.hasPeer { f.isPeerless = true }
        return true
    }
}
