import SpoorEvents

/// How a Zeek field is turned into an ECS field.
public enum ZeekConversion: Sendable, Hashable {
    /// The value as it is (same kind).
    case same
    /// An `interval` in seconds to ECS `event.duration` nanoseconds (int).
    case nanoseconds
    /// A Kerberos principal `user/REALM` to its user part.
    case principalUser
    /// A Kerberos principal `user/REALM` to its realm (nothing when there is no `/`).
    case principalRealm
    /// Zeek's `TLSv12`/`SSLv3` to ECS `tls.version` (`1.2`, `3.0`).
    case tlsVersion
    /// Zeek's `TLSv12`/`SSLv3`/`DTLSv12` to ECS `tls.version_protocol` (`tls`, `ssl`, `dtls`).
    case tlsVersionProtocol
    /// A bool to ECS `event.outcome` (`success`/`failure`).
    case outcome
    /// ASCII lower case (Zeek enums `INBOUND` to ECS `inbound`).
    case lowercased

    /// The column kind the converted value has, given the Zeek field's own kind.
    func kind(from source: FieldKind) -> FieldKind {
        switch self {
        case .same: source
        case .nanoseconds: .int
        case .principalUser, .principalRealm, .tlsVersion, .tlsVersionProtocol, .outcome, .lowercased: .string
        }
    }
}

/// One line of the mapping: Zeek field → ECS field.
public struct ZeekRule: Sendable, Hashable {
    public var field: String
    public var target: String
    public var conversion: ZeekConversion
    /// Applies only when the target is still unset in the row (notice `src` stands in for
    /// `id.orig_h` when the notice has no connection).
    public var isFallback: Bool

    public init(_ field: String, _ target: String, _ conversion: ZeekConversion = .same, fallback: Bool = false) {
        self.field = field
        self.target = target
        self.conversion = conversion
        self.isFallback = fallback
    }
}

/// The ECS view of one Zeek log: the classification every event gets and the field rules.
public struct ZeekLogMapping: Sendable {
    /// ECS `event.kind`: `event`, or `alert` for notice.log.
    public var kind: String
    public var category: String?
    public var type: String?
    /// `network.protocol` for logs of one protocol (dns.log is always DNS).
    public var networkProtocol: String?
    public var rules: [ZeekRule]

    public init(kind: String = "event", category: String? = nil, type: String? = nil, networkProtocol: String? = nil, rules: [ZeekRule] = []) {
        self.kind = kind
        self.category = category
        self.type = type
        self.networkProtocol = networkProtocol
        self.rules = rules
    }
}

/// The ECS mapping of every Zeek log spoor knows, in one place.
///
/// Every field is kept verbatim as `zeek.<field>`; these rules add the ECS-shaped common view
/// beside it. Classification follows the ECS categorization fields (`event.kind`,
/// `event.category`, `event.type` allowed values, ECS 8.x). Logs not listed get the common
/// rules (time, connection id, endpoints) and `event.kind: event`.
public enum ZeekMapping {
    /// Rules for the fields most logs share.
    public static let common: [ZeekRule] = [
        ZeekRule("ts", Field.timestamp),
        ZeekRule("uid", Field.networkFlowID),
        ZeekRule("id.orig_h", Field.sourceIP),
        ZeekRule("id.orig_p", Field.sourcePort),
        ZeekRule("id.resp_h", Field.destinationIP),
        ZeekRule("id.resp_p", Field.destinationPort),
        ZeekRule("proto", Field.networkTransport),
        ZeekRule("community_id", Field.networkCommunityID),
    ]

