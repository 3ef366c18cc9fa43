import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

/// The web server's and the sensor's plain HTTP next to what is known of real traffic
/// (Docs/Simulation-realism.md, "The exposed server's bots and the sensor's plain HTTP"):
/// the share of bots among the site's requests (Imperva, "2024 Bad Bot Report": 49.6% of web
/// traffic), the crawlers' faceted listings, and http.log against a real office capture
/// (rita-test-data `valid_tsv/http.log.gz`: 27,204 requests of 13 Windows hosts in 24 hours).
@Suite struct WebRealismTests {
    static let config = SimulationConfig(seed: 11, days: 3, hosts: 8)

    struct HTTPStats {
        var requests = 0, get2xx = 0, get3xx = 0, internalResponder = 0
        var uriMedian = 0.0, referrerShare = 0.0, browserShare = 0.0, cryptoAPI = 0, cryptoAPIGet = 0, ocspURIMedian = 0.0
    }

    /// RFC 1918 addresses: both ends inside an organisation.
    static func isPrivate(_ ip: IPAddress) -> Bool {
        let d = ip.description
        if d.hasPrefix("10.") || d.hasPrefix("192.168.") { return true }
        guard d.hasPrefix("172."), let second = Int(d.split(separator: ".").dropFirst().first ?? "") else { return false }
        return (16...31).contains(second)
    }

    static func stats(_ events: [Event]) -> HTTPStats {
        var st = HTTPStats()
        st.requests = events.count
        var uris: [Double] = [], ocsp: [Double] = []
        var referred = 0, browser = 0
        for e in events {
            let method = e["zeek.method"]?.stringValue ?? "-"
            let status = e["zeek.status_code"]?.intValue ?? 0
            let agent = e["zeek.user_agent"]?.stringValue ?? ""
            let uri = e["zeek.uri"]?.stringValue ?? ""
            if let o = e["zeek.id.orig_h"]?.ipValue, let r = e["zeek.id.resp_h"]?.ipValue, isPrivate(o) && isPrivate(r) { st.internalResponder += 1 }
            if agent.hasPrefix("Microsoft-CryptoAPI/") {
                st.cryptoAPI += 1
                if method == "GET" { st.cryptoAPIGet += 1 }
                if (e["zeek.host"]?.stringValue ?? "").hasPrefix("ocsp.") { ocsp.append(Double(uri.utf8.count)) }
            }
            if method == "GET" && (300..<400).contains(status) { st.get3xx += 1 }
            guard method == "GET" && (200..<300).contains(status) else { continue }
            st.get2xx += 1
            uris.append(Double(uri.utf8.count))
            if let r = e["zeek.referrer"]?.stringValue, !r.isEmpty, r != "-" { referred += 1 }
            if agent.hasPrefix("Mozilla/") { browser += 1 }
        }
        st.uriMedian = NetworkRealismTests.quantile(uris, 0.5)
        st.ocspURIMedian = NetworkRealismTests.quantile(ocsp, 0.5)
        st.referrerShare = Double(referred) / Double(max(1, st.get2xx))
        st.browserShare = Double(browser) / Double(max(1, st.get2xx))
        return st
    }

    static func pct(_ n: Int, _ of: Int) -> String { NetworkRealismTests.f(Double(n) * 100 / Double(max(1, of))) + "%" }

