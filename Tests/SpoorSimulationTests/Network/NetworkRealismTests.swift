import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

/// The realism table of Docs/Simulation-realism.md: simulated benign traffic next to real
/// Zeek logs in ../shared/data — DNS names and query types (zed-sample-data dns.log) and
/// connections, bytes and HTTP per host and hour (RITA's `proxy` test data). It prints the
/// table and checks only what the simulation is meant to match.
@Suite struct NetworkRealismTests {
    struct DNSStats {
        var queries = 0, meanLength = 0.0, medianLength = 0.0, p95Length = 0.0, meanEntropy = 0.0, nxdomain = 0.0
        var types: [String: Double] = [:]
    }

    struct FlowStats {
        var hostHours = 0, medianConnPerHostHour = 0.0, p90ConnPerHostHour = 0.0, medianOrigBytes = 0.0, medianRespBytes = 0.0
        var medianHTTPPerHostHour = 0.0, httpGetShare = 0.0, http2xxShare = 0.0, tlsShare = 0.0
    }

    static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s[min(s.count - 1, Int(q * Double(s.count - 1) + 0.5))]
    }

    static func entropy(_ s: String) -> Double {
        var counts: [UInt8: Int] = [:]
        for b in s.utf8 { counts[b, default: 0] += 1 }
        let n = Double(s.utf8.count)
        return counts.values.reduce(0) { $0 - Double($1) / n * log2(Double($1) / n) }
    }

    static func dns(_ events: [Event]) -> DNSStats {
        var st = DNSStats()
        let names = events.compactMap { $0["zeek.query"]?.stringValue }.filter { !$0.isEmpty }
        st.queries = names.count
        let lengths = names.map { Double($0.utf8.count) }
        st.meanLength = lengths.reduce(0, +) / Double(max(1, lengths.count))
        st.medianLength = quantile(lengths, 0.5)
        st.p95Length = quantile(lengths, 0.95)
        st.meanEntropy = names.map(entropy).reduce(0, +) / Double(max(1, names.count))
        let rcodes = events.compactMap { $0["zeek.rcode_name"]?.stringValue }
        st.nxdomain = Double(rcodes.filter { $0 == "NXDOMAIN" }.count) / Double(max(1, events.count))
        for e in events {
            let t = e["zeek.qtype_name"]?.stringValue ?? "-"
            let key = ["A", "AAAA", "PTR", "SRV", "TXT"].contains(t) ? t : "other"
            st.types[key, default: 0] += 1 / Double(events.count)
        }
        return st
    }

    static func hour(_ e: Event) -> Int64 { (e[Field.timestamp]?.timestampValue?.microseconds ?? 0) / 3_600_000_000 }

    static func flows(conn: [Event], http: [Event], origins: Set<IPAddress>? = nil) -> FlowStats {
        var st = FlowStats()
        let conn = conn.filter { e in origins.map { o in e["zeek.id.orig_h"]?.ipValue.map(o.contains) ?? false } ?? true }
        let http = http.filter { e in origins.map { o in e["zeek.id.orig_h"]?.ipValue.map(o.contains) ?? false } ?? true }
        var perHostHour: [String: Int] = [:]
        for e in conn { perHostHour["\(e["zeek.id.orig_h"]?.ipValue?.description ?? "")|\(hour(e))", default: 0] += 1 }
        st.hostHours = perHostHour.count
        let counts = perHostHour.values.map(Double.init)
        st.medianConnPerHostHour = quantile(counts, 0.5)
        st.p90ConnPerHostHour = quantile(counts, 0.9)
        st.medianOrigBytes = quantile(conn.compactMap { $0["zeek.orig_bytes"]?.intValue.map(Double.init) }, 0.5)
        st.medianRespBytes = quantile(conn.compactMap { $0["zeek.resp_bytes"]?.intValue.map(Double.init) }, 0.5)
        st.tlsShare = Double(conn.filter { ($0["zeek.service"]?.stringValue ?? "").contains("ssl") }.count) / Double(max(1, conn.count))
        var httpPerHostHour: [String: Int] = [:]
        for e in http { httpPerHostHour["\(e["zeek.id.orig_h"]?.ipValue?.description ?? "")|\(hour(e))", default: 0] += 1 }
        st.medianHTTPPerHostHour = quantile(httpPerHostHour.values.map(Double.init), 0.5)
        st.httpGetShare = Double(http.filter { $0["zeek.method"]?.stringValue == "GET" }.count) / Double(max(1, http.count))
        st.http2xxShare = Double(http.filter { (200..<300).contains($0["zeek.status_code"]?.intValue ?? 0) }.count) / Double(max(1, http.count))
        return st
    }

    static func events(_ paths: [String]) async throws -> [Event] {
        let ledger = MemoryLedger()
        _ = try await Ingestor(options: IngestOptions()).run(paths: paths, ledger: ledger)
        return await ledger.events
    }

    static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

    @Test(.enabled(if: SharedData.isAvailable, "../shared/data is absent: the realism table is skipped"))
    func realismTable() async throws {
        let config = SimulationConfig(seed: 1, days: 7, hosts: 24)
        let (output, org, _) = NetSim.run(config, scenarios: false)
        let dir = NetSim.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        try output.write(logs: dir)
        let zeek = dir.appendingPathComponent("acme/zeek")
        let simDNS = try await Self.events([zeek.appendingPathComponent("dns.log").path])
        let simConn = try await Self.events([zeek.appendingPathComponent("conn.log").path])
        let simHTTP = try await Self.events([zeek.appendingPathComponent("http.log").path])
        let realDNS = try await Self.events([try #require(SharedData.url("zed-sample-data/zeek-default/dns.log.gz")).path])
        let proxy = try #require(SharedData.url("rita-test-data/test_data/proxy"))
        let realConn = try await Self.events([proxy.appendingPathComponent("conn.log").path])
        let realHTTP = try await Self.events([proxy.appendingPathComponent("http.log").path])
        #expect(!realDNS.isEmpty && !realConn.isEmpty && !realHTTP.isEmpty)

        let sd = Self.dns(simDNS), rd = Self.dns(realDNS)
        let workstations = Set(org.clients[0].workstations.map(\.ip))
        let sf = Self.flows(conn: simConn, http: simHTTP, origins: workstations)
        let sAll = Self.flows(conn: simConn, http: simHTTP)
        let rf = Self.flows(conn: realConn, http: realHTTP)
        var table = "| measure | simulated (24 hosts × 7 days, seed 1) | real |\n|---|---|---|\n"
        table += "| DNS queries | \(sd.queries) | \(rd.queries) (zed-sample-data dns.log) |\n"
        table += "| DNS name length mean / median / p95 | \(Self.f(sd.meanLength)) / \(Self.f(sd.medianLength, 0)) / \(Self.f(sd.p95Length, 0)) | \(Self.f(rd.meanLength)) / \(Self.f(rd.medianLength, 0)) / \(Self.f(rd.p95Length, 0)) |\n"
        table += "| DNS name entropy, bits/char (mean) | \(Self.f(sd.meanEntropy, 2)) | \(Self.f(rd.meanEntropy, 2)) |\n"
        for t in ["A", "AAAA", "PTR", "SRV", "TXT", "other"] {
            table += "| qtype \(t) share | \(Self.f((sd.types[t] ?? 0) * 100))% | \(Self.f((rd.types[t] ?? 0) * 100))% |\n"
        }
        table += "| NXDOMAIN share | \(Self.f(sd.nxdomain * 100))% | \(Self.f(rd.nxdomain * 100))% |\n"
        table += "| conn: active host-hours | \(sf.hostHours) workstation (\(sAll.hostHours) all hosts) | \(rf.hostHours) (rita proxy conn.log) |\n"
        table += "| conn per active host-hour median / p90 | \(Self.f(sf.medianConnPerHostHour, 0)) / \(Self.f(sf.p90ConnPerHostHour, 0)) | \(Self.f(rf.medianConnPerHostHour, 0)) / \(Self.f(rf.p90ConnPerHostHour, 0)) |\n"
        table += "| conn orig_bytes / resp_bytes median | \(Self.f(sf.medianOrigBytes, 0)) / \(Self.f(sf.medianRespBytes, 0)) | \(Self.f(rf.medianOrigBytes, 0)) / \(Self.f(rf.medianRespBytes, 0)) |\n"
        table += "| conn with service ssl | \(Self.f(sf.tlsShare * 100))% | \(Self.f(rf.tlsShare * 100))% |\n"
        table += "| HTTP requests per active host-hour median | \(Self.f(sAll.medianHTTPPerHostHour, 0)) (all hosts) | \(Self.f(rf.medianHTTPPerHostHour, 0)) |\n"
        table += "| HTTP GET share / 2xx share | \(Self.f(sAll.httpGetShare * 100))% / \(Self.f(sAll.http2xxShare * 100))% | \(Self.f(rf.httpGetShare * 100))% / \(Self.f(rf.http2xxShare * 100))% |\n"
        print(table)
        // What the simulation is meant to match: names of ordinary length (median within 40%
        // of the real one) and ordinary entropy (within 0.6 bits/char).
        #expect(abs(sd.medianLength - rd.medianLength) <= rd.medianLength * 0.4)
        #expect(abs(sd.meanEntropy - rd.meanEntropy) <= 0.6)
        #expect(sd.types["A"] ?? 0 > 0.5)
    }
}
