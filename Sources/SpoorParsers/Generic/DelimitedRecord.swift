import SpoorCore

/// Splits one CSV or TSV record into cells (RFC 4180), with the quoting rules of
/// ``QuotedLineFramer``: a quote opens a field only as its first byte, `""` inside a quoted
/// field is one quote, line breaks inside quotes are data.
enum DelimitedRecord {
    /// One cell: its content bytes (inside the quotes, for a quoted cell).
    struct Cell: Sendable, Hashable {
        var range: Range<Int>
        /// The content holds `""` pairs that stand for one `"` each.
        var hasEscapedQuotes: Bool
    }

    /// Scans `b` into `cells` (cleared first).
    ///
    /// - Throws: `.badField` for a quoted field that never closes or is followed by other
    ///   bytes than the delimiter, or for more than `maximumCells` cells.
    static func scan(_ b: Span<UInt8>, delimiter: UInt8, into cells: inout [Cell], maximumCells: Int) throws(ParseError) {
        cells.removeAll(keepingCapacity: true)
        let n = b.count
        let quote = Bytes.quote
        var i = 0
        while true {
            guard cells.count < maximumCells else {
                throw ParseError(.badField, at: i, "more than \(maximumCells) cells in one record")
            }
            if i < n, b[i] == quote {
                var j = i + 1
                var escaped = false
                var close = -1
                while j < n {
                    if b[j] == quote {
                        if j + 1 < n, b[j + 1] == quote { escaped = true; j += 2; continue }
                        close = j
                        break
                    }
                    j += 1
                }
                guard close >= 0 else { throw ParseError(.badField, at: i, "quoted field is not closed") }
                cells.append(Cell(range: (i + 1)..<close, hasEscapedQuotes: escaped))
                let k = close + 1
                if k == n { return }
                guard b[k] == delimiter else {
                    throw ParseError(.badField, at: k, "bytes after the closing quote of a field")
                }
                i = k + 1
            } else {
                var j = i
                while j < n, b[j] != delimiter { j += 1 }
                cells.append(Cell(range: i..<j, hasEscapedQuotes: false))
                if j == n { return }
                i = j + 1
            }
        }
    }

    /// Appends the content of a cell with each `""` turned into `"`.
    static func appendUnescaped(_ b: Span<UInt8>, _ r: Range<Int>, to out: inout [UInt8]) {
        var i = r.lowerBound
        while i < r.upperBound {
            let c = b[i]
            out.append(c)
            i += c == Bytes.quote && i + 1 < r.upperBound && b[i + 1] == Bytes.quote ? 2 : 1
        }
    }
}
