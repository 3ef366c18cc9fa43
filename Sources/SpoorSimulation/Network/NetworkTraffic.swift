import Foundation
import SpoorCore

/// One side of a flow: an address and, for the client's own hosts, the host (its name goes
/// into the output's bookkeeping; its OS sets ephemeral ports and TCP header sizes).
public struct NetEndpoint: Sendable {
    public var ip: IPAddress
    public var host: SimHost?

    public init(_ host: SimHost) {
        ip = host.ip
        self.host = host
    }

    public init(ip: IPAddress) {
        self.ip = ip
        host = nil
    }

    /// IP + TCP header bytes per packet: Windows sends no TCP timestamps (40), Linux and most
    /// internet servers do (52).
    var headerBytes: Int { host?.os == .windows ? 40 : 52 }

    /// An ephemeral source port: Windows 49152–65535, Linux 32768–60999.
    func ephemeralPort(_ rng: inout SplitMix64) -> Int {
        host?.os == .windows ? 49152 + rng.below(16384) : 32768 + rng.below(28232)
    }
}

/// A TLS client: the handshake it offers (versions, ciphers, JA3) — browsers, Windows'
/// schannel, scripting runtimes.
public struct TLSClientProfile: Sendable {
    public var version: String
    public var ciphers: [String]
    public var curve: String
    public var alpn: String?
    public var ja3: String
    /// Bytes of the ClientHello record (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2). Chromium's
    /// BoringSSL pads a hello of 256–511 bytes to 512 (the padding extension, RFC 7685 §1–3),
    /// so its record is 517 bytes; OpenSSL 3's (curl) with its cipher list and TLS 1.3 key
    /// share is of the same order; Windows' schannel sends fewer extensions (about 200 bytes);
    /// Go's crypto/tls about 300. Approximate, by client family: what matters is that every
    /// TLS connection carries it.
    public var helloBytes: Int = 517

    public static let browser = TLSClientProfile(version: "TLSv13", ciphers: ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"], curve: "x25519",
                                                 alpn: "h2", ja3: NetworkTraffic.hex("ja3 chromium 122 windows", 32))
    public static let schannel = TLSClientProfile(version: "TLSv12", ciphers: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
                                                  curve: "secp384r1", alpn: nil, ja3: NetworkTraffic.hex("ja3 schannel windows 10", 32), helloBytes: 205)
    public static let schannel13 = TLSClientProfile(version: "TLSv13", ciphers: ["TLS_AES_256_GCM_SHA384"], curve: "x25519", alpn: nil,
                                                    ja3: NetworkTraffic.hex("ja3 schannel windows 11", 32), helloBytes: 245)
    public static let office = TLSClientProfile(version: "TLSv12", ciphers: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], curve: "x25519", alpn: "http/1.1",
                                                ja3: NetworkTraffic.hex("ja3 office winhttp", 32), helloBytes: 205)
    public static let linuxTools = TLSClientProfile(version: "TLSv13", ciphers: ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"], curve: "x25519",
                                                    alpn: "http/1.1", ja3: NetworkTraffic.hex("ja3 openssl 3.0 curl", 32))
    public static let goClient = TLSClientProfile(version: "TLSv13", ciphers: ["TLS_AES_128_GCM_SHA256"], curve: "x25519", alpn: "http/1.1",
                                                  ja3: NetworkTraffic.hex("ja3 go 1.21 net/http", 32), helloBytes: 295)
    public static let dotnet = TLSClientProfile(version: "TLSv12", ciphers: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
                                                curve: "secp256r1", alpn: nil, ja3: NetworkTraffic.hex("ja3 dotnet httpclient", 32), helloBytes: 205)
}

/// Writes what a network sensor at the client's core switch logs — conn, dns, ssl, http,
/// files — and the web server's access log. Benign activity and attack scenarios both go
/// through these functions, so a record's shape never tells who made it.
public enum NetworkTraffic {
    // MARK: Files

