import SpoorCore
import SpoorIndicators

/// Reads STIX 2.0 and 2.1 JSON: a bundle, a single object, or an array of objects.
///
/// Indicators (`pattern_type` `stix`, the only one in 2.0) whose pattern is an `OR` of
/// equalities become ``IntelFact``s, one per value; other patterns become ``IntelPattern``s.
/// Labels of both are the indicator's `labels`/`indicator_types` plus the names (and ATT&CK
/// ids) of what it `indicates`. Revoked indicators are skipped (counted as `indicator:revoked`).
/// Every object that cannot be read is an ``IntelProblem``; the rest of the file is still read.
public enum STIXImporter {
    /// The largest file read (a full ATT&CK bundle is about 50 MB).
    public static let maximumFileSize = 256 << 20

    /// Object types kept as ``IntelEntity``.
    static let entityTypes: Set<String> = ["malware", "threat-actor", "intrusion-set", "campaign", "attack-pattern",
                                           "tool", "vulnerability", "infrastructure"]

    public static func read(_ bytes: [UInt8], source: String) -> IntelDocument {
        var doc = IntelDocument()
        guard let json = doc.parseJSON(bytes, source: source, maximumSize: maximumFileSize) else { return doc }
        let objects: [JSONValue]
        switch json {
        case .array(let a): objects = a
        case .object:
            if json["type"]?.stringValue == "bundle" {
                guard case .array(let a)? = json["objects"] else {
                    if json["objects"] == nil { return doc }   // an empty bundle may omit `objects` (2.1 §8)
                    doc.problems.append(IntelProblem(file: source, objectID: json["id"]?.stringValue, message: "bundle `objects` is not an array"))
                    return doc
                }
                objects = a
            } else {
                objects = [json]
            }
        default:
            doc.problems.append(IntelProblem(file: source, message: "neither a STIX bundle nor a STIX object"))
            return doc
        }
        read(objects, source: source, into: &doc)
        return doc
    }

