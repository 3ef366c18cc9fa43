import Foundation
import SpoorIndicators

/// A model of what legitimate domain names look like, to score algorithmically generated ones
/// (domain generation algorithms, MITRE ATT&CK T1568.002).
///
/// Each name is reduced to its registered label: the label left of the public suffix
/// (`mail.example.co.uk` → `example`), as Schiavoni et al. (2014, "Phoenix: DGA-based botnet
/// tracking and intelligence") and Antonakakis et al. (2012, "From throw-away traffic to bots:
/// detecting the rise of DGA-based malware", Pleiades) do, since the suffix is chosen by a
/// registry and not by the algorithm. Features of the label:
///
/// | # | feature | source of the idea |
/// |---|---|---|
/// | 0 | mean log-probability of each character given the two before, under the benign model | Yadav et al. 2010 ("Detecting algorithmically generated malicious domain names", bigram distributions); Schiavoni et al. 2014 (n-gram normality) |
/// | 1 | the same under the DGA model (0 when none was trained) | a likelihood ratio when both exist |
/// | 2 | Shannon entropy of the characters | Yadav et al. 2010; Antonakakis et al. 2012 |
/// | 3 | length | Antonakakis et al. 2012 |
/// | 4 | share of digits | Antonakakis et al. 2012 |
/// | 5 | longest run of consonants | Schiavoni et al. 2014 (pronounceability) |
/// | 6 | share of vowels | Schiavoni et al. 2014 |
/// | 7 | hyphens | — |
/// | 8 | share of character pairs never seen in benign names | Schiavoni et al. 2014 (meaningful-character ratio, n-gram normality) |
/// | 9 | distinct characters / length | — |
/// | 10 | the least likely character (minimum log-probability) under the benign model | — |
/// | 11 | share of adjacent letters that alternate vowel/consonant (pronounceable generators such as pushdo, simda, vawtrak alternate regularly) | — |
/// | 12 | share of the label covered by 4–7 character pieces found in at least 3 benign labels (words) | Schiavoni et al. 2014 (meaningful-word ratio, with words mined from the benign names instead of a dictionary) |
///
/// Calibration: the bias is shifted so that about 1% of benign labels score ≥ 0.5 (0.5 is the
/// 99th percentile of benign names; see ``Calibration``).
///
/// The character model is an interpolated trigram model (Jelinek–Mercer smoothing: 0.6 trigram,
/// 0.3 bigram, 0.09 unigram, 0.01 uniform) over `a-z 0-9 -`, other characters as one class,
/// with a boundary symbol at both ends. With DGA examples the features are combined by a
/// logistic regression fitted on benign vs DGA labels; without, by fixed weights over the
/// features' z-scores among the benign names (documented in `Docs/Detectors-host.md`).
public struct DGAModel: Sendable, Codable, Hashable {
    static let symbols = 39            // 0–25 a–z, 26–35 0–9, 36 '-', 37 other, 38 boundary
    static let boundary = 38
    public static let featureNames = ["benign-ngram", "dga-ngram", "entropy", "length", "digits", "consonant-run",
                                      "vowels", "hyphens", "unseen-pairs", "distinct-chars", "least-likely", "alternation",
                                      "word-coverage"]
    /// The share of benign training labels scored at or above 0.5 (the calibration point).
    public static let benignAboveHalf = 0.01

    /// Character trigram counts of benign and (optional) DGA labels, `a*39*39 + b*39 + c`.
    var benign: CharacterModel
    var dga: CharacterModel?
    /// Hashes of 4–7 character pieces found in at least 3 distinct benign labels.
    var words: Set<UInt64>
    /// Per-feature mean and standard deviation used to standardise features.
    var mean: [Double]
    var scale: [Double]
    /// Logistic weights over standardised features and the bias.
    var weights: [Double]
    var bias: Double
    /// Names the model was trained on (for the record).
    public private(set) var benignCount: Int
    public private(set) var dgaCount: Int

    /// Where the 0.5 point comes from.
    public enum Calibration: Sendable {
        /// The benign training names' 99th percentile (optimistic: the model has seen them).
        case trainingNames
        /// Cross-fitted: a model trained on half the benign names measures how much higher
        /// unseen benign names score than seen ones at the 99th percentile, and the full model
        /// adds that gap (costs a second training; needs at least 200 benign names).
        case heldOut
    }

