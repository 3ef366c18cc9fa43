import SpoorCore

/// URLs (RFC 3986 shape: `scheme://[userinfo@]host[:port][/path][?query][#fragment]`).
enum URLSyntax {
    /// Query keys whose values are secrets; their values are masked in the canonical URL.
    static let secretKeys: [String] = ["password", "passwd", "pwd", "pass", "secret", "token", "apikey", "api_key", "access_token", "auth"]

    /// The mask written in place of a secret.
    static let mask = "***"

    /// The byte offset just past `://` when `b[range]` starts with a scheme (a letter, then
    /// letters, digits, `+`, `-`, `.`; at most 16 bytes) and `://`.
    static func schemeEnd(_ b: Span<UInt8>, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        guard i < range.upperBound, IndicatorSyntax.isAlpha(b[i]) else { return nil }
        while i < range.upperBound, i - range.lowerBound <= 16,
              IndicatorSyntax.isAlnum(b[i]) || b[i] == 0x2B || b[i] == 0x2D || b[i] == 0x2E { i += 1 }
        guard i + 3 <= range.upperBound, b[i] == 0x3A, b[i + 1] == 0x2F, b[i + 2] == 0x2F else { return nil }
        return i + 3
    }

    /// The parts of the authority: userinfo (without `@`), host, port digits.
    struct Authority {
        var userinfo: Range<Int>?
        var host: Range<Int>
        var port: Range<Int>?
        var end: Int
        var isIP: Bool
    }

    /// Splits and checks the authority starting at `start`. The host must be an IPv4 address,
    /// an IPv6 address (bracketed, or bare when the authority is nothing else), or a domain:
    /// under a listed public suffix when `requireListedHost`, else any syntactically valid name.
    static func authority(_ b: Span<UInt8>, _ start: Int, _ limit: Int, requireListedHost: Bool) -> Authority? {
        var end = start
        while end < limit, b[end] != 0x2F, b[end] != 0x3F, b[end] != 0x23, b[end] != 0x5C { end += 1 }
        guard end > start else { return nil }
        var hostStart = start
        var userinfo: Range<Int>?
        var k = end - 1
        while k >= start { if b[k] == 0x40 { break }; k -= 1 }
        if k >= start { userinfo = start..<k; hostStart = k + 1 }
        guard hostStart < end else { return nil }
        // Bracketed IPv6.
        if b[hostStart] == 0x5B {
            var close = hostStart + 1
            while close < end, b[close] != 0x5D { close += 1 }
            guard close < end, IPAddress.parse(b.extracting((hostStart + 1)..<close)) != nil else { return nil }
            var port: Range<Int>?
            if close + 1 < end {
                guard b[close + 1] == 0x3A, isPort(b, (close + 2)..<end) else { return nil }
                port = (close + 2)..<end
            }
            return Authority(userinfo: userinfo, host: hostStart..<(close + 1), port: port, end: end, isIP: true)
        }
        // A bare IPv6 address (`http://fdc4::1/`): more than one colon, no port possible.
        var colons = 0, lastColon = -1
        for i in hostStart..<end where b[i] == 0x3A { colons += 1; lastColon = i }
        if colons > 1 {
            guard IPAddress.parse(b.extracting(hostStart..<end)) != nil else { return nil }
            return Authority(userinfo: userinfo, host: hostStart..<end, port: nil, end: end, isIP: true)
        }
        var hostEnd = end
        var port: Range<Int>?
        if colons == 1 {
            guard isPort(b, (lastColon + 1)..<end) else { return nil }
            hostEnd = lastColon; port = (lastColon + 1)..<end
        }
        var host = hostStart..<hostEnd
        if host.count > 1, b[hostEnd - 1] == 0x2E { host = hostStart..<(hostEnd - 1) } // FQDN root dot
        guard !host.isEmpty else { return nil }
        if IPAddress.parseIPv4(b, host.lowerBound, host.upperBound, allowLeadingZeros: false) != nil {
            return Authority(userinfo: userinfo, host: host, port: port, end: end, isIP: true)
        }
        if IndicatorSyntax.isDomain(b, host) {
            return Authority(userinfo: userinfo, host: host, port: port, end: end, isIP: false)
        }
        guard !requireListedHost else { return nil }
        // Any host name: labels of letter/digit/hyphen/underscore (`localhost`, `intranet`).
        var labelLen = 0
        for i in host {
            let c = b[i]
            if c == 0x2E { guard labelLen > 0 else { return nil }; labelLen = 0 } else {
                guard IndicatorSyntax.isLabelByte(c) else { return nil }
                labelLen += 1
                guard labelLen <= 63 else { return nil }
            }
        }
        return Authority(userinfo: userinfo, host: host, port: port, end: end, isIP: false)
    }

