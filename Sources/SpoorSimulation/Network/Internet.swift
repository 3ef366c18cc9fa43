import SpoorCore

/// A service on the internet the simulated hosts talk to: its name, the CNAME chain its
/// resolver returns, its addresses (in the address ranges the real operators announce) and
/// the TTL of its answer.
///
/// `addresses` is the name's A RRset: an answer carries all of it (RFC 2181 §5, "Resource
/// Record Sets": an RRset is never split, and its RRs share one TTL, §5.2), in the order the
/// server rotates them (round robin, RFC 1794), and the client connects to the first. Answers
/// with several addresses are common: in the one real office capture at hand (RITA's test
/// data, `rita-test-data/test_data/proxy/dns.log`), 79 of 187 answered A queries without a
/// CNAME carry 2–4 addresses, and 39 a single one.
///
/// `dnssec`: the zone that signs the name's first RRset and the length of its signatures
/// (RSA-2048 256 bytes, ECDSA P-256 64 bytes: RFC 6605 §4), for signed zones. A validating
/// resolver asks upstream with the DO bit (RFC 3225), and the answer then carries an RRSIG
/// for each signed RRset (RFC 4035 §3.1.1; RFC 4034 §3 for the record), which Zeek logs as
/// `RRSIG <type covered> <signer>` (`base/protocols/dns/main.zeek`, `dns_RRSIG`). Stub
/// resolvers do not set DO, so the workstation's leg carries none.
public struct InternetService: Sendable {
    public var domain: String
    public var cnames: [String]
    public var addresses: [IPAddress]
    public var ttl: Int
    /// Relative share of a workstation's visits while its user works.
    public var weight: Double
    /// Typical bytes sent and received per TLS connection (means of a log-normal).
    public var up: Double
    public var down: Double
    public var dnssec: (signer: String, signatureBytes: Int)?
    /// Addresses per answer when the operator's name servers answer each query with a
    /// subset of its pool (nil: the whole set). Google's answer with a single address chosen
    /// per query (global load balancing): in the WRCCDC capture
    /// (`zed-sample-data/zeek-default/dns.log`) every answer for `www.google.com` (242),
    /// `www.gstatic.com` (146), `docs.google.com` (684) carries one address, and in RITA's
    /// office capture `ssl.gstatic.com`, `update.googleapis.com` and the `clients6.google.com`
    /// names do, while `www.google.com` once came with six. The answer is still a whole RRset
    /// (RFC 2181 §5): the server's RRset for that query has one record.
    public var perAnswer: Int?

    init(_ domain: String, _ cnames: [String] = [], _ addresses: [String], ttl: Int, weight: Double = 0, up: Double = 2_000, down: Double = 20_000,
         dnssec: (signer: String, signatureBytes: Int)? = nil, perAnswer: Int? = nil) {
        self.domain = domain
        self.cnames = cnames
        self.addresses = addresses.compactMap { IPAddress($0) }
        self.ttl = ttl
        self.weight = weight
        self.up = up
        self.down = down
        self.dnssec = dnssec
        self.perAnswer = perAnswer
    }

    /// The answers section as Zeek logs it: CNAMEs first, then the whole address RRset
    /// rotated by a random offset, with one TTL each (one TTL for the RRset). `address` is
    /// the first, the one the client connects to.
    public func answers(_ rng: inout SplitMix64) -> (answers: [String], ttls: [Int], address: IPAddress) {
        let first = rng.below(addresses.count)
        let rotated = (0..<addresses.count).map { addresses[(first + $0) % addresses.count] }
        var names = cnames
        var ttls = cnames.map { _ in ttl * 2 + 60 * rng.below(30) }
        let remaining = max(5, ttl - rng.below(max(1, ttl / 2)))
        for a in rotated.prefix(perAnswer ?? rotated.count) {
            names.append(a.description)
            ttls.append(remaining)
        }
        return (names, ttls, rotated[0])
    }
}