    /// Trains on benign names and, if given, DGA examples (full names or bare labels).
    public init(benign benignNames: [String], dga dgaNames: [String] = [], calibration: Calibration = .heldOut) {
        let b = benignNames.compactMap(Self.label)
        let d = dgaNames.compactMap(Self.label)
        benign = CharacterModel(b)
        dga = d.isEmpty ? nil : CharacterModel(d)
        words = Self.mineWords(b)
        benignCount = b.count
        dgaCount = d.count
        let n = Self.featureNames.count
        mean = [Double](repeating: 0, count: n)
        scale = [Double](repeating: 1, count: n)
        weights = [Double](repeating: 0, count: n)
        bias = 0
        let fb = b.map { features(label: $0) }
        // Standardise by the benign names (the population a name is compared against).
        for j in 0..<n {
            let v = fb.map { $0[j] }
            let m = v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
            let sd = v.isEmpty ? 1 : (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(v.count - 1, 1))).squareRoot()
            mean[j] = m
            scale[j] = sd > 1e-9 ? sd : 1
        }
        if d.isEmpty {
            // Unsupervised: fixed weights on z-scores, signs from what DGAs do (improbable
            // characters, high entropy, digits, long consonant runs, unseen pairs, few vowels).
            weights = [-1.6, 0, 0.5, 0.2, 0.4, 0.4, -0.3, 0, 0.6, 0.2, -0.4, 0.3, -0.8]
            bias = 0
        } else {
            let fd = d.map { features(label: $0) }
            (weights, bias) = LogisticFit.fit(positives: fd.map(standardise), negatives: fb.map(standardise))
        }
        // Calibrate: the benign labels' (1 − benignAboveHalf) quantile of the logit becomes 0.
        let logits0 = fb.map { f -> Double in
            let z = standardise(f)
            var v = bias
            for j in z.indices { v += weights[j] * z[j] }
            return v
        }
        var logits = logits0
        if !logits.isEmpty {
            var q = Self.quantile(&logits)
            if case .heldOut = calibration, b.count >= 200 {
                let seen = b.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                let unseen = b.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                let half = DGAModel(benign: seen, dga: d, calibration: .trainingNames)
                // `half` puts its seen names' quantile at logit 0; the unseen names' quantile is the gap.
                var gap = unseen.map { half.logit(label: $0) }
                q += Self.quantile(&gap)
            }
            bias -= q
        }
    }

    /// The registered label of `name` (`a.b.example.co.uk.` → `example`), or nil for an empty name.
    /// Without the public suffix list (libpsl missing) or for an unlisted TLD, the label left of
    /// the last dot.
    public static func label(_ name: String) -> String? {
        var n = name.lowercased()
        while n.hasSuffix(".") { n.removeLast() }
        guard !n.isEmpty else { return nil }
        if !n.contains(".") { return n }
        if let reg = PublicSuffixList.shared.registrableDomain(n), let dot = reg.firstIndex(of: ".") {
            return String(reg[..<dot])
        }
        let parts = n.split(separator: ".")
        return parts.count >= 2 ? String(parts[parts.count - 2]) : parts.first.map(String.init)
    }

    /// The score in 0…1 of a name (higher: more likely generated); 0 for an empty name.
    public func score(_ name: String) -> Double {
        guard let l = Self.label(name) else { return 0 }
        return score(label: l)
    }

    /// Scores of many names, in order (the `spoor detect dga --domains FILE` entry point).
    public func score(names: [String]) -> [(domain: String, score: Double)] {
        names.map { ($0, score($0)) }
    }

    func score(label: String) -> Double {
        1 / (1 + exp(-logit(label: label)))
    }

    func logit(label: String) -> Double {
        let z = standardise(features(label: label))
        var s = bias
        for j in z.indices { s += weights[j] * z[j] }
        return s
    }

    /// The (1 − benignAboveHalf) quantile (sorts `v`).
    static func quantile(_ v: inout [Double]) -> Double {
        guard !v.isEmpty else { return 0 }
        v.sort()
        return v[min(v.count - 1, Int(Double(v.count) * (1 - benignAboveHalf)))]
    }

    func standardise(_ f: [Double]) -> [Double] {
        f.indices.map { (f[$0] - mean[$0]) / scale[$0] }
    }

    /// The features of a label, in ``featureNames`` order.
    public func features(label: String) -> [Double] {
        let codes = label.utf8.map(Self.code)
        let n = Double(max(codes.count, 1))
        var hist = [Int](repeating: 0, count: Self.symbols)
        var digits = 0, vowels = 0, hyphens = 0, run = 0, longest = 0
        for (c, byte) in zip(codes, label.utf8) {
            hist[c] += 1
            if c >= 26 && c <= 35 { digits += 1 }
            if c == 36 { hyphens += 1 }
            let isVowel = byte == 0x61 || byte == 0x65 || byte == 0x69 || byte == 0x6F || byte == 0x75
            if isVowel { vowels += 1 }
            if c < 26 && !isVowel { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        var entropy = 0.0
        for k in hist where k > 0 {
            let p = Double(k) / n
            entropy -= p * log2(p)
        }
        let distinct = hist.filter { $0 > 0 }.count
        // Vowel/consonant alternation over adjacent letters.
        var pairs = 0, alternations = 0
        let bytes = Array(label.utf8)
        for i in 1..<max(bytes.count, 1) where codes[i] < 26 && codes[i - 1] < 26 {
            pairs += 1
            if Self.isVowel(bytes[i]) != Self.isVowel(bytes[i - 1]) { alternations += 1 }
        }
        return [benign.meanLogProbability(codes), dga?.meanLogProbability(codes) ?? 0, entropy, Double(codes.count),
                Double(digits) / n, Double(longest), Double(vowels) / n, Double(hyphens),
                benign.unseenPairShare(codes), Double(distinct) / n, benign.leastLogProbability(codes),
                pairs == 0 ? 0 : Double(alternations) / Double(pairs), wordCoverage(codes)]
    }

    static func isVowel(_ b: UInt8) -> Bool {
        b == 0x61 || b == 0x65 || b == 0x69 || b == 0x6F || b == 0x75
    }

    static let wordLengths = 4...7

    /// FNV-1a over character codes.
    static func hash(_ codes: ArraySlice<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in codes { h = (h ^ UInt64(c + 1)) &* 0x100_0000_01b3 }
        return h
    }

    /// Pieces of 4–7 characters found in at least 3 distinct labels.
    static func mineWords(_ labels: [String]) -> Set<UInt64> {
        var seen: [UInt64: Int] = [:]
        for l in Set(labels) {
            let codes = l.utf8.map(code)
            var mine = Set<UInt64>()
            for n in wordLengths where codes.count >= n {
                for i in 0...(codes.count - n) { mine.insert(hash(codes[i..<(i + n)])) }
            }
            for h in mine { seen[h, default: 0] += 1 }
        }
        return Set(seen.filter { $0.value >= 3 }.keys)
    }

    /// Share of the label's characters inside a known piece.
    func wordCoverage(_ codes: [Int]) -> Double {
        guard !codes.isEmpty else { return 0 }
        var covered = [Bool](repeating: false, count: codes.count)
        for n in Self.wordLengths where codes.count >= n {
            for i in 0...(codes.count - n) where words.contains(Self.hash(codes[i..<(i + n)])) {
                for k in i..<(i + n) { covered[k] = true }
            }
        }
        return Double(covered.filter { $0 }.count) / Double(codes.count)
    }

    @inline(__always)
    static func code(_ b: UInt8) -> Int {
        switch b {
        case 0x61...0x7A: Int(b - 0x61)
        case 0x41...0x5A: Int(b - 0x41)
        case 0x30...0x39: 26 + Int(b - 0x30)
        case 0x2D: 36
        default: 37
        }
    }

    // MARK: JSON

    /// The model as JSON (to save with `spoor`; reload with ``init(json:)``).
    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(self)
    }

    public init(json: Data) throws {
        self = try JSONDecoder().decode(DGAModel.self, from: json)
        let n = Self.featureNames.count
        guard mean.count == n, scale.count == n, weights.count == n, benign.isWellFormed, dga?.isWellFormed ?? true else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "DGA model of the wrong shape"))
        }
    }
}

