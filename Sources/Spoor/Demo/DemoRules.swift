import Foundation
import SpoorRules

/// The Sigma rules `spoor analyze` hunts with on the built-in demo and the simulated
/// organisation: spoor's own small set (ordinary Sigma v2.1 rules, bound like any other),
/// written from the techniques' published descriptions, not from the simulator's records. They
/// cover what a rule can see in one event or a count; beaconing, DGA, tunnelling and
/// exfiltration are the detectors' work.
public enum DemoRules {
    public static let yaml = """
    title: SSH authentication failure
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e01
    name: demo_ssh_failure
    description: A failed SSH password or an unknown user name (spoor demo rule).
    logsource: {product: linux, service: sshd}
    detection:
        keywords: ['Failed password', 'Invalid user']
        condition: keywords
    level: low
    ---
    title: SSH login accepted
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e02
    name: demo_ssh_accepted
    logsource: {product: linux, service: sshd}
    detection:
        keywords: ['Accepted password', 'Accepted publickey']
        condition: keywords
    level: informational
    ---
    title: SSH password guessing
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e03
    name: demo_ssh_guessing
    correlation:
        type: event_count
        rules: [demo_ssh_failure]
        group-by: [source.ip]
        timespan: 10m
        condition: {gte: 20}
    level: medium
    tags: [attack.credential-access, attack.t1110.001]
    ---
    title: SSH login after password guessing
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e04
    correlation:
        type: temporal_ordered
        rules: [demo_ssh_guessing, demo_ssh_accepted]
        group-by: [source.ip]
        timespan: 30m
    level: high
    tags: [attack.initial-access, attack.t1078, attack.credential-access, attack.t1110]
    ---
    title: Download piped into a shell with sudo
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e05
    logsource: {product: linux, service: sudo}
    detection:
        download:
            CommandLine|contains: ['curl ', 'wget ']
        shell:
            CommandLine|contains: ['| sh', '| bash', '|sh', '|bash']
        condition: download and shell
    level: high
    tags: [attack.execution, attack.t1059.004, attack.command-and-control, attack.t1105]
    ---
    title: Account created with UID 0
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e06
    logsource: {product: linux}
    detection:
        selection:
            process.name: useradd
            message|contains: 'UID=0,'
        condition: selection
    level: critical
    tags: [attack.persistence, attack.t1136.001]
    ---
    title: SQL injection probe in a web request
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e07
    logsource: {category: webserver}
    detection:
        selection:
            cs-uri-query|contains: ['UNION%20SELECT', 'UNION SELECT', '%20OR%201=1', ' OR 1=1', 'WAITFOR%20DELAY', 'WAITFOR DELAY']
        condition: selection
    level: high
    tags: [attack.initial-access, attack.t1190]
    ---
    title: Windows logon failure
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e08
    name: demo_win_logon_failure
    logsource: {product: windows, service: security}
    detection:
        selection:
            EventID: 4625
        condition: selection
    level: informational
    ---
    title: Many failed Windows logons from one source
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e09
    correlation:
        type: event_count
        rules: [demo_win_logon_failure]
        group-by: [IpAddress]
        timespan: 10m
        condition: {gte: 20}
    level: medium
    tags: [attack.credential-access, attack.t1110.001]
    ---
    title: Failed Windows logons for many accounts from one source
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e10
    correlation:
        type: value_count
        rules: [demo_win_logon_failure]
        group-by: [IpAddress]
        timespan: 1h
        condition: {field: TargetUserName, gte: 10}
    level: high
    tags: [attack.credential-access, attack.t1110.003]
    ---
    title: Encoded PowerShell command line
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e11
    logsource: {category: process_creation, product: windows}
    detection:
        image:
            Image|endswith: ['\\powershell.exe', '\\pwsh.exe']
        encoded:
            CommandLine|contains: [' -enc ', ' -EncodedCommand ', ' -ec ', ' -en ']
        condition: image and encoded
    level: medium
    tags: [attack.execution, attack.t1059.001]
    ---
    title: LSASS memory opened for reading
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e12
    logsource: {category: process_access, product: windows}
    detection:
        selection:
            TargetImage|endswith: '\\lsass.exe'
            GrantedAccess: ['0x1010', '0x1410', '0x1438', '0x143a', '0x1fffff', '0x1f3fff']
        security_tools:
            SourceImage|endswith: ['\\MsMpEng.exe', '\\MsSense.exe', '\\SenseIR.exe', '\\csrss.exe', '\\wininit.exe']
        condition: selection and not security_tools
    level: high
    tags: [attack.credential-access, attack.t1003.001]
    ---
    title: LSASS dumped with comsvcs MiniDump
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e13
    logsource: {category: process_creation, product: windows}
    detection:
        selection:
            CommandLine|contains|all: ['comsvcs', 'MiniDump']
        condition: selection
    level: critical
    tags: [attack.credential-access, attack.t1003.001]
    ---
    title: PsExec service installed
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e14
    logsource: {product: windows, service: system}
    detection:
        selection:
            EventID: 7045
            ServiceName|contains: 'PSEXE'
        condition: selection
    level: high
    tags: [attack.lateral-movement, attack.t1021.002, attack.execution, attack.t1569.002]
    ---
    title: Service installed that runs a shell
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e15
    logsource: {product: windows, service: system}
    detection:
        selection:
            EventID: 7045
            ImagePath|contains: ['cmd.exe', 'powershell', '%COMSPEC%', 'rundll32']
        condition: selection
    level: medium
    tags: [attack.persistence, attack.t1543.003]
    ---
    title: Scheduled task created from the command line
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e16
    logsource: {category: process_creation, product: windows}
    detection:
        selection:
            Image|endswith: '\\schtasks.exe'
            CommandLine|contains: '/create'
        condition: selection
    level: medium
    tags: [attack.persistence, attack.t1053.005]
    ---
    title: Windows event log cleared
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e17
    logsource: {product: windows, service: security}
    detection:
        selection:
            EventID: 1102
        condition: selection
    level: high
    tags: [attack.defense-evasion, attack.t1070.001]
    ---
    title: Event log cleared with wevtutil
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e18
    logsource: {category: process_creation, product: windows}
    detection:
        selection:
            Image|endswith: '\\wevtutil.exe'
            CommandLine|contains: [' cl ', ' clear-log ']
        condition: selection
    level: high
    tags: [attack.defense-evasion, attack.t1070.001]
    ---
    title: Network logon to an administrative share
    id: 6f1d2c3b-5a4f-4e6d-9c8b-1a2b3c4d5e19
    logsource: {product: windows, service: security}
    detection:
        selection:
            EventID: 5145
            ShareName|endswith: ['\\ADMIN$', '\\C$']
        condition: selection
    level: low
    tags: [attack.lateral-movement, attack.t1021.002]
    """
}

extension RuleSet {
    /// The demo's rules, compiled with spoor's bindings.
    public static func demo() throws -> RuleSet {
        var loaded = SigmaRuleSet()
        SigmaLoader().load(yaml: DemoRules.yaml, file: "demo-rules.yml", into: &loaded)
        return RuleSet(program: SigmaCompiler(bindings: try BindingSet.builtIn()).compile(loaded), loaded: loaded)
    }
}
