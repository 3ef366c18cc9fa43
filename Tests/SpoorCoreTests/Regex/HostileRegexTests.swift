import Foundation
import Testing
@testable import SpoorCore

/// Patterns that make backtracking engines take exponential or polynomial time, run on inputs
/// built to trigger it. The engine must answer correctly and finish; the time goes to the
/// benchmark (`SPOOR_REGEX_BENCH=1`).
@Suite struct HostileRegexTests {
    static let size = 100_000
    static let cases: [(String, String, Bool)] = [
        ("(a+)+$", String(repeating: "a", count: size) + "!", false),
        ("(a+)+b", String(repeating: "a", count: size), false),
        ("(a|a)*b", String(repeating: "a", count: size), false),
        ("(a|aa)*c", String(repeating: "a", count: size), false),
        ("(.*a){20}", String(repeating: "a", count: 19) + String(repeating: "b", count: size), false),
        ("(.*a){20}", String(repeating: "ab", count: size / 2), true),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: size / 5) + "!", false),
        ("(x+x+)+y", String(repeating: "x", count: size), false),
        ("\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+", String(repeating: "+a", count: 13) + String(repeating: "a", count: size), false),
        ("(.*){1000}x", String(repeating: "y", count: size), false),
        ("[a-z]{1000}\\d", String(repeating: "q", count: size) + "1", true),
        ("(\\w|\\d|é)*€", String(repeating: "é1", count: size / 3), false),
        ("\\b(\\w+)*\\b!", String(repeating: "ŵ", count: size / 2), false),
    ]

    @Test(arguments: cases)
    func finishes(pattern: String, input: String, expected: Bool) throws {
        let re = try ByteRegex(pattern)
        #expect(re.matches(input) == expected)
    }

    /// A tiny cache forces clears and then the uncached simulation; answers must not change.
    @Test(arguments: [("[a-z]{200}\\d", true), ("[a-z]{200}\\d$", false)])
    func thrashingCacheFallsBackToSimulation(pattern: String, expected: Bool) throws {
        let re = try ByteRegex(pattern)
        let input = Array((String(repeating: "qa", count: 5_000) + "1x").utf8)
        var cache = RegexDFACache(program: re.program, memoryBudget: 4096)
        let result = input.withUnsafeBufferPointer { cache.search($0) }
        #expect(result == expected)
        #expect(cache.clearCount > 0)
        var roomy = RegexDFACache(program: re.program)
        #expect(input.withUnsafeBufferPointer { roomy.search($0) } == expected)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPOOR_REGEX_BENCH"] == "1", "set SPOOR_REGEX_BENCH=1 to measure throughput"))
    func throughput() throws {
        let line = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile -ExecutionPolicy Bypass -Command Get-Process | Out-File C:\\Users\\Public\\p.txt "
        let text = String(repeating: line, count: 1 << 20 / line.utf8.count)
        let utf8Text = String(repeating: "Größe über Ärger — 日本語のテキスト ", count: 1 << 20 / 60)
        let patterns: [(String, String)] = [
            ("literal absent (prefilter)", "mimikatz"),
            ("class, no literal", "[0-9a-f]{32}"),
            ("alternation", "(?:invoke-mimikatz|sekurlsa|lsadump)::"),
            ("case-insensitive", "(?i)downloadstring\\("),
            ("word boundary, ASCII", "\\bBypass\\b\\s+-Command\\s+\\w+\\d"),
            ("(a+)+$ hostile", "(a+)+$"),
            ("(.*a){20}", "(.*a){20}"),
            ("Sigma: octal/IP URL", "https?://(?:0[0-9]{1,11}\\.){3}0[0-9]{1,11}"),
            ("Sigma: many +", "\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+"),
        ]
        for (name, pattern) in patterns {
            report(name, try ByteRegex(pattern), text)
        }
        report("UTF-8 text, \\w+ß", try ByteRegex("\\w+ßx"), utf8Text)
        report("UTF-8 text, \\b (NFA simulation)", try ByteRegex("\\bÄrger\\b\\d"), utf8Text)
        // Many short values, as a rule sees a column.
        let values = (0..<100_000).map { "C:\\Users\\user\($0)\\AppData\\Local\\Temp\\\($0 % 97)\\setup.exe" }
        let re = try ByteRegex("\\\\[a-zA-Z]{8}\\.tmp$")
        var m = re.makeMatcher()
        let bytes = values.reduce(0) { $0 + $1.utf8.count }
        let start = ContinuousClock.now
        var hits = 0
        for v in values where m.matches(v) { hits += 1 }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("regex-bench short values (\\\\[a-zA-Z]{8}\\.tmp$): \(values.count) values, \(String(format: "%.1f", Double(bytes) / seconds / 1e6)) MB/s, \(String(format: "%.2f", seconds / Double(values.count) * 1e9)) ns/value, hits \(hits)")
    }

    private func report(_ name: String, _ re: ByteRegex, _ text: String) {
        let bytes = Array(text.utf8)
        var m = re.makeMatcher()
        _ = m.matches(bytes.span) // warm the cache
        let start = ContinuousClock.now
        var result = false
        let rounds = 5
        for _ in 0..<rounds { result = m.matches(bytes.span) }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("regex-bench \(name): \(String(format: "%.1f", Double(bytes.count * rounds) / seconds / 1e6)) MB/s (match: \(result))")
    }
}
