import SpoorCore

extension WindowsEvent {
    /// Reads an event in the shape the `evtx` crate (evtx_dump, the `evtx` Python package)
    /// renders an EVTX record: `{"Event": {"#attributes": …, "System": {…}, "EventData": {…}}}`.
    ///
    /// `System` children are read by name; attributes come from `#attributes`, element text
    /// from `#text` when an element has both (`"EventID": {"#attributes": {"Qualifiers": …},
    /// "#text": 4624}`). `EventData` may be an object of named items (the usual case), hold
    /// unnamed `Data` items (`{"Data": {"#text": ["a", "b"]}}`, named `param1`, `param2`, …),
    /// or, from other writers, an array of `{"Name": …, "#text"|"Value": …}` objects.
    /// `UserData` contributes the children of its payload element, nested ones with dotted
    /// names: their text, not their attributes (`#attributes` is skipped at every level, so
    /// values a provider writes as attributes, CAPI2's certificate names and results among them,
    /// are not among the items).
    ///
    /// The `evtx` Python package's `records_json()` wraps this document as a JSON string in
    /// `{"event_record_id": …, "timestamp": …, "data": "…"}`; that wrapper is unwrapped too.
    ///
    /// - Throws: ``ParseError`` `.unrecognized` when there is no `Event` object, `.badField`
    ///   when the event has more than ``WindowsEventLimits/maximumDataItems`` items.
    public init(evtxJSON root: JSONValue, zone: TimeZoneRule = .utc) throws(ParseError) {
        self.init()
        var root = root
        if root["Event"] == nil, case .string(let inner)? = root["data"] {
            root = try JSONParser(maximumDepth: WindowsEventLimits.maximumDepth).parse(Array(inner.utf8).span)
        }
        guard case .object? = root["Event"], let event = root["Event"] else {
            throw ParseError(.unrecognized, at: 0, "no Event object (not the evtx_dump JSON shape)")
        }
        if case .object? = event["System"], let system = event["System"] {
            readSystem(system, zone: zone)
        }
        if let data = event["EventData"] {
            try WindowsEvent.readData(data, into: &eventData, prefix: "")
        }
        if case .object(let members)? = event["UserData"] {
            // UserData holds one payload element (`LogFileCleared`, `EventXML`); its children
            // are the fields.
            for (name, payload) in members where name != "#attributes" {
                if case .object = payload {
                    try WindowsEvent.readData(payload, into: &userData, prefix: "")
                } else if let t = WindowsValue.text(payload) {
                    userData.append((name, t))
                }
            }
        }
    }

    private mutating func readSystem(_ system: JSONValue, zone: TimeZoneRule) {
        providerName = WindowsEvent.attribute(system["Provider"], "Name")
        providerGUID = WindowsEvent.attribute(system["Provider"], "Guid").map(WindowsValue.normalisedString)
        eventID = WindowsEvent.elementText(system["EventID"]).flatMap { Int($0) }
        version = WindowsEvent.elementText(system["Version"]).flatMap { Int($0) }
        level = WindowsEvent.elementText(system["Level"]).flatMap { Int($0) }
        task = WindowsEvent.elementText(system["Task"]).flatMap { Int($0) }
        opcode = WindowsEvent.elementText(system["Opcode"]).flatMap { Int($0) }
        keywords = WindowsEvent.elementText(system["Keywords"]).map(WindowsEvent.keywordsText)
        recordID = WindowsEvent.elementText(system["EventRecordID"]).flatMap { Int64($0) }
        processID = WindowsEvent.attribute(system["Execution"], "ProcessID").flatMap { Int64($0) }
        threadID = WindowsEvent.attribute(system["Execution"], "ThreadID").flatMap { Int64($0) }
        activityID = WindowsEvent.attribute(system["Correlation"], "ActivityID").map(WindowsValue.normalisedString)
        relatedActivityID = WindowsEvent.attribute(system["Correlation"], "RelatedActivityID").map(WindowsValue.normalisedString)
        channel = WindowsEvent.elementText(system["Channel"])
        computer = WindowsEvent.elementText(system["Computer"])
        userSID = WindowsEvent.attribute(system["Security"], "UserID")
        if let t = WindowsEvent.attribute(system["TimeCreated"], "SystemTime"), let parsed = WindowsValue.time(t, zone: zone) {
            timeCreated = Timestamp(microseconds: parsed.microseconds)
            timeOffsetSeconds = parsed.offsetSeconds
        }
    }

