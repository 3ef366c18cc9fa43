import SpoorCore

/// OpenSSH `sshd` (also `sshd-session`, `sshd-auth`) messages.
///
/// `event.action` values, all with `event.kind = event`:
///
/// | action | message | category / type / outcome |
/// |---|---|---|
/// | `ssh-login` | `Accepted|Failed METHOD for [invalid user ]U from H port N ssh2[: KEY FP]` | authentication(+session) / start / success or failure |
/// | `ssh-login-postponed` | `Postponed METHOD for U from H …` | authentication / info |
/// | `ssh-invalid-user` | `Invalid user U from H [port N]`, `input_userauth_request: invalid user U` | authentication / info / failure |
/// | `ssh-user-not-allowed` | `User U [from H] not allowed because …` | authentication / info / failure |
/// | `ssh-root-login-refused` | `ROOT LOGIN REFUSED FROM H` | authentication / info / failure |
/// | `ssh-too-many-auth-failures` | `Disconnecting[: | invalid user U H port N:] Too many authentication failures`, `maximum authentication attempts exceeded for U from H` | authentication / info / failure |
/// | `pam-auth-failure` | `error: PAM: Authentication failure for U from H` | authentication / start / failure |
/// | `ssh-connection` | `Connection from H port N on A port P` | network / connection, start |
/// | `ssh-connection-closed`, `ssh-connection-reset` | `Connection closed|reset by [authenticating user U |invalid user U ]H port N [preauth]` | network / connection, end |
/// | `ssh-disconnected` | `Disconnected from [user U ]H port N` | network / connection, end |
/// | `ssh-disconnect-received` | `Received disconnect from H [port N]:CODE: REASON` | network / connection, end |
/// | `ssh-disconnecting` | `Disconnecting [invalid ]user U H port N: REASON` | network / connection, end |
/// | `ssh-no-identification` | `Did not receive identification string from H` | network / connection / failure |
/// | `ssh-bad-protocol-version` | `Bad protocol version identification '…' from H` | network / connection / failure |
/// | `ssh-negotiation-failed` | `Unable to negotiate with H port N: no matching …` | network / connection / failure |
/// | `ssh-auth-timeout` | `Timeout before authentication for H port N` | authentication / info / failure |
/// | `ssh-protocol-error` | `banner exchange: …`, `ssh_dispatch_run_fatal: …`, `kex_exchange_identification: …` | network / connection / failure |
/// | `ssh-reverse-mapping-failed` | `reverse mapping checking getaddrinfo for H [IP] failed - POSSIBLE BREAK-IN ATTEMPT!`, `Address IP maps to H, but this does not map back …` | network / info |
/// | `ssh-connection-refused` | `refused connect from …` (TCP wrappers) | network / connection, denied / failure |
/// | `ssh-server-listening` | `Server listening on A port P.` | network / start |
///
/// The authentication method goes to `syslog.sshd.method`, a public key's type and
/// fingerprint to `syslog.sshd.key_type` and `syslog.sshd.fingerprint`.
///
/// User names are attacker-chosen and may contain ` from 10.0.0.1 port 22 ssh2`; the peer is
/// therefore the first ` from H [port N] [sshN]` clause that ends the message or is followed
/// by `:` (what sshd itself appends), and the user name is everything before it.
enum SSHDSemantics {
    static func analyse(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        var lo = m.lowerBound
        let hi = m.upperBound
        if MessageText.hasPrefix(b, "error: ", at: lo, to: hi) { lo += 7 } else if MessageText.hasPrefix(b, "fatal: ", at: lo, to: hi) { lo += 7 }
        guard lo < hi else { return }
        switch b[lo] {
        case UInt8(ascii: "A"):
            if MessageText.hasPrefix(b, "Accepted ", at: lo, to: hi) { login(b, lo + 9, hi, .success, into: &f); return }
            if MessageText.hasPrefix(b, "Address ", at: lo, to: hi) { addressMaps(b, lo + 8, hi, into: &f); return }
        case UInt8(ascii: "F"):
            if MessageText.hasPrefix(b, "Failed ", at: lo, to: hi) { login(b, lo + 7, hi, .failure, into: &f); return }
        case UInt8(ascii: "P"):
            if MessageText.hasPrefix(b, "Postponed ", at: lo, to: hi) { login(b, lo + 10, hi, nil, into: &f); return }
            if MessageText.hasPrefix(b, "PAM: ", at: lo, to: hi) { pam(b, lo + 5, hi, into: &f); return }
        case UInt8(ascii: "I"):
            if MessageText.hasPrefix(b, "Invalid user ", at: lo, to: hi) {
                f.classify("ssh-invalid-user", .authentication, .info, .failure)
                userFrom(b, lo + 13, hi, into: &f)
                return
            }
        case UInt8(ascii: "i"):
            if MessageText.hasPrefix(b, "input_userauth_request: invalid user ", at: lo, to: hi) {
                f.classify("ssh-invalid-user", .authentication, .info, .failure)
                let s = lo + 37
                f.user = s..<MessageText.tokenEnd(b, from: s, to: hi)
                return
            }
        case UInt8(ascii: "U"):
            if MessageText.hasPrefix(b, "User ", at: lo, to: hi), let na = MessageText.find(" not allowed because ", in: b, from: lo + 5, to: hi) {
                f.classify("ssh-user-not-allowed", .authentication, .info, .failure)
                f.reason = (na + 21)..<hi
                if let from = fromClause(b, lo + 5, na) {
                    f.user = (lo + 5)..<from.at
                    f.setPeer(from.peer)
                } else {
                    f.user = (lo + 5)..<na
                    f.isPeerless = true
                }
                return
            }
            if MessageText.hasPrefix(b, "Unable to negotiate with ", at: lo, to: hi) {
                f.classify("ssh-negotiation-failed", .network, [.connection], .failure)
                peerBeforePort(b, lo + 25, hi, into: &f)
                if let c = MessageText.find(": ", in: b, from: lo + 25, to: hi) { f.reason = (c + 2)..<hi }
                return
            }
        case UInt8(ascii: "R"):
            if MessageText.hasPrefix(b, "ROOT LOGIN REFUSED FROM ", at: lo, to: hi) {
                f.classify("ssh-root-login-refused", .authentication, .info, .failure)
                if let p = firstTokenPeer(b, lo + 24, hi) { f.setPeer(p) }
                return
            }
            if MessageText.hasPrefix(b, "Received disconnect from ", at: lo, to: hi) {
                f.classify("ssh-disconnect-received", .network, [.connection, .end])
                let s = lo + 25
                let e = MessageText.tokenEnd(b, from: s, to: hi)
                var k = e
                if let a = MessageText.address(b, s..<e) {
                    f.sourceIP = a.ip
                    if MessageText.hasPrefix(b, " port ", at: e, to: hi), let p = MessageText.number(b, from: e + 6, to: hi, maxDigits: 5) {
                        f.sourcePort = p.value
                        k = p.end
                    }
                }
                // "H: 11: Bye Bye" or "H port N:11: Bye Bye": the reason after the code.
                while k < hi, b[k] == MessageText.colon || b[k] == MessageText.space { k += 1 }
                if let code = MessageText.number(b, from: k, to: hi, maxDigits: 3) { k = code.end }
                while k < hi, b[k] == MessageText.colon || b[k] == MessageText.space { k += 1 }
                if k < hi { f.reason = trimPreauth(b, k..<hi) }
                return
            }
        case UInt8(ascii: "C"):
            if MessageText.hasPrefix(b, "Connection closed by ", at: lo, to: hi) {
                f.classify("ssh-connection-closed", .network, [.connection, .end])
                byClause(b, lo + 21, hi, into: &f)
                return
            }
            if MessageText.hasPrefix(b, "Connection reset by ", at: lo, to: hi) {
                f.classify("ssh-connection-reset", .network, [.connection, .end])
                byClause(b, lo + 20, hi, into: &f)
                return
            }
            if MessageText.hasPrefix(b, "Connection from ", at: lo, to: hi) {
                f.classify("ssh-connection", .network, [.connection, .start])
                let s = lo + 16
                let e = MessageText.tokenEnd(b, from: s, to: hi)
                if let a = MessageText.address(b, s..<e) { f.sourceIP = a.ip }
                var k = e
                if MessageText.hasPrefix(b, " port ", at: k, to: hi), let p = MessageText.number(b, from: k + 6, to: hi, maxDigits: 5) { f.sourcePort = p.value; k = p.end }
                if MessageText.hasPrefix(b, " on ", at: k, to: hi) {
                    let ds = k + 4
                    let de = MessageText.tokenEnd(b, from: ds, to: hi)
                    if let a = MessageText.address(b, ds..<de) { f.destinationIP = a.ip }
                    if MessageText.hasPrefix(b, " port ", at: de, to: hi), let p = MessageText.number(b, from: de + 6, to: hi, maxDigits: 5) { f.destinationPort = p.value }
                }
                return
            }
        case UInt8(ascii: "D"):
            if MessageText.hasPrefix(b, "Disconnected from ", at: lo, to: hi) {
                f.classify("ssh-disconnected", .network, [.connection, .end])
                byClause(b, lo + 18, hi, into: &f)
                return
            }
            if MessageText.hasPrefix(b, "Disconnecting", at: lo, to: hi) {
                let tooMany = MessageText.find("Too many authentication failures", in: b, from: lo, to: hi)
                if let t = tooMany {
                    f.classify("ssh-too-many-auth-failures", .authentication, .info, .failure)
                    if MessageText.hasPrefix(b, " for ", at: t + 32, to: hi) {
                        let s = t + 37
                        f.user = s..<trimPreauth(b, s..<hi).upperBound
                    }
                } else {
                    f.classify("ssh-disconnecting", .network, [.connection, .end])
                }
                if MessageText.hasPrefix(b, "Disconnecting ", at: lo, to: hi) {
                    // "Disconnecting [invalid |authenticating ]user U H port N: reason"
                    let colon = MessageText.find(": ", in: b, from: lo, to: hi) ?? hi
                    byClause(b, lo + 14, colon, into: &f)
                    if tooMany == nil, colon < hi { f.reason = trimPreauth(b, (colon + 2)..<hi) }
                } else if !f.hasPeer {
                    f.isPeerless = true
                }
                return
            }
            if MessageText.hasPrefix(b, "Did not receive identification string from ", at: lo, to: hi) {
                f.classify("ssh-no-identification", .network, [.connection], .failure)
                if let p = firstTokenPeer(b, lo + 43, hi) { f.setPeer(p) }
                if let p = portAfter(b, lo + 43, hi) { f.sourcePort = p }
                return
            }
        case UInt8(ascii: "B"):
            if MessageText.hasPrefix(b, "Bad protocol version identification ", at: lo, to: hi) {
                f.classify("ssh-bad-protocol-version", .network, [.connection], .failure)
                if let from = fromClause(b, lo, hi) { f.setPeer(from.peer) }
                return
            }
        case UInt8(ascii: "T"):
            if MessageText.hasPrefix(b, "Timeout before authentication for ", at: lo, to: hi) {
                f.classify("ssh-auth-timeout", .authentication, .info, .failure)
                var s = lo + 34
                if MessageText.hasPrefix(b, "connection from ", at: s, to: hi) { s += 16 }
                if let p = firstTokenPeer(b, s, hi) { f.setPeer(p) }
                if let p = portAfter(b, s, hi) { f.sourcePort = p }
                return
            }
        case UInt8(ascii: "S"):
            if MessageText.hasPrefix(b, "Server listening on ", at: lo, to: hi) {
                f.classify("ssh-server-listening", .network, .start)
                f.isPeerless = true
                return
            }
        case UInt8(ascii: "b"), UInt8(ascii: "s"), UInt8(ascii: "k"):
            if MessageText.hasPrefix(b, "banner exchange: ", at: lo, to: hi) || MessageText.hasPrefix(b, "ssh_dispatch_run_fatal: ", at: lo, to: hi)
                || MessageText.hasPrefix(b, "kex_exchange_identification: ", at: lo, to: hi) {
                f.classify("ssh-protocol-error", .network, [.connection], .failure)
                if let c = MessageText.find("Connection from ", in: b, from: lo, to: hi) {
                    let s = c + 16
                    if let p = firstTokenPeer(b, s, hi) { f.setPeer(p) }
                    if let p = portAfter(b, s, hi) { f.sourcePort = p }
                } else {
                    f.isPeerless = true
                }
                return
            }
        case UInt8(ascii: "m"):
            if MessageText.hasPrefix(b, "maximum authentication attempts exceeded for ", at: lo, to: hi) {
                f.classify("ssh-too-many-auth-failures", .authentication, .info, .failure)
                userFrom(b, lo + 45, hi, into: &f)
                return
            }
        case UInt8(ascii: "r"):
            if MessageText.hasPrefix(b, "reverse mapping checking getaddrinfo for ", at: lo, to: hi) {
                f.classify("ssh-reverse-mapping-failed", .network, .info)
                let s = lo + 41
                let e = MessageText.tokenEnd(b, from: s, to: hi)
                if let h = MessageText.hostName(b, s..<e) { f.sourceDomain = h }
                let t = MessageText.skipSpaces(b, e, to: hi)
                let te = MessageText.tokenEnd(b, from: t, to: hi)
                if let a = MessageText.address(b, t..<te) { f.sourceIP = a.ip }
                return
            }
            if MessageText.hasPrefix(b, "refused connect from ", at: lo, to: hi) {
                f.classify("ssh-connection-refused", .network, [.connection, .denied], .failure)
                if let p = firstTokenPeer(b, lo + 21, hi) { f.setPeer(p) }
                return
            }
        default:
            break
        }
        // Not a known message: the sshd-style "from H" clause, then the generic patterns.
        if let from = fromClause(b, lo, hi) { f.setPeer(from.peer) }
    }

