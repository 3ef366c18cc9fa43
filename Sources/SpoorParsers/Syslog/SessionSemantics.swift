import SpoorCore

/// PAM messages (from any program), systemd-logind and cron.
///
/// | action | message | category / type / outcome |
/// |---|---|---|
/// | `pam-auth-failure` | `pam_unix(SVC:auth): authentication failure; logname= uid= euid= tty= ruser= rhost= user=` | authentication / start / failure |
/// | `pam-user-unknown` | `pam_unix(SVC:auth): check pass; user unknown` | authentication / info / failure |
/// | `session-opened` | `pam_unix(SVC:session): session opened for user U[(uid=N)] by [V][(uid=M)]`, logind `New session N of user U.` | session / start / success |
/// | `session-closed` | `pam_unix(SVC:session): session closed for user U`, logind `Removed session N.` | session / end / success |
/// | `session-logged-out` | logind `Session N logged out. Waiting for processes to exit.` | session / end |
/// | `password-changed` | `pam_unix(SVC:chauthtok): password changed for U` | iam / user, change / success |
/// | `cron-command` | cron `(U) CMD (command)` | process / start |
///
/// For a PAM session opened *by* another user (`su`, `sudo`: `session opened for user root by
/// alice(uid=1000)`), `user.name` is the one who acted (alice) and `user.effective.name` the
/// one whose session it is (root), as ECS describes privilege changes; otherwise `user.name`
/// is the session's user. For an authentication failure, `user.name` is the account tried
/// (`user=`); when `ruser=` names someone else under `su`/`sudo`, that requester becomes
/// `user.name` and the account tried `user.effective.name`. `ruser=` is kept in
/// `syslog.pam.ruser`, the service and module in `syslog.pam.service` and `syslog.pam.module`.
enum SessionSemantics {
    /// `pam_MODULE(SERVICE:TYPE): REST`; false if the message is not in that form.
    static func pam(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) -> Bool {
        let lo = m.lowerBound, hi = m.upperBound
        guard MessageText.hasPrefix(b, "pam_", at: lo, to: hi),
              let open = MessageText.find(UInt8(ascii: "("), in: b, from: lo, to: min(hi, lo + 40)),
              let close = MessageText.find(UInt8(ascii: ")"), in: b, from: open, to: min(hi, open + 64)),
              close + 2 < hi, b[close + 1] == MessageText.colon else { return false }
        f.pamModule = lo..<open
        let colon = MessageText.find(MessageText.colon, in: b, from: open, to: close) ?? close
        f.pamService = (open + 1)..<colon
        let r = MessageText.skipSpaces(b, close + 2, to: hi)
        if MessageText.hasPrefix(b, "authentication failure;", at: r, to: hi) {
            f.classify("pam-auth-failure", .authentication, .start, .failure)
            authFailure(b, r + 23, hi, into: &f)
            return true
        }
        if MessageText.hasPrefix(b, "session opened for user ", at: r, to: hi) {
            f.classify("session-opened", .session, .start, .success)
            sessionUsers(b, r + 24, hi, into: &f)
            f.isPeerless = true
            return true
        }
        if MessageText.hasPrefix(b, "session closed for user ", at: r, to: hi) {
            f.classify("session-closed", .session, .end, .success)
            sessionUsers(b, r + 24, hi, into: &f)
            f.isPeerless = true
            return true
        }
        if MessageText.hasPrefix(b, "password changed for ", at: r, to: hi) {
            f.classify("password-changed", .iam, [.user, .change], .success)
            let s = r + 21
            f.userTarget = s..<MessageText.tokenEnd(b, from: s, to: hi)
            f.isPeerless = true
            return true
        }
        if MessageText.hasPrefix(b, "check pass; user unknown", at: r, to: hi) {
            f.classify("pam-user-unknown", .authentication, .info, .failure)
            return true
        }
        return true
    }

