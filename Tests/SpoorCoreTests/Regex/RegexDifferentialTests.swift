import Foundation
import SpoorTesting
import Testing
@testable import SpoorCore

/// Compares ``ByteRegex`` with Python's `re.search` (the engine pySigma's SQLite oracle and
/// Zircolite use) on every `re` pattern in the SigmaHQ rules under `../shared/data/sigma`,
/// with inputs generated from each pattern, mutated, and the event values of SigmaHQ's
/// regression data. Needs `SPOOR_PYTHON` pointing at a Python 3 with PyYAML.
@Suite struct RegexDifferentialTests {
    @Test(.enabled(if: RegexOracle.isAvailable, Comment(rawValue: RegexOracle.skipMessage)))
    func agreesWithPythonOnSigmaPatterns() throws {
        let corpus = try RegexOracle.extract()
        try #require(!corpus.patterns.isEmpty, "no |re patterns found under sigma/rules*")
        let values = corpus.values.filter { $0.unicodeScalars.count <= 4000 } + Self.trickyInputs
        let patterns = corpus.patterns + Self.syntheticPatterns.map { RegexOracle.Pattern(pattern: $0.0, flags: $0.1, source: "synthetic") }

        var compiled: [(RegexOracle.Pattern, ByteRegex, [String])] = []
        var rejected: [String: Int] = [:]
        for (k, p) in patterns.enumerated() {
            var options: ByteRegex.Options = []
            if p.flags.contains("i") { options.insert(.ignoreCase) }
            if p.flags.contains("m") { options.insert(.multiline) }
            if p.flags.contains("s") { options.insert(.dotAll) }
            do {
                let re = try ByteRegex(p.pattern, options: options)
                var rng = SplitMix64(seed: UInt64(k) &* 0x9E37_79B9 &+ 1)
                let node = try RegexParser.parse(p.pattern, flags: RegexParser.Flags(ignoreCase: options.contains(.ignoreCase),
                                                                                     multiline: options.contains(.multiline),
                                                                                     dotAll: options.contains(.dotAll)))
                compiled.append((p, re, RegexSamples.inputs(for: node, rng: &rng) + values))
            } catch {
                rejected["\(error.code): \(error.message)", default: 0] += 1
            }
        }
        let answers = try RegexOracle.evaluate(compiled.map { ($0.0, $0.2) })
        var pairs = 0, agree = 0, pythonRejected = 0, newerUnicode = 0
        func isNewerThanPython(_ s: String) -> Bool { RegexOracle.isNewerThanPython(s, unicode: corpus.unicode) }
        var disagreements: [String] = []
        for ((p, re, inputs), answer) in zip(compiled, answers) {
            guard let results = answer.results else { pythonRejected += 1; if answer.timedOut == true { print("regex-differential Python timed out: \(p.pattern)") }; continue }
            var m = re.makeMatcher()
            for (input, expected) in zip(inputs, results) {
                pairs += 1
                let mine = m.matches(input)
                // The shared-cache path and the bytes path must agree with the matcher too.
                if mine == expected && re.matches(Array(input.utf8).span) == expected { agree += 1 } else if isNewerThanPython(input) {
                    newerUnicode += 1
                } else if disagreements.count < 20 {
                    disagreements.append("\(p.pattern) [\(p.flags)] on \(input.prefix(120).debugDescription): python \(expected), spoor \(mine)")
                }
            }
        }
        print("regex-differential: \(corpus.patterns.count) Sigma + \(Self.syntheticPatterns.count) synthetic patterns, \(compiled.count) compiled, \(patterns.count - compiled.count) rejected, \(pythonRejected) rejected by Python, \(pairs) pairs compared, \(agree) agree (\(pairs == 0 ? 0 : Double(agree) * 100 / Double(pairs))%), \(newerUnicode) differ only on characters newer than Python's Unicode \(corpus.unicode)")
        for (reason, count) in rejected.sorted(by: { $0.key < $1.key }) { print("regex-differential rejected \(count)×: \(reason)") }
        for d in disagreements { print("regex-differential DISAGREE: \(d)") }
        #expect(disagreements.isEmpty)
        #expect(pairs > 10_000)
        #expect(compiled.count * 10 >= patterns.count * 9, "most Sigma patterns must compile")
    }

