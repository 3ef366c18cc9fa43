import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// The meaning read from each program's messages. Each case: a message (after the header
/// `Mar  7 18:53:20 bastion PROGRAM[123]: `) and the fields it must give.
@Suite struct ProgramSemanticsTests {
    struct Case: CustomStringConvertible, Sendable {
        var program: String
        var message: String
        var expected: [String: String]
        var description: String { "\(program): \(message)" }
    }

    static func c(_ program: String, _ message: String, _ expected: [String: String]) -> Case {
        Case(program: program, message: message, expected: expected)
    }

    static let cases: [Case] = [
        // sshd
        c("sshd", "Accepted publickey for alice from 203.0.113.7 port 50212 ssh2: ED25519 SHA256:abcDEF123",
          ["event.action": "ssh-login", "event.outcome": "success", "event.category": "authentication,session", "event.type": "start",
           "user.name": "alice", "source.ip": "203.0.113.7", "source.port": "50212", "syslog.sshd.method": "publickey",
           "syslog.sshd.key_type": "ED25519", "syslog.sshd.fingerprint": "SHA256:abcDEF123"]),
        c("sshd", "Failed password for invalid user admin from 2001:db8::7 port 4242 ssh2",
          ["event.action": "ssh-login", "event.outcome": "failure", "event.category": "authentication", "user.name": "admin",
           "source.ip": "2001:db8::7", "source.port": "4242", "syslog.sshd.method": "password"]),
        c("sshd", "Failed keyboard-interactive/pam for root from 198.51.100.4 port 1 ssh2",
          ["syslog.sshd.method": "keyboard-interactive/pam", "user.name": "root", "source.ip": "198.51.100.4"]),
        c("sshd", "Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2",
          ["user.name": "test from 10.10.1.2 port 55555 ssh2", "source.ip": "127.0.0.1", "source.port": "58946"]),
        c("sshd", "Invalid user oracle from 198.51.100.23 port 41822",
          ["event.action": "ssh-invalid-user", "event.outcome": "failure", "user.name": "oracle", "source.ip": "198.51.100.23"]),
        c("sshd", "Connection closed by authenticating user root 192.0.2.10 port 46038 [preauth]",
          ["event.action": "ssh-connection-closed", "event.category": "network", "event.type": "connection,end",
           "user.name": "root", "source.ip": "192.0.2.10", "source.port": "46038"]),
        c("sshd", "Connection reset by invalid user bob 192.0.2.20 port 1558 [preauth]",
          ["event.action": "ssh-connection-reset", "user.name": "bob", "source.ip": "192.0.2.20"]),
        c("sshd", "Connection closed by 192.0.2.5", ["event.action": "ssh-connection-closed", "source.ip": "192.0.2.5"]),
        c("sshd", "Disconnected from user alice 203.0.113.7 port 50212",
          ["event.action": "ssh-disconnected", "user.name": "alice", "source.ip": "203.0.113.7", "source.port": "50212"]),
        c("sshd", "Received disconnect from 198.51.100.76 port 58846:11: Bye Bye [preauth]",
          ["event.action": "ssh-disconnect-received", "source.ip": "198.51.100.76", "source.port": "58846", "event.reason": "Bye Bye"]),
        c("sshd", "Disconnecting: Too many authentication failures for root [preauth]",
          ["event.action": "ssh-too-many-auth-failures", "event.outcome": "failure", "user.name": "root"]),
        c("sshd", "error: maximum authentication attempts exceeded for invalid user xxx from 192.0.2.7 port 49941 ssh2 [preauth]",
          ["event.action": "ssh-too-many-auth-failures", "user.name": "xxx", "source.ip": "192.0.2.7"]),
        c("sshd", "Disconnecting invalid user admin 192.0.2.117 port 44004: Too many authentication failures [preauth]",
          ["event.action": "ssh-too-many-auth-failures", "user.name": "admin", "source.ip": "192.0.2.117"]),
        c("sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.112  user=root",
          ["event.action": "pam-auth-failure", "event.outcome": "failure", "user.name": "root", "source.ip": "192.0.2.112",
           "syslog.pam.service": "sshd", "syslog.pam.module": "pam_unix"]),
        c("sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=scanner.example.net",
          ["source.domain": "scanner.example.net"]),
        c("sshd", "pam_unix(sshd:session): session opened for user rda by (uid=0)",
          ["event.action": "session-opened", "event.category": "session", "event.type": "start", "user.name": "rda"]),
        c("sshd", "pam_unix(sshd:session): session closed for user rda",
          ["event.action": "session-closed", "event.type": "end", "user.name": "rda"]),
        c("sshd", "reverse mapping checking getaddrinfo for scan.example.com [192.0.2.66] failed - POSSIBLE BREAK-IN ATTEMPT!",
          ["event.action": "ssh-reverse-mapping-failed", "source.ip": "192.0.2.66", "source.domain": "scan.example.com"]),
        c("sshd", "Address 1.2.3.4 maps to 1234.bbbbbb.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
          ["event.action": "ssh-reverse-mapping-failed", "source.ip": "1.2.3.4", "source.domain": "1234.bbbbbb.com"]),
        c("sshd", "Did not receive identification string from 69.61.56.114",
          ["event.action": "ssh-no-identification", "source.ip": "69.61.56.114"]),
        c("sshd", "Unable to negotiate with 192.0.2.1 port 55419: no matching cipher found. Their offer: aes256-cbc [preauth]",
          ["event.action": "ssh-negotiation-failed", "source.ip": "192.0.2.1", "source.port": "55419"]),
        c("sshd", "Bad protocol version identification 'dummy string' from 192.0.2.1' from 69.61.56.115 port 31778",
          ["event.action": "ssh-bad-protocol-version", "source.ip": "69.61.56.115"]),
        c("sshd", "error: PAM: Authentication failure for stefanor from example.com",
          ["event.action": "pam-auth-failure", "user.name": "stefanor", "source.domain": "example.com"]),
        c("sshd", "Server listening on 0.0.0.0 port 22.", ["event.action": "ssh-server-listening", "source.ip": "-"]),
        c("sshd", "Connection from 192.0.2.3 port 39678 on 192.168.1.9 port 22",
          ["event.action": "ssh-connection", "source.ip": "192.0.2.3", "destination.ip": "192.168.1.9", "destination.port": "22"]),
        // sudo
        c("sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/ssh 10.0.0.1 ; echo hi",
          ["event.action": "sudo-command", "event.outcome": "success", "event.category": "process", "event.type": "start",
           "user.name": "alice", "user.effective.name": "root", "process.working_directory": "/home/alice",
           "process.command_line": "/usr/bin/ssh 10.0.0.1 ; echo hi", "syslog.sudo.tty": "pts/0", "source.ip": "-"]),
        c("sudo", "bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
          ["event.action": "sudo-incorrect-password", "event.outcome": "failure", "event.category": "authentication",
           "user.name": "bob", "event.reason": "3 incorrect password attempts", "process.command_line": "/bin/bash"]),
        c("sudo", "eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/usr/bin/id",
          ["event.action": "sudo-denied", "event.outcome": "failure", "event.reason": "user NOT in sudoers", "user.name": "eve"]),
        c("sudo", "pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob",
          ["event.action": "pam-auth-failure", "user.name": "bob", "syslog.pam.service": "sudo", "source.ip": "-"]),
        c("sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
          ["event.action": "session-opened", "user.name": "alice", "user.effective.name": "root"]),
        // su
        c("su", "Successful su for root by alice", ["event.action": "su", "event.outcome": "success", "user.name": "alice", "user.effective.name": "root"]),
        c("su", "FAILED su for root by bob", ["event.action": "su", "event.outcome": "failure", "user.name": "bob", "user.effective.name": "root"]),
        c("su", "(to root) alice on pts/3", ["event.action": "su", "event.outcome": "success", "user.name": "alice", "user.effective.name": "root", "syslog.sudo.tty": "pts/3"]),
        c("su", "pam_unix(su:session): session opened for user postgres by alice(uid=1000)",
          ["event.action": "session-opened", "user.name": "alice", "user.effective.name": "postgres"]),
        c("su", "pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=root",
          ["event.action": "pam-auth-failure", "user.name": "bob", "user.effective.name": "root", "syslog.pam.ruser": "bob"]),
        // systemd-logind
        c("systemd-logind", "New session 42 of user alice.",
          ["event.action": "session-opened", "event.category": "session", "session.id": "42", "user.name": "alice"]),
        c("systemd-logind", "Removed session 42.", ["event.action": "session-closed", "session.id": "42"]),
        c("systemd-logind", "Session c1 logged out. Waiting for processes to exit.", ["event.action": "session-logged-out", "session.id": "c1"]),
        // cron
        c("CRON", "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
          ["event.action": "cron-command", "event.category": "process", "user.name": "root",
           "process.command_line": "   cd / && run-parts --report /etc/cron.hourly"]),
        c("CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
          ["event.action": "session-opened", "user.name": "root", "user.effective.name": "-"]),
        // shadow tools
        c("useradd", "new user: name=mallory, UID=1002, GID=1002, home=/home/mallory, shell=/bin/bash, from=/dev/pts/1",
          ["event.action": "user-created", "event.category": "iam", "event.type": "creation,user", "user.target.name": "mallory",
           "user.target.id": "1002", "group.id": "1002"]),
        c("useradd", "new group: name=mallory, GID=1002", ["event.action": "group-created", "group.name": "mallory", "group.id": "1002"]),
        c("useradd", "add 'mallory' to group 'sudo'", ["event.action": "user-added-to-group", "user.target.name": "mallory", "group.name": "sudo"]),
        c("userdel", "delete user 'mallory'", ["event.action": "user-deleted", "event.type": "deletion,user", "user.target.name": "mallory"]),
        c("userdel", "removed group 'mallory' owned by 'mallory'", ["event.action": "group-deleted", "group.name": "mallory"]),
        c("usermod", "change user 'bob' password", ["event.action": "password-changed", "user.target.name": "bob"]),
        c("groupadd", "group added to /etc/group: name=dev, GID=1003", ["event.action": "group-created", "group.name": "dev", "group.id": "1003"]),
        c("passwd", "pam_unix(passwd:chauthtok): password changed for bob",
          ["event.action": "password-changed", "event.category": "iam", "user.target.name": "bob"]),
        c("chpasswd", "pam_unix(chpasswd:chauthtok): password changed for carol", ["event.action": "password-changed", "user.target.name": "carol"]),
        c("passwd", "password for 'bob' changed by 'root'", ["event.action": "password-changed", "user.target.name": "bob", "user.name": "root"]),
        // generic peers for programs spoor has no semantics for
        c("dovecot", "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>, method=PLAIN, rip=192.0.2.8, lip=10.0.0.1",
          ["source.ip": "192.0.2.8", "event.action": "-"]),
        c("postfix/cleanup", "4F2A31C0: client=mail.example.org[192.0.2.77]", ["source.ip": "192.0.2.77", "source.domain": "mail.example.org"]),
        c("postfix/smtpd", "warning: unknown[192.0.2.237]:55729: SASL LOGIN authentication failed: authentication failure, sasl_username=admin",
          ["event.action": "smtp-auth-failure", "source.ip": "192.0.2.237", "user.name": "admin"]),
        c("pvedaemon", "authentication failure; rhost=192.0.2.123 user=root@pam msg=Authentication failure", ["source.ip": "192.0.2.123"]),
        c("ntpd", "Soliciting pool server 2001:db8::123", ["source.ip": "2001:db8::123"]),
        c("cron-helper", "job finished in 12:30:45 with code 1.2.3", ["source.ip": "-"]),
    ]

    @Test(arguments: cases)
    func semantics(_ c: Case) throws {
        let e = try SyslogTesting.parse("Mar  7 18:53:20 bastion \(c.program)[123]: \(c.message)").get()
        #expect(e.string(Field.processName) == c.program)
        for (field, want) in c.expected {
            let got: String?
            switch e[field] {
            case .string(let s)?: got = s
            case .int(let v)?: got = String(v)
            case .ip(let a)?: got = a.description
            case .list(let l)?: got = l.sorted().joined(separator: ",")
            case nil: got = nil
            case let other?: got = "\(other)"
            }
            if want == "-" {
                #expect(got == nil, "\(field) should be absent")
            } else {
                let normalised = field == "event.category" || field == "event.type" ? want.split(separator: ",").sorted().joined(separator: ",") : want
                #expect(got == normalised, "\(field)")
            }
        }
    }
}
