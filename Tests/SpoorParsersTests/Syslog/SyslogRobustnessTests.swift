import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// Messages stitched from the pieces the semantics look for, in random order and cut at
/// random places, must never crash a program's reader (any bytes give an event or an error).
@Suite struct SyslogRobustnessTests {
    static let pieces: [String] = [
        "from ", " from ", "port ", " port ", "ssh2", ": ", ":", "[", "]", "[preauth]", "(", ")", "'", "\"", "=", " ; ",
        "Accepted ", "Failed ", "password ", "for ", "invalid user ", "user ", "Connection closed by ", "Disconnecting",
        "Received disconnect from ", "authenticating user ", "Too many authentication failures", "pam_unix(", "sshd:auth",
        "): ", "session opened for user ", " by ", "(uid=0)", "rhost=", "ruser=", "user=", "TTY=", "COMMAND=", "USER=",
        "CMD (", "New session ", " of user ", "new user: name=", "UID=", "add '", "' to group '", "SRC=", "DST=", " IN=",
        "192.0.2.1", "2001:db8::1", "::ffff:10.0.0.1", "1.2.3.4:22", "example.com", "unknown[", "1", "65535", "999999999999",
        " ", "  ", "\u{FF}", "é", "\t", "reverse mapping checking getaddrinfo for ", "Address ", " maps to ",
    ]
    static let programs = ["sshd", "sudo", "su", "systemd-logind", "CRON", "useradd", "usermod", "passwd", "postfix/smtpd", "kernel", "other"]

    @Test func randomMessagesNeverCrash() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var parser = SyslogParser(context: SyslogTesting.context)
        var builder = EventBatchBuilder()
        var events = 0
        for _ in 0..<20_000 {
            var message = ""
            for _ in 0..<(1 + next(14)) { message += Self.pieces[next(Self.pieces.count)] }
            var bytes = Array("Mar  7 18:53:20 host \(Self.programs[next(Self.programs.count)])[1]: \(message)".utf8)
            bytes.removeLast(next(min(bytes.count, 12)))   // cut anywhere near the end, even mid-character
            builder.beginRow()
            do {
                _ = try parser.parse(bytes.span, into: &builder)
                builder.endRow()
                events += 1
            } catch {
                builder.cancelRow()
            }
        }
        #expect(events > 19_000)
        #expect(builder.finish().count == events)
    }
}
