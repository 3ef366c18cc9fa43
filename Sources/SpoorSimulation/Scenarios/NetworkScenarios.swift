import SpoorCore

/// Attacks seen on the network: C2 over HTTPS with jitter, a DGA, DNS tunnelling,
/// exfiltration at night and SQL-injection probing of the web server. Every record goes
/// through ``NetworkTraffic`` and ``WebServerTraffic``, the code benign traffic uses.
enum NetworkScenarios {
    static let all: [ScenarioEntry] = [
        ScenarioEntry(name: "https-beaconing", techniques: ["T1071.001"],
                      summary: "an implant on a workstation calls its C2 over TLS every ~10 min with ±20% jitter (DNS first)",
                      run: { Beaconing.run(&$0, plan: .standard) }),
        ScenarioEntry(name: "dga", techniques: ["T1568.002"],
                      summary: "malware tries algorithmically generated domains (NXDOMAIN bursts) until one resolves, then connects",
                      run: { DGA.run(&$0) }),
        ScenarioEntry(name: "dns-tunnelling", techniques: ["T1071.004"],
                      summary: "long high-entropy subdomain queries (TXT/NULL) to one domain carry a command channel",
                      run: { DNSTunnel.run(&$0) }),
        ScenarioEntry(name: "exfiltration-at-night", techniques: ["T1567.002"],
                      summary: "gigabytes from a workstation to cloud storage at local night while its user is off work",
                      run: { NightExfiltration.run(&$0) }),
        ScenarioEntry(name: "web-sqli-scan", techniques: ["T1190"],
                      summary: "SQL-injection probing of the public web server (access log, conn, ssl/http)",
                      run: { SQLInjectionScan.run(&$0) }),
    ]

    /// A victim workstation and its user.
    static func victim(_ ctx: inout SimulationContext) -> (SimHost, SimUser)? {
        let candidates = ctx.client.workstations.compactMap { ws in ws.owner.flatMap { ctx.client.user($0) }.map { (ws, $0) } }
        guard !candidates.isEmpty else { return nil }
        return candidates[ctx.rng.below(candidates.count)]
    }

    /// An address in a hosting provider's range (VPS blocks attackers rent).
    static func hostingAddress(_ rng: inout SplitMix64) -> IPAddress {
        let blocks: [UInt32] = [(45 << 8) | 77, (139 << 8) | 59, (5 << 8) | 180, (104 << 8) | 238, (95 << 8) | 179, (193 << 8) | 29]
        return IPAddress(ipv4: (rng.pick(blocks) << 16) | UInt32(rng.below(256) << 8) | UInt32(2 + rng.below(250)))
    }

    static func resolver(_ ctx: SimulationContext) -> NetEndpoint {
        ctx.client.proxy.map(NetEndpoint.init) ?? NetEndpoint(ip: Internet.upstreamResolvers[0])
    }
}

/// T1071.001: the implant sleeps `period × (1 + jitter × u)`, u uniform in [−1, 1], between
/// check-ins; each check-in is a short TLS connection with small, regular sizes, and now and
/// then a task (a larger response).
enum Beaconing {
    struct Plan: Sendable {
        var period: Double
        var jitter: Double
        var hours: Double
        static let standard = Plan(period: 600, jitter: 0.2, hours: 24)
    }

    static let domains = ["cdn-static-assets.net", "api.cloudsync-telemetry.com", "update.office-cdn.net", "assets.jquery-static.org",
                          "telemetry.azureedge-cdn.com", "sync.onedrive-files.net"]

