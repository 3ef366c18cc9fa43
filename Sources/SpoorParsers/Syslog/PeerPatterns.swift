import SpoorCore

/// Finds the remote peer of a message of any program, from the patterns daemons commonly use.
///
/// In order, the first that gives an address wins:
/// 1. a key=value pair whose key names a peer: `rhost=` (PAM; may be a host name), `rip=`
///    (Dovecot), `ip=` (Courier: `ip=[::ffff:1.2.3.4]`), `client=host[IP]` (Postfix cleanup),
///    `relay=` (Courier), `src=`/`SRC=` (netfilter), `IP=` (slapd `ACCEPT from IP=…`);
/// 2. an address in brackets, `host[IP]`, `host [IP]` or `[IP]:port` (Postfix, Cyrus, ProFTPD,
///    Horde), the host name before it (not `unknown`) into `source.domain`;
/// 3. nginx's `, client: ADDRESS,`;
/// 4. `from ADDRESS` in its many spellings (`from 1.2.3.4`, `FROM`, `from 1.2.3.4:22`,
///    `from <1.2.3.4:22>`, `from '1.2.3.4'`, `from [AF_INET]1.2.3.4:22`, `from user@1.2.3.4`);
/// 5. the only address the message names at all (`Host 1.2.3.4 is not allowed`,
///    `1.2.3.4:51000 TLS Error`, `… - 1.2.3.4`), when it names exactly one;
/// 6. `from HOSTNAME` (a name with a dot) into `source.domain`.
///
/// Step 5 is a heuristic: a message naming one address usually names its peer, but a
/// daemon's own listening address (`Listening on 10.0.0.1:53`) would be taken too.
enum PeerPatterns {
    static func extract(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        if keyed(b, m, into: &f) { return }
        if bracketed(b, m, into: &f) { return }
        // nginx error lines relayed through syslog or the journal: "…, client: 1.2.3.4, server: …".
        if let c = MessageText.find(", client: ", in: b, from: m.lowerBound, to: m.upperBound) {
            let s = c + 10
            var e = s
            while e < m.upperBound, b[e] != UInt8(ascii: ","), b[e] != MessageText.space { e += 1 }
            if let a = MessageText.address(b, s..<e) { f.sourceIP = a.ip; return }
        }
        var fromDomain: Range<Int>? = nil
        var k = m.lowerBound
        while let at = MessageText.findIgnoringCase("from ", in: b, from: k, to: m.upperBound) {
            k = at + 5
            guard at == m.lowerBound || b[at - 1] == MessageText.space else { continue }
            let e = MessageText.tokenEnd(b, from: k, to: m.upperBound)
            guard e > k else { continue }
            if let a = MessageText.address(b, k..<e) {
                f.sourceIP = a.ip
                if let p = a.port { f.sourcePort = p }
                return
            }
            if fromDomain == nil, let h = MessageText.hostName(b, k..<e) { fromDomain = h }
        }
        if let only = onlyAddress(b, m) {
            f.sourceIP = only.ip
            if let p = only.port { f.sourcePort = p }
            return
        }
        if let d = fromDomain { f.sourceDomain = d }
    }

