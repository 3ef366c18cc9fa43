import SpoorCore

/// Byte-level helpers for reading syslog messages: bounded searches, tokens and peers.
///
/// Every function works on a `Span<UInt8>` and byte ranges inside it and allocates nothing.
///
/// The byte constants and small predicates here mirror `SpoorCore.Bytes` but live in this
/// module so they inline: across modules `MessageText.space` is a lazy global behind an addressor
/// call and `Bytes.isDigit` a function call, which showed in profiles of this hot path.
enum MessageText {
    @inline(__always) static var colon: UInt8 { 0x3A }
    @inline(__always) static var openBracket: UInt8 { 0x5B }
    @inline(__always) static var closeBracket: UInt8 { 0x5D }
    @inline(__always) static var space: UInt8 { 0x20 }
    @inline(__always) static var tab: UInt8 { 0x09 }
    @inline(__always) static var cr: UInt8 { 0x0D }
    @inline(__always) static var lf: UInt8 { 0x0A }
    @inline(__always) static var quote: UInt8 { 0x22 }
    @inline(__always) static var backslash: UInt8 { 0x5C }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

    /// The index of the first `byte` in `b[from..<to]`, or nil (``Bytes/find(_:in:from:to:)``).
    @inline(__always)
    static func find(_ byte: UInt8, in b: Span<UInt8>, from: Int, to: Int) -> Int? { Bytes.find(byte, in: b, from: from, to: to) }

    /// Whether `b[range]` equals `text`.
    @inline(__always)
    static func equals(_ b: Span<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return hasPrefix(b, text, at: range.lowerBound, to: range.upperBound)
    }

    /// Whether `b[range]` equals `text` ignoring ASCII case (`text` in lower case).
    static func equalsIgnoringCase(_ b: Span<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { p in
            var k = 0
            while k < range.count { if lower(b[range.lowerBound + k]) != lower(p[k]) { return false }; k += 1 }
            return true
        }
    }

    /// The index where `needle` starts in `b[from..<to]`, or nil.
    @inline(__always)
    static func find(_ needle: StaticString, in b: Span<UInt8>, from: Int, to: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, to - from >= n else { return nil }
        return needle.withUTF8Buffer { nb -> Int? in
            let first = nb[0]
            var i = from
            let last = to - n
            while i <= last {
                if b[i] == first {
                    var k = 1
                    while k < n, b[i + k] == nb[k] { k += 1 }
                    if k == n { return i }
                }
                i += 1
            }
            return nil
        }
    }

    /// Like ``find(_:in:from:to:)`` but ASCII case-insensitive (`needle` must be lower case).
    static func findIgnoringCase(_ needle: StaticString, in b: Span<UInt8>, from: Int, to: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, to - from >= n else { return nil }
        return needle.withUTF8Buffer { nb -> Int? in
            let first = nb[0]
            var i = from
            let last = to - n
            while i <= last {
                if MessageText.lower(b[i]) == first {
                    var k = 1
                    while k < n, MessageText.lower(b[i + k]) == nb[k] { k += 1 }
                    if k == n { return i }
                }
                i += 1
            }
            return nil
        }
    }

    /// The index of the last start of `needle` in `b[from..<to]`, or nil.
    static func findLast(_ needle: StaticString, in b: Span<UInt8>, from: Int, to: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, to - from >= n else { return nil }
        return needle.withUTF8Buffer { nb -> Int? in
            var i = to - n
            while i >= from {
                if b[i] == nb[0] {
                    var k = 1
                    while k < n, b[i + k] == nb[k] { k += 1 }
                    if k == n { return i }
                }
                i -= 1
            }
            return nil
        }
    }

