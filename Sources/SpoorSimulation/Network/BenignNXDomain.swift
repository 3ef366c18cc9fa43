import Foundation
import SpoorCore

/// Names that do not exist, asked for by ordinary use: the NXDOMAIN background a DGA hides in.
///
/// Most NXDOMAIN answers a resolver gives are not malware's: mistyped names, names of
/// third-party services that pages, bookmarks and old software still reference after the
/// domain lapsed, and misconfigured names (Antonakakis et al. 2012, "From Throw-Away Traffic to
/// Bots: Detecting the Rise of DGA-Based Malware": the benign NXDOMAIN classes that Pleiades
/// must not flag; Yadav et al. 2010, "Detecting Algorithmically Generated Malicious Domain
/// Names"; on lapsed domains still referenced, Lever et al. 2016, "Domain-Z: 28 Registrations
/// Later. Measuring the Exploitation of Residual Trust in Domains"; on typing mistakes of
/// popular names, Szurdi et al. 2014, "The Long 'Taile' of Typosquatting Domain Names", whose
/// unregistered typos are the ones that fail).
enum BenignNXDomain {
    static let words = ["pixel", "track", "stat", "media", "web", "data", "link", "smart", "shop", "tag", "cloud", "social", "share",
                        "buzz", "widget", "font", "script", "counter", "news", "click", "view", "hub", "promo", "easy", "fast",
                        "adserve", "metrics", "insight", "engage", "chat", "live", "feed", "cast", "beacon", "lead", "form"]
    /// Second words of small sites' names (shops, clubs, local businesses, blogs).
    static let siteWords = ["garten", "bau", "reisen", "shop", "verein", "design", "consulting", "immobilien", "auto", "hotel", "praxis",
                            "blog", "studio", "kitchen", "travel", "sports", "music", "photo", "treuhand", "handwerk", "service", "store"]
    /// Machines a small office retired whose names linger in shortcuts and printer settings.
    static let retiredHosts = ["fs-old", "nas01", "printer2", "scan01", "intranet", "srv2012", "old-dc", "kyocera-og"]
    static let tlds = ["com", "com", "com", "com", "net", "net", "de", "ch", "io", "info", "org"]

    /// A dead third-party reference (a lapsed analytics or widget domain a page still loads)
    /// or, one time in four, a typing mistake in a popular name; asked through the resolver,
    /// which forwards the miss upstream (negative answers are cached briefly: RFC 2308).
    static func deadReference(_ ctx: inout SimulationContext, at t: Timestamp, from me: NetEndpoint) {
        let name: String
        if ctx.rng.chance(0.25) {
            name = typo(Internet.pick(Internet.popular, &ctx.rng).domain, &ctx.rng)
        } else {
            var n = ctx.rng.pick(words) + ctx.rng.pick(words)
            if ctx.rng.chance(0.15) { n += String(ctx.rng.below(100)) }
            let prefix = ctx.rng.chance(0.4) ? ctx.rng.pick(["www.", "cdn.", "static.", "js.", "api."]) : ""
            name = prefix + n + "." + ctx.rng.pick(tlds)
        }
        let resolver = ctx.client.proxy.map(NetEndpoint.init) ?? NetEndpoint(ip: Internet.upstreamResolvers[0])
        NetworkTraffic.dns(&ctx, at: t, from: me, server: resolver, query: name, rcode: .nxDomain, upstream: true, label: nil)
    }

    /// One mistake in the registrable label of `domain`: a letter dropped, doubled or two
    /// neighbours swapped (the commonest typing errors, Szurdi et al. 2014).
    static func typo(_ domain: String, _ rng: inout SplitMix64) -> String {
        var labels = domain.split(separator: ".").map { Array($0) }
        guard labels.count >= 2 else { return domain + "x" }
        let i = labels.count - 2
        var l = labels[i]
        guard l.count >= 3 else { return "ww" + domain }
        let k = 1 + rng.below(l.count - 2)
        switch rng.below(3) {
        case 0: l.remove(at: k)
        case 1: l.insert(l[k], at: k)
        default:
            if l[k] == l[k + 1] { l.remove(at: k) } else { l.swapAt(k, k + 1) }
        }
        labels[i] = l
        return labels.map { String($0) }.joined(separator: ".")
    }
}

/// The long tail of browsing: beyond the few services everybody uses, people visit many sites
/// once or rarely (site popularity is Zipf-like: Breslau et al. 1999, "Web Caching and
/// Zipf-like Distributions: Evidence and Implications"). Most such sites are small: one or two
/// addresses at a hosting provider, no CDN and no CNAME chain. 600 sites, drawn once from a
/// fixed seed (the same in every run), visited with a log-uniform rank (Zipf with s ≈ 1).
enum LongTailSites {
    static let sites: [InternetService] = {
        var rng = SplitMix64(seed: 0x7A11_5173)
        let blocks: [UInt32] = [(5 << 8) | 9, (37 << 8) | 120, (46 << 8) | 30, (78 << 8) | 46, (81 << 8) | 169, (85 << 8) | 13,
                                (91 << 8) | 198, (94 << 8) | 130, (176 << 8) | 9, (178 << 8) | 63, (185 << 8) | 26, (212 << 8) | 227]
        return (0..<600).map { _ in
            var name = rng.pick(BenignNXDomain.words) + rng.pick(BenignNXDomain.siteWords)
            if rng.chance(0.1) { name += String(rng.below(100)) }
            name = (rng.chance(0.6) ? "www." : "") + name + "." + rng.pick(BenignNXDomain.tlds)
            let addresses = (0..<(rng.chance(0.8) ? 1 : 2)).map { _ in
                IPAddress(ipv4: (rng.pick(blocks) << 16) | UInt32(rng.below(256) << 8) | UInt32(2 + rng.below(250))).description
            }
            return InternetService(name, [], addresses, ttl: rng.pick([300, 600, 3600, 14_400]), up: 1_800, down: 35_000)
        }
    }()

    /// A site by log-uniform rank: rank r with probability ∝ 1/r.
    static func pick(_ rng: inout SplitMix64) -> InternetService {
        let i = Int(exp(rng.unit() * log(Double(sites.count)))) - 1
        return sites[max(0, min(sites.count - 1, i))]
    }
}
