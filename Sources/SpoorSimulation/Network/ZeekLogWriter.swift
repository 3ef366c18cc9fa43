import SpoorCore

/// The five Zeek logs the simulation writes, with the columns and types Zeek 6 writes by
/// default (`base/protocols/*/main.zeek`), as in zed-sample-data (Zeek 6.2: dns, ssl) and
/// RITA's `test_data/proxy` (conn, http). ssl ends with `ja3`/`ja3s` of the widely deployed
/// ja3 package (salesforce/ja3 for Zeek), which appends them. files is Zeek ≥ 5's layout
/// (`uid` and `id` instead of the older `tx_hosts`/`rx_hosts`/`conn_uids`).
public enum ZeekLog: String, Sendable, CaseIterable {
    case conn, dns, http, ssl, files

    /// (`#fields`, `#types`) in Zeek's order.
    public var columns: [(name: String, type: String)] {
        let id: [(String, String)] = [("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
                                      ("id.resp_h", "addr"), ("id.resp_p", "port")]
        switch self {
        case .conn:
            return id + [("proto", "enum"), ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"),
                         ("resp_bytes", "count"), ("conn_state", "string"), ("local_orig", "bool"), ("local_resp", "bool"),
                         ("missed_bytes", "count"), ("history", "string"), ("orig_pkts", "count"), ("orig_ip_bytes", "count"),
                         ("resp_pkts", "count"), ("resp_ip_bytes", "count"), ("tunnel_parents", "set[string]")]
        case .dns:
            return id + [("proto", "enum"), ("trans_id", "count"), ("rtt", "interval"), ("query", "string"), ("qclass", "count"),
                         ("qclass_name", "string"), ("qtype", "count"), ("qtype_name", "string"), ("rcode", "count"),
                         ("rcode_name", "string"), ("AA", "bool"), ("TC", "bool"), ("RD", "bool"), ("RA", "bool"), ("Z", "count"),
                         ("answers", "vector[string]"), ("TTLs", "vector[interval]"), ("rejected", "bool")]
        case .http:
            return id + [("trans_depth", "count"), ("method", "string"), ("host", "string"), ("uri", "string"),
                         ("referrer", "string"), ("version", "string"), ("user_agent", "string"), ("origin", "string"),
                         ("request_body_len", "count"), ("response_body_len", "count"), ("status_code", "count"),
                         ("status_msg", "string"), ("info_code", "count"), ("info_msg", "string"), ("tags", "set[enum]"),
                         ("username", "string"), ("password", "string"), ("proxied", "set[string]"),
                         ("orig_fuids", "vector[string]"), ("orig_filenames", "vector[string]"), ("orig_mime_types", "vector[string]"),
                         ("resp_fuids", "vector[string]"), ("resp_filenames", "vector[string]"), ("resp_mime_types", "vector[string]")]
        case .ssl:
            return id + [("version", "string"), ("cipher", "string"), ("curve", "string"), ("server_name", "string"),
                         ("resumed", "bool"), ("last_alert", "string"), ("next_protocol", "string"), ("established", "bool"),
                         ("ssl_history", "string"), ("cert_chain_fps", "vector[string]"), ("client_cert_chain_fps", "vector[string]"),
                         ("sni_matches_cert", "bool"), ("validation_status", "string"), ("ja3", "string"), ("ja3s", "string")]
        case .files:
            return [("ts", "time"), ("fuid", "string"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
                    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("source", "string"), ("depth", "count"),
                    ("analyzers", "set[string]"), ("mime_type", "string"), ("filename", "string"), ("duration", "interval"),
                    ("local_orig", "bool"), ("is_orig", "bool"), ("seen_bytes", "count"), ("total_bytes", "count"),
                    ("missing_bytes", "count"), ("overflow_bytes", "count"), ("timedout", "bool"), ("parent_fuid", "string"),
                    ("md5", "string"), ("sha1", "string"), ("sha256", "string"), ("extracted", "string"),
                    ("extracted_cutoff", "bool"), ("extracted_size", "count")]
        }
    }

    /// The header and footer LogAscii writes around the records. `#open`/`#close` are in
    /// Zeek's `%Y-%m-%d-%H-%M-%S` form (UTC on the sensor).
    public func layout(open: Timestamp, close: Timestamp) -> LogFileLayout {
        let cols = columns
        return LogFileLayout(header: ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
                                      "#path\t\(rawValue)", "#open\t\(ZeekValue.rotationTime(open))",
                                      "#fields\t" + cols.map(\.name).joined(separator: "\t"),
                                      "#types\t" + cols.map(\.type).joined(separator: "\t")],
                             footer: ["#close\t\(ZeekValue.rotationTime(close))"])
    }
}

/// How LogAscii prints values: unset `-`, empty containers `(empty)`, times and intervals
/// with six decimals, booleans `T`/`F`.
public enum ZeekValue {
    public static let unset = "-"
    public static let empty = "(empty)"

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `1672843056.913119`.
    public static func time(_ t: Timestamp) -> String {
        let us = t.microseconds
        let s = us >= 0 ? us / 1_000_000 : (us - 999_999) / 1_000_000
        return "\(s)." + pad(us - s * 1_000_000, 6)
    }

