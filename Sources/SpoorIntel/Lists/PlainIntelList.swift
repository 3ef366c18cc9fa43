import SpoorCore
import SpoorIndicators

/// Reads the plain intel lists feeds publish:
///
/// - **one indicator per line** (IPs, CIDR blocks, domains, URLs, hashes, e-mail addresses),
///   optionally followed by `;`, a tab or `,` and a description (LOKI/signature-base style);
///   a `#` comment line before a block of values is their note (`# FireEye Operation Snowman …`);
/// - **abuse.ch-style comment headers** (`# Last updated: 2024-03-04 10:00:00 UTC`, `# Generated
///   on …`) give the feed's date, used as each value's `valid_from` when the value has none;
/// - **CSV with a header line** (the header may itself be a comment, as URLhaus writes
///   `# id,dateadded,url,…`): the indicator comes from a column named like one
///   (`url`, `ioc`, `ioc_value`, `indicator`, `domain`, `ip`, `dst_ip`, `ip_address`, `md5_hash`,
///   `sha256_hash`, …), the date from `dateadded`/`first_seen`/`first_seen_utc`/`date`, labels
///   from `threat`/`threat_type`/`malware`/`malware_printable`/`tags`/`signature`.
///
/// Values are refanged and normalised by ``IndicatorNormalizer/classify(_:)``; a line that is
/// no indicator is a problem with its line number, and reading goes on.
public enum PlainIntelList {
    public struct Problem: Sendable, Hashable {
        public var line: Int
        public var message: String
    }