    public static func file(_ log: ZeekLog, _ ctx: SimulationContext) -> String { ctx.path("zeek/\(log.rawValue).log") }
    public static func accessLog(_ ctx: SimulationContext) -> String { ctx.path("web/access.log") }

    /// Declares the Zeek logs' headers (idempotent: every generator calls it).
    public static func declare(_ ctx: inout SimulationContext) {
        for log in ZeekLog.allCases {
            ctx.output.declare(file(log, ctx), layout: log.layout(open: ctx.start, close: ctx.end))
        }
    }

    /// Lowercase hex of SHA-256 of `seed`, `count` digits: stable fingerprints, hashes, JA3s.
    public static func hex(_ seed: String, _ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        var block = 0
        while out.count < count {
            for b in SHA256.digest(Array("\(seed)#\(block)".utf8)) where out.count < count {
                out.append(digits[Int(b >> 4)])
                if out.count < count { out.append(digits[Int(b & 15)]) }
            }
            block += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func randomHex(_ count: Int, _ rng: inout SplitMix64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<count).map { _ in digits[rng.below(16)] }, as: UTF8.self)
    }

    static func hostName(_ a: NetEndpoint, _ b: NetEndpoint) -> String { a.host?.name ?? b.host?.name ?? a.ip.description }

    static func micros(_ seconds: Double) -> Int64 { Int64(max(0, seconds) * 1_000_000) }

    /// A log-normal size around `mean` (σ of the log 0.8).
    public static func size(_ mean: Double, _ rng: inout SplitMix64, sigma: Double = 0.8) -> Int {
        max(1, Int(mean * exp(rng.normal(mean: -sigma * sigma / 2, deviation: sigma))))
    }

    // MARK: conn

    /// Writes one conn.log row; returns the uid. Packet and IP byte counts follow from the
    /// payload: segments of at most one MSS, the handshake, ACKs for every second segment
    /// the other side sent, and the FIN exchange (TCP); one datagram each way (UDP).
    @discardableResult
    public static func conn(_ ctx: inout SimulationContext, at t: Timestamp, _ orig: NetEndpoint, _ resp: NetEndpoint, port: Int,
                            origPort: Int? = nil, proto: String = "tcp", service: String?, duration: Double,
                            origBytes: Int, respBytes: Int, state: String = "SF", uid: String? = nil,
                            label: TruthLabel?) -> String {
        let uid = uid ?? ZeekValue.uid("C", &ctx.rng)
        let sport = origPort ?? orig.ephemeralPort(&ctx.rng)
        var history: String
        var op = 1, rp = 1
        var ob: Int? = origBytes, rb: Int? = respBytes
        var dur: Int64? = micros(duration)
        if proto == "udp" {
            history = state == "S0" ? "D" : "Dd"
            op = max(1, (origBytes + 1399) / 1400)
            rp = state == "S0" ? 0 : max(1, (respBytes + 1399) / 1400)
            if state == "S0" { rb = 0 }
            if op + rp == 1 { dur = nil; ob = nil; rb = nil }
        } else {
            switch state {
            case "S0":
                op = 1 + (duration > 0.9 ? 1 : 0) + (duration > 2.9 ? 1 : 0)
                rp = 0
                history = "S"
                ob = 0; rb = 0
                if op == 1 { dur = nil; ob = nil; rb = nil }
            case "REJ":
                op = 1; rp = 1
                history = "Sr"
                ob = 0; rb = 0
            case "RSTO", "RSTR", "SF":
                let mss = orig.host?.os == .windows ? 1460 : 1448
                let od = (origBytes + mss - 1) / mss, rd = (respBytes + mss - 1) / mss
                op = 2 + od + rd / 2 + (state == "RSTR" ? 0 : 1)
                rp = 1 + rd + od / 2 + (state == "RSTO" ? 0 : 1)
                if state == "SF" {
                    history = origBytes + respBytes == 0 ? "ShAFf" : ["ShADadFf", "ShADadfF", "ShADadFf", "ShADdaFf"][ctx.rng.below(4)]
                } else {
                    history = state == "RSTO" ? (origBytes + respBytes == 0 ? "ShR" : "ShADadR") : "ShADadr"
                }
            default:
                history = "ShADad"
            }
        }
        let header = proto == "udp" ? 28 : orig.headerBytes
        let respHeader = proto == "udp" ? 28 : resp.headerBytes
        let row = ZeekConn(ts: t, uid: uid, orig: orig.ip, origPort: sport, resp: resp.ip, respPort: port, proto: proto,
                           service: service, duration: dur, origBytes: ob, respBytes: rb, state: state,
                           localOrig: ctx.client.network.contains(orig.ip), localResp: ctx.client.network.contains(resp.ip),
                           history: history, origPkts: op, origIPBytes: origBytes + op * header + (proto == "tcp" ? 12 : 0),
                           respPkts: rp, respIPBytes: rp == 0 ? 0 : respBytes + rp * respHeader + (proto == "tcp" ? 12 : 0))
        ctx.output.add(file(.conn, ctx), time: t, line: row.line, client: ctx.client.id, host: hostName(orig, resp), label: label)
        return uid
    }