    public static let logs: [String: ZeekLogMapping] = [
        "conn": ZeekLogMapping(category: "network", type: "connection", rules: [
            ZeekRule("service", Field.networkProtocol),
            ZeekRule("duration", Field.eventDuration, .nanoseconds),
            ZeekRule("orig_bytes", Field.sourceBytes),
            ZeekRule("resp_bytes", Field.destinationBytes),
            ZeekRule("orig_pkts", Field.sourcePackets),
            ZeekRule("resp_pkts", Field.destinationPackets),
            ZeekRule("orig_l2_addr", Field.sourceMAC),
        ]),
        "dns": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "dns", rules: [
            ZeekRule("query", Field.dnsQuestionName),
            ZeekRule("qtype_name", Field.dnsQuestionType),
            ZeekRule("qclass_name", Field.dnsQuestionClass),
            ZeekRule("rcode_name", Field.dnsResponseCode),
            ZeekRule("answers", Field.dnsAnswersData),
            ZeekRule("trans_id", Field.dnsID),
        ]),
        "http": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "http", rules: [
            ZeekRule("method", Field.httpRequestMethod),
            ZeekRule("host", Field.urlDomain),
            ZeekRule("uri", Field.urlOriginal),
            ZeekRule("referrer", Field.httpRequestReferrer),
            ZeekRule("user_agent", Field.userAgentOriginal),
            ZeekRule("status_code", Field.httpResponseStatusCode),
            ZeekRule("version", Field.httpVersion),
            ZeekRule("request_body_len", Field.httpRequestBytes),
            ZeekRule("response_body_len", Field.httpResponseBytes),
            ZeekRule("resp_mime_types", Field.httpResponseMimeType),
            ZeekRule("username", Field.userName),
        ]),
        "ssl": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "tls", rules: [
            ZeekRule("version", Field.tlsVersion, .tlsVersion),
            ZeekRule("version", Field.tlsVersionProtocol, .tlsVersionProtocol),
            ZeekRule("cipher", Field.tlsCipher),
            ZeekRule("curve", Field.tlsCurve),
            ZeekRule("server_name", Field.tlsServerName),
            ZeekRule("resumed", Field.tlsResumed),
            ZeekRule("established", Field.tlsEstablished),
            ZeekRule("next_protocol", Field.tlsNextProtocol),
            ZeekRule("subject", Field.tlsServerSubject),
            ZeekRule("issuer", Field.tlsServerIssuer),
            ZeekRule("client_subject", Field.tlsClientSubject),
            ZeekRule("client_issuer", Field.tlsClientIssuer),
            ZeekRule("ja3", Field.tlsClientJA3),
            ZeekRule("ja3s", Field.tlsServerJA3S),
        ]),
        "x509": ZeekLogMapping(category: "network", type: "info", networkProtocol: "tls", rules: [
            ZeekRule("certificate.version", Field.x509VersionNumber),
            ZeekRule("certificate.serial", Field.x509SerialNumber),
            ZeekRule("certificate.subject", Field.x509SubjectDistinguishedName),
            ZeekRule("certificate.issuer", Field.x509IssuerDistinguishedName),
            ZeekRule("certificate.not_valid_before", Field.x509NotBefore),
            ZeekRule("certificate.not_valid_after", Field.x509NotAfter),
            ZeekRule("certificate.key_alg", Field.x509PublicKeyAlgorithm),
            ZeekRule("certificate.sig_alg", Field.x509SignatureAlgorithm),
            ZeekRule("certificate.key_length", Field.x509PublicKeySize),
            ZeekRule("certificate.exponent", Field.x509PublicKeyExponent),
            ZeekRule("certificate.curve", Field.x509PublicKeyCurve),
            ZeekRule("san.dns", Field.x509AlternativeNames),
        ]),
        "files": ZeekLogMapping(category: "file", type: "info", rules: [
            ZeekRule("mime_type", Field.fileMimeType),
            ZeekRule("filename", Field.fileName),
            ZeekRule("total_bytes", Field.fileSize),
            ZeekRule("md5", Field.fileHashMD5),
            ZeekRule("sha1", Field.fileHashSHA1),
            ZeekRule("sha256", Field.fileHashSHA256),
            ZeekRule("duration", Field.eventDuration, .nanoseconds),
        ]),
        "notice": ZeekLogMapping(kind: "alert", category: "intrusion_detection", type: "info", rules: [
            ZeekRule("note", Field.ruleName),
            ZeekRule("msg", Field.message),
            ZeekRule("src", Field.sourceIP, fallback: true),
            ZeekRule("dst", Field.destinationIP, fallback: true),
            ZeekRule("p", Field.destinationPort, fallback: true),
            ZeekRule("file_mime_type", Field.fileMimeType),
        ]),
        "weird": ZeekLogMapping(category: "network", type: "info", rules: [
            ZeekRule("name", Field.ruleName),
        ]),
        "ssh": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "ssh", rules: [
            ZeekRule("auth_success", Field.eventOutcome, .outcome),
            ZeekRule("direction", Field.networkDirection, .lowercased),
            ZeekRule("user", Field.userName),
        ]),
        "smb_files": ZeekLogMapping(category: "file", type: "info", networkProtocol: "smb", rules: [
            ZeekRule("action", Field.eventAction),
            ZeekRule("name", Field.fileName),
            ZeekRule("path", Field.fileDirectory),
            ZeekRule("size", Field.fileSize),
            ZeekRule("times.modified", Field.fileMtime),
            ZeekRule("times.accessed", Field.fileAccessed),
            ZeekRule("times.created", Field.fileCreated),
            ZeekRule("times.changed", Field.fileCtime),
        ]),
        "smb_mapping": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "smb", rules: []),
        "kerberos": ZeekLogMapping(category: "authentication", type: "info", networkProtocol: "kerberos", rules: [
            ZeekRule("request_type", Field.eventAction),
            ZeekRule("client", Field.userName, .principalUser),
            ZeekRule("client", Field.userDomain, .principalRealm),
            ZeekRule("service", Field.serviceName),
            ZeekRule("success", Field.eventOutcome, .outcome),
            ZeekRule("error_msg", Field.eventReason),
        ]),
        "rdp": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "rdp", rules: [
            // The `mstshash` cookie is the user name the client offered.
            ZeekRule("cookie", Field.userName),
        ]),
        "dhcp": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "dhcp", rules: [
            ZeekRule("client_addr", Field.sourceIP, fallback: true),
            ZeekRule("server_addr", Field.destinationIP, fallback: true),
            ZeekRule("client_port", Field.sourcePort, fallback: true),
            ZeekRule("server_port", Field.destinationPort, fallback: true),
            ZeekRule("mac", Field.clientMAC),
            ZeekRule("assigned_addr", Field.clientIP),
            ZeekRule("assigned_ip", Field.clientIP),
            ZeekRule("host_name", Field.clientDomain),
            ZeekRule("duration", Field.eventDuration, .nanoseconds),
        ]),
        "ntlm": ZeekLogMapping(category: "authentication", type: "info", networkProtocol: "ntlm", rules: [
            ZeekRule("username", Field.userName),
            ZeekRule("domainname", Field.userDomain),
            ZeekRule("success", Field.eventOutcome, .outcome),
        ]),
        "ftp": ZeekLogMapping(category: "network", type: "protocol", networkProtocol: "ftp", rules: [
            ZeekRule("user", Field.userName),
            ZeekRule("command", Field.eventAction),
        ]),
    ]

    /// The mapping for a log path (aliases such as `open_conn` use their schema's mapping).
    public static func mapping(forPath path: String, schema: String?) -> ZeekLogMapping? {
        logs[path] ?? schema.flatMap { logs[$0] }
    }

    /// The rules that apply to `field` in a log.
    static func rules(for field: String, in mapping: ZeekLogMapping?) -> [ZeekRule] {
        var out = common.filter { $0.field == field }
        if let mapping { out += mapping.rules.filter { $0.field == field } }
        return out
    }
}
