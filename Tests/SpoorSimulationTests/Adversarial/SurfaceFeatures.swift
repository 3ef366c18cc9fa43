import Foundation
import SpoorCore
@testable import SpoorSimulation

/// Surface features of one log record, for the adversarial check (issue 6 item 4): how a record
/// looks, never what it means. Record length, number of fields, the field order and presence
/// signature, timestamp precision, the shape of host, user and process names (length, digits,
/// case, separators) and value formats (integers, decimals, addresses, hex, GUIDs, unset values).
/// No event ids, no words, no time of day.
struct SurfaceFeatures {
    static let names = [
        "length", "fields", "signature", "max_value_length",
        "ts_fraction_digits", "ts_trailing_zeros", "ts_offset",
        "host_length", "host_digits", "host_upper", "host_separators",
        "user_length", "user_digits", "user_upper", "user_separators",
        "process_length", "process_digits", "process_upper", "process_separators",
        "v_unset", "v_int", "v_decimal", "v_ipv4", "v_ipv6", "v_hex", "v_hex_upper", "v_guid", "v_quoted", "v_other",
    ]

    /// Numeric features in the order of ``names``; `signature` is filled by ``Table`` (a rank).
    var values: [Double]
    /// The field order and presence signature, as text.
    var signature: String

    /// The source type of a file under the logs folder: the client folder and any host folder
    /// dropped (`acme/linux/web01/auth.log` → `linux/auth.log`).
    static func sourceType(_ file: String) -> String {
        let parts = file.split(separator: "/").map(String.init)
        guard parts.count >= 3 else { return file }
        return parts[1] + "/" + parts[parts.count - 1]
    }

