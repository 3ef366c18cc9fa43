import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorParsers
import SpoorTesting

/// A Zeek TSV header for inline tests.
func zeekHeader(path: String = "conn", fields: [String], types: [String]) -> String {
    """
    #separator \\x09
    #set_separator\t,
    #empty_field\t(empty)
    #unset_field\t-
    #path\t\(path)
    #open\t2024-03-01-10-00-00
    #fields\t\(fields.joined(separator: "\t"))
    #types\t\(types.joined(separator: "\t"))

    """
}

func zeekIP(_ text: String) -> IPAddress? {
    let bytes = Array(text.utf8)
    return IPAddress.parse(bytes.span)
}

func zeekContext(_ name: String = "") -> ParseContext {
    ParseContext(collectedAt: Timestamp(seconds: 1_700_000_000), sourceName: name)
}

@Suite struct ZeekTSVParserTests {
    static func parseFixture(_ name: String) throws -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(try Fixtures.bytes("zeek/\(name)"), with: ZeekTSVParser(context: zeekContext(name)))
    }

    static func parse(_ text: String) -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        Fixtures.parseLines(Array(text.utf8), with: ZeekTSVParser(context: zeekContext()))
    }

    /// Parses one record after `header` and returns its error.
    static func error(_ header: String, _ record: String) -> ParseError? {
        var parser = ZeekTSVParser(context: zeekContext())
        var builder = EventBatchBuilder()
        for line in header.split(separator: "\n") {
            builder.beginRow()
            _ = try? parser.parse(Array(line.utf8).span, into: &builder)
            builder.cancelRow()
        }
        builder.beginRow()
        defer { builder.cancelRow() }
        do {
            _ = try parser.parse(Array(record.utf8).span, into: &builder)
            return nil
        } catch {
            return error
        }
    }

    @Test func headerLinesAreDirectivesAndBlocksConcatenate() throws {
        let bytes = try Fixtures.bytes("zeek/conn.log")
        var parser = ZeekTSVParser(context: zeekContext("conn.log"))
        var builder = EventBatchBuilder()
        var directives = 0, events = 0
        for line in bytes.split(separator: Bytes.lf) {
            builder.beginRow()
            let outcome = try parser.parse(Array(line).span, into: &builder)
            if outcome == .event { builder.endRow(); events += 1 } else { builder.cancelRow(); directives += 1 }
        }
        // Two blocks of eight header lines, each closed by #close.
        #expect(directives == 18)
        #expect(events == 4)
        #expect(builder.finish().count == 4)
    }

    @Test func typedValuesAndECS() throws {
        let (batch, rejects) = try Self.parseFixture("conn.log")
        #expect(rejects.isEmpty)
        let e = batch.row(0)
        #expect(e.timestamp == Timestamp(microseconds: 1_709_287_200_123_456))
        #expect(e["zeek.ts"] == .timestamp(Timestamp(microseconds: 1_709_287_200_123_456)))
        #expect(e[Field.sourceIP] == .ip(try #require(zeekIP("192.0.2.10"))))
        #expect(e["zeek.id.orig_h"] == e[Field.sourceIP])
        #expect(e[Field.sourcePort] == .int(49152))
        #expect(e[Field.destinationPort] == .int(443))
        #expect(e[Field.networkTransport] == .string("tcp"))
        #expect(e[Field.networkProtocol] == .string("ssl"))
        #expect(e[Field.networkFlowID] == .string("CAbc1234567890xyz1"))
        #expect(e["zeek.duration"] == .double(1.50025))
        #expect(e[Field.eventDuration] == .int(1_500_250_000))
        #expect(e[Field.sourceBytes] == .int(517))
        #expect(e[Field.destinationBytes] == .int(4312))
        #expect(e[Field.sourcePackets] == .int(9))
        #expect(e["zeek.local_orig"] == .bool(true))
        #expect(e["zeek.local_resp"] == .bool(false))
        #expect(e["zeek.conn_state"] == .string("SF"))
        #expect(e["zeek.tunnel_parents"] == .list([]))
        #expect(e[Field.eventDataset] == .string("zeek.conn"))
        #expect(e[Field.eventModule] == .string("zeek"))
        #expect(e[Field.eventKind] == .string("event"))
        #expect(e[Field.eventCategory] == .list(["network"]))
        #expect(e[Field.eventType] == .list(["connection"]))
        #expect(e[Field.eventTimezone] == .string("+00:00"))
        // A time with a short fraction is still microseconds.
        #expect(batch.row(2).timestamp == Timestamp(microseconds: 1_709_287_202_500_000))
        #expect(batch.row(2)["zeek.duration"] == .double(0.00087))
    }

    @Test func unsetIsNullAndEmptyIsEmpty() throws {
        let (batch, _) = try Self.parseFixture("conn.log")
        let e = batch.row(1)
        #expect(e["zeek.duration"] == nil)
        #expect(e[Field.eventDuration] == nil)
        #expect(e["zeek.orig_bytes"] == nil)
        #expect(e["zeek.tunnel_parents"] == nil)
        #expect(e[Field.sourceIP] == .ip(try #require(zeekIP("2001:db8::1"))))
        #expect(e[Field.destinationIP]?.description == "ff02::fb")

        let empty = Self.parse(zeekHeader(fields: ["ts", "uid", "history"], types: ["time", "string", "string"])
                               + "1.0\t(empty)\t-\n")
        #expect(empty.batch.row(0)["zeek.uid"] == .string(""))
        #expect(empty.batch.row(0)["zeek.history"] == nil)
    }

    @Test func setsAndVectors() throws {
        let (batch, _) = try Self.parseFixture("conn.log")
        #expect(batch.row(2)["zeek.tunnel_parents"] == .list(["CTun1", "CTun2"]))
        // A string that holds a comma is not a set.
        #expect(batch.row(2)[Field.networkProtocol] == .string("http,ssl"))

        let dns = Self.parse(zeekHeader(path: "dns", fields: ["ts", "answers", "TTLs", "ips", "when"],
                                        types: ["time", "vector[string]", "vector[interval]", "set[addr]", "vector[time]"])
                             + "1.0\ta\\x2cb,c\t300.000000,0.500000\t192.0.2.1,2001:db8::2\t1709287200.000001\n")
        #expect(dns.rejects.isEmpty)
        let e = dns.batch.row(0)
        // The escaped set separator belongs to the element.
        #expect(e["zeek.answers"] == .list(["a,b", "c"]))
        #expect(e[Field.dnsAnswersData] == .list(["a,b", "c"]))
        // Numbers in containers are kept as the shortest text of their value, times as ISO 8601.
        #expect(e["zeek.TTLs"] == .list(["300.0", "0.5"]))
        #expect(e["zeek.ips"] == .list(["192.0.2.1", "2001:db8::2"]))
        #expect(e["zeek.when"] == .list(["2024-03-01T10:00:00.000001Z"]))
    }

    @Test func escapesAreDecodedToBytes() throws {
        let result = Self.parse(zeekHeader(fields: ["ts", "a", "b", "c", "d"], types: ["time", "string", "string", "string", "string"])
                                + "1.0\ttab\\x09here\t\\\\pipe\\\\name\tbad\\xffbyte\tkeep\\q\n")
        #expect(result.rejects.isEmpty)
        let e = result.batch.row(0)
        #expect(e["zeek.a"] == .string("tab\there"))
        #expect(e["zeek.b"] == .string("\\pipe\\name"))
        // Invalid UTF-8 is kept as bytes (shown under the ByteText policy).
        #expect(e["zeek.c"] == .string(ByteText.string(Array("bad".utf8) + [0xFF] + Array("byte".utf8))))
        #expect(e["zeek.d"] == .string("keep\\q"))
    }

    @Test func customSeparatorsAndTokens() {
        let text = """
            #separator \\x7c
            #set_separator|;
            #empty_field|EMPTY
            #unset_field|NULL
            #path|conn
            #fields|ts|uid|tunnel_parents|service
            #types|time|string|set[string]|string
            1.5|C1|a;b|NULL
            2.5|C2|EMPTY|x\\x7cy

            """
        let result = Self.parse(text)
        #expect(result.rejects.isEmpty)
        #expect(result.batch.row(0)["zeek.tunnel_parents"] == .list(["a", "b"]))
        #expect(result.batch.row(0)["zeek.service"] == nil)
        #expect(result.batch.row(1)["zeek.tunnel_parents"] == .list([]))
        #expect(result.batch.row(1)["zeek.service"] == .string("x|y"))
    }

    @Test func separatorWrittenAsBackslashT() {
        // Written by a tool that rewrote the log (RITA's dnscat2-ja3-strobe-agent/http.log.gz).
        let r = Self.parse("#separator \\t\n#fields\tts\tuid\n#types\ttime\tstring\n1.0\tC1\n")
        #expect(r.rejects.isEmpty)
        #expect(r.batch.row(0)["zeek.uid"] == .string("C1"))
    }

    @Test func unknownPathGetsTheCommonMappingAndFieldSetDecidesTheSchema() {
        // No #path and an uninformative source name: the field set says conn.
        let r = Self.parse("#separator \\x09\n#fields\tts\tuid\tduration\tconn_state\thistory\n#types\ttime\tstring\tinterval\tstring\tstring\n1.0\tC1\t2.0\tSF\tSh\n")
        #expect(r.batch.row(0)[Field.eventDataset] == .string("zeek.conn"))
        #expect(r.batch.row(0)[Field.eventDuration] == .int(2_000_000_000))
        let other = Self.parse("#separator \\x09\n#fields\tts\tthing\n#types\ttime\tstring\n1.0\tx\n")
        #expect(other.batch.row(0)[Field.eventDataset] == .string("zeek.unknown"))
        #expect(other.batch.row(0)[Field.timestamp] != nil)
    }

    @Test func fieldsAreKeyedByNameNotPosition() throws {
        let (batch, _) = try Self.parseFixture("conn.log")
        // The second block has no local_orig and adds community_id at the end.
        let e = batch.row(3)
        #expect(e["zeek.local_orig"] == nil)
        #expect(e["zeek.history"] == .string("ShAdDaFf"))
        #expect(e[Field.networkCommunityID] == .string("1:LQU9qZlK+B5F3KDmev6m5PMibrg="))
        #expect(e["zeek.community_id"] == e[Field.networkCommunityID])
        #expect(e[Field.eventDuration] == .int(12_000_001_000))
    }

    static let header = zeekHeader(fields: ["ts", "uid", "id.orig_h"], types: ["time", "string", "addr"])

    @Test(arguments: [
        // More fields than #fields: the offset is where the first extra field starts.
        ("1.0\tC1\t192.0.2.1\textra", ParseError.Code.badField, 17),
        // Fewer: the offset is the end of the record.
        ("1.0\tC1", ParseError.Code.truncated, 6),
        ("1.0", ParseError.Code.truncated, 3),
        ("nope\tC1\t192.0.2.1", ParseError.Code.badTimestamp, 0),
        ("1.0\tC1\t192.0.2.300", ParseError.Code.badField, 7),
        ("1.0\tC1\t192.0.2.1\t\t", ParseError.Code.badField, 17),
    ])
    func badRecordsThrowWithOffset(record: String, code: ParseError.Code, offset: Int) throws {
        let error = try #require(Self.error(Self.header, record))
        #expect(error.code == code)
        #expect(error.byteOffset == offset)
        // Messages never quote field values.
        #expect(!error.message.contains("192.0.2"))
    }

    @Test func trailingSeparatorIsTolerated() {
        #expect(Self.error(Self.header, "1.0\tC1\t192.0.2.1\t") == nil)
    }

    @Test func dataBeforeFieldsIsBadHeader() throws {
        let before = Self.parse("1.0\tC1\n" + Self.header + "1.0\tC1\t192.0.2.1\n")
        #expect(before.rejects.map(\.line) == [1])
        #expect(before.rejects.map(\.error.code) == [.badHeader])
        #expect(before.batch.count == 1)
        // A new #separator starts a block that has no #fields yet.
        let result = Self.parse(Self.header + "1.0\tC1\t192.0.2.1\n#separator \\x09\n1.0\tC1\t192.0.2.1\n")
        #expect(result.batch.count == 1)
        #expect(result.rejects.map(\.error.code) == [.badHeader])
    }

    @Test func malformedHeaders() {
        #expect(Self.parse("#separator ,,\n").rejects.map(\.error.code) == [.badHeader])
        #expect(Self.parse("#separator \\x09\n#set_separator\t::\n").rejects.map(\.error.code) == [.badHeader])
        let mismatched = Self.parse("#separator \\x09\n#fields\ta\tb\n#types\tcount\n1\t2\n")
        // The #types line is rejected; records are read with their fields as text.
        #expect(mismatched.rejects.map(\.error.code) == [.badHeader])
        #expect(mismatched.batch.row(0)["zeek.a"] == .string("1"))
    }

    @Test(arguments: [
        ("T", true), ("F", false),
    ])
    func bools(text: String, value: Bool) {
        let r = Self.parse(zeekHeader(fields: ["ts", "local_orig"], types: ["time", "bool"]) + "1.0\t\(text)\n")
        #expect(r.batch.row(0)["zeek.local_orig"] == .bool(value))
    }

    @Test(arguments: ["1.0\ttrue\t1", "1.0\t1\t1", "1.0\tTF\t1", "1.0\tT\t99999999999999999999", "1.0\tT\t12x"])
    func badScalarsAreRejected(record: String) {
        let header = zeekHeader(fields: ["ts", "b", "n"], types: ["time", "bool", "count"])
        #expect(Self.error(header, record)?.code == .badField)
    }

    @Test func hostileValues() throws {
        // A megabyte in one field is a value like any other (ingest limits record length).
        let huge = String(repeating: "A", count: 1 << 20)
        let r = Self.parse(Self.header + "1.0\t\(huge)\t192.0.2.1\n")
        #expect(r.batch.row(0)["zeek.uid"]?.description.utf8.count == 1 << 20)
        // Invalid UTF-8, NUL bytes and stray separators never crash the parser.
        var parser = ZeekTSVParser(context: zeekContext())
        var builder = EventBatchBuilder()
        for line in Self.header.split(separator: "\n") {
            builder.beginRow()
            _ = try parser.parse(Array(line.utf8).span, into: &builder)
            builder.cancelRow()
        }
        var rng = SplitMix64(seed: 42)
        var events = 0, errors = 0
        for _ in 0..<5_000 {
            let length = Int(rng.next() % 64)
            var line = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            line.removeAll { $0 == Bytes.lf }
            if rng.next() % 2 == 0 { line = Array("1.0\t".utf8) + line }
            builder.beginRow()
            do {
                if try parser.parse(line.span, into: &builder) == .event { builder.endRow(); events += 1 } else { builder.cancelRow() }
            } catch {
                builder.cancelRow()
                errors += 1
            }
        }
        #expect(events + errors > 4_000)
        #expect(builder.finish().count == events)
    }

    /// Ingest gives one parser a fresh builder per batch: the cached column handles must follow.
    @Test func newBuilderResolvesColumnsAgain() throws {
        let bytes = try Fixtures.bytes("zeek/conn.log")
        var parser = ZeekTSVParser(context: zeekContext("conn.log"))
        var batches: [EventBatch] = []
        var builder = EventBatchBuilder()
        for line in bytes.split(separator: Bytes.lf) {
            builder.beginRow()
            if try parser.parse(Array(line).span, into: &builder) == .event {
                builder.endRow()
                // One event per batch, like a tiny `batchRecords`.
                batches.append(builder.finish())
                builder = EventBatchBuilder()
                // A builder that already has other columns (ingest's provenance).
                _ = builder.column(Field.logFilePath, .string)
            } else {
                builder.cancelRow()
            }
        }
        let whole = try Self.parseFixture("conn.log").batch
        #expect(batches.count == whole.count)
        for (i, b) in batches.enumerated() { #expect(b.row(0) == whole.row(i)) }
    }

    @Test func everyMappedLogHasItsECSView() throws {
        let (batch, rejects) = try Self.parseFixture("logs.log")
        #expect(rejects.isEmpty)
        var byDataset: [String: Event] = [:]
        for e in batch.events { if case .string(let d)? = e[Field.eventDataset] { byDataset[d] = e } }
        #expect(byDataset.count == 13)

        let dns = try #require(byDataset["zeek.dns"])
        #expect(dns[Field.dnsQuestionName] == .string("www.example.com"))
        #expect(dns[Field.dnsQuestionType] == .string("A"))
        #expect(dns[Field.dnsResponseCode] == .string("NOERROR"))
        #expect(dns[Field.dnsAnswersData] == .list(["edge.example.net", "203.0.113.80"]))
        #expect(dns[Field.networkProtocol] == .string("dns"))
        #expect(dns["zeek.rtt"] == .double(0.012345))

        let http = try #require(byDataset["zeek.http"])
        #expect(http[Field.httpRequestMethod] == .string("GET"))
        #expect(http[Field.urlDomain] == .string("www.example.com"))
        #expect(http[Field.urlOriginal] == .string("/index.html?q=\ttab"))
        #expect(http[Field.httpRequestReferrer] == .string("http://ref.example.org/"))
        #expect(http[Field.userAgentOriginal] == .string("curl/8.0"))
        #expect(http[Field.httpResponseStatusCode] == .int(200))
        #expect(http[Field.userName] == .string("alice"))
        #expect(http["zeek.tags"] == .list([]))

        let ssl = try #require(byDataset["zeek.ssl"])
        #expect(ssl[Field.tlsVersion] == .string("1.2"))
        #expect(ssl[Field.tlsVersionProtocol] == .string("tls"))
        #expect(ssl[Field.tlsServerName] == .string("www.example.com"))
        #expect(ssl[Field.tlsEstablished] == .bool(true))
        #expect(ssl[Field.tlsServerSubject] == .string("CN=www.example.com,O=Example\\, Inc."))
        #expect(ssl[Field.tlsClientJA3] == .string("0123456789abcdef0123456789abcdef"))

        let x509 = try #require(byDataset["zeek.x509"])
        #expect(x509[Field.x509NotBefore] == .timestamp(Timestamp(seconds: 1_704_067_200)))
        #expect(x509[Field.x509AlternativeNames] == .list(["www.example.com", "example.com"]))
        #expect(x509[Field.x509PublicKeySize] == .int(2048))
        #expect(x509["zeek.san.ip"] == .list(["198.51.100.7"]))

        let files = try #require(byDataset["zeek.files"])
        #expect(files[Field.fileHashSHA256] == .string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(files[Field.fileHashMD5] == .string("d41d8cd98f00b204e9800998ecf8427e"))
        #expect(files[Field.fileMimeType] == .string("text/html"))
        #expect(files[Field.fileName] == .string("index.html"))
        #expect(files[Field.fileSize] == .int(1256))
        #expect(files[Field.eventCategory] == .list(["file"]))

        let notice = try #require(byDataset["zeek.notice"])
        #expect(notice[Field.eventKind] == .string("alert"))
        #expect(notice[Field.ruleName] == .string("Scan::Port_Scan"))
        // No connection: src/dst stand in for the endpoints.
        #expect(notice[Field.sourceIP]?.description == "192.0.2.66")
        #expect(notice[Field.destinationIP]?.description == "198.51.100.7")
        #expect(notice[Field.networkFlowID] == nil)

        let weird = try #require(byDataset["zeek.weird"])
        #expect(weird[Field.ruleName] == .string("bad_HTTP_request"))

        let ssh = try #require(byDataset["zeek.ssh"])
        #expect(ssh[Field.eventOutcome] == .string("failure"))
        #expect(ssh[Field.networkDirection] == .string("inbound"))
        #expect(ssh[Field.networkProtocol] == .string("ssh"))

        let smb = try #require(byDataset["zeek.smb_files"])
        #expect(smb[Field.fileName] == .string("report.docx"))
        #expect(smb[Field.fileDirectory] == .string("\\\\FILESRV\\share$"))
        #expect(smb[Field.fileMtime] == .timestamp(Timestamp(seconds: 1_709_200_000)))
        let mapping = try #require(byDataset["zeek.smb_mapping"])
        #expect(mapping["zeek.path"] == .string("\\\\FILESRV\\IPC$"))
        #expect(mapping[Field.networkProtocol] == .string("smb"))

        let krb = try #require(byDataset["zeek.kerberos"])
        #expect(krb[Field.userName] == .string("alice"))
        #expect(krb[Field.userDomain] == .string("EXAMPLE.ORG"))
        #expect(krb[Field.eventOutcome] == .string("success"))
        #expect(krb[Field.eventCategory] == .list(["authentication"]))
        #expect(krb["zeek.till"] == .timestamp(Timestamp(seconds: 2_114_380_800)))

        let rdp = try #require(byDataset["zeek.rdp"])
        #expect(rdp[Field.userName] == .string("administrator"))
        #expect(rdp["zeek.client_channels"] == .list(["rdpdr", "rdpsnd", "cliprdr"]))

        let dhcp = try #require(byDataset["zeek.dhcp"])
        #expect(dhcp[Field.sourceIP]?.description == "192.0.2.40")
        #expect(dhcp[Field.clientMAC] == .string("00:11:22:33:44:55"))
        #expect(dhcp[Field.clientIP]?.description == "192.0.2.40")
        #expect(dhcp[Field.eventDuration] == .int(4_000_000))
        #expect(dhcp["zeek.lease_time"] == .double(86400))
    }
}

