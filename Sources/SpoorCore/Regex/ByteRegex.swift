import Synchronization

/// A regular expression for Sigma's `re` modifier that runs in time linear in its input.
///
/// The pattern language is the PCRE subset Sigma allows, read the way Python's `re` reads it
/// (Sigma's reference tools use Python): `.`, `^`, `$`, `* + ? {n} {n,} {,m} {n,m}` and their
/// lazy forms, classes `[…]` with ranges, negation and escapes, `|`, groups `(…)`, `(?:…)`,
/// `(?P<name>…)`, `(?<name>…)`, inline flags `(?imsx)` and scoped `(?i:…)`, and the escapes
/// `\d \w \s \D \W \S \b \B \A \Z \z \t \n \r \f \v \a \e \xHH \x{H…} \uHHHH \UHHHHHHHH \0oo`
/// and escaped punctuation. Constructs that need backtracking (backreferences, lookaround,
/// atomic groups, possessive quantifiers, recursion, conditionals) are rejected when the
/// pattern is compiled, with the position and the construct, so a rule that uses them is
/// reported unsupported instead of being matched wrongly.
///
/// Semantics are those of Python's `re.search` on `str`: the pattern may match anywhere; `$`
/// also matches before a final `\n`; `\Z` only at the very end; `\d`, `\w`, `\s` and `\b` are
/// Unicode-aware; `(?i)` folds ASCII and simple Unicode case (see ``Options-swift.struct/ignoreCase``).
/// Bytes that are not valid UTF-8 are matched as the characters U+EF00 + byte, the escape
/// spoor's ``ByteText`` policy writes for them, so `.` matches one invalid byte.
///
/// ```swift
/// let re = try ByteRegex(#"\\[a-zA-Z]{8}\.tmp$"#)
/// re.matches(#"C:\Windows\Temp\AbCdEfGh.tmp"#)   // true
/// ```
///
/// Matching runs a literal prefilter, then a lazily built DFA whose state cache is bounded
/// (about 2 MiB); a search that thrashes the cache finishes in an NFA simulation. Every
/// search is O(*n*·*m*) at worst for *n* input bytes and *m* program instructions, and O(*n*)
/// once the cache is warm. ``matches(_:)-(Span<UInt8>)`` may be called from several threads
/// at once: one caller at a time uses the shared cache and the others a fresh one; a thread
/// that matches a lot should use its own ``Matcher``.
public struct ByteRegex: Sendable {
    /// Flags that apply to the whole pattern, as Sigma's `re` sub-modifiers `i`, `m`, `s`.
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Case-insensitive (`(?i)`, Sigma `re|i`): ASCII letters, and other letters linked by
        /// one-character Unicode lowercase/uppercase mappings (`k`/`K`/KELVIN SIGN, `σ`/`ς`/`Σ`).
        /// Multi-character foldings such as `ß` ↔ `ss` do not apply, as in Python.
        public static let ignoreCase = Options(rawValue: 1)
        /// `^` and `$` also match at line starts and ends (`(?m)`, Sigma `re|m`).
        public static let multiline = Options(rawValue: 2)
        /// `.` also matches `\n` (`(?s)`, Sigma `re|s`).
        public static let dotAll = Options(rawValue: 4)
    }

    /// The pattern as given.
    public let pattern: String
    public let options: Options
    let program: RegexProgram
    let prefilter: RegexPrefilter?
    private let shared: SharedCache

    private final class SharedCache: Sendable {
        let cache: Mutex<RegexDFACache>
        init(_ program: RegexProgram) { cache = Mutex(RegexDFACache(program: program)) }
    }

    /// Compiles `pattern`.
    ///
    /// - Throws: ``RegexError`` with code `syntax` (malformed), `unsupported` (needs
    ///   backtracking, or not implemented) or `tooLarge` (a count above 1000, or more than
    ///   50,000 instructions after expanding repetitions).
    /// - Complexity: O(*p*) in the size of the expanded program, bounded by the limits above.
    public init(_ pattern: String, options: Options = []) throws(RegexError) {
        var flags = RegexParser.Flags()
        flags.ignoreCase = options.contains(.ignoreCase)
        flags.multiline = options.contains(.multiline)
        flags.dotAll = options.contains(.dotAll)
        let node = try RegexParser.parse(pattern, flags: flags)
        self.pattern = pattern
        self.options = options
        program = try RegexCompiler.compile(node)
        prefilter = RegexPrefilter.extract(from: node)
        shared = SharedCache(program)
    }

    /// Whether the pattern matches anywhere in `bytes`.
    public func matches(_ bytes: Span<UInt8>) -> Bool {
        Self.withValidUTF8(bytes) { input in
            if let answer = precheck(input) { return answer }
            if let answer = shared.cache.withLockIfAvailable({ cache in cache.search(input) }) { return answer }
            var own = RegexDFACache(program: program, memoryBudget: 64 << 10)
            return own.search(input)
        }
    }

    /// Whether the pattern matches anywhere in `string`.
    public func matches(_ string: String) -> Bool {
        var s = string
        return s.withUTF8 { buf in
            if let answer = precheck(buf) { return answer }
            if let answer = shared.cache.withLockIfAvailable({ cache in cache.search(buf) }) { return answer }
            var own = RegexDFACache(program: program, memoryBudget: 64 << 10)
            return own.search(buf)
        }
    }

    /// The prefilter's verdict when it settles the question.
    @inline(__always)
    private func precheck(_ input: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let prefilter else { return nil }
        if !prefilter.occurs(in: input) { return false }
        return prefilter.isComplete ? true : nil
    }

    /// A matcher with its own DFA cache, for one thread that matches many values.
    ///
    /// ```swift
    /// var matcher = regex.makeMatcher()
    /// for value in column where matcher.matches(value) { … }
    /// ```
    public struct Matcher: Sendable {
        public let regex: ByteRegex
        private var cache: RegexDFACache

        init(_ regex: ByteRegex) {
            self.regex = regex
            cache = RegexDFACache(program: regex.program)
        }

        /// Whether the pattern matches anywhere in `bytes`.
        public mutating func matches(_ bytes: Span<UInt8>) -> Bool {
            ByteRegex.withValidUTF8(bytes) { input in
                if let answer = regex.precheck(input) { return answer }
                return cache.search(input)
            }
        }

        /// Whether the pattern matches anywhere in `string`.
        public mutating func matches(_ string: String) -> Bool {
            var s = string
            return s.withUTF8 { buf in
                if let answer = regex.precheck(buf) { return answer }
                return cache.search(buf)
            }
        }
    }

    /// A ``Matcher`` with a private cache.
    public func makeMatcher() -> Matcher { Matcher(self) }

    /// Runs `body` over `bytes`, or over a copy in which each byte of an invalid UTF-8 sequence
    /// is replaced by the character U+EF00 + byte (``ByteText``'s escape). Valid input is not copied.
    static func withValidUTF8(_ bytes: Span<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        if let escaped = escapedIfInvalid(bytes) { return escaped.withUnsafeBufferPointer(body) }
        return bytes.withUnsafeBufferPointer(body)
    }

    static func escapedIfInvalid(_ b: Span<UInt8>) -> [UInt8]? {
        let n = b.count
        var i = 0
        // ASCII runs, eight bytes at a time.
        let allASCII = b.withUnsafeBufferPointer { buf -> Bool in
            guard let base = UnsafeRawPointer(buf.baseAddress) else { return true }
            var k = 0
            while k + 8 <= n {
                if base.loadUnaligned(fromByteOffset: k, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                k += 8
            }
            while k < n { if buf[k] >= 0x80 { return false }; k += 1 }
            return true
        }
        if allASCII { return nil }
        var firstBad = -1
        while i < n {
            if b[i] < 0x80 { i += 1; continue }
            let len = ByteText.sequenceLength(b, i)
            if len == 0 { firstBad = i; break }
            i += len
        }
        if firstBad < 0 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(n + 16)
        for k in 0..<firstBad { out.append(b[k]) }
        i = firstBad
        while i < n {
            let c = b[i]
            if c < 0x80 { out.append(c); i += 1; continue }
            let len = ByteText.sequenceLength(b, i)
            if len == 0 {
                let v = 0xEF00 + UInt32(c) // three bytes: EE BC/BD/BE/BF xx
                out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
                i += 1
            } else {
                for k in i..<(i + len) { out.append(b[k]) }
                i += len
            }
        }
        return out
    }
}
