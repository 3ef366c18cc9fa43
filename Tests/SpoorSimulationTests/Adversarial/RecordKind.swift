import Foundation
import SpoorCore
@testable import SpoorSimulation

/// The semantic type of a record within its source type, for the adversarial check's
/// kind-matched sampling: benign records are drawn with the attack records' mix of kinds, so
/// the classifier compares records of the same kind and what is left to find is formatting.
///
/// - Windows event logs: Channel + EventID (`Security/4625`, `Microsoft-Windows-Sysmon/Operational/1`).
/// - Zeek `conn.log`: proto + service + conn_state (`tcp/ssl/SF`); `dns.log`: qtype + rcode
///   (`A/NOERROR`); `http.log`: method + status class (`GET/2xx`), as for the access log;
///   `files.log`: the MIME type (`application/x-dosexec`); `ssl.log`: TLS version + whether the
///   session was resumed + whether a certificate chain was exchanged (`TLSv12/F/chain`): a full
///   handshake and a resumed one are different exchanges (RFC 5246 §7.3, RFC 8446 §2.2).
/// - `auth.log`: the program + its message template: the first two words of the message, words
///   with digits or that are not lower-case words masked (`sshd Failed password`,
///   `sudo * :`).
/// - Combined access log: method + status class (`GET 2xx`).
/// - Any other source type: the source itself (one kind).
struct RecordKind {
    /// Column indices of a Zeek TSV file, from its `#fields` header line.
    struct ZeekColumns {
        var names: [String: Int] = [:]
        init(header: [String]) {
            guard let line = header.first(where: { $0.hasPrefix("#fields\t") }) else { return }
            for (i, n) in line.split(separator: "\t").dropFirst().enumerated() { names[String(n)] = i }
        }
        func value(_ parts: [Substring], _ name: String) -> String {
            guard let i = names[name], i < parts.count else { return "?" }
            return String(parts[i])
        }
    }

    static func of(source: String, line: String, zeek: ZeekColumns) -> String {
        if source.hasSuffix(".jsonl"), line.first == "{" {
            return windows(line)
        }
        switch source {
        case "zeek/conn.log", "zeek/dns.log", "zeek/http.log", "zeek/files.log", "zeek/ssl.log":
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            func v(_ n: String) -> String { zeek.value(parts, n) }
            switch source {
            case "zeek/conn.log": return "\(v("proto"))/\(v("service"))/\(v("conn_state"))"
            case "zeek/dns.log": return "\(v("qtype_name"))/\(v("rcode_name"))"
            case "zeek/http.log": return "\(v("method"))/\(statusClass(v("status_code")))"
            case "zeek/files.log": return v("mime_type")
            default:
                let chain = ["-", "(empty)", "?"].contains(v("cert_chain_fps")) && ["-", "(empty)", "?"].contains(v("cert_chain_fuids")) ? "nochain" : "chain"
                return "\(v("version"))/\(v("resumed"))/\(chain)"
            }
        case "linux/auth.log":
            return authTemplate(line)
        case "web/access.log":
            return access(line)
        default:
            return source
        }
    }

    static func statusClass(_ s: String) -> String {
        guard let f = s.first, f.isNumber else { return s }
        return "\(f)xx"
    }

    static func windows(_ line: String) -> String {
        let bytes = Array(line.utf8)
        guard let v = try? JSONParser(maximumDepth: 32).parse(bytes.span) else { return "?" }
        let system = v["Event"]?["System"]
        let channel = system?["Channel"]?.stringValue ?? "?"
        // EventID is a number, or `{"#attributes":{"Qualifiers":…},"#text":7045}` when it has qualifiers.
        let eventID = system?["EventID"]
        let id = [eventID, eventID?["#text"]].compactMap { $0?.intValue.map(String.init) }.first ?? "?"
        return "\(channel)/\(id)"
    }

    /// `TIME HOST prog[pid]: message…` → `prog w1 w2`, words with digits or upper-case letters
    /// or address-like punctuation masked as `*`.
    static func authTemplate(_ line: String) -> String {
        let tokens = line.split(separator: " ")
        guard tokens.count >= 3 else { return "?" }
        let program = tokens[2].prefix { $0 != "[" && $0 != ":" }
        let words = tokens.dropFirst(3).prefix(2).map { w -> String in
            let plain = w.allSatisfy { $0.isLowercase || $0 == "(" || $0 == ")" || $0 == ":" || $0 == "_" || $0 == ";" } || w.first?.isUppercase == true && w.dropFirst().allSatisfy(\.isLowercase)
            return plain ? String(w) : "*"
        }
        return ([String(program)] + words).joined(separator: " ")
    }

    static func access(_ line: String) -> String {
        // client ident user [time zone] "METHOD target proto" status …
        guard let q = line.firstIndex(of: "\"") else { return "?" }
        let rest = line[line.index(after: q)...]
        let method = rest.prefix { $0 != " " && $0 != "\"" }
        guard let close = rest.firstIndex(of: "\"") else { return "\(method) ?" }
        let after = rest[rest.index(after: close)...].split(separator: " ")
        return "\(method) \(after.first.map { statusClass(String($0)) } ?? "?")"
    }
}