    /// An interval in microseconds as `0.084044`.
    public static func interval(_ us: Int64) -> String {
        "\(us / 1_000_000)." + pad(us % 1_000_000, 6)
    }

    public static func bool(_ b: Bool) -> String { b ? "T" : "F" }
    public static func optional(_ v: Int?) -> String { v.map(String.init) ?? unset }
    public static func optional(_ v: String?) -> String { v.flatMap { $0.isEmpty ? nil : $0 } ?? unset }
    /// A set or vector: unset when nil, `(empty)` when empty, comma-separated otherwise.
    public static func list(_ v: [String]?) -> String {
        guard let v else { return unset }
        return v.isEmpty ? empty : v.joined(separator: ",")
    }

    /// `2026-03-02-00-00-00`.
    public static func rotationTime(_ t: Timestamp) -> String {
        let c = t.civil
        return "\(c.year)-" + [c.month, c.day, c.hour, c.minute, c.second].map { pad(Int64($0), 2) }.joined(separator: "-")
    }

    static let base62Digits = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    static func base62(_ v: UInt64) -> String {
        var v = v
        var out: [UInt8] = []
        repeat {
            out.append(base62Digits[Int(v % 62)])
            v /= 62
        } while v > 0
        return String(decoding: out, as: UTF8.self)
    }

    /// A connection or file id as Zeek makes them: a prefix (`C`, `F`) and 96 random bits in
    /// base 62 (a 64-bit and a 32-bit part), 12 to 18 characters in all (`CqKst53mF3det3eDV9`).
    public static func uid(_ prefix: String, _ rng: inout SplitMix64) -> String {
        prefix + base62(rng.next()) + base62(rng.next() & 0xFFFF_FFFF)
    }
}

/// One conn.log row.
public struct ZeekConn: Sendable {
    public var ts: Timestamp
    public var uid: String
    public var orig: IPAddress
    public var origPort: Int
    public var resp: IPAddress
    public var respPort: Int
    public var proto: String
    public var service: String?
    public var duration: Int64?
    public var origBytes: Int?
    public var respBytes: Int?
    public var state: String
    public var localOrig: Bool
    public var localResp: Bool
    public var history: String
    public var origPkts: Int
    public var origIPBytes: Int
    public var respPkts: Int
    public var respIPBytes: Int

    public var line: String {
        [ZeekValue.time(ts), uid, orig.description, String(origPort), resp.description, String(respPort), proto,
         ZeekValue.optional(service), duration.map(ZeekValue.interval) ?? ZeekValue.unset,
         ZeekValue.optional(origBytes), ZeekValue.optional(respBytes), state, ZeekValue.bool(localOrig), ZeekValue.bool(localResp),
         "0", history, String(origPkts), String(origIPBytes), String(respPkts), String(respIPBytes), ZeekValue.unset]
            .joined(separator: "\t")
    }
}

/// One dns.log row.
public struct ZeekDNS: Sendable {
    public var ts: Timestamp
    public var uid: String
    public var orig: IPAddress
    public var origPort: Int
    public var resp: IPAddress
    public var transID: Int
    public var rtt: Int64?
    public var query: String
    public var qtype: DNSType
    public var rcode: DNSRcode
    public var answers: [String]
    public var ttls: [Int]

    public var line: String {
        let answered = rcode == .noError && !answers.isEmpty
        return [ZeekValue.time(ts), uid, orig.description, String(origPort), resp.description, "53", "udp", String(transID),
                rtt.map(ZeekValue.interval) ?? ZeekValue.unset, query, "1", "C_INTERNET", String(qtype.code), qtype.rawValue,
                String(rcode.code), rcode.rawValue, "F", "F", "T", "T", "0",
                answered ? answers.joined(separator: ",") : ZeekValue.unset,
                answered ? ttls.map { ZeekValue.interval(Int64($0) * 1_000_000) }.joined(separator: ",") : ZeekValue.unset, "F"]
            .joined(separator: "\t")
    }
}

public enum DNSType: String, Sendable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", txt = "TXT", srv = "SRV", ptr = "PTR", mx = "MX", null = "NULL"
    public var code: Int {
        switch self {
        case .a: 1
        case .aaaa: 28
        case .cname: 5
        case .txt: 16
        case .srv: 33
        case .ptr: 12
        case .mx: 15
        case .null: 10
        }
    }
}

