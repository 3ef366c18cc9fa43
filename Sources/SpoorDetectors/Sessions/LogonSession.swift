import SpoorCore

/// One logon session on one host: who, how, from when to when, and whether a person was there.
///
/// Built from Windows Security events (4624 logon, 4634/4647 logoff, 4800/4801 lock/unlock,
/// 4778/4779 RDP reconnect/disconnect) paired by LogonId, and from Linux logs (sshd and other PAM
/// session open/close paired by program and pid, systemd-logind sessions paired by session id).
public struct LogonSession: Sendable, Hashable, Codable {
    /// How the session was made; decides whether it means a person was present.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// At the console (Windows logon type 2, a Linux `login`/tty session).
        case interactive
        /// Over RDP (Windows type 10) or SSH: a person at a remote keyboard.
        case remoteInteractive = "remote-interactive"
        /// Windows type 11/12: interactive with cached credentials.
        case cachedInteractive = "cached-interactive"
        /// Windows type 7: a workstation unlock.
        case unlock
        /// Windows type 3 (SMB, WinRM, …) and 8 (cleartext network): a service acting for a user.
        case network
        /// Windows type 4, cron: scheduled work.
        case batch
        /// Windows type 5: a service starting.
        case service
        /// Windows type 9 (`runas /netonly`): new credentials for outbound use only.
        case newCredentials = "new-credentials"
        /// `su`, `sudo`: a user acting as another inside an existing session.
        case switchUser = "switch-user"
        case other

        /// Whether a session of this kind means a person is at a keyboard (local or remote).
        ///
        /// Network, batch, service and new-credentials logons are made by software on a user's
        /// behalf; `su`/`sudo` happen inside a session that already counts. Counting them would
        /// say "somebody is logged on" every time a backup job or a file share connects.
        public var isPresence: Bool {
            switch self {
            case .interactive, .remoteInteractive, .cachedInteractive, .unlock: true
            default: false
            }
        }

        /// The kind of a Windows logon type (4624 `LogonType`).
        public init(windowsLogonType t: Int) {
            switch t {
            case 2: self = .interactive
            case 3, 8: self = .network
            case 4: self = .batch
            case 5: self = .service
            case 7: self = .unlock
            case 9: self = .newCredentials
            case 10: self = .remoteInteractive
            case 11, 12, 13: self = .cachedInteractive
            default: self = .other
            }
        }
    }

    /// A stretch of a session when its user was away: locked or disconnected.
    public struct Absence: Sendable, Hashable, Codable {
        public enum Reason: String, Sendable, Hashable, Codable { case locked, disconnected }
        public var reason: Reason
        public var start: Timestamp
        /// Nil while still away at the end of the data.
        public var end: Timestamp?
    }

    public var organization: String
    public var host: String
    public var user: String
    public var domain: String?
    public var kind: Kind
    /// The Windows logon type, when the session came from Windows.
    public var logonType: Int?
    /// The LogonId (Windows), pid (sshd and other PAM services) or session number (logind).
    public var sessionID: String
    /// What produced it: `windows-security`, `sshd`, `logind`, `pam:<service>`.
    public var source: String
    public var sourceIP: IPAddress?
    public var start: Timestamp
    /// When it ended; for a session whose end was not logged, the end the timeout policy
    /// inferred (``endIsInferred``), or nil when it may still be open at the end of the data.
    public var end: Timestamp?
    /// Whether ``end`` comes from the timeout policy rather than a logoff event.
    public var endIsInferred: Bool
    public var absences: [Absence]
    /// Where the start and end events are (`file:record:offset`), for the evidence trail.
    public var startEvidence: String?
    public var endEvidence: String?

    /// Whether a person was present at `t`: a presence kind, within the session, not away.
    public func isPresent(at t: Timestamp) -> Bool {
        guard kind.isPresence, contains(t) else { return false }
        return !absences.contains { $0.start <= t && ($0.end.map { t < $0 } ?? true) }
    }

    /// Whether `t` falls within the session (open sessions extend to the end of time).
    public func contains(_ t: Timestamp) -> Bool {
        start <= t && (end.map { t < $0 } ?? true)
    }
}
