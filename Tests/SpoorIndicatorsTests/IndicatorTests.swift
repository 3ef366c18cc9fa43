import Testing
import SpoorIndicators

@Suite struct IndicatorTests {
    /// Kinds are STIX object paths or `x-` custom names (STIX 2.1 §11.1), never anything else.
    @Test func kindsAreSTIXNames() {
        let stix: Set<String> = ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file:hashes.MD5",
                                 "file:hashes.SHA-1", "file:hashes.SHA-256", "file:hashes.SHA-512",
                                 "windows-registry-key", "vulnerability", "autonomous-system", "user-account"]
        for kind in IndicatorKind.allCases {
            #expect(stix.contains(kind.rawValue) || kind.rawValue.hasPrefix("x-"), "\(kind.rawValue)")
        }
        #expect(IndicatorKind.allCases.filter(\.isHash).count == 4)
    }

    @Test func orderIsByKindThenValue() {
        let a = Indicator(kind: .domain, value: "b.example")
        let b = Indicator(kind: .ipv4, value: "10.0.0.1")
        let c = Indicator(kind: .domain, value: "a.example")
        #expect([a, b, c].sorted() == [c, a, b])
    }
}
