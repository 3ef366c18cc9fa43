import Foundation
import SpoorCore
import SpoorIndicators

/// Every warninglist loaded and compiled into one matcher per list type, so that a value is
/// checked against all lists at once:
/// - `string`: one hash table of all entries (ASCII lower case) → lists;
/// - `hostname`: one hash table of names; a value's host is looked up, then each parent
///   domain (`a.b.example.com`, `b.example.com`, `example.com`, `com`);
/// - `cidr`: IPv4 and IPv6 blocks of all lists flattened into disjoint intervals, each with
///   the set of lists holding it (one binary search per address);
/// - `substring`: one Aho–Corasick automaton over all entries;
/// - `regex`: each entry compiled with ``ByteRegex`` (the lists hold a few dozen).
///
/// Case: `string`, `hostname` and `substring` compare ASCII case-insensitively. The lists mix
/// cases for the same kind of value (`tlds` is upper case, the domain lists lower case) and
/// domains, e-mail domains and hex hashes are case-insensitive. Regexes use their own flags.
public struct WarninglistSet: Sendable {
    public let lists: [Warninglist]

    var strings: [String: [UInt16]] = [:]
    var hostnames: [String: [UInt16]] = [:]
    var substrings: AhoCorasick
    var regexes: [(ByteRegex, UInt16)] = []
    var cidr4: RangeMap<UInt32>
    var cidr6: RangeMap<UInt128>
    var cidrSets: [[UInt16]] = []
    /// `applies[kind][list]`: whether a list's matching attributes admit an indicator kind.
    var applies: [IndicatorKind: [Bool]] = [:]

    /// Total entries over all lists.
    public var entryCount: Int { lists.reduce(0) { $0 + $1.entries.count } }

    /// Compiles `lists`. Entries that cannot be used (a bad CIDR, a regex ``ByteRegex`` does
    /// not support) are skipped and returned as problems, the rest of the list still works.
    public static func build(_ lists: [Warninglist]) -> (set: WarninglistSet, problems: [IntelError]) {
        var problems: [IntelError] = []
        let set = WarninglistSet(lists: lists, problems: &problems)
        return (set, problems)
    }

    public init(lists: [Warninglist]) {
        var ignored: [IntelError] = []
        self.init(lists: lists, problems: &ignored)
    }

    init(lists: [Warninglist], problems: inout [IntelError]) {
        precondition(lists.count < Int(UInt16.max), "more than 65,534 warninglists")
        self.lists = lists
        var patterns: [([UInt8], UInt16)] = []
        var blocks4: [(UInt32, UInt32, UInt16)] = [], blocks6: [(UInt128, UInt128, UInt16)] = []
        for (index, list) in lists.enumerated() {
            let id = UInt16(index)
            for (n, raw) in list.entries.enumerated() {
                let entry = raw.trimmingCharacters(in: .whitespaces)
                if entry.isEmpty { continue }
                switch list.type {
                case .string:
                    Self.add(id, to: &strings[Self.lowercased(entry), default: []])
                case .hostname:
                    guard let host = Self.hostKey(entry, isEntry: true) else { continue }
                    Self.add(id, to: &hostnames[host, default: []])
                case .substring:
                    patterns.append((Array(Self.lowercased(entry).utf8), id))
                case .cidr:
                    guard let net = IPNetwork(entry) else {
                        problems.append(IntelError(file: list.identifier, "entry \(n + 1) is not an address or CIDR block"))
                        continue
                    }
                    if net.address.isIPv4 {
                        let s = UInt32(truncatingIfNeeded: net.address.low)
                        let size: UInt32 = net.prefixLength == 0 ? .max : (1 << UInt32(32 - net.prefixLength)) - 1
                        blocks4.append((s, s | size, id))
                    } else {
                        let s = net.address.key128
                        let size: UInt128 = net.prefixLength == 0 ? .max : (1 << UInt128(128 - net.prefixLength)) - 1
                        blocks6.append((s, s | size, id))
                    }
                case .regex:
                    do { regexes.append((try Self.compileRegex(entry), id)) } catch {
                        problems.append(IntelError(file: list.identifier, "entry \(n + 1): \(error)"))
                    }
                }
            }
        }
        substrings = AhoCorasick(patterns: patterns)
        var sets: [[UInt16]] = [[]], setIndex: [[UInt16]: Int32] = [[]: 0]
        cidr4 = Self.sweep(blocks4, sets: &sets, index: &setIndex)
        cidr6 = Self.sweep(blocks6, sets: &sets, index: &setIndex)
        cidrSets = sets
        for kind in IndicatorKind.allCases {
            let types = Self.mispTypes(for: kind)
            applies[kind] = lists.map { $0.matchingAttributes.isEmpty || $0.matchingAttributes.contains { types.contains($0) } }
        }
    }

