import Testing
import SpoorCore
import SpoorIndicators
@testable import SpoorIntel

/// Pattern cases written from the STIX 2.1 specification (OASIS stix-v2.1-os, §9 "STIX
/// Patterning"), each citing its section. Observations are built by hand: `t` is seconds.
@Suite struct STIXPatternTests {
    static func o(_ t: Int64, _ objects: STIXCyberObject...) -> STIXObservation {
        STIXObservation(time: Timestamp(seconds: 1_600_000_000 + t), objects: objects)
    }
    static func ip(_ v: String, id: String? = nil) -> STIXCyberObject { STIXCyberObject(type: v.contains(":") ? "ipv6-addr" : "ipv4-addr", id: id, properties: ["value": .string(v)]) }
    static func domain(_ v: String) -> STIXCyberObject { STIXCyberObject(type: "domain-name", properties: ["value": .string(v)]) }
    static func file(_ props: [String: STIXValue]) -> STIXCyberObject { STIXCyberObject(type: "file", properties: props) }

    static let sha256 = "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"
    static let fileA = file(["name": .string("report.exe"), "size": .int(25536),
                             "hashes": .dictionary(["SHA-256": .string(sha256), "MD5": .string("79054025255fb1a26e4bc422aef54eb4")]),
                             "created": .string("2016-05-12T08:17:27Z"),
                             "magic_number_hex": .string("4d5a"),
                             "payload_bin": .string("TVqQAAMAAAA="),
                             "x_list": .list([.string("alpha"), .string("beta")])])
    static let email = STIXCyberObject(type: "email-message", properties: [
        "subject": .string("Please review: 'Q3' \\ plan"),
        "body_multipart": .list([.dictionary(["body_raw_ref": .ref("artifact--1")]), .dictionary(["body_raw_ref": .ref("file--2")])]),
        "from_ref": .ref("email-addr--1"),
    ])
    static let attachment = STIXCyberObject(type: "file", id: "file--2", properties: ["name": .string("Final Report 2024.exe")])
    static let sender = STIXCyberObject(type: "email-addr", id: "email-addr--1", properties: ["value": .string("boss@example.com")])
    static let flow = STIXCyberObject(type: "network-traffic", properties: [
        "src_ref": .ref("ipv4-addr--s"), "dst_port": .int(443), "protocols": .list([.string("ipv4"), .string("tcp"), .string("tls")])])
    static let src = ip("10.1.2.3", id: "ipv4-addr--s")

    struct Case: CustomTestStringConvertible, Sendable {
        var section: String
        var pattern: String
        var observations: [STIXObservation]
        var expected: Bool
        var testDescription: String { "§\(section) \(pattern) → \(expected)" }
    }