    /// Step 1.
    static func keyed(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) -> Bool {
        var i = m.lowerBound
        while let eq = MessageText.find(UInt8(ascii: "="), in: b, from: i, to: m.upperBound) {
            i = eq + 1
            var ks = eq
            while ks > m.lowerBound, (b[ks - 1] | 0x20) &- 97 < 26 || b[ks - 1] == UInt8(ascii: "_") { ks -= 1 }
            let key = ks..<eq
            let allowsName: Bool
            if MessageText.equalsIgnoringCase(b, key, "rhost") || MessageText.equalsIgnoringCase(b, key, "client") { allowsName = true }
            else if MessageText.equalsIgnoringCase(b, key, "rip") || MessageText.equalsIgnoringCase(b, key, "ip")
                        || MessageText.equalsIgnoringCase(b, key, "relay") || MessageText.equalsIgnoringCase(b, key, "src") { allowsName = false }
            else { continue }
            var ve = i
            while ve < m.upperBound, b[ve] != MessageText.space, b[ve] != UInt8(ascii: ","), b[ve] != UInt8(ascii: ";") { ve += 1 }
            guard ve > i else { continue }
            // client=host[IP]
            if b[ve - 1] == MessageText.closeBracket, b[i] != MessageText.openBracket,
               let open = MessageText.find(MessageText.openBracket, in: b, from: i, to: ve),
               let a = MessageText.address(b, open..<ve) {
                f.sourceIP = a.ip
                if let d = MessageText.hostName(b, i..<open), !MessageText.equals(b, d, "unknown") { f.sourceDomain = d }
                return true
            }
            if let a = MessageText.address(b, i..<ve) {
                f.sourceIP = a.ip
                if let p = a.port { f.sourcePort = p }
                return true
            }
            if allowsName, let h = MessageText.hostName(b, i..<ve) {
                f.sourceDomain = h
                return true
            }
        }
        return false
    }

    /// Step 2.
    static func bracketed(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) -> Bool {
        var i = m.lowerBound
        while let open = MessageText.find(MessageText.openBracket, in: b, from: i, to: m.upperBound) {
            i = open + 1
            guard let close = MessageText.find(MessageText.closeBracket, in: b, from: i, to: min(m.upperBound, i + 48)),
                  close > i, let ip = IPAddress.parse(b.extracting(i..<close)) else { continue }
            f.sourceIP = ip
            if close + 2 < m.upperBound, b[close + 1] == MessageText.colon,
               let p = MessageText.number(b, from: close + 2, to: m.upperBound, maxDigits: 5) { f.sourcePort = p.value }
            // The name before: `host[IP]` or `host [IP]`.
            var ne = open
            if ne > m.lowerBound, b[ne - 1] == MessageText.space { ne -= 1 }
            var ns = ne
            while ns > m.lowerBound, b[ns - 1] != MessageText.space, b[ns - 1] != UInt8(ascii: "("), b[ns - 1] != MessageText.openBracket { ns -= 1 }
            if let d = MessageText.hostName(b, ns..<ne), !MessageText.equals(b, d, "unknown") { f.sourceDomain = d }
            return true
        }
        return false
    }

    /// Step 5: the single address named in the message, nil when none or several.
    static func onlyAddress(_ b: Span<UInt8>, _ m: Range<Int>) -> (ip: IPAddress, port: Int64?)? {
        var found: (ip: IPAddress, port: Int64?)? = nil
        var i = m.lowerBound
        let end = m.upperBound
        while i < end {
            let c = b[i]
            let boundary = i == m.lowerBound || !(isWordByte(b[i - 1]) || b[i - 1] == UInt8(ascii: "."))
            guard boundary, MessageText.isHex(c) || c == MessageText.colon else { i += 1; continue }
            // The run of address characters, then an optional :port is handled by `address`.
            var e = i
            var colons = 0, dots = 0
            while e < end {
                let d = b[e]
                if d == MessageText.colon { colons += 1 } else if d == UInt8(ascii: ".") { dots += 1 } else if !MessageText.isHex(d) { break }
                e += 1
            }
            while e > i, b[e - 1] == UInt8(ascii: ".") || b[e - 1] == MessageText.colon { e -= 1 }
            // IPv4 needs three dots; IPv6 needs "::" or seven colons (times and MACs have neither).
            let looksV6 = colons >= 7 || (colons >= 2 && MessageText.find("::", in: b, from: i, to: e) != nil)
            if (dots == 3 && colons <= 1) || (dots == 3 && looksV6) || (dots == 0 && looksV6) {
                if let a = MessageText.address(b, i..<e), e == end || !isWordByte(b[e]) {
                    if let prior = found, prior.ip != a.ip { return nil }
                    found = a
                }
            }
            i = max(e, i + 1)
        }
        return found
    }

    @inline(__always)
    static func isWordByte(_ c: UInt8) -> Bool {
        MessageText.isDigit(c) || (c | 0x20) &- 97 < 26 || c == UInt8(ascii: "_")
    }
}
