import Foundation
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

    /// Hostile input (the acceptance case): catastrophic-backtracking patterns against
    /// values built for them. A backtracking engine takes exponential time here; spoor's
    /// linear engine answers at once (the time goes to BENCHMARKS.md, not into the test).
    @Test func catastrophicRegexesOverHostileValuesFinish() throws {
        let hostile = String(repeating: "a", count: 100_000) + "!"
        let r = try SigmaKit.run(SigmaKit.rule("""
        selection:
            CommandLine|re:
                - '(a+)+$'
                - '(a|a)*b'
                - '(.*a){20}z'
                - '^(a|aa)+$'
        condition: selection
        """), [["CommandLine": hostile], ["CommandLine": String(repeating: "a", count: 50_000)]])
        #expect(r.errors.isEmpty && r.unsupported.isEmpty, "\(r.unsupported)")
        // Row 0 ends with '!': only a pattern that needs no anchor could match, and none does.
        // Row 1 is all 'a': '(a+)+$' and '^(a|aa)+$' match.
        #expect(r.rows == [1])
    }

    @Test func aBackreferenceMakesTheRuleUnsupportedNotWrong() throws {
        let r = try SigmaKit.run(SigmaKit.rule("""
        selection:
            CommandLine|re: '(\\w+) \\1'
        condition: selection
        """), [["CommandLine": "echo echo"]])
        #expect(r.unsupported.count == 1)
        #expect(r.unsupported.first?.reason.contains("regular expression") == true)
    }

    @Test func builtInBindingsWrittenOutLoadBackTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-bindings-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let builtIn = try BindingSet.builtIn()
        let files = try BindingSet.writeBuiltIn(to: dir)
        #expect(files.count == builtIn.bindings.count && files.count >= 5)
        let loaded = try BindingSet.load(folder: dir)
        #expect(loaded.bindings.map(\.name) == builtIn.bindings.map(\.name))
        #expect(loaded.bindings.map(\.entries.count) == builtIn.bindings.map(\.entries.count))
        let windows = try #require(loaded.resolve(SigmaLogsource(category: "process_creation", product: "windows")))
        #expect(windows.1.alternatives.count == 2)   // Sysmon 1 and Security 4688
    }
}