/// The internet as the simulation knows it: popular services (a fixed list of real domains),
/// update and time servers, cloud storage, crawler and scanner sources.
public enum Internet {
    /// Services users reach during working hours.
    public static let popular: [InternetService] = [
        InternetService("login.microsoftonline.com", ["login.mso.msidentity.com", "ak.privatelink.msidentity.com", "www.tm.ak.prd.aadg.trafficmanager.net"],
                        ["20.190.159.0", "20.190.159.2", "40.126.31.67", "40.126.31.69"], ttl: 300, weight: 6, up: 3_000, down: 9_000),
        InternetService("outlook.office365.com", ["outlook.ms-acdc.office.com"], ["52.97.219.162", "52.97.146.178", "40.99.204.34"], ttl: 30, weight: 10, up: 6_000, down: 60_000),
        InternetService("outlook.office.com", ["outlook.ms-acdc.office.com"], ["52.97.219.162", "52.98.151.66"], ttl: 30, weight: 3, up: 4_000, down: 40_000),
        InternetService("www.office.com", ["www.office.com.b-0004.b-msedge.net"], ["13.107.6.156"], ttl: 60, weight: 3, up: 2_500, down: 120_000),
        InternetService("graph.microsoft.com", ["ags.privatelink.msidentity.com", "www.tm.ags.prd.aadg.trafficmanager.net"], ["20.190.160.20", "20.190.160.22"], ttl: 300, weight: 4, up: 3_000, down: 12_000),
        InternetService("teams.microsoft.com", ["teams.office.com", "s-0005.s-msedge.net"], ["52.113.194.132"], ttl: 300, weight: 8, up: 15_000, down: 60_000),
        InternetService("statics.teams.cdn.office.net", ["statics-teams-cdn-office-net.s-0005.s-msedge.net"], ["52.123.128.14"], ttl: 300, weight: 2, up: 1_500, down: 250_000),
        InternetService("onedrive.live.com", ["odc-web-geo.onedrive.akadns.net"], ["13.107.42.13"], ttl: 300, weight: 2, up: 40_000, down: 80_000),
        InternetService("www.google.com", [], ["142.250.185.68", "142.250.186.36", "172.217.16.196"], ttl: 300, weight: 8, up: 2_500, down: 45_000, perAnswer: 1),
        InternetService("fonts.googleapis.com", ["googleapis.l.google.com"], ["142.250.185.74", "142.250.186.42"], ttl: 300, weight: 3, up: 1_200, down: 8_000, perAnswer: 1),
        InternetService("www.gstatic.com", [], ["142.250.185.67", "142.250.186.35"], ttl: 300, weight: 3, up: 1_200, down: 30_000, perAnswer: 1),
        InternetService("ajax.googleapis.com", ["googleapis.l.google.com"], ["142.250.185.74"], ttl: 300, weight: 1, up: 1_000, down: 35_000, perAnswer: 1),
        InternetService("github.com", [], ["140.82.121.3", "140.82.121.4"], ttl: 60, weight: 3, up: 3_000, down: 90_000),
        InternetService("api.github.com", [], ["140.82.121.6", "140.82.121.5"], ttl: 60, weight: 1.5, up: 2_000, down: 15_000),
        InternetService("objects.githubusercontent.com", [], ["185.199.108.133", "185.199.109.133", "185.199.110.133"], ttl: 3600, weight: 1, up: 1_500, down: 400_000),
        InternetService("app.slack.com", ["app.slack.com.cdn.cloudflare.net"], ["104.18.31.103", "104.18.30.103"], ttl: 300, weight: 4, up: 4_000, down: 30_000),
        InternetService("wss-primary.slack.com", [], ["3.65.102.105", "18.159.197.225"], ttl: 60, weight: 2, up: 8_000, down: 25_000),
        InternetService("zoom.us", [], ["170.114.52.2", "170.114.45.6"], ttl: 60, weight: 2, up: 2_000, down: 25_000),
        InternetService("www.linkedin.com", ["www-linkedin-com.l-0005.l-msedge.net"], ["13.107.42.14"], ttl: 300, weight: 2, up: 3_000, down: 150_000),
        InternetService("static.licdn.com", ["2-01-2c3e-005a.cdx.cedexis.net", "static-exp1.licdn.com"], ["23.35.236.107"], ttl: 300, weight: 1, up: 1_000, down: 120_000),
        InternetService("en.wikipedia.org", ["dyna.wikimedia.org"], ["185.15.59.224"], ttl: 600, weight: 2, up: 1_800, down: 80_000),
        InternetService("stackoverflow.com", [], ["104.18.32.7", "172.64.155.249"], ttl: 300, weight: 2, up: 2_000, down: 90_000),
        InternetService("cdnjs.cloudflare.com", [], ["104.17.24.14", "104.17.25.14"], ttl: 300, weight: 2, up: 1_000, down: 60_000,
                        dnssec: ("cloudflare.com", 64)),
        InternetService("cdn.jsdelivr.net", ["jsdelivr.map.fastly.net"], ["151.101.1.229", "151.101.65.229"], ttl: 300, weight: 1.5, up: 1_000, down: 50_000),
        InternetService("www.bing.com", ["www-www.bing.com.trafficmanager.net", "www.bing.com.edgekey.net", "e86303.dscx.akamaiedge.net"], ["23.211.6.74"], ttl: 300, weight: 2, up: 2_000, down: 50_000),
        InternetService("assets.msn.com", ["assets.msn.com.edgekey.net", "e28578.d.akamaiedge.net"], ["23.56.3.149"], ttl: 300, weight: 1.5, up: 1_000, down: 90_000),
        InternetService("www.bbc.co.uk", ["www.bbc.net.uk"], ["151.101.0.81", "151.101.64.81"], ttl: 300, weight: 1, up: 2_000, down: 200_000),
        InternetService("www.youtube.com", ["youtube-ui.l.google.com"], ["142.250.185.110", "142.250.186.78"], ttl: 300, weight: 1.5, up: 4_000, down: 600_000, perAnswer: 1),
        InternetService("pypi.org", [], ["151.101.0.223", "151.101.64.223"], ttl: 300, weight: 0.8, up: 1_500, down: 60_000),
        InternetService("registry.npmjs.org", [], ["104.16.2.35", "104.16.3.35"], ttl: 300, weight: 0.8, up: 1_500, down: 120_000),
        InternetService("docs.python.org", ["dualstack.python.map.fastly.net"], ["151.101.36.223"], ttl: 300, weight: 0.5, up: 1_200, down: 70_000),
        InternetService("www.salesforce.com", ["www.salesforce.com.edgekey.net", "e15029.a.akamaiedge.net"], ["23.215.0.136"], ttl: 300, weight: 1, up: 3_000, down: 100_000),
        InternetService("mail.google.com", ["googlemail.l.google.com"], ["142.250.185.69"], ttl: 300, weight: 0.7, up: 3_000, down: 50_000, perAnswer: 1),
    ]