    // MARK: DNS

    /// One query to `server` and its answer: a conn row (udp/53) and a dns row. When the
    /// server is the client's resolver and `upstream` is true, the resolver's own query to
    /// its upstream (a cache miss) is written too. Returns when the answer arrived.
    ///
    /// `dnssec` (the signer and signature length of a signed zone, ``InternetService``): the
    /// resolver validates and asks upstream with the DO bit (RFC 3225), so the upstream
    /// answer carries an RRSIG after the first RRset (RFC 4035 §3.1.1), logged by Zeek as
    /// `RRSIG <type covered> <signer>`; the stub's leg has none.
    @discardableResult
    public static func dns(_ ctx: inout SimulationContext, at t: Timestamp, from client: NetEndpoint, server: NetEndpoint,
                           query: String, type: DNSType = .a, rcode: DNSRcode = .noError, answers: [String] = [], ttls: [Int] = [],
                           upstream: Bool = false, dnssec: (signer: String, signatureBytes: Int)? = nil, unloggedAnswerBytes: Int = 0,
                           label: TruthLabel?) -> Timestamp {
        var rtt = 0.0003 + ctx.rng.exponential(mean: 0.0008)
        if upstream, server.host?.role == .proxy {
            let up = NetEndpoint(ip: ctx.rng.pick(Internet.upstreamResolvers))
            let upRTT = 0.008 + ctx.rng.exponential(mean: 0.015)
            let t2 = Timestamp(microseconds: t.microseconds + 150 + Int64(ctx.rng.below(400)))
            var upAnswers = answers, upTTLs = ttls, signatureBytes = 0
            if let dnssec, rcode == .noError, !answers.isEmpty, answers.count == ttls.count {
                // The first RRset: the query name's CNAME, or its whole address set.
                let isCNAME = IPAddress(answers[0]) == nil
                let end = isCNAME ? 1 : answers.count
                upAnswers.insert("RRSIG \(isCNAME ? DNSType.cname.code : type.code) \(dnssec.signer)", at: end)
                upTTLs.insert(ttls[0], at: end)
                // RR header (compressed owner 2, type, class, TTL, length: 12), RRSIG fixed
                // fields (18), the signer's name in wire form, the signature (RFC 4034 §3.1).
                signatureBytes = 12 + 18 + dnssec.signer.utf8.count + 2 + dnssec.signatureBytes
            }
            writeDNS(&ctx, at: t2, client: server, server: up, query: query, type: type, rcode: rcode, answers: upAnswers, ttls: upTTLs,
                     rtt: upRTT, extraAnswerBytes: signatureBytes + unloggedAnswerBytes, label: label)
            rtt += upRTT
        }
        writeDNS(&ctx, at: t, client: client, server: server, query: query, type: type, rcode: rcode, answers: answers, ttls: ttls,
                 rtt: rtt, extraAnswerBytes: unloggedAnswerBytes, label: label)
        return Timestamp(microseconds: t.microseconds + micros(rtt))
    }