    /// `METHOD for [invalid user ]U from H port N PROTO[: KEYTYPE FINGERPRINT]`.
    static func login(_ b: Span<UInt8>, _ s: Int, _ hi: Int, _ outcome: EventOutcome?, into f: inout MessageFacts) {
        let me = MessageText.tokenEnd(b, from: s, to: hi)
        f.method = s..<me
        switch outcome {
        case .success: f.classify("ssh-login", [.authentication, .session], .start, .success)
        case .failure: f.classify("ssh-login", .authentication, .start, .failure)
        default: f.classify("ssh-login-postponed", .authentication, .info)
        }
        guard MessageText.hasPrefix(b, " for ", at: me, to: hi) else { return }
        userFrom(b, me + 5, hi, into: &f)
        // Key after "ssh2: ": "RSA SHA256:…" (publickey) or "RSA 8c:e3:…, client user …" (hostbased).
        if outcome != nil, let c = MessageText.find(": ", in: b, from: me, to: hi), f.hasPeer {
            let ks = c + 2
            let ke = MessageText.tokenEnd(b, from: ks, to: hi)
            if ke < hi, ke > ks, b[ks] &- 65 < 26 {
                let fs = ke + 1
                var fe = MessageText.tokenEnd(b, from: fs, to: hi)
                if fe > fs, b[fe - 1] == UInt8(ascii: ",") { fe -= 1 }
                if fe > fs, MessageText.find(":", in: b, from: fs, to: fe) != nil { f.keyType = ks..<ke; f.fingerprint = fs..<fe }
            }
        }
    }

