import SpoorCore
import SpoorEvents

extension LogFormat {
    /// Any JSON object per line (``JSONLinesParser``). Sniffs at most 60 so that specific JSON
    /// formats (Zeek, Suricata, journald, Windows JSON) win.
    public static let jsonLines = LogFormat(
        name: "jsonl",
        summary: "JSON Lines: any JSON object per line, flattened under json.*",
        sniff: { sample in
            let parser = JSONParser(maximumDepth: 64)
            let share = sample.percent { line in
                let r = Bytes.trim(line, 0..<line.count)
                guard r.count >= 2, line[r.lowerBound] == UInt8(ascii: "{"), line[r.upperBound - 1] == UInt8(ascii: "}") else { return false }
                return (try? parser.parse(line)) != nil
            }
            return share * 60 / 100
        },
        makeParser: { JSONLinesParser(context: $0) })

    /// Comma-separated values with a header row (``DelimitedTextParser``).
    public static let csv = LogFormat(
        name: "csv",
        summary: "CSV with a header row (RFC 4180, multi-line quoted cells), cells under csv.*",
        framing: .quotedLines(delimiter: UInt8(ascii: ",")),
        sniff: { DelimitedSniff.score($0, delimiter: UInt8(ascii: ",")) },
        makeParser: { DelimitedTextParser(delimiter: UInt8(ascii: ","), context: $0) })

    /// Tab-separated values with a header row (``DelimitedTextParser``).
    public static let tsv = LogFormat(
        name: "tsv",
        summary: "TSV with a header row (quoted cells as in CSV), cells under csv.*",
        framing: .quotedLines(delimiter: Bytes.tab),
        sniff: { DelimitedSniff.score($0, delimiter: Bytes.tab) },
        makeParser: { DelimitedTextParser(delimiter: Bytes.tab, context: $0) })
}

/// Recognises delimited text with a header: a header of names and records with as many cells.
enum DelimitedSniff {
    /// 0…70: 70 × the share of records with the header's cell count, when the first line
    /// looks like a header of at least two names. Samples whose first line starts with `#`
    /// (Zeek TSV `#separator`, W3C `#Fields:`) score 0.
    static func score(_ sample: SampleLines, delimiter: UInt8) -> Int {
        guard let first = sample.lines.first, !first.isEmpty, first[0] != UInt8(ascii: "#") else { return 0 }
        // Lines were split at every LF: join them back and frame records honouring quotes.
        var text: [UInt8] = []
        for line in sample.lines { text.append(contentsOf: line); text.append(Bytes.lf) }
        let framer = QuotedLineFramer(delimiter: delimiter)
        var records: [Range<Int>] = []
        var start = 0
        while let r = framer.nextRecord(in: text.span, from: start, isEndOfInput: true) {
            // A record cut by the end of the sample (still in quotes) is not evidence.
            if r.isBroken { break }
            records.append(r.range)
            start = r.next
        }
        guard let headerRange = records.first else { return 0 }
        var cells: [DelimitedRecord.Cell] = []
        let b = text.span
        guard (try? DelimitedRecord.scan(b.extracting(headerRange), delimiter: delimiter, into: &cells, maximumCells: 4096)) != nil,
              cells.count >= 2 else { return 0 }
        let header = b.extracting(headerRange)
        var names = 0
        for cell in cells {
            if cell.range.isEmpty { continue }
            guard isNameLike(header, cell.range) else { return 0 }
            names += 1
        }
        guard names * 10 >= cells.count * 8 else { return 0 }
        let width = cells.count
        guard records.count >= 2 else { return 30 }
        var fitting = 0
        for r in records.dropFirst() {
            if (try? DelimitedRecord.scan(b.extracting(r), delimiter: delimiter, into: &cells, maximumCells: 4096)) != nil,
               cells.count == width { fitting += 1 }
        }
        return 70 * fitting / (records.count - 1)
    }

    /// A column name: 1…64 bytes of letters, digits, space and `_ - . ( ) / @ : %`, with a letter,
    /// `_` or `@`, and not a number.
    static func isNameLike(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count <= 64 else { return false }
        var hasLetter = false
        for i in r {
            let c = b[i]
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: "@"):
                hasLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), Bytes.space, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
                 UInt8(ascii: ")"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "%"), 0xEF, 0xBB, 0xBF:
                break
            default:
                if c < 0x80 { return false } // other ASCII punctuation: not a name; non-ASCII letters are fine
                hasLetter = true
            }
        }
        return hasLetter
    }
}