    static let cases: [Case] = [
        // §9.6 comparison operators
        Case(section: "9.6 =", pattern: "[ipv4-addr:value = '198.51.100.1']", observations: [o(0, ip("198.51.100.1"))], expected: true),
        Case(section: "9.6 = (==)", pattern: "[ipv4-addr:value == '198.51.100.1']", observations: [o(0, ip("198.51.100.2"))], expected: false),
        Case(section: "9.6 = address vs /32", pattern: "[ipv4-addr:value = '198.51.100.1/32']", observations: [o(0, ip("198.51.100.1"))], expected: true),
        Case(section: "9.6 != ", pattern: "[ipv4-addr:value != '198.51.100.1']", observations: [o(0, ip("198.51.100.2"))], expected: true),
        Case(section: "9.6 <> ", pattern: "[ipv4-addr:value <> '198.51.100.1']", observations: [o(0, ip("198.51.100.1"))], expected: false),
        Case(section: "9.6 != on a missing property is false", pattern: "[file:name != 'x']", observations: [o(0, file(["size": .int(1)]))], expected: false),
        Case(section: "9.6 >", pattern: "[file:size > 25000]", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 <", pattern: "[file:size < 25000]", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 >= int vs float", pattern: "[file:size >= 25536.0]", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 <=", pattern: "[file:size <= 25535]", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 string order is code point order", pattern: "[file:name > 'a']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 IN", pattern: "[network-traffic:dst_port IN (80, 443, 8443)]", observations: [o(0, flow)], expected: true),
        Case(section: "9.6 NOT IN", pattern: "[network-traffic:dst_port NOT IN (80, 8080)]", observations: [o(0, flow)], expected: true),
        Case(section: "9.6 LIKE %", pattern: "[file:name LIKE 'rep%.exe']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 LIKE _ is exactly one character", pattern: "[file:name LIKE 'report_exe']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 LIKE _ does not match two", pattern: "[file:name LIKE 'repor_exe']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 LIKE is anchored", pattern: "[file:name LIKE 'report']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 MATCHES (PCRE, unanchored)", pattern: "[file:name MATCHES '^rep[a-z]+\\\\.exe$']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 MATCHES no match", pattern: "[file:name MATCHES '\\\\.dll$']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 ISSUBSET address in CIDR", pattern: "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", observations: [o(0, ip("198.51.100.77"))], expected: true),
        Case(section: "9.6 ISSUBSET outside", pattern: "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", observations: [o(0, ip("198.51.101.1"))], expected: false),
        Case(section: "9.6 ISSUBSET smaller block", pattern: "[ipv4-addr:value ISSUBSET '10.0.0.0/8']", observations: [o(0, ip("10.2.0.0/16"))], expected: true),
        Case(section: "9.6 ISSUBSET larger block is not a subset", pattern: "[ipv4-addr:value ISSUBSET '10.2.0.0/16']", observations: [o(0, ip("10.0.0.0/8"))], expected: false),
        Case(section: "9.6 ISSUPERSET", pattern: "[ipv4-addr:value ISSUPERSET '198.51.100.0/25']", observations: [o(0, ip("198.51.100.0/24"))], expected: true),
        Case(section: "9.6 ISSUPERSET address is not a superset of a block", pattern: "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']", observations: [o(0, ip("198.51.100.1"))], expected: false),
        Case(section: "9.6 ISSUBSET IPv6", pattern: "[ipv6-addr:value ISSUBSET '2001:db8::/32']", observations: [o(0, ip("2001:db8:dead::1"))], expected: true),
        Case(section: "9.6 ISSUBSET families differ", pattern: "[ipv6-addr:value ISSUBSET '::/0']", observations: [o(0, ip("10.0.0.1"))], expected: false),
        Case(section: "9.6 NOT =", pattern: "[file:name NOT = 'x.exe']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 NOT LIKE", pattern: "[file:name NOT LIKE '%.exe']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.6 EXISTS", pattern: "[EXISTS file:hashes.MD5]", observations: [o(0, fileA)], expected: true),
        Case(section: "9.6 NOT EXISTS", pattern: "[NOT EXISTS file:hashes.'SHA-512']", observations: [o(0, fileA)], expected: true),
        // §9.2 object paths
        Case(section: "9.2 quoted property with hyphen", pattern: "[file:hashes.'SHA-256' = '\(sha256)']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.2 list index [0]", pattern: "[file:x_list[0] = 'alpha']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.2 list index [1]", pattern: "[file:x_list[1] = 'alpha']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.2 list index out of range", pattern: "[file:x_list[5] = 'alpha']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.2 [*] any element", pattern: "[network-traffic:protocols[*] = 'tls']", observations: [o(0, flow)], expected: true),
        Case(section: "9.2 [*] then reference then property", pattern: "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
             observations: [o(0, email, attachment, sender)], expected: true),
        Case(section: "9.2 _ref dereference", pattern: "[email-message:from_ref.value = 'boss@example.com']", observations: [o(0, email, sender)], expected: true),
        Case(section: "9.2 _ref to an absent object", pattern: "[email-message:from_ref.value = 'boss@example.com']", observations: [o(0, email)], expected: false),
        Case(section: "9.2 network-traffic src_ref", pattern: "[network-traffic:src_ref.value ISSUBSET '10.0.0.0/8']", observations: [o(0, flow, src)], expected: true),
        Case(section: "9.2 object type must match", pattern: "[domain-name:value = '198.51.100.1']", observations: [o(0, ip("198.51.100.1"))], expected: false),
        // §9.3 constants
        Case(section: "9.3 string escapes \\' and \\\\", pattern: "[email-message:subject = 'Please review: \\'Q3\\' \\\\ plan']", observations: [o(0, email)], expected: true),
        Case(section: "9.3 hex constant h''", pattern: "[file:magic_number_hex = h'4D5A']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.3 binary constant b''", pattern: "[file:payload_bin = b'TVqQAAMAAAA=']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.3 binary constant differs", pattern: "[file:payload_bin = b'TVqQAAMAAAE=']", observations: [o(0, fileA)], expected: false),
        Case(section: "9.3 timestamp constant t''", pattern: "[file:created = t'2016-05-12T08:17:27.000Z']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.3 timestamp order", pattern: "[file:created > t'2016-01-01T00:00:00Z']", observations: [o(0, fileA)], expected: true),
        Case(section: "9.3 negative int", pattern: "[file:size > -1]", observations: [o(0, fileA)], expected: true),
        Case(section: "9.3 bool", pattern: "[x-test:flag = true]", observations: [o(0, STIXCyberObject(type: "x-test", properties: ["flag": .bool(true)]))], expected: true),
        // §9.5 comparison expressions: AND/OR inside [ ], on one object
        Case(section: "9.5 AND on the same object", pattern: "[file:name = 'report.exe' AND file:size = 25536]", observations: [o(0, fileA)], expected: true),
        Case(section: "9.5 AND needs one object to satisfy both", pattern: "[file:name = 'report.exe' AND file:size = 1]",
             observations: [o(0, fileA, file(["size": .int(1)]))], expected: false),
        Case(section: "9.5 OR across objects", pattern: "[ipv4-addr:value = '1.1.1.1' OR domain-name:value = 'evil.example']",
             observations: [o(0, domain("evil.example"))], expected: true),
        Case(section: "9.5 parentheses and precedence (AND binds tighter)", pattern: "[file:name = 'nope' AND file:size = 1 OR file:size = 25536]",
             observations: [o(0, fileA)], expected: true),
        Case(section: "9.5 parentheses change grouping", pattern: "[file:name = 'nope' AND (file:size = 1 OR file:size = 25536)]",
             observations: [o(0, fileA)], expected: false),
        // §9.5 observation expressions and operators
        Case(section: "9.5 observation AND", pattern: "[ipv4-addr:value = '1.1.1.1'] AND [domain-name:value = 'evil.example']",
             observations: [o(0, ip("1.1.1.1")), o(10, domain("evil.example"))], expected: true),
        Case(section: "9.5 observation AND needs both", pattern: "[ipv4-addr:value = '1.1.1.1'] AND [domain-name:value = 'evil.example']",
             observations: [o(0, ip("1.1.1.1"))], expected: false),
        Case(section: "9.5 observation OR", pattern: "[ipv4-addr:value = '9.9.9.9'] OR [domain-name:value = 'evil.example']",
             observations: [o(0, domain("evil.example"))], expected: true),
        Case(section: "9.5 FOLLOWEDBY in order", pattern: "[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '1.1.1.1']",
             observations: [o(0, domain("evil.example")), o(5, ip("1.1.1.1"))], expected: true),
        Case(section: "9.5 FOLLOWEDBY out of order", pattern: "[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '1.1.1.1']",
             observations: [o(5, domain("evil.example")), o(0, ip("1.1.1.1"))], expected: false),
        Case(section: "9.5 FOLLOWEDBY binds loosest", pattern: "[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example'] OR [ipv4-addr:value = '1.1.1.1']",
             observations: [o(0, domain("a.example")), o(5, ip("1.1.1.1"))], expected: true),
        // §9.5 qualifiers
        Case(section: "9.5 WITHIN inside the window", pattern: "([domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '1.1.1.1']) WITHIN 60 SECONDS",
             observations: [o(0, domain("evil.example")), o(59, ip("1.1.1.1"))], expected: true),
        Case(section: "9.5 WITHIN outside the window", pattern: "([domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '1.1.1.1']) WITHIN 60 SECONDS",
             observations: [o(0, domain("evil.example")), o(61, ip("1.1.1.1"))], expected: false),
        Case(section: "9.5 WITHIN float seconds", pattern: "([ipv4-addr:value = '1.1.1.1'] AND [ipv4-addr:value = '2.2.2.2']) WITHIN 0.5 SECONDS",
             observations: [o(0, ip("1.1.1.1")), o(1, ip("2.2.2.2"))], expected: false),
        Case(section: "9.5 REPEATS met", pattern: "[ipv4-addr:value = '1.1.1.1'] REPEATS 3 TIMES",
             observations: [o(0, ip("1.1.1.1")), o(1, ip("1.1.1.1")), o(2, ip("1.1.1.1"))], expected: true),
        Case(section: "9.5 REPEATS needs distinct observations", pattern: "[ipv4-addr:value = '1.1.1.1'] REPEATS 3 TIMES",
             observations: [o(0, ip("1.1.1.1"), ip("1.1.1.1")), o(1, ip("1.1.1.1"))], expected: false),
        Case(section: "9.5 REPEATS then WITHIN", pattern: "[ipv4-addr:value = '1.1.1.1'] REPEATS 2 TIMES WITHIN 10 SECONDS",
             observations: [o(0, ip("1.1.1.1")), o(100, ip("1.1.1.1")), o(105, ip("1.1.1.1"))], expected: true),
        Case(section: "9.5 REPEATS then WITHIN too spread", pattern: "[ipv4-addr:value = '1.1.1.1'] REPEATS 2 TIMES WITHIN 10 SECONDS",
             observations: [o(0, ip("1.1.1.1")), o(100, ip("1.1.1.1"))], expected: false),
        Case(section: "9.5 START/STOP inside", pattern: "[ipv4-addr:value = '1.1.1.1'] START t'2020-09-13T12:00:00Z' STOP t'2020-09-13T13:00:00Z'",
             observations: [STIXObservation(time: Timestamp(seconds: 1_600_000_000 + 1800), objects: [ip("1.1.1.1")])], expected: true),
        Case(section: "9.5 START/STOP, STOP is exclusive", pattern: "[ipv4-addr:value = '1.1.1.1'] START t'2020-09-13T12:00:00Z' STOP t'2020-09-13T12:26:40Z'",
             observations: [STIXObservation(time: Timestamp(seconds: 1_600_000_000), objects: [ip("1.1.1.1")])], expected: false),
        // §9.1 whitespace and comments (grammar WS, COMMENT, LINE_COMMENT)
        Case(section: "9.1 whitespace and comments", pattern: "[ /* c2 */ ipv4-addr:value\n=\t'1.1.1.1' ] // trailing",
             observations: [o(0, ip("1.1.1.1"))], expected: true),
    ]

