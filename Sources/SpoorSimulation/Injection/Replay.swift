import Foundation
import SpoorCore

/// A recorded attack to replay into the user's logs: a public simulation dataset's Windows
/// events (OTRF Security-Datasets, one JSON object per line as the dataset ships them) and its
/// `_metadata` YAML (the ATT&CK technique every replayed record is labelled with).
public struct RecordedAttack: Sendable {
    public var name: String
    /// The dataset's lines, decompressed (the caller unzips).
    public var data: [UInt8]
    public var technique: String
    public var tactic: String
    /// When the replayed attack should begin (its earliest time is moved here).
    public var start: Timestamp

    public init(name: String, data: [UInt8], metadataYAML: String, start: Timestamp) throws {
        guard let m = RecordedAttack.metadata(metadataYAML) else {
            throw InjectionError(description: "\(name): the metadata names no ATT&CK technique (attack_mappings)")
        }
        self.name = name
        self.data = data
        self.technique = m.technique
        self.tactic = m.tactic
        self.start = start
    }

    /// ATT&CK tactic ids → the names ECS and the ground truth use.
    static let tactics: [String: String] = [
        "TA0043": "reconnaissance", "TA0042": "resource-development", "TA0001": "initial-access", "TA0002": "execution",
        "TA0003": "persistence", "TA0004": "privilege-escalation", "TA0005": "defense-evasion", "TA0006": "credential-access",
        "TA0007": "discovery", "TA0008": "lateral-movement", "TA0009": "collection", "TA0011": "command-and-control",
        "TA0010": "exfiltration", "TA0040": "impact",
    ]

    /// The first mapping of OTRF's `attack_mappings:` (`technique: T1003`, `sub-technique: "002"`,
    /// `tactics: [TA0006]`), read line by line (the files are flat, hand-written YAML).
    static func metadata(_ yaml: String) -> (technique: String, tactic: String)? {
        var technique: String?, sub: String?, tactic: String?
        var inMappings = false
        func value(_ line: Substring) -> String {
            guard let colon = line.firstIndex(of: ":") else { return "" }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        for raw in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if !raw.hasPrefix(" ") && !raw.hasPrefix("-") && !raw.isEmpty { inMappings = raw.hasPrefix("attack_mappings:") ; if inMappings { continue } }
            guard inMappings else { continue }
            let l = Substring(line.hasPrefix("- ") ? String(line.dropFirst(2)) : line)
            if l.hasPrefix("technique:"), technique == nil { technique = value(l) }
            else if l.hasPrefix("sub-technique:"), sub == nil { sub = value(l) }
            else if l.hasPrefix("TA"), tactic == nil { tactic = String(l) }
            if technique != nil && sub != nil && tactic != nil { break }
        }
        guard let t = technique, t.hasPrefix("T") else { return nil }
        let full = (sub.map { $0.isEmpty || $0 == "null" ? t : t + "." + $0 }) ?? t
        return (full, tactic.flatMap { tactics[$0] } ?? "unknown")
    }
}

/// Rewrites a recorded attack into an environment: times shifted to the start, its hosts,
/// users, domain and internal addresses replaced by the environment's (one consistent mapping
/// for the whole dataset), the JSON otherwise unchanged.
struct ReplayRewriter {
    var hostMap: [String: String] = [:]     // lower-cased word → replacement
    /// The dataset's `Hostname` values → the environment's full host names.
    var hostnameValues: [String: String] = [:]
    var addressMap: [String: String] = [:]
    var delta: Int64 = 0
    var mainHost: String?

    static let userKeys = ["SubjectUserName", "TargetUserName", "User", "AccountName", "SamAccountName"]
    static let domainKeys = ["SubjectDomainName", "TargetDomainName"]
    static let builtinDomains: Set<String> = ["nt authority", "builtin", "-", "", "window manager", "font driver host", "nt service"]

