import Testing
import SpoorCore
@testable import SpoorParsers

@Suite struct QuotedLineFramerTests {
    func frame(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> [String] {
        let bytes = Array(text.utf8)
        return QuotedLineFramer(delimiter: delimiter).records(in: bytes.span).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func quotedLineBreaksStayInTheRecord() {
        #expect(frame("a,b\r\n1,\"x\r\ny\"\r\n2,z\n") == ["a,b", "1,\"x\r\ny\"", "2,z"])
        #expect(frame("a,b\n1,\"he said \"\"\n\"\"\"\n") == ["a,b", "1,\"he said \"\"\n\"\"\""])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsData() {
        #expect(frame("a,b\n1,5\" floppy\n2,x\n") == ["a,b", "1,5\" floppy", "2,x"])
    }

    @Test func blankLinesAndBOMAreSkipped() {
        #expect(frame("\u{FEFF}a\n\n  \nb") == ["a", "b"])
    }

    @Test func anUnclosedQuoteCostsOneLine() {
        let records = frame("h1,h2\n1,\"never closed\n2,b\n3,c\n")
        #expect(records == ["h1,h2", "1,\"never closed", "2,b", "3,c"])
    }

    @Test func anOverlongQuotedRecordIsCutAtItsFirstLineBreak() {
        let bytes = Array(("1,\"" + String(repeating: "x\n", count: 100) + "\"\n2,y\n").utf8)
        let framer = QuotedLineFramer(maximumRecordLength: 50)
        let r = framer.nextRecord(in: bytes.span, from: 0, isEndOfInput: true)
        #expect(r?.isBroken == true)
        #expect(r?.range == 0..<4)
    }

    @Test func tabDelimiterOpensQuotesAfterTabsOnly() {
        #expect(frame("a\tb\n1\t\"x\ny\"\n", delimiter: Bytes.tab) == ["a\tb", "1\t\"x\ny\""])
        #expect(frame("a,b\n1,\"x\ny\"\n", delimiter: Bytes.tab) == ["a,b", "1,\"x", "y\""])
    }

    /// Incremental use: feeding the input in pieces gives the same records as all at once.
    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkInvariant(chunk: Int) {
        let text = Array("h,i\r\n1,\"a\r\nb\"\"c\"\r\n2,\"\"\r\n3,x\"y\n\"q\",\"\"\"\"\n".utf8)
        let framer = QuotedLineFramer()
        let whole = framer.records(in: text.span).map { Array(text[$0]) }
        var got: [[UInt8]] = []
        var buffer: [UInt8] = []
        var fed = 0
        var start = 0
        while true {
            let isEnd = fed == text.count
            if let r = framer.nextRecord(in: buffer.span, from: start, isEndOfInput: isEnd) {
                if !r.range.isEmpty { got.append(Array(buffer[r.range])) }
                start = r.next
                continue
            }
            if isEnd { break }
            let n = min(chunk, text.count - fed)
            buffer += text[fed..<(fed + n)]
            fed += n
        }
        #expect(got == whole)
        #expect(whole.count == 5)
    }
}