public enum DNSRcode: String, Sendable {
    case noError = "NOERROR", nxDomain = "NXDOMAIN", servFail = "SERVFAIL"
    public var code: Int {
        switch self {
        case .noError: 0
        case .servFail: 2
        case .nxDomain: 3
        }
    }
}

/// One ssl.log row.
public struct ZeekSSL: Sendable {
    public var ts: Timestamp
    public var uid: String
    public var orig: IPAddress
    public var origPort: Int
    public var resp: IPAddress
    public var respPort: Int
    public var version: String
    public var cipher: String
    public var curve: String
    public var serverName: String?
    public var resumed: Bool
    public var nextProtocol: String?
    public var history: String
    /// SHA-256 fingerprints of the server's chain (TLS 1.2; TLS 1.3 hides the certificates).
    public var certFingerprints: [String]?
    public var sniMatchesCert: Bool?
    public var validationStatus: String?
    public var ja3: String
    public var ja3s: String

    public var line: String {
        [ZeekValue.time(ts), uid, orig.description, String(origPort), resp.description, String(respPort), version, cipher, curve,
         ZeekValue.optional(serverName), ZeekValue.bool(resumed), ZeekValue.unset, ZeekValue.optional(nextProtocol), "T", history,
         ZeekValue.list(certFingerprints), certFingerprints == nil ? ZeekValue.unset : ZeekValue.empty,
         sniMatchesCert.map(ZeekValue.bool) ?? ZeekValue.unset, ZeekValue.optional(validationStatus), ja3, ja3s]
            .joined(separator: "\t")
    }
}

/// One http.log row.
public struct ZeekHTTP: Sendable {
    public var ts: Timestamp
    public var uid: String
    public var orig: IPAddress
    public var origPort: Int
    public var resp: IPAddress
    public var respPort: Int
    public var depth: Int
    public var method: String
    public var host: String
    public var uri: String
    public var referrer: String?
    public var userAgent: String
    public var requestBodyLength: Int
    public var responseBodyLength: Int
    public var status: Int
    public var respFUID: String?
    public var respMime: String?
    public var origFUID: String?
    public var origMime: String?

    public var line: String {
        [ZeekValue.time(ts), uid, orig.description, String(origPort), resp.description, String(respPort), String(depth), method,
         host, uri, ZeekValue.optional(referrer), "1.1", userAgent, ZeekValue.unset, String(requestBodyLength),
         String(responseBodyLength), String(status), HTTPStatus.message(status), ZeekValue.unset, ZeekValue.unset, ZeekValue.empty,
         ZeekValue.unset, ZeekValue.unset, ZeekValue.unset,
         ZeekValue.optional(origFUID), ZeekValue.unset, ZeekValue.optional(origMime),
         ZeekValue.optional(respFUID), ZeekValue.unset, ZeekValue.optional(respMime)]
            .joined(separator: "\t")
    }
}

/// One files.log row (a file seen in an HTTP body).
public struct ZeekFile: Sendable {
    public var ts: Timestamp
    public var fuid: String
    public var uid: String
    public var orig: IPAddress
    public var origPort: Int
    public var resp: IPAddress
    public var respPort: Int
    public var mime: String
    public var filename: String?
    public var duration: Int64
    public var localOrig: Bool
    public var isOrig: Bool
    public var bytes: Int
    public var md5: String
    public var sha1: String

    public var line: String {
        [ZeekValue.time(ts), fuid, uid, orig.description, String(origPort), resp.description, String(respPort), "HTTP", "0",
         "MD5,SHA1", mime, ZeekValue.optional(filename), ZeekValue.interval(duration), ZeekValue.bool(localOrig),
         ZeekValue.bool(isOrig), String(bytes), String(bytes), "0", "0", "F", ZeekValue.unset, md5, sha1, ZeekValue.unset,
         ZeekValue.unset, ZeekValue.unset, ZeekValue.unset]
            .joined(separator: "\t")
    }
}

enum HTTPStatus {
    static func message(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "-"
        }
    }
}