    public static func read(_ bytes: [UInt8], source: String, polarity: IntelPolarity = .malicious,
                            feedDate: Timestamp? = nil) -> (facts: [IntelFact], problems: [Problem]) {
        var facts: [IntelFact] = []
        var problems: [Problem] = []
        var date = feedDate
        var note: String?
        var header: [String]?
        var lastComment: String?
        var lineNumber = 0
        var seen = Set<Indicator>()
        forEachLine(bytes) { raw in
            lineNumber += 1
            let line = raw.trimmingCharacters(in: " \t\r\u{FEFF}")
            if line.isEmpty { note = nil; return }
            if line.hasPrefix("#") || line.hasPrefix("//") || line.hasPrefix(";") {
                let comment = String(line.drop(while: { $0 == "#" || $0 == "/" || $0 == ";" })).trimmingCharacters(in: " \t")
                if date == nil, let d = feedDateFromComment(comment) { date = d }
                if isHeader(comment) { header = splitCSV(comment).map { $0.lowercased() } }
                lastComment = comment
                // A descriptive comment names the block that follows (not separators or blanks).
                if comment.contains(where: { $0.isLetter }) && !isHeader(comment) && !comment.contains("----") { note = comment }
                return
            }
            if header == nil, lineNumber <= 2, isHeader(line), splitCSV(line).contains(where: { valueColumns.contains($0.lowercased()) }) {
                header = splitCSV(line).map { $0.lowercased() }
                return
            }
            _ = lastComment
            if let header {
                let cells = splitCSV(line)
                var indicator: Indicator?
                var validFrom: Timestamp?
                var labels: [String] = []
                for (i, name) in header.enumerated() where i < cells.count {
                    let cell = cells[i]
                    if indicator == nil, valueColumns.contains(name), let found = IndicatorNormalizer.classify(cell) { indicator = found }
                    if validFrom == nil, dateColumns.contains(name) { validFrom = parseDate(cell) }
                    if labelColumns.contains(name), !cell.isEmpty, cell.lowercased() != "none", cell.lowercased() != "n/a" {
                        labels += cell.split(separator: name == "tags" ? "," : "\u{0}").map { String($0).trimmingCharacters(in: " ") }
                    }
                }
                if indicator == nil {   // no named column: the first cell that is an indicator
                    indicator = cells.lazy.compactMap { IndicatorNormalizer.classify($0) }.first
                }
                guard let indicator else {
                    problems.append(Problem(line: lineNumber, message: "no indicator in this row"))
                    return
                }
                if seen.insert(indicator).inserted {
                    facts.append(IntelFact(indicator: indicator, polarity: polarity, source: source, validFrom: validFrom ?? date,
                                           labels: labels, note: note))
                }
                return
            }
            // One value, maybe with a description after ';', a tab or ','.
            var valueText = line
            var description: String?
            if let cut = line.firstIndex(where: { $0 == ";" || $0 == "\t" || $0 == "," }) {
                valueText = String(line[..<cut]).trimmingCharacters(in: " ")
                description = String(line[line.index(after: cut)...]).trimmingCharacters(in: " \t")
            } else if let space = line.firstIndex(of: " "), IndicatorNormalizer.classify(line) == nil {
                valueText = String(line[..<space])
                description = String(line[line.index(after: space)...]).trimmingCharacters(in: " \t")
            }
            guard let indicator = IndicatorNormalizer.classify(valueText) else {
                problems.append(Problem(line: lineNumber, message: "not an indicator (IP, CIDR, domain, URL, e-mail or hash)"))
                return
            }
            if seen.insert(indicator).inserted {
                facts.append(IntelFact(indicator: indicator, polarity: polarity, source: source, validFrom: date,
                                       note: [note, description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ").nilIfEmpty))
            }
        }
        return (facts, problems)
    }

    static let valueColumns: Set<String> = ["url", "ioc", "ioc_value", "indicator", "value", "domain", "hostname", "host", "ip",
                                            "ip_address", "ipaddress", "dst_ip", "dstip", "ip_port", "md5", "md5_hash", "sha1",
                                            "sha1_hash", "sha256", "sha256_hash", "sha512", "hash", "email", "address"]
    static let dateColumns: Set<String> = ["dateadded", "date_added", "first_seen", "first_seen_utc", "firstseen", "date",
                                           "timestamp", "created", "valid_from"]
    static let labelColumns: Set<String> = ["threat", "threat_type", "malware", "malware_printable", "malware_family", "tags",
                                            "signature", "family", "category"]

    /// A comment or line that is a CSV header: several comma-separated lower-case names.
    static func isHeader(_ s: String) -> Bool {
        let cells = splitCSV(s)
        guard cells.count >= 3 else { return false }
        return cells.allSatisfy { c in
            !c.isEmpty && c.count <= 40 && c.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " || $0 == "-" }
                && c.first?.isLetter == true
        }
    }

    /// "Last updated: 2024-03-04 10:00:00 UTC", "Generated on 2024-03-04", "Date: …".
    static func feedDateFromComment(_ comment: String) -> Timestamp? {
        let lower = comment.lowercased()
        guard lower.contains("updated") || lower.contains("generated") || lower.hasPrefix("date") || lower.contains("last modified") else { return nil }
        guard let colonOrOn = comment.firstIndex(where: { $0.isNumber }) else { return nil }
        return parseDate(String(comment[colonOrOn...]))
    }

    /// ISO 8601 or `YYYY-MM-DD hh:mm:ss` (UTC when no offset is written), or a date alone.
    public static func parseDate(_ text: String) -> Timestamp? {
        var t = text.trimmingCharacters(in: " \"")
        if t.count == 10 { t += "T00:00:00Z" }
        guard let p = Array(t.utf8).withUnsafeBufferPointer({ TimestampText.parseISO8601($0.span) }) else { return nil }
        return Timestamp(microseconds: p.civil.utcMicroseconds - Int64(p.offsetSeconds ?? 0) * 1_000_000)
    }

    /// Splits a CSV line (double quotes, doubled quotes inside).
    static func splitCSV(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { cell.append("\"") } else { quoted = false; if n == "," { cells.append(cell); cell = "" } else { cell.append(n) } }
                    } else { quoted = false }
                } else { cell.append(c) }
            } else if c == "\"" && cell.isEmpty {
                quoted = true
            } else if c == "," {
                cells.append(cell.trimmingCharacters(in: " "))
                cell = ""
            } else {
                cell.append(c)
            }
        }
        cells.append(cell.trimmingCharacters(in: " "))
        return cells
    }

    static func forEachLine(_ bytes: [UInt8], _ body: (String) -> Void) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            body(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end + 1
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }

    var nilIfEmpty: String? { isEmpty ? nil : self }
}
