/// Field names the syslog and journald parsers write that `Field.swift` lacks.
///
/// ECS names where ECS has one (`log.syslog.procid`, `group.name`, `user.target.id`);
/// program-specific raw pieces under `syslog.<program>.*`, as the event model's conventions say.
extension Field {
    /// RFC 5424 PROCID as written (ECS `log.syslog.procid`); numeric ones also go to `process.pid`.
    public static let logSyslogProcID = "log.syslog.procid"
    /// The facility's keyword (`auth`, `authpriv`, `local0`, …), from the PRI.
    public static let logSyslogFacilityName = "log.syslog.facility.name"
    /// The severity's keyword (`emergency` … `debug`), from the PRI.
    public static let logSyslogSeverityName = "log.syslog.severity.name"
    /// RFC 5424 structured data, flattened: `log.syslog.structured_data.<SD-ID>.<PARAM-NAME>`.
    public static let logSyslogStructuredDataPrefix = "log.syslog.structured_data."

    public static let userTargetID = "user.target.id"
    public static let userEffectiveID = "user.effective.id"
    public static let groupName = "group.name"
    public static let groupID = "group.id"

    /// The authentication method a login used, as sshd names it: `password`, `publickey`,
    /// `keyboard-interactive/pam`, `hostbased`, `gssapi-with-mic`, `none`.
    public static let syslogSSHDMethod = "syslog.sshd.method"
    /// The key type of a public-key login (`RSA`, `ED25519`, …).
    public static let syslogSSHDKeyType = "syslog.sshd.key_type"
    /// The key fingerprint of a public-key login (`SHA256:…`).
    public static let syslogSSHDFingerprint = "syslog.sshd.fingerprint"
    /// The terminal of a sudo or su invocation (`pts/0`, `unknown`).
    public static let syslogSudoTTY = "syslog.sudo.tty"
    /// The PAM service and module of a `pam_unix(sshd:auth)` line: `sshd`, `pam_unix`.
    public static let syslogPAMService = "syslog.pam.service"
    public static let syslogPAMModule = "syslog.pam.module"
    /// The requesting user (`ruser=`) of a PAM authentication failure.
    public static let syslogPAMRuser = "syslog.pam.ruser"
}