    /// ` logname=… uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root` (values may be empty).
    static func authFailure(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        var i = s
        var user: Range<Int>? = nil, ruser: Range<Int>? = nil, logname: Range<Int>? = nil
        while i < hi {
            i = MessageText.skipSpaces(b, i, to: hi)
            let te = MessageText.tokenEnd(b, from: i, to: hi)
            if let eq = MessageText.find(UInt8(ascii: "="), in: b, from: i, to: te) {
                let key = i..<eq, value = (eq + 1)..<te
                if MessageText.equals(b, key, "user") { user = value }
                else if MessageText.equals(b, key, "ruser") { ruser = value }
                else if MessageText.equals(b, key, "logname") { logname = value }
                else if MessageText.equals(b, key, "tty") { f.tty = value }
                else if MessageText.equals(b, key, "rhost"), !value.isEmpty, let p = MessageText.peer(b, value) { f.setPeer(p) }
            }
            i = te
        }
        if let r = ruser, !r.isEmpty { f.pamRuser = r }
        let requester = (ruser?.isEmpty == false ? ruser : nil) ?? (logname?.isEmpty == false ? logname : nil)
        let isSwitch = f.pamService.map { MessageText.equals(b, $0, "su") || MessageText.equals(b, $0, "sudo") || MessageText.equals(b, $0, "su-l") } ?? false
        if isSwitch, let req = requester, let u = user, !u.isEmpty, !Bytes.spanEquals(b, req, u) {
            f.user = req
            f.userEffective = u
        } else if let u = user, !u.isEmpty {
            f.user = u
        } else {
            f.user = requester
        }
        if !f.hasPeer { f.isPeerless = true }
    }

    /// `U[(uid=N)] [by [V][(uid=M)]]`.
    static func sessionUsers(_ b: Span<UInt8>, _ s: Int, _ hi: Int, into f: inout MessageFacts) {
        let ue = nameEnd(b, s, hi)
        let owner = s..<ue
        var actor: Range<Int>? = nil
        if let by = MessageText.find(" by ", in: b, from: ue, to: hi) {
            let a = by + 4
            let ae = nameEnd(b, a, hi)
            if ae > a { actor = a..<ae }
        }
        if let actor, !Bytes.spanEquals(b, actor, owner) {
            f.user = actor
            f.userEffective = owner
        } else {
            f.user = owner
        }
    }

    /// The end of a user name: at `(`, space or the end.
    @inline(__always)
    static func nameEnd(_ b: Span<UInt8>, _ s: Int, _ hi: Int) -> Int {
        var i = s
        while i < hi, b[i] != UInt8(ascii: "("), b[i] != MessageText.space { i += 1 }
        return i
    }

    /// systemd-logind.
    static func logind(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        if MessageText.hasPrefix(b, "New session ", at: lo, to: hi) {
            let s = lo + 12
            let e = MessageText.tokenEnd(b, from: s, to: hi)
            guard MessageText.hasPrefix(b, " of user ", at: e, to: hi) else { return }
            f.classify("session-opened", .session, .start, .success)
            f.sessionID = s..<e
            var ue = e + 9
            while ue < hi, b[ue] != MessageText.space { ue += 1 }
            if ue > e + 9, b[ue - 1] == UInt8(ascii: ".") { ue -= 1 }
            f.user = (e + 9)..<ue
            f.isPeerless = true
        } else if MessageText.hasPrefix(b, "Removed session ", at: lo, to: hi) {
            f.classify("session-closed", .session, .end, .success)
            var e = MessageText.tokenEnd(b, from: lo + 16, to: hi)
            if e > lo + 16, b[e - 1] == UInt8(ascii: ".") { e -= 1 }
            f.sessionID = (lo + 16)..<e
            f.isPeerless = true
        } else if MessageText.hasPrefix(b, "Session ", at: lo, to: hi) {
            let e = MessageText.tokenEnd(b, from: lo + 8, to: hi)
            guard MessageText.hasPrefix(b, " logged out", at: e, to: hi) else { return }
            f.classify("session-logged-out", .session, .end)
            f.sessionID = (lo + 8)..<e
            f.isPeerless = true
        }
    }

    /// cron: `(U) CMD (command)`.
    static func cron(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        guard lo < hi, b[lo] == UInt8(ascii: "("), let close = MessageText.find(UInt8(ascii: ")"), in: b, from: lo, to: hi) else { return }
        f.isPeerless = true
        guard MessageText.hasPrefix(b, " CMD (", at: close + 1, to: hi) else { return }
        f.classify("cron-command", .process, .start)
        f.user = (lo + 1)..<close
        let cs = close + 7
        var ce = hi
        if ce > cs, b[ce - 1] == UInt8(ascii: ")") { ce -= 1 }
        f.commandLine = cs..<ce
    }
}

extension Bytes {
    /// Whether `b[x]` and `b[y]` hold the same bytes.
    static func spanEquals(_ b: Span<UInt8>, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        guard x.count == y.count else { return false }
        var i = 0
        while i < x.count { if b[x.lowerBound + i] != b[y.lowerBound + i] { return false }; i += 1 }
        return true
    }
}
