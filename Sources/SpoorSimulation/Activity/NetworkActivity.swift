import SpoorCore

/// Benign network activity as the client's Zeek sensor and web server see it.
///
/// - Workstations: while their user works (``SimClient/isWorking(_:at:)``), visits to popular
///   services with the office day's shape — DNS through the resolver (the proxy host, which
///   asks Quad9 on a cache miss), then TLS — plus OCSP over HTTP and antivirus reputation
///   lookups; at logon Kerberos, LDAP, SMB to the DC, an SMB session to the file server,
///   Chromium's random-name NXDOMAIN probes and the WPAD lookup; day and night: telemetry,
///   group-policy refresh (90 min + up to 30), NTP to the DC, Chrome's update check every
///   5 h, Windows Update every 22 h + up to 4; while the user works, Chrome's background
///   requests (Safe Browsing updates every 30 min and Google API lookups).
/// - Servers: NTP, apt twice a day, nightly backups of gigabytes to the backup server and an
///   offsite copy to cloud storage, a monitoring poll of an HTTP endpoint every 60 s exactly,
///   a weekly internal vulnerability scan.
/// - The web server: internet visitors, crawlers, link-preview fetchers, scrapers and
///   internet-wide scanners (access log, conn, ssl, http on port 80).
enum NetworkActivity {
    static let all: [ActivityEntry] = [
        ActivityEntry(name: "network-workstations", run: { Workstations.run(&$0) }),
        ActivityEntry(name: "network-servers", run: { Servers.run(&$0) }),
        ActivityEntry(name: "network-web-server", run: { WebServerTraffic.run(&$0) }),
    ]

    typealias DNSCache = [String: (expires: Timestamp, address: IPAddress)]

    static let browserAgents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    ]
}

// MARK: - Workstations

enum Workstations {
    static func run(_ ctx: inout SimulationContext) {
        NetworkTraffic.declare(&ctx)
        var base = ctx.rng
        for ws in ctx.client.workstations {
            ctx.rng = base.split()
            guard let owner = ws.owner.flatMap({ ctx.client.user($0) }) else { continue }
            host(&ctx, ws, owner)
        }
    }

