import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorDetectors

/// Synthetic flows (firewall-style: source.ip, destination.ip, bytes) from a fixed SplitMix64.
struct SyntheticFlows {
    var builder = EventBatchBuilder()
    let t0 = CivilTime(year: 2026, month: 3, day: 2).utcMicroseconds

    mutating func add(_ seconds: Double, _ src: String, _ dst: String, bytes: Int, sent: Int? = nil, name: String? = nil, org: String? = nil,
                      port: Int? = nil, transport: String? = nil) {
        builder.beginRow()
        builder.set(builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: t0 + Int64(seconds * 1e6)))
        if let a = IPAddress(src) { builder.set(builder.column(Field.sourceIP, .ip), ip: a) }
        if let a = IPAddress(dst) { builder.set(builder.column(Field.destinationIP, .ip), ip: a) }
        builder.set(builder.column(Field.sourceBytes, .int), int: Int64(sent ?? bytes / 3))
        builder.set(builder.column(Field.destinationBytes, .int), int: Int64(bytes - (sent ?? bytes / 3)))
        if let name { builder.set(builder.column(Field.tlsServerName, .string), string: name) }
        if let org { builder.set(builder.column(Field.organizationID, .string), string: org) }
        if let port { builder.set(builder.column(Field.destinationPort, .int), int: Int64(port)) }
        if let transport { builder.set(builder.column(Field.networkTransport, .string), string: transport) }
        builder.endRow()
    }

    mutating func batch() -> EventBatch { builder.finish() }
}