    init(_ attack: RecordedAttack, client: SimClient) {
        let lines = Injector.lines(attack.data).map { String(decoding: attack.data[$0.start..<$0.end], as: UTF8.self) }
        var hosts: [String: Int] = [:], users: [String: Int] = [:], domains: [String: Int] = [:], addresses: [String: Int] = [:]
        var earliest: Int64?
        for line in lines {
            for v in Self.values(line, key: "Hostname") { hosts[v, default: 0] += 1 }
            for k in Self.userKeys {
                for v in Self.values(line, key: k) {
                    let name = v.split(separator: "\\").last.map(String.init) ?? v
                    if !name.isEmpty, !name.hasSuffix("$"), !name.contains(" "), name != "-",
                       !LearnedEnvironment.ignoredUsers.contains(name.lowercased()), Self.isWord(name) { users[name, default: 0] += 1 }
                }
            }
            for k in Self.domainKeys {
                for v in Self.values(line, key: k) where !Self.builtinDomains.contains(v.lowercased()) && Self.isWord(v) { domains[v, default: 0] += 1 }
            }
            for a in Self.privateIPv4s(line) { addresses[a, default: 0] += 1 }
            if let t = Self.recordTime(line) { earliest = min(earliest ?? t, t) }
        }
        func ranked(_ d: [String: Int]) -> [String] { d.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key) }
        let windows = client.hosts.filter { $0.os == .windows }.sorted { $0.name < $1.name }
        let targets = windows.isEmpty ? client.hosts : windows
        for (i, h) in ranked(hosts).enumerated() where !targets.isEmpty {
            let t = targets[i % targets.count]
            // The short name: the dataset writes host names as NetBIOS names (`WORKSTATION5$`).
            let short = h.split(separator: ".").first.map(String.init) ?? h
            hostMap[short.lowercased()] = t.name.split(separator: ".").first.map(String.init) ?? t.name
            hostnameValues[h] = t.name
            if i == 0 { mainHost = t.name }
        }
        let people = client.people.map(\.name)
        for (i, u) in ranked(users).enumerated() where !people.isEmpty && hostMap[u.lowercased()] == nil {
            hostMap[u.lowercased()] = people[i % people.count]
        }
        for d in ranked(domains) where hostMap[d.lowercased()] == nil { hostMap[d.lowercased()] = client.domain }
        var pool = targets.map { $0.ip.description }
        let base = client.network.address.ipv4 ?? (10 << 24)
        var n: UInt32 = 0
        for a in ranked(addresses) {
            if !pool.isEmpty { addressMap[a] = pool.removeFirst() } else {
                addressMap[a] = IPAddress(ipv4: base | (4 << 8) | (10 + n)).description
                n += 1
            }
        }
        delta = earliest.map { attack.start.microseconds - $0 } ?? 0
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    static func isWord(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy(isWordByte) }
    static func isWordByte(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F }

    /// String values of `"key":"…"` in a JSON line (no escapes expected in these fields).
    static func values(_ line: String, key: String) -> [String] {
        var out: [String] = []
        var rest = Substring(line)
        let needle = "\"" + key + "\":\""
        while let r = rest.range(of: needle) {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            out.append(String(after[..<end]))
            rest = after[end...]
        }
        return out
    }

    static func privateIPv4s(_ line: String) -> [String] {
        var out: [String] = []
        let b = Array(line.utf8)
        var i = 0
        while i < b.count {
            if (0x30...0x39).contains(b[i]) && (i == 0 || !(isWordByte(b[i - 1]) || b[i - 1] == 0x2E)) {
                var j = i
                while j < b.count && ((0x30...0x39).contains(b[j]) || b[j] == 0x2E) { j += 1 }
                let text = String(decoding: b[i..<j], as: UTF8.self)
                if let ip = IPAddress(text), ip.isIPv4, LearnedEnvironment.isRFC1918(ip) { out.append(text) }
                i = j
            } else { i += 1 }
        }
        return out
    }