    /// `element["#attributes"][name]` as text.
    static func attribute(_ element: JSONValue?, _ name: String) -> String? {
        guard let attrs = element?["#attributes"], let v = attrs[name] else { return nil }
        return WindowsValue.text(v)
    }

    /// An element's text: the value itself, or its `#text` when it also has attributes.
    static func elementText(_ element: JSONValue?) -> String? {
        guard let e = element else { return nil }
        if case .object = e {
            return e["#text"].flatMap(WindowsValue.text)
        }
        return WindowsValue.text(e)
    }

    /// Reads `EventData`-like content into name–value pairs.
    static func readData(_ data: JSONValue, into out: inout [(name: String, value: String)], prefix: String) throws(ParseError) {
        switch data {
        case .object(let members):
            for (name, v) in members where name != "#attributes" && name != "xmlns" {
                if name == "Data" || name == "#text", prefix.isEmpty {
                    try readUnnamed(v, into: &out)
                    continue
                }
                let full = prefix.isEmpty ? name : prefix + "." + name
                switch v {
                case .object(let inner) where inner.contains(where: { $0.0 == "#text" }):
                    if let t = v["#text"].flatMap(WindowsValue.text) { try append(full, t, &out) }
                case .object(let inner) where !inner.isEmpty:
                    try readData(v, into: &out, prefix: full)
                default:
                    if let t = WindowsValue.text(v) { try append(full, t, &out) }
                }
            }
        case .array:
            try readUnnamed(data, into: &out)
        default:
            if let t = WindowsValue.text(data) { try append("param1", t, &out) }
        }
    }

    /// Unnamed `Data` items and arrays of `{"Name": …, "#text"|"Value": …}` objects.
    private static func readUnnamed(_ v: JSONValue, into out: inout [(name: String, value: String)]) throws(ParseError) {
        let items: [JSONValue]
        switch v {
        case .array(let a): items = a
        case .object where v["#text"] != nil:
            if case .array(let a)? = v["#text"] { items = a } else { items = [v["#text"] ?? .null] }
        default: items = [v]
        }
        var k = 0
        for item in items {
            k += 1
            if case .object = item {
                let name = (item["Name"] ?? item["@Name"] ?? attributeValue(item, "Name")).flatMap(WindowsValue.text)
                let value = (item["#text"] ?? item["Value"] ?? item["value"]).flatMap(WindowsValue.text)
                if let value { try append(name ?? "param\(k)", value, &out) }
            } else if let t = WindowsValue.text(item) {
                try append("param\(k)", t, &out)
            }
        }
    }

    private static func attributeValue(_ item: JSONValue, _ name: String) -> JSONValue? {
        item["#attributes"]?[name]
    }

    static func append(_ name: String, _ value: String, _ out: inout [(name: String, value: String)]) throws(ParseError) {
        guard out.count < WindowsEventLimits.maximumDataItems else {
            throw ParseError(.badField, at: 0, "more than \(WindowsEventLimits.maximumDataItems) data items in one event")
        }
        guard !name.isEmpty, name.utf8.count <= WindowsEventLimits.maximumNameLength else {
            throw ParseError(.badField, at: 0, "a data name is empty or longer than \(WindowsEventLimits.maximumNameLength) bytes")
        }
        out.append((name, value))
    }
}
