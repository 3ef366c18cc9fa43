import SpoorCore

/// One ATT&CK technique or sub-technique (an `attack-pattern` with a `mitre-attack` external id).
public struct AttackTechnique: Sendable, Hashable {
    /// `T1059`, `T1059.001`.
    public var id: String
    public var name: String
    /// Tactic short names from `kill_chain_phases` of the `mitre-attack` kill chain (`execution`).
    public var tactics: [String]
    public var isSubtechnique: Bool
    /// The parent technique's id for a sub-technique (`T1059` for `T1059.001`).
    public var parent: String?
    public var isRevoked: Bool
    public var isDeprecated: Bool
    /// The STIX id (`attack-pattern--…`).
    public var stixID: String
    public var platforms: [String]
}

/// An ATT&CK tactic (`x-mitre-tactic`).
public struct AttackTactic: Sendable, Hashable {
    /// `TA0002`.
    public var id: String
    public var name: String
    /// `execution`: the name techniques' kill-chain phases use.
    public var shortName: String
}

/// Technique ids → names, tactics and status, from an ATT&CK STIX bundle (2.0 in mitre/cti,
/// 2.1 in attack-stix-data; both read the same way).
///
/// When several objects carry one external id (a revoked technique and its replacement), the
/// one that is neither revoked nor deprecated wins.
public struct AttackCatalog: Sendable {
    public private(set) var techniques: [String: AttackTechnique] = [:]
    public private(set) var tactics: [String: AttackTactic] = [:]
    /// The STIX id a revoked object was replaced by (`revoked-by` relationships), by STIX id.
    public private(set) var revokedBy: [String: String] = [:]

    public init() {}

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Loads a bundle, gzip-compressed or not.
    public static func load(bundle bytes: [UInt8]) throws(LoadError) -> AttackCatalog {
        let data: [UInt8]
        do { data = try IntelFileReader.decompress(bytes, file: "ATT&CK bundle") } catch { throw LoadError(message: "\(error)") }
        let json: JSONValue
        do { json = try JSONParser(maximumDepth: 64).parse(data.span) } catch { throw LoadError(message: "not JSON: \(error)") }
        guard case .array(let objects)? = json["objects"] else { throw LoadError(message: "not a STIX bundle (no `objects` array)") }
        var catalog = AttackCatalog()
        for o in objects {
            switch o["type"]?.stringValue {
            case "attack-pattern":
                guard let t = technique(o) else { continue }
                if let existing = catalog.techniques[t.id], existing.isCurrent, !t.isCurrent { continue }
                catalog.techniques[t.id] = t
            case "x-mitre-tactic":
                guard let id = mitreID(o), let name = o["name"]?.stringValue, let short = o["x_mitre_shortname"]?.stringValue else { continue }
                catalog.tactics[short] = AttackTactic(id: id, name: name, shortName: short)
            case "relationship" where o["relationship_type"]?.stringValue == "revoked-by":
                if let s = o["source_ref"]?.stringValue, let t = o["target_ref"]?.stringValue { catalog.revokedBy[s] = t }
            default: break
            }
        }
        return catalog
    }

    /// The technique with that id (`T1003.001`), case-insensitive.
    public func technique(_ id: String) -> AttackTechnique? { techniques[id.uppercased()] }

    /// The technique that replaced a revoked one, when the bundle says.
    public func replacement(of technique: AttackTechnique) -> AttackTechnique? {
        guard let to = revokedBy[technique.stixID] else { return nil }
        return techniques.values.first { $0.stixID == to }
    }

    static func mitreID(_ o: JSONValue) -> String? {
        guard case .array(let refs)? = o["external_references"] else { return nil }
        return refs.first { $0["source_name"]?.stringValue == "mitre-attack" || $0["source_name"]?.stringValue == "mitre-mobile-attack" || $0["source_name"]?.stringValue == "mitre-ics-attack" }?["external_id"]?.stringValue
    }

    static func technique(_ o: JSONValue) -> AttackTechnique? {
        guard let id = mitreID(o)?.uppercased(), id.hasPrefix("T"), let name = o["name"]?.stringValue, let stixID = o["id"]?.stringValue else { return nil }
        var tactics: [String] = []
        if case .array(let phases)? = o["kill_chain_phases"] {
            for p in phases where (p["kill_chain_name"]?.stringValue ?? "").hasPrefix("mitre-") {
                if let n = p["phase_name"]?.stringValue { tactics.append(n) }
            }
        }
        let dot = id.firstIndex(of: ".")
        let isSub = o["x_mitre_is_subtechnique"] == .bool(true) || dot != nil
        return AttackTechnique(id: id, name: name, tactics: tactics, isSubtechnique: isSub,
                               parent: dot.map { String(id[..<$0]) }, isRevoked: o["revoked"] == .bool(true),
                               isDeprecated: o["x_mitre_deprecated"] == .bool(true), stixID: stixID,
                               platforms: STIXImporter.strings(o["x_mitre_platforms"]))
    }
}

extension AttackTechnique {
    /// Neither revoked nor deprecated.
    public var isCurrent: Bool { !isRevoked && !isDeprecated }
}