    @Test(.enabled(if: SharedData.isAvailable, "../shared/data is absent: the comparison with a real capture is skipped"))
    func plainHTTPNextToARealOfficeCapture() async throws {
        let (output, _, _) = NetSim.run(Self.config, scenarios: false)
        let dir = NetSim.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try output.write(logs: dir)
        let sim = try await NetworkRealismTests.events([dir.appendingPathComponent("acme/zeek/http.log").path])
        let realURL = try #require(SharedData.url("rita-test-data/test_data/valid_tsv/http.log.gz"))
        let real = try await NetworkRealismTests.events([realURL.path])
        #expect(real.count > 20_000)
        let s = Self.stats(sim), r = Self.stats(real)
        var table = "| http.log | simulated (8 hosts × 3 days, seed 11) | real (RITA valid_tsv, 13 hosts × 24 h) |\n|---|---|---|\n"
        table += "| requests | \(s.requests) | \(r.requests) |\n"
        table += "| GET/2xx / GET/3xx | \(Self.pct(s.get2xx, s.requests)) / \(Self.pct(s.get3xx, s.requests)) | \(Self.pct(r.get2xx, r.requests)) / \(Self.pct(r.get3xx, r.requests)) |\n"
        table += "| between internal hosts | \(Self.pct(s.internalResponder, s.requests)) | \(Self.pct(r.internalResponder, r.requests)) |\n"
        table += "| GET/2xx: URI length median | \(NetworkRealismTests.f(s.uriMedian, 0)) | \(NetworkRealismTests.f(r.uriMedian, 0)) |\n"
        table += "| GET/2xx: with a Referer | \(NetworkRealismTests.f(s.referrerShare * 100))% | \(NetworkRealismTests.f(r.referrerShare * 100))% |\n"
        table += "| GET/2xx: browser user agent (`Mozilla/`) | \(NetworkRealismTests.f(s.browserShare * 100))% | \(NetworkRealismTests.f(r.browserShare * 100))% |\n"
        table += "| Microsoft-CryptoAPI requests: GET | \(s.cryptoAPIGet) of \(s.cryptoAPI) | \(r.cryptoAPIGet) of \(r.cryptoAPI) |\n"
        table += "| OCSP URI length median | \(NetworkRealismTests.f(s.ocspURIMedian, 0)) | \(NetworkRealismTests.f(r.ocspURIMedian, 0)) |\n"
        print(table)
        // Windows fetches OCSP by GET, the request base64 in the path (RFC 6960 Appendix A.1),
        // as every CryptoAPI request of the real capture does.
        #expect(r.cryptoAPI > 1_000 && r.cryptoAPIGet == r.cryptoAPI)
        #expect(s.cryptoAPI > 0 && s.cryptoAPIGet == s.cryptoAPI)
        #expect(abs(s.ocspURIMedian - r.ocspURIMedian) <= 3)
    }

    /// The access log's clients by what they request: an address that loads none of the
    /// site's stylesheets, scripts or images is a bot (crawlers, preview fetchers, scrapers,
    /// scanners); browsers load them with the first page.
    @Test func aboutHalfOfTheSitesRequestsAreBots() throws {
        let (output, _, _) = NetSim.run(Self.config, scenarios: false)
        let dir = NetSim.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try output.write(logs: dir)
        let text = try String(contentsOf: dir.appendingPathComponent("acme/web/access.log"), encoding: .utf8)
        var byClient: [Substring: (requests: Int, assets: Bool)] = [:]
        var crawlerListings = 0, crawlerFaceted = 0
        for line in text.split(separator: "\n") {
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 6, let ip = line.split(separator: " ").first else { continue }
            let request = quoted[1].split(separator: " ")
            guard request.count == 3 else { continue }
            let uri = request[1], agent = quoted[5]
            let asset = uri.hasPrefix("/assets/") || uri.hasPrefix("/img/logo") || uri == "/favicon.ico"
            var c = byClient[ip, default: (0, false)]
            c.requests += 1
            c.assets = c.assets || asset
            byClient[ip] = c
            if agent.contains("Googlebot") || agent.contains("bingbot"), uri.hasPrefix("/products?") {
                crawlerListings += 1
                if uri.split(separator: "&").count >= 4 { crawlerFaceted += 1 }
            }
        }
        let total = byClient.values.reduce(0) { $0 + $1.requests }
        let bots = byClient.values.filter { !$0.assets }.reduce(0) { $0 + $1.requests }
        let share = Double(bots) / Double(max(1, total))
        print("access log: \(total) requests, \(bots) from clients that load no assets (\(NetworkRealismTests.f(share * 100))%); search crawlers' listings \(crawlerListings), with ≥ 3 filters or sort and page \(crawlerFaceted)")
        // Imperva, "2024 Bad Bot Report": bots 49.6% of web traffic (17.6% good, 32% bad).
        #expect(share > 0.35 && share < 0.65)
        // Crawlers walk faceted listings (Google Search Central, "Managing crawling of faceted
        // navigation URLs").
        #expect(crawlerListings > 50 && Double(crawlerFaceted) / Double(crawlerListings) > 0.2)
    }
}