    /// What machines reach on their own, day and night.
    public static let telemetry: [InternetService] = [
        InternetService("v10.events.data.microsoft.com", ["global.asimov.events.data.trafficmanager.net", "onedscolprdweu06.westeurope.cloudapp.azure.com"], ["20.189.173.14", "20.42.65.90"], ttl: 60, weight: 5, up: 6_000, down: 1_500),
        InternetService("settings-win.data.microsoft.com", ["atm-settingsfe-prod-geo2.trafficmanager.net", "settings-prod-weu-2.westeurope.cloudapp.azure.com"], ["20.73.194.208"], ttl: 300, weight: 2, up: 1_500, down: 3_500),
        InternetService("wdcp.microsoft.com", ["wdcp.microsoft.akadns.net", "wdcp-eu.microsoft.akadns.net"], ["51.104.136.2"], ttl: 300, weight: 2, up: 2_500, down: 1_200),
        InternetService("go.microsoft.com", ["go.microsoft.com.edgekey.net", "e11290.dspg.akamaiedge.net"], ["23.50.131.200"], ttl: 300, weight: 1, up: 900, down: 1_800),
        InternetService("officeclient.microsoft.com", ["config.officeapps.live.com", "prod.configsvc1.live.com.akadns.net", "europe.configsvc1.live.com.akadns.net"], ["52.109.89.19"], ttl: 300, weight: 1.5, up: 1_500, down: 6_000),
        InternetService("client.wns.windows.com", ["wns.notify.trafficmanager.net"], ["20.199.120.85"], ttl: 300, weight: 2, up: 800, down: 800),
    ]

