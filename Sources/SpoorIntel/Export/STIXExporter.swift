import SpoorCore
import SpoorIndicators

/// Writes indicators seen in the logs as a STIX 2.1 bundle (JSON).
///
/// Per indicator: the SCO (id: UUIDv5 over its ID-contributing properties, §2.9), an
/// `indicator` with an equality pattern, an `observed-data` over the SCO (first/last observed,
/// number observed), and a `sighting` of the indicator (first_seen, last_seen, count,
/// observed_data_refs, where_sighted_refs = one `identity` of class `system` per host, or the
/// producer). CVEs become `vulnerability` objects that the sighting points at. Credentials are
/// never exported. Everything is written in input order with deterministic ids.
public enum STIXExporter {
    public static func bundle(_ items: [ExportedIndicator], identity name: String, created: Timestamp) -> [UInt8] {
        var objects: [JSONValue] = []
        let time = JSONValue.string(stixTime(created))
        let producerID = "identity--" + UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: "identity|" + name)
        objects.append(.obj([("type", .str("identity")), ("spec_version", .str("2.1")), ("id", .str(producerID)),
                             ("created", time), ("modified", time), ("name", .str(name)), ("identity_class", .str("organization"))]))
        var hostIDs: [String: String] = [:]
        for item in items where item.indicator.kind != .credential {
            for host in item.hosts where hostIDs[host] == nil {
                let id = "identity--" + UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: "host|" + host)
                hostIDs[host] = id
                objects.append(.obj([("type", .str("identity")), ("spec_version", .str("2.1")), ("id", .str(id)),
                                     ("created_by_ref", .str(producerID)), ("created", time), ("modified", time),
                                     ("name", .str(host)), ("identity_class", .str("system"))]))
            }
        }
        for item in items where item.indicator.kind != .credential {
            let key = item.indicator.description
            func sdoID(_ type: String) -> String { type + "--" + UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: type + "|" + key) }
            let count = max(1, min(item.count, 999_999_999))
            let first = JSONValue.string(stixTime(item.firstSeen)), last = JSONValue.string(stixTime(max(item.firstSeen, item.lastSeen)))
            let sighted: String
            var observedRefs: [String] = []
            if item.indicator.kind == .cve {
                sighted = sdoID("vulnerability")
                objects.append(.obj([("type", .str("vulnerability")), ("spec_version", .str("2.1")), ("id", .str(sighted)),
                                     ("created_by_ref", .str(producerID)), ("created", time), ("modified", time),
                                     ("name", .str(item.indicator.value)),
                                     ("external_references", .array([.obj([("source_name", .str("cve")), ("external_id", .str(item.indicator.value))])]))]))
            } else {
                guard let pattern = pattern(for: item.indicator) else { continue }
                if let sco = observable(for: item.indicator) {
                    objects.append(sco.json)
                    let observed = sdoID("observed-data")
                    objects.append(.obj([("type", .str("observed-data")), ("spec_version", .str("2.1")), ("id", .str(observed)),
                                         ("created_by_ref", .str(producerID)), ("created", time), ("modified", time),
                                         ("first_observed", first), ("last_observed", last),
                                         ("number_observed", .number(String(count))), ("object_refs", .strs([sco.id]))]))
                    observedRefs = [observed]
                }
                sighted = sdoID("indicator")
                let validFrom = item.intel.compactMap(\.validFrom).min() ?? item.firstSeen
                let until = item.intel.compactMap(\.validUntil).max().flatMap { $0 > validFrom ? $0 : nil }
                var labels = item.labels
                for f in item.intel { for l in f.labels where !labels.contains(l) { labels.append(l) } }
                objects.append(.obj([("type", .str("indicator")), ("spec_version", .str("2.1")), ("id", .str(sighted)),
                                     ("created_by_ref", .str(producerID)), ("created", time), ("modified", time),
                                     ("name", .str(key)),
                                     ("indicator_types", .strs([item.intel.isEmpty ? "anomalous-activity" : "malicious-activity"])),
                                     ("pattern", .str(pattern)), ("pattern_type", .str("stix")), ("pattern_version", .str("2.1")),
                                     ("valid_from", .str(stixTime(validFrom))), ("valid_until", until.map { .str(stixTime($0)) }),
                                     ("labels", labels.isEmpty ? nil : .strs(labels))]))
            }
            let whereRefs = item.hosts.compactMap { hostIDs[$0] }
            objects.append(.obj([("type", .str("sighting")), ("spec_version", .str("2.1")), ("id", .str(sdoID("sighting"))),
                                 ("created_by_ref", .str(producerID)), ("created", time), ("modified", time),
                                 ("first_seen", first), ("last_seen", last), ("count", .number(String(count))),
                                 ("sighting_of_ref", .str(sighted)),
                                 ("observed_data_refs", observedRefs.isEmpty ? nil : .strs(observedRefs)),
                                 ("where_sighted_refs", .strs(whereRefs.isEmpty ? [producerID] : whereRefs))]))
        }
        let bundleID = "bundle--" + UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: "bundle|" + name + "|" + created.description + "|" + String(items.count))
        let bundle = JSONValue.obj([("type", .str("bundle")), ("id", .str(bundleID)), ("objects", .array(objects))])
        return Array(bundle.jsonText.utf8)
    }

    /// STIX timestamps: RFC 3339 in UTC with `Z` (§3.2), here with microseconds.
    static func stixTime(_ t: Timestamp) -> String { t.description }

    /// A string constant of a pattern: `'` and `\` escaped (§9.3).
    static func quote(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            if c == "'" || c == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out + "'"
    }

    /// The pattern that names one indicator by equality; nil for credentials.
    public static func pattern(for indicator: Indicator) -> String? {
        switch indicator.kind {
        case .credential, .cve: return nil
        case .asn:
            guard let n = UInt32(indicator.value.dropFirst(2)) else { return nil }
            return "[autonomous-system:number = \(n)]"
        case .windowsPath, .unixPath:
            let separator: Character = indicator.kind == .windowsPath ? "\\" : "/"
            guard let cut = indicator.value.lastIndex(of: separator) else { return "[file:name = \(quote(indicator.value))]" }
            let directory = String(indicator.value[..<cut]), name = String(indicator.value[indicator.value.index(after: cut)...])
            return "[file:name = \(quote(name)) AND file:parent_directory_ref.path = \(quote(directory.isEmpty ? String(separator) : directory))]"
        default:
            guard let path = STIXIndicatorMapping.patternPath(for: indicator.kind) else { return nil }
            return "[\(path) = \(quote(indicator.value))]"
        }
    }

    /// The SCO for an indicator, with its deterministic id (§2.9: UUIDv5 in the STIX namespace
    /// over the JCS-canonical JSON of the ID-contributing properties).
    static func observable(for indicator: Indicator) -> (id: String, json: JSONValue)? {
        let type: String
        let contributing: JSONValue
        switch indicator.kind {
        case .ipv4, .ipv6, .domain, .url, .email:
            type = indicator.kind.rawValue
            contributing = .obj([("value", .str(indicator.value))])
        case .md5, .sha1, .sha256, .sha512:
            type = "file"
            let name = String(indicator.kind.rawValue.dropFirst("file:hashes.".count))
            contributing = .obj([("hashes", .obj([(name, .str(indicator.value))]))])
        case .registryKey:
            type = "windows-registry-key"
            contributing = .obj([("key", .str(indicator.value))])
        case .asn:
            guard let n = UInt32(indicator.value.dropFirst(2)) else { return nil }
            type = "autonomous-system"
            contributing = .obj([("number", .number(String(n)))])
        case .userAccount:
            type = "user-account"
            contributing = .obj([("account_login", .str(indicator.value))])
        default:
            return nil
        }
        // One property (or one one-key dictionary) each, so the JSON text is already JCS-canonical (RFC 8785).
        let id = type + "--" + UUIDv5.make(namespace: UUIDv5.stixNamespace, name: contributing.jsonText)
        guard case .object(let props) = contributing else { return nil }
        return (id, .object([("type", .str(type)), ("spec_version", .str("2.1")), ("id", .str(id))] + props))
    }
}
