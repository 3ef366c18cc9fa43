import Foundation
import Testing
import SpoorCore
import SpoorIndicators
import SpoorTesting
@testable import SpoorIntel

/// Figures for Docs/Intel-ASN.md. Gated: `SPOOR_ASN_BENCH=1 swift test -c release --filter IntelBenchmarkTests`.
@Suite(.enabled(if: SharedData.isAvailable && ProcessInfo.processInfo.environment["SPOOR_ASN_BENCH"] == "1",
                "set SPOOR_ASN_BENCH=1 (and build with -c release) to run the ASN and warninglist benchmarks"), .serialized)
struct IntelBenchmarkTests {
    @Test func lookupsPerCPUSecondOn2014Table() throws {
        var cpu = ProcessUsage.cpuSeconds()
        let table = try PrefixTable.load(contentsOf: try #require(SharedData.url("pyasn-data/data/ipasn_20140513.dat.gz")))
        let loadCPU = ProcessUsage.cpuSeconds() - cpu
        var rng = SplitMix64(seed: 1)
        let ips = (0..<1_000_000).map { _ in IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())) }
        cpu = ProcessUsage.cpuSeconds()
        var found = 0, checksum: UInt64 = 0
        for ip in ips { if let a = table.originASN(ip) { found += 1; checksum &+= UInt64(a) } }
        let asnCPU = ProcessUsage.cpuSeconds() - cpu
        cpu = ProcessUsage.cpuSeconds()
        var matched = 0
        for ip in ips where table.lookup(ip) != nil { matched += 1 }
        let matchCPU = ProcessUsage.cpuSeconds() - cpu
        #expect(found == matched)
        print("BENCH ASN: 2014 table \(table.count) prefixes, \(table.v4.intervalCount) IPv4 intervals, load \(String(format: "%.2f", loadCPU)) CPU-s; 1M random IPv4: originASN \(Int(1e6 / asnCPU)) lookups/CPU-s, lookup→ASNMatch \(Int(1e6 / matchCPU)) lookups/CPU-s; \(found) routed (checksum \(checksum)); peak \(Int(ProcessUsage.peakMiB())) MiB")
    }

    @Test func tenMillionIndicatorsAgainstAllWarninglists() throws {
        let before = ProcessUsage.peakMiB()
        var cpu = ProcessUsage.cpuSeconds()
        let (set, _) = try WarninglistSet.load(directory: try #require(SharedData.url("misp-warninglists")))
        let loadCPU = ProcessUsage.cpuSeconds() - cpu
        let afterLoad = ProcessUsage.peakMiB()
        // A pool of 100k indicators like a case's: listed and unlisted domains, URLs, IPs, hashes.
        var rng = SplitMix64(seed: 3)
        let domains = set.lists.filter { $0.type == .string || $0.type == .hostname }.flatMap(\.entries).filter { $0.contains(".") && !$0.hasPrefix(".") }
        var pool: [Indicator] = []
        for i in 0..<100_000 {
            switch i % 5 {
            case 0: pool.append(Indicator(kind: .domain, value: "www." + domains[Int(rng.next() % UInt64(domains.count))]))
            case 1: pool.append(Indicator(kind: .domain, value: "x\(rng.next() % 1_000_000).example-\(rng.next() % 1000).net"))
            case 2: pool.append(Indicator(kind: .ipv4, value: IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())).description))
            case 3: pool.append(Indicator(kind: .url, value: "https://" + domains[Int(rng.next() % UInt64(domains.count))] + "/p?q=\(i)"))
            default: pool.append(Indicator(kind: .sha256, value: String(repeating: String(rng.next(), radix: 16), count: 4).prefix(64).lowercased()))
            }
        }
        cpu = ProcessUsage.cpuSeconds()
        var hits = 0
        for _ in 0..<100 { for ind in pool where !set.listIDs(ind.value, kind: ind.kind).isEmpty { hits += 1 } }
        let matchCPU = ProcessUsage.cpuSeconds() - cpu
        print("BENCH warninglists: \(set.lists.count) lists, \(set.entryCount) entries, load \(String(format: "%.2f", loadCPU)) CPU-s, peak \(Int(before)) → \(Int(afterLoad)) MiB after load; 10M indicators (100k distinct ×100): \(Int(1e7 / matchCPU)) indicators/CPU-s, \(hits / 100) of 100k listed; peak \(Int(ProcessUsage.peakMiB())) MiB")
    }
}
