import SpoorCore

/// `sudo` and `su` messages.
///
/// | action | message | category / type / outcome |
/// |---|---|---|
/// | `sudo-command` | `U : TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/usr/bin/id` | process / start / success |
/// | `sudo-incorrect-password` | `U : 3 incorrect password attempts ; TTY=… ; COMMAND=…` | authentication / start / failure |
/// | `sudo-denied` | `U : user NOT in sudoers ; …`, `U : command not allowed ; …`, any other reason | process / start, denied / failure |
/// | `su` | `Successful su for T by U`, `FAILED su for T by U`, `(to T) U on TTY`, `FAILED SU (to T) U on TTY`, `+ TTY U:T`, `- TTY U:T` | authentication, session / start / success or failure |
///
/// `user.name` is the invoking user, `user.effective.name` the one whose rights the command
/// runs with (sudo's `USER=`, su's target), `process.command_line` sudo's `COMMAND=` (the
/// rest of the line: commands may hold ` ; `), `process.working_directory` its `PWD=`, and
/// `syslog.sudo.tty` the terminal. The reason sudo gives for a refusal goes to `event.reason`.
enum PrivilegeSemantics {
    static func sudo(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        guard let sep = MessageText.find(" : ", in: b, from: lo, to: hi) else { return }
        f.isPeerless = true
        let user = lo..<sep
        var i = sep + 3
        let command = MessageText.find("COMMAND=", in: b, from: i, to: hi)
        let fieldsEnd = command ?? hi
        var reason: Range<Int>? = nil
        var first = true
        while i < fieldsEnd {
            var e = MessageText.find(" ; ", in: b, from: i, to: fieldsEnd) ?? fieldsEnd
            let segment = i..<e
            if let eq = MessageText.find(UInt8(ascii: "="), in: b, from: i, to: e), isKey(b, i..<eq) {
                let key = i..<eq, value = (eq + 1)..<e
                if MessageText.equals(b, key, "TTY") { f.tty = value }
                else if MessageText.equals(b, key, "PWD") { f.workingDirectory = value }
                else if MessageText.equals(b, key, "USER") { f.userEffective = value }
            } else if first {
                reason = segment
            }
            first = false
            if e < fieldsEnd { e += 3 }
            i = e
        }
        f.user = user
        if let c = command {
            var ce = hi
            while ce > c + 8, b[ce - 1] == MessageText.space { ce -= 1 }
            f.commandLine = (c + 8)..<ce
        }
        guard let reason else {
            if command != nil { f.classify("sudo-command", .process, .start, .success) }
            return
        }
        f.reason = reason
        if MessageText.find("incorrect password attempt", in: b, from: reason.lowerBound, to: reason.upperBound) != nil {
            f.classify("sudo-incorrect-password", .authentication, .start, .failure)
        } else {
            f.classify("sudo-denied", .process, [.start, .denied], .failure)
        }
    }

    /// Upper-case letters only (`TTY`, `PWD`, `USER`, `ENV`, `HOST`, `GROUP`).
    @inline(__always)
    static func isKey(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        for i in r where b[i] &- 65 >= 26 && b[i] != UInt8(ascii: "_") { return false }
        return true
    }

    static func su(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        var outcome: EventOutcome? = nil
        var s = lo
        if MessageText.hasPrefix(b, "Successful su for ", at: lo, to: hi) { outcome = .success; s = lo + 18 }
        else if MessageText.hasPrefix(b, "FAILED su for ", at: lo, to: hi) { outcome = .failure; s = lo + 14 }
        if let outcome {
            // "T by U"
            let te = MessageText.tokenEnd(b, from: s, to: hi)
            f.classify("su", [.authentication, .session], .start, outcome)
            f.userEffective = s..<te
            if MessageText.hasPrefix(b, " by ", at: te, to: hi) { f.user = (te + 4)..<MessageText.tokenEnd(b, from: te + 4, to: hi) }
            f.isPeerless = true
            return
        }
        // util-linux: "(to T) U on TTY", "FAILED SU (to T) U on TTY"
        var failed = false
        if MessageText.hasPrefix(b, "FAILED SU ", at: s, to: hi) { failed = true; s += 10 }
        if MessageText.hasPrefix(b, "(to ", at: s, to: hi), let close = MessageText.find(UInt8(ascii: ")"), in: b, from: s, to: hi) {
            f.classify("su", [.authentication, .session], .start, failed ? .failure : .success)
            f.userEffective = (s + 4)..<close
            let us = MessageText.skipSpaces(b, close + 1, to: hi)
            let ue = MessageText.tokenEnd(b, from: us, to: hi)
            f.user = us..<ue
            if MessageText.hasPrefix(b, " on ", at: ue, to: hi) { f.tty = (ue + 4)..<MessageText.tokenEnd(b, from: ue + 4, to: hi) }
            f.isPeerless = true
            return
        }
        // shadow's old form: "+ pts/0 alice:root" / "- pts/0 alice:root"
        if lo + 2 < hi, b[lo] == UInt8(ascii: "+") || b[lo] == UInt8(ascii: "-"), b[lo + 1] == MessageText.space {
            let ts = lo + 2
            let tte = MessageText.tokenEnd(b, from: ts, to: hi)
            let us = MessageText.skipSpaces(b, tte, to: hi)
            let ue = MessageText.tokenEnd(b, from: us, to: hi)
            guard let colon = MessageText.find(MessageText.colon, in: b, from: us, to: ue) else { return }
            f.classify("su", [.authentication, .session], .start, b[lo] == UInt8(ascii: "+") ? .success : .failure)
            f.tty = ts..<tte
            f.user = us..<colon
            f.userEffective = (colon + 1)..<ue
            f.isPeerless = true
        }
    }
}