    static func read(_ objects: [JSONValue], source: String, into doc: inout IntelDocument) {
        // First pass: names of things, for labels and sightings.
        var names: [String: String] = [:]
        var externalIDs: [String: [String]] = [:]
        var indicatorIDs: Set<String> = []
        for o in objects {
            guard let id = o["id"]?.stringValue else { continue }
            if let name = o["name"]?.stringValue { names[id] = name }
            let ids = externalReferenceIDs(o)
            if !ids.isEmpty { externalIDs[id] = ids }
            if o["type"]?.stringValue == "indicator" { indicatorIDs.insert(id) }
        }
        var indicates: [String: [String]] = [:]
        for o in objects where o["type"]?.stringValue == "relationship" && o["relationship_type"]?.stringValue == "indicates" {
            guard let s = o["source_ref"]?.stringValue, let t = o["target_ref"]?.stringValue else { continue }
            if let n = names[t] { indicates[s, default: []].append(n) }
            for e in externalIDs[t] ?? [] where e.hasPrefix("T") || e.hasPrefix("S") || e.hasPrefix("G") { indicates[s, default: []].append(e) }
        }
        var indicatorValues: [String: [Indicator]] = [:]
        var pendingSightings: [(Int, JSONValue)] = []

        for (index, o) in objects.enumerated() {
            guard case .object = o, let type = o["type"]?.stringValue, !type.isEmpty else {
                doc.problems.append(IntelProblem(file: source, index: index, message: "object without a `type`"))
                continue
            }
            doc.counts[type, default: 0] += 1
            let id = o["id"]?.stringValue
            guard let id else {
                doc.problems.append(IntelProblem(file: source, index: index, message: "\(type) without an `id`"))
                continue
            }
            switch type {
            case "indicator":
                if o["revoked"] == .bool(true) { doc.counts["indicator:revoked", default: 0] += 1; continue }
                readIndicator(o, id: id, index: index, source: source, labels: indicates[id] ?? [], into: &doc, values: &indicatorValues)
            case "relationship":
                guard let kind = o["relationship_type"]?.stringValue, let s = o["source_ref"]?.stringValue, let t = o["target_ref"]?.stringValue else {
                    doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "relationship without relationship_type, source_ref or target_ref"))
                    continue
                }
                doc.relationships.append(IntelRelationship(id: id, type: kind, sourceRef: s, targetRef: t))
            case "sighting":
                pendingSightings.append((index, o))
            default:
                if entityTypes.contains(type) {
                    guard let name = o["name"]?.stringValue else {
                        doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "\(type) without a `name`"))
                        continue
                    }
                    doc.entities.append(IntelEntity(id: id, type: type, name: name, aliases: strings(o["aliases"]),
                                                    externalIDs: externalIDs[id] ?? [], labels: strings(o["labels"]) + strings(o["malware_types"]),
                                                    isRevoked: o["revoked"] == .bool(true)))
                }
            }
        }
        for (index, o) in pendingSightings {
            let id = o["id"]?.stringValue ?? ""
            guard let of = o["sighting_of_ref"]?.stringValue else {
                doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "sighting without sighting_of_ref"))
                continue
            }
            var count: Int? = nil
            if let c = o["count"] {
                guard let n = c.intValue, n >= 0, n <= 999_999_999 else {
                    doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "sighting count is not an integer in 0…999,999,999"))
                    continue
                }
                count = Int(n)
            }
            let whereRefs = strings(o["where_sighted_refs"])
            doc.sightings.append(IntelSighting(
                id: id, source: source, sightingOf: of, indicators: indicatorValues[of] ?? [],
                firstSeen: IntelCanonical.time(o["first_seen"]?.stringValue), lastSeen: IntelCanonical.time(o["last_seen"]?.stringValue),
                count: count, observedDataRefs: strings(o["observed_data_refs"]), whereSightedRefs: whereRefs,
                whereSightedNames: whereRefs.compactMap { names[$0] }))
        }
    }

    static func readIndicator(_ o: JSONValue, id: String, index: Int, source: String, labels related: [String],
                              into doc: inout IntelDocument, values: inout [String: [Indicator]]) {
        let patternType = o["pattern_type"]?.stringValue ?? "stix"
        guard patternType == "stix" else {
            doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "pattern_type \(patternType) is not evaluated; indicator skipped"))
            return
        }
        guard let text = o["pattern"]?.stringValue else {
            doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "indicator without a `pattern`"))
            return
        }
        let pattern: STIXPattern
        do { pattern = try STIXPattern.parse(text) } catch {
            doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "pattern: \(error)"))
            return
        }
        let validFrom = IntelCanonical.time(o["valid_from"]?.stringValue)
        let validUntil = IntelCanonical.time(o["valid_until"]?.stringValue)
        if o["valid_from"] != nil && validFrom == nil || o["valid_until"] != nil && validUntil == nil {
            doc.problems.append(IntelProblem(file: source, index: index, objectID: id, message: "valid_from or valid_until is not an RFC 3339 time; left open"))
        }
        var labels = strings(o["indicator_types"]) + strings(o["labels"])
        for r in related where !labels.contains(r) { labels.append(r) }
        let confidence = o["confidence"]?.intValue.flatMap { (0...100).contains($0) ? Int($0) : nil }
        if let indicators = pattern.equalityIndicators {
            values[id] = indicators
            for i in indicators {
                doc.facts.append(IntelFact(indicator: i, polarity: .malicious, source: source, validFrom: validFrom, validUntil: validUntil,
                                           labels: labels, confidence: confidence, reference: id,
                                           note: o["name"]?.stringValue ?? o["description"]?.stringValue))
            }
        } else {
            doc.patterns.append(IntelPattern(id: id, source: source, pattern: pattern, validFrom: validFrom, validUntil: validUntil,
                                             labels: labels, text: o["name"]?.stringValue ?? text))
        }
    }

    static func strings(_ v: JSONValue?) -> [String] {
        guard case .array(let a)? = v else { return [] }
        return a.compactMap(\.stringValue)
    }

    /// `external_id`s of `external_references` (ATT&CK `T1059.001`, CVE ids, CAPEC ids).
    static func externalReferenceIDs(_ o: JSONValue) -> [String] {
        guard case .array(let refs)? = o["external_references"] else { return [] }
        return refs.compactMap { $0["external_id"]?.stringValue }
    }
}