@Suite struct ZeekTextTests {
    /// The eight-bytes-at-a-time separator scan agrees with a byte loop on random input.
    @Test(arguments: [UInt8(9), UInt8(ascii: ","), 0, 0xFF])
    func separatorScanAgreesWithByteLoop(sep: UInt8) {
        var rng = SplitMix64(seed: UInt64(sep) + 1)
        for _ in 0..<2_000 {
            let length = Int(rng.next() % 80)
            let bytes = (0..<length).map { _ in rng.next() % 4 == 0 ? sep : UInt8(truncatingIfNeeded: rng.next()) }
            let expected = bytes.indices.filter { bytes[$0] == sep }
            let limit = Int(rng.next() % 12)
            var seps: [Int] = []
            let extra = ZeekText.separators(in: bytes.span, sep, limit: limit, into: &seps)
            #expect(seps == Array(expected.prefix(limit)))
            #expect(extra == (expected.count > limit ? expected[limit] : nil))
        }
    }

    @Test(arguments: [
        ("1521911720.865716", Int64(1_521_911_720_865_716)),
        ("0.000870", 870),
        ("-0.5", -500_000),
        ("2230.000000", 2_230_000_000),
        ("1.5", 1_500_000),
        ("0.0008699893951416016", 870),
        ("1e-06", 1),
        ("7", 7_000_000),
    ])
    func microseconds(text: String, value: Int64) {
        let b = Array(text.utf8)
        #expect(ZeekText.microseconds(b.span, 0..<b.count) == value)
    }