    /// Random patterns from a small grammar over every supported construct, on generated,
    /// mutated and random inputs. Patterns that only one side rejects are listed.
    @Test(.enabled(if: RegexOracle.isAvailable, Comment(rawValue: RegexOracle.skipMessage)))
    func agreesWithPythonOnRandomPatterns() throws {
        var rng = SplitMix64(seed: 0x5EED)
        var cases: [(RegexOracle.Pattern, ByteRegex?, [String])] = []
        for _ in 0..<1500 {
            let flags = ["", "", "i", "m", "s", "ims"].randomElement(using: &rng)!
            let pattern = RandomPattern.make(&rng, depth: 0)
            var options: ByteRegex.Options = []
            if flags.contains("i") { options.insert(.ignoreCase) }
            if flags.contains("m") { options.insert(.multiline) }
            if flags.contains("s") { options.insert(.dotAll) }
            let re = try? ByteRegex(pattern, options: options)
            var inputs = Self.trickyInputs
            for _ in 0..<30 {
                let n = Int.random(in: 0...12, using: &rng)
                inputs.append(String((0..<n).map { _ in RandomPattern.alphabet.randomElement(using: &rng)! }))
            }
            if re != nil, let node = try? RegexParser.parse(pattern, flags: RegexParser.Flags(ignoreCase: options.contains(.ignoreCase),
                                                                                             multiline: options.contains(.multiline),
                                                                                             dotAll: options.contains(.dotAll))) {
                inputs += RegexSamples.inputs(for: node, rng: &rng, count: 6, budget: 40)
            }
            cases.append((RegexOracle.Pattern(pattern: pattern, flags: flags, source: "random"), re, inputs))
        }
        let answers = try RegexOracle.evaluate(cases.map { ($0.0, $0.2) })
        var pairs = 0, agree = 0, bothRejected = 0, newerUnicode = 0, pythonTimedOut = 0
        let unicode = try RegexOracle.unicodeVersion()
        var onlyOneRejects: [String] = []
        var disagreements: [String] = []
        for ((p, re, inputs), answer) in zip(cases, answers) {
            if answer.timedOut == true { pythonTimedOut += 1; continue }
            switch (re, answer.results) {
            case (nil, nil):
                bothRejected += 1
                if bothRejected <= 3 { print("regex-differential random rejected by both: \(p.pattern) (python: \(answer.error ?? ""))") }
            case (nil, .some): onlyOneRejects.append("spoor rejects \(p.pattern)")
            case (.some, nil): onlyOneRejects.append("python rejects \(p.pattern) (\(answer.error ?? ""))")
            case (.some(let re), .some(let results)):
                for (input, expected) in zip(inputs, results) {
                    pairs += 1
                    if re.matches(input) == expected { agree += 1 } else if RegexOracle.isNewerThanPython(input, unicode: unicode) {
                        newerUnicode += 1
                    } else if disagreements.count < 20 {
                        disagreements.append("\(p.pattern) [\(p.flags)] on \(input.debugDescription): python \(expected)")
                    }
                }
            }
        }
        print("regex-differential random: \(cases.count) patterns, \(pythonTimedOut) where Python's backtracking took over 2 s per case, \(bothRejected) rejected by both, \(onlyOneRejects.count) by one side, \(pairs) pairs compared, \(agree) agree, \(newerUnicode) differ only on characters newer than Python's Unicode \(unicode)")
        for r in onlyOneRejects.prefix(30) { print("regex-differential random ONE-SIDED: \(r)") }
        for d in disagreements { print("regex-differential random DISAGREE: \(d)") }
        #expect(disagreements.isEmpty)
        #expect(pairs > 10_000)
    }