    /// Loads every `lists/*/list.json` under `directory` (the repository root or its `lists`
    /// folder). A file that cannot be read is a problem, not the end of the load.
    public static func load(directory: URL) throws(IntelError) -> (set: WarninglistSet, problems: [IntelError]) {
        let fm = FileManager.default
        var root = directory
        if fm.fileExists(atPath: directory.appendingPathComponent("lists").path) { root = directory.appendingPathComponent("lists") }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: root.path).sorted() } catch {
            throw IntelError(file: root.path, "cannot list the directory (\(error.localizedDescription))")
        }
        var lists: [Warninglist] = [], problems: [IntelError] = []
        for name in names {
            let file = root.appendingPathComponent(name).appendingPathComponent("list.json")
            guard fm.fileExists(atPath: file.path) else { continue }
            do { lists.append(try Warninglist.load(contentsOf: file, identifier: name)) } catch { problems.append(error) }
        }
        let built = build(lists)
        return (built.set, problems + built.problems)
    }

    /// The names of the lists that hold `value`, whatever their matching attributes.
    public func matches(value: String) -> [String] {
        names(of: listIDs(value, kind: nil))
    }

    /// The names of the lists that hold the indicator and whose `matching_attributes` admit
    /// its kind (see ``mispTypes(for:)``).
    public func matches(_ indicator: Indicator) -> [String] {
        names(of: listIDs(indicator.value, kind: indicator.kind))
    }

    /// The lists (as indices in ``lists``) that hold `value`; `kind` filters by matching attributes.
    public func listIDs(_ value: String, kind: IndicatorKind?) -> [Int] {
        var found = [Bool](repeating: false, count: lists.count)
        var any = false
        func mark(_ id: UInt16) { found[Int(id)] = true; any = true }
        let lower = Self.lowercased(value)
        if let ids = strings[lower] { ids.forEach(mark) }
        if !hostnames.isEmpty, let host = Self.hostKey(value, isEntry: false) {
            var h = Substring(host)
            while true {
                if let ids = hostnames[String(h)] { ids.forEach(mark) }
                guard let dot = h.firstIndex(of: ".") else { break }
                h = h[h.index(after: dot)...]
            }
        }
        if !substrings.isEmpty { substrings.search(lower.utf8.span, foldCase: false, mark) }
        if let ip = IPAddress(value) {
            let s = ip.isIPv4 ? cidr4.value(at: UInt32(truncatingIfNeeded: ip.low)) : cidr6.value(at: ip.key128)
            if s > 0 { cidrSets[Int(s)].forEach(mark) }
        } else if value.contains("/"), let net = IPNetwork(value) {
            // A block is held by a list when its first and last addresses are.
            let first = net.address
            let s1: Int32, s2: Int32
            if first.isIPv4 {
                let a = UInt32(truncatingIfNeeded: first.low)
                let size: UInt32 = net.prefixLength == 0 ? .max : (1 << UInt32(32 - net.prefixLength)) - 1
                s1 = cidr4.value(at: a); s2 = cidr4.value(at: a | size)
            } else {
                let size: UInt128 = net.prefixLength == 0 ? .max : (1 << UInt128(128 - net.prefixLength)) - 1
                s1 = cidr6.value(at: first.key128); s2 = cidr6.value(at: first.key128 | size)
            }
            if s1 > 0, s2 > 0 { for id in cidrSets[Int(s1)] where cidrSets[Int(s2)].contains(id) { mark(id) } }
        }
        for (regex, id) in regexes where !found[Int(id)] && regex.matches(value) { mark(id) }
        guard any else { return [] }
        var out: [Int] = []
        let admitted = kind.flatMap { applies[$0] }
        for i in found.indices where found[i] && (admitted?[i] ?? true) { out.append(i) }
        return out
    }

    private func names(of ids: [Int]) -> [String] { ids.map { lists[$0].name } }

    /// The MISP attribute types (MISP's `describeTypes`) an indicator kind stands for, used
    /// against a list's `matching_attributes`.
    public static func mispTypes(for kind: IndicatorKind) -> Set<String> {
        switch kind {
        case .ipv4, .ipv6: ["ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip"]
        case .domain: ["domain", "hostname", "domain|ip", "hostname|port"]
        case .url: ["url", "uri", "link"]
        case .email: ["email", "email-src", "email-dst", "target-email", "whois-registrant-email", "dns-soa-email"]
        case .md5: ["md5", "filename|md5", "x509-fingerprint-md5"]
        case .sha1: ["sha1", "filename|sha1", "x509-fingerprint-sha1"]
        case .sha256: ["sha256", "filename|sha256", "x509-fingerprint-sha256"]
        case .sha512: ["sha512", "filename|sha512"]
        case .windowsPath, .unixPath: ["filename", "filepath"]
        case .registryKey: ["regkey"]
        case .cve: ["vulnerability"]
        case .asn: ["AS"]
        case .cryptoAddress: ["btc", "xmr", "dash"]
        case .userAccount: ["target-user", "github-username"]
        case .credential: []
        }
    }

    // MARK: - Normalisation

    static func lowercased(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 &- 65 < 26 }) else { return s }
        return String(decoding: s.utf8.map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The host a hostname list compares: lower case, without a trailing dot; for a value, a
    /// URL's host (after `scheme://` and `user@`, before `/ ? # :port`). Entries lose a leading
    /// dot too: `.bmw.de` in `dax30` means bmw.de and its subdomains.
    static func hostKey(_ text: String, isEntry: Bool) -> String? {
        var s = Substring(lowercased(text))
        if isEntry { while s.first == "." { s = s.dropFirst() } }
        else {
            if let scheme = s.range(of: "://") { s = s[scheme.upperBound...] }
            if let end = s.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { s = s[..<end] }
            if let at = s.lastIndex(of: "@") { s = s[s.index(after: at)...] }
            if s.first == "[" { return nil }                       // an IPv6 literal
            if s.filter({ $0 == ":" }).count == 1, let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        }
        while s.last == "." { s = s.dropLast() }
        return s.isEmpty ? nil : String(s)
    }

    /// `/pattern/flags` (PHP preg syntax, as MISP evaluates them) or a bare pattern. Flags
    /// `i`, `m`, `s` map to ``ByteRegex/Options``; `g` means nothing for a yes/no match.
    static func compileRegex(_ entry: String) throws(RegexError) -> ByteRegex {
        var pattern = entry, options: ByteRegex.Options = []
        if entry.count >= 2, entry.first == "/", let close = entry.lastIndex(of: "/"), close != entry.startIndex {
            pattern = String(entry[entry.index(after: entry.startIndex)..<close])
            for f in entry[entry.index(after: close)...] {
                switch f {
                case "i": options.insert(.ignoreCase)
                case "m": options.insert(.multiline)
                case "s": options.insert(.dotAll)
                default: break
                }
            }
        }
        return try ByteRegex(pattern, options: options)
    }

    static func add(_ id: UInt16, to ids: inout [UInt16]) { if ids.last != id { ids.append(id) } }

    /// Flattens possibly overlapping blocks of several lists into breakpoints, each interval
    /// mapped to the set of lists holding it (interned: `sets[0]` is the empty set).
    static func sweep<Key: FixedWidthInteger & UnsignedInteger & Sendable>(
        _ blocks: [(Key, Key, UInt16)], sets: inout [[UInt16]], index: inout [[UInt16]: Int32]
    ) -> RangeMap<Key> {
        var events: [(Key, Int, UInt16)] = []   // (key, +1/-1, list)
        events.reserveCapacity(blocks.count * 2)
        for (s, e, id) in blocks {
            events.append((s, 1, id))
            if e != Key.max { events.append((e + 1, -1, id)) }
        }
        events.sort { $0.0 < $1.0 }
        var counts: [UInt16: Int] = [:]
        var starts: [Key] = [0], values: [Int32] = [0]
        var i = 0
        while i < events.count {
            let key = events[i].0
            while i < events.count, events[i].0 == key {
                counts[events[i].2, default: 0] += events[i].1
                i += 1
            }
            let active = counts.filter { $0.value > 0 }.keys.sorted()
            let setID: Int32
            if let s = index[active] { setID = s } else {
                sets.append(active); setID = Int32(sets.count - 1); index[active] = setID
            }
            if starts.last == key { values[values.count - 1] = setID }
            else if values.last != setID { starts.append(key); values.append(setID) }
        }
        return RangeMap(starts: starts, values: values)
    }
}
