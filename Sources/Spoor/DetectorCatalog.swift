import SpoorCore
import SpoorDetectors

/// The detectors `spoor detect` knows, by name, with what each needs and the ATT&CK techniques
/// its findings point to.
public enum DetectorCatalog {
    public static let names = ["brute-force", "beaconing", "dga", "dns-tunnel", "rare-process", "exfiltration"]

    public struct UnknownDetector: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "unknown detector '\(name)'; known: \(DetectorCatalog.names.joined(separator: ", "))" }
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
            case "exfiltration": ExfiltrationDetector(sessions: sessions ?? SessionTimeline(sessions: [], dataEnd: nil))
            default: throw UnknownDetector(name: name)
            }
        }
    }
}
