import Testing
import SpoorCore
@testable import SpoorRules

/// First checks of the kit itself; the conformance table lives in SigmaConformanceTests.
@Suite struct SigmaBasicsTests {
    @Test func aFieldMapIsAndAndAValueListIsOr() throws {
        let r = try SigmaKit.run(SigmaKit.rule("""
        selection:
            Image|endswith: '\\cmd.exe'
            CommandLine|contains:
                - 'whoami'
                - 'net user'
        condition: selection
        """), [
            ["Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c WHOAMI /all"],
            ["Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c dir"],
            ["Image": "C:\\x\\powershell.exe", "CommandLine": "net user bob"],
            ["Image": "C:\\Windows\\System32\\CMD.EXE", "CommandLine": "net user bob /add"],
        ])
        #expect(r.errors.isEmpty && r.unsupported.isEmpty)
        #expect(r.rows == [0, 3])
    }

    @Test func eventCountCorrelationFiresOncePerWindowAndGroup() throws {
        let yaml = SigmaKit.rule("""
        selection:
            EventID: 4625
        condition: selection
        """, title: "failed logon") + """

        name: failed_logon
        ---
        title: many failed logons
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
        """
        let e: [[String: Any]] = (0..<4).map { i in ["EventID": 4625, "User": "bob", "@timestamp": "2024-01-01T00:0\(i):00Z"] }
            + [["EventID": 4625, "User": "eve", "@timestamp": "2024-01-01T00:00:00Z"]]
        let r = try SigmaKit.run(yaml, e)
        #expect(r.errors.isEmpty, "\(r.errors)")
        let hits = r.correlations["many failed logons"] ?? []
        #expect(hits.count == 1)
        #expect(hits.first?.group == ["bob"] && hits.first?.events.count == 3)
    }
}
