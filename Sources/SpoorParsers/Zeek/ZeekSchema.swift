/// The field types of Zeek's logs, for Zeek JSON (which has no `#types` line).
///
/// JSON keeps numbers, booleans, strings and arrays but not Zeek's types: a `time` is an ISO
/// 8601 string or an epoch number, an `addr` a string, an `interval` a number printed with
/// full double precision. To give the same events as the TSV twin of a log, the JSON parser
/// looks up each field's type here, and infers one from the JSON value only for fields this
/// table does not list (number → `int`/`double`, boolean → `bool`, array → list, string →
/// `string`).
///
/// Sources: the `Info` records of Zeek's `base/protocols/*/main.zeek`, `base/frameworks/*`
/// and common packages, as documented for Zeek 6, checked against the `#types` lines of
/// zed-sample-data (Zeek 6.2) and of RITA's test data (Bro 2.x to Zeek 6). Older field names
/// that newer versions renamed stay listed (files `tx_hosts`, dhcp `assigned_ip`), since a
/// log may come from any version.
public enum ZeekSchema {
    /// Fields whose type is the same in every log that has them.
    static let commonText = """
        ts:time _write_ts:time uid:string fuid:string id.orig_h:addr id.orig_p:port \
        id.resp_h:addr id.resp_p:port proto:enum community_id:string
        """