    /// Constructs the Sigma corpus uses rarely or never: anchors with and without multiline,
    /// Unicode word boundaries and case folding, verbose mode, octal and hex escapes.
    static let syntheticPatterns: [(String, String)] = [
        ("^abc$", ""), ("abc$", ""), ("^a.*z$", "s"), ("^a.*z$", ""), ("(?m)^\\w+$", ""), ("^\\w+$", "m"), ("a$", "m"),
        ("\\bfoo\\b", ""), ("\\Bo\\B", ""), ("\\b\\w+\\b", "i"), ("[^a-z]+", "i"), ("(?i)straße", ""), ("(?i)[k-s]", ""),
        ("(?s).+\\n", ""), ("\\s+$", ""), ("^\\S+\\s\\S+$", ""), ("[\\w.-]+@[\\w-]+\\.\\w{2,}", ""), ("(\\d{1,3}\\.){3}\\d{1,3}", ""),
        ("\\d+(?:\\.\\d+)?\\Z", ""), ("^$", "m"), ("^$", ""), ("(?x) a \\  b # c", ""), ("é\\b", ""), ("\\bé", ""), ("(a|ab)(c|bcd)(d*)", ""),
        ("x*", ""), ("[\\u00e0-\\u00ff]+", "i"), ("\\x41\\101\\u0041", "i"), ("[^\\n]*\\n$", ""), ("(?i)ǅ", ""), ("(?i)\\u212a", ""),
        ("(?i)[^k]", ""), ("\\W\\w", ""), ("^(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)$", ""),
        ("\\$\\{[^}]+\\}", "i"), ("[\\s\\S]{3}$", ""), ("(?i)İ|ı", ""), ("(?i)[a-z]+ı", ""), ("\\b\\B", ""), ("$\\n", ""), ("(?m)$\\n^", ""),
        ("(?i:ab)C", ""), ("a{2,4}?b", ""), ("[.]{3}", "s"), ("(?s:.)$", ""), ("\\w\\b\\W", "i"),
    ]
    static let trickyInputs = ["", "\n", "a\n", "abc\n", "abc\n\n", "x\ny\n", "\n\n", "é", "aé", "éa", "foo bar", "ÉCOLE straße STRASSE",
                               "k K \u{212A}", "İi ıI", "ǆ ǅ Ǆ", "1.2.3.4", "256.1.1.1", "a\r\nb", "${Env:Path}", "ab\ncd", "abbbc", "aaaab"]
}

/// Random patterns over the supported syntax, in the spelling Python also accepts.
enum RandomPattern {
    static let alphabet: [Character] = ["a", "A", "b", "B", "k", "0", "1", " ", "é", "É", "\n", "-", ".", "_", "ſ"]
    static let atoms = ["a", "b", "A", "k", "0", " ", "é", "-", "\\.", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\n", "\\x41", "\\u00e9", "\\101", "."]
    static let assertions = ["^", "$", "\\b", "\\B", "\\A", "\\Z"]
    static let classItems = ["a", "b-d", "A-Z", "0-9", "\\d", "\\w", "\\s", "é", "_", "\\n", "-", ".", "\\]", "k"]
    static let boundedQuantifiers = ["?", "{2}", "{1,3}", "{0,2}", "{,2}", "??", "{1,2}?"]
    static let quantifiers = ["*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "{,2}", "*?", "+?", "??", "{1,2}?"]

    static func make(_ rng: inout SplitMix64, depth: Int) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let roll = Int.random(in: 0..<20, using: &rng)
            var atom: String
            var quantifiable = true
            switch roll {
            case 0..<9: atom = atoms.randomElement(using: &rng)!
            case 9..<11: atom = assertions.randomElement(using: &rng)!; quantifiable = false
            case 11..<14:
                let items = (0..<Int.random(in: 1...3, using: &rng)).map { _ in classItems.randomElement(using: &rng)! }
                atom = "[" + (Bool.random(using: &rng) ? "^" : "") + items.joined() + "]"
            default:
                guard depth < 3 else { atom = "a"; break }
                let alternatives = (0..<Int.random(in: 1...3, using: &rng)).map { _ in make(&rng, depth: depth + 1) }
                let open = ["(", "(?:", "(?i:", "(?P<g\(UInt32.random(in: 0...UInt32.max, using: &rng))>"].randomElement(using: &rng)!
                atom = open + alternatives.joined(separator: "|") + ")"
            }
            if quantifiable && Int.random(in: 0..<3, using: &rng) == 0 {
                // Unbounded loops around groups make Python's backtracking take minutes.
                atom += (roll >= 14 ? boundedQuantifiers : quantifiers).randomElement(using: &rng)!
            }
            out += atom
        }
        return out
    }
}

/// Strings drawn from a pattern's syntax tree, then mutated, so both matches and near misses occur.
enum RegexSamples {
    static func inputs(for node: RegexNode, rng: inout SplitMix64, count: Int = 12, budget: Int = 400) -> [String] {
        var out: [String] = []
        let noise = ["a", "Z", "0", "9", ".", "\\", " ", "\n", "é", "-", "/", "_", "\"", "İ", "\u{212A}"]
        for _ in 0..<count {
            var s = String.UnicodeScalarView()
            sample(node, &rng, &s, budget: budget)
            let base = String(s)
            out.append(base)
            out.append("xx " + base + " yy")
            out.append(base + "\n")
            var scalars = Array(base.unicodeScalars)
            if !scalars.isEmpty {
                let k = Int.random(in: 0..<scalars.count, using: &rng)
                var deleted = scalars; deleted.remove(at: k)
                out.append(String(String.UnicodeScalarView(deleted)))
                scalars[k] = noise.randomElement(using: &rng)!.unicodeScalars.first! // non-empty literals above
                out.append(String(String.UnicodeScalarView(scalars)))
            }
            out.append(base.map { c in c.isUppercase ? c.lowercased() : c.uppercased() }.joined())
        }
        return out
    }