    /// `YYYY-MM-DD[ T]HH:MM:SS[.f…]` at `i` in `b`: its UTC µs (the dataset's times are UTC) and end.
    static func dateTime(_ b: [UInt8], _ i: Int) -> (Int64, Int)? {
        guard i + 19 <= b.count, b[i + 4] == 0x2D, b[i + 7] == 0x2D, b[i + 10] == 0x20 || b[i + 10] == 0x54, b[i + 13] == 0x3A, b[i + 16] == 0x3A else { return nil }
        func num(_ s: Int, _ n: Int) -> Int? {
            var v = 0
            for k in s..<(s + n) { guard (0x30...0x39).contains(b[k]) else { return nil }; v = v * 10 + Int(b[k] - 0x30) }
            return v
        }
        guard let y = num(i, 4), let mo = num(i + 5, 2), let d = num(i + 8, 2), let h = num(i + 11, 2), let mi = num(i + 14, 2), let s = num(i + 17, 2) else { return nil }
        var j = i + 19, micro = 0, digits = 0
        if j < b.count, b[j] == 0x2E {
            j += 1
            while j < b.count, (0x30...0x39).contains(b[j]) { if digits < 6 { micro = micro * 10 + Int(b[j] - 0x30) }; digits += 1; j += 1 }
            for _ in min(digits, 6)..<6 { micro *= 10 }
        }
        let c = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: micro)
        guard c.isValid else { return nil }
        return (c.utcMicroseconds, j)
    }

    /// The record's time: its `TimeCreated` (else `@timestamp`, else its first date-time).
    static func recordTime(_ line: String) -> Int64? {
        let b = Array(line.utf8)
        for key in ["\"TimeCreated\":\"", "\"@timestamp\":\""] {
            if let r = line.range(of: key) {
                let i = line.utf8.distance(from: line.utf8.startIndex, to: r.upperBound)
                if let (t, _) = dateTime(b, i) { return t }
            }
        }
        for i in 0..<b.count where (0x31...0x32).contains(b[i]) { if let (t, _) = dateTime(b, i) { return t } }
        return nil
    }

    /// The line rewritten, and its new time.
    func rewrite(_ input: [UInt8]) -> (line: String, time: Timestamp?) {
        var line = input
        // `"Hostname":"X"` gets the environment's full name (the token pass below then leaves it).
        for (from, to) in hostnameValues.sorted(by: { $0.key < $1.key }) {
            let needle = Array("\"Hostname\":\"\(from)\"".utf8)
            if let r = Self.find(needle, in: line) {
                line.replaceSubrange(r..<(r + needle.count), with: Array("\"Hostname\":\"\(to)\"".utf8))
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 32)
        var i = 0
        while i < line.count {
            let b = line[i]
            // A JSON escape (`\t` before a name in a message) is copied whole and is a boundary.
            if b == 0x5C, i + 1 < line.count {
                out += line[i...(i + 1)]
                i += 2
                continue
            }
            let boundary = i == 0 || !(Self.isWordByte(line[i - 1]) || line[i - 1] == 0x2E) || (i >= 2 && line[i - 2] == 0x5C)
            if boundary, (0x30...0x39).contains(b) {
                if let (t, end) = Self.dateTime(line, i) {
                    // Same text shape: date, the separator the source used, time, fraction digits.
                    let digits = end - (i + 20) > 0 ? end - (i + 20) : 0
                    var s = CivilTime(utcMicroseconds: t + delta).iso8601(fractionDigits: digits, offsetSeconds: 0)
                    s.removeLast(6)   // "+00:00"
                    var bytes = Array(s.utf8)
                    bytes[10] = line[i + 10]
                    out += bytes
                    i = end
                    continue
                }
                var j = i
                while j < line.count && ((0x30...0x39).contains(line[j]) || line[j] == 0x2E) { j += 1 }
                let text = String(decoding: line[i..<j], as: UTF8.self)
                if let mapped = addressMap[text] { out += Array(mapped.utf8) } else { out += line[i..<j] }
                i = j
                continue
            }
            if boundary, Self.isWordByte(b) {
                var j = i
                while j < line.count && Self.isWordByte(line[j]) { j += 1 }
                let word = String(decoding: line[i..<j], as: UTF8.self)
                if let mapped = hostMap[word.lowercased()] {
                    let lower = word == word.lowercased() && word != word.uppercased()
                    out += Array((lower ? mapped.lowercased() : mapped).utf8)
                } else { out += line[i..<j] }
                i = j
                continue
            }
            out.append(b)
            i += 1
        }
        let text = String(decoding: out, as: UTF8.self)
        return (text, Self.recordTime(text).map { Timestamp(microseconds: $0) })
    }
}

extension Injector {
    /// Replays recorded attacks (and runs scenarios, if any) into a copy of the user's logs:
    /// each dataset's records go into the user's file of the same format on the host the
    /// dataset's main host maps to (in time order), else into a new file
    /// `windows/<host>/<dataset>.json`; every replayed record is labelled with the dataset's
    /// technique.
    public static func replay(_ attacks: [RecordedAttack], into: URL, environment: LearnedEnvironment, out: URL,
                              read: Reader = plainReader) throws -> InjectionReport {
        let client = environment.client()
        let listing = try listFiles(into)
        var pending: [String: [PendingRecord]] = [:], kinds: [String: TargetKind] = [:]
        var created: [String: (layout: LogFileLayout, records: [PendingRecord])] = [:]
        var report = InjectionReport()
        report.client = client
        for (n, attack) in attacks.enumerated() {
            let rewriter = ReplayRewriter(attack, client: client)
            let campaign = "\(attack.name)#\(client.id)-\(n + 1)"
            let label = TruthLabel(technique: attack.technique, tactic: attack.tactic, campaign: campaign, step: "replay")
            let host = rewriter.mainHost ?? ""
            var records: [PendingRecord] = []
            var last = attack.start
            for line in lines(attack.data) where line.end > line.start {
                let (text, time) = rewriter.rewrite(Array(attack.data[line.start..<line.end]))
                last = time ?? last
                records.append(PendingRecord(time: last, sequence: records.count, line: text, client: client.id, host: host, label: label))
            }
            report.runs.append((attack.name, campaign, attack.start))
            let target = listing.first { rel in
                guard let f = environment.file(endingWith: rel) else { return false }
                return f.parser == "windows-flat-json" && f.mainHost == host
            }
            if let target {
                pending[target, default: []] += records.map { var r = $0; r.sequence += pending[target]?.count ?? 0; return r }
                kinds[target] = .lines
            } else {
                let rel = "windows/\(host.isEmpty ? "replay" : host)/\(attack.name).json"
                let before = created[rel]?.records ?? []
                created[rel] = (LogFileLayout(), before + records.map { var r = $0; r.sequence += before.count; return r })
            }
        }
        try write(into: into, listing: listing, pending: pending, kinds: kinds, created: created, environment: environment,
                  out: out, read: read, report: &report)
        return report
    }
}
