/// A plain text table with sanitized cells and column widths capped for the terminal.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    var maximumWidth = 60

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ cells: [String]) { rows.append(cells.map(TerminalText.sanitize)) }

    func render() -> String {
        func clip(_ s: String) -> String { s.count > maximumWidth ? String(s.prefix(maximumWidth - 1)) + "…" : s }
        let all = [headers] + rows.map { $0.map(clip) }
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return all.enumerated().map { n, row -> String in
            let line = row.enumerated().map { i, c in
                i == row.count - 1 ? c : c + String(repeating: " ", count: max(0, widths[i] - c.count))
            }.joined(separator: "  ")
            if n == 0 { return line + "\n" + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") }
            return line
        }.joined(separator: "\n")
    }
}