    static func isPort(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty, r.count <= 5 else { return false }
        var v = 0
        for i in r { guard IndicatorSyntax.isDigit(b[i]) else { return false }; v = v * 10 + Int(b[i] - 48) }
        return v <= 65535
    }

    /// The canonical URL for `b[range]` (scheme and host lower case, IPv6 host in RFC 5952
    /// form, a password in the userinfo or in a secret query key masked), or nil.
    static func normalize(_ b: Span<UInt8>, _ range: Range<Int>, requireListedHost: Bool) -> String? {
        guard range.count <= 4096, let afterScheme = schemeEnd(b, range),
              let auth = authority(b, afterScheme, range.upperBound, requireListedHost: requireListedHost) else { return nil }
        for i in range where b[i] < 0x21 || b[i] == 0x7F { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        for i in range.lowerBound..<afterScheme { out.append(IndicatorSyntax.lower(b[i])) }
        if let u = auth.userinfo {
            var colon = u.upperBound
            for i in u where b[i] == 0x3A { colon = i; break }
            for i in u.lowerBound..<colon { out.append(b[i]) }
            if colon < u.upperBound { out.append(0x3A); out.append(contentsOf: mask.utf8) }
            out.append(0x40)
        }
        if b[auth.host.lowerBound] == 0x5B || auth.isIP && auth.host.count > 15 {
            let inner = b[auth.host.lowerBound] == 0x5B ? (auth.host.lowerBound + 1)..<(auth.host.upperBound - 1) : auth.host
            guard let ip = IPAddress.parse(b.extracting(inner)) else { return nil }
            if ip.isIPv4 { out.append(contentsOf: ip.description.utf8) } else {
                out.append(0x5B); out.append(contentsOf: ip.description.utf8); out.append(0x5D)
            }
        } else {
            for i in auth.host { out.append(IndicatorSyntax.lower(b[i])) }
        }
        if let p = auth.port { out.append(0x3A); for i in p { out.append(b[i]) } }
        appendMaskingSecrets(b, auth.end..<range.upperBound, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Copies path, query and fragment, masking the value of each secret query key.
    static func appendMaskingSecrets(_ b: Span<UInt8>, _ r: Range<Int>, into out: inout [UInt8]) {
        var i = r.lowerBound
        var inQuery = false
        while i < r.upperBound {
            let c = b[i]
            out.append(c)
            i += 1
            if c == 0x3F { inQuery = true }
            if c == 0x23 { inQuery = false }
            guard inQuery, c == 0x3F || c == 0x26 else { continue }
            // A key starts here: is it a secret one?
            var eq = i
            while eq < r.upperBound, b[eq] != 0x3D, b[eq] != 0x26, b[eq] != 0x23 { eq += 1 }
            guard eq < r.upperBound, b[eq] == 0x3D, isSecretKey(b, i..<eq) else { continue }
            for k in i...eq { out.append(b[k]) }
            var v = eq + 1
            while v < r.upperBound, b[v] != 0x26, b[v] != 0x23 { v += 1 }
            if v > eq + 1 { out.append(contentsOf: mask.utf8) }
            i = v
        }
    }

    static func isSecretKey(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count >= 3, r.count <= 16 else { return false }
        outer: for key in secretKeys where key.utf8.count == r.count {
            var k = r.lowerBound
            for c in key.utf8 { if IndicatorSyntax.lower(b[k]) != c { continue outer }; k += 1 }
            return true
        }
        return false
    }
}