    /// `[invalid user ]U from H …`: the user and the peer.
    static func userFrom(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        var us = s
        if MessageText.hasPrefix(b, "invalid user ", at: us, to: hi) { us += 13 } else if MessageText.hasPrefix(b, "illegal user ", at: us, to: hi) { us += 13 }
        if let from = fromClause(b, us, hi) {
            if from.at > us { f.user = us..<from.at }
            f.setPeer(from.peer)
        } else {
            f.user = us..<trimPreauth(b, us..<hi).upperBound
        }
    }

    /// `error: PAM: Authentication failure for U from H [via A]`.
    static func pam(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        f.classify("pam-auth-failure", .authentication, .start, .failure)
        if let fo = MessageText.findIgnoringCase(" for ", in: b, from: s, to: hi) { userFrom(b, fo + 5, hi, into: &f) }
    }

    /// `Address IP maps to H, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!`
    static func addressMaps(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        f.classify("ssh-reverse-mapping-failed", .network, .info)
        let e = MessageText.tokenEnd(b, from: s, to: hi)
        if let a = MessageText.address(b, s..<e) { f.sourceIP = a.ip }
        if MessageText.hasPrefix(b, " maps to ", at: e, to: hi) {
            let hs = e + 9
            let he = MessageText.tokenEnd(b, from: hs, to: hi)
            if let h = MessageText.hostName(b, hs..<he) { f.sourceDomain = h }
        }
    }

