import Foundation
import SpoorCore

/// The client's public web site on `web01`: visitors from the internet, and the bots that make
/// about half of a public site's requests — search and SEO crawlers, link-preview fetchers,
/// scrapers — and the internet-wide scanners every public server sees. Each HTTP session is written once to
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

    // The site's URL space. A real company site's access log is not a list of short paths:
    // product listings carry category, sort and page parameters, searches several words and a
    // page number, news articles long slugs, downloads long file names, and every page pulls
    // stylesheets and scripts with a cache-busting version (`?ver=`), product photos with their
    // size in the name, and a stock query from its script. Published access logs of real sites
    // show exactly this mix (Chodak, Suchacka & Chawla 2020, "HTTP-level e-commerce data based on
    // server access logs for an online store", Computer Networks 183, the EClog data set: 183 days
    // of an online store's log with category, filter and pagination parameters; the University of
    // Seville library's 47 million requests, BIBLIO-US17, "wide use of queries with parameters").
    static let staticPages = ["/", "/about", "/contact", "/careers", "/privacy", "/support", "/news", "/products", "/imprint", "/about/team",
                              "/support/faq", "/support/service-centres", "/about/sustainability"]
    static let categories = ["centrifugal-pumps", "dosing-pumps", "spare-parts", "valves-and-fittings", "control-units", "submersible-pumps",
                             "accessories", "service-kits"]
    static let newsSlugs = ["new-service-centre-opens-in-basel", "hannover-messe-2026-visit-us-in-hall-15", "cp-200-series-now-available",
                            "energy-efficiency-class-ie5-for-all-motors", "annual-report-2025", "we-are-hiring-service-technicians",
                            "price-list-2026", "webinar-predictive-maintenance-for-pumps", "holiday-opening-hours", "iso-9001-recertification"]
    static let downloads = ["cp-200-operating-manual-en.pdf", "cp-200-datasheet-de.pdf", "dosing-pump-dx-series-catalogue-2026.pdf",
                            "general-terms-and-conditions-2025.pdf", "spare-parts-list-valves-and-fittings.pdf", "declaration-of-conformity-ce-cp-series.pdf"]
    static let productTabs = ["specs", "downloads", "spare-parts", "reviews"]
    static let newsletterParameters = ["utm_source=newsletter&utm_medium=email&utm_campaign=spring-2026",
                                       "utm_source=newsletter&utm_medium=email&utm_campaign=2026-03-product-news&utm_content=cta-button",
                                       "mc_cid=4f2a9e81c3&mc_eid=d91b07a2e5"]
    static let searchTerms = ["pricing", "support+hours", "warranty", "download", "contact", "manual+pdf", "careers", "shipping", "returns", "api",
                              "cp-200", "dosing", "seal", "impeller", "spare", "datasheet", "ie5", "pump", "service", "basel"]
    /// Stylesheets and scripts with the site's release as a cache-busting version (WordPress's
    /// `wp_enqueue_style`/`wp_enqueue_script` `$ver` argument; any asset pipeline does the same).
    static let assets: [(String, Int, String)] = [
        ("/assets/css/site.min.css?ver=3.8.1", 46_210, "text/css"), ("/assets/js/app.min.js?ver=3.8.1", 121_774, "application/javascript"),
        ("/assets/vendor/jquery/jquery-3.7.1.min.js?ver=3.7.1", 87_533, "application/javascript"), ("/img/logo.svg", 5_313, "image/svg+xml"),
        ("/img/hero.jpg", 184_220, "image/jpeg"), ("/favicon.ico", 15_086, "image/x-icon"),
        ("/assets/fonts/inter-var-latin.woff2?v=4.0", 97_516, "font/woff2"), ("/assets/vendor/cookieconsent/cookieconsent.min.js?ver=3.0.1", 24_118, "application/javascript"),
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

    /// Browsers of internet visitors: the desktop browsers the client's own staff use, and the
    /// phones and in-app browsers of the public, whose user agents run from about 70 to over
    /// 250 characters (the Facebook and LinkedIn apps append their own tokens; MDN, "User-Agent").
    static let mobileAgents = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/451.0.0.38.108;FBBV/563270612;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.3.1;FBSS/3;FBID/phone;FBLC/de_DE;FBOP/5;FBRV/565431889]",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/121.0.6167.178 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/450.0.0.42.109;]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 LinkedInApp/9.29.7841",
        "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/122.0.6261.89 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 OPR/107.0.0.0",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0",
    ]

    /// Search engines' and other well-behaved crawlers, with the address blocks they crawl from.
    /// Google crawls most sites mainly with its smartphone crawler since mobile-first indexing
    /// (Google Search Central, "Googlebot": "the majority of Googlebot crawl requests will be
    /// made using the mobile crawler"), whose user agent is a full Chrome-on-Android string with
    /// the Googlebot token appended (Google Search Central, "Google's common crawlers"); Bing's
    /// crawler has had an evergreen Chrome user agent since 2022 (Bing Webmaster Blog, "Bingbot
    /// user agent update"). SEO tools (AhrefsBot, SemrushBot) and the AI companies' crawlers
    /// (OpenAI's GPTBot, Amazonbot) follow every link they find, faceted listing URLs included
    /// (Google Search Central, "Managing crawling of faceted navigation URLs": filter and sort
    /// parameters make "infinite URL spaces" crawlers walk before they can tell the URLs are
    /// useless; ArchivesSpace pull request #1797, 2020: Amazonbot "spent most of its time trying
    /// every combination of facets").
    static let crawlers: [(agent: String, blocks: [UInt32], weight: Int)] = [
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.94 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
         [(66 << 24) | (249 << 16) | (66 << 8), (66 << 24) | (249 << 16) | (68 << 8)], 30),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", [(66 << 24) | (249 << 16) | (66 << 8)], 8),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/122.0.6261.94 Safari/537.36",
         [(157 << 24) | (55 << 16) | (39 << 8), (40 << 24) | (77 << 16) | (167 << 8)], 18),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", [(5 << 24) | (39 << 16) | (1 << 8), (54 << 24) | (36 << 16) | (148 << 8)], 12),
        ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", [(185 << 24) | (191 << 16) | (171 << 8)], 10),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", [(20 << 24) | (171 << 16) | (207 << 8)], 10),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; +https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36",
         [(52 << 24) | (70 << 16) | (240 << 8)], 8),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", [(5 << 24) | (255 << 16) | (253 << 8)], 4),
    ]

    /// Link-preview fetchers: when a link to the site is posted or pasted, the platform fetches
    /// the URL as it was shared (with its `utm_*` or click-id parameters) to read its Open Graph
    /// tags, then the preview image; no Referer (there is no referring page, RFC 9110 §10.1.3).
    /// The Facebook crawler (Meta for Developers, "The Facebook Crawler": `facebookexternalhit/1.1`),
    /// Slack's classic unfurling ("When a link is spotted, Slack crawls it and provides a preview",
    /// Slack API, "Unfurling links in messages"), X, LinkedIn, Teams, WhatsApp (fetched by the
    /// sender's phone, so from a residential address) and Telegram. Facebook's fetcher was the
    /// most active single bot on Incapsula's network, 4.4% of all website traffic (Imperva
    /// Incapsula, "Bot Traffic Report 2016").
    static let previewFetchers: [(agent: String, blocks: [UInt32], social: String?)] = [
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", [(69 << 24) | (171 << 16) | (249 << 8), (173 << 24) | (252 << 16) | (107 << 8)],
         "utm_source=facebook&utm_medium=social&utm_campaign=trade-fair-2026"),
        ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", [(108 << 24) | (174 << 16) | (10 << 8)], "utm_source=linkedin&utm_medium=social"),
        ("Twitterbot/1.0", [(199 << 24) | (16 << 16) | (157 << 8)], "utm_source=twitter&utm_medium=social"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", [(54 << 24) | (209 << 16) | (32 << 8), (3 << 24) | (89 << 16) | (155 << 8)], nil),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", [(52 << 24) | (114 << 16) | (14 << 8)], nil),
        ("WhatsApp/2.24.6.77 A", [], nil),
        ("TelegramBot (like TwitterBot)", [(149 << 24) | (154 << 16) | (161 << 8)], nil),
    ]

    /// Scrapers' own agents, where they do not pretend to be a browser.
    static let scraperAgents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/122.0.6261.94 Safari/537.36",
        "Scrapy/2.11.1 (+https://scrapy.org)", "python-requests/2.31.0", "Go-http-client/2.0",
    ]

    static func visitorAgent(_ rng: inout SplitMix64) -> String {
        rng.chance(0.3) ? rng.pick(mobileAgents) : rng.pick(NetworkActivity.browserAgents)
    }

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

    /// A page of the site as visitors, crawlers and the SQL-injection scenario's crawl request it.
    static func page(_ ctx: inout SimulationContext) -> String {
        var uri: String
        switch ctx.rng.below(20) {
        case 0..<6: uri = ctx.rng.pick(staticPages)
        case 6..<11:
            uri = "/products/view.php?id=\(1 + ctx.rng.below(60))"
            if ctx.rng.chance(0.3) { uri += "&tab=" + ctx.rng.pick(productTabs) }
        case 11..<14:
            uri = listing(&ctx, facets: 0)
        case 14..<16:
            // Articles of the last fifteen months under /news/yyyy/mm/, or a page of the list.
            let month = 13 + ctx.rng.below(15)   // months since January 2025: 2025-02 … 2026-03
            uri = ctx.rng.chance(0.15) ? "/news?page=\(2 + ctx.rng.below(4))"
                : "/news/\(2024 + month / 12)/" + ZeekValue.pad(Int64(month % 12 + 1), 2) + "/" + ctx.rng.pick(newsSlugs)
        case 16:
            uri = "/careers/job.php?id=\(100 + ctx.rng.below(40))" + (ctx.rng.chance(0.4) ? "&ref=" + ctx.rng.pick(["linkedin", "jobs.ch", "indeed"]) : "")
        case 17:
            uri = "/downloads/" + ctx.rng.pick(downloads)
        default:
            // Searches of several words, URL-encoded as browsers send them, sometimes a later page.
            uri = "/search?q=" + (0..<(1 + ctx.rng.below(4))).map { _ in ctx.rng.pick(searchTerms) }.joined(separator: ctx.rng.chance(0.5) ? "%20" : "+")
            if ctx.rng.chance(0.2) { uri += "&page=\(2 + ctx.rng.below(3))" }
        }
        return uri
    }

    /// The listing's facets beyond power: the filters of a pump catalogue.
    static let facets: [(name: String, values: [String])] = [
        ("flow", ["0-10m3h", "10-50m3h", "50-200m3h", "200-1000m3h"]), ("material", ["cast-iron", "stainless-steel", "bronze", "pvdf"]),
        ("voltage", ["230v", "400v", "690v"]), ("atex", ["1"]), ("in_stock", ["1"]), ("brand", ["own", "grundfos", "ksb", "wilo"]),
    ]

    /// A listing: a category, and now and then a filter, a sort order and a page number. Visitors
    /// set facets one at a time; crawlers follow the facet links a listing page offers in every
    /// combination (`facets` > 0: each further filter with that chance), the "infinite URL
    /// space" of faceted navigation (Google Search Central, "Managing crawling of faceted
    /// navigation URLs": `items.shtm?products=fish&color=radioactive_green&size=tiny`).
    static func listing(_ ctx: inout SimulationContext, facets chance: Double) -> String {
        var uri = "/products?category=" + ctx.rng.pick(categories)
        if ctx.rng.chance(0.3) { uri += "&sort=" + ctx.rng.pick(["price", "name", "newest"]) + "&order=" + ctx.rng.pick(["asc", "desc"]) }
        if ctx.rng.chance(0.25 + chance / 2) { uri += "&power=" + ctx.rng.pick(["0.5-2kw", "2-7.5kw", "7.5-30kw"]) }
        if chance > 0 {
            for f in facets where ctx.rng.chance(chance) { uri += "&" + f.name + "=" + ctx.rng.pick(f.values) }
        }
        if ctx.rng.chance(0.4) { uri += "&page=\(2 + ctx.rng.below(6))" + (ctx.rng.chance(0.3) ? "&per_page=48" : "") }
        return uri
    }

    /// Where a visit comes from, and so the landing page's tracking parameters and referrer.
    /// Links from other sites send only their origin (browsers' default Referrer-Policy
    /// `strict-origin-when-cross-origin`); a typed address, a bookmark or a link in a mail or
    /// chat application sends no Referer (RFC 9110 §10.1.3). Campaign links carry UTM
    /// parameters, and ad clicks a click id: Google Ads' auto-tagging appends `gclid`,
    /// Microsoft Advertising `msclkid`, Facebook `fbclid` (Google Ads Help, "About
    /// auto-tagging"; Microsoft Advertising, "What is Microsoft Click ID auto-tagging?").
    static func landing(_ ctx: inout SimulationContext) -> (uri: String, referrer: String?) {
        switch ctx.rng.below(20) {
        case 0..<6:
            // Typed or bookmarked: mostly the home page, sometimes a deep bookmark.
            return (ctx.rng.chance(0.6) ? "/" : page(&ctx), nil)
        case 6..<13:
            return (ctx.rng.chance(0.3) ? "/" : page(&ctx), ctx.rng.chance(0.8) ? "https://www.google.com/" : "https://www.bing.com/")
        case 13..<15:
            // Search ads: the campaign's parameters and the click id.
            let google = ctx.rng.chance(0.75)
            var uri = page(&ctx)
            uri += (uri.contains("?") ? "&" : "?") + (google ? "utm_source=google&utm_medium=cpc&utm_campaign=" + ctx.rng.pick(["brand%20search", "pumps-generic", "spare-parts-2026"])
                                                     : "utm_source=bing&utm_medium=cpc&utm_term=industrial%20pumps")
            uri += google ? "&gclid=" + clickID("Cj0KCQ", 60 + ctx.rng.below(40), &ctx.rng) : "&msclkid=" + NetworkTraffic.randomHex(32, &ctx.rng)
            return (uri, google ? "https://www.google.com/" : "https://www.bing.com/")
        case 15..<17:
            // The newsletter, opened in a mail client: no referrer.
            var uri = page(&ctx)
            uri += (uri.contains("?") ? "&" : "?") + ctx.rng.pick(newsletterParameters)
            return (uri, nil)
        case 17..<19:
            // Social posts; Facebook adds its click id, its in-app browser often no referrer.
            var uri = page(&ctx)
            if ctx.rng.chance(0.5) {
                uri += (uri.contains("?") ? "&" : "?") + "utm_source=facebook&utm_medium=paid_social&utm_campaign=trade-fair-2026&fbclid=" + clickID("IwAR", 55 + ctx.rng.below(10), &ctx.rng)
                return (uri, ctx.rng.chance(0.5) ? "https://l.facebook.com/" : nil)
            }
            uri += (uri.contains("?") ? "&" : "?") + "utm_source=linkedin&utm_medium=social"
            return (uri, ctx.rng.chance(0.6) ? "https://www.linkedin.com/" : nil)
        default:
            // Partner sites and directories link with their own parameters.
            var uri = page(&ctx)
            uri += (uri.contains("?") ? "&" : "?") + ctx.rng.pick(["ref=partner-portal", "lang=de&currency=CHF", "lang=fr", "ref=industry-directory"])
            return (uri, "https://" + ctx.rng.pick(["partner.pumpnet.eu", "www.industrie-verzeichnis.ch", "www.europages.com"]) + "/")
        }
    }

    /// A click id: a fixed prefix and URL-safe base64.
    static func clickID(_ prefix: String, _ length: Int, _ rng: inout SplitMix64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        return prefix + String(decoding: (0..<max(0, length - prefix.utf8.count)).map { _ in alphabet[rng.below(alphabet.count)] }, as: UTF8.self)
    }

    /// The size and type of the body the site sends for `uri`: fixed per page (the path and the
    /// parameters that choose the content, not the tracking ones), a few hundred bytes of
    /// dynamic content (the CSRF token, a "recently viewed" box) on top. Page sizes are
    /// heavy-tailed (Barford & Crovella 1998, "Generating representative Web workloads for
    /// network and server performance evaluation": lognormal body, Pareto tail).
    static func body(_ uri: String, _ rng: inout SplitMix64) -> (bytes: Int, mime: String) {
        let content = contentKey(uri)
        if content.hasPrefix("/downloads/") { return (180_000 + Int(LinuxAccounts.fnv(content) % 2_400_000), "application/pdf") }
        var h = SplitMix64(seed: LinuxAccounts.fnv(content))
        // lognormal, median about 18 kB, σ 0.45 (a template-built site's pages differ less than the web's).
        let z = (0..<4).map { _ in h.unit() }.reduce(0, +) - 2
        let bytes = Int(18_000 * exp(0.45 * z * 1.7))
        return (max(6_500, bytes) + rng.below(400), "text/html")
    }

    /// The part of a URI that chooses the content: the path and its parameters without the
    /// tracking ones (`utm_*`, click ids, `ref`).
    static func contentKey(_ uri: String) -> String {
        guard let q = uri.firstIndex(of: "?") else { return uri }
        let kept = uri[uri.index(after: q)...].split(separator: "&").filter { p in
            !(p.hasPrefix("utm_") || p.hasPrefix("gclid=") || p.hasPrefix("fbclid=") || p.hasPrefix("msclkid=") || p.hasPrefix("ref="))
        }
        return String(uri[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// The site's "page not found": the application renders its themed 404 page for paths it
    /// routes (everything but `.php` files and `/cgi-bin/`, which the web server answers itself
    /// with its short default page).
    static func notFound(_ uri: String, _ rng: inout SplitMix64) -> Hit {
        let path = uri.prefix { $0 != "?" }
        if path.hasSuffix(".php") || path.hasPrefix("/cgi-bin/") { return Hit("GET", uri, status: 404, bytes: 146 + rng.below(30)) }
        return Hit("GET", uri, status: 404, bytes: body("/404", &rng).bytes)
    }

    /// One page request and the requests its HTML triggers: the product photos of a product
    /// page and its stock query (the page's script).
    static func pageHits(_ ctx: inout SimulationContext, _ uri: String, referrer: String?, site: String, at t: Timestamp) -> [Hit] {
        let b = body(uri, &ctx.rng)
        var hits = [Hit("GET", uri, status: 200, bytes: b.bytes, referrer: referrer, mime: b.mime)]
        if uri.hasPrefix("/products/view.php?id="), let id = Int(uri.dropFirst(22).prefix { $0.isNumber }) {
            let model = "p\(1000 + id * 7)"
            if ctx.rng.chance(0.8) {
                hits.append(Hit("GET", "/media/products/\(model)/\(model)-front-800x600.webp", status: 200, bytes: 38_000 + Int(LinuxAccounts.fnv(model) % 60_000),
                                referrer: site + uri, mime: "image/webp"))
            }
            if ctx.rng.chance(0.6) {
                // jQuery's `cache: false` appends `_=` and the time in milliseconds (jQuery API, "jQuery.ajax()").
                hits.append(Hit("GET", "/api/v1/stock.php?id=\(id)&fields=availability,lead_time&_=\(t.microseconds / 1000 + Int64(ctx.rng.below(3_000)))",
                                status: 200, bytes: 90 + ctx.rng.below(60), referrer: site + uri, mime: "application/json"))
            }
        }
        return hits
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
            let ua = visitorAgent(&ctx.rng)
            var hits: [Hit] = []
            let first = landing(&ctx)
            var referrer = first.referrer
            let returning = ctx.rng.chance(0.3)
            for n in 0..<(1 + ctx.rng.below(4)) {
                let p = n == 0 ? first.uri : page(&ctx)
                if ctx.rng.chance(0.01) {
                    var missing = notFound(p, &ctx.rng)
                    missing.referrer = referrer
                    hits.append(missing)
                } else {
                    hits += pageHits(&ctx, p, referrer: referrer, site: site, at: t)
                }
                if n == 0 {
                    for a in assets where ctx.rng.chance(0.7) {
                        hits.append(Hit("GET", a.0, status: returning ? 304 : 200, bytes: returning ? 0 : a.1, referrer: site + p, mime: a.2))
                    }
                }
                referrer = site + p
            }
            // The site answers plain HTTP as well and does not redirect (no HSTS; the crawlers'
            // and scanners' port-80 requests get pages too): a visit that starts from an old
            // http:// bookmark, a printed address or an old link in a mail stays on port 80.
            let plain = first.referrer == nil && ctx.rng.chance(0.3)
            session(&ctx, at: t, from: ip, userAgent: ua, port: plain ? 80 : 443, requests: hits, label: nil)
        }
        // Bots are about half of a site's requests: 49.6% of all web traffic in 2023, 17.6% good
        // bots (search engines, SEO tools, monitors, feed and preview fetchers) and 32% bad
        // bots (Imperva, "2024 Bad Bot Report"), and a larger share of a small site's
        // (Imperva Incapsula, "Bot Traffic Report 2016": 93% of the visits to sites with ten
        // human visitors a day or fewer). Measured on a week of seed 11 (8 hosts): the site's human
        // visits give about 1,600 requests a day (pages and assets, quieter nights and weekends),
        // the crawlers and preview fetchers below about 550 (17%) and the bad bots (scrapers and
        // the scanners) about 1,150 (35%).
        // Crawlers: robots.txt now and then, the sitemap, then pages and listings as linked.
        ctx.rng = base.split()
        let crawlerWeights = crawlers.reduce(0) { $0 + $1.weight }
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 9, shape: { _ in 1 }) {
            var w = ctx.rng.below(crawlerWeights)
            let c = crawlers.first { w -= $0.weight; return w < 0 } ?? crawlers[0]
            let ip = IPAddress(ipv4: ctx.rng.pick(c.blocks) | UInt32(1 + ctx.rng.below(250)))
            var hits: [Hit] = []
            if ctx.rng.chance(0.3) { hits.append(Hit("GET", "/robots.txt", status: 200, bytes: 112, mime: "text/plain")) }
            if ctx.rng.chance(0.15) { hits.append(Hit("GET", "/sitemap.xml", status: 200, bytes: 4_210, mime: "application/xml")) }
            for _ in 0..<(1 + ctx.rng.below(4)) {
                // Half of a crawler's requests go to faceted listings: each listing links every
                // further filter, so their URLs outnumber the site's pages many times over.
                let p = ctx.rng.chance(0.5) ? listing(&ctx, facets: 0.35) : contentKey(page(&ctx))
                let b = body(p, &ctx.rng)
                hits.append(Hit("GET", p, status: 200, bytes: b.bytes, mime: b.mime))
            }
            // Crawlers follow old http:// links too; the site answers on port 80 as well.
            session(&ctx, at: t, from: ip, userAgent: c.agent, port: ctx.rng.chance(0.35) ? 80 : 443, requests: hits, label: nil)
        }
        // Link previews: a link to the site posted on a social network or pasted into a chat,
        // in the daytime. Social posts carry the campaign's parameters; a pasted link is the
        // address a visitor had in the browser, so now and then a landing page's tracking
        // parameters too. The fetcher reads the page, then (mostly) the preview image.
        ctx.rng = base.split()
        let shares = Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 1.2) { t in
            let h = Schedule.localSeconds(t, client) / 3600
            return h >= 7 && h < 23 ? 1.0 : 0.1
        }
        for t in shares {
            let f = ctx.rng.pick(previewFetchers)
            var uri: String
            if let social = f.social, ctx.rng.chance(0.7) {
                uri = contentKey(page(&ctx))
                uri += (uri.contains("?") ? "&" : "?") + social
            } else {
                uri = ctx.rng.chance(0.3) ? landing(&ctx).uri : contentKey(page(&ctx))
            }
            let ip = f.blocks.isEmpty ? Internet.visitorAddress(&ctx.rng) : IPAddress(ipv4: ctx.rng.pick(f.blocks) | UInt32(1 + ctx.rng.below(250)))
            let b = body(uri, &ctx.rng)
            var hits = [Hit("GET", uri, status: 200, bytes: b.bytes, mime: b.mime)]
            // Facebook's crawler often fetches a fresh link twice (its scrape and a re-scrape).
            if f.social != nil && f.agent.hasPrefix("facebook") && ctx.rng.chance(0.4) { hits.append(Hit("GET", uri, status: 200, bytes: body(uri, &ctx.rng).bytes, mime: b.mime)) }
            if b.mime == "text/html" && ctx.rng.chance(0.8) {
                hits.append(Hit("GET", "/img/hero.jpg", status: 200, bytes: 184_220, mime: "image/jpeg"))
            }
            session(&ctx, at: t, from: ip, userAgent: f.agent, requests: hits, label: nil)
        }
        // Bad bots: scrapers of the catalogue (prices, specifications, contact data) and content
        // thieves, day and night from hosting ranges and, a third of them, residential proxies;
        // most present a browser's user agent (Imperva, "2024 Bad Bot Report": about half of bad-bot
        // traffic "advanced", imitating human browsers; e-commerce and business services among the
        // most targeted). They request pages only (no assets, no referrer): walking the product
        // ids in order, or following listings and their filter, sort and page parameters.
        ctx.rng = base.split()
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 8, shape: { _ in 1 }) {
            let ip = ctx.rng.chance(0.65) ? NetworkScenarios.hostingAddress(&ctx.rng) : Internet.visitorAddress(&ctx.rng)
            let ua = ctx.rng.chance(0.8) ? visitorAgent(&ctx.rng) : ctx.rng.pick(scraperAgents)
            var hits: [Hit] = []
            var id = 1 + ctx.rng.below(60)
            let walk = ctx.rng.chance(0.4)
            for _ in 0..<(1 + ctx.rng.below(ctx.rng.chance(0.3) ? 16 : 4)) {
                let p: String
                if walk {
                    p = "/products/view.php?id=\(id)"
                    id = id % 60 + 1
                } else {
                    p = contentKey(page(&ctx))
                }
                let b = body(p, &ctx.rng)
                hits.append(Hit("GET", p, status: 200, bytes: b.bytes, mime: b.mime))
            }
            session(&ctx, at: t, from: ip, userAgent: ua, port: ctx.rng.chance(0.35) ? 80 : 443, requests: hits, label: nil)
        }
        // Internet-wide scanners and bots probing for known paths.
        ctx.rng = base.split()
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 3, shape: { _ in 1 }) {
            let ip = Internet.scannerAddress(&ctx.rng)
            let ua = ctx.rng.pick(scannerAgents)
            var hits: [Hit] = []
            for _ in 0..<(1 + ctx.rng.below(ctx.rng.chance(0.2) ? 25 : 4)) {
                let p = ctx.rng.pick(probes)
                let method = ctx.rng.chance(0.1) ? "POST" : "GET"
                if p == "/robots.txt" || p == "/sitemap.xml" {
                    hits.append(Hit(method, p, status: 200, bytes: p == "/robots.txt" ? 112 : 4_210, mime: p == "/robots.txt" ? "text/plain" : "application/xml"))
                } else if p.hasPrefix("/products") {
                    hits.append(Hit(method, p, status: 200, bytes: body(p, &ctx.rng).bytes))
                } else if p == "/server-status" {
                    hits.append(Hit(method, p, status: 403, bytes: 162 + ctx.rng.below(30)))
                } else {
                    var missing = notFound(p, &ctx.rng)
                    missing.method = method
                    hits.append(missing)
                }
            }
            session(&ctx, at: t, from: ip, userAgent: ua, port: ctx.rng.chance(0.55) ? 80 : 443, requests: hits, label: nil)
        }
    }
}