    @Test(arguments: cases)
    func patternCase(_ c: Case) throws {
        let p = try STIXPattern.parse(c.pattern)
        #expect(p.matches(c.observations) == c.expected)
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var section: String
        var pattern: String
        var position: Int
        var isUnsupported: Bool
        var testDescription: String { "§\(section) \(pattern) ✗ at \(position)" }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(section: "9.1 observation needs brackets", pattern: "ipv4-addr:value = '1.1.1.1'", position: 0, isUnsupported: false),
        ErrorCase(section: "9.1 unclosed bracket", pattern: "[ipv4-addr:value = '1.1.1.1'", position: 28, isUnsupported: false),
        ErrorCase(section: "9.3 unterminated string", pattern: "[file:name = 'abc]", position: 13, isUnsupported: false),
        ErrorCase(section: "9.3 only \\' and \\\\ escape", pattern: "[file:name = 'a\\nb']", position: 15, isUnsupported: false),
        ErrorCase(section: "9.3 odd hex", pattern: "[file:x = h'abc']", position: 10, isUnsupported: false),
        ErrorCase(section: "9.3 bad base64", pattern: "[file:x = b'abc']", position: 10, isUnsupported: false),
        ErrorCase(section: "9.3 timestamp must be UTC", pattern: "[file:created = t'2016-05-12T08:17:27+02:00']", position: 16, isUnsupported: false),
        ErrorCase(section: "9.2 hyphen in property must be quoted", pattern: "[file:hashes.SHA-256 = 'x']", position: 13, isUnsupported: false),
        ErrorCase(section: "9.2 negative index", pattern: "[file:x_list[-1] = 'a']", position: 13, isUnsupported: true),
        ErrorCase(section: "9.5 AND across object types", pattern: "[file:name = 'a' AND ipv4-addr:value = '1.1.1.1']", position: 1, isUnsupported: false),
        ErrorCase(section: "9.5 WITHIN must be positive", pattern: "[file:name = 'a'] WITHIN 0 SECONDS", position: 25, isUnsupported: false),
        ErrorCase(section: "9.5 REPEATS needs an integer", pattern: "[file:name = 'a'] REPEATS 1.5 TIMES", position: 26, isUnsupported: false),
        ErrorCase(section: "9.5 STOP before START", pattern: "[file:name = 'a'] START t'2020-01-02T00:00:00Z' STOP t'2020-01-01T00:00:00Z'", position: 18, isUnsupported: false),
        ErrorCase(section: "9.6 bool is not orderable", pattern: "[x-a:b > true]", position: 9, isUnsupported: false),
        ErrorCase(section: "9.6 LIKE needs a string", pattern: "[file:size LIKE 5]", position: 16, isUnsupported: false),
        ErrorCase(section: "9.6 ISSUBSET needs a CIDR", pattern: "[file:name ISSUBSET 'abc']", position: 20, isUnsupported: true),
        ErrorCase(section: "9.6 MATCHES with a backreference", pattern: "[file:name MATCHES '(a)\\\\1']", position: 23, isUnsupported: true),
        ErrorCase(section: "9.6 MATCHES with lookahead", pattern: "[file:name MATCHES 'a(?=b)']", position: 21, isUnsupported: true),
        ErrorCase(section: "9.6 NOT before a path without EXISTS", pattern: "[NOT file:name = 'a']", position: 5, isUnsupported: false),
        ErrorCase(section: "9.5 LAST is reserved", pattern: "[file:name = 'a'] LAST 5 SECONDS", position: 18, isUnsupported: true),
        ErrorCase(section: "9.1 trailing text", pattern: "[file:name = 'a'] x", position: 18, isUnsupported: false),
        ErrorCase(section: "9.1 stray character", pattern: "[file:name = 'a'] & [file:name = 'b']", position: 18, isUnsupported: false),
    ]