    static func host(_ ctx: inout SimulationContext, _ ws: SimHost, _ user: SimUser) {
        let client = ctx.client
        let me = NetEndpoint(ws)
        var cache = NetworkActivity.DNSCache()
        // The user's visits: the office day's shape, only while the user works.
        let visits = Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 34) { t in
            client.isWorking(user, at: t) ? Schedule.office(localSeconds: Schedule.localSeconds(t, client), start: user.workStart, end: user.workEnd) : 0
        }
        for t in visits { visit(&ctx, at: t, me, &cache) }
        // The machine's own traffic, day and night.
        for t in Schedule.arrivals(&ctx.rng, from: ctx.start, to: ctx.end, peakPerHour: 2.5, shape: { _ in 1 }) {
            let s = Internet.pick(Internet.telemetry, &ctx.rng)
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, s, cache: &cache, label: nil)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: s.domain, profile: ctx.rng.chance(0.5) ? .schannel : .office,
                               origBytes: NetworkTraffic.size(s.up, &ctx.rng), respBytes: NetworkTraffic.size(s.down, &ctx.rng),
                               duration: 0.2 + ctx.rng.exponential(mean: 1.5), label: nil)
        }
        for day in 0..<ctx.config.days {
            let dayStart = ctx.time(day: day, localSeconds: Double(user.workStart) * 3600)
            guard client.isWorking(user, at: Schedule.plus(dayStart, 60)) else { continue }
            logon(&ctx, at: Schedule.plus(dayStart, ctx.rng.unit() * 900), me, user)
        }
        internalTimers(&ctx, me)
        updateTimers(&ctx, me, &cache)
        agentCheckIns(&ctx, me, &cache)
        chromeBackground(&ctx, me, user, &cache)
    }

    /// Chrome's background requests while the browser runs (the user's working hours): a
    /// Safe Browsing list update about every 30 minutes (Safe Browsing Update API v4,
    /// `threatListUpdates:fetch`: the client waits at least the `minimumWaitDuration` the
    /// server returns; 30 minutes is an assumption of that order, not a measured figure),
    /// and now and then the field-trial seed, optimisation hints, autofill's form types or
    /// the account's people API (``Internet/chromeServices``). Both real captures at hand
    /// have them: `safebrowsing-cache.google.com` (240 answers) and `clients4.google.com`
    /// (224) in WRCCDC's, the `clients6.google.com` names in RITA's office capture.
    static func chromeBackground(_ ctx: inout SimulationContext, _ me: NetEndpoint, _ user: SimUser, _ cache: inout NetworkActivity.DNSCache) {
        let client = ctx.client
        for t in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, ctx.rng.unit() * 1800), end: ctx.end, period: 1800, jitter: 240)
        where client.isWorking(user, at: t) {
            let s = ctx.rng.chance(0.6) ? Internet.safeBrowsing : ctx.rng.pick(Internet.chromeServices)
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, s, cache: &cache, label: nil)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: s.domain, profile: .browser,
                               origBytes: NetworkTraffic.size(s.up, &ctx.rng, sigma: 0.4), respBytes: NetworkTraffic.size(s.down, &ctx.rng),
                               duration: 0.15 + ctx.rng.exponential(mean: 0.4), label: nil)
        }
    }

    /// Management and support agents (.NET services: device management, printer fleet,
    /// the vendor's support assistant) check in over HTTPS on a fixed period with a little
    /// jitter, day and night, with small regular sizes: the benign twin of a beacon.
    static let agents: [(service: InternetService, period: Double)] = [
        (InternetService("checkin.mdmcloud.net", [], ["52.157.12.80", "52.157.12.81"], ttl: 3600, up: 540, down: 320), 900),
        (InternetService("api.printfleet.net", [], ["34.107.221.82"], ttl: 3600, up: 480, down: 290), 1800),
        (InternetService("agent.supportassist.io", [], ["13.107.42.14", "13.107.43.14"], ttl: 3600, up: 610, down: 350), 3600),
    ]

    static func agentCheckIns(_ ctx: inout SimulationContext, _ me: NetEndpoint, _ cache: inout NetworkActivity.DNSCache) {
        // One agent per workstation (which one depends on the machine).
        let agent = agents[Int(LinuxAccounts.fnv(me.ip.description) % UInt64(agents.count))]
        do {
            let jitter = agent.period * 0.2
            for t in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, ctx.rng.unit() * agent.period), end: ctx.end, period: agent.period, jitter: jitter) {
                let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, agent.service, cache: &cache, label: nil)
                NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: agent.service.domain, profile: .dotnet,
                                   origBytes: NetworkTraffic.size(agent.service.up, &ctx.rng, sigma: 0.08),
                                   respBytes: ctx.rng.chance(0.05) ? NetworkTraffic.size(30_000, &ctx.rng) : NetworkTraffic.size(agent.service.down, &ctx.rng, sigma: 0.1),
                                   duration: 0.25 + ctx.rng.exponential(mean: 0.2), label: nil)
            }
        }
    }

    /// One visit: resolve, connect (one to three TLS connections), sometimes a CDN, an OCSP
    /// check, an antivirus reputation lookup.
    static func visit(_ ctx: inout SimulationContext, at t: Timestamp, _ me: NetEndpoint, _ cache: inout NetworkActivity.DNSCache) {
        // One visit in five goes to the long tail of small sites (``LongTailSites``).
        let s = ctx.rng.chance(0.2) ? LongTailSites.pick(&ctx.rng) : Internet.pick(Internet.popular, &ctx.rng)
        var (ip, at) = NetworkTraffic.resolve(&ctx, at: t, from: me, s, cache: &cache, aaaa: ctx.rng.chance(0.3), label: nil)
        for _ in 0..<(1 + ctx.rng.below(3)) {
            let long = ctx.rng.chance(0.15)
            NetworkTraffic.tls(&ctx, at: at, me, NetEndpoint(ip: ip), sni: s.domain, profile: .browser,
                               origBytes: NetworkTraffic.size(s.up, &ctx.rng), respBytes: NetworkTraffic.size(s.down, &ctx.rng),
                               duration: long ? 30 + ctx.rng.exponential(mean: 400) : 0.1 + ctx.rng.exponential(mean: 8), label: nil)
            at = Schedule.plus(at, ctx.rng.exponential(mean: 1.5))
        }
        if ctx.rng.chance(0.35) {
            let cdn = Internet.popular.filter { $0.domain.contains("cdn") || $0.domain.contains("static") || $0.domain.contains("gstatic") || $0.domain.contains("fonts") }
            let c = ctx.rng.pick(cdn)
            (ip, at) = NetworkTraffic.resolve(&ctx, at: at, from: me, c, cache: &cache, label: nil)
            NetworkTraffic.tls(&ctx, at: at, me, NetEndpoint(ip: ip), sni: c.domain, profile: .browser,
                               origBytes: NetworkTraffic.size(c.up, &ctx.rng), respBytes: NetworkTraffic.size(c.down, &ctx.rng),
                               duration: 0.1 + ctx.rng.exponential(mean: 4), label: nil)
        }
        if ctx.rng.chance(0.05) {
            let o = Internet.ocsp
            (ip, at) = NetworkTraffic.resolve(&ctx, at: at, from: me, o, cache: &cache, label: nil)
            // Windows asks by GET, the DER request base64- and URL-encoded in the path (RFC 6960
            // Appendix A.1; RFC 5019 §5: GET for requests under 255 bytes, so that caches can
            // answer): all 1,219 Microsoft-CryptoAPI requests in a real office capture
            // (rita-test-data valid_tsv http.log, 13 hosts, 24 h) are GETs, 113-character URIs
            // for OCSP. A SHA-1 CertID request is 83 bytes: 112 base64 characters.
            NetworkTraffic.http(&ctx, at: at, me, NetEndpoint(ip: ip), requests: [
                .init("GET", host: o.domain, uri: ocspGetPath(&ctx.rng), userAgent: "Microsoft-CryptoAPI/10.0", responseBody: 471 + ctx.rng.below(40),
                      status: 200, mime: "application/ocsp-response"),
            ], label: nil)
        }
        if ctx.rng.chance(0.025) {
            BenignNXDomain.deadReference(&ctx, at: Schedule.plus(at, 0.02 + ctx.rng.unit() * 0.5), from: me)
        }
        if ctx.rng.chance(0.06) {
            // Endpoint protection asks for a file's or URL's reputation by hash in the DNS
            // name (long hex labels: the hard negative for DNS tunnelling): a file hash in
            // one label, or a URL's host, path and query hashed into up to four labels.
            var labels = [NetworkTraffic.randomHex(32, &ctx.rng), NetworkTraffic.randomHex(8, &ctx.rng)]
            if ctx.rng.chance(0.5) {
                labels = (0..<(2 + ctx.rng.below(3))).map { _ in NetworkTraffic.randomHex(32 + ctx.rng.below(32), &ctx.rng) }
            }
            let name = labels.joined(separator: ".") + (labels.count == 2 && labels[1].count == 8 ? ".p.sophosxl.net" : ".u.sophosxl.net")
            let resolver = ctx.client.proxy.map(NetEndpoint.init) ?? NetEndpoint(ip: Internet.upstreamResolvers[0])
            NetworkTraffic.dns(&ctx, at: Schedule.plus(at, 0.05), from: me, server: resolver, query: name, answers: ["127.0.0.1"],
                               ttls: [3600], upstream: true, label: nil)
        }
    }

    /// The path of an OCSP GET: `/` and the base64 of an 83-byte OCSPRequest (one SHA-1
    /// CertID), its fixed DER prefix (`MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ`: the SEQUENCE headers and
    /// the SHA-1 AlgorithmIdentifier, RFC 6960 §4.1.1), the issuer's hashes and the serial
    /// number. RFC 6960 asks for the base64 to be URL-encoded, but Windows sends `+` and `/` as
    /// they are: 123 of the 164 distinct OCSP paths in RITA's capture contain a `+`, none a `%`.
    static func ocspGetPath(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let tail = (0..<80).map { _ in alphabet[rng.below(alphabet.count)] }
        return "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ" + String(decoding: tail, as: UTF8.self) + "="
    }

    static func internalName(_ ctx: SimulationContext, _ host: SimHost) -> String { host.fqdn(ctx.client) }

    /// At logon: the DC located by SRV, Kerberos, LDAP, SYSVOL over SMB, a long SMB session
    /// to the file server, WPAD and Chromium's three random-name probes (NXDOMAIN).
    static func logon(_ ctx: inout SimulationContext, at t: Timestamp, _ me: NetEndpoint, _ user: SimUser) {
        guard let dcHost = ctx.client.domainController else { return }
        let dc = NetEndpoint(dcHost)
        let domain = ctx.client.dnsDomain
        var at = NetworkTraffic.dns(&ctx, at: t, from: me, server: dc, query: "_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.\(domain)",
                                    type: .srv, answers: [internalName(ctx, dcHost)], ttls: [600], label: nil)
        NetworkTraffic.conn(&ctx, at: at, me, dc, port: 389, proto: "udp", service: "ldap_udp", duration: 0.0008, origBytes: 210,
                            respBytes: 180, label: nil)
        for _ in 0..<3 {
            at = Schedule.plus(at, 0.02 + ctx.rng.exponential(mean: 0.2))
            NetworkTraffic.conn(&ctx, at: at, me, dc, port: 88, service: "krb_tcp", duration: 0.003 + ctx.rng.exponential(mean: 0.004),
                                origBytes: 1_400 + ctx.rng.below(600), respBytes: 1_500 + ctx.rng.below(300), label: nil)
        }
        at = Schedule.plus(at, 0.3)
        NetworkTraffic.conn(&ctx, at: at, me, dc, port: 389, service: "ldap_tcp", duration: 0.05 + ctx.rng.exponential(mean: 0.3),
                            origBytes: 2_500 + ctx.rng.below(3_000), respBytes: 6_000 + ctx.rng.below(20_000), label: nil)
        NetworkTraffic.conn(&ctx, at: Schedule.plus(at, 0.5), me, dc, port: 445, service: "gssapi,smb,krb", duration: 1 + ctx.rng.exponential(mean: 5),
                            origBytes: 8_000 + ctx.rng.below(20_000), respBytes: 40_000 + ctx.rng.below(200_000), label: nil)
        if let fsHost = ctx.client.hosts(.fileServer).first {
            at = NetworkTraffic.dns(&ctx, at: Schedule.plus(at, 2), from: me, server: dc, query: internalName(ctx, fsHost),
                                    answers: [fsHost.ip.description], ttls: [1200], label: nil)
            let hours = Double(user.workEnd - user.workStart) - 0.5
            NetworkTraffic.conn(&ctx, at: at, me, NetEndpoint(fsHost), port: 445, service: "gssapi,smb,krb",
                                duration: hours * 3600 * (0.6 + 0.4 * ctx.rng.unit()),
                                origBytes: NetworkTraffic.size(8_000_000, &ctx.rng, sigma: 1.2),
                                respBytes: NetworkTraffic.size(60_000_000, &ctx.rng, sigma: 1.2), label: nil)
        }
        NetworkTraffic.dns(&ctx, at: Schedule.plus(at, 5), from: me, server: dc, query: "wpad.\(domain)", rcode: .nxDomain, label: nil)
        if ctx.rng.chance(0.3) {
            // A stale name: a shortcut, mapped drive or printer of a machine since retired
            // (Antonakakis et al. 2012 count misconfigurations among benign NXDOMAIN sources).
            let old = BenignNXDomain.retiredHosts[Int(LinuxAccounts.fnv(me.ip.description) % UInt64(BenignNXDomain.retiredHosts.count))]
            NetworkTraffic.dns(&ctx, at: Schedule.plus(at, 6 + ctx.rng.unit() * 30), from: me, server: dc, query: "\(old).\(domain)", rcode: .nxDomain, label: nil)
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        for k in 0..<3 {
            let name = String(decoding: (0..<(7 + ctx.rng.below(9))).map { _ in letters[ctx.rng.below(26)] }, as: UTF8.self)
            NetworkTraffic.dns(&ctx, at: Schedule.plus(at, 20 + Double(k) * 0.002), from: me, server: dc, query: "\(name).\(domain)",
                               rcode: .nxDomain, label: nil)
        }
    }

    /// Group policy refresh (LDAP and SYSVOL) and time sync with the DC, day and night.
    static func internalTimers(_ ctx: inout SimulationContext, _ me: NetEndpoint) {
        guard let dcHost = ctx.client.domainController else { return }
        let dc = NetEndpoint(dcHost)
        var t = Schedule.plus(ctx.start, ctx.rng.unit() * 5400)
        while t < ctx.end {
            NetworkTraffic.conn(&ctx, at: t, me, dc, port: 389, service: "ldap_tcp", duration: 0.02 + ctx.rng.exponential(mean: 0.1),
                                origBytes: 1_800 + ctx.rng.below(1_500), respBytes: 3_000 + ctx.rng.below(8_000), label: nil)
            NetworkTraffic.conn(&ctx, at: Schedule.plus(t, 0.2 + ctx.rng.unit()), me, dc, port: 445, service: "gssapi,smb,krb",
                                duration: 0.3 + ctx.rng.exponential(mean: 1), origBytes: 4_000 + ctx.rng.below(6_000),
                                respBytes: 9_000 + ctx.rng.below(30_000), label: nil)
            t = Schedule.plus(t, 5400 + ctx.rng.unit() * 1800)
        }
        for t in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, ctx.rng.unit() * 3600), end: ctx.end, period: 3600, jitter: 2) {
            NetworkTraffic.conn(&ctx, at: t, me, dc, port: 123, origPort: 123, proto: "udp", service: "ntp", duration: 0.0006 + ctx.rng.exponential(mean: 0.0004),
                                origBytes: 48, respBytes: 48, label: nil)
        }
    }

    /// Software update checks on timers: Chrome every 5 h, Windows Update every 22 h plus a
    /// random delay up to 4 h (with the certificate trust list over plain HTTP).
    static func updateTimers(_ ctx: inout SimulationContext, _ me: NetEndpoint, _ cache: inout NetworkActivity.DNSCache) {
        for t in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, ctx.rng.unit() * 18_000), end: ctx.end, period: 18_000, jitter: 1) {
            let s = Internet.chromeUpdate
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, s, cache: &cache, label: nil)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: s.domain, profile: .browser,
                               origBytes: NetworkTraffic.size(s.up, &ctx.rng, sigma: 0.2), respBytes: NetworkTraffic.size(s.down, &ctx.rng, sigma: 0.3),
                               duration: 0.3 + ctx.rng.exponential(mean: 0.3), label: nil)
        }
        var t = Schedule.plus(ctx.start, ctx.rng.unit() * 79_200)
        while t < ctx.end {
            let s = Internet.windowsUpdate
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: t, from: me, s, cache: &cache, label: nil)
            NetworkTraffic.tls(&ctx, at: ready, me, NetEndpoint(ip: ip), sni: s.domain, profile: .schannel,
                               origBytes: NetworkTraffic.size(s.up, &ctx.rng), respBytes: NetworkTraffic.size(s.down, &ctx.rng),
                               duration: 1 + ctx.rng.exponential(mean: 3), label: nil)
            let c = Internet.ctl
            let (cip, cready) = NetworkTraffic.resolve(&ctx, at: Schedule.plus(ready, 4), from: me, c, cache: &cache, label: nil)
            let changed = ctx.rng.chance(0.3)
            NetworkTraffic.http(&ctx, at: cready, me, NetEndpoint(ip: cip), requests: [
                .init("GET", host: c.domain, uri: "/msdownload/update/v3/static/trustedr/en/authrootstl.cab?\(NetworkTraffic.randomHex(16, &ctx.rng))",
                      userAgent: "Microsoft-CryptoAPI/10.0", responseBody: changed ? 78_000 + ctx.rng.below(4_000) : 0, status: changed ? 200 : 304,
                      mime: changed ? "application/vnd.ms-cab-compressed" : nil),
            ], label: nil)
            t = Schedule.plus(t, 79_200 + ctx.rng.unit() * 14_400)
        }
    }
}

