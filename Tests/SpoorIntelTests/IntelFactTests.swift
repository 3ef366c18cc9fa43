import Testing
import SpoorCore
import SpoorIndicators
import SpoorIntel

@Suite struct IntelFactTests {
    @Test func validityWindowIsHalfOpen() {
        let from = Timestamp(microseconds: 1_000_000)
        let until = Timestamp(microseconds: 2_000_000)
        let fact = IntelFact(indicator: Indicator(kind: .ipv4, value: "192.0.2.1"), polarity: .malicious,
                             source: "test", validFrom: from, validUntil: until)
        #expect(!fact.isValid(at: Timestamp(microseconds: 999_999)))
        #expect(fact.isValid(at: from))
        #expect(!fact.isValid(at: until))
        let open = IntelFact(indicator: fact.indicator, polarity: .benign, source: "test")
        #expect(open.isValid(at: Timestamp(microseconds: 0)))
    }
}
