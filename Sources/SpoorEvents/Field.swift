/// The names of the fields spoor's common view uses: ECS-shaped, flat and dotted.
///
/// The source's own fields are kept beside these under a per-format namespace, the way
/// Elastic's own modules do (`zeek.conn.*` style is flattened to `zeek.<field>`,
/// `winlog.event_data.<Name>`, `syslog.*`, `w3c.<field>`, `json.<path>`, `csv.<column>`,
/// `journald.<FIELD>`); see `Docs/Proposals/0001-event-model.md`.
public enum Field {
    // Time and classification
    public static let timestamp = "@timestamp"
    /// The UTC offset the source wrote the time in (`+02:00`), or the zone assumed for it.
    public static let eventTimezone = "event.timezone"
    public static let eventKind = "event.kind"
    public static let eventCategory = "event.category"
    public static let eventType = "event.type"
    public static let eventOutcome = "event.outcome"
    public static let eventCode = "event.code"
    public static let eventAction = "event.action"
    public static let eventDataset = "event.dataset"
    public static let eventModule = "event.module"
    public static let eventDuration = "event.duration"
    public static let eventOriginal = "event.original"
    public static let eventReason = "event.reason"
    public static let message = "message"

    // Client and observer
    public static let organizationID = "organization.id"
    public static let observerHostname = "observer.hostname"
    public static let observerIP = "observer.ip"
    public static let observerType = "observer.type"
    public static let observerProduct = "observer.product"
    public static let observerVendor = "observer.vendor"

    // Host, user, process
    public static let hostName = "host.name"
    public static let hostIP = "host.ip"
    public static let userName = "user.name"
    public static let userDomain = "user.domain"
    public static let userID = "user.id"
    public static let userTargetName = "user.target.name"
    public static let userEffectiveName = "user.effective.name"
    public static let processName = "process.name"
    public static let processPID = "process.pid"
    public static let processEntityID = "process.entity_id"
    public static let processExecutable = "process.executable"
    public static let processCommandLine = "process.command_line"
    public static let processWorkingDirectory = "process.working_directory"
    public static let processParentExecutable = "process.parent.executable"
    public static let processParentPID = "process.parent.pid"

    // Network
    public static let sourceIP = "source.ip"
    public static let sourcePort = "source.port"
    public static let sourceDomain = "source.domain"
    public static let sourceBytes = "source.bytes"
    public static let sourcePackets = "source.packets"
    public static let sourceNATIP = "source.nat.ip"
    public static let sourceNATPort = "source.nat.port"
    public static let destinationIP = "destination.ip"
    public static let destinationPort = "destination.port"
    public static let destinationDomain = "destination.domain"
    public static let destinationBytes = "destination.bytes"
    public static let destinationPackets = "destination.packets"
    public static let destinationNATIP = "destination.nat.ip"
    public static let destinationNATPort = "destination.nat.port"
    public static let networkTransport = "network.transport"
    public static let networkProtocol = "network.protocol"
    public static let networkDirection = "network.direction"
    public static let networkBytes = "network.bytes"
    public static let networkPackets = "network.packets"
    public static let networkCommunityID = "network.community_id"
    /// Zeek's connection uid and similar flow ids.
    public static let networkFlowID = "network.flow_id"
    public static let relatedIP = "related.ip"
    public static let relatedUser = "related.user"
    public static let relatedHosts = "related.hosts"
    public static let relatedHash = "related.hash"

    // Application protocols
    public static let dnsQuestionName = "dns.question.name"
    public static let dnsQuestionType = "dns.question.type"
    public static let dnsQuestionClass = "dns.question.class"
    public static let dnsResponseCode = "dns.response_code"
    public static let dnsAnswersData = "dns.answers.data"
    public static let dnsID = "dns.id"
    public static let dnsResolvedIP = "dns.resolved_ip"
    public static let httpRequestMethod = "http.request.method"
    public static let httpRequestReferrer = "http.request.referrer"
    public static let httpRequestBytes = "http.request.body.bytes"
    public static let httpResponseStatusCode = "http.response.status_code"
    public static let httpResponseBytes = "http.response.body.bytes"
    public static let httpResponseMimeType = "http.response.mime_type"
    public static let httpVersion = "http.version"
    public static let urlOriginal = "url.original"
    public static let urlDomain = "url.domain"
    public static let urlPath = "url.path"
    public static let urlQuery = "url.query"
    public static let userAgentOriginal = "user_agent.original"
    public static let tlsVersion = "tls.version"
    public static let tlsCipher = "tls.cipher"
    public static let tlsServerName = "tls.client.server_name"
    public static let tlsEstablished = "tls.established"

    // Files
    public static let filePath = "file.path"
    public static let fileName = "file.name"
    public static let fileSize = "file.size"
    public static let fileMimeType = "file.mime_type"
    public static let fileHashMD5 = "file.hash.md5"
    public static let fileHashSHA1 = "file.hash.sha1"
    public static let fileHashSHA256 = "file.hash.sha256"

    // Logs and provenance
    public static let logLevel = "log.level"
    public static let logSyslogPriority = "log.syslog.priority"
    public static let logSyslogFacility = "log.syslog.facility.code"
    public static let logSyslogSeverity = "log.syslog.severity.code"
    public static let logSyslogAppname = "log.syslog.appname"
    public static let logSyslogHostname = "log.syslog.hostname"
    public static let logSyslogMsgID = "log.syslog.msgid"
    public static let logSyslogVersion = "log.syslog.version"
    /// The file the record was read from; `archive.zip!member` for an archive member.
    public static let logFilePath = "log.file.path"
    /// The record's byte offset in the (decompressed) file.
    public static let logOffset = "log.offset"
    /// The 1-based record number within its file.
    public static let spoorRecord = "spoor.record"
    /// The name of the parser that produced the event (`syslog`, `zeek-tsv`, …).
    public static let spoorParser = "spoor.parser"
    /// For events from mined formats: the template id.
    public static let spoorTemplateID = "spoor.template.id"
    /// The session of an authentication event (sshd pid, Windows LogonId).
    public static let sessionID = "session.id"

    /// The fields every event carries whatever its source (provenance and client).
    public static let provenance: [String] = [logFilePath, logOffset, spoorRecord, spoorParser, organizationID]
}
