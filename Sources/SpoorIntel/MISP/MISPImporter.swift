import SpoorCore
import SpoorIndicators

/// One entry of a MISP feed's `manifest.json`: an event the feed offers.
public struct MISPFeedEntry: Sendable, Hashable {
    public var uuid: String
    public var info: String
    /// The event's `date` (a day, at 00:00 UTC).
    public var date: Timestamp?
    /// The event's last change (`timestamp`, epoch seconds).
    public var timestamp: Timestamp?
    /// 1 high … 4 undefined (MISP `threat_level_id`).
    public var threatLevel: Int?
    public var tags: [String]
}

/// Reads MISP event JSON (`{"Event": {…}}`, a bare event, or a `{"response": [...]}` list) and
/// feed manifests.
///
/// Every attribute whose type maps (``MISPTypeMapping``) becomes one ``IntelFact`` per
/// indicator it names, top-level attributes and object attributes alike. Deleted attributes are
/// skipped. Labels are the event's and the attribute's tags and the event's galaxy clusters;
/// attributes with `to_ids` false keep the label `misp:to_ids=false` (context, not detection).
/// `validFrom` is the attribute's `first_seen`, else its `timestamp`, else the event's date.
public enum MISPImporter {
    public static let maximumFileSize = 256 << 20

    public static func read(_ bytes: [UInt8], source: String) -> IntelDocument {
        var doc = IntelDocument()
        guard let json = doc.parseJSON(bytes, source: source, maximumSize: maximumFileSize) else { return doc }
        var events: [JSONValue] = []
        if let e = json["Event"] { events = [e] }
        else if case .array(let list)? = json["response"] { events = list.map { $0["Event"] ?? $0 } }
        else if case .array(let list) = json { events = list.map { $0["Event"] ?? $0 } }
        else if json["info"] != nil || json["Attribute"] != nil || json["Object"] != nil { events = [json] }
        guard !events.isEmpty else {
            doc.problems.append(IntelProblem(file: source, message: "not a MISP event (no Event, info, Attribute or Object)"))
            return doc
        }
        for e in events { readEvent(e, source: source, into: &doc) }
        return doc
    }

    static func readEvent(_ e: JSONValue, source: String, into doc: inout IntelDocument) {
        guard case .object = e else {
            doc.problems.append(IntelProblem(file: source, message: "an Event that is not an object"))
            return
        }
        doc.counts["misp-event", default: 0] += 1
        let eventDate = day(e["date"]?.stringValue)
        var labels = tags(e["Tag"])
        if case .array(let galaxies)? = e["Galaxy"] {
            for g in galaxies {
                guard case .array(let clusters)? = g["GalaxyCluster"] else { continue }
                for c in clusters {
                    guard let value = c["value"]?.stringValue else { continue }
                    let tag = c["tag_name"]?.stringValue ?? "misp-galaxy:\(g["type"]?.stringValue ?? "cluster")=\"\(value)\""
                    if !labels.contains(tag) { labels.append(tag) }
                    let id = c["uuid"]?.stringValue ?? tag
                    var aliases: [String] = []
                    if case .array(let syn)? = c["meta"]?["synonyms"] { aliases = syn.compactMap(\.stringValue) }
                    doc.entities.append(IntelEntity(id: id, type: g["type"]?.stringValue ?? "misp-galaxy", name: value, aliases: aliases,
                                                    externalIDs: STIXImporter.strings(c["meta"]?["external_id"])))
                }
            }
        }
        let context = EventContext(source: source, date: eventDate, labels: labels, info: e["info"]?.stringValue)
        if case .array(let attributes)? = e["Attribute"] {
            for (i, a) in attributes.enumerated() { readAttribute(a, index: i, context: context, into: &doc) }
        }
        if case .array(let objects)? = e["Object"] {
            for o in objects {
                doc.counts["misp-object", default: 0] += 1
                if o["deleted"]?.isTrue == true { continue }
                guard case .array(let attributes)? = o["Attribute"] else { continue }
                for (i, a) in attributes.enumerated() { readAttribute(a, index: i, context: context, into: &doc) }
            }
        }
    }

    struct EventContext {
        var source: String
        var date: Timestamp?
        var labels: [String]
        var info: String?
    }

    static func readAttribute(_ a: JSONValue, index: Int, context: EventContext, into doc: inout IntelDocument) {
        doc.counts["misp-attribute", default: 0] += 1
        guard let type = a["type"]?.stringValue, let value = a["value"]?.text, a["value"] != .null else {
            doc.problems.append(IntelProblem(file: context.source, index: index, objectID: a["uuid"]?.stringValue, message: "attribute without type or value"))
            return
        }
        doc.counts["misp-attribute:" + type, default: 0] += 1
        if a["deleted"]?.isTrue == true { return }
        let indicators = MISPTypeMapping.indicators(type: type, value: value)
        if indicators.isEmpty {
            let mappable = type.split(separator: "|").contains { MISPTypeMapping.kind(for: String($0), value: "") != nil }
            if mappable {
                doc.problems.append(IntelProblem(file: context.source, index: index, objectID: a["uuid"]?.stringValue,
                                                 message: "\(type) value is not a valid indicator; skipped"))
            }
            return
        }
        var labels = context.labels
        for t in tags(a["Tag"]) where !labels.contains(t) { labels.append(t) }
        if a["to_ids"]?.isTrue == false { labels.append("misp:to_ids=false") }
        let validFrom = IntelCanonical.time(a["first_seen"]?.stringValue)
            ?? a["timestamp"]?.intValue.map { Timestamp(seconds: $0) } ?? context.date
        let comment = a["comment"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        for i in indicators {
            doc.facts.append(IntelFact(indicator: i, polarity: .malicious, source: context.source, validFrom: validFrom,
                                       labels: labels, reference: a["uuid"]?.stringValue, note: comment ?? context.info))
        }
    }

    /// Reads a feed's `manifest.json` (event uuid → summary); entries that are not objects are skipped.
    public static func readManifest(_ bytes: [UInt8]) -> [MISPFeedEntry] {
        guard bytes.count <= maximumFileSize, case .object(let kv)? = try? JSONParser(maximumDepth: 64).parse(bytes.span) else { return [] }
        return kv.compactMap { uuid, e in
            guard case .object = e else { return nil }
            return MISPFeedEntry(uuid: uuid, info: e["info"]?.stringValue ?? "", date: day(e["date"]?.stringValue),
                                 timestamp: e["timestamp"]?.intValue.map { Timestamp(seconds: $0) },
                                 threatLevel: e["threat_level_id"]?.intValue.map(Int.init), tags: tags(e["Tag"]))
        }
    }

    static func tags(_ v: JSONValue?) -> [String] {
        guard case .array(let list)? = v else { return [] }
        return list.compactMap { $0["name"]?.stringValue }
    }

    /// `YYYY-MM-DD` at 00:00 UTC.
    static func day(_ s: String?) -> Timestamp? {
        guard let s else { return nil }
        return IntelCanonical.time(s.count == 10 ? s + "T00:00:00Z" : s)
    }
}

extension JSONValue {
    /// MISP writes booleans as `true`, `"1"`, `1`, `"True"`; nil when not a boolean.
    var isTrue: Bool? {
        switch self {
        case .bool(let b): b
        case .number(let n): n != "0"
        case .string(let s): ["1", "true", "True"].contains(s) ? true : (["0", "false", "False", ""].contains(s) ? false : nil)
        default: nil
        }
    }
}
