import Testing
@testable import SpoorLabels

@Suite struct VoteTests {
    @Test func snorkelConvention() {
        #expect(Vote(rawValue: -1) == .abstain)
        #expect(Vote(rawValue: 0) == .benign)
        #expect(Vote(rawValue: 1) == .malicious)
        #expect(Vote(rawValue: 2) == nil)
    }
}
