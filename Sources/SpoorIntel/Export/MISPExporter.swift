import SpoorCore
import SpoorIndicators

/// Writes indicators seen in the logs as one MISP event (`{"Event": {…}}`, MISP core format).
///
/// One attribute per indicator (type and category from ``MISPTypeMapping/exportType(for:value:)``),
/// `to_ids` true, `first_seen`/`last_seen` from the logs, the count and hosts in `comment`,
/// labels as tags. Credentials are never exported. uuids are UUIDv5, so a re-export keeps them.
public enum MISPExporter {
    public static func event(_ items: [ExportedIndicator], info: String, date: Timestamp) -> [UInt8] {
        let seconds = JSONValue.string(String(date.seconds))
        var attributes: [JSONValue] = []
        for item in items {
            guard let (type, category) = MISPTypeMapping.exportType(for: item.indicator.kind, value: item.indicator.value) else { continue }
            var labels = item.labels
            for f in item.intel { for l in f.labels where !labels.contains(l) { labels.append(l) } }
            var comment = "seen \(item.count) time\(item.count == 1 ? "" : "s")"
            if !item.hosts.isEmpty { comment += " on " + item.hosts.joined(separator: ", ") }
            attributes.append(.obj([
                ("uuid", .str(UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: "misp-attribute|" + info + "|" + item.indicator.description))),
                ("type", .str(type)), ("category", .str(category)), ("value", .str(item.indicator.value)),
                ("to_ids", .bool(true)), ("distribution", .str("5")), ("timestamp", seconds),
                ("first_seen", .str(item.firstSeen.iso8601(offsetSeconds: 0))),
                ("last_seen", .str(max(item.firstSeen, item.lastSeen).iso8601(offsetSeconds: 0))),
                ("comment", .str(comment)),
                ("Tag", labels.isEmpty ? nil : .array(labels.map { .obj([("name", .str($0))]) })),
            ]))
        }
        let c = date.civil
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        let event = JSONValue.obj([("Event", .obj([
            ("uuid", .str(UUIDv5.make(namespace: UUIDv5.spoorNamespace, name: "misp-event|" + info + "|" + date.description))),
            ("info", .str(info)), ("date", .str(pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2))),
            ("timestamp", seconds), ("threat_level_id", .str("2")), ("analysis", .str("2")), ("distribution", .str("0")),
            ("published", .bool(false)), ("Attribute", .array(attributes)),
        ]))])
        return Array(event.jsonText.utf8)
    }
}
