import Testing
import SpoorIndicators

@Suite struct IndicatorNormalizerTests {
    @Test(arguments: [
        ("10.0.0.1", IndicatorKind.ipv4, "ipv4-addr:10.0.0.1"),
        ("10[.]0[.]0[.]1", .ipv4, "ipv4-addr:10.0.0.1"),
        ("10.1.2.3/8", .ipv4, "ipv4-addr:10.0.0.0/8"),
        ("2001:DB8:0:0:0:0:0:1", .ipv6, "ipv6-addr:2001:db8::1"),
        ("fe80::1%eth0", .ipv6, "ipv6-addr:fe80::1"),
        ("[2001:db8::1]", .ipv6, "ipv6-addr:2001:db8::1"),
        ("::ffff:192.0.2.1", .ipv6, "ipv4-addr:192.0.2.1"),
        ("2001:db8::/32", .ipv6, "ipv6-addr:2001:db8::/32"),
        ("WWW.Example.COM.", .domain, "domain-name:www.example.com"),
        ("example[.]co[.]uk", .domain, "domain-name:example.co.uk"),
        ("_dmarc.example.org", .domain, "domain-name:_dmarc.example.org"),
        ("xn--80ak6aa92e.xn--p1ai", .domain, "domain-name:xn--80ak6aa92e.xn--p1ai"),
        ("hxxps://Evil.EXAMPLE.com/Path?q=1", .url, "url:https://evil.example.com/Path?q=1"),
        ("http://user:hunter2@example.com/x?password=s3cret&a=b", .url, "url:http://user:***@example.com/x?password=***&a=b"),
        ("http://[2001:DB8::1]:8080/", .url, "url:http://[2001:db8::1]:8080/"),
        ("http://localhost:8080/", .url, "url:http://localhost:8080/"),
        ("Alice@Example.COM", .email, "email-addr:alice@example.com"),
        ("alice[@]example[.]com", .email, "email-addr:alice@example.com"),
        ("D41D8CD98F00B204E9800998ECF8427E", .md5, "file:hashes.MD5:d41d8cd98f00b204e9800998ecf8427e"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", .sha1, "file:hashes.SHA-1:da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("cve-2021-44228", .cve, "vulnerability:CVE-2021-44228"),
        ("ASN 15169", .asn, "autonomous-system:AS15169"),
        ("15169", .asn, "autonomous-system:AS15169"),
        ("HKLM\\Software\\Microsoft", .registryKey, "windows-registry-key:HKEY_LOCAL_MACHINE\\Software\\Microsoft"),
        ("C:\\Windows\\System32\\cmd.exe", .windowsPath, "x-windows-path:C:\\Windows\\System32\\cmd.exe"),
        ("/tmp/x.sh", .unixPath, "x-unix-path:/tmp/x.sh"),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", .cryptoAddress, "x-cryptocurrency-address:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", .cryptoAddress, "x-cryptocurrency-address:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    ])
    func normalizes(text: String, kind: IndicatorKind, expected: String) {
        #expect(IndicatorNormalizer.normalize(text, as: kind)?.description == expected)
    }

    @Test(arguments: [
        ("invoice.pdf", IndicatorKind.domain), ("co.uk", .domain), ("com", .domain), ("a..b.com", .domain),
        ("-a.example.com", .domain), ("example.c0m", .domain), ("256.1.1.1", .ipv4), ("1.2.3", .ipv4),
        ("d41d8cd98f00b204e9800998ecf8427", .md5), ("d41d8cd98f00b204e9800998ecf8427e", .sha1),
        ("g41d8cd98f00b204e9800998ecf8427e", .md5), ("CVE-21-1", .cve), ("CVE-1998-0001", .cve), ("AS0", .asn),
        ("example.com", .url), ("http://exa mple.com/", .url), ("alice@invoice.pdf", .email), ("a..b@example.com", .email),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", .cryptoAddress), ("SOFTWARE\\Microsoft", .registryKey),
    ])
    func rejects(text: String, kind: IndicatorKind) {
        #expect(IndicatorNormalizer.normalize(text, as: kind) == nil)
    }

    @Test(arguments: [
        ("8.8.8.8", "ipv4-addr:8.8.8.8"),
        ("192.168.0.0/16", "ipv4-addr:192.168.0.0/16"),
        ("2001:4860:4860::8888", "ipv6-addr:2001:4860:4860::8888"),
        ("evil[.]example[.]com", "domain-name:evil.example.com"),
        ("evil dot example dot com", "domain-name:evil.example.com"),
        ("hxxp://evil[.]example[.]com/a", "url:http://evil.example.com/a"),
        ("bad(at)example(dot)com", "email-addr:bad@example.com"),
        ("68b329da9893e34099c7d8ad5cb9c940", "file:hashes.MD5:68b329da9893e34099c7d8ad5cb9c940"),
        ("adc83b19e793491b1c6ea0fd8b46cd9f32e592fc", "file:hashes.SHA-1:adc83b19e793491b1c6ea0fd8b46cd9f32e592fc"),
        ("01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
         "file:hashes.SHA-256:01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"),
        ("CVE-2014-0160", "vulnerability:CVE-2014-0160"),
        ("AS13335", "autonomous-system:AS13335"),
        ("  example.org\t", "domain-name:example.org"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "x-cryptocurrency-address:0x52908400098527886E0F7030069857D2E4169EE7"),
    ])
    func classifies(text: String, expected: String) {
        #expect(IndicatorNormalizer.classify(text)?.description == expected)
    }

    @Test(arguments: ["", "hello", "invoice.pdf", "85.85", "x.x.x.x", "tooshor.t", "_____.tld", "+example.tld+", "AAAAA", "1.2.3"])
    func classifiesNothing(text: String) {
        #expect(IndicatorNormalizer.classify(text) == nil)
    }

    @Test func credentialNeverHoldsTheSecret() throws {
        let c = try #require(IndicatorNormalizer.normalize("admin:hunter2", as: .credential))
        #expect(c.kind == .credential)
        #expect(!c.value.contains("hunter2"))
        // SHA-256("hunter2") = f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7
        #expect(c.value == "admin:sha256:f52fbd32b2b3b86f")
    }
}

@Suite struct PublicSuffixListTests {
    @Test func loads() { #expect(PublicSuffixList.shared.isLoaded) }

    @Test(arguments: ["com", "co.uk", "github.io", "xn--p1ai", "zip", "py"])
    func suffixes(name: String) { #expect(PublicSuffixList.shared.isPublicSuffix(name)) }

    @Test(arguments: ["pdf", "exe", "json", "example.com", "local", "internal"])
    func notSuffixes(name: String) { #expect(!PublicSuffixList.shared.isPublicSuffix(name)) }

    @Test(arguments: [
        ("www.example.co.uk", "example.co.uk"), ("a.b.example.com", "example.com"), ("Foo.GitHub.io", "foo.github.io"),
    ])
    func registrable(name: String, expected: String) {
        #expect(PublicSuffixList.shared.registrableDomain(name) == expected)
    }

    @Test(arguments: ["co.uk", "invoice.pdf", "com", "host.local"])
    func notRegistrable(name: String) { #expect(PublicSuffixList.shared.registrableDomain(name) == nil) }
}

@Suite struct DefangTests {
    @Test(arguments: [
        (Indicator(kind: .url, value: "http://evil.example.com/a.b"), "hxxp://evil[.]example[.]com/a.b"),
        (Indicator(kind: .domain, value: "evil.example.com"), "evil[.]example[.]com"),
        (Indicator(kind: .ipv4, value: "10.0.0.1"), "10[.]0[.]0[.]1"),
        (Indicator(kind: .email, value: "a.b@example.com"), "a.b[@]example[.]com"),
        (Indicator(kind: .md5, value: "d41d8cd98f00b204e9800998ecf8427e"), "d41d8cd98f00b204e9800998ecf8427e"),
    ])
    func defangs(indicator: Indicator, expected: String) {
        #expect(Defang.defang(indicator) == expected)
    }

    /// Defang then classify gives the indicator back (the round trip the style guide asks for).
    @Test(arguments: ["http://evil.example.com/a.b?x=1", "evil.example.com", "10.0.0.1", "a.b@example.com", "2001:db8::1", "https://[2001:db8::1]:443/x"])
    func roundTrips(value: String) throws {
        let original = try #require(IndicatorNormalizer.classify(value))
        #expect(IndicatorNormalizer.classify(Defang.defang(original)) == original)
    }

    @Test(arguments: [
        ("hxxp://example[.]com", "http://example.com"), ("example(.)com", "example.com"), ("example{dot}com", "example.com"),
        ("user[@]example[.]com", "user@example.com"), ("example\\.com", "example.com"), ("example [.] com", "example.com"),
        ("http[:]//example.com", "http://example.com"), ("fxp://x.example.com", "ftp://x.example.com"), ("plain text", "plain text"),
    ])
    func refangs(text: String, expected: String) {
        #expect(Defang.refang(text) == expected)
    }
}
