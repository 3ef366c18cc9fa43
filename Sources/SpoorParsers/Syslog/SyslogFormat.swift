import SpoorCore

extension LogFormat {
    /// Syslog files and relays: RFC 3164 as files hold it, rsyslog's RFC 3339 form, RFC 5424.
    public static let syslog = LogFormat(
        name: "syslog",
        summary: "syslog (RFC 3164, RFC 5424, rsyslog high-precision) with sshd, sudo, su, logind, cron, shadow-utils, PAM and Postfix semantics",
        sniff: { sample in SyslogFormatSniffer.score(sample) },
        makeParser: { context in SyslogParser(context: context) })
}

/// Recognises syslog by its header. Strict, so that other line formats with a leading time
/// are not taken: a line counts when it has a BSD date and a tag, or an ISO/RFC 5424 time and
/// a tag closed the syslog way (`TAG:` or `TAG[PID]`), as in `2015-04-16T18:02:50+00:00 host
/// sshd[2716]: …`. Application logs that start with an ISO time (`2016-11-20T00:04:00 [conn1]
/// …`) have no such tag.
enum SyslogFormatSniffer {
    static func score(_ sample: SampleLines) -> Int {
        var clock = SyslogClock(context: ParseContext(collectedAt: Timestamp(microseconds: 0)))
        var sd: [SyslogEnvelope.SDParameter] = []
        return sample.percent { line in
            sd.removeAll(keepingCapacity: true)
            guard let env = try? SyslogEnvelope.parse(line, clock: &clock, sd: &sd), env.tag != nil else { return false }
            return env.hasBSDDate || env.hasTerminatedTag
        }
    }
}
