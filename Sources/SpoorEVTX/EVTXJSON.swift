import SpoorCore

// Rendering a record as JSON in the shape of the Rust `evtx` crate / `evtx` Python package /
// evtx_dump (the shape of SigmaHQ's regression JSON), learnt from that tool's output:
// - an element is `null` when it has no attributes and no content, its value when it has only
//   text, else an object with `#attributes` (when any) then its children (or `#text`);
// - children with the same name get `_1`, `_2` … suffixes (`Action`, `Action_1`);
// - `<Data Name="X">v</Data>` becomes `"X": v`; `<Data>` without a name collects into
//   `"Data": {"#text": …}` (an array when there are several);
// - typed substitution values keep their JSON type (numbers, booleans), hex ints/size_t/GUIDs/SIDs/
//   times are strings, several text pieces in one element are concatenated.

/// An element with its substitutions resolved.
struct ResolvedElement {
    var name: String
    var attributes: [(String, JSONValue)] = []
    var children: [ResolvedElement] = []
    var texts: [JSONValue] = []
}

struct Resolver {
    var depth = 0
    let maximumDepth: Int

    /// Appends `parts` (with the substitution `values` of the template they belong to) to `into`.
    mutating func resolve(_ parts: [XPart], values: [XValue], into e: inout ResolvedElement) throws(ParseError) {
        depth += 1
        defer { depth -= 1 }
        guard depth < maximumDepth else { throw ParseError(.tooDeep, at: 0, "BinXML nested deeper than \(maximumDepth) levels") }
        for part in parts {
            switch part {
            case .element(let x):
                var r = ResolvedElement(name: x.name)
                for (n, vs) in x.attributes {
                    if let v = try attributeValue(vs, values: values), v != .string("") { r.attributes.append((n, v)) }
                }
                // An element whose content is one array substitution is repeated once per item
                // (libyal: "Arrays"; `<Data>%1</Data>` with a string array gives several Data).
                if x.children.count == 1, case .substitution(let i, _) = x.children[0], i < values.count,
                   case .json(.array(let items)) = values[i] {
                    for item in items {
                        var copy = r
                        copy.texts = [item]
                        e.children.append(copy)
                    }
                    continue
                }
                try resolve(x.children, values: values, into: &r)
                e.children.append(r)
            case .value(let v):
                e.texts.append(v)
            case .substitution(let i, _):
                guard i < values.count else { continue }
                switch values[i] {
                case .null: continue
                case .json(let v): e.texts.append(v)
                case .binXML(let inner): try resolve(inner, values: [], into: &e)
                }
            case .template(let t, let vs):
                try resolve(t.parts, values: vs, into: &e)
            }
        }
    }

    func attributeValue(_ parts: [XPart], values: [XValue]) throws(ParseError) -> JSONValue? {
        var pieces: [JSONValue] = []
        for p in parts {
            switch p {
            case .value(let v): pieces.append(v)
            case .substitution(let i, _):
                guard i < values.count else { continue }
                if case .json(let v) = values[i] { pieces.append(v) }
            default: continue
            }
        }
        if pieces.isEmpty { return nil }
        if pieces.count == 1 { return pieces[0] }
        return .string(pieces.map(Self.text).joined())
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .null: ""
        case .array(let a): a.map(text).joined(separator: ",")
        default: v.text
        }
    }
}

enum EVTXJSON {
    static func textValue(_ e: ResolvedElement) -> JSONValue? {
        if e.texts.isEmpty { return nil }
        if e.texts.count == 1 { return e.texts[0] }
        return .string(e.texts.map(Resolver.text).joined())
    }

    static func render(_ e: ResolvedElement) -> JSONValue {
        let attrs: JSONValue? = e.attributes.isEmpty ? nil : .object(e.attributes)
        if e.children.isEmpty {
            // Empty text renders like no text at all (`<Channel></Channel>` → null).
            var t = textValue(e)
            if t == .string("") { t = nil }
            guard let a = attrs else { return t ?? .null }
            var o: [(String, JSONValue)] = [("#attributes", a)]
            if let t { o.append(("#text", t)) }
            return .object(o)
        }
        var o: [(String, JSONValue)] = []
        if let a = attrs { o.append(("#attributes", a)) }
        var unnamedData: [JSONValue] = []
        var unnamedDataIndex = -1
        for c in e.children {
            if c.name == "Data" {
                if let n = c.attributes.first(where: { $0.0 == "Name" }) {
                    // Names are not made unique here (the oracle keeps duplicate keys).
                    o.append((Resolver.text(n.1), textValue(c) ?? .null))
                } else {
                    if unnamedDataIndex < 0 {
                        unnamedDataIndex = o.count
                        o.append(("Data", .null))
                    }
                    unnamedData.append(textValue(c) ?? .string(""))
                }
                continue
            }
            insert(&o, c.name, render(c))
        }
        if unnamedDataIndex >= 0 {
            let v: JSONValue = unnamedData.count == 1 ? unnamedData[0] : .array(unnamedData)
            o[unnamedDataIndex].1 = .object([("#text", v)])
        }
        if let t = textValue(e) { o.append(("#text", t)) }
        return .object(o)
    }

    static func insert(_ o: inout [(String, JSONValue)], _ key: String, _ v: JSONValue) {
        if !o.contains(where: { $0.0 == key }) { o.append((key, v)); return }
        var k = 1
        while o.contains(where: { $0.0 == key + "_" + String(k) }) { k += 1 }
        o.append((key + "_" + String(k), v))
    }
}