    static func run(_ sc: inout ScenarioContext, plan: Plan) {
        var ctx = sc.simulation
        NetworkTraffic.declare(&ctx)
        guard let (ws, _) = NetworkScenarios.victim(&ctx) else { return }
        let me = NetEndpoint(ws)
        let domain = ctx.rng.pick(domains)
        let service = InternetService(domain, [], [NetworkScenarios.hostingAddress(&ctx.rng).description], ttl: 3600)
        let resolve = sc.label("T1071.001", "command-and-control", step: "resolve")
        let beacon = sc.label("T1071.001", "command-and-control", step: "beacon")
        var cache = NetworkActivity.DNSCache()
        var t = sc.start
        let end = min(ctx.end, Schedule.plus(sc.start, plan.hours * 3600))
        while t < end {
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, service, cache: &cache, label: resolve)
            let task = ctx.rng.chance(0.05)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: domain, profile: .dotnet,
                               origBytes: NetworkTraffic.size(520, &ctx.rng, sigma: 0.08),
                               respBytes: task ? NetworkTraffic.size(40_000, &ctx.rng) : NetworkTraffic.size(310, &ctx.rng, sigma: 0.1),
                               duration: 0.25 + ctx.rng.exponential(mean: 0.2), label: beacon)
            t = Schedule.plus(t, plan.period * (1 + plan.jitter * (2 * ctx.rng.unit() - 1)))
        }
        sc.simulation = ctx
    }
}

/// T1568.002: a burst of generated names (NXDOMAIN) until one the operator registered
/// resolves; then the malware connects to it.
enum DGA {
    static func names(seed: UInt64, count: Int) -> [String] {
        var rng = SplitMix64(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let tlds = ["com", "net", "org", "info", "biz", "xyz"]
        return (0..<count).map { _ in
            String(decoding: (0..<(10 + rng.below(9))).map { _ in letters[rng.below(26)] }, as: UTF8.self) + "." + rng.pick(tlds)
        }
    }

    static func run(_ sc: inout ScenarioContext) {
        var ctx = sc.simulation
        NetworkTraffic.declare(&ctx)
        guard let (ws, _) = NetworkScenarios.victim(&ctx) else { return }
        let me = NetEndpoint(ws)
        let resolver = NetworkScenarios.resolver(ctx)
        let query = sc.label("T1568.002", "command-and-control", step: "query")
        let candidates = names(seed: UInt64(sc.start.seconds / 86_400) ^ 0xD6A, count: 30 + ctx.rng.below(25))
        var t = sc.start
        for name in candidates.dropLast() {
            t = NetworkTraffic.dns(&ctx, at: t, from: me, server: resolver, query: name, rcode: .nxDomain, upstream: true, label: query)
            t = Schedule.plus(t, 0.02 + ctx.rng.exponential(mean: 0.3))
        }
        guard let last = candidates.last else { return }
        let ip = NetworkScenarios.hostingAddress(&ctx.rng)
        t = NetworkTraffic.dns(&ctx, at: t, from: me, server: resolver, query: last, answers: [ip.description], ttls: [300], upstream: true,
                               label: sc.label("T1568.002", "command-and-control", step: "resolve"))
        let connect = sc.label("T1568.002", "command-and-control", step: "connect")
        for k in 0..<3 {
            NetworkTraffic.tls(&ctx, at: Schedule.plus(t, 0.01 + Double(k) * (60 + ctx.rng.unit() * 30)), me, NetEndpoint(ip: ip), sni: last,
                               profile: .goClient, origBytes: NetworkTraffic.size(700, &ctx.rng, sigma: 0.2),
                               respBytes: NetworkTraffic.size(k == 0 ? 90_000 : 500, &ctx.rng, sigma: 0.3), duration: 0.4 + ctx.rng.exponential(mean: 0.5),
                               label: connect)
        }
        sc.simulation = ctx
    }
}

/// T1071.004: a DNS tunnel (dnscat2/iodine style) — data in long encoded labels under one
/// domain, TXT and NULL queries, answers carrying data back, TTLs of a second so no cache
/// helps.
enum DNSTunnel {
    static let domains = ["cdn-edge-check.com", "ns-resolve-api.net", "metrics-pipeline.org"]

