import SpoorCore

/// How sessions whose end was never logged are closed.
///
/// Logoffs go missing: Windows does not always write 4634 for network logons, hosts crash, logs
/// rotate. A session with no logoff ends at its **last sign of life** (the last event carrying
/// its LogonId or pid) plus ``idleGrace``, and never later than ``maximumDuration`` after it
/// began. When the data ends before that moment, the session is left open (`end == nil`): it may
/// still be going on. A new logon reusing the same LogonId on the same host, or a host restart,
/// ends it at that moment. Every end made this way is marked `endIsInferred`.
public struct SessionPolicy: Sendable, Hashable, Codable {
    /// Time after the last sign of life before an unterminated session counts as over.
    public var idleGrace: Int64
    /// The longest an unterminated session is assumed to last.
    public var maximumDuration: Int64

    /// - Parameters:
    ///   - idleGraceSeconds: 30 minutes by default: Windows' default screen-lock idle time is
    ///     15 minutes on managed machines, and OpenSSH's ClientAliveInterval × CountMax is often
    ///     in that range; twice that errs toward "present".
    ///   - maximumDurationSeconds: 24 hours by default.
    public init(idleGraceSeconds: Int64 = 30 * 60, maximumDurationSeconds: Int64 = 24 * 3600) {
        idleGrace = idleGraceSeconds * 1_000_000
        maximumDuration = maximumDurationSeconds * 1_000_000
    }
}
