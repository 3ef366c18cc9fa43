import Testing
@testable import SpoorCore

/// One expectation: `pattern` (with `options`) searched in `input`.
struct RegexCase: CustomTestStringConvertible, Sendable {
    var pattern: String
    var options: ByteRegex.Options = []
    var input: String
    var expected: Bool
    var testDescription: String { "\(pattern) ~ \(input.debugDescription) = \(expected)" }
    init(_ pattern: String, _ input: String, _ expected: Bool, _ options: ByteRegex.Options = []) {
        self.pattern = pattern; self.input = input; self.expected = expected; self.options = options
    }
}

@Suite struct ByteRegexTests {
    static let literalsAndClasses: [RegexCase] = [
        .init("abc", "xxabcxx", true), .init("abc", "ab c", false), .init("", "", true), .init("", "x", true),
        .init("a.c", "abc", true), .init("a.c", "a\nc", false), .init("a.c", "a\nc", true, .dotAll), .init("(?s)a.c", "a\nc", true),
        .init("a.c", "aéc", true), .init("a..c", "aéc", false), .init("^.$", "€", true), .init("^.$", "😀", true),
        .init("[abc]", "xbx", true), .init("[abc]", "xyz", false), .init("[a-c]+$", "zzcab", true),
        .init("[^abc]", "abc", false), .init("[^abc]", "abcd", true), .init("[^a]$", "é", true), .init("^[^é]$", "é", false),
        .init("[]a]", "]", true), .init("[^]a]", "]", false), .init("[a-]", "-", true), .init("[-a]", "-", true),
        .init("[\\]]", "]", true), .init("[\\d]", "7", true), .init("[\\w.]+@", "a.b@", true), .init("[\\s]", "a b", true),
        .init("[\\b]", "\u{8}", true), .init("[\\x41-\\x43]", "B", true), .init("[α-ω]", "λ", true), .init("[α-ω]", "Λ", false),
        .init("\\d", "a1", true), .init("\\d", "abc", false), .init("\\d", "٣", true), .init("\\D", "123", false),
        .init("\\w", "_", true), .init("\\w", "é", true), .init("\\W", "abc", false), .init("\\W", "a-b", true),
        .init("\\s", "a\tb", true), .init("\\s", "a\u{A0}b", true), .init("\\S", "  ", false),
        .init("\\t\\n\\r\\f\\v", "\t\n\r\u{C}\u{B}", true), .init("\\x41\\u0042\\x{43}", "ABC", true), .init("\\U0001F600", "😀", true),
        .init("\\0", "\u{0}", true), .init("\\101", "A", true), .init("\\.", ".", true), .init("\\.", "a", false),
        .init("\\\\", "C:\\x", true), .init("\\$\\{", "${", true), .init("\\Qa.b\\E", "a.b", true), .init("\\Qa.b\\E", "axb", false),
        .init("a\\e", "a\u{1B}", true), .init("\\a", "\u{7}", true),
    ]
    static let quantifiers: [RegexCase] = [
        .init("ab*c", "ac", true), .init("ab*c", "abbbc", true), .init("ab+c", "ac", false), .init("ab?c", "abbc", false),
        .init("^a{3}$", "aaa", true), .init("^a{3}$", "aaaa", false), .init("^a{2,}$", "a", false), .init("^a{2,}$", "aaaaa", true),
        .init("^a{2,3}$", "aaaa", false), .init("^a{2,3}$", "aa", true), .init("^a{,2}$", "aa", true), .init("^a{,2}$", "aaa", false),
        .init("^a{0}$", "", true), .init("^a{0}b$", "b", true), .init("a{", "a{", true), .init("a{x}", "a{x}", true),
        .init("a{1,x}", "a{1,x}", true), .init("x{}", "x{}", true), .init("^a{,}$", "aaaa", true),
        .init("a*?b", "aab", true), .init("a+?$", "aa", true), .init("a??b", "b", true), .init("^a{2,3}?$", "aaa", true),
        .init("^(ab)+$", "ababab", true), .init("^(ab)+$", "ababa", false), .init("^(a|bc)*$", "abcbca", true),
        .init("^(a*)*$", "aaa", true), .init("^(a*)+b$", "b", true), .init("^(?:a?){3}$", "a", true), .init("(.){200,}", String(repeating: "x", count: 199), false),
        .init("(.){200,}", String(repeating: "x", count: 200), true),
    ]
    static let anchorsAndFlags: [RegexCase] = [
        .init("^abc", "abc", true), .init("^abc", "xabc", false), .init("abc$", "abc", true), .init("abc$", "abc\n", true),
        .init("abc$", "abc\n\n", false), .init("abc$", "abcd", false), .init("abc\\Z", "abc\n", false), .init("abc\\z", "abc", true),
        .init("a$\\n", "a\n", true), .init("^$", "", true), .init("^$", "\n", true), .init("$", "abc", true),
        .init("^b", "a\nb", false), .init("^b", "a\nb", true, .multiline), .init("(?m)^b", "a\nb", true), .init("a$", "a\nb", false),
        .init("a$", "a\nb", true, .multiline), .init("(?m)a$\\nb", "a\nb", true), .init("\\Ab", "a\nb", false, .multiline),
        .init("(?m)a\\Z", "a\nb", false), .init("x^", "x", false), .init("$x", "x", false), .init("a|^b", "cb", false),
        .init("\\bfoo\\b", "a foo b", true), .init("\\bfoo\\b", "afoo", false), .init("\\Bfoo", "afoo", true), .init("\\Bfoo", "foo", false),
        .init("foo\\b", "foo", true), .init("\\b", "", false), .init("\\B", "", false), .init("(?:^)+a", "a", true), .init("(\\b){2}a", "a", true), .init("\\b", "é", true), .init("\\B", "é", false),
        .init("é\\b", "éa", false), .init("é\\b", "é-", true), .init("\\bé", "aé", false), .init("\\bx", "éx", false),
        .init("ABC", "xabcx", true, .ignoreCase), .init("(?i)abc", "ABC", true), .init("(?i)[a-c]+$", "xCAB", true),
        .init("(?i)[^a]", "A", false), .init("(?i)k", "\u{212A}", true), .init("(?i)s", "ſ", true), .init("(?i)σ", "ς", true),
        .init("(?i)é", "É", true), .init("(?i)ǆ", "ǅ", true), .init("(?i)ß", "SS", false), .init("(?i)i", "İ", true), .init("(?i)I", "ı", true), .init("(?i)mimi", "MİMI", true),
        .init("a(?i)b", "aB", true), .init("a(?i)b", "AB", false), .init("(?i:a)b", "Ab", true), .init("(?i:a)b", "AB", false),
        .init("(?i)a(?-i:b)", "AB", false), .init("(?i)a(?-i:b)", "Ab", true), .init("(?x) a b # comment", "ab", true),
        .init("(?x)[ ]", " ", true), .init("(?x)a\\ b", "a b", true), .init("(?x)a *", "aaa", true), .init("(?s:.)", "\n", true),
        .init("(?ms)^a.b$", "x\na\nb", true), .init("(?u)a", "a", true),
    ]
    static let groupsAndAlternation: [RegexCase] = [
        .init("a|b", "b", true), .init("a|b", "c", false), .init("^(?:ab|cd)$", "cd", true), .init("(?P<n>ab)c", "abc", true),
        .init("(?<n>ab)c", "abc", true), .init("(?'n'ab)c", "abc", true), .init("()", "", true), .init("a(|b)c", "ac", true),
        .init("a||b", "x", true), .init("(?#note)ab", "ab", true), .init("(a(b(c)))", "abc", true), .init("(^0oa.*|[a-z.]+@[a-z]+\\.[a-z]{2,10})", "x@y.com", true),
        .init("\\\\[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.txt$", "C:\\Windows\\0a1b2c3d-0000-1111-2222-333344445555.txt", true),
        .init("https?://(?:(?:25[0-5]|(?:2[0-4]|1\\d|[1-9])?\\d)(?:\\.|\\b)){4}", "http://10.1.2.3/x", true),
        .init("https?://(?:(?:25[0-5]|(?:2[0-4]|1\\d|[1-9])?\\d)(?:\\.|\\b)){4}", "http://999.1.2.3/x", false),
    ]

