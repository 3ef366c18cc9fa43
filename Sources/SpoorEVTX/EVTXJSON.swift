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

/// Renders BinXML parts with their substitution values straight into the JSON shape, without an
/// intermediate resolved tree. The content of an element (its child elements and text pieces,
/// after substitutions, nested BinXML and nested templates are expanded) is gathered on one
/// scratch stack shared by all levels, so an element costs no allocation beyond its output.
struct EVTXRenderer {
    let maximumDepth: Int
    /// Content items of the elements being rendered; each level uses `items[start..<end]` and
    /// removes its range before returning.
    var items: [Item] = []

    /// The substitution values of the template instances met in the record (0: none). Items
    /// refer to them by index.
    var valueSets: [[XValue]] = [[]]

    /// Elements are referred to without retaining them: they belong to the record's parts or to
    /// the chunk's template cache, both alive while the record is rendered.
    enum Item {
        /// An element and the index of its values in `valueSets`.
        case element(Unmanaged<XElement>, Int)
        /// An element whose sole content is an array substitution, once per array item
        /// (libyal: "Arrays"; `<Data>%1</Data>` with a string array gives several Data).
        case repeated(Unmanaged<XElement>, Int, JSONValue)
        case text(JSONValue)
    }

    init(maximumDepth: Int) {
        self.maximumDepth = maximumDepth
        items.reserveCapacity(256)
    }

    @inline(__always) mutating func pop(to start: Int) {
        while items.count > start { items.removeLast() }
    }

    /// The record's event: `{"<root name>": <rendering>}` for the first element of the fragment.
    mutating func record(_ parts: [XPart], at offset: Int) throws(ParseError) -> JSONValue {
        pop(to: 0)
        while valueSets.count > 1 { valueSets.removeLast() }
        try gather(parts, values: 0, depth: 1)
        for k in items.indices {
            switch items[k] {
            case .text: continue
            case .element(let u, let vs):
                let x = u.takeUnretainedValue()
                let v = try render(x, values: vs, depth: 1)
                return .object([(x.name, v)])
            case .repeated(let u, let vs, let item):
                let x = u.takeUnretainedValue()
                return .object([(x.name, try repeated(x, values: vs, item: item))])
            }
        }
        throw ParseError(.badField, at: offset, "record holds no element")
    }

    func tooDeep(_ depth: Int) throws(ParseError) {
        if depth >= maximumDepth { throw ParseError(.tooDeep, at: 0, "BinXML nested deeper than \(maximumDepth) levels") }
    }

    /// Appends the content items of `parts` (with the substitution `values` of their template).
    mutating func gather(_ parts: [XPart], values vi: Int, depth: Int) throws(ParseError) {
        try tooDeep(depth)
        let values = valueSets[vi]
        for part in parts {
            switch part {
            case .element(let x):
                if let i = x.soleSubstitution, i < values.count, case .json(.array(let arr)) = values[i] {
                    for item in arr { items.append(.repeated(Unmanaged.passUnretained(x), vi, item)) }
                } else {
                    items.append(.element(Unmanaged.passUnretained(x), vi))
                }
            case .value(let v):
                items.append(.text(v))
            case .substitution(let i, _):
                guard i < values.count else { continue }
                switch values[i] {
                case .null: continue
                case .json(let v): items.append(.text(v))
                case .binXML(let inner): try gather(inner, values: 0, depth: depth + 1)
                }
            case .template(let t, let vs):
                valueSets.append(vs)
                try gather(t.parts, values: valueSets.count - 1, depth: depth + 1)
            }
        }
    }

    /// Attributes with their values; empty values are left out.
    func attributes(_ x: XElement, values vi: Int) -> [(String, JSONValue)] {
        if x.attributes.isEmpty { return [] }
        let values = valueSets[vi]
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(x.attributes.count)
        for (n, vs) in x.attributes {
            if let v = Self.attributeValue(vs, values: values), v != .string("") { out.append((n, v)) }
        }
        return out
    }