    /// Whether `b[at..<to]` starts with `prefix`.
    @inline(__always)
    static func hasPrefix(_ b: Span<UInt8>, _ prefix: StaticString, at: Int, to: Int) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard at >= 0, at + n <= to, at + n <= b.count else { return false }
        return prefix.withUTF8Buffer { p in
            var k = 0
            while k < n { if b[at + k] != p[k] { return false }; k += 1 }
            return true
        }
    }

    /// The end of the token starting at `from` (the next space or `to`).
    @inline(__always)
    static func tokenEnd(_ b: Span<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        while i < to, b[i] != MessageText.space { i += 1 }
        return i
    }

    /// `i` moved past spaces and tabs, at most to `to`.
    @inline(__always)
    static func skipSpaces(_ b: Span<UInt8>, _ i: Int, to: Int) -> Int {
        var i = i
        while i < to, b[i] == MessageText.space || b[i] == MessageText.tab { i += 1 }
        return i
    }

    /// The start of the token that ends at `end` (just after the previous space or `from`).
    @inline(__always)
    static func tokenStart(_ b: Span<UInt8>, endingAt end: Int, from: Int) -> Int {
        var i = end
        while i > from, b[i - 1] != MessageText.space { i -= 1 }
        return i
    }

    /// The decimal number at `b[from..<to]` made of digits only, with its end; nil if none.
    @inline(__always)
    static func number(_ b: Span<UInt8>, from: Int, to: Int, maxDigits: Int = 18) -> (value: Int64, end: Int)? {
        var i = from
        var v: Int64 = 0
        while i < to, i - from < maxDigits, MessageText.isDigit(b[i]) {
            v = v &* 10 &+ Int64(b[i] &- 48)
            i += 1
        }
        return i > from ? (v, i) : nil
    }

    // MARK: - Peers

    /// A peer named in a message: an address (with a port if written) or a host name.
    struct Peer {
        var ip: IPAddress?
        var port: Int64?
        var domain: Range<Int>?
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool { MessageText.isDigit(c) || (c | 0x20) &- 97 < 6 }

    /// Reads an address out of a token: `1.2.3.4`, `1.2.3.4:22`, `[1.2.3.4]`, `[2001:db8::1]:22`,
    /// `<1.2.3.4:22>`, `'1.2.3.4'`, `[AF_INET]1.2.3.4:22` (OpenVPN), `user@1.2.3.4` (tcpd), with
    /// trailing punctuation (`1.2.3.4:`, `1.2.3.4,`) ignored.
    ///
    /// IPv4 octets with leading zeros (`192.030.0.6`) are read as decimal. sshd, PAM and the
    /// other daemons print socket addresses with `inet_ntop`/`getnameinfo(NI_NUMERICHOST)`,
    /// which never writes a leading zero, so such text did not come from an octal-minded
    /// `inet_aton`: it was typed or formatted by a person or a tool padding decimals, and
    /// decimal is what it means. fail2ban itself compares the text as written.
    static func address(_ b: Span<UInt8>, _ range: Range<Int>) -> (ip: IPAddress, port: Int64?)? {
        var lo = range.lowerBound, hi = range.upperBound
        // Trailing punctuation that never ends an address.
        while hi > lo {
            let c = b[hi - 1]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "'") || c == UInt8(ascii: "\"")
                || c == UInt8(ascii: ")") || c == UInt8(ascii: ">") || c == UInt8(ascii: "!") || c == colon
                || c == UInt8(ascii: "|") { hi -= 1 } else { break }
        }
        while lo < hi {
            let c = b[lo]
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "(") || c == UInt8(ascii: "<")
                || c == UInt8(ascii: "|") { lo += 1 } else { break }
        }
        if hasPrefix(b, "[AF_INET]", at: lo, to: hi) { lo += 9 } else if hasPrefix(b, "[AF_INET6]", at: lo, to: hi) { lo += 10 }
        // user@host (tcp wrappers' "refused connect from user@host").
        var k = hi
        while k > lo { if b[k - 1] == UInt8(ascii: "@") { lo = k; break }; k -= 1 }
        guard hi - lo >= 2 else { return nil }
        if b[lo] == openBracket {
            guard let close = MessageText.find(closeBracket, in: b, from: lo + 1, to: hi),
                  let ip = IPAddress.parse(b.extracting((lo + 1)..<close)) else { return nil }
            var port: Int64? = nil
            if close + 1 < hi, b[close + 1] == colon, let n = number(b, from: close + 2, to: hi, maxDigits: 5), n.end == hi { port = n.value }
            return (ip, port)
        }
        // A quick shape check before the real parse: only hex digits, dots and colons.
        var colons = 0, dots = 0
        for i in lo..<hi {
            let c = b[i]
            if c == colon { colons += 1 } else if c == UInt8(ascii: ".") { dots += 1 } else if !isHex(c) { return nil }
        }
        guard dots == 3 || colons >= 2 else { return nil }
        if let ip = IPAddress.parse(b.extracting(lo..<hi)) { return (ip, nil) }
        // address:port
        var c = hi - 1
        while c > lo, b[c] != colon { c -= 1 }
        guard c > lo, c + 1 < hi, let n = number(b, from: c + 1, to: hi, maxDigits: 5), n.end == hi,
              let ip = IPAddress.parse(b.extracting(lo..<c)) else { return nil }
        return (ip, n.value)
    }

    /// Whether `b[range]` looks like a DNS host name worth keeping as `source.domain`:
    /// letters, digits, `-`, `_` and dots, at least one dot and one letter.
    static func isHostName(_ b: Span<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count >= 3, range.count <= 253 else { return false }
        var dots = 0, letters = 0
        for i in range {
            let c = b[i]
            if c == UInt8(ascii: ".") { dots += 1 } else if (c | 0x20) &- 97 < 26 { letters += 1 }
            else if !(MessageText.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")) { return false }
        }
        return dots > 0 && letters > 0 && b[range.lowerBound] != UInt8(ascii: ".")
    }

    /// A host name token with trailing punctuation removed, if it looks like one.
    static func hostName(_ b: Span<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        var lo = range.lowerBound, hi = range.upperBound
        while hi > lo, b[hi - 1] == UInt8(ascii: ".") || b[hi - 1] == colon || b[hi - 1] == UInt8(ascii: ",")
                || b[hi - 1] == UInt8(ascii: "'") || b[hi - 1] == UInt8(ascii: ")") { hi -= 1 }
        while lo < hi, b[lo] == UInt8(ascii: "'") || b[lo] == UInt8(ascii: "(") { lo += 1 }
        return isHostName(b, lo..<hi) ? lo..<hi : nil
    }

    /// A peer from one token: an address, else a host name.
    static func peer(_ b: Span<UInt8>, _ range: Range<Int>) -> Peer? {
        if let a = address(b, range) { return Peer(ip: a.ip, port: a.port, domain: nil) }
        if let h = hostName(b, range) { return Peer(ip: nil, port: nil, domain: h) }
        return nil
    }
}
