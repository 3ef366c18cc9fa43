import SpoorCore
import SpoorDetectors

/// The detectors `spoor detect` knows, by name, with what each needs and the ATT&CK techniques
/// its findings point to.
public enum DetectorCatalog {
    public static let names = ["brute-force", "beaconing", "dga", "dns-tunnel", "rare-process", "new-logon-path", "exfiltration"]

    public struct UnknownDetector: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "unknown detector '\(name)'; known: \(DetectorCatalog.names.joined(separator: ", "))" }
    }

    /// What each detector looks for, as `spoor detect --help` lists it (one entry per name).
    public static func summary(_ name: String) -> String {
        switch name {
        case "brute-force": "one source, many failed logons (password guessing) or many users (spraying); the organisation's own accounts tried weigh more, a success after failures most"
        case "beaconing": "connections between a source and a destination (address or TLS/HTTP name) at regular intervals with regular sizes (the RITA scoring family), weaker the more of the organisation's hosts reach the destination"
        case "dga": "DNS names unlike the legitimate names of the data (character n-grams, entropy, length, consonant runs)"
        case "dns-tunnel": "per source, domain and day, how much information the distinct names asked carry (their compressed size): data sent out through DNS queries"
        case "rare-process": "parent→child process pairs rare across hosts and new on their host"
        case "new-logon-path": "an account logging on to a host from a machine it never used to reach it (after a baseline day), weighted by privilege, whether the source ever made privileged logons, and how few machines reach the host: lateral movement with valid accounts"
        case "exfiltration": "outbound volume of a host far above its own baseline for that hour, weighted by whether anybody was logged on (`spoor sessions`)"
        default: ""
        }
    }

    /// The exfiltration detector weighs volume by who was logged on: it needs the session timeline.
    public static func needsSessions(_ name: String) -> Bool { name == "exfiltration" }

    /// ATT&CK tags of a detector's findings.
    public static func tags(_ name: String) -> [String] {
        switch name {
        case "brute-force": ["attack.credential-access", "attack.t1110"]
        case "beaconing": ["attack.command-and-control", "attack.t1071"]
        case "dga": ["attack.command-and-control", "attack.t1568.002"]
        case "dns-tunnel": ["attack.command-and-control", "attack.t1071.004"]
        case "exfiltration": ["attack.exfiltration", "attack.t1041"]
        case "rare-process": ["attack.execution"]
        case "new-logon-path": ["attack.lateral-movement", "attack.t1021", "attack.t1078"]
        default: []
        }
    }

    static func make(_ names: [String], sessions: SessionTimeline?) throws -> [any EventDetector] {
        try names.map { name throws -> any EventDetector in
            switch name {
            case "brute-force": BruteForceDetector()
            case "beaconing": BeaconDetector()
            case "dga": DGADetector()
            case "dns-tunnel": DNSTunnelDetector()
            case "rare-process": RareProcessDetector()
            case "new-logon-path": NewLogonPathDetector()
            case "exfiltration": ExfiltrationDetector(sessions: sessions ?? SessionTimeline(sessions: [], dataEnd: nil))
            default: throw UnknownDetector(name: name)
            }
        }
    }
}