    /// Features of one record.
    init(line: String) {
        let bytes = Array(line.utf8)
        var fields = 0
        var sig = ""
        var valuesText: [String] = []
        var host: String?, user: String?, process: String?
        var tsFromFirstField: String?
        if bytes.first == UInt8(ascii: "{"), let v = try? JSONParser(maximumDepth: 32).parse(bytes.span) {
            let flat = v.flattened()
            fields = flat.count
            sig = flat.map(\.0).joined(separator: ",")
            func first(_ keys: [String]) -> String? {
                for k in keys {
                    if let hit = flat.first(where: { ($0.0 == k || $0.0.hasSuffix("." + k)) && !["", "-"].contains($0.1.text) }) { return hit.1.text }
                }
                return nil
            }
            host = first(["Computer", "hostname", "host.name"])
            user = first(["TargetUserName", "SubjectUserName", "User", "AccountName", "user.name"])
            process = first(["Image", "NewProcessName", "ProcessName", "ParentImage"]).map(Self.basename)
            valuesText = flat.map(\.1.text)
        } else if bytes.contains(9) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            fields = parts.count
            sig = parts.map { $0 == "-" ? "u" : ($0 == "(empty)" || $0.isEmpty ? "e" : "v") }.joined()
            valuesText = parts
            tsFromFirstField = parts.first
        } else {
            let tokens = line.split(separator: " ").map(String.init)
            fields = tokens.count
            sig = tokens.prefix(3).map(Self.shape).joined(separator: " ")
            valuesText = tokens
            if tokens.count > 3, tokens[3].hasPrefix("[") {
                // Combined access log: client, ident, authuser, [time …
                user = tokens[2] == "-" ? nil : tokens[2]
            } else if tokens.count > 2 {
                // Syslog: time, host, program[pid]: message
                host = tokens[1]
                process = String(tokens[2].prefix { $0 != "[" && $0 != ":" })
                if let i = tokens.firstIndex(of: "user") ?? tokens.firstIndex(of: "for"), i + 1 < tokens.count {
                    user = tokens[i + 1] == "invalid" && i + 3 < tokens.count ? tokens[i + 3] : tokens[i + 1]
                }
                if user == nil, let u = tokens.first(where: { $0.hasPrefix("user=") }) { user = String(u.dropFirst(5)) }
            }
        }
        let ts = Self.timestampPrecision(bytes, firstField: tsFromFirstField)
        var counts = [Double](repeating: 0, count: 10)
        var maxLength = 0
        for v in valuesText {
            counts[Self.valueClass(v).rawValue] += 1
            if Self.isUpperHex(v) { counts[9] += 1 }
            maxLength = max(maxLength, v.utf8.count)
        }
        // v_* in the order of `names`: unset, int, decimal, ipv4, ipv6, hex, hex_upper, guid, quoted, other.
        let formats = [counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[9], counts[6], counts[7], counts[8]]
        values = [Double(bytes.count), Double(fields), 0, Double(maxLength), ts.digits, ts.trailingZeros, ts.offset]
            + Self.nameShape(host) + Self.nameShape(user) + Self.nameShape(process) + formats
        signature = sig
    }

    static func basename(_ s: String) -> String {
        String(s.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? Substring(s))
    }

    /// Length, digits, upper-case letters and separators (`.`, `-`, `_`, `$`); −1 each when absent.
    static func nameShape(_ name: String?) -> [Double] {
        guard let name, !name.isEmpty else { return [-1, -1, -1, -1] }
        var digits = 0, upper = 0, separators = 0
        for c in name.unicodeScalars {
            if ("0"..."9").contains(c) { digits += 1 } else if ("A"..."Z").contains(c) { upper += 1 } else if ".-_$".unicodeScalars.contains(c) { separators += 1 }
        }
        return [Double(name.unicodeScalars.count), Double(digits), Double(upper), Double(separators)]
    }

    /// Character classes with runs collapsed: `web01` → `a9`, `sshd[812]:` → `a[9]:`.
    static func shape(_ s: String) -> String {
        var out = ""
        var last: Character?
        for c in s {
            let k: Character = c.isASCII && c.isNumber ? "9" : (c.isASCII && c.isUppercase ? "A" : (c.isASCII && c.isLowercase ? "a" : c))
            if k != last || !"9Aa".contains(k) { out.append(k) }
            last = k
        }
        return out
    }

    enum ValueClass: Int { case unset = 0, int, decimal, ipv4, ipv6, hex, guid, quoted, other }

    static func valueClass(_ v: String) -> ValueClass {
        if v.isEmpty || v == "-" || v == "(empty)" { return .unset }
        let u = Array(v.utf8)
        func all(_ s: ArraySlice<UInt8>, _ p: (UInt8) -> Bool) -> Bool { !s.isEmpty && s.allSatisfy(p) }
        let digit = { (b: UInt8) in b >= 48 && b <= 57 }
        let hex = { (b: UInt8) in digit(b) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70) }
        let body = u.first == UInt8(ascii: "-") ? u.dropFirst() : u[...]
        if all(body, digit) { return .int }
        if let dot = body.firstIndex(of: UInt8(ascii: ".")), all(body[..<dot], digit), all(body[(dot + 1)...], digit) { return .decimal }
        if u.first == UInt8(ascii: "\"") { return .quoted }
        let noPort = v.split(separator: ":").first.map(String.init) ?? v
        let octets = noPort.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }) { return .ipv4 }
        if u.filter({ $0 == UInt8(ascii: ":") }).count >= 2, u.allSatisfy({ hex($0) || $0 == UInt8(ascii: ":") }) { return .ipv6 }
        let trimmed = v.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        let groups = trimmed.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        if groups == [8, 4, 4, 4, 12], trimmed.utf8.allSatisfy({ hex($0) || $0 == UInt8(ascii: "-") }) { return .guid }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X"), all(u.dropFirst(2), hex) { return .hex }
        if u.count >= 16, all(u[...], hex) { return .hex }
        return .other
    }

    static func isUpperHex(_ v: String) -> Bool {
        let c = valueClass(v)
        guard c == .hex || c == .guid else { return false }
        return v.dropFirst(v.hasPrefix("0x") ? 2 : 0).utf8.contains { $0 >= 65 && $0 <= 70 }
    }

    /// Fraction digits and trailing zeros of the record's first time of day (`hh:mm:ss[.fff…]`),
    /// and what follows it: 0 nothing, 1 `Z`, 2 a numeric offset, 3 anything else. A TSV record
    /// whose first field is epoch seconds (Zeek's `ts`) is read from that field instead.
    static func timestampPrecision(_ b: [UInt8], firstField: String?) -> (digits: Double, trailingZeros: Double, offset: Double) {
        func fraction(_ digits: ArraySlice<UInt8>) -> (Double, Double) {
            let zeros = digits.reversed().prefix { $0 == UInt8(ascii: "0") }.count
            return (Double(digits.count), Double(zeros))
        }
        let digit = { (x: UInt8) in x >= 48 && x <= 57 }
        if let f = firstField, let dot = f.utf8.firstIndex(of: UInt8(ascii: ".")), f.utf8.prefix(upTo: dot).allSatisfy(digit) {
            let (d, z) = fraction(ArraySlice(Array(f.utf8)[(f.utf8.distance(from: f.utf8.startIndex, to: dot) + 1)...]))
            return (d, z, 0)
        }
        var i = 0
        while i + 8 <= b.count {
            if digit(b[i]), digit(b[i + 1]), b[i + 2] == 58, digit(b[i + 3]), digit(b[i + 4]), b[i + 5] == 58, digit(b[i + 6]), digit(b[i + 7]) {
                var j = i + 8
                var d = 0.0, z = 0.0
                if j < b.count, b[j] == UInt8(ascii: ".") {
                    var k = j + 1
                    while k < b.count, digit(b[k]) { k += 1 }
                    (d, z) = fraction(b[(j + 1)..<k])
                    j = k
                }
                let offset: Double = j >= b.count ? 0 : (b[j] == UInt8(ascii: "Z") ? 1 : (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") ? 2 : 3))
                return (d, z, offset)
            }
            i += 1
        }
        return (-1, -1, -1)
    }
}

/// Labelled feature rows of many records, written as the CSV `adversarial.py` reads.
struct FeatureTable {
    struct Row {
        var source: String
        var label: Bool
        var features: SurfaceFeatures
        /// The record's semantic type within its source (``RecordKind``).
        var kind: String = ""
        /// The cross-validation group: `c:<campaign>` for an attack record, `h:<client>/<host>/<day>` for
        /// a benign one (the host the simulator wrote it for and its UTC day).
        var group: String = ""
        /// The record's own client, host and UTC day (`h:<client>/<host>/<day>`), attack records too: the oracle
        /// drops from a fold's training part every record of a host-day its test part has.
        var hostDay: String = ""
        /// Whether the record is in the uniform random benign sample of the old, record-level
        /// check (attack records: always).
        var inRandomSample = true
        /// The record itself (for diagnostics).
        var line: String = ""
    }

    var rows: [Row] = []

    /// The CSV: `source,label,kind,group,random,<features>`; each source's signatures become
    /// ranks by frequency (most frequent 0, ties by text), so the classifier sees order and
    /// presence as a number. Kinds and groups are written with commas replaced by `;`.
    func csv() -> String {
        var ranks: [String: [String: Int]] = [:]
        var counts: [String: [String: Int]] = [:]
        for r in rows { counts[r.source, default: [:]][r.features.signature, default: 0] += 1 }
        for (source, c) in counts {
            let ordered = c.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            ranks[source] = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1.key, $0) })
        }
        func clean(_ s: String) -> String { String(s.map { $0 == "," || $0 == "\n" || $0 == "\"" ? ";" : $0 }) }
        var out = "source,label,kind,group,hostday,random," + SurfaceFeatures.names.joined(separator: ",") + "\n"
        for r in rows {
            var v = r.features.values
            v[2] = Double(ranks[r.source]?[r.features.signature] ?? -1)
            out += r.source + "," + (r.label ? "1" : "0") + "," + clean(r.kind) + "," + clean(r.group) + "," + clean(r.hostDay) + "," + (r.inRandomSample ? "1" : "0") + ","
            out += v.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Reads every file a simulation wrote (its data records, not its header and footer) and
    /// labels each record from the ground truth, with its kind and group. Per source type every
    /// attack record is kept, and two benign pools (drawn with `seed`): a uniform sample of at
    /// most `benignCap` records (the old record-level check), and for each kind that attack
    /// records have, at most `perKindCap` records of that kind (the pool `adversarial.py` draws
    /// its kind-matched sample from; it never needs more than 10 per attack record).
    /// `only`: the source types to read (nil: all).
    static func read(logs: URL, output: SimulationOutput, truth: [GroundTruthRow], benignCap: Int = 20_000,
                     perKindCap: Int = 8_000, seed: UInt64 = 5, only: Set<String>? = nil) throws -> FeatureTable {
        let campaign = Dictionary(truth.map { ("\($0.file)#\($0.record)", $0.label.campaign) }, uniquingKeysWith: { a, _ in a })
        struct Record { var line: String; var label: Bool; var kind: String; var group: String; var hostDay: String }
        var bySource: [String: [Record]] = [:]
        for file in output.fileNames {
            if let only, !only.contains(SurfaceFeatures.sourceType(file)) { continue }
            let layout = output.layouts[file] ?? LogFileLayout()
            let text = try String(contentsOf: logs.appendingPathComponent(file), encoding: .utf8)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            let records = Array(lines.dropFirst(layout.header.count).dropLast(layout.footer.count))
            // The entries in the order `SimulationOutput.write` wrote them: the host and day of each record.
            let entries = (output.files[file] ?? []).sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            let source = SurfaceFeatures.sourceType(file)
            let zeek = RecordKind.ZeekColumns(header: layout.header)
            for (i, line) in records.enumerated() {
                let kind = RecordKind.of(source: source, line: line, zeek: zeek)
                let host = i < entries.count ? entries[i].host : "?"
                let day = i < entries.count ? entries[i].time.microseconds / 86_400_000_000 : -1
                // The client too: every client has its own `web01` (the check runs several clients).
                let hostDay = "h:\(file.split(separator: "/").first ?? "")/\(host)/\(day)"
                if let c = campaign["\(file)#\(i + 1)"] {
                    bySource[source, default: []].append(Record(line: line, label: true, kind: kind, group: "c:" + c, hostDay: hostDay))
                } else {
                    bySource[source, default: []].append(Record(line: line, label: false, kind: kind, group: hostDay, hostDay: hostDay))
                }
            }
        }
        var table = FeatureTable()
        var rng = SplitMix64(seed: seed)
        func draw(_ pool: [Int], _ n: Int) -> [Int] {
            guard pool.count > n else { return pool }
            var p = pool
            for i in 0..<n { p.swapAt(i, i + rng.below(p.count - i)) }
            return Array(p.prefix(n))
        }
        for source in bySource.keys.sorted() {
            guard let all = bySource[source] else { continue }
            let benign = all.indices.filter { !all[$0].label }
            let random = Set(draw(benign, benignCap))
            let attackKinds = Set(all.filter(\.label).map(\.kind))
            var byKind: [String: [Int]] = [:]
            for i in benign where attackKinds.contains(all[i].kind) { byKind[all[i].kind, default: []].append(i) }
            var keep = random
            for kind in byKind.keys.sorted() { keep.formUnion(draw(byKind[kind] ?? [], perKindCap)) }
            keep.formUnion(all.indices.filter { all[$0].label })
            for i in keep.sorted() {
                let r = all[i]
                table.rows.append(Row(source: source, label: r.label, features: SurfaceFeatures(line: r.line), kind: r.kind, group: r.group, hostDay: r.hostDay,
                                      inRandomSample: r.label || random.contains(i), line: r.line))
            }
        }
        return table
    }
}