    /// `[authenticating user U |invalid user U |user U ]H [port N] [preauth]` after "closed by" etc.
    static func byClause(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        let end = trimPreauth(b, s..<hi).upperBound
        var us: Int? = nil
        if MessageText.hasPrefix(b, "authenticating user ", at: s, to: end) { us = s + 20 }
        else if MessageText.hasPrefix(b, "invalid user ", at: s, to: end) { us = s + 13 }
        else if MessageText.hasPrefix(b, "user ", at: s, to: end) { us = s + 5 }
        var hostStart: Int? = nil
        // The last "H port N" in the clause: user names may hold "1.2.3.4 port 5".
        var k = end
        while let p = MessageText.findLast(" port ", in: b, from: s, to: k) {
            k = p
            let ts = MessageText.tokenStart(b, endingAt: p, from: s)
            if let a = MessageText.address(b, ts..<p), let n = MessageText.number(b, from: p + 6, to: end, maxDigits: 5) {
                f.sourceIP = a.ip
                f.sourcePort = n.value
                hostStart = ts
                break
            }
        }
        if hostStart == nil {
            let ts = MessageText.tokenStart(b, endingAt: end, from: s)
            if ts < end, let p = MessageText.peer(b, ts..<end) { f.setPeer(p); hostStart = ts }
        }
        if let us, let hs = hostStart, hs > us + 1 { f.user = us..<(hs - 1) }
    }

