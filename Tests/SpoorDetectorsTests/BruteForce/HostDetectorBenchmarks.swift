import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorDetectors
import SpoorTesting

/// Throughput of the host detectors over synthetic events made in memory (run only when asked,
/// in a release build; figures in `Docs/Detectors-host.md`):
///
///     SPOOR_DETHOST_BENCH=1 swift test -c release -Xswiftc -enable-testing --scratch-path .build-release --filter HostDetectorBenchmarks
///
/// `SPOOR_DETHOST_BENCH_EVENTS` (default 10,000,000) events per detector in pages of 100,000.
/// Only `observe` and `finish` are timed (CPU seconds of the process around them); making the
/// pages is not. Peak memory is the process's peak RSS after the detector finished (one
/// detector per test; run the tests one at a time for separate peaks).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SPOOR_DETHOST_BENCH"] == "1", "runs only with SPOOR_DETHOST_BENCH=1"))
struct HostDetectorBenchmarks {
    static let total = Int(ProcessInfo.processInfo.environment["SPOOR_DETHOST_BENCH_EVENTS"] ?? "") ?? 10_000_000
    static let pageSize = 100_000
    static let t0 = CivilTime(year: 2026, month: 1, day: 5).utcMicroseconds

    static func run<D: EventDetector>(_ label: String, _ detector: inout D, page make: (Int, inout SplitMix64) -> EventBatch) -> [DetectorFinding] {
        var rng = SplitMix64(seed: 42)
        var cpu = 0.0
        var next: Int64 = 0
        var k = 0
        while Int(next) < total {
            let page = make(k, &rng)
            let ids = (0..<Int64(page.count)).map { next + $0 }
            let c0 = ProcessUsage.cpuSeconds()
            detector.observe(page, ids: ids)
            cpu += ProcessUsage.cpuSeconds() - c0
            next += Int64(page.count)
            k += 1
        }
        let c0 = ProcessUsage.cpuSeconds()
        let findings = detector.finish()
        let finishCPU = ProcessUsage.cpuSeconds() - c0
        cpu += finishCPU
        print("BENCH \(label): \(next) events, \(String(format: "%.2f", cpu)) cpu-s (finish \(String(format: "%.2f", finishCPU))), \(Int(Double(next) / cpu)) events/cpu-s, peak RSS \(Int(ProcessUsage.peakMiB())) MiB, \(findings.count) findings")
        return findings
    }

    static func list(_ b: inout EventBatchBuilder, _ name: String, _ items: [String]) {
        let h = b.column(name, .stringList)
        b.beginList(h)
        for i in items { b.appendToList(h, text: i) }
    }

