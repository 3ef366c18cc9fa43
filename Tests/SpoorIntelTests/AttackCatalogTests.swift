import Foundation
import Testing
import SpoorCore
import SpoorTesting
@testable import SpoorIntel

@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct AttackCatalogTests {
    static func load(_ name: String) throws -> AttackCatalog {
        let url = try #require(SharedData.url("mitre-cti/" + name))
        return try AttackCatalog.load(bundle: Array(try Data(contentsOf: url)))
    }

    @Test func enterpriseTechniques() throws {
        let c = try Self.load("enterprise-attack-objects-bundle.json.gz")
        let lsass = try #require(c.technique("T1003.001"))
        #expect(lsass.name == "LSASS Memory")
        #expect(lsass.isSubtechnique && lsass.parent == "T1003" && lsass.tactics == ["credential-access"])
        let ps = try #require(c.technique("t1059.001"))
        #expect(ps.name == "PowerShell" && ps.tactics == ["execution"] && ps.isCurrent)
        let parent = try #require(c.technique("T1059"))
        #expect(parent.name == "Command and Scripting Interpreter" && !parent.isSubtechnique && parent.parent == nil)
        #expect(c.tactics["credential-access"]?.id == "TA0006" && c.tactics["execution"]?.name == "Execution")
        let all = Array(c.techniques.values)
        let revoked = all.filter(\.isRevoked).count, deprecated = all.filter(\.isDeprecated).count
        print("ATT&CK enterprise: \(all.count) techniques (\(all.filter(\.isSubtechnique).count) sub-techniques), \(revoked) revoked, \(deprecated) deprecated, \(c.tactics.count) tactics")
        #expect(all.count > 600 && revoked > 0 && deprecated > 0 && c.tactics.count == 14)
        // Every sub-technique's parent is in the catalog.
        #expect(all.filter(\.isSubtechnique).allSatisfy { $0.parent.flatMap(c.technique) != nil })
        // A revoked technique leads to its replacement when the bundle says.
        let withReplacement = all.filter(\.isRevoked).compactMap { c.replacement(of: $0) }
        #expect(!withReplacement.isEmpty)
    }

    @Test(arguments: ["mobile-attack-objects-bundle.json.gz", "ics-attack-objects-bundle.json.gz", "ics-attack.upstream.json.gz"])
    func otherDomainsLoad(_ name: String) throws {
        let c = try Self.load(name)
        #expect(c.techniques.count > 50 && !c.tactics.isEmpty)
    }

    @Test func garbageIsAnError() {
        #expect(throws: AttackCatalog.LoadError.self) { try AttackCatalog.load(bundle: [0x1F, 0x8B, 0x08, 0x00, 1, 2, 3]) }
        #expect(throws: AttackCatalog.LoadError.self) { try AttackCatalog.load(bundle: Array("{\"type\":\"bundle\"}".utf8)) }
    }
}