    /// One entry per log path: `field:type` pairs separated by spaces.
    static let logsText: [(String, String)] = [
        ("conn", """
            service:string duration:interval orig_bytes:count resp_bytes:count conn_state:string \
            local_orig:bool local_resp:bool missed_bytes:count history:string orig_pkts:count \
            orig_ip_bytes:count resp_pkts:count resp_ip_bytes:count tunnel_parents:set[string] \
            ip_proto:count orig_l2_addr:string resp_l2_addr:string vlan:int inner_vlan:int \
            speculative_service:string orig_cc:string resp_cc:string
            """),
        ("dns", """
            trans_id:count rtt:interval query:string qclass:count qclass_name:string qtype:count \
            qtype_name:string rcode:count rcode_name:string AA:bool TC:bool RD:bool RA:bool Z:count \
            answers:vector[string] TTLs:vector[interval] rejected:bool auth:set[string] addl:set[string] \
            original_query:string
            """),
        ("http", """
            trans_depth:count method:string host:string uri:string referrer:string version:string \
            user_agent:string origin:string request_body_len:count response_body_len:count \
            status_code:count status_msg:string info_code:count info_msg:string tags:set[enum] \
            username:string password:string proxied:set[string] orig_fuids:vector[string] \
            orig_filenames:vector[string] orig_mime_types:vector[string] resp_fuids:vector[string] \
            resp_filenames:vector[string] resp_mime_types:vector[string] \
            client_header_names:vector[string] server_header_names:vector[string] \
            cookie_vars:vector[string] uri_vars:vector[string]
            """),
        ("ssl", """
            version:string cipher:string curve:string server_name:string resumed:bool \
            last_alert:string next_protocol:string established:bool ssl_history:string \
            cert_chain_fps:vector[string] client_cert_chain_fps:vector[string] \
            cert_chain_fuids:vector[string] client_cert_chain_fuids:vector[string] subject:string \
            issuer:string client_subject:string client_issuer:string sni_matches_cert:bool \
            validation_status:string ocsp_status:string valid_ct_logs:count valid_ct_operators:count \
            ja3:string ja3s:string
            """),
        ("x509", """
            id:string fingerprint:string certificate.version:count certificate.serial:string \
            certificate.subject:string certificate.issuer:string certificate.not_valid_before:time \
            certificate.not_valid_after:time certificate.key_alg:string certificate.sig_alg:string \
            certificate.key_type:string certificate.key_length:count certificate.exponent:string \
            certificate.curve:string san.dns:vector[string] san.uri:vector[string] \
            san.email:vector[string] san.ip:vector[addr] basic_constraints.ca:bool \
            basic_constraints.path_len:count host_cert:bool client_cert:bool
            """),
        ("files", """
            tx_hosts:set[addr] rx_hosts:set[addr] conn_uids:set[string] source:string depth:count \
            analyzers:set[string] mime_type:string filename:string duration:interval local_orig:bool \
            is_orig:bool seen_bytes:count total_bytes:count missing_bytes:count overflow_bytes:count \
            timedout:bool parent_fuid:string md5:string sha1:string sha256:string extracted:string \
            extracted_cutoff:bool extracted_size:count
            """),
        ("notice", """
            file_mime_type:string file_desc:string note:enum msg:string sub:string src:addr dst:addr \
            p:port n:count peer_name:string peer_descr:string actions:set[enum] \
            email_dest:set[string] suppress_for:interval dropped:bool \
            remote_location.country_code:string remote_location.region:string \
            remote_location.city:string remote_location.latitude:double remote_location.longitude:double
            """),
        ("weird", "name:string addl:string notice:bool peer:string source:string"),
        ("ssh", """
            version:count auth_success:bool auth_attempts:count direction:enum client:string \
            server:string cipher_alg:string mac_alg:string compression_alg:string kex_alg:string \
            host_key_alg:string host_key:string remote_location.country_code:string \
            remote_location.region:string remote_location.city:string \
            remote_location.latitude:double remote_location.longitude:double hassh:string \
            hasshServer:string hasshAlgorithms:string hasshServerAlgorithms:string
            """),
        ("smb_files", """
            action:enum path:string name:string size:count prev_name:string times.modified:time \
            times.accessed:time times.created:time times.changed:time
            """),
        ("smb_mapping", "path:string service:string native_file_system:string share_type:string"),
        ("kerberos", """
            request_type:string client:string service:string success:bool error_code:count \
            error_msg:string from:time till:time cipher:string forwardable:bool renewable:bool \
            client_cert_subject:string client_cert_fuid:string server_cert_subject:string \
            server_cert_fuid:string auth_ticket:string new_ticket:string
            """),
        ("rdp", """
            cookie:string result:string security_protocol:string client_channels:vector[string] \
            keyboard_layout:string client_build:string client_name:string \
            client_dig_product_id:string desktop_width:count desktop_height:count \
            requested_color_depth:string cert_type:string cert_count:count cert_permanent:bool \
            encryption_level:string encryption_method:string
            """),
        ("dhcp", """
            uids:set[string] client_addr:addr server_addr:addr client_port:port server_port:port \
            mac:string host_name:string client_fqdn:string domain:string requested_addr:addr \
            assigned_addr:addr lease_time:interval client_message:string server_message:string \
            msg_types:vector[string] duration:interval assigned_ip:addr trans_id:count \
            client_software:string server_software:string circuit_id:string agent_remote_id:string \
            subscriber_id:string
            """),
        // The other logs of a default Zeek 6 (as in zed-sample-data), and RITA's tunnel.log.
        ("analyzer", """
            cause:string analyzer_kind:string analyzer_name:string failure_reason:string \
            failure_data:string
            """),
        ("capture_loss", "ts_delta:interval peer:string gaps:count acks:count percent_lost:double"),
        ("dce_rpc", "rtt:interval named_pipe:string endpoint:string operation:string"),
        ("dpd", "analyzer:string failure_reason:string packet_segment:string"),
        ("ftp", """
            user:string password:string command:string arg:string mime_type:string file_size:count \
            reply_code:count reply_msg:string data_channel.passive:bool data_channel.orig_h:addr \
            data_channel.resp_h:addr data_channel.resp_p:port
            """),
        ("known_certs", "host:addr port_num:port subject:string issuer_subject:string serial:string"),
        ("known_hosts", "host:addr"),
        ("known_services", "host:addr port_num:port port_proto:enum service:set[string]"),
        ("ldap", """
            message_id:int version:int opcode:string result:string diagnostic_message:string \
            object:string argument:string
            """),
        ("ldap_search", """
            message_id:int scope:string deref_aliases:string base_object:string result_count:count \
            result:string diagnostic_message:string filter:string attributes:vector[string]
            """),
        ("loaded_scripts", "name:string"),
        ("modbus", "tid:count unit:count func:string pdu_type:string exception:string"),
        ("ntlm", """
            username:string hostname:string domainname:string server_nb_computer_name:string \
            server_dns_computer_name:string server_tree_name:string success:bool
            """),
        ("ntp", """
            version:count mode:count stratum:count poll:interval precision:interval \
            root_delay:interval root_disp:interval ref_id:string ref_time:time org_time:time \
            rec_time:time xmt_time:time num_exts:count
            """),
        ("ocsp", """
            id:string hashAlgorithm:string issuerNameHash:string issuerKeyHash:string \
            serialNumber:string certStatus:string revoketime:time revokereason:string \
            thisUpdate:time nextUpdate:time
            """),
        ("packet_filter", "node:string filter:string init:bool success:bool failure_reason:string"),
        ("pe", """
            id:string machine:string compile_ts:time os:string subsystem:string is_exe:bool \
            is_64bit:bool uses_aslr:bool uses_dep:bool uses_code_integrity:bool uses_seh:bool \
            has_import_table:bool has_export_table:bool has_cert_table:bool has_debug_data:bool \
            section_names:vector[string]
            """),
        ("rfb", """
            client_major_version:string client_minor_version:string server_major_version:string \
            server_minor_version:string authentication_method:string auth:bool share_flag:bool \
            desktop_name:string width:count height:count
            """),
        ("smtp", """
            trans_depth:count helo:string mailfrom:string rcptto:set[string] date:string from:string \
            to:set[string] cc:set[string] reply_to:string msg_id:string in_reply_to:string \
            subject:string x_originating_ip:addr first_received:string second_received:string \
            last_reply:string path:vector[addr] user_agent:string tls:bool fuids:vector[string] \
            is_webmail:bool
            """),
        ("snmp", """
            duration:interval version:string community:string get_requests:count \
            get_bulk_requests:count get_responses:count set_requests:count display_string:string \
            up_since:time
            """),
        ("software", """
            host:addr host_p:port software_type:enum name:string version.major:count \
            version.minor:count version.minor2:count version.minor3:count version.addl:string \
            unparsed_version:string
            """),
        ("stats", """
            peer:string mem:count pkts_proc:count bytes_recv:count pkts_dropped:count pkts_link:count \
            pkt_lag:interval pkts_filtered:count events_proc:count events_queued:count \
            active_tcp_conns:count active_udp_conns:count active_icmp_conns:count tcp_conns:count \
            udp_conns:count icmp_conns:count timers:count active_timers:count files:count \
            active_files:count dns_requests:count active_dns_requests:count reassem_tcp_size:count \
            reassem_file_size:count reassem_frag_size:count reassem_unknown_size:count
            """),
        ("syslog", "facility:string severity:string message:string"),
        ("tunnel", "tunnel_type:enum action:enum"),
    ]