    static func writeDNS(_ ctx: inout SimulationContext, at t: Timestamp, client: NetEndpoint, server: NetEndpoint, query: String,
                         type: DNSType, rcode: DNSRcode, answers: [String], ttls: [Int], rtt: Double, extraAnswerBytes: Int = 0,
                         label: TruthLabel?) {
        let sport = client.ephemeralPort(&ctx.rng)
        // Question: 12-byte header, the name (length-prefixed labels), type, class; an EDNS
        // OPT record (11 bytes) from modern stub resolvers.
        let question = 12 + query.utf8.count + 2 + 4 + 11
        var answerBytes = extraAnswerBytes
        var hasData = extraAnswerBytes > 0
        for a in answers where !a.hasPrefix("RRSIG ") {
            let isAddress = IPAddress(a) != nil
            if isAddress || a.hasPrefix("TXT ") { hasData = true }
            answerBytes += 12 + (isAddress ? (a.contains(":") ? 16 : 4) : (a.hasPrefix("TXT ") ? a.utf8.count - 4 : a.utf8.count / 2 + 4))
        }
        if rcode == .nxDomain || (rcode == .noError && !hasData && (type == .a || type == .aaaa)) {
            // A negative answer (NXDOMAIN, or NODATA: the name, or the end of its CNAME chain,
            // has no record of the type) carries the zone's SOA in the authority section, for
            // negative caching (RFC 2308 §2.1–2.2, §3). RR header 12 bytes (owner compressed),
            // the server's and the mailbox's names (MNAME, RNAME: 30–50 bytes in wire form,
            // partly compressed) and five 32-bit counters (RFC 1035 §3.3.13).
            answerBytes += 12 + 20 + 30 + Int(LinuxAccounts.fnv("soa " + query.split(separator: ".").suffix(2).joined(separator: ".")) % 20)
        }
        let uid = conn(&ctx, at: t, client, server, port: 53, origPort: sport, proto: "udp", service: "dns", duration: rtt,
                       origBytes: question - 11 * (client.host == nil ? 1 : 0), respBytes: question + answerBytes, label: label)
        let row = ZeekDNS(ts: t, uid: uid, orig: client.ip, origPort: sport, resp: server.ip, transID: ctx.rng.below(65536),
                          rtt: micros(rtt), query: query, qtype: type, rcode: rcode, answers: answers, ttls: ttls)
        ctx.output.add(file(.dns, ctx), time: t, line: row.line, client: ctx.client.id, host: hostName(client, server), label: label)
    }

    /// Resolves an internet service through the client's resolver unless `cache` still holds
    /// it (a stub resolver's cache honours the TTL); returns the address and when to connect.
    public static func resolve(_ ctx: inout SimulationContext, at t: Timestamp, from client: NetEndpoint, _ service: InternetService,
                               cache: inout [String: (expires: Timestamp, address: IPAddress)], aaaa: Bool = false,
                               label: TruthLabel?) -> (address: IPAddress, ready: Timestamp) {
        if let hit = cache[service.domain], hit.expires > t {
            return (hit.address, Timestamp(microseconds: t.microseconds + 200))
        }
        let (answers, ttls, address) = service.answers(&ctx.rng)
        let resolver = ctx.client.proxy.map(NetEndpoint.init) ?? NetEndpoint(ip: Internet.upstreamResolvers[0])
        let miss = ctx.rng.chance(0.25)
        var ready = dns(&ctx, at: t, from: client, server: resolver, query: service.domain, type: .a, answers: answers, ttls: ttls,
                        upstream: miss, dnssec: service.dnssec, label: label)
        if aaaa {
            // A dual-stack stub asks for AAAA too; the simulated services publish no IPv6
            // addresses, so the answer holds only the CNAME chain.
            let t2 = Timestamp(microseconds: t.microseconds + 50 + Int64(ctx.rng.below(300)))
            let cn = Array(answers.prefix(service.cnames.count)), cnTTL = Array(ttls.prefix(service.cnames.count))
            let r2 = dns(&ctx, at: t2, from: client, server: resolver, query: service.domain, type: .aaaa, answers: cn, ttls: cnTTL,
                         upstream: miss, dnssec: service.dnssec, label: label)
            ready = max(ready, r2)
        }
        cache[service.domain] = (Timestamp(microseconds: t.microseconds + Int64(ttls.last ?? 60) * 1_000_000), address)
        return (address, Timestamp(microseconds: ready.microseconds + 300 + Int64(ctx.rng.below(3000))))
    }