    static func run(_ sc: inout ScenarioContext) {
        var ctx = sc.simulation
        NetworkTraffic.declare(&ctx)
        guard let (ws, _) = NetworkScenarios.victim(&ctx) else { return }
        let me = NetEndpoint(ws)
        let resolver = NetworkScenarios.resolver(ctx)
        let domain = ctx.rng.pick(domains)
        let label = sc.label("T1071.004", "command-and-control", step: "tunnel")
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var t = sc.start
        for _ in 0..<(70 + ctx.rng.below(30)) {
            var labels: [String] = []
            var budget = 120 + ctx.rng.below(100)
            while budget > 0 {
                let n = min(63, max(8, min(budget, 40 + ctx.rng.below(24))))
                labels.append(String(decoding: (0..<n).map { _ in alphabet[ctx.rng.below(alphabet.count)] }, as: UTF8.self))
                budget -= n
            }
            let name = labels.joined(separator: ".") + "." + domain
            let txt = ctx.rng.chance(0.75)
            let reply = NetworkTraffic.randomHex(2 * (8 + ctx.rng.below(80)), &ctx.rng)
            // A NULL answer carries the data as raw bytes (iodine's downstream), which Zeek
            // does not log (it parses no NULL RDATA): it counts in the response's bytes only.
            t = NetworkTraffic.dns(&ctx, at: t, from: me, server: resolver, query: name, type: txt ? .txt : .null,
                                   answers: txt ? ["TXT \(reply.utf8.count) \(reply)"] : [], ttls: txt ? [1] : [], upstream: true,
                                   unloggedAnswerBytes: txt ? 0 : 12 + reply.utf8.count / 2, label: label)
            t = Schedule.plus(t, 0.2 + ctx.rng.exponential(mean: 4))
        }
        sc.simulation = ctx
    }
}

/// T1567.002: rclone-style upload of gigabytes to cloud storage (MEGA) from a workstation in
/// the local night, when its user is off work (so nobody is logged on to it).
enum NightExfiltration {
    static func run(_ sc: inout ScenarioContext) {
        var ctx = sc.simulation
        NetworkTraffic.declare(&ctx)
        guard let (ws, user) = NetworkScenarios.victim(&ctx) else { return }
        let me = NetEndpoint(ws)
        // The first night (01:00–02:00 local) at or after the planned start that fits in the
        // window with four hours to spare and falls outside the user's working hours.
        let startDay = Int((sc.start.microseconds - ctx.start.microseconds + Int64(ctx.client.utcOffset) * 1_000_000) / 86_400_000_000)
        var chosen: Timestamp? = nil
        for d in Array(startDay + 1 ..< ctx.config.days) + Array((0...min(startDay, ctx.config.days - 1)).reversed()) {
            let t = ctx.time(day: d, localSeconds: 3600 + ctx.rng.unit() * 3600)
            if t >= ctx.start, Schedule.plus(t, 4 * 3600) < ctx.end, !ctx.client.isWorking(user, at: t),
               !ctx.client.isWorking(user, at: Schedule.plus(t, 4 * 3600)) {
                chosen = t
                break
            }
        }
        guard var t = chosen else { return }
        sc.start = t
        let resolveLabel = sc.label("T1567.002", "exfiltration", step: "resolve")
        let upload = sc.label("T1567.002", "exfiltration", step: "upload")
        var cache = NetworkActivity.DNSCache()
        let api = InternetService("g.api.mega.co.nz", [], ["31.216.148.11", "31.216.148.12", "31.216.147.135"], ttl: 300)
        var (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, api, cache: &cache, label: resolveLabel)
        NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: api.domain, profile: .goClient, origBytes: NetworkTraffic.size(3_000, &ctx.rng),
                           respBytes: NetworkTraffic.size(6_000, &ctx.rng), duration: 0.8, label: upload)
        t = Schedule.plus(ready, 2)
        for _ in 0..<(6 + ctx.rng.below(5)) {
            let node = "gfs\(200 + ctx.rng.below(80))n\(100 + ctx.rng.below(60)).userstorage.mega.co.nz"
            let storage = InternetService(node, [], ["66.203.127.\(10 + ctx.rng.below(200))"], ttl: 300)
            (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, storage, cache: &cache, label: resolveLabel)
            let bytes = 250_000_000 + ctx.rng.below(450_000_000)
            let duration = Double(bytes) / (6e6 + ctx.rng.unit() * 6e6)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: node, profile: .goClient, origBytes: bytes,
                               respBytes: 30_000 + ctx.rng.below(40_000), duration: duration, label: upload)
            // rclone runs four transfers at once: the next starts before this one ends.
            t = Schedule.plus(ready, duration / 4 + ctx.rng.unit() * 5)
        }
        sc.simulation = ctx
    }
}