/// Interpolated character trigram counts.
struct CharacterModel: Sendable, Codable, Hashable {
    var trigrams: [Float]
    var bigrams: [Float]
    var unigrams: [Float]
    var total: Float

    init(_ labels: [String]) {
        let v = DGAModel.symbols
        trigrams = [Float](repeating: 0, count: v * v * v)
        bigrams = [Float](repeating: 0, count: v * v)
        unigrams = [Float](repeating: 0, count: v)
        total = 0
        for l in labels {
            var a = DGAModel.boundary, b = DGAModel.boundary
            for c in l.utf8.map(DGAModel.code) + [DGAModel.boundary] {
                trigrams[(a * v + b) * v + c] += 1
                bigrams[b * v + c] += 1
                unigrams[c] += 1
                total += 1
                a = b
                b = c
            }
        }
    }

    var isWellFormed: Bool {
        let v = DGAModel.symbols
        return trigrams.count == v * v * v && bigrams.count == v * v && unigrams.count == v
    }

    /// Mean log probability per character (the end boundary included).
    func meanLogProbability(_ codes: [Int]) -> Double {
        let v = DGAModel.symbols
        var a = DGAModel.boundary, b = DGAModel.boundary
        var sum = 0.0
        for c in codes + [DGAModel.boundary] {
            sum += log(probability(a, b, c, v))
            a = b
            b = c
        }
        return sum / Double(codes.count + 1)
    }