    // MARK: TLS

    /// A TLS connection: conn (service ssl) and ssl rows. TLS 1.3 hides the certificate
    /// chain (unset fingerprints and validation), TLS 1.2 shows it.
    ///
    /// `origBytes` and `respBytes` are the application data; the conn row also counts the
    /// handshake, which Zeek's byte counts include (they are TCP payload): see
    /// ``handshakeBytes(profile:is13:resumed:serverKey:)``.
    @discardableResult
    public static func tls(_ ctx: inout SimulationContext, at t: Timestamp, _ client: NetEndpoint, _ server: NetEndpoint, port: Int = 443,
                           sni: String?, profile: TLSClientProfile, origBytes: Int, respBytes: Int, duration: Double,
                           state: String = "SF", label: TruthLabel?) -> String {
        let uid = ZeekValue.uid("C", &ctx.rng)
        let sport = client.ephemeralPort(&ctx.rng)
        let is13 = profile.version == "TLSv13"
        let resumed = ctx.rng.chance(is13 ? 0.3 : 0.15)
        let serverKey = server.ip.description + (sni ?? "")
        let handshake = handshakeBytes(profile: profile, is13: is13, resumed: resumed, serverKey: serverKey)
        conn(&ctx, at: t, client, server, port: port, origPort: sport, service: "ssl", duration: duration,
             origBytes: origBytes + handshake.client, respBytes: respBytes + handshake.server, state: state, uid: uid, label: label)
        let cipher = profile.ciphers[ctx.rng.below(profile.ciphers.count)]
        let chain = is13 || resumed ? nil : [hex("cert " + serverKey, 64), hex("ca " + (sni.map { String($0.split(separator: ".").suffix(2).joined(separator: ".")) } ?? serverKey), 64)]
        let hello = Timestamp(microseconds: t.microseconds + 400 + Int64(ctx.rng.below(min(30_000, max(1_000, Int(duration * 100_000))))))
        let row = ZeekSSL(ts: hello, uid: uid, orig: client.ip, origPort: sport, resp: server.ip, respPort: port, version: profile.version,
                          cipher: cipher, curve: profile.curve, serverName: sni, resumed: resumed, nextProtocol: profile.alpn,
                          history: is13 ? (resumed ? "CsiI" : "CsiI") : (resumed ? "CsIi" : "CsxknGIi"), certFingerprints: chain,
                          sniMatchesCert: chain == nil ? nil : sni != nil, validationStatus: chain == nil ? nil : "ok",
                          ja3: profile.ja3, ja3s: hex("ja3s " + cipher + (sni ?? server.ip.description).suffix(12), 32))
        ctx.output.add(file(.ssl, ctx), time: hello, line: row.line, client: ctx.client.id, host: hostName(client, server), label: label)
        return uid
    }