    private static func sample(_ node: RegexNode, _ rng: inout SplitMix64, _ out: inout String.UnicodeScalarView, budget: Int) {
        guard out.count < budget else { return }
        switch node {
        case .empty, .assertion: break
        case .char(let c, let caseless):
            let v = caseless ? CaseFolding.variants(of: c).randomElement(using: &rng) ?? c : c
            if let u = Unicode.Scalar(v) { out.append(u) }
        case .set(let set):
            guard !set.ranges.isEmpty else { return }
            let ascii = set.ranges.filter { $0.lowerBound <= 0x7E && $0.upperBound >= 0x20 }.map { max($0.lowerBound, 0x20)...min($0.upperBound, 0x7E) }
            let range = (!ascii.isEmpty && Int.random(in: 0..<10, using: &rng) < 8) ? ascii.randomElement(using: &rng)! : set.ranges.randomElement(using: &rng)! // both non-empty
            let upper = min(range.upperBound, range.lowerBound + 2000)
            if let u = Unicode.Scalar(UInt32.random(in: range.lowerBound...upper, using: &rng)) { out.append(u) }
        case .concat(let items):
            for item in items { sample(item, &rng, &out, budget: budget) }
        case .alternation(let alternatives):
            if let a = alternatives.randomElement(using: &rng) { sample(a, &rng, &out, budget: budget) }
        case .repetition(let child, let minimum, let maximum):
            let extra = min((maximum ?? minimum + 3) - minimum, 3)
            let n = minimum + Int.random(in: 0...extra, using: &rng)
            for _ in 0..<n { sample(child, &rng, &out, budget: budget) }
        }
    }
}

/// Runs the Python side. The script is kept here as text (not as a loose .py file, which the
/// test target would have to declare as a resource) and written to a temporary file.
enum RegexOracle {
    static let skipMessage = "set SPOOR_PYTHON to a Python 3 with PyYAML (e.g. /work/main/.build-python/bin/python) and provide ../shared/data/sigma to run the differential test against re.search"

    static var python: String? { ProcessInfo.processInfo.environment["SPOOR_PYTHON"] }

    static var isAvailable: Bool {
        guard let python, SharedData.url("sigma/rules") != nil, SharedData.isAvailable else { return false }
        return (try? run(python, ["-c", "import yaml"], input: nil)) != nil
    }

    struct Pattern: Decodable { var pattern: String; var flags: String; var source: String }
    struct Corpus: Decodable { var patterns: [Pattern]; var values: [String]; var unicode: String }
    struct Answer: Decodable { var error: String?; var results: [Bool]?; var timedOut: Bool? }