    @Test func bruteForce() {
        var d = BruteForceDetector()
        let findings = Self.run("brute-force", &d) { k, rng in
            var b = EventBatchBuilder()
            for i in 0..<Self.pageSize {
                b.beginRow()
                let t = Self.t0 + Int64(k * Self.pageSize + i) * 50_000   // 20 events a second
                b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: t))
                Self.list(&b, Field.eventCategory, ["authentication"])
                Self.list(&b, Field.eventType, ["start"])
                let attacker = rng.below(100) == 0
                let src: UInt32 = attacker ? 0xC633_6400 | UInt32(rng.below(50)) : 0x0A00_0000 | UInt32(rng.below(20_000))
                b.set(b.column(Field.sourceIP, .ip), ip: IPAddress(ipv4: src))
                b.set(b.column(Field.eventOutcome, .string), string: attacker || rng.below(50) == 0 ? "failure" : "success")
                b.set(b.column(Field.eventAction, .string), string: "logon-failed")
                b.set(b.column(Field.userName, .string), string: "user\(attacker ? rng.below(5000) : Int(src & 0xFFFF) % 3000)")
                b.set(b.column(Field.hostName, .string), string: "host\(rng.below(500))")
                b.set(b.column(Field.organizationID, .string), string: "acme")
                b.endRow()
            }
            return b.finish()
        }
        #expect(!findings.isEmpty)
    }

    /// One of 200,000 distinct pronounceable names, Zipf-like popularity (the DNS benchmarks' benign lookups).
    static func benignName(_ rng: inout SplitMix64) -> String {
        let syllables = ["ka", "lo", "mi", "net", "web", "shop", "cloud", "data", "sun", "ter", "ra", "bo", "max", "ex", "on", "line", "pro", "go"]
        let tlds = ["com", "net", "org", "de", "co.uk", "io"]
        let n = Int(Double(200_000) * pow(rng.unit(), 3))
        var s = "www."
        var x = n
        repeat { s += syllables[x % syllables.count]; x /= syllables.count } while x > 0
        return s + "." + tlds[n % tlds.count]
    }

    @Test func dga() {
        var d = DGADetector()
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let findings = Self.run("dga", &d) { k, rng in
            var b = EventBatchBuilder()
            for i in 0..<Self.pageSize {
                b.beginRow()
                b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: Self.t0 + Int64(k * Self.pageSize + i) * 10_000))
                let generated = rng.below(200) == 0
                let name: String
                if generated {
                    name = String(decoding: (0..<(10 + rng.below(8))).map { _ in letters[rng.below(36)] }, as: UTF8.self) + ".com"
                } else {
                    name = Self.benignName(&rng)
                }
                b.set(b.column(Field.dnsQuestionName, .string), string: name)
                b.set(b.column(Field.dnsResponseCode, .string), string: generated ? "NXDOMAIN" : "NOERROR")
                b.set(b.column(Field.sourceIP, .ip), ip: IPAddress(ipv4: 0x0A00_0000 | UInt32(rng.below(5000))))
                b.endRow()
            }
            return b.finish()
        }
        #expect(!findings.isEmpty)
    }

    /// DNS tunnelling over the DGA benchmark's lookups (200,000 names, Zipf-like, 5,000 hosts),
    /// with 0.5 % of lookups from 20 tunnelling hosts: two random 30–60 character labels under
    /// one of 20 domains.
    @Test func dnsTunnel() {
        var d = DNSTunnelDetector()
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let findings = Self.run("dns-tunnel", &d) { k, rng in
            var b = EventBatchBuilder()
            for i in 0..<Self.pageSize {
                b.beginRow()
                b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: Self.t0 + Int64(k * Self.pageSize + i) * 10_000))
                let tunnel = rng.below(200) == 0
                let name: String
                let host: UInt32
                if tunnel {
                    let label = { (rng: inout SplitMix64) in String(decoding: (0..<(30 + rng.below(31))).map { _ in letters[rng.below(36)] }, as: UTF8.self) }
                    let t = rng.below(20)
                    name = label(&rng) + "." + label(&rng) + ".t\(t).example.com"
                    host = 0x0A00_0000 | UInt32(t)
                } else {
                    name = Self.benignName(&rng)
                    host = 0x0A00_0000 | UInt32(rng.below(5000))
                }
                b.set(b.column(Field.dnsQuestionName, .string), string: name)
                b.set(b.column(Field.dnsQuestionType, .string), string: tunnel ? "TXT" : "A")
                b.set(b.column(Field.sourceIP, .ip), ip: IPAddress(ipv4: host))
                b.endRow()
            }
            return b.finish()
        }
        #expect(findings.count >= 20)
    }

    /// Hosts in the process benchmark (`SPOOR_DETHOST_BENCH_HOSTS`, default 200).
    static let processHosts = Int(ProcessInfo.processInfo.environment["SPOOR_DETHOST_BENCH_HOSTS"] ?? "") ?? 200

    @Test func rareProcess() {
        var d = RareProcessDetector()
        let parents = (0..<60).map { "C:\\Windows\\System32\\parent\($0).exe" }
        let images = (0..<400).map { "C:\\Windows\\System32\\prog\($0).exe" }
        let findings = Self.run("rare-process", &d) { k, rng in
            var b = EventBatchBuilder()
            for i in 0..<Self.pageSize {
                b.beginRow()
                b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: Self.t0 + Int64(k * Self.pageSize + i) * 30_000))
                Self.list(&b, Field.eventCategory, ["process"])
                Self.list(&b, Field.eventType, ["start"])
                b.set(b.column(Field.hostName, .string), string: "ws\(rng.below(Self.processHosts))")
                // 60 parents and 400 children, both Zipf-like: most hosts run a few hundred pairs.
                let p = Int(Double(parents.count) * pow(rng.unit(), 3)), c = Int(Double(images.count) * pow(rng.unit(), 4))
                b.set(b.column(Field.processParentExecutable, .string), string: parents[p])
                b.set(b.column(Field.processExecutable, .string), string: images[c])
                b.set(b.column(Field.organizationID, .string), string: "acme")
                b.endRow()
            }
            return b.finish()
        }
        #expect(!findings.isEmpty)
    }

    /// Remote logons of an organisation of 20,000 machines and 3,000 accounts (each account on
    /// its own few machines, reaching its three usual servers of 50; 1% anywhere among 500
    /// hosts), a tenth by administrators with their 4672, 20 a second over ~6 days.
    @Test func newLogonPath() {
        var d = NewLogonPathDetector()
        let findings = Self.run("new-logon-path", &d) { k, rng in
            var b = EventBatchBuilder()
            for i in 0..<Self.pageSize {
                let n = k * Self.pageSize + i
                let t = Timestamp(microseconds: Self.t0 + Int64(n) * 50_000)
                let src = UInt32(rng.below(20_000))
                let account = Int(src) % 3_000
                let target = rng.below(100) == 0 ? "host\(rng.below(500))" : "srv\((account * 7 + rng.below(3) * 13) % 50)"
                let admin = rng.below(10) == 0
                let logonID = "0x\(String(n, radix: 16))"
                // The logon (4624) and, for an administrator, its special privileges (4672).
                func row(_ category: String, _ type: String, _ code: String, _ more: (inout EventBatchBuilder) -> Void) {
                    b.beginRow()
                    b.set(b.column(Field.timestamp, .timestamp), timestamp: t)
                    Self.list(&b, Field.eventCategory, [category])
                    Self.list(&b, Field.eventType, [type])
                    b.set(b.column(Field.eventOutcome, .string), string: "success")
                    b.set(b.column(Field.eventCode, .string), string: code)
                    b.set(b.column(Field.winlogLogonID, .string), string: logonID)
                    b.set(b.column(Field.hostName, .string), string: target)
                    b.set(b.column(Field.organizationID, .string), string: "acme")
                    more(&b)
                    b.endRow()
                }
                row("authentication", "start", "4624") { b in
                    b.set(b.column(Field.winlogLogonType, .string), string: "Network")
                    b.set(b.column(Field.sourceIP, .ip), ip: IPAddress(ipv4: 0x0A00_0000 | src))
                    b.set(b.column(Field.userName, .string), string: admin ? "admin\(account % 20)" : "user\(account)")
                }
                if admin { row("iam", "admin", "4672") { _ in } }
            }
            return b.finish()
        }
        #expect(!findings.isEmpty)
    }
}