    /// The lowest log probability of any character of the label (the end boundary included).
    func leastLogProbability(_ codes: [Int]) -> Double {
        let v = DGAModel.symbols
        var a = DGAModel.boundary, b = DGAModel.boundary
        var least = 0.0
        for c in codes + [DGAModel.boundary] {
            least = min(least, log(probability(a, b, c, v)))
            a = b
            b = c
        }
        return least
    }

    func probability(_ a: Int, _ b: Int, _ c: Int, _ v: Int) -> Double {
        let ctx3 = (a * v + b) * v, ctx2 = b * v
        var n3: Float = 0, n2: Float = 0
        for k in 0..<v { n3 += trigrams[ctx3 + k]; n2 += bigrams[ctx2 + k] }
        let p3 = n3 > 0 ? Double(trigrams[ctx3 + c] / n3) : 0
        let p2 = n2 > 0 ? Double(bigrams[ctx2 + c] / n2) : 0
        let p1 = total > 0 ? Double(unigrams[c] / total) : 0
        return 0.6 * p3 + 0.3 * p2 + 0.09 * p1 + 0.01 / Double(v)
    }

    /// Share of adjacent character pairs inside the label never seen in training.
    func unseenPairShare(_ codes: [Int]) -> Double {
        guard codes.count >= 2 else { return 0 }
        let v = DGAModel.symbols
        var unseen = 0
        for i in 1..<codes.count where bigrams[codes[i - 1] * v + codes[i]] == 0 { unseen += 1 }
        return Double(unseen) / Double(codes.count - 1)
    }
}

/// L2-regularised logistic regression by gradient descent with class-balanced weights (few
/// features, a few thousand names: plain batch gradient descent converges in a few hundred steps).
enum LogisticFit {
    static func fit(positives: [[Double]], negatives: [[Double]], steps: Int = 400, rate: Double = 0.5, l2: Double = 1e-3) -> ([Double], Double) {
        guard let d = positives.first?.count ?? negatives.first?.count else { return ([], 0) }
        var w = [Double](repeating: 0, count: d)
        var b = 0.0
        let wp = 0.5 / Double(max(positives.count, 1)), wn = 0.5 / Double(max(negatives.count, 1))
        for _ in 0..<steps {
            var g = [Double](repeating: 0, count: d)
            var gb = 0.0
            for (rows, y, weight) in [(positives, 1.0, wp), (negatives, 0.0, wn)] {
                for x in rows {
                    var s = b
                    for j in 0..<d { s += w[j] * x[j] }
                    let e = (1 / (1 + exp(-s)) - y) * weight
                    for j in 0..<d { g[j] += e * x[j] }
                    gb += e
                }
            }
            for j in 0..<d { w[j] -= rate * (g[j] + l2 * w[j]) }
            b -= rate * gb
        }
        return (w, b)
    }
}