    // 999999999999999.9 was found by the fuzzer: 15 digits of seconds overflow microseconds.
    @Test(arguments: ["", "-", ".", "1.2.3", "abc", "1x", "99999999999999999", "999999999999999.9", "-999999999999999"])
    func notMicroseconds(text: String) {
        let b = Array(text.utf8)
        #expect(ZeekText.microseconds(b.span, 0..<b.count) == nil)
    }
}

@Suite struct ZeekFuzzRegressionTests {
    /// Found by the fuzzer: `#separator #` made every later directive's name range inverted.
    @Test func aHashSeparatorIsNotACrash() {
        let text = "#separator #\n#fields#ts#uid\n#types#time#string\n1.0#C1\n"
        let (batch, _) = Fixtures.parseLines(Array(text.utf8), with: LogFormat.zeekTSV.makeParser(ParseContext(collectedAt: Timestamp(microseconds: 0))))
        #expect(batch.count <= 1)
    }
}

/// Block constants (`event.dataset`, `network.protocol`, …) change with each header block, also
/// within one builder and across its batches.
@Suite struct ZeekTSVBlockConstantTests {
    @Test func eachBlockGetsItsOwnConstants() throws {
        let conn = "#separator \\x09\n#path\tconn\n#fields\tts\tuid\n#types\ttime\tstring\n1.0\tC1\n"
        let dns = "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tquery\n#types\ttime\tstring\tstring\n2.0\tC2\texample.com\n"
        var parser = ZeekTSVParser(context: zeekContext())
        var builder = EventBatchBuilder()
        var batches: [EventBatch] = []
        for (k, line) in (conn + dns + conn).split(separator: "\n").enumerated() {
            builder.beginRow()
            let outcome = try parser.parse(Array(line.utf8).span, into: &builder)
            if outcome == .event { builder.endRow() } else { builder.cancelRow() }
            if k == 4 { batches.append(builder.finish()) }
        }
        batches.append(builder.finish())
        let events = batches.flatMap(\.events)
        #expect(events.map { $0[Field.eventDataset]?.stringValue } == ["zeek.conn", "zeek.dns", "zeek.conn"])
        #expect(events.map { $0[Field.eventModule]?.stringValue } == ["zeek", "zeek", "zeek"])
        #expect(events.map { $0["zeek.query"]?.stringValue } == [nil, "example.com", nil])
        #expect(events.map { $0[Field.networkProtocol]?.stringValue } == [nil, "dns", nil])
        #expect(events.map { $0[Field.eventType] } == [.list(["connection"]), .list(["protocol"]), .list(["connection"])])
    }
}