    @Test(arguments: literalsAndClasses + quantifiers + anchorsAndFlags + groupsAndAlternation)
    func matches(_ c: RegexCase) throws {
        let re = try ByteRegex(c.pattern, options: c.options)
        #expect(re.matches(c.input) == c.expected)
        #expect(re.matches(Array(c.input.utf8).span) == c.expected)
        var m = re.makeMatcher()
        #expect(m.matches(c.input) == c.expected)
        #expect(m.matches(c.input) == c.expected) // a warm cache answers the same
    }

    /// Invalid UTF-8 is matched as U+EF00 + byte, one character per bad byte.
    @Test func invalidBytesAreCharacters() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x63]
        #expect(try ByteRegex("^a.b.c$").matches(bytes.span))
        #expect(try ByteRegex("a\\x{EFFF}b").matches(bytes.span))
        #expect(try ByteRegex("^a[^x]b").matches(bytes.span))
        #expect(!(try ByteRegex("^a..b").matches(bytes.span)))
        #expect(try ByteRegex("bc").matches([0x80, 0x62, 0x63].span))
    }

    static let rejected: [(String, RegexError.Code, Int)] = [
        ("(a)\\1", .unsupported, 3), ("(?P<n>a)(?P=n)", .unsupported, 8), ("a(?=b)", .unsupported, 1), ("a(?!b)", .unsupported, 1),
        ("(?<=a)b", .unsupported, 0), ("(?<!a)b", .unsupported, 0), ("(?>ab)", .unsupported, 0), ("a++", .unsupported, 2),
        ("a*+", .unsupported, 2), ("a{2}+", .unsupported, 4), ("(?R)", .unsupported, 0), ("(?1)", .unsupported, 0),
        ("(?(1)a|b)", .unsupported, 0), ("\\k<n>", .unsupported, 0), ("\\p{L}", .unsupported, 0), ("(?a)\\w", .unsupported, 2),
        ("[[:alpha:]]", .unsupported, 1), ("\\N{DASH}", .unsupported, 0),
        ("(ab", .syntax, 0), ("ab)", .syntax, 2), ("[ab", .syntax, 0), ("*a", .syntax, 0), ("a**", .syntax, 2),
        ("a{2}{3}", .syntax, 4), ("{2}", .syntax, 0), ("a|*", .syntax, 2), ("^*", .syntax, 1), ("\\b+", .syntax, 2),
        ("[z-a]", .syntax, 1), ("[a-\\d]", .syntax, 1), ("[\\d-z]", .syntax, 1), ("\\q", .syntax, 0), ("\\x4", .syntax, 0),
        ("a{3,2}", .syntax, 1), ("(?z)", .syntax, 2), ("\\", .syntax, 0), ("\\8", .unsupported, 0),
        ("a{1001}", .tooLarge, 1), ("a{2,5000}", .tooLarge, 1), ("((a{1000}){1000}){1000}", .tooLarge, 0),
    ]

    @Test(arguments: rejected)
    func rejects(pattern: String, code: RegexError.Code, position: Int) {
        #expect {
            _ = try ByteRegex(pattern)
        } throws: { error in
            guard let e = error as? RegexError else { return false }
            return e.code == code && e.position == position && !e.message.isEmpty
        }
    }

    @Test func limitsAllowTheirMaximum() throws {
        let re = try ByteRegex("^a{1000}$")
        #expect(re.matches(String(repeating: "a", count: 1000)))
        #expect(!re.matches(String(repeating: "a", count: 1001)))
    }

    @Test func prefilterCoversLiteralPatterns() throws {
        let re = try ByteRegex("\\\\Windows\\\\Temp\\\\")
        #expect(re.prefilter?.isComplete == true)
        #expect(re.matches("C:\\Windows\\Temp\\x.exe"))
        let ci = try ByteRegex("temp\\d", options: .ignoreCase)
        #expect(ci.prefilter.map { String(decoding: $0.bytes, as: UTF8.self) } == "temp")
        #expect(ci.matches("C:\\TEMP1"))
        #expect(!ci.matches("C:\\TEMP"))
        // (?i) k also matches KELVIN SIGN, so it cannot be in an ASCII literal.
        let kelvin = try ByteRegex("(?i)ok")
        #expect(kelvin.matches("o\u{212A}"))
    }

    /// Many threads on one regex: the shared cache is used by one at a time, the rest use their own.
    @Test func concurrentUse() async throws {
        let re = try ByteRegex("(\\d+\\.){3}\\d+|[a-z]+@[a-z]+\\.com")
        let inputs = (0..<200).map { $0 % 3 == 0 ? "ip 10.0.0.\($0)" : $0 % 3 == 1 ? "mail u\($0)x@ex.com" : "nothing \($0)" }
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { inputs.reduce(0) { $0 + (re.matches($1) ? 1 : 0) } } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let expected = inputs.filter { !$0.hasPrefix("nothing") }.count
        #expect(counts == Array(repeating: expected, count: 8))
    }
}
