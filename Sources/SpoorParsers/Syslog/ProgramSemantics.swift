import SpoorCore

/// The programs whose messages spoor understands, recognised per record from the syslog TAG
/// or journald `SYSLOG_IDENTIFIER`: a relay file mixes programs and devices, so the meaning of
/// a message is decided line by line.
enum Program: Equatable {
    case sshd, sudo, su, logind, cron, accounts, postfix, kernel, other

    /// The program of a tag. Case-insensitive; a path prefix is dropped (`/usr/sbin/cron`),
    /// except for Postfix, whose tags are `postfix[-instance]/[service/]daemon`.
    static func of(_ b: Span<UInt8>, _ tag: Range<Int>?) -> Program {
        guard let tag, !tag.isEmpty else { return .other }
        if tag.count >= 7, MessageText.equalsIgnoringCase(b, tag.lowerBound..<(tag.lowerBound + 7), "postfix") { return .postfix }
        var s = tag.lowerBound
        for i in tag where b[i] == UInt8(ascii: "/") { s = i + 1 }
        let name = s..<tag.upperBound
        switch name.count {
        case 2: if MessageText.equalsIgnoringCase(b, name, "su") { return .su }
        case 4:
            if MessageText.equalsIgnoringCase(b, name, "sshd") { return .sshd }
            if MessageText.equalsIgnoringCase(b, name, "sudo") { return .sudo }
            if MessageText.equalsIgnoringCase(b, name, "cron") { return .cron }
        case 5:
            if MessageText.equalsIgnoringCase(b, name, "crond") { return .cron }
        case 6:
            if MessageText.equalsIgnoringCase(b, name, "kernel") { return .kernel }
            if MessageText.equalsIgnoringCase(b, name, "passwd") { return .accounts }
        case 7:
            if MessageText.equalsIgnoringCase(b, name, "useradd") || MessageText.equalsIgnoringCase(b, name, "userdel")
                || MessageText.equalsIgnoringCase(b, name, "usermod") || MessageText.equalsIgnoringCase(b, name, "gpasswd") { return .accounts }
        case 8:
            if MessageText.equalsIgnoringCase(b, name, "groupadd") || MessageText.equalsIgnoringCase(b, name, "groupdel")
                || MessageText.equalsIgnoringCase(b, name, "groupmod") || MessageText.equalsIgnoringCase(b, name, "chpasswd")
                || MessageText.equalsIgnoringCase(b, name, "newusers") { return .accounts }
        case 9:
            if MessageText.equalsIgnoringCase(b, name, "sshd-auth") { return .sshd }
        case 12:
            if MessageText.equalsIgnoringCase(b, name, "sshd-session") { return .sshd }
        case 14:
            if MessageText.equalsIgnoringCase(b, name, "systemd-logind") { return .logind }
        default: break
        }
        if name.count == 5, MessageText.equalsIgnoringCase(b, name, "chage") { return .accounts }
        return .other
    }
}

/// Reads the meaning of one message for its program, then the remote peer.
enum ProgramSemantics {
    /// Fills `f` from the message `b[m]` of `program`.
    static func analyse(_ program: Program, _ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        var m = m
        // Solaris prefixes messages with "[ID 800047 auth.info] ".
        if MessageText.hasPrefix(b, "[ID ", at: m.lowerBound, to: m.upperBound),
           let close = MessageText.find(MessageText.closeBracket, in: b, from: m.lowerBound, to: min(m.upperBound, m.lowerBound + 64)) {
            m = MessageText.skipSpaces(b, close + 1, to: m.upperBound)..<m.upperBound
        }
        guard !m.isEmpty else { return }
        if b[m.lowerBound] == UInt8(ascii: "p"), SessionSemantics.pam(b, m, into: &f) {
            // PAM lines mean the same whatever program wrote them.
        } else {
            switch program {
            case .sshd: SSHDSemantics.analyse(b, m, into: &f)
            case .sudo: PrivilegeSemantics.sudo(b, m, into: &f)
            case .su: PrivilegeSemantics.su(b, m, into: &f)
            case .logind: SessionSemantics.logind(b, m, into: &f)
            case .cron: SessionSemantics.cron(b, m, into: &f)
            case .accounts: AccountSemantics.analyse(b, m, into: &f)
            case .postfix: NetworkSemantics.postfix(b, m, into: &f)
            case .kernel: _ = NetworkSemantics.netfilter(b, m, into: &f)
            case .other: break
            }
        }
        if !f.hasPeer, !f.isPeerless { PeerPatterns.extract(b, m, into: &f) }
    }
}