/// T1190: sqlmap-style probing of a parameter of the public web site — boolean, error,
/// UNION and time-based payloads — after a short crawl, with a browser user agent.
enum SQLInjectionScan {
    static let payloads = [
        "%27", "%22", "%29", "%20AND%201%3D1", "%20AND%201%3D2", "%27%20AND%20%27abcd%27%3D%27abcd", "%27%20AND%20%27abcd%27%3D%27abce",
        "%20ORDER%20BY%201--%20-", "%20ORDER%20BY%2010--%20-", "%20UNION%20ALL%20SELECT%20NULL--%20-",
        "%20UNION%20ALL%20SELECT%20NULL%2CNULL%2CNULL--%20-", "%20AND%20SLEEP%285%29", "%27%20AND%20SLEEP%285%29--%20-",
        "%29%20AND%208412%3D8412%20AND%20%287371%3D7371", "%20AND%20EXTRACTVALUE%281234%2CCONCAT%280x5c%2C0x7176%29%29",
        "%27%20OR%20%271%27%3D%271", "%20OR%201%3D1--%20-", "%3B%20SELECT%20PG_SLEEP%285%29--",
    ]

    static func run(_ sc: inout ScenarioContext) {
        var ctx = sc.simulation
        NetworkTraffic.declare(&ctx)
        guard ctx.client.webServer != nil else { return }
        let ip = NetworkScenarios.hostingAddress(&ctx.rng)
        let ua = WebServerTraffic.visitorAgent(&ctx.rng)
        let crawl = sc.label("T1190", "initial-access", step: "crawl")
        let probe = sc.label("T1190", "initial-access", step: "probe")
        var t = sc.start
        // The crawl: the home page, a page or two of the site, then the product page whose id
        // parameter is probed (the same pages, sizes and types the site gives every visitor).
        let id = 1 + ctx.rng.below(60)
        let target = "/products/view.php?id=\(id)"
        var pages = ["/"]
        for _ in 0..<(1 + ctx.rng.below(2)) { pages.append(WebServerTraffic.contentKey(WebServerTraffic.page(&ctx))) }   // links on the site: no campaign parameters
        pages.append(target)
        let crawled = pages.map { p in
            let b = WebServerTraffic.body(p, &ctx.rng)
            return WebServerTraffic.Hit("GET", p, status: 200, bytes: b.bytes, mime: b.mime)
        }
        WebServerTraffic.session(&ctx, at: t, from: ip, userAgent: ua, requests: crawled, label: crawl)
        t = Schedule.plus(t, 20 + ctx.rng.unit() * 40)
        for _ in 0..<(5 + ctx.rng.below(3)) {
            var hits: [WebServerTraffic.Hit] = []
            for _ in 0..<(12 + ctx.rng.below(10)) {
                let p = ctx.rng.pick(payloads)
                let broken = p.hasPrefix("%27") || p == "%22" || p == "%29" || p.contains("EXTRACTVALUE")
                let status = broken && ctx.rng.chance(0.6) ? 500 : 200
                // A false condition selects no product: the site's "product not found" page;
                // otherwise the product page itself (what boolean-based probing compares).
                let noRow = p.contains("1%3D2") || p.contains("abce")
                let bytes = status == 500 ? 530 + ctx.rng.below(40) : WebServerTraffic.body(noRow ? "/products/view.php" : target, &ctx.rng).bytes
                hits.append(.init("GET", target + p, status: status, bytes: bytes))
            }
            let port = ctx.rng.chance(0.8) ? 443 : 80
            WebServerTraffic.session(&ctx, at: t, from: ip, userAgent: ua, port: port, requests: hits, label: probe)
            t = Schedule.plus(t, 30 + ctx.rng.exponential(mean: 40))
        }
        sc.simulation = ctx
    }
}