// MARK: - Servers

enum Servers {
    static func run(_ ctx: inout SimulationContext) {
        NetworkTraffic.declare(&ctx)
        var base = ctx.rng
        ctx.rng = base.split()
        timeSync(&ctx)
        ctx.rng = base.split()
        apt(&ctx)
        ctx.rng = base.split()
        monitoringPoll(&ctx)
        ctx.rng = base.split()
        backups(&ctx)
        ctx.rng = base.split()
        vulnerabilityScan(&ctx)
    }

    /// The DC syncs with time.windows.com; Linux servers with the Debian pool (every 1024 s,
    /// chrony's and timesyncd's usual poll when settled).
    static func timeSync(_ ctx: inout SimulationContext) {
        var servers = ctx.client.hosts.filter { $0.os == .linux }.map { ($0, Internet.ntpPool) }
        if let dc = ctx.client.domainController { servers.append((dc, Internet.windowsTime)) }
        for (host, pool) in servers {
            let me = NetEndpoint(host)
            var cache = NetworkActivity.DNSCache()
            var peer = pool.addresses[ctx.rng.below(pool.addresses.count)]
            for (k, t) in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, ctx.rng.unit() * 1024), end: ctx.end, period: 1024, jitter: 1).enumerated() {
                if k % 84 == 0 {   // re-resolve about once a day
                    (peer, _) = NetworkTraffic.resolve(&ctx, at: Schedule.plus(t, -0.05), from: me, pool, cache: &cache, label: nil)
                }
                NetworkTraffic.conn(&ctx, at: t, me, NetEndpoint(ip: peer), port: 123, origPort: host.os == .windows ? 123 : nil, proto: "udp",
                                    service: "ntp", duration: 0.009 + ctx.rng.exponential(mean: 0.01), origBytes: 48, respBytes: 48, label: nil)
            }
        }
    }

    /// apt-daily.timer: twice a day (06:00 and 18:00) with up to 12 h random delay.
    static func apt(_ ctx: inout SimulationContext) {
        for host in ctx.client.hosts where host.os == .linux {
            let me = NetEndpoint(host)
            var cache = NetworkActivity.DNSCache()
            for day in 0..<ctx.config.days {
                for base in [6.0, 18.0] {
                    let t = ctx.time(day: day, localSeconds: base * 3600 + ctx.rng.unit() * 43_200)
                    guard t < ctx.end else { continue }
                    for (n, repo) in [(Internet.debian, "/debian/dists/bookworm"), (Internet.debianSecurity, "/debian-security/dists/bookworm-security")].enumerated() {
                        let (ip, ready) = NetworkTraffic.resolve(&ctx, at: Schedule.plus(t, Double(n) * 0.8), from: me, repo.0, cache: &cache, label: nil)
                        let changed = ctx.rng.chance(0.25)
                        var requests: [NetworkTraffic.Request] = [
                            .init("GET", host: repo.0.domain, uri: repo.1 + "/InRelease", userAgent: "Debian APT-HTTP/1.3 (2.6.1)",
                                  responseBody: changed ? 150_000 + ctx.rng.below(10_000) : 0, status: changed ? 200 : 304, mime: changed ? "text/plain" : nil),
                        ]
                        if changed {
                            requests.append(.init("GET", host: repo.0.domain, uri: repo.1 + "/main/binary-amd64/Packages.diff/T-2026-03-0\(1 + day % 9)-\(ZeekValue.pad(Int64(ctx.rng.below(24)), 2))06.00-F-2026-03-01-2006.00.gz",
                                                  userAgent: "Debian APT-HTTP/1.3 (2.6.1)", responseBody: 2_000 + ctx.rng.below(30_000), status: 200,
                                                  mime: "application/gzip"))
                        }
                        NetworkTraffic.http(&ctx, at: ready, me, NetEndpoint(ip: ip), requests: requests, label: nil)
                    }
                }
            }
        }
    }

    /// The monitoring service on the backup server polls the web server's health endpoint
    /// every 60 s exactly (a timer beacon inside the network).
    static func monitoringPoll(_ ctx: inout SimulationContext) {
        guard let poller = ctx.client.hosts(.backupServer).first, let target = ctx.client.webServer else { return }
        let host = target.fqdn(ctx.client)
        for t in Schedule.timer(&ctx.rng, first: Schedule.plus(ctx.start, 7.25), end: ctx.end, period: 60, jitter: 0.002) {
            NetworkTraffic.http(&ctx, at: t, NetEndpoint(poller), NetEndpoint(target), port: 8080, requests: [
                .init("GET", host: "\(host):8080", uri: "/health", userAgent: "Blackbox Exporter/0.24.0", responseBody: 15 + ctx.rng.below(3),
                      status: 200, mime: "text/json"),
            ], label: nil)
        }
    }

    /// Nightly at 01:00 local every server sends its backup to the backup server (gigabytes
    /// from the file server), and at 03:00 the backup server copies the night's set to cloud
    /// storage over eight parallel TLS connections.
    static func backups(_ ctx: inout SimulationContext) {
        guard let backup = ctx.client.hosts(.backupServer).first else { return }
        let store = NetEndpoint(backup)
        var cache = NetworkActivity.DNSCache()
        for day in 0..<ctx.config.days {
            var t = ctx.time(day: day, localSeconds: 3600 + ctx.rng.unit() * 120)
            var total = 0
            for host in ctx.client.hosts where host.role != .workstation && host.role != .backupServer {
                let gb: Double = switch host.role {
                case .fileServer: 4 + ctx.rng.unit() * 10
                case .database: 1.5 + ctx.rng.unit() * 1.5
                case .domainController: 0.8 + ctx.rng.unit() * 0.6
                default: 0.1 + ctx.rng.unit() * 0.3
                }
                let bytes = Int(gb * 1e9)
                total += bytes
                NetworkTraffic.conn(&ctx, at: t, store, NetEndpoint(host), port: 9102, service: nil, duration: 0.05, origBytes: 600,
                                    respBytes: 900, label: nil)
                let duration = Double(bytes) / (80e6 + ctx.rng.unit() * 30e6)
                NetworkTraffic.conn(&ctx, at: Schedule.plus(t, 0.5), NetEndpoint(host), store, port: 9103, service: nil, duration: duration,
                                    origBytes: bytes, respBytes: bytes / 4000, label: nil)
                t = Schedule.plus(t, duration + 5 + ctx.rng.unit() * 30)
            }
            let s = Internet.offsite
            let start = ctx.time(day: day, localSeconds: 3 * 3600 + ctx.rng.unit() * 600)
            guard start < ctx.end else { continue }
            let (ip, ready) = NetworkTraffic.resolve(&ctx, at: start, from: store, s, cache: &cache, label: nil)
            for k in 0..<8 {
                let bytes = total / 8 / 4 + ctx.rng.below(50_000_000)
                NetworkTraffic.tls(&ctx, at: Schedule.plus(ready, Double(k) * 0.05), store, NetEndpoint(ip: ip), sni: s.domain, profile: .linuxTools,
                                   origBytes: bytes, respBytes: 40_000 + ctx.rng.below(20_000), duration: Double(bytes) / (10e6 + ctx.rng.unit() * 4e6),
                                   label: nil)
            }
        }
    }

    /// The internal vulnerability scanner (on the proxy host) sweeps every host's common
    /// ports on Wednesday nights: open ports answer, closed ones reset, Windows' firewall
    /// drops the rest.
    static func vulnerabilityScan(_ ctx: inout SimulationContext) {
        guard let scanner = ctx.client.proxy else { return }
        let ports = [21, 22, 23, 25, 53, 80, 88, 110, 111, 135, 139, 143, 389, 443, 445, 465, 587, 636, 993, 995, 1433, 1521, 2049,
                     3306, 3389, 5432, 5900, 5985, 5986, 6379, 8000, 8080, 8443, 9090, 9100, 9200, 11211, 27017]
        for day in 0..<ctx.config.days {
            let t0 = ctx.time(day: day, localSeconds: 2 * 3600 + ctx.rng.unit() * 300)
            guard ctx.local(t0).weekday == 3, t0 < ctx.end else { continue }
            var t = t0
            for host in ctx.client.hosts where host.ip != scanner.ip {
                let open = openPorts(host)
                for port in ports {
                    t = Schedule.plus(t, 0.005 + ctx.rng.exponential(mean: 0.03))
                    if open.contains(port) {
                        NetworkTraffic.conn(&ctx, at: t, NetEndpoint(scanner), NetEndpoint(host), port: port, service: nil,
                                            duration: 0.002 + ctx.rng.exponential(mean: 0.05), origBytes: 0, respBytes: 0, state: "RSTO",
                                            label: nil)
                    } else if host.os == .windows {
                        NetworkTraffic.conn(&ctx, at: t, NetEndpoint(scanner), NetEndpoint(host), port: port, service: nil, duration: 0,
                                            origBytes: 0, respBytes: 0, state: "S0", label: nil)
                    } else {
                        NetworkTraffic.conn(&ctx, at: t, NetEndpoint(scanner), NetEndpoint(host), port: port, service: nil, duration: 0.0003,
                                            origBytes: 0, respBytes: 0, state: "REJ", label: nil)
                    }
                }
                t = Schedule.plus(t, 1 + ctx.rng.unit() * 4)
            }
        }
    }

    static func openPorts(_ host: SimHost) -> Set<Int> {
        switch host.role {
        case .domainController: [53, 88, 135, 139, 389, 445, 636, 3389, 5985]
        case .fileServer: [135, 139, 445, 3389, 5985]
        case .workstation: [135, 139, 445]
        case .webServer: [22, 80, 443, 8080]
        case .proxy: [22, 53, 3128]
        case .backupServer: [22, 9101, 9103]
        case .database: [22, 5432, 9100]
        }
    }
}