@Suite struct BeaconScoringTests {
    @Test func quartilesAndBowleySkewness() {
        let q = NetworkStatistics.quartiles([1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(q.q1 == 2.5 && q.q2 == 5 && q.q3 == 7.5)
        let e = NetworkStatistics.quartiles([1, 2, 3, 4, 5, 6, 7, 8])
        #expect(e.q1 == 2.5 && e.q2 == 4.5 && e.q3 == 6.5)
        // Right-skewed: Q3 far from the median.
        let s = NetworkStatistics.bowleySkewness([10, 20, 30, 40, 100, 200, 300, 400, 500], minimumSpread: 10)
        #expect(s > 0.3)
        #expect(NetworkStatistics.bowleySkewness([60, 60, 60, 60, 60], minimumSpread: 10) == 0)
    }

    @Test func internalNetworksAndBlocks() throws {
        let nets = InternalNetworks([try #require(IPNetwork("198.51.100.0/24"))])
        for a in ["10.1.2.3", "172.31.255.255", "192.168.0.1", "127.0.0.1", "169.254.1.1", "fd00::1", "fe80::1", "::1", "198.51.100.77"] {
            #expect(nets.contains(try #require(IPAddress(a))), "\(a)")
        }
        for a in ["172.32.0.1", "8.8.8.8", "100.64.0.1", "2001:db8::1", "198.51.101.1"] {
            #expect(!nets.contains(try #require(IPAddress(a))), "\(a)")
        }
        #expect(IPNetwork("2001:db8::/32")?.contains(try #require(IPAddress("2001:db8:ffff::1"))) == true)
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(InternalNetworks.isGroupOrUnspecified(try #require(IPAddress("ff02::2"))))
        #expect(InternalNetworks.isGroupOrUnspecified(try #require(IPAddress("239.255.255.250"))))
    }

    /// A jittered beacon with missed check-ins outranks random (Poisson) traffic of the same volume.
    @Test(arguments: [0.0, 0.1, 0.3])
    func aJitteredBeaconWithGapsOutranksRandomTraffic(jitter: Double) {
        var rng = SplitMix64(seed: 42)
        var flows = SyntheticFlows()
        var t = 0.0
        while t < 2 * 86_400 {
            if !rng.chance(0.1) {    // 10 % of check-ins missed
                flows.add(t, "10.0.0.5", "203.0.113.9", bytes: 800 + rng.below(40))
            }
            t += 300 * (1 + jitter * (2 * rng.unit() - 1))
        }
        t = 0
        while t < 2 * 86_400 {
            flows.add(t, "10.0.0.6", "198.51.100.20", bytes: 500 + rng.below(50_000))
            t += rng.exponential(mean: 300)
        }
        var detector = BeaconDetector()
        let findings = NetworkTestData.run(&detector, on: flows.batch())
        #expect(findings.first?.entity.parts == ["10.0.0.5", "203.0.113.9"])
        let beacon = findings.first { $0.entity.parts[0] == "10.0.0.5" }?.score ?? 0
        let random = findings.first { $0.entity.parts[0] == "10.0.0.6" }?.score ?? 0
        #expect(beacon > 0.8)
        #expect(beacon - random > 0.15)
    }

    @Test func organisationsKeepCollidingAddressesApart() {
        var flows = SyntheticFlows()
        for k in 0..<20 {
            flows.add(Double(k) * 600, "10.0.0.5", "203.0.113.9", bytes: 900, org: "acme")
            flows.add(Double(k) * 600 + 7, "10.0.0.5", "203.0.113.9", bytes: 900, org: "globex")
        }
        var detector = BeaconDetector()
        let findings = NetworkTestData.run(&detector, on: flows.batch())
        #expect(Set(findings.map(\.entity.organization)) == ["acme", "globex"])
        #expect(findings.allSatisfy { NetworkTestData.subscore($0, "connections") == 20 })
        #expect(findings.allSatisfy { $0.evidence.count == 20 && $0.evidence == $0.evidence.sorted() })
    }

    @Test func pagesInAnyOrderGiveTheSameFindings() {
        var rng = SplitMix64(seed: 7)
        var whole = SyntheticFlows()
        var pages = [SyntheticFlows(), SyntheticFlows()]
        var pageIDs: [[Int64]] = [[], []]
        for k in 0..<400 {
            let t = Double(k) * 120 + rng.unit() * 10
            let (src, dst, bytes) = ("10.0.0.\(1 + k % 3)", "203.0.113.\(k % 2)", 100 + rng.below(100))
            let name: String? = k % 4 == 0 ? "c2.example" : nil
            whole.add(t, src, dst, bytes: bytes, name: name)
            pages[k % 2].add(t, src, dst, bytes: bytes, name: name)
            pageIDs[k % 2].append(Int64(k))
        }
        var one = BeaconDetector()
        let a = NetworkTestData.run(&one, on: whole.batch())
        var two = BeaconDetector()
        two.observe(pages[1].batch(), ids: pageIDs[1])
        two.observe(pages[0].batch(), ids: pageIDs[0])
        let b = two.finish()
        #expect(!a.isEmpty)
        #expect(a.map(\.entity) == b.map(\.entity))
        #expect(zip(a, b).allSatisfy { abs($0.score - $1.score) < 1e-12 && $0.evidence.count == $1.evidence.count })
    }
}

@Suite struct BeaconPairingTests {
    /// A named connection counts for its name only, unless address pairs are asked for too.
    @Test(arguments: [false, true])
    func namedConnectionsAndAddressPairs(alsoAddresses: Bool) {
        var flows = SyntheticFlows()
        for k in 0..<30 {
            flows.add(Double(k) * 300, "10.0.0.5", "203.0.113.9", bytes: 900, name: "C2.Example.:443")
        }
        var config = BeaconConfiguration()
        config.alsoScoreAddressPairs = alsoAddresses
        var detector = BeaconDetector(configuration: config)
        let findings = NetworkTestData.run(&detector, on: flows.batch())
        let pairs = Set(findings.map(\.entity.parts))
        #expect(pairs.contains(["10.0.0.5", "c2.example"]))
        #expect(pairs.contains(["10.0.0.5", "203.0.113.9"]) == alsoAddresses)
    }

    @Test func multicastDestinationsAreNotBeacons() {
        var flows = SyntheticFlows()
        for k in 0..<30 {
            flows.add(Double(k) * 300, "fe80::1", "ff02::2", bytes: 56)
            flows.add(Double(k) * 300, "10.0.0.9", "224.0.0.251", bytes: 56)
        }
        var detector = BeaconDetector()
        #expect(NetworkTestData.run(&detector, on: flows.batch()).isEmpty)
    }
}

@Suite struct BeaconPrevalenceTests {
    /// Eight hosts' fleet agent polls one console perfectly; one host's implant calls its server
    /// with jitter; the domain controller syncs its clock over NTP. The implant ranks first: the
    /// console is reached by every host (prevalence 7/8 of the others), NTP is periodic by design.
    @Test func aDestinationEveryHostReachesAndNTPRankBelowAnImplant() throws {
        var rng = SplitMix64(seed: 7)
        var flows = SyntheticFlows()
        let hosts = (1...9).map { "10.0.0.\($0)" }
        for (i, h) in hosts.enumerated() {
            for k in 0..<200 { flows.add(Double(k) * 900 + Double(i), h, "198.51.100.20", bytes: 1_200, name: "console.fleet.example") }
        }
        var t = 0.0
        while t < 2 * 86_400 {
            flows.add(t, "10.0.0.3", "203.0.113.9", bytes: 800 + rng.below(60), name: "cdn.c2.example")
            t += 600 * (1 + 0.2 * (2 * rng.unit() - 1))
        }
        for k in 0..<180 { flows.add(Double(k) * 1_024, "10.0.0.1", "192.0.2.123", bytes: 96, port: 123, transport: "udp") }

        var plain = BeaconConfiguration()
        plain.prevalenceWeight = 0
        plain.periodicByDesignFactor = 1
        var rita = BeaconDetector(configuration: plain)
        var detector = BeaconDetector()
        let batch = flows.batch()
        let before = NetworkTestData.run(&rita, on: batch)
        let after = NetworkTestData.run(&detector, on: batch)
        // Without the factors the regular pollers and the time sync outrank the jittered implant.
        let implantBefore = try #require(before.firstIndex { $0.entity.parts == ["10.0.0.3", "cdn.c2.example"] })
        #expect(implantBefore > 0)
        let implant = try #require(after.first)
        #expect(implant.entity.parts == ["10.0.0.3", "cdn.c2.example"])
        #expect(NetworkTestData.subscore(implant, "prevalence") == 0)
        let console = try #require(after.first { $0.entity.parts == ["10.0.0.5", "console.fleet.example"] })
        #expect(abs(NetworkTestData.subscore(console, "prevalence") - 1) < 1e-12)   // all 8 other hosts
        #expect(console.score == 0)
        let ntp = try #require(after.first { $0.entity.parts == ["10.0.0.1", "192.0.2.123"] })
        let ntpPlain = try #require(before.first { $0.entity.parts == ["10.0.0.1", "192.0.2.123"] })
        #expect(NetworkTestData.subscore(ntp, "periodic_by_design") == 1)
        #expect(abs(ntp.score - ntpPlain.score * 0.5) < 1e-12)
        #expect(ntpPlain.score > 0.9)
    }

    /// With fewer internal sources than the minimum, no prevalence factor: two hosts reaching
    /// one server say nothing about infrastructure.
    @Test func smallOrganisationsGetNoPrevalenceFactor() {
        var flows = SyntheticFlows()
        for h in ["10.0.0.1", "10.0.0.2"] {
            for k in 0..<50 { flows.add(Double(k) * 600, h, "203.0.113.9", bytes: 900) }
        }
        var detector = BeaconDetector()
        let findings = NetworkTestData.run(&detector, on: flows.batch())
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { NetworkTestData.subscore($0, "prevalence") == 0 && $0.score > 0.9 })
    }
}