    /// Chrome's own background services (Google answers with one address per query, no
    /// CNAME: in RITA's office capture `people-pa.clients6.google.com`,
    /// `signaler-pa.clients6.google.com`, `update.googleapis.com`): Safe Browsing's list
    /// updates (Safe Browsing Update API v4, `safebrowsing.googleapis.com`), the field-trial
    /// seed (`clientservices.googleapis.com`), optimisation hints and autofill's form types.
    /// Google's list of the hostnames Chrome and ChromeOS reach on their own, to be exempted from
    /// TLS inspection (Chrome Enterprise help, "Hostnames for allowlist",
    /// support.google.com/chrome/a/answer/6334001), names such `*.googleapis.com` hosts and
    /// Safe Browsing's endpoints.
    public static let safeBrowsing = InternetService("safebrowsing.googleapis.com", [], ["142.250.185.74", "142.250.186.42", "172.217.16.202"],
                                                     ttl: 300, up: 900, down: 2_500, perAnswer: 1)
    public static let chromeServices: [InternetService] = [
        InternetService("clientservices.googleapis.com", [], ["142.250.185.99", "142.250.186.67"], ttl: 300, up: 1_100, down: 6_000, perAnswer: 1),
        InternetService("optimizationguide-pa.googleapis.com", [], ["142.250.185.106", "142.250.186.74"], ttl: 300, up: 1_400, down: 3_000, perAnswer: 1),
        InternetService("content-autofill.googleapis.com", [], ["142.250.185.78", "142.250.186.46"], ttl: 300, up: 1_600, down: 1_200, perAnswer: 1),
        InternetService("people-pa.clients6.google.com", [], ["142.250.185.110", "142.250.186.78"], ttl: 300, up: 1_300, down: 2_200, perAnswer: 1),
    ]
    public static let chromeUpdate = InternetService("update.googleapis.com", [], ["142.250.185.99", "142.250.186.67"], ttl: 300, up: 2_200, down: 1_400, perAnswer: 1)
    public static let windowsUpdate = InternetService("fe3cr.delivery.mp.microsoft.com", ["fe3cr.delivery.mp.microsoft.com.edgekey.net"], ["20.12.23.50", "52.165.165.26"], ttl: 300, up: 12_000, down: 35_000)
    /// Certificate trust lists over plain HTTP (`ctldl.windowsupdate.com`, a real CTL endpoint).
    public static let ctl = InternetService("ctldl.windowsupdate.com", ["ctldl.windowsupdate.com.delivery.microsoft.com", "wu-b-net.trafficmanager.net"], ["93.184.221.240", "8.241.9.126"], ttl: 300)
    public static let ocsp = InternetService("ocsp.digicert.com", ["ocsp.edge.digicert.com", "fp2e7a.wpc.2be4.phicdn.net"], ["192.229.211.108"], ttl: 300)
    /// debian.org is signed (RSA/SHA-256); cloudflare.com with ECDSA P-256 (RFC 6605).
    public static let debian = InternetService("deb.debian.org", ["debian.map.fastly.net"], ["151.101.2.132", "151.101.66.132"], ttl: 300,
                                               dnssec: ("debian.org", 256))
    public static let debianSecurity = InternetService("security.debian.org", [], ["151.101.130.132", "151.101.194.132"], ttl: 300,
                                                       dnssec: ("debian.org", 256))
    public static let ntpPool = InternetService("0.debian.pool.ntp.org", [], ["162.159.200.1", "194.58.207.69", "185.125.190.58", "81.3.27.46"], ttl: 130)
    public static let windowsTime = InternetService("time.windows.com", ["twc.trafficmanager.net"], ["168.61.215.74"], ttl: 300)
    public static let offsite = InternetService("s3.eu-central-1.amazonaws.com", [], ["52.219.170.14", "52.219.47.91", "3.5.137.170", "52.219.72.157"], ttl: 5)

    /// The resolvers the proxy forwards to on a cache miss (Quad9).
    public static let upstreamResolvers = ["9.9.9.9", "149.112.112.112"].compactMap { IPAddress($0) }

    /// Public address blocks (/16) of access networks web visitors and scanners come from.
    static let visitorBlocks: [UInt32] = [
        (81 << 8) | 6, (85 << 8) | 195, (89 << 8) | 206, (92 << 8) | 104, (178 << 8) | 197, (188 << 8) | 61, (212 << 8) | 51,
        (77 << 8) | 56, (84 << 8) | 75, (91 << 8) | 138, (62 << 8) | 202, (86 << 8) | 101, (94 << 8) | 23, (109 << 8) | 164,
        (24 << 8) | 18, (73 << 8) | 162, (98 << 8) | 207, (174 << 8) | 63, (2 << 8) | 204, (46 << 8) | 14,
    ]
    static let scannerBlocks: [UInt32] = [
        (45 << 8) | 95, (167 << 8) | 94, (162 << 8) | 142, (185 << 8) | 224, (193 << 8) | 142, (194 << 8) | 165,
        (205 << 8) | 210, (47 << 8) | 242, (103 << 8) | 149, (61 << 8) | 177, (218 << 8) | 92, (179 << 8) | 43,
        (152 << 8) | 32, (159 << 8) | 203, (134 << 8) | 209, (64 << 8) | 62,
    ]

    static func address(in blocks: [UInt32], _ rng: inout SplitMix64) -> IPAddress {
        let b = blocks[rng.below(blocks.count)]
        return IPAddress(ipv4: (b << 16) | UInt32(rng.below(256) << 8) | UInt32(1 + rng.below(254)))
    }

    public static func visitorAddress(_ rng: inout SplitMix64) -> IPAddress { address(in: visitorBlocks, &rng) }
    public static func scannerAddress(_ rng: inout SplitMix64) -> IPAddress { address(in: scannerBlocks, &rng) }

    /// Picks a service by weight.
    static func pick(_ services: [InternetService], _ rng: inout SplitMix64) -> InternetService {
        let total = services.reduce(0) { $0 + $1.weight }
        var x = rng.unit() * total
        for s in services {
            x -= s.weight
            if x < 0 { return s }
        }
        return services[services.count - 1]
    }
}
