import Foundation
import SpoorRules

/// The Sigma rules `spoor analyze` hunts with on the built-in demo: spoor's own, written for the
/// demo's intrusion (they are ordinary Sigma v2.1 rules, bound like any other).
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
        rules: [demo_ssh_failure, demo_ssh_accepted]
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
