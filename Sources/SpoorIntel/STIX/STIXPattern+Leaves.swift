import SpoorCore
import SpoorIndicators

extension STIXPattern {
    /// True when the pattern is one bracketed comparison expression (`[…]`) with no qualifier:
    /// it matches single observations, one at a time.
    public var isSingleObservation: Bool {
        if case .observation = expression { return true }
        return false
    }

    /// Each bracketed comparison expression of the pattern as a pattern of its own. An
    /// observation that none of them matches can play no part in a match of the whole, so a
    /// caller can keep only the observations some leaf matches and run ``matches(_:)`` on those.
    public var observationLeaves: [STIXPattern] {
        var out: [STIXPattern] = []
        func walk(_ e: STIXObservationExpression) {
            switch e {
            case .observation: out.append(STIXPattern(text: text, expression: e))
            case .and(let parts), .or(let parts), .followedBy(let parts): parts.forEach(walk)
            case .qualified(let inner, _): walk(inner)
            }
        }
        walk(expression)
        return out
    }
}

extension STIXObservation {
    /// An observation built from indicators seen together (one event's): one object per
    /// address, domain, URL and e-mail (`value`), one `file` with every hash (`hashes.'SHA-256'`)
    /// and the file name when given, registry keys (`key`), user accounts (`account_login`),
    /// AS numbers (`number`), and a `network-traffic` object whose `src_ref`/`dst_ref` point at
    /// the source and destination addresses when they are known.
    public init(time: Timestamp, indicators: [(indicator: Indicator, role: SightingRole)], fileName: String? = nil,
                sourcePort: Int64? = nil, destinationPort: Int64? = nil, transport: String? = nil) {
        var objects: [STIXCyberObject] = []
        var hashes: [String: STIXValue] = [:]
        var source: String?, destination: String?
        for (n, (i, role)) in indicators.enumerated() {
            let id = "o\(n)"
            switch i.kind {
            case .ipv4, .ipv6, .domain, .url, .email:
                let type = i.kind == .email ? "email-addr" : i.kind.rawValue
                objects.append(STIXCyberObject(type: type, id: id, properties: ["value": .string(i.value)]))
                if i.kind.isAddress {
                    if role == .source && source == nil { source = id }
                    if role == .destination && destination == nil { destination = id }
                }
            case .md5: hashes["MD5"] = .string(i.value)
            case .sha1: hashes["SHA-1"] = .string(i.value)
            case .sha256: hashes["SHA-256"] = .string(i.value)
            case .sha512: hashes["SHA-512"] = .string(i.value)
            case .registryKey: objects.append(STIXCyberObject(type: "windows-registry-key", id: id, properties: ["key": .string(i.value)]))
            case .userAccount: objects.append(STIXCyberObject(type: "user-account", id: id, properties: ["account_login": .string(i.value)]))
            case .asn:
                if let number = Int64(i.value.dropFirst(2)) {
                    objects.append(STIXCyberObject(type: "autonomous-system", id: id, properties: ["number": .int(number)]))
                }
            case .windowsPath, .unixPath:
                objects.append(STIXCyberObject(type: "directory", id: id, properties: ["path": .string(i.value)]))
            case .cve, .cryptoAddress, .credential:
                continue
            }
        }
        if !hashes.isEmpty || fileName != nil {
            var p: [String: STIXValue] = [:]
            if !hashes.isEmpty { p["hashes"] = .dictionary(hashes) }
            if let fileName { p["name"] = .string(fileName) }
            objects.append(STIXCyberObject(type: "file", id: "file", properties: p))
        }
        if source != nil || destination != nil {
            var p: [String: STIXValue] = [:]
            if let source { p["src_ref"] = .ref(source) }
            if let destination { p["dst_ref"] = .ref(destination) }
            if let sourcePort { p["src_port"] = .int(sourcePort) }
            if let destinationPort { p["dst_port"] = .int(destinationPort) }
            if let transport { p["protocols"] = .list([.string(transport.lowercased())]) }
            objects.append(STIXCyberObject(type: "network-traffic", id: "traffic", properties: p))
        }
        self.init(time: time, objects: objects)
    }
}