    static func attributeValue(_ parts: [XPart], values: [XValue]) -> JSONValue? {
        if parts.count == 1 {
            switch parts[0] {
            case .value(let v): return v
            case .substitution(let i, _):
                guard i < values.count, case .json(let v) = values[i] else { return nil }
                return v
            default: return nil
            }
        }
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
        return .string(pieces.map(EVTXJSON.text).joined())
    }

    /// The `Name` attribute of a `Data` element (the first non-empty one).
    func dataName(_ x: XElement, values vi: Int) -> JSONValue? {
        let values = valueSets[vi]
        for (n, vs) in x.attributes where n == "Name" {
            if let v = Self.attributeValue(vs, values: values), v != .string("") { return v }
        }
        return nil
    }

    /// The text pieces of `items[start..<end]` as one value.
    func textValue(_ start: Int, _ end: Int) -> JSONValue? {
        var first: JSONValue?
        var many = false
        for k in start..<end {
            guard case .text(let t) = items[k] else { continue }
            if first == nil { first = t } else { many = true; break }
        }
        guard many else { return first }
        var s = ""
        for k in start..<end { if case .text(let t) = items[k] { s += EVTXJSON.text(t) } }
        return .string(s)
    }

    /// The `Name` attribute and own text of a `Data` element.
    /// The content of an element that is one substitution, when it is text (or nothing):
    /// `.some(text)`; nil when it needs the general path (nested BinXML, arrays).
    func soleText(_ x: XElement, values vi: Int) -> JSONValue?? {
        guard let i = x.soleSubstitution else { return nil }
        let values = valueSets[vi]
        guard i < values.count else { return .some(nil) }
        switch values[i] {
        case .null: return .some(nil)
        case .json(let v):
            if case .array = v { return nil }
            return .some(v)
        case .binXML: return nil
        }
    }

    mutating func dataParts(_ x: XElement, values: Int, depth: Int) throws(ParseError) -> (name: JSONValue?, text: JSONValue?) {
        if let c = x.constantData { return c }
        let name = dataName(x, values: values)
        if let t = soleText(x, values: values) { return (name, t) }
        let start = items.count
        try gather(x.children, values: values, depth: depth + 1)
        let text = textValue(start, items.count)
        pop(to: start)
        if x.isConstant { x.constantData = (name, text) }
        return (name, text)
    }

    mutating func render(_ x: XElement, values: Int, depth: Int) throws(ParseError) -> JSONValue {
        if let c = x.constantValue { return c }
        try tooDeep(depth)
        let attrs = attributes(x, values: values)
        if let t = soleText(x, values: values) { return Self.leaf(attrs, t) }
        if x.hasOnlyElementChildren, let v = try elementsOnly(x, attrs, values: values, depth: depth) {
            if x.isConstant { x.constantValue = v }
            return v
        }
        let start = items.count
        try gather(x.children, values: values, depth: depth + 1)
        let end = items.count
        let v = try build(attrs, start, end, depth: depth, distinct: x.hasDistinctElementChildren && end - start == x.children.count)
        pop(to: start)
        if x.isConstant { x.constantValue = v }
        return v
    }

    /// An element whose content is only elements, none repeated by an array substitution: its
    /// children are rendered in order without gathering them first (nil: use the general path).
    mutating func elementsOnly(_ x: XElement, _ attrs: [(String, JSONValue)], values vi: Int, depth: Int) throws(ParseError) -> JSONValue? {
        let values = valueSets[vi]
        for c in x.children {
            guard case .element(let e) = c else { return nil }
            if let i = e.soleSubstitution, i < values.count, case .json(.array) = values[i] { return nil }
        }
        var o: [(String, JSONValue)] = []
        o.reserveCapacity(x.children.count + 1)
        if !attrs.isEmpty { o.append(("#attributes", .object(attrs))) }
        var unnamed = UnnamedData()
        for c in x.children {
            guard case .element(let e) = c else { continue }
            if e.isData {
                let (name, text) = try dataParts(e, values: vi, depth: depth + 1)
                Self.addData(&o, &unnamed, name, text)
            } else {
                let v = try render(e, values: vi, depth: depth + 1)
                if x.hasDistinctElementChildren { o.append((e.name, v)) } else { EVTXJSON.insert(&o, e.name, v) }
            }
        }
        unnamed.finish(&o)
        return .object(o)
    }

