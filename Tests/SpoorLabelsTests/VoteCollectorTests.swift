import Testing
@testable import SpoorLabels

/// What the collector does to votes before the label model sees them: an entity's routine is
/// suppressed, and functions that fired on the same events count once.
@Suite struct VoteCollectorTests {
    static func function(_ name: String) -> LabelingFunction {
        LabelingFunction(name: name, source: .sigma, vote: .malicious, summary: name)
    }

    /// Units 0…9: unit u is on entity "a" (u < 5) or "b", on day u % 5.
    @Test func routineOnOneEntityIsSuppressedAndOtherEntitiesKeepTheirVotes() {
        var c = VoteCollector()
        let f = c.add(Self.function("sigma:guessing"))
        for u in Int32(0)..<4 { c.vote(f, unit: u, .malicious, event: Int64(u)) }   // entity a, days 0–3
        c.vote(f, unit: 5, .malicious, event: 50)                                     // entity b, day 0
        c.vote(f, unit: 6, .malicious, event: 60)                                     // entity b, day 1
        let dropped = c.suppressRoutine(days: 3, entity: { $0 < 5 ? "a" : "b" }, period: { Int64($0 % 5) })
        #expect(dropped.count == 1)
        #expect(dropped.first?.entity == "a" && dropped.first?.periods == 4 && dropped.first?.votes == 4)
        #expect(c.votes(of: f).map(\.unit) == [5, 6])
        // Below the threshold nothing moves; 0 disables.
        var d = VoteCollector()
        let g = d.add(Self.function("sigma:rare"))
        d.vote(g, unit: 0, .malicious, event: 1)
        d.vote(g, unit: 1, .malicious, event: 2)
        #expect(d.suppressRoutine(days: 3, entity: { _ in "a" }, period: { Int64($0) }).isEmpty)
        #expect(d.suppressRoutine(days: 0, entity: { _ in "a" }, period: { _ in 0 }).isEmpty)
        #expect(d.votes(of: g).count == 2)
    }

    @Test func twoFunctionsOnTheSameEventCountOnceOnDifferentEventsTwice() {
        var c = VoteCollector()
        let rare = c.add(Self.function("detector:rare-process"))
        let rule = c.add(Self.function("sigma:wevtutil"))
        let other = c.add(Self.function("sigma:log-cleared"))
        // Unit 0: the rule and the detector saw the same process start (event 7).
        c.vote(rare, unit: 0, .malicious, event: 7)
        c.vote(rule, unit: 0, .malicious, event: 7)
        // Unit 1: three different events.
        c.vote(rare, unit: 1, .malicious, event: 10)
        c.vote(rule, unit: 1, .malicious, event: 11)
        c.vote(other, unit: 1, .malicious, event: 12)
        // The rule votes on one more unit: the detector is the more specific function and keeps unit 0.
        c.vote(rule, unit: 2, .malicious, event: 20)
        let dropped = c.dropRepeatedEvidence()
        #expect(dropped == ["sigma:wevtutil": 1])
        #expect(c.votes(unit: 0).map(\.function) == ["detector:rare-process"])
        #expect(c.votes(unit: 1).count == 3)
        // A vote with one event of its own besides shared ones stays.
        var d = VoteCollector()
        let a = d.add(Self.function("a")), b = d.add(Self.function("b"))
        d.vote(a, unit: 0, .malicious, event: 1)
        d.vote(b, unit: 0, .malicious, event: 1)
        d.vote(b, unit: 0, .malicious, event: 2)
        #expect(d.dropRepeatedEvidence().isEmpty)
    }

    @Test func copiesSharingEventsCollapseAndCopiesWithoutEventsStay() {
        for shared in [true, false] {
            var c = VoteCollector()
            let f = c.add(Self.function("f"))
            for u in Int32(0)..<10 { c.vote(f, unit: u, .malicious, event: Int64(u)) }
            let copy = c.add(Self.function("f#copy1"))
            c.copyVotes(of: f, to: copy, events: shared) { true }
            c.dropRepeatedEvidence()
            c.dropSilent()
            #expect(c.functions.count == (shared ? 1 : 2))
        }
    }
}