    @Test(arguments: errorCases)
    func errorCase(_ c: ErrorCase) {
        do {
            _ = try STIXPattern.parse(c.pattern)
            Issue.record("parsed, expected an error")
        } catch {
            #expect(error.position == c.position, "\(error)")
            #expect(error.isUnsupported == c.isUnsupported, "\(error)")
        }
    }

    @Test func deeplyNestedPatternIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 500) + "[file:name = 'a']" + String(repeating: ")", count: 500)
        #expect(throws: STIXPatternError.self) { try STIXPattern.parse(deep) }
    }

    @Test(arguments: [
        ("[ipv4-addr:value = '10.0.0.0']", ["ipv4-addr:10.0.0.0"]),
        ("[domain-name:value = 'WWW.Example.COM.' OR ipv4-addr:value = '113.10.246.30']", ["domain-name:www.example.com", "ipv4-addr:113.10.246.30"]),
        ("[file:hashes.'SHA-256' = 'EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C']", ["file:hashes.SHA-256:ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"]),
        ("[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']", ["file:hashes.MD5:001dd76872d80801692ff942308c64e6"]),
        ("[ipv6-addr:value IN ('2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::2')]", ["ipv6-addr:2001:db8::1", "ipv6-addr:2001:db8::2"]),
        ("[ipv4-addr:value = '223.166.0.0/15']", ["ipv4-addr:223.166.0.0/15"]),
        ("[autonomous-system:number = 15169]", ["autonomous-system:AS15169"]),
        ("[url:value = 'http://x.example/a'] OR [email-addr:value = 'Bob@Example.COM']", ["url:http://x.example/a", "email-addr:bob@example.com"]),
    ])
    func equalityPatternsBecomeIndicators(pattern: String, expected: [String]) throws {
        let p = try STIXPattern.parse(pattern)
        #expect(p.equalityIndicators?.map(\.description) == expected)
    }

    @Test(arguments: [
        "[ipv4-addr:value != '10.0.0.1']",
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
        "[file:name = 'CBricksDoc']",
        "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b']",
        "[ipv4-addr:value = '1.1.1.1'] AND [ipv4-addr:value = '2.2.2.2']",
        "[ipv4-addr:value = '1.1.1.1'] REPEATS 2 TIMES",
        "[domain-name:value = 'domain autuo.xicp.net']",
    ])
    func otherPatternsStayPatterns(pattern: String) throws {
        #expect(try STIXPattern.parse(pattern).equalityIndicators == nil)
    }
}