    /// Log paths that are another log's schema under another name: RITA's open-connection
    /// logs (`open_conn.log` is conn.log for connections still open at rotation).
    static let aliases: [String: String] = ["open_conn": "conn", "open_http": "http", "open_ssl": "ssl"]

    static let common: [String: ZeekType] = parse(commonText)

    /// Field types per log path (common fields included).
    static let logs: [String: [String: ZeekType]] = {
        var out: [String: [String: ZeekType]] = [:]
        for (path, text) in logsText { out[path] = common.merging(parse(text)) { _, new in new } }
        return out
    }()

    static func parse(_ text: String) -> [String: ZeekType] {
        var out: [String: ZeekType] = [:]
        for pair in text.split(separator: " ") {
            guard let colon = pair.firstIndex(of: ":") else { continue }
            out[String(pair[..<colon])] = ZeekType.parse(String(pair[pair.index(after: colon)...]))
        }
        return out
    }

    /// The known schema name for a log path (itself, or what it is an alias of).
    public static func schemaName(forPath path: String) -> String? {
        if logs[path] != nil { return path }
        return aliases[path]
    }

    /// The type of `field` in log `schema`, falling back to the fields all logs share.
    public static func type(of field: String, inSchema schema: String?) -> ZeekType? {
        if let schema, let t = logs[schema]?[field] { return t }
        return common[field]
    }

    /// The known log whose fields best match `fields`, for logs that name their path nowhere.
    ///
    /// Scores by the share of `fields` (common fields aside) that the log defines, and needs
    /// at least two such fields and 80 % agreement, so a handful of generic names never
    /// decides.
    public static func inferSchema(fields: some Sequence<String>) -> String? {
        let own = fields.filter { common[$0] == nil }
        guard own.count >= 2 else { return nil }
        var best: (String, Int)? = nil
        for (path, _) in logsText {
            guard let table = logs[path] else { continue }
            let hits = own.reduce(0) { $0 + (table[$1] != nil ? 1 : 0) }
            if hits * 100 >= own.count * 80, hits > (best?.1 ?? 1) { best = (path, hits) }
        }
        return best?.0
    }

    /// The log path in a file name: `conn.log`, `conn.20200101.log.gz`,
    /// `dns.00:00:00-01:00:00.log.gz`, `dns.json.gz` all name the log before their first dot.
    /// Nil when that stem is not a log this table knows.
    public static func path(fromSourceName name: String) -> String? {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard let stem = base.split(separator: ".", maxSplits: 1).first.map(String.init), !stem.isEmpty else { return nil }
        return schemaName(forPath: stem) != nil ? stem : nil
    }
}