    /// The peer in the token at `s` (an address, else a host name).
    static func firstTokenPeer(_ b: Span<UInt8>, _ s: Int, _ hi: Int) -> MessageText.Peer? {
        let e = MessageText.tokenEnd(b, from: s, to: hi)
        return e > s ? MessageText.peer(b, s..<e) : nil
    }

    /// The port in `H port N` with H at `s`.
    static func portAfter(_ b: Span<UInt8>, _ s: Int, _ hi: Int) -> Int64? {
        let e = MessageText.tokenEnd(b, from: s, to: hi)
        guard MessageText.hasPrefix(b, " port ", at: e, to: hi) else { return nil }
        return MessageText.number(b, from: e + 6, to: hi, maxDigits: 5)?.value
    }

    /// `H port N` at `s` (Unable to negotiate with …).
    static func peerBeforePort(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        if let p = firstTokenPeer(b, s, hi) { f.setPeer(p) }
        if let p = portAfter(b, s, hi) { f.sourcePort = p }
    }

    /// The ` from H [port N] [sshN]` clause naming the peer: the first one that ends the
    /// message or is followed by `:`, ` [preauth]`, ` via `, ` to `, ` on ` or ` not `; else the
    /// last one that names a peer. `at` is where the clause's space starts.
    static func fromClause(_ b: Span<UInt8>, _ s: Int, _ hi: Int) -> (at: Int, peer: MessageText.Peer)? {
        var fallback: (at: Int, peer: MessageText.Peer)? = nil
        var k = s
        while let at = MessageText.findIgnoringCase(" from ", in: b, from: k, to: hi) {
            k = at + 6
            let ts = at + 6
            let te = MessageText.tokenEnd(b, from: ts, to: hi)
            guard te > ts, let peer = MessageText.peer(b, ts..<te) else { continue }
            var j = te
            var ended = b[te - 1] == MessageText.colon
            if !ended, MessageText.hasPrefix(b, " port ", at: j, to: hi), let n = MessageText.number(b, from: j + 6, to: hi, maxDigits: 5) {
                j = n.end
                var pe = peer
                if pe.port == nil { pe.port = n.value }
                if j < hi, b[j] == MessageText.colon { ended = true }
                if !ended, isClauseEnd(b, j, hi) { ended = true }
                if !ended, MessageText.hasPrefix(b, " ssh", at: j, to: hi) {
                    var q = j + 4
                    while q < hi, MessageText.isDigit(b[q]) { q += 1 }
                    if q == hi || b[q] == MessageText.colon || isClauseEnd(b, q, hi) { ended = true }
                }
                if ended { return (at, pe) }
                fallback = (at, pe)
                continue
            }
            if !ended, isClauseEnd(b, j, hi) { ended = true }
            if ended { return (at, peer) }
            fallback = (at, peer)
        }
        return fallback
    }

    @inline(__always)
    static func isClauseEnd(_ b: Span<UInt8>, _ j: Int, _ hi: Int) -> Bool {
        if j >= hi { return true }
        if b[j] == MessageText.colon || b[j] == UInt8(ascii: ",") { return true }
        guard b[j] == MessageText.space else { return false }
        return MessageText.hasPrefix(b, " [preauth]", at: j, to: hi) || MessageText.hasPrefix(b, " via ", at: j, to: hi)
            || MessageText.hasPrefix(b, " to ", at: j, to: hi) || MessageText.hasPrefix(b, " on ", at: j, to: hi)
            || MessageText.hasPrefix(b, " not ", at: j, to: hi) || MessageText.hasPrefix(b, " (", at: j, to: hi)
    }

    /// `range` without a trailing ` [preauth]`.
    static func trimPreauth(_ b: Span<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var e = r.upperBound
        while e > r.lowerBound, b[e - 1] == MessageText.space { e -= 1 }
        if e - r.lowerBound >= 10, MessageText.equals(b, (e - 10)..<e, " [preauth]") { e -= 10 }
        return r.lowerBound..<e
    }
}
