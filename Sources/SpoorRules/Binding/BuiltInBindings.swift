/// spoor's own logsource binding files (the format: ``LogsourceBinding``), compiled into the
/// library so that the `spoor` executable needs no resource bundle beside it. `spoor rules
/// bindings DIR` writes them out as files to start one's own from; files given with
/// `--bindings` take precedence over these.
enum BuiltInBindings {
    static let files: [(name: String, yaml: String)] = [
        ("generic.yml", #"""
# The fallback for every logsource no other binding file names (cloud audit logs, macOS, an
# application's own JSON…): a rule's field is looked up as the raw field of the generic
# readers, `json.<field>` for JSON Lines and `csv.<field>` for CSV/TSV, then as a spoor column
# of that name (ECS names such as source.ip, as Sigma's `category: network` rules write them).
name: generic
raw: [json., csv., ""]
logsources:
  - {}   # every event
"""#),
        ("linux.yml", #"""
# Linux logs for Sigma rules: syslog and journald (through spoor's syslog semantics for sshd,
# sudo, su, cron, PAM, logind…), Sysmon for Linux exported as EVTX/JSON, and auditd records
# exported as JSON (their key=value fields under json.*).
#
# Facts: the Sigma taxonomy appendix (v2.1.0) for Linux services and categories; Linux rules
# with services auth/sshd/sudo/cron/syslog mostly search keywords in the message, which spoor
# matches against every text field of an event (message included).
name: linux
fields:
  User: [user.name]
  CommandLine: [process.command_line, winlog.event_data.CommandLine, json.CommandLine]
  Image: [process.executable, winlog.event_data.Image, json.Image]
  CurrentDirectory: [process.working_directory, winlog.event_data.CurrentDirectory]
  pam_user: [user.name]
  pam_rhost: [source.ip, source.domain]
  pam_service: [syslog.pam.service]
raw: [json., ""]
logsources:
  - product: linux
    when:
      - spoor.parser: [syslog, journald-json]
      - winlog.channel: Linux-Sysmon/Operational
      - spoor.parser: [jsonl]
  - product: linux
    service: auth
    when:
      - spoor.parser: [syslog, journald-json]
  - product: linux
    service: syslog
    when:
      - spoor.parser: [syslog, journald-json]
  - product: linux
    service: sshd
    when:
      - process.name: [sshd]
  - product: linux
    service: sudo
    when:
      - process.name: [sudo]
  - product: linux
    service: su
    when:
      - process.name: [su]
  - product: linux
    service: cron
    when:
      - process.name: [cron, CRON, crond, anacron]
  - product: linux
    service: vsftpd
    when:
      - process.name: [vsftpd]
  - product: linux
    service: clamav
    when:
      - process.name: [clamd, freshclam, clamav]
  - product: linux
    service: guacamole
    when:
      - process.name: [guacd, guacamole]
  - product: linux
    service: auditd
    when:
      - spoor.parser: [jsonl]
  - product: linux
    category: process_creation
    when:
      - winlog.channel: Linux-Sysmon/Operational
        winlog.event_id: [1]
        raw: [winlog.event_data.]
      - spoor.parser: [jsonl]
  - product: linux
    category: file_event
    when:
      - winlog.channel: Linux-Sysmon/Operational
        winlog.event_id: [11]
        raw: [winlog.event_data.]
      - spoor.parser: [jsonl]
  - product: linux
    category: network_connection
    when:
      - winlog.channel: Linux-Sysmon/Operational
        winlog.event_id: [3]
        raw: [winlog.event_data.]
      - spoor.parser: [jsonl]
"""#),
        ("network.yml", #"""
# Network logs for Sigma rules: Zeek logs (`product: zeek, service: <log>`, Zeek's own field
# names), the generic firewall and dns categories (taxonomy appendix names mapped to ECS), and
# Sigma 2.1's `category: network` + `service: connection|dns`, which use ECS names as spoor does.
name: network
fields:
  src_ip: [source.ip, zeek.id.orig_h]
  src_port: [source.port, zeek.id.orig_p]
  dst_ip: [destination.ip, zeek.id.resp_h]
  dst_port: [destination.port, zeek.id.resp_p]
  action: [event.action]
  username: [user.name]
  query: [dns.question.name, zeek.query]
  answer: [dns.answers.data, zeek.answers]
  record_type: [dns.question.type, zeek.qtype_name]
  parent_domain: [dns.question.registered_domain]
raw: [zeek., ""]
logsources:
  - product: zeek
    when:
      - spoor.parser: [zeek-tsv, zeek-json]
  - category: firewall
    when:
      - source.ip: "*"
        destination.ip: "*"
  - category: dns
    when:
      - event.dataset: zeek.dns
      - dns.question.name: "*"
  - category: network
    when:
      - source.ip: "*"
  - product: zeek
    service: conn
    when:
      - event.dataset: zeek.conn
  - product: zeek
    service: dns
    when:
      - event.dataset: zeek.dns
  - product: zeek
    service: http
    when:
      - event.dataset: zeek.http
  - product: zeek
    service: files
    when:
      - event.dataset: zeek.files
  - product: zeek
    service: ssl
    when:
      - event.dataset: zeek.ssl
  - product: zeek
    service: x509
    when:
      - event.dataset: zeek.x509
  - product: zeek
    service: smtp
    when:
      - event.dataset: zeek.smtp
  - product: zeek
    service: ssh
    when:
      - event.dataset: zeek.ssh
  - product: zeek
    service: ftp
    when:
      - event.dataset: zeek.ftp
  - product: zeek
    service: kerberos
    when:
      - event.dataset: zeek.kerberos
  - product: zeek
    service: ntlm
    when:
      - event.dataset: zeek.ntlm
  - product: zeek
    service: rdp
    when:
      - event.dataset: zeek.rdp
  - product: zeek
    service: smb_files
    when:
      - event.dataset: zeek.smb_files
  - product: zeek
    service: smb_mapping
    when:
      - event.dataset: zeek.smb_mapping
  - product: zeek
    service: dce_rpc
    when:
      - event.dataset: zeek.dce_rpc
  - product: zeek
    service: dhcp
    when:
      - event.dataset: zeek.dhcp
  - product: zeek
    service: notice
    when:
      - event.dataset: zeek.notice
  - product: zeek
    service: weird
    when:
      - event.dataset: zeek.weird
  - product: zeek
    service: software
    when:
      - event.dataset: zeek.software
  - product: zeek
    service: tunnel
    when:
      - event.dataset: zeek.tunnel
  - product: zeek
    service: snmp
    when:
      - event.dataset: zeek.snmp
  - product: zeek
    service: sip
    when:
      - event.dataset: zeek.sip
  - product: zeek
    service: pe
    when:
      - event.dataset: zeek.pe
"""#),
        ("web.yml", #"""
# Web server and proxy logs for Sigma rules (taxonomy appendix: `category: webserver` and
# `category: proxy` use W3C field names). W3C extended logs (IIS…) keep every field as
# w3c.<name>; Apache/Nginx access logs give the ECS view; Zeek http.log serves proxy rules.
name: web
fields:
  c-ip: [w3c.c-ip, source.ip]
  cs-method: [w3c.cs-method, http.request.method]
  cs-uri-stem: [w3c.cs-uri-stem, url.path]
  cs-uri-query: [w3c.cs-uri-query, url.query]
  cs-uri: [w3c.cs-uri, url.original]
  c-uri: [w3c.cs-uri, url.original]
  c-uri-query: [w3c.cs-uri-query, url.query]
  c-uri-stem: [w3c.cs-uri-stem, url.path]
  c-uri-extension: [url.extension]
  cs-host: [w3c.cs-host, url.domain]
  sc-status: [w3c.sc-status, http.response.status_code]
  cs-user-agent: ["w3c.cs(User-Agent)", user_agent.original]
  c-useragent: ["w3c.cs(User-Agent)", user_agent.original]
  cs-referer: ["w3c.cs(Referer)", http.request.referrer]
  cs-referrer: ["w3c.cs(Referer)", http.request.referrer]
  cs-username: [w3c.cs-username, user.name]
  cs-cookie: ["w3c.cs(Cookie)"]
  cs-content-type: ["w3c.cs(Content-Type)"]
  sc-bytes: [w3c.sc-bytes, http.response.body.bytes]
  cs-bytes: [w3c.cs-bytes, http.request.body.bytes]
  s-ip: [w3c.s-ip, destination.ip]
  dst_ip: [destination.ip]
  src_ip: [source.ip]
raw: [w3c.]
logsources:
  - category: webserver
    when:
      - spoor.parser: [access-combined, w3c-extended]
  - category: proxy
    when:
      - spoor.parser: [access-combined, w3c-extended]
      - event.dataset: zeek.http
        raw: [zeek.]
        fields:
          c-uri: [zeek.uri]
          cs-uri: [zeek.uri]
          cs-host: [zeek.host]
          cs-method: [zeek.method]
          sc-status: [zeek.status_code]
          c-useragent: [zeek.user_agent]
          cs-user-agent: [zeek.user_agent]
          cs-referer: [zeek.referrer]
          dst_ip: [zeek.id.resp_h]
          src_ip: [zeek.id.orig_h]
"""#),
        ("windows.yml", #"""
# Windows events (EVTX and every Windows JSON form spoor reads) for Sigma rules.
#
# Facts: the Sigma taxonomy appendix (sigma-specification v2.1.0, "Windows" logsources: Sysmon
# event ids per category, channels per service) and the field names of the pySigma Sysmon and
# Windows pipelines (REFERENCE §2.4). spoor writes a Windows event's System fields as winlog.*
# and its EventData/UserData items as winlog.event_data.<Name> / winlog.user_data.<Name>.
name: windows
fields:
  EventID: winlog.event_id
  Channel: winlog.channel
  Provider_Name: winlog.provider_name
  Provider_Guid: winlog.provider_guid
  Computer: winlog.computer_name
  EventRecordID: winlog.record_id
  Execution_ProcessID: winlog.process.pid
  Execution_ThreadID: winlog.process.thread.id
  Security_UserID: winlog.user.identifier
  Correlation_ActivityID: winlog.activity_id
  Version: [winlog.event_data.Version, winlog.version]
  Task: [winlog.event_data.Task, winlog.task]
  Opcode: [winlog.event_data.Opcode, winlog.opcode]
  Keywords: [winlog.event_data.Keywords, winlog.keywords]
  Message: message
raw: [winlog.event_data., winlog.user_data.]
logsources:
  - product: windows
    when:
      - winlog.channel: "*"   # any Windows event
  - product: windows
    category: process_creation
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [1]
      # Security 4688 with command-line auditing (pySigma windows_audit_pipeline field names).
      - winlog.channel: Security
        winlog.event_id: [4688]
        fields:
          Image: winlog.event_data.NewProcessName
          ParentImage: winlog.event_data.ParentProcessName
          LogonId: winlog.event_data.SubjectLogonId
          ProcessId: winlog.event_data.NewProcessId
          ParentProcessId: winlog.event_data.ProcessId
          IntegrityLevel: winlog.event_data.MandatoryLabel
        unsupported: [Hashes, OriginalFileName, Company, Product, Description, FileVersion, ParentCommandLine,
                      ProcessGuid, ParentProcessGuid, LogonGuid, CurrentDirectory, TerminalSessionId, User, ParentUser,
                      GrandParentImage, md5, sha1, sha256, Imphash]
  - product: windows
    category: file_change
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [2]
  - product: windows
    category: network_connection
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [3]
  - product: windows
    category: sysmon_status
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [4, 16]
  - product: windows
    category: process_termination
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [5]
  - product: windows
    category: driver_load
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [6]
  - product: windows
    category: image_load
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [7]
  - product: windows
    category: create_remote_thread
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [8]
  - product: windows
    category: raw_access_thread
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [9]
  - product: windows
    category: process_access
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [10]
  - product: windows
    category: file_event
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [11]
  - product: windows
    category: registry_add
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [12]
  - product: windows
    category: registry_delete
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [12]
  - product: windows
    category: registry_set
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [13]
  - product: windows
    category: registry_rename
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [14]
  - product: windows
    category: registry_event
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [12, 13, 14]
  - product: windows
    category: create_stream_hash
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [15]
  - product: windows
    category: pipe_created
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [17, 18]
  - product: windows
    category: wmi_event
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [19, 20, 21]
  - product: windows
    category: dns_query
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [22]
  - product: windows
    category: file_delete
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [23, 26]
  - product: windows
    category: clipboard_capture
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [24]
  - product: windows
    category: process_tampering
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [25]
  - product: windows
    category: file_delete_detected
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [26]
  - product: windows
    category: file_block_executable
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [27]
  - product: windows
    category: file_block_shredding
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [28]
  - product: windows
    category: file_executable_detected
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [29]
  - product: windows
    category: sysmon_error
    when:
      - winlog.channel: Microsoft-Windows-Sysmon/Operational
        winlog.event_id: [255]
  - product: windows
    category: ps_module
    when:
      - winlog.channel: "Microsoft-Windows-PowerShell/Operational"
        winlog.event_id: [4103]
  - product: windows
    category: ps_script
    when:
      - winlog.channel: "Microsoft-Windows-PowerShell/Operational"
        winlog.event_id: [4104]
  - product: windows
    category: ps_classic_start
    when:
      - winlog.channel: "Windows PowerShell"
        winlog.event_id: [400]
  - product: windows
    category: ps_classic_provider_start
    when:
      - winlog.channel: "Windows PowerShell"
        winlog.event_id: [600]
  - product: windows
    category: ps_classic_script
    when:
      - winlog.channel: "Windows PowerShell"
        winlog.event_id: [800]
  - product: windows
    service: security
    when:
      - winlog.channel: ["Security"]
  - product: windows
    service: system
    when:
      - winlog.channel: ["System"]
  - product: windows
    service: application
    when:
      - winlog.channel: ["Application"]
  - product: windows
    service: sysmon
    when:
      - winlog.channel: ["Microsoft-Windows-Sysmon/Operational"]
  - product: windows
    service: powershell
    when:
      - winlog.channel: ["Microsoft-Windows-PowerShell/Operational"]
  - product: windows
    service: powershell-classic
    when:
      - winlog.channel: ["Windows PowerShell"]
  - product: windows
    service: taskscheduler
    when:
      - winlog.channel: ["Microsoft-Windows-TaskScheduler/Operational"]
  - product: windows
    service: wmi
    when:
      - winlog.channel: ["Microsoft-Windows-WMI-Activity/Operational"]
  - product: windows
    service: dns-server
    when:
      - winlog.channel: ["DNS Server"]
  - product: windows
    service: dns-server-audit
    when:
      - winlog.channel: ["Microsoft-Windows-DNS-Server/Audit"]
  - product: windows
    service: dns-server-analytic
    when:
      - winlog.channel: ["Microsoft-Windows-DNS-Server/Analytical"]
  - product: windows
    service: driver-framework
    when:
      - winlog.channel: ["Microsoft-Windows-DriverFrameworks-UserMode/Operational"]
  - product: windows
    service: ntlm
    when:
      - winlog.channel: ["Microsoft-Windows-NTLM/Operational"]
  - product: windows
    service: windefend
    when:
      - winlog.channel: ["Microsoft-Windows-Windows Defender/Operational"]
  - product: windows
    service: firewall-as
    when:
      - winlog.channel: ["Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"]
  - product: windows
    service: bits-client
    when:
      - winlog.channel: ["Microsoft-Windows-Bits-Client/Operational"]
  - product: windows
    service: codeintegrity-operational
    when:
      - winlog.channel: ["Microsoft-Windows-CodeIntegrity/Operational"]
  - product: windows
    service: dns-client
    when:
      - winlog.channel: ["Microsoft-Windows-DNS Client Events/Operational"]
  - product: windows
    service: terminalservices-localsessionmanager
    when:
      - winlog.channel: ["Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"]
  - product: windows
    service: printservice-admin
    when:
      - winlog.channel: ["Microsoft-Windows-PrintService/Admin"]
  - product: windows
    service: printservice-operational
    when:
      - winlog.channel: ["Microsoft-Windows-PrintService/Operational"]
  - product: windows
    service: smbclient-security
    when:
      - winlog.channel: ["Microsoft-Windows-SmbClient/Security"]
  - product: windows
    service: smbclient-connectivity
    when:
      - winlog.channel: ["Microsoft-Windows-SmbClient/Connectivity"]
  - product: windows
    service: lsa-server
    when:
      - winlog.channel: ["Microsoft-Windows-LSA/Operational"]
  - product: windows
    service: appxdeployment-server
    when:
      - winlog.channel: ["Microsoft-Windows-AppXDeploymentServer/Operational"]
  - product: windows
    service: appxpackaging-om
    when:
      - winlog.channel: ["Microsoft-Windows-AppxPackaging/Operational"]
  - product: windows
    service: capi2
    when:
      - winlog.channel: ["Microsoft-Windows-CAPI2/Operational"]
  - product: windows
    service: certificateservicesclient-lifecycle-system
    when:
      - winlog.channel: ["Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"]
  - product: windows
    service: openssh
    when:
      - winlog.channel: ["OpenSSH/Operational"]
  - product: windows
    service: ldap_debug
    when:
      - winlog.channel: ["Microsoft-Windows-LDAP-Client/Debug"]
  - product: windows
    service: msexchange-management
    when:
      - winlog.channel: ["MSExchange Management"]
  - product: windows
    service: shell-core
    when:
      - winlog.channel: ["Microsoft-Windows-Shell-Core/Operational"]
  - product: windows
    service: diagnosis-scripted
    when:
      - winlog.channel: ["Microsoft-Windows-Diagnosis-Scripted/Operational"]
  - product: windows
    service: microsoft-servicebus-client
    when:
      - winlog.channel: ["Microsoft-ServiceBus-Client"]
  - product: windows
    service: bitlocker
    when:
      - winlog.channel: ["Microsoft-Windows-BitLocker/BitLocker Management"]
  - product: windows
    service: vhdmp
    when:
      - winlog.channel: ["Microsoft-Windows-VHDMP/Operational"]
  - product: windows
    service: iis-configuration
    when:
      - winlog.channel: ["Microsoft-IIS-Configuration/Operational"]
  - product: windows
    service: hyper-v-worker
    when:
      - winlog.channel: ["Microsoft-Windows-Hyper-V-Worker"]
  - product: windows
    service: appmodel-runtime
    when:
      - winlog.channel: ["Microsoft-Windows-AppModel-Runtime/Admin"]
  - product: windows
    service: dhcp
    when:
      - winlog.channel: ["Microsoft-Windows-DHCP-Server/Operational"]
  - product: windows
    service: ntfs
    when:
      - winlog.channel: ["Microsoft-Windows-Ntfs/Operational"]
  - product: windows
    service: kernel-event-tracing
    when:
      - winlog.channel: ["Microsoft-Windows-Kernel-EventTracing"]
  - product: windows
    service: wmi-activity
    when:
      - winlog.channel: ["Microsoft-Windows-WMI-Activity/Operational"]
  - product: windows
    service: security-mitigations
    when:
      - winlog.channel: ["Microsoft-Windows-Security-Mitigations/Kernel Mode", "Microsoft-Windows-Security-Mitigations/User Mode"]
  - product: windows
    service: applocker
    when:
      - winlog.channel: ["Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL", "Microsoft-Windows-AppLocker/Packaged app-Deployment", "Microsoft-Windows-AppLocker/Packaged app-Execution"]
  - product: windows
    service: application-experience
    when:
      - winlog.channel: ["Microsoft-Windows-Application-Experience/Program-Telemetry", "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant"]
  - product: windows
    service: kernel-shimengine
    when:
      - winlog.channel: ["Microsoft-Windows-Kernel-ShimEngine/Operational", "Microsoft-Windows-Kernel-ShimEngine/Diagnostic"]
  - product: windows
    service: sysmon-linux
    when:
      - winlog.channel: ["Linux-Sysmon/Operational"]
"""#),
    ]
}