    /// The handshake's bytes on each side (TLS records with their 5-byte headers).
    ///
    /// Client: the ClientHello (``TLSClientProfile/helloBytes``), then in TLS 1.2 the
    /// ClientKeyExchange (an ECDHE public key), ChangeCipherSpec and Finished (RFC 5246
    /// §7.4.7, §7.4.9: about 130 bytes; 51 on resumption), in TLS 1.3 ChangeCipherSpec (sent
    /// for middlebox compatibility, RFC 8446 Appendix D.4) and Finished (about 64 bytes).
    /// Server, full handshake: ServerHello, the certificate chain (leaf and intermediate:
    /// 2–5 kB, the same for every connection to one server), the key exchange's signature
    /// (ServerKeyExchange in TLS 1.2, CertificateVerify in 1.3: about 300 bytes for
    /// RSA-2048) and Finished, and in TLS 1.3 two NewSessionTickets (RFC 8446 §4.6.1; OpenSSL
    /// and BoringSSL send two). On resumption no certificate or signature is sent (RFC 5246
    /// §7.3; RFC 8446 §2.2). In the one real conn.log with TLS at hand (the OCSF examples'
    /// Zeek sample, `ocsf-examples/raw_sample_log_dataset/Zeek/conn.log`), the 39 `tcp/ssl/SF`
    /// connections have a median resp_bytes of 3,957 (quartiles 1,788 and 4,841): even the
    /// smallest exchanges carry a certificate chain.
    static func handshakeBytes(profile: TLSClientProfile, is13: Bool, resumed: Bool, serverKey: String) -> (client: Int, server: Int) {
        let client = profile.helloBytes + (is13 ? 64 : (resumed ? 51 : 130))
        let chain = 2_000 + Int(LinuxAccounts.fnv("chain " + serverKey) % 3_000)
        let serverHello = is13 ? 127 : 95
        let server = resumed
            ? serverHello + (is13 ? 64 + 2 * 233 : 51)
            : serverHello + chain + 300 + (is13 ? 64 + 2 * 233 : 4 + 51)
        return (client, server)
    }

    // MARK: HTTP
    // MARK: HTTP

    /// One request of an HTTP connection.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var uri: String
        public var referrer: String?
        public var userAgent: String
        public var requestBody: Int
        public var responseBody: Int
        public var status: Int
        public var mime: String?
        public var requestMime: String?

