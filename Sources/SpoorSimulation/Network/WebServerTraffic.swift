import SpoorCore

/// The client's public web site on `web01`: visitors from the internet, crawlers and the
/// internet-wide scanners every public server sees. Each HTTP session is written once to
/// the access log (one line per request) and to Zeek (conn + ssl on 443, conn + http + files
/// on 80) by ``session(_:at:from:userAgent:port:requests:label:)``, which the SQL-injection
/// scenario uses as well.
public enum WebServerTraffic {
    public struct Hit: Sendable {
        public var method: String
        public var uri: String
        public var status: Int
        public var bytes: Int
        public var referrer: String?
        public var mime: String?

        public init(_ method: String = "GET", _ uri: String, status: Int, bytes: Int, referrer: String? = nil, mime: String? = "text/html") {
            self.method = method
            self.uri = uri
            self.status = status
            self.bytes = bytes
            self.referrer = referrer
            self.mime = mime
        }
    }

    static let pages = ["/", "/about", "/products", "/products/view.php?id=", "/news", "/news/article.php?id=", "/contact", "/careers",
                        "/search?q=", "/support", "/privacy", "/products/view.php?id=", "/"]
    static let campaignParameters = ["utm_source=newsletter&utm_medium=email&utm_campaign=spring-2026", "utm_source=linkedin&utm_medium=social",
                                     "utm_source=google&utm_medium=cpc&utm_campaign=brand%20search", "ref=partner-portal", "utm_source=bing&utm_medium=cpc&utm_term=industrial%20pumps",
                                     "lang=de&currency=CHF", "sort=price&order=asc&page=2"]
    static let searchTerms = ["pricing", "support+hours", "warranty", "download", "contact", "manual+pdf", "careers", "shipping", "returns", "api"]
    static let assets: [(String, Int, String)] = [
        ("/assets/css/site.min.css", 46_210, "text/css"), ("/assets/js/app.min.js", 121_774, "application/javascript"),
        ("/assets/js/vendor.min.js", 88_402, "application/javascript"), ("/img/logo.svg", 5_313, "image/svg+xml"),
        ("/img/hero.jpg", 184_220, "image/jpeg"), ("/favicon.ico", 15_086, "image/x-icon"),
        ("/assets/fonts/inter-var.woff2", 97_516, "font/woff2"),
    ]
    static let probes = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/", "/boaform/admin/formLogin", "/cgi-bin/luci/;stok=/locale",
                         "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/actuator/health", "/solr/admin/info/system",
                         "/owa/auth/logon.aspx", "/remote/login", "/.aws/credentials", "/server-status", "/wp-content/plugins/",
                         "/index.php?s=/Index/think/app/invokefunction&function=call_user_func_array", "/?XDEBUG_SESSION_START=phpstorm", "/HNAP1/", "/admin/",
                         "/products/view.php?id=1%27", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/robots.txt", "/sitemap.xml"]
    static let scannerAgents = [
        "Mozilla/5.0 zgrab/0.x", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "python-requests/2.31.0",
        "curl/7.88.1", "Go-http-client/1.1",
        "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day to identify customers' presences on the Internet. If you would like to be excluded from our scans, please send IP addresses/domains to: scaninfo@paloaltonetworks.com",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/115.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
    ]

    public static func siteHost(_ client: SimClient) -> String { "www." + client.dnsDomain }

    /// One HTTP session of `from` against the web server.
    public static func session(_ ctx: inout SimulationContext, at t: Timestamp, from ip: IPAddress, userAgent: String, port: Int = 443,
                               requests: [Hit], label: TruthLabel?) {
        guard let web = ctx.client.webServer, !requests.isEmpty else { return }
        let visitor = NetEndpoint(ip: ip)
        let server = NetEndpoint(web)
        let host = siteHost(ctx.client)
        if port == 80 {
            let uid = NetworkTraffic.http(&ctx, at: t, visitor, server, port: 80, requests: requests.map {
                .init($0.method, host: host, uri: $0.uri, referrer: $0.referrer, userAgent: userAgent, responseBody: $0.bytes, status: $0.status,
                      mime: $0.bytes > 0 ? $0.mime : nil)
            }, label: label)
            _ = uid
            var at = Schedule.plus(t, 0.001)
            for r in requests {
                NetworkTraffic.access(&ctx, at: at, client: ip, method: r.method, uri: r.uri, status: r.status, bytes: r.bytes,
                                      referrer: r.referrer, userAgent: userAgent, label: label)
                at = Schedule.plus(at, 0.02 + ctx.rng.exponential(mean: 0.2))
            }
            return
        }
        var at = Schedule.plus(t, 0.03 + ctx.rng.exponential(mean: 0.05))
        var up = 600, down = 4_500
        for r in requests {
            NetworkTraffic.access(&ctx, at: at, client: ip, method: r.method, uri: r.uri, status: r.status, bytes: r.bytes,
                                  referrer: r.referrer, userAgent: userAgent, label: label)
            up += 90 + r.uri.utf8.count + userAgent.utf8.count + (r.referrer?.utf8.count ?? 0)
            down += 220 + r.bytes
            at = Schedule.plus(at, 0.02 + ctx.rng.exponential(mean: 0.4))
        }
        let duration = Double(at.microseconds - t.microseconds) / 1e6 + (ctx.rng.chance(0.6) ? 5 : 0.05)   // keep-alive timeout
        NetworkTraffic.tls(&ctx, at: t, visitor, server, sni: host, profile: .browser, origBytes: up, respBytes: down, duration: duration, label: label)
    }

