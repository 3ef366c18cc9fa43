import Foundation
import Testing
import SpoorCore
@testable import SpoorSimulation

/// Issue 6: scenarios scale to ``SimulationConfig/attackRate``. Whole scenario runs are
/// thinned (never a scenario's last run) or repeated, so the attack share follows the rate
/// as closely as whole runs allow.
@Suite(.serialized) struct AttackRateTests {
    static let config = SimulationConfig(seed: 5, days: 7, hosts: 24, clients: 2)

    @Test(arguments: [0.001, 0.005, 0.02])
    func attackShareFollowsTheRate(rate: Double) {
        var config = Self.config
        config.attackRate = rate
        let result = Simulator.run(config)
        let share = result.attackRate
        let scenarios = Set(result.runs.map(\.scenario))
        print("attack rate \(rate): \(result.attackRecords) of \(result.records) records (\(String(format: "%.4f", share))), \(result.runs.count) runs")
        // Every scenario still runs at least once.
        #expect(scenarios == Set(config.scenarios))
        // Every scenario's run writes records (none falls after the window).
        var written: Set<String> = []
        for f in result.output.fileNames { for e in result.output.files[f] ?? [] { if let l = e.label { written.insert(String(l.campaign.prefix { $0 != "#" })) } } }
        #expect(written == scenarios)
        if result.runs.count == config.scenarios.count {
            // The floor: one run of each scenario already exceeds the rate (about 2,300 records
            // at this size, 0.29%); the share may not fall below it.
            #expect(share >= rate && share < 0.004, "attack share \(share) at the floor for rate \(rate)")
        } else {
            // Within a quarter of the rate (whole runs of a few hundred records are the grain).
            #expect(abs(share - rate) <= 0.25 * rate, "attack share \(share) for rate \(rate)")
        }
        // Campaign names stay unique and start with the scenario's name.
        #expect(Set(result.runs.map(\.campaign)).count == result.runs.count)
        #expect(result.runs.allSatisfy { $0.campaign.hasPrefix($0.scenario + "#") })
    }

    /// Thinning keeps a scenario's last run even when that alone exceeds the rate.
    @Test func thinningKeepsEveryScenario() {
        let plan = ScenarioPlan(config: SimulationConfig(attackRate: 0.001), benignRecords: 10_000)
        func instance(_ s: String, _ n: Int, _ order: Int) -> ScenarioInstance {
            ScenarioInstance(scenario: s, client: "c", campaign: "\(s)#\(order)", start: Timestamp(microseconds: 0), output: SimulationOutput(), records: n, order: order)
        }
        let kept = plan.scale([instance("a", 50, 0), instance("a", 40, 1), instance("b", 5, 2), instance("b", 6, 3)]) { _, _ in nil }
        #expect(kept.map(\.campaign) == ["a#1", "b#2"])
        let repeated = ScenarioPlan(config: SimulationConfig(attackRate: 0.02), benignRecords: 9_800).scale([instance("a", 10, 0)]) { round, _ in
            instance("a", 10, round)
        }
        #expect(repeated.count == 20)
    }
}