    /// Python's Unicode version, e.g. "14.0.0".
    static func unicodeVersion() throws -> String {
        let out = try run(python!, ["-c", "import unicodedata; print(unicodedata.unidata_version)"], input: nil) // enabled only when set
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Python's Unicode tables are older than Swift's: a character assigned later is a letter
    /// or digit for spoor and unassigned for Python. Pairs with one are counted apart.
    static func isNewerThanPython(_ s: String, unicode: String) -> Bool {
        let v = unicode.split(separator: ".").compactMap { Int($0) }
        return s.unicodeScalars.contains { u in
            guard let age = u.properties.age else { return false }
            return (age.major, age.minor) > (v.first ?? 99, v.dropFirst().first ?? 0)
        }
    }

    static func extract() throws -> Corpus {
        let root = SharedData.url("sigma")!.path // isAvailable checked the root
        let out = try run(python!, [try scriptPath(), "extract", root], input: nil) // enabled only when set
        return try JSONDecoder().decode(Corpus.self, from: out)
    }

    static func evaluate(_ cases: [(Pattern, [String])]) throws -> [Answer] {
        struct Case: Encodable { var pattern: String; var flags: String; var inputs: [String] }
        let data = try JSONEncoder().encode(cases.map { Case(pattern: $0.0.pattern, flags: $0.0.flags, inputs: $0.1) })
        let out = try run(python!, [try scriptPath(), "evaluate"], input: data) // enabled only when set
        return try JSONDecoder().decode([Answer].self, from: out)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    private static func scriptPath() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-regex-oracle-\(getpid()).py")
        try script.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private static func run(_ executable: String, _ arguments: [String], input: Data?) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Feed stdin from another thread so a full stdout pipe cannot deadlock us.
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "\(executable) exited with \(process.terminationStatus)") }
        return out
    }

    static let script = #"""
    # Oracle for spoor's regex differential test. `extract ROOT`: every value under a `|re`
    # modifier in ROOT/rules*/**.yml (with its i/m/s sub-modifiers) and every string in
    # ROOT/regression_data/**.json, as JSON. `evaluate`: reads [{pattern, flags, inputs}] on
    # stdin and prints, per case, {"results": [re.search(...) is not None, ...]} or {"error": ...}.
    import json, os, re, sys, unicodedata

    def extract(root):
        import yaml
        patterns = {}
        def walk(node, source):
            if isinstance(node, dict):
                for key, value in node.items():
                    if isinstance(key, str) and '|' in key:
                        mods = key.split('|')[1:]
                        if 're' in mods:
                            flags = ''.join(f for f, names in (('i', ('i', 'ignorecase')), ('m', ('m', 'multiline')), ('s', ('s', 'dotall')))
                                            if any(n in mods for n in names))
                            for v in (value if isinstance(value, list) else [value]):
                                if isinstance(v, str):
                                    patterns.setdefault((v, flags), source)
                            continue
                    walk(value, source)
            elif isinstance(node, list):
                for item in node:
                    walk(item, source)
        for top in sorted(os.listdir(root)):
            if not top.startswith('rules'):
                continue
            for dirpath, _, files in os.walk(os.path.join(root, top)):
                for name in sorted(files):
                    if name.endswith(('.yml', '.yaml')):
                        path = os.path.join(dirpath, name)
                        try:
                            with open(path, encoding='utf-8') as fh:
                                for doc in yaml.safe_load_all(fh):
                                    if isinstance(doc, dict) and 'detection' in doc:
                                        walk(doc['detection'], os.path.relpath(path, root))
                        except Exception:
                            pass
        values = set()
        def collect(node):
            if isinstance(node, dict):
                for v in node.values(): collect(v)
            elif isinstance(node, list):
                for v in node: collect(v)
            elif isinstance(node, str):
                values.add(node)
        for dirpath, _, files in os.walk(os.path.join(root, 'regression_data')):
            for name in sorted(files):
                if name.endswith('.json'):
                    try:
                        with open(os.path.join(dirpath, name), encoding='utf-8') as fh:
                            collect(json.load(fh))
                    except Exception:
                        pass
        out = {'patterns': [{'pattern': p, 'flags': f, 'source': s} for (p, f), s in sorted(patterns.items())],
               'values': sorted(values), 'unicode': unicodedata.unidata_version}
        json.dump(out, sys.stdout)

    def evaluate_one(case):
        flags = 0
        for letter, bit in (('i', re.IGNORECASE), ('m', re.MULTILINE), ('s', re.DOTALL)):
            if letter in case['flags']:
                flags |= bit
        try:
            compiled = re.compile(case['pattern'], flags)
        except re.error as e:
            return {'error': str(e)}
        return {'results': [compiled.search(x) is not None for x in case['inputs']]}

    def evaluate_forked(case, timeout):
        # re backtracks and cannot be interrupted: each case runs in a child that is killed on timeout.
        import select, time
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            with os.fdopen(w, 'wb') as out:
                out.write(json.dumps(evaluate_one(case)).encode())
            os._exit(0)
        os.close(w)
        chunks, deadline = [], time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                os.close(r)
                return {'error': 'timeout', 'timedOut': True}
            if select.select([r], [], [], remaining)[0]:
                chunk = os.read(r, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        os.waitpid(pid, 0)
        os.close(r)
        return json.loads(b''.join(chunks))

    def evaluate():
        json.dump([evaluate_forked(case, 2.0) for case in json.load(sys.stdin)], sys.stdout)

    if __name__ == '__main__':
        extract(sys.argv[2]) if sys.argv[1] == 'extract' else evaluate()
    """#
}
