import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorTesting
@testable import SpoorDetectors

/// Throughput and peak memory of the network detectors over synthetic flows generated in
/// memory (pages of 100,000 firewall-style rows: time, source, destination, bytes each way;
/// 2,000 internal hosts, 50,000 external destinations picked with a skew, 7 days, plus 200
/// beacons). Only the detector's own calls are timed (CPU seconds of the process around
/// `observe` and `finish`); peak memory is the process's maximum RSS, which includes one page.
/// Run one detector per process, in a release build:
///
///     SPOOR_NET_BENCH=1 swift test -c release --scratch-path .build-release -Xswiftc -enable-testing --filter NetworkDetectorThroughput/beaconing
///     SPOOR_NET_BENCH=1 swift test -c release --scratch-path .build-release -Xswiftc -enable-testing --filter NetworkDetectorThroughput/exfiltration
///
/// `SPOOR_NET_BENCH_EVENTS` sets the number of flows (default 10,000,000).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SPOOR_NET_BENCH"] == "1", "runs only with SPOOR_NET_BENCH=1"))
struct NetworkDetectorThroughputTests {
    static var events: Int { Int(ProcessInfo.processInfo.environment["SPOOR_NET_BENCH_EVENTS"] ?? "") ?? 10_000_000 }

    /// Feeds `events` synthetic flows to `detector` page by page; returns (CPU s in the detector, findings).
    static func measure<D: EventDetector>(_ detector: inout D) -> (Double, [DetectorFinding]) {
        var rng = SplitMix64(seed: 2026)
        let t0 = CivilTime(year: 2026, month: 3, day: 2).utcMicroseconds
        let span = 7 * 86_400_000_000.0
        let hosts = (0..<2_000).map { IPAddress(ipv4: (10 << 24) | UInt32(1 << 16) | UInt32($0 + 10)) }
        let external = (0..<50_000).map { _ in IPAddress(ipv4: UInt32(truncatingIfNeeded: (rng.next() & 0x3FFF_FFFF) | 0x4000_0000)) }
        let page = 100_000
        var cpu = 0.0
        var produced = 0
        var builder = EventBatchBuilder()
        let ts = builder.column(Field.timestamp, .timestamp), src = builder.column(Field.sourceIP, .ip)
        let dst = builder.column(Field.destinationIP, .ip), sent = builder.column(Field.sourceBytes, .int)
        let received = builder.column(Field.destinationBytes, .int)
        while produced < events {
            let n = min(page, events - produced)
            for k in 0..<n {
                let i = produced + k
                builder.beginRow()
                builder.set(ts, timestamp: Timestamp(microseconds: t0 + Int64(span * Double(i) / Double(events))))
                if i % 50 == 0 {    // 200 beacons: host b → destination b, bytes alike
                    let b = (i / 50) % 200
                    builder.set(src, ip: hosts[b])
                    builder.set(dst, ip: external[b])
                    builder.set(sent, int: 400 + Int64(rng.below(20)))
                    builder.set(received, int: 300)
                } else {
                    let u = rng.unit()
                    builder.set(src, ip: hosts[rng.below(hosts.count)])
                    builder.set(dst, ip: external[Int(u * u * u * Double(external.count - 1))])
                    builder.set(sent, int: Int64(rng.exponential(mean: 2_000)))
                    builder.set(received, int: Int64(rng.exponential(mean: 40_000)))
                }
                builder.endRow()
            }
            let batch = builder.finish()
            let ids = (Int64(produced)..<Int64(produced + n)).map { $0 }
            let c0 = ProcessUsage.cpuSeconds()
            detector.observe(batch, ids: ids)
            cpu += ProcessUsage.cpuSeconds() - c0
            produced += n
        }
        let c0 = ProcessUsage.cpuSeconds()
        let findings = detector.finish()
        cpu += ProcessUsage.cpuSeconds() - c0
        return (cpu, findings)
    }

    @Test func beaconing() {
        var detector = BeaconDetector()
        let (cpu, findings) = Self.measure(&detector)
        print("beaconing: \(Self.events) events, \(String(format: "%.2f", cpu)) CPU s, \(Int(Double(Self.events) / cpu)) events/CPU s, peak \(Int(ProcessUsage.peakMiB())) MiB, \(findings.count) pairs scored")
        #expect(findings.count > 0)
    }

    @Test func exfiltration() {
        var detector = ExfiltrationDetector(sessions: SessionTimeline(sessions: [], dataEnd: nil))
        let (cpu, findings) = Self.measure(&detector)
        print("exfiltration: \(Self.events) events, \(String(format: "%.2f", cpu)) CPU s, \(Int(Double(Self.events) / cpu)) events/CPU s, peak \(Int(ProcessUsage.peakMiB())) MiB, \(findings.count) host-hours reported")
        #expect(cpu > 0)
    }
}