    /// `<Data>` elements without a `Name`: collected into one `"Data": {"#text": …}` entry at the
    /// place of the first.
    struct UnnamedData {
        var values: [JSONValue] = []
        var index = -1

        func finish(_ o: inout [(String, JSONValue)]) {
            guard index >= 0 else { return }
            let v: JSONValue = values.count == 1 ? values[0] : .array(values)
            o[index].1 = .object([("#text", v)])
        }
    }

    static func addData(_ o: inout [(String, JSONValue)], _ unnamed: inout UnnamedData, _ name: JSONValue?, _ text: JSONValue?) {
        if let name {
            // Names are not made unique here (the oracle keeps duplicate keys).
            o.append((EVTXJSON.text(name), text ?? .null))
        } else {
            if unnamed.index < 0 {
                unnamed.index = o.count
                o.append(("Data", .null))
            }
            unnamed.values.append(text ?? .string(""))
        }
    }

    /// An element whose content is one item of an array substitution.
    func repeated(_ x: XElement, values: Int, item: JSONValue) throws(ParseError) -> JSONValue {
        Self.leaf(attributes(x, values: values), item)
    }

    /// An element without child elements. Empty text renders like no text at all
    /// (`<Channel></Channel>` → null).
    static func leaf(_ attrs: [(String, JSONValue)], _ text: JSONValue?) -> JSONValue {
        var t = text
        if t == .string("") { t = nil }
        guard !attrs.isEmpty else { return t ?? .null }
        if let t { return .object([("#attributes", .object(attrs)), ("#text", t)]) }
        return .object([("#attributes", .object(attrs))])
    }

    /// An element is `null` when it has no attributes and no content, its value when it has only
    /// text, else an object with `#attributes` (when any) then its children (or `#text`).
    /// `distinct`: the items are the element's own children, whose names are known to differ.
    mutating func build(_ attrs: [(String, JSONValue)], _ start: Int, _ end: Int, depth: Int, distinct: Bool) throws(ParseError) -> JSONValue {
        var elements = 0
        for k in start..<end { if case .text = items[k] { continue }; elements += 1 }
        if elements == 0 { return Self.leaf(attrs, textValue(start, end)) }
        var o: [(String, JSONValue)] = []
        o.reserveCapacity(elements + 2)
        if !attrs.isEmpty { o.append(("#attributes", .object(attrs))) }
        var unnamed = UnnamedData()
        for k in start..<end {
            let name: JSONValue?, text: JSONValue?
            switch items[k] {
            case .text:
                continue
            case .element(let u, let vs):
                let x = u.takeUnretainedValue()
                guard x.isData else {
                    let v = try render(x, values: vs, depth: depth + 1)
                    if distinct { o.append((x.name, v)) } else { EVTXJSON.insert(&o, x.name, v) }
                    continue
                }
                (name, text) = try dataParts(x, values: vs, depth: depth + 1)
            case .repeated(let u, let vs, let item):
                let x = u.takeUnretainedValue()
                guard x.isData else {
                    EVTXJSON.insert(&o, x.name, try repeated(x, values: vs, item: item))
                    continue
                }
                (name, text) = (dataName(x, values: vs), item)
            }
            Self.addData(&o, &unnamed, name, text)
        }
        unnamed.finish(&o)
        if let t = textValue(start, end) { o.append(("#text", t)) }
        return .object(o)
    }
}

enum EVTXJSON {
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .null: ""
        case .array(let a): a.map(text).joined(separator: ",")
        default: v.text
        }
    }

    /// Children with the same name get `_1`, `_2` … suffixes.
    static func insert(_ o: inout [(String, JSONValue)], _ key: String, _ v: JSONValue) {
        let n = key.utf8.count
        if !o.contains(where: { $0.0.utf8.count == n && $0.0 == key }) { o.append((key, v)); return }
        var k = 1
        while o.contains(where: { $0.0 == key + "_" + String(k) }) { k += 1 }
        o.append((key + "_" + String(k), v))
    }
}
