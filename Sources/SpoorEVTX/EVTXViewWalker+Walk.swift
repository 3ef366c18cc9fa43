import Foundation
import SpoorCore

// The direct path's first walk of a record shape over its templates (recorded as a plan, see
// EVTXViewWalker.swift): `Event`, `System`, element and attribute text, `EventData`, `UserData`.

extension EVTXViewWalker {
    // MARK: Event, System

    mutating func event(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let x):
                if x.isData || !x.hasPlainName || isRepeated(x, vi) { throw Fallback() }
                sawElement = true
                switch x.role {
                case EVTXEventRole.system:
                    if !seenSystem { seenSystem = true; try system(x.children, vi) }
                case EVTXEventRole.eventData:
                    if !seenEventData { seenEventData = true; try eventData(x, vi) }
                case EVTXEventRole.userData:
                    if !seenUserData { seenUserData = true; try userData(x, vi) }
                default:
                    continue
                }
            case .value:
                continue
            case .substitution(let i, _):
                if let n = try nestedInstance(vi, i) { try event(self.parts(n), Int(n)) }
            case .template:
                throw Fallback()
            }
        }
    }

    mutating func system(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let e):
                if e.isData || !e.hasPlainName { throw Fallback() }
                let c = Int(e.systemChild)
                guard c >= 0, !seenSystemChild[c] else { continue }
                if isRepeated(e, vi) { throw Fallback() }
                seenSystemChild[c] = true
                let start = text.count
                if tracing && e.textField >= 0 { traceSystemField(Int(e.textField)) }
                if let r = try leafText(e, vi, render: e.textField >= 0) {
                    setSystem(Int(e.textField), r)
                } else {
                    text.removeSubrange(start...)
                }
                if tracing && e.textField >= 0 { emit(.system, Int32(e.textField), lastMark) }
                for k in e.attributes.indices {
                    let f = Int(e.attributeFields[k])
                    guard f >= 0 else { continue }
                    if tracing { traceSystemField(f) }
                    guard system[2 * f] < 0 else { continue }
                    let s = text.count
                    if let r = try attributeText(e.attributes[k].1, vi) { setSystem(f, r) } else { text.removeSubrange(s...) }
                    if tracing { emit(.system, Int32(f), lastMark) }
                }
            case .value:
                continue
            case .substitution(let i, _):
                if let n = try nestedInstance(vi, i) { try system(self.parts(n), Int(n)) }
            case .template:
                throw Fallback()
            }
        }
    }

    @inline(__always) mutating func setSystem(_ f: Int, _ r: Range<Int>) {
        guard f >= 0 else { return }
        system[2 * f] = Int32(r.lowerBound)
        system[2 * f + 1] = Int32(r.upperBound)
    }

    // MARK: element and attribute text

    /// The text of an element without child elements (empty text: nil, as the JSON shape has
    /// no text for it). `render: false` only checks that the element is such a leaf.
    mutating func leafText(_ e: XElement, _ vi: Int, render: Bool) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if render && tracing { mark() }
        if let i = e.soleSubstitution {
            guard let v = value(vi, i), v.type != 0 else { return nil }
            if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
            if render { try appendValue(vi, i, v) }
        } else {
            var pieces = 0
            for part in e.children {
                switch part {
                case .element, .template:
                    throw Fallback()
                case .value(let t):
                    if render { try appendText(t) }
                    pieces += 1
                case .substitution(let i, _):
                    guard let v = value(vi, i), v.type != 0 else { continue }
                    if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
                    if render { try appendValue(vi, i, v) }
                    pieces += 1
                }
            }
            if pieces == 0 { return nil }
        }
        return text.count > start ? start..<text.count : nil
    }

    /// An attribute's value as the JSON shape has it (nil when left out: no value or empty).
    mutating func attributeText(_ parts: [XPart], _ vi: Int) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if tracing { mark() }
        var pieces = 0
        for part in parts {
            switch part {
            case .value(let t):
                try appendText(t)
                pieces += 1
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0, v.type != 0x21 else { continue }
                if v.type & 0x80 != 0 { throw Fallback() }
                try appendValue(vi, i, v)
                pieces += 1
            default:
                // Only one part that is not text: no value; else skipped.
                if parts.count == 1 { return nil }
            }
        }
        if pieces == 0 { return nil }
        return text.count > start ? start..<text.count : nil
    }

    /// A `Data` element's text (empty text kept, unlike other elements).
    mutating func dataText(_ e: XElement, _ vi: Int) throws(Fallback) -> Range<Int>? {
        let start = text.count
        if tracing { mark() }
        if let i = e.soleSubstitution {
            guard let v = value(vi, i), v.type != 0 else { return nil }
            if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
            try appendValue(vi, i, v)
            return start..<text.count
        }
        var pieces = 0
        for part in e.children {
            switch part {
            case .element:
                continue
            case .template:
                throw Fallback()
            case .value(let t):
                try appendText(t)
                pieces += 1
            case .substitution(let i, _):
                guard let v = value(vi, i), v.type != 0 else { continue }
                if v.type == 0x21 || v.type & 0x80 != 0 { throw Fallback() }
                try appendValue(vi, i, v)
                pieces += 1
            }
        }
        return pieces == 0 ? nil : start..<text.count
    }

    // MARK: EventData, UserData

    /// A key not yet in `keys` for an element named `e.name`: the name, or `name_1`, `name_2` ….
    mutating func key(_ e: XElement) throws(Fallback) -> Int32 {
        if e.nameID < 0 {
            guard e.name.utf8.count <= 256 else { throw Fallback() }
            e.nameID = names.id(e.name)
        }
        return try key(id: e.nameID, among: keys)
    }

    /// A key not yet in `keys` for the name numbered `id`: the name, or `name_1`, `name_2` ….
    mutating func key(id: Int32, among keys: [Int32]) throws(Fallback) -> Int32 {
        // Finding a free suffix is quadratic in the keys: many keys are left to the JSON path.
        guard keys.count <= 1024 else { throw Fallback() }
        if !keys.contains(id) { return id }
        var suffixes = suffixIDs[id] ?? []
        defer { suffixIDs[id] = suffixes }
        var k = 1
        while true {
            if k > suffixes.count { suffixes.append(names.id(names.name(id) + "_" + String(k))) }
            let s = suffixes[k - 1]
            if !keys.contains(s) { return s }
            k += 1
        }
    }

    /// A `Data` element's `Name` (nil: unnamed).
    mutating func dataName(_ e: XElement, _ vi: Int) throws(Fallback) -> Int32? {
        if e.dataNameID >= 0 { return e.dataNameID }
        if e.dataNameID == -1 {
            e.dataNameID = -2
            for (n, parts) in e.attributes where n == "Name" {
                if parts.count == 1, case .value(.string(let s)) = parts[0], !s.isEmpty {
                    guard Self.isUsableDataName(s) else { throw Fallback() }
                    e.dataNameID = names.id(s)
                    return e.dataNameID
                }
                break
            }
        }
        let start = text.count
        defer { text.removeSubrange(start...) }
        for (n, parts) in e.attributes where n == "Name" {
            // The name depends on the record's values: a plan cannot hold it.
            traceOK = false
            if let r = try attributeText(parts, vi) {
                let s = String(decoding: text[r], as: UTF8.self)
                guard Self.isUsableDataName(s) else { throw Fallback() }
                return names.id(s)
            }
        }
        return nil
    }

    /// Names the JSON reading treats specially, or refuses.
    static func isUsableDataName(_ s: String) -> Bool {
        s != "Data" && s != "#text" && s != "#attributes" && s != "xmlns" && s.utf8.count <= 256
    }

    mutating func eventData(_ x: XElement, _ vi: Int) throws(Fallback) {
        keys.removeAll(keepingCapacity: true)
        unnamed.removeAll(keepingCapacity: true)
        var unnamedAt = -1
        try eventDataContent(x.children, vi, &unnamedAt)
        if unnamedAt >= 0 {
            var items: [EVTXDataItem] = []
            if tracing { emit(.insertUnnamed, Int32(traceInts.count), Int32(unnamed.count)) }
            for (k, r) in unnamed.enumerated() {
                let id = paramName(k)
                if tracing { traceInts.append(id) }
                items.append(EVTXDataItem(name: id, start: r.0, end: r.1))
            }
            eventData.insert(contentsOf: items, at: unnamedAt)
        }
    }

    mutating func eventDataContent(_ parts: [XPart], _ vi: Int, _ unnamedAt: inout Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let e):
                if isRepeated(e, vi) {
                    // `<Data>%n</Data>` with an array value: one Data per item.
                    guard e.isData, let i = e.soleSubstitution, let v = value(vi, i) else { throw Fallback() }
                    let id = try dataName(e, vi)
                    items.removeAll(keepingCapacity: true)
                    try arrayItems(v)
                    if tracing {
                        // As many items as the array holds: replayed by `arrayData`.
                        if id == nil, unnamedAt < 0, !items.isEmpty { emit(.unnamedAt, 0, 0) }
                        emit(.arrayData, Int32(traceInts.count), 0)
                        traceInts.append(Int32(instances[vi].first + i))
                        traceInts.append(id ?? -1)
                        traceInts.append(items.isEmpty ? 0 : 1)
                    }
                    for (s, t) in items {
                        if let id {
                            keys.append(id)
                            eventData.append(EVTXDataItem(name: id, start: s, end: t))
                        } else {
                            if unnamedAt < 0 {
                                unnamedAt = eventData.count
                                keys.append(names.id("Data"))
                            }
                            unnamed.append((s, t))
                        }
                    }
                    if eventData.count + unnamed.count > 512 { throw Fallback() }
                    continue
                }
                if e.isData {
                    if let id = try dataName(e, vi) {
                        keys.append(id)
                        if let r = try dataText(e, vi) {
                            eventData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                            if tracing { emit(.dataKeepEmpty, id, lastMark) }
                        }
                    } else {
                        if unnamedAt < 0 {
                            unnamedAt = eventData.count
                            keys.append(names.id("Data"))
                            if tracing { emit(.unnamedAt, 0, 0) }
                        }
                        let start = text.count
                        let r = try dataText(e, vi) ?? start..<start
                        unnamed.append((Int32(r.lowerBound), Int32(r.upperBound)))
                        if tracing { emit(.unnamed, 0, lastMark) }
                    }
                } else {
                    guard e.hasPlainName else { throw Fallback() }
                    let id = try key(e)
                    keys.append(id)
                    if Self.hasElementChildren(e) {
                        try nested(e, vi, prefix: id, user: false)
                    } else {
                        if let r = try leafText(e, vi, render: true) {
                            eventData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                        }
                        if tracing { emit(.data, id, lastMark) }
                    }
                }
                if eventData.count + unnamed.count > 512 { throw Fallback() }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                if let n = try onlyNestedInstance(vi, i) { try eventDataContent(self.parts(n), Int(n), &unnamedAt) }
            }
        }
    }

    mutating func userData(_ x: XElement, _ vi: Int) throws(Fallback) {
        if x.children.count == 1, case .substitution(let i, _) = x.children[0], let v = value(vi, i), v.type == 0x21, v.stream >= 0 {
            if tracing { emit(.userStream, Int32(instances[vi].first + i), 0) }
            try userDataStream(v)
            return
        }
        var payloadKeys: [Int32] = []
        try userDataContent(x.children, vi, &payloadKeys)
    }

    mutating func userDataContent(_ parts: [XPart], _ vi: Int, _ payloadKeys: inout [Int32]) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let p):
                if p.isData || !p.hasPlainName || isRepeated(p, vi) || p.soleSubstitution != nil { throw Fallback() }
                swap(&keys, &payloadKeys)
                let id = try key(p)
                keys.append(id)
                swap(&keys, &payloadKeys)
                keys.removeAll(keepingCapacity: true)
                try payload(p.children, vi)
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                if let n = try onlyNestedInstance(vi, i) { try userDataContent(self.parts(n), Int(n), &payloadKeys) }
            }
        }
    }

    /// The children of a `UserData` payload element (leaves only).
    mutating func payload(_ parts: [XPart], _ vi: Int) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let c):
                if c.isData || !c.hasPlainName || isRepeated(c, vi) { throw Fallback() }
                let id = try key(c)
                keys.append(id)
                if Self.hasElementChildren(c) {
                    try nested(c, vi, prefix: id, user: true)
                } else {
                    if let r = try leafText(c, vi, render: true) {
                        userData.append(EVTXDataItem(name: id, start: Int32(r.lowerBound), end: Int32(r.upperBound)))
                        if userData.count > 512 { throw Fallback() }
                    }
                    if tracing { emit(.user, id, lastMark) }
                }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                if let n = try onlyNestedInstance(vi, i) { try payload(self.parts(n), Int(n)) }
            }
        }
    }

    /// Whether an element's own parts hold an element.
    static func hasElementChildren(_ e: XElement) -> Bool {
        e.children.contains { if case .element = $0 { true } else { false } }
    }

    /// An element with child elements inside `EventData` or a `UserData` payload: its leaves
    /// under dotted names (`prefix.Child`, `prefix.Child.Leaf`), as the JSON reading flattens
    /// the object it renders to. Text next to the children (which the JSON reading would take
    /// instead of them) is left to the JSON path.
    mutating func nested(_ e: XElement, _ vi: Int, prefix: Int32, user: Bool) throws(Fallback) {
        var local: [Int32] = []
        try nestedContent(e.children, vi, prefix: prefix, user: user, &local)
    }

    mutating func nestedContent(_ parts: [XPart], _ vi: Int, prefix: Int32, user: Bool, _ local: inout [Int32]) throws(Fallback) {
        for part in parts {
            switch part {
            case .element(let g):
                if g.isData || !g.hasPlainName || isRepeated(g, vi) { throw Fallback() }
                swap(&keys, &local)
                let id = try key(g)
                keys.append(id)
                swap(&keys, &local)
                // `prefix.key`, remembered on the element for the usual case of the same prefix and key.
                let full: Int32
                if g.dottedName.prefix == prefix, g.dottedName.key == id {
                    full = g.dottedName.full
                } else {
                    guard let d = names.dotted(prefix, id, limit: 256) else { throw Fallback() }
                    full = d
                    g.dottedName = (prefix, id, full)
                }
                if Self.hasElementChildren(g) {
                    try nested(g, vi, prefix: full, user: user)
                } else {
                    if let r = try leafText(g, vi, render: true) {
                        let item = EVTXDataItem(name: full, start: Int32(r.lowerBound), end: Int32(r.upperBound))
                        if user { userData.append(item) } else { eventData.append(item) }
                        if userData.count > 512 || eventData.count + unnamed.count > 512 { throw Fallback() }
                    }
                    if tracing { emit(user ? .user : .data, full, lastMark) }
                }
            case .value, .template:
                throw Fallback()
            case .substitution(let i, _):
                if let n = try onlyNestedInstance(vi, i) { try nestedContent(self.parts(n), Int(n), prefix: prefix, user: user, &local) }
            }
        }
    }
}