    static func page(_ ctx: inout SimulationContext) -> String {
        let p = ctx.rng.pick(pages)
        var uri = p
        if p.hasSuffix("id=") { uri = p + String(1 + ctx.rng.below(60)) }
        if p.hasSuffix("q=") {
            // Searches of several words, URL-encoded as browsers send them.
            uri = p + (0..<(1 + ctx.rng.below(4))).map { _ in ctx.rng.pick(searchTerms) }.joined(separator: ctx.rng.chance(0.5) ? "%20" : "+")
        }
        // Visitors from newsletters and ads carry campaign parameters (UTM, click ids).
        if uri != "/", ctx.rng.chance(0.12) {
            uri += (uri.contains("?") ? "&" : "?") + ctx.rng.pick(campaignParameters)
            if ctx.rng.chance(0.4) { uri += "&gclid=" + NetworkTraffic.randomHex(8 + ctx.rng.below(20), &ctx.rng) }
        }
        return uri
    }

    static func run(_ ctx: inout SimulationContext) {
        NetworkTraffic.declare(&ctx)
        guard ctx.client.webServer != nil else { return }
        let client = ctx.client
        let site = "https://" + siteHost(client)
        var base = ctx.rng
        // Visitors: busiest in the client's daytime, some at night.
        ctx.rng = base.split()
        let visits = Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 16) { t in
            let h = Schedule.localSeconds(t, client) / 3600
            let weekend = SimCalendar.weekday(CivilTime(utcMicroseconds: t.microseconds + Int64(client.utcOffset) * 1_000_000)) >= 6
            return (h >= 8 && h < 22 ? 1.0 : 0.2) * (weekend ? 0.6 : 1)
        }
        for t in visits {
            let ip = Internet.visitorAddress(&ctx.rng)
            let ua = ctx.rng.pick(NetworkActivity.browserAgents)
            var hits: [Hit] = []
            var referrer: String? = ctx.rng.chance(0.45) ? "https://www.google.com/" : (ctx.rng.chance(0.2) ? "https://www.bing.com/" : nil)
            let returning = ctx.rng.chance(0.3)
            for n in 0..<(1 + ctx.rng.below(4)) {
                let p = n == 0 && ctx.rng.chance(0.5) ? "/" : page(&ctx)
                let missing = ctx.rng.chance(0.01)
                hits.append(Hit("GET", p, status: missing ? 404 : 200, bytes: missing ? 196 : 8_000 + ctx.rng.below(32_000), referrer: referrer))
                if n == 0 {
                    for a in assets where ctx.rng.chance(0.7) {
                        hits.append(Hit("GET", a.0, status: returning ? 304 : 200, bytes: returning ? 0 : a.1, referrer: site + p, mime: a.2))
                    }
                }
                referrer = site + p
            }
            if ctx.rng.chance(0.12) {
                // Typed without https: the redirect on port 80 first.
                session(&ctx, at: Schedule.plus(t, -0.4), from: ip, userAgent: ua, port: 80,
                        requests: [Hit("GET", hits[0].uri, status: 301, bytes: 240, referrer: nil)], label: nil)
            }
            session(&ctx, at: t, from: ip, userAgent: ua, requests: hits, label: nil)
        }
        // Crawlers.
        ctx.rng = base.split()
        let crawlers: [(String, [UInt32], String)] = [
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", [(66 << 24) | (249 << 16) | (66 << 8)], "googlebot"),
            ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", [(157 << 24) | (55 << 16) | (39 << 8), (40 << 24) | (77 << 16) | (167 << 8)], "bingbot"),
            ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", [(5 << 24) | (39 << 16) | (1 << 8)], "ahrefs"),
        ]
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 2.5, shape: { _ in 1 }) {
            let c = ctx.rng.pick(crawlers)
            let ip = IPAddress(ipv4: ctx.rng.pick(c.1) | UInt32(1 + ctx.rng.below(250)))
            var hits: [Hit] = []
            if ctx.rng.chance(0.3) { hits.append(Hit("GET", "/robots.txt", status: 200, bytes: 112, mime: "text/plain")) }
            if ctx.rng.chance(0.15) { hits.append(Hit("GET", "/sitemap.xml", status: 200, bytes: 4_210, mime: "application/xml")) }
            for _ in 0..<(1 + ctx.rng.below(3)) { hits.append(Hit("GET", page(&ctx), status: 200, bytes: 8_000 + ctx.rng.below(32_000))) }
            // Crawlers follow old http:// links too; the site answers on port 80 as well.
            session(&ctx, at: t, from: ip, userAgent: c.0, port: ctx.rng.chance(0.35) ? 80 : 443, requests: hits, label: nil)
        }
        // Internet-wide scanners and bots probing for known paths.
        ctx.rng = base.split()
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 3, shape: { _ in 1 }) {
            let ip = Internet.scannerAddress(&ctx.rng)
            let ua = ctx.rng.pick(scannerAgents)
            var hits: [Hit] = []
            for _ in 0..<(1 + ctx.rng.below(ctx.rng.chance(0.2) ? 25 : 4)) {
                let p = ctx.rng.pick(probes)
                let found = p == "/robots.txt" || p == "/sitemap.xml" || p.hasPrefix("/products")
                hits.append(Hit(ctx.rng.chance(0.1) ? "POST" : "GET", p, status: found ? 200 : (p == "/server-status" ? 403 : 404),
                                bytes: found ? 2_000 + ctx.rng.below(9_000) : 196 + ctx.rng.below(40)))
            }
            session(&ctx, at: t, from: ip, userAgent: ua, port: ctx.rng.chance(0.55) ? 80 : 443, requests: hits, label: nil)
        }
    }
}