        public init(_ method: String, host: String, uri: String, referrer: String? = nil, userAgent: String, requestBody: Int = 0,
                    responseBody: Int, status: Int, mime: String?, requestMime: String? = nil) {
            self.method = method
            self.host = host
            self.uri = uri
            self.referrer = referrer
            self.userAgent = userAgent
            self.requestBody = requestBody
            self.responseBody = responseBody
            self.status = status
            self.mime = mime
            self.requestMime = requestMime
        }
    }

    /// A plain HTTP connection carrying `requests` in turn (keep-alive): conn (service
    /// http), one http row per request and one files row per body.
    @discardableResult
    public static func http(_ ctx: inout SimulationContext, at t: Timestamp, _ client: NetEndpoint, _ server: NetEndpoint, port: Int = 80,
                            requests: [Request], label: TruthLabel?) -> String {
        let uid = ZeekValue.uid("C", &ctx.rng)
        let sport = client.ephemeralPort(&ctx.rng)
        var at = t.microseconds + 500 + Int64(ctx.rng.below(20_000))
        var up = 0, down = 0
        for (i, r) in requests.enumerated() {
            let reqHead = 120 + r.uri.utf8.count + r.host.utf8.count + r.userAgent.utf8.count + (r.referrer?.utf8.count ?? 0)
            up += reqHead + r.requestBody
            down += 180 + r.responseBody
            let serve = 2_000 + Int64(ctx.rng.exponential(mean: 20_000)) + Int64(r.responseBody / 20)
            var respFUID: String? = nil, origFUID: String? = nil
            if r.responseBody > 0, let mime = r.mime {
                let fuid = ZeekValue.uid("F", &ctx.rng)
                respFUID = fuid
                let key = "\(r.host)\(r.uri)\(r.responseBody)"
                let f = ZeekFile(ts: Timestamp(microseconds: at + serve / 2), fuid: fuid, uid: uid, orig: client.ip, origPort: sport,
                                 resp: server.ip, respPort: port, mime: mime, filename: nil, duration: serve / 2,
                                 localOrig: ctx.client.network.contains(client.ip), isOrig: false, bytes: r.responseBody,
                                 md5: hex("md5 " + key, 32), sha1: hex("sha1 " + key, 40))
                ctx.output.add(file(.files, ctx), time: f.ts, line: f.line, client: ctx.client.id, host: hostName(client, server), label: label)
            }
            if r.requestBody > 0, let mime = r.requestMime {
                let fuid = ZeekValue.uid("F", &ctx.rng)
                origFUID = fuid
                let f = ZeekFile(ts: Timestamp(microseconds: at + 200), fuid: fuid, uid: uid, orig: client.ip, origPort: sport,
                                 resp: server.ip, respPort: port, mime: mime, filename: nil, duration: 0,
                                 localOrig: ctx.client.network.contains(client.ip), isOrig: true, bytes: r.requestBody,
                                 md5: randomHex(32, &ctx.rng), sha1: randomHex(40, &ctx.rng))
                ctx.output.add(file(.files, ctx), time: f.ts, line: f.line, client: ctx.client.id, host: hostName(client, server), label: label)
            }
            let row = ZeekHTTP(ts: Timestamp(microseconds: at), uid: uid, orig: client.ip, origPort: sport, resp: server.ip, respPort: port,
                               depth: i + 1, method: r.method, host: r.host, uri: r.uri, referrer: r.referrer, userAgent: r.userAgent,
                               requestBodyLength: r.requestBody, responseBodyLength: r.responseBody, status: r.status,
                               respFUID: respFUID, respMime: respFUID == nil ? nil : r.mime, origFUID: origFUID,
                               origMime: origFUID == nil ? nil : r.requestMime)
            ctx.output.add(file(.http, ctx), time: row.ts, line: row.line, client: ctx.client.id, host: hostName(client, server), label: label)
            at += serve + Int64(ctx.rng.exponential(mean: 150_000))
        }
        let duration = Double(at - t.microseconds) / 1e6
        conn(&ctx, at: t, client, server, port: port, origPort: sport, service: "http", duration: duration, origBytes: up,
             respBytes: down, uid: uid, label: label)
        return uid
    }

    // MARK: Access log

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Apache's `%t` in the client's local time: `02/Mar/2026:08:00:01 +0100`.
    public static func commonLogTime(_ t: Timestamp, offset: Int) -> String {
        let c = CivilTime(utcMicroseconds: t.microseconds + Int64(offset) * 1_000_000)
        let sign = offset < 0 ? "-" : "+"
        let o = abs(offset) / 60
        return ZeekValue.pad(Int64(c.day), 2) + "/" + months[c.month - 1] + "/\(c.year):" + ZeekValue.pad(Int64(c.hour), 2) + ":"
            + ZeekValue.pad(Int64(c.minute), 2) + ":" + ZeekValue.pad(Int64(c.second), 2) + " " + sign
            + ZeekValue.pad(Int64(o / 60), 2) + ZeekValue.pad(Int64(o % 60), 2)
    }

    /// One combined-format line of the web server's access log.
    public static func access(_ ctx: inout SimulationContext, at t: Timestamp, client: IPAddress, method: String, uri: String,
                              version: String = "HTTP/1.1", status: Int, bytes: Int, referrer: String?, userAgent: String,
                              label: TruthLabel?) {
        let line = "\(client) - - [\(commonLogTime(t, offset: ctx.client.utcOffset))] \"\(method) \(uri) \(version)\" \(status) "
            + (bytes == 0 ? "-" : String(bytes)) + " \"\(referrer ?? "-")\" \"\(userAgent)\""
        ctx.output.add(accessLog(ctx), time: t, line: line, client: ctx.client.id, host: ctx.client.webServer?.name ?? "web01", label: label)
    }
}
