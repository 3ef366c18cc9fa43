import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorRules
import SpoorTesting
@testable import Spoor

/// Hunting in a case: detections are stored once, with what identifies the rule and the event.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct HuntTests {
    @Test func huntingStoresDetectionsOnceWithRuleAndEvent() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-hunt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let regression = try #require(SharedData.url("sigma/regression_data/rules/windows/process_creation"))
        let workspace = try await Workspace.open(caseDirectory: dir)
        let report = try await workspace.ingest([regression.path], options: IngestOptions(organization: "t"))
        #expect(report.events > 0 && report.rejects == 0)
        let rules = try RuleSet.load(paths: [try #require(SharedData.url("sigma/rules/windows/process_creation")).path])
        #expect(rules.program.rules.count > 1_000)
        let (first, found) = try await workspace.hunt(rules)
        #expect(first.events == report.events)
        #expect(first.matches > 0 && first.newDetections == first.matches)
        let d = try #require(found.first)
        #expect(d.engine == "sigma" && !d.ruleID.isEmpty && !d.title.isEmpty && d.eventIDs.count == 1)
        #expect(found.contains { !$0.attackTags.isEmpty })
        // The event a detection names is the one that matched: its provenance is in the case.
        let events = try await workspace.events(ids: [d.eventIDs[0]])
        let e = try #require(events[d.eventIDs[0]])
        #expect(e[Field.logFilePath] != nil && e[Field.spoorRecord] != nil)
        // Hunting again finds the same and stores nothing new; only high and critical when asked.
        let (second, again) = try await workspace.hunt(rules)
        #expect(second.matches == first.matches && second.newDetections == 0 && again.count == found.count)
        let stored = try await workspace.detections()
        #expect(stored.count == first.matches)
        let high = try await workspace.detections(minimumLevel: .high)
        #expect(high.allSatisfy { $0.level == "high" || $0.level == "critical" } && high.count < stored.count)
    }
}
