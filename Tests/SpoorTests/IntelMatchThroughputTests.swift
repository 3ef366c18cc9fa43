import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIndicators
import SpoorIngest
import SpoorIntel
import SpoorStore
import SpoorTesting
@testable import Spoor

/// BENCHMARKS.md "Matching events against intel": events through indicator extraction and
/// matching against 1M intel indicators and every MISP warninglist, events per CPU second and
/// peak memory. Runs only with SPOOR_INTEL_MATCH_BENCH=1 (release build):
/// `SPOOR_INTEL_MATCH_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter IntelMatchThroughputTests`
/// (SPOOR_INTEL_MATCH_EVENTS sets the event count, default 10,000,000).
@Suite(.enabled(if: SharedData.isAvailable && ProcessInfo.processInfo.environment["SPOOR_INTEL_MATCH_BENCH"] == "1",
                "set SPOOR_INTEL_MATCH_BENCH=1 (and have ../shared) to measure intel matching"))
struct IntelMatchThroughputTests {
    @Test func eventsAgainstAMillionIndicatorsAndAllWarninglists() async throws {
        let target = Int(ProcessInfo.processInfo.environment["SPOOR_INTEL_MATCH_EVENTS"] ?? "") ?? 10_000_000
        // Real events: the zed sample Zeek logs (conn, dns, http, ssl, files, …).
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-intel-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = try await Workspace.open(caseDirectory: root.path)
        let zeek = try #require(SharedData.url("zed-sample-data/zeek-default"))
        _ = try await workspace.ingest([zeek.path], options: IngestOptions(organization: "bench"))
        var pages: [EventBatch] = []
        var after: Int64 = 0
        while true {
            let (batch, ids) = try await workspace.store.loadEventPage(afterID: after, limit: 50_000)
            guard let last = ids.last else { break }
            pages.append(batch)
            after = last
        }
        let perPass = pages.reduce(0) { $0 + $1.count }
        #expect(perPass > 100_000)

        // 1M intel indicators: the case's own addresses and names are a few thousand of them (so
        // matches happen), the rest random public addresses, domains, URLs and SHA-256 hashes.
        var facts: [IntelFact] = []
        var rng = SplitMix64(seed: 1)
        _ = try await workspace.extractIndicators()
        let seen = try await workspace.indicators(limit: 5_000)
        for r in seen { facts.append(IntelFact(indicator: r.indicator, polarity: .malicious, source: "bench")) }
        while facts.count < 1_000_000 {
            let i: Indicator
            switch facts.count % 4 {
            case 0: i = Indicator(kind: .ipv4, value: IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()) | 0x0100_0000).description)
            case 1: i = Indicator(kind: .domain, value: "x\(String(rng.next(), radix: 36)).com")
            case 2: i = Indicator(kind: .url, value: "http://\(String(rng.next(), radix: 36)).net/\(rng.below(1000))")
            default: i = Indicator(kind: .sha256, value: (0..<4).map { _ in String(rng.next() | (1 << 63), radix: 16) }.joined())
            }
            facts.append(IntelFact(indicator: i, polarity: .malicious, source: "bench"))
        }
        let lists = try WarninglistSet.load(directory: try #require(SharedData.url("misp-warninglists/lists"))).set
        let memoryBefore = ProcessUsage.peakMiB()
        let cpu0 = ProcessUsage.cpuSeconds()
        var matcher = IntelMatcher(index: IntelIndex(facts), lists: lists)
        let buildSeconds = ProcessUsage.cpuSeconds() - cpu0

        let extractor = SightingExtractor()
        var found: [Sighting] = []
        var events = 0, sightings = 0, malicious = 0, benign = 0
        let start = ProcessUsage.cpuSeconds()
        pass: while true {
            for page in pages {
                found.removeAll(keepingCapacity: true)
                extractor.sightings(in: page, into: &found)
                for s in found {
                    let a = matcher.match(s.indicator)
                    if !a.facts.isEmpty { malicious += 1 }
                    if !a.lists.isEmpty { benign += 1 }
                }
                sightings += found.count
                events += page.count
                if events >= target { break pass }
            }
        }
        let seconds = ProcessUsage.cpuSeconds() - start
        print("intel match: \(events) events, \(sightings) sightings, \(malicious) malicious and \(benign) benign hits, \(matcher.distinct) distinct indicators")
        print("intel match: \(Int(Double(events) / seconds)) events/CPU-s (\(String(format: "%.1f", seconds)) s), index of 1M facts + \(lists.lists.count) lists built in \(String(format: "%.1f", buildSeconds)) CPU-s, peak \(Int(ProcessUsage.peakMiB())) MiB (\(Int(memoryBefore)) MiB before the index)")
        #expect(malicious > 0 && benign > 0)
    }
}
