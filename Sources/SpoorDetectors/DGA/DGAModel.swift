import Foundation
import SpoorIndicators
import SpoorLearn

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
/// | 0 | mean log-probability per character (end included) under an interpolated Kneser–Ney character 4-gram model of the benign labels (``KneserNeyModel``) | Kneser & Ney 1995; Chen & Goodman 1998 ("An empirical study of smoothing techniques for language modeling"); Yadav et al. 2010 ("Detecting algorithmically generated malicious domain names", character distributions); Schiavoni et al. 2014 (n-gram normality) |
/// | 1 | the same under a Kneser–Ney 5-gram model of the benign labels' syllable structure (vowel, consonant, digit, hyphen, other) | Schiavoni et al. 2014 (pronounceability); Plohmann et al. 2016 ("A comprehensive measurement study of domain generating malware": pronounceable generators) |
/// | 2 | Shannon entropy of the characters | Yadav et al. 2010; Antonakakis et al. 2012 |
/// | 3 | length | Antonakakis et al. 2012 |
/// | 4 | share of digits | Antonakakis et al. 2012 |
/// | 5 | longest run of consonants | Schiavoni et al. 2014 (pronounceability) |
/// | 6 | share of vowels | Schiavoni et al. 2014 |
/// | 7 | hyphens | — |
/// | 8 | share of character pairs never seen in benign names | Schiavoni et al. 2014 (n-gram normality) |
/// | 9 | distinct characters / length | — |
/// | 10 | the least likely character (minimum log-probability) under the benign model | — |
/// | 11 | share of adjacent letters that alternate vowel/consonant | — |
/// | 12 | share of the label covered by 4–7 character pieces found in at least 3 benign labels (words) | Schiavoni et al. 2014 (meaningful-word ratio, with words mined from the benign names instead of a dictionary) |
/// | 13 | log share of the benign names with the same suffix (public suffix, or dynamic-DNS provider) | Schüppen et al. 2018 ("FANCI: feature-based automated NXDomain classification and intelligence", USENIX Security: top-level-domain features) |
/// | 14 | feature 0 as a z-score among the benign labels of the same length | — (the spread of a mean log-probability shrinks with the number of characters averaged) |
/// | 15 | feature 1 likewise | — |
///
/// Calibration: the bias is shifted so that about 1% of benign labels score ≥ 0.5 (0.5 is the
/// 99th percentile of benign names; see ``Calibration``).
///
/// With DGA examples SpoorLearn's logistic regression (classes balanced) fitted on benign vs DGA
/// labels combines features 14 and 15 only (``fittedFeatures``: the others describe the seen
/// families and did not carry over to unseen ones in the leave-one-family-out evaluation);
/// without, fixed weights over features 0–12's z-scores among the benign names (documented in
/// `Docs/Detectors-host.md` §2).
public struct DGAModel: Sendable, Codable, Hashable {
    static let symbols = 39            // 0–25 a–z, 26–35 0–9, 36 '-', 37 other, 38 boundary
    static let boundary = 38
    public static let featureNames = ["benign-ngram", "syllable-ngram", "entropy", "length", "digits", "consonant-run",
                                      "vowels", "hyphens", "unseen-pairs", "distinct-chars", "least-likely", "alternation",
                                      "word-coverage", "suffix", "benign-ngram-by-length", "syllable-by-length"]
    /// The features the supervised fit uses (indices into ``featureNames``); the others weigh 0.
    static let fittedFeatures = [14, 15]
    /// Weights over z-scores without DGA examples.
    static let unsupervisedWeights: [Double] = [-1.6, -0.5, 0.5, 0.2, 0.4, 0.4, -0.3, 0, 0.6, 0.2, -0.4, 0.3, -0.8, 0, 0, 0]
    /// The share of benign training labels scored at or above 0.5 (the calibration point).
    public static let benignAboveHalf = 0.01

    /// The JSON format this build writes and reads (`init(json:)` refuses any other).
    public static let formatVersion = "spoor-dga/3"
    public private(set) var formatVersion = DGAModel.formatVersion
    /// Order of the character models.
    public static let order = 4
    /// Benign names the standardisation, the logistic fit and the calibration use at most (an
    /// even stride over them); the character models and the words use all of them.
    public static let fitLimit = 10_000
    /// Kneser–Ney character model (order ``order``) of the benign labels.
    var benign: KneserNeyModel
    /// Kneser–Ney model (order 5) of the benign labels' syllable structure: each character as
    /// vowel, consonant, digit, hyphen or other (``syllableClass``).
    var syllables: KneserNeyModel
    /// Per label length (1…``lengthBuckets``, longer ones in the last bucket): mean and standard
    /// deviation of features 0 and 1 among the benign names, shrunk towards the overall ones.
    var lengthMoments: [Double]
    /// Registered domains of dynamic-DNS providers (see ``init(benign:dga:calibration:dynamicDNS:)``).
    public private(set) var dynamicDNS: Set<String>
    /// Hashes of 4–7 character pieces found in at least 3 distinct benign labels.
    var words: Set<UInt64>
    /// Benign training names per suffix (the public suffix, or the dynamic-DNS provider's domain,
    /// right of the registered label) and their total.
    var suffixes: [String: Int]
    var suffixTotal: Int
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
    ///
    /// `dynamicDNS`: registered domains of dynamic-DNS providers (such as MISP's `dynamic-dns`
    /// warninglist) whose customers' names are subdomains: for a name under one of them the
    /// label scored is the one left of the provider's domain (`xk2j.mooo.com` → `xk2j`), as the
    /// public suffix list already does for the providers it lists (`ddns.net`).
    public init(benign benignNames: [String], dga dgaNames: [String] = [], calibration: Calibration = .heldOut,
                dynamicDNS: Set<String> = []) {
        self.dynamicDNS = Set(dynamicDNS.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) })
        // Placeholders until the labels are known (every stored property must be set before `registeredLabel`).
        benign = KneserNeyModel(labels: [], order: Self.order)
        syllables = benign
        lengthMoments = []
        words = []
        suffixes = [:]
        suffixTotal = 0
        benignCount = 0
        dgaCount = 0
        mean = []
        scale = []
        weights = []
        bias = 0
        let parts = benignNames.compactMap(split)
        let b = parts.map(\.label)
        for p in parts { suffixes[p.suffix, default: 0] += 1 }
        suffixTotal = parts.count
        benign = KneserNeyModel(labels: b.map { $0.utf8.map(Self.code) }, order: Self.order)
        syllables = KneserNeyModel(labels: b.map { $0.utf8.map(Self.syllableClass) }, order: Self.syllableOrder)
        words = Self.mineWords(b)
        benignCount = b.count
        dgaCount = 0
        let n = Self.featureNames.count
        mean = [Double](repeating: 0, count: n)
        scale = [Double](repeating: 1, count: n)
        weights = [Double](repeating: 0, count: n)
        bias = 0
        var fb = Self.sample(parts).map { features(label: $0.label, suffix: $0.suffix) }
        // The length-conditional features need the benign moments: computed now, then filled in.
        lengthMoments = Self.lengthMoments(fb)
        for i in fb.indices { (fb[i][14], fb[i][15]) = byLength(fb[i][0], fb[i][1], length: Int(fb[i][3])) }
        // Standardise by the benign names (the population a name is compared against).
        for j in 0..<n {
            let v = fb.map { $0[j] }
            let m = v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
            let sd = v.isEmpty ? 1 : (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(v.count - 1, 1))).squareRoot()
            mean[j] = m
            scale[j] = sd > 1e-9 ? sd : 1
        }
        fit(dga: dgaNames.compactMap(split).map { features(label: $0.label, suffix: $0.suffix) }, benignFeatures: fb)
        if case .heldOut = calibration, b.count >= 200 {
            // `half` puts the 99th percentile of its seen names at logit 0; that of the unseen
            // names is the gap between seen and unseen benign names.
            let named = benignNames.filter { split($0) != nil }
            let seen = named.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let unseen = parts.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            let half = DGAModel(benign: seen, dga: dgaNames, calibration: .trainingNames, dynamicDNS: dynamicDNS)
            var gap = Self.sample(unseen).map { half.logit(label: $0.label, suffix: $0.suffix) }
            bias -= Self.quantile(&gap)
        }
    }

    /// This model's benign statistics (character models, words, standardisation) with the
    /// classifier fitted again on other DGA examples — what a leave-one-family-out evaluation
    /// needs, without learning the benign names again. `benign` must be the names this model
    /// was trained on (their features are computed again for the fit and the calibration at
    /// the training names' 99th percentile).
    public func refitted(benign benignNames: [String], dga dgaNames: [String]) -> DGAModel {
        refitted(benignFeatures: Self.sample(benignNames.compactMap(split)).map { features(label: $0.label, suffix: $0.suffix) },
                 dgaFeatures: dgaNames.compactMap(split).map { features(label: $0.label, suffix: $0.suffix) })
    }

    /// The same from features computed once (tests evaluating many refits).
    func refitted(benignFeatures fb: [[Double]], dgaFeatures fd: [[Double]], using used: [Int] = DGAModel.fittedFeatures) -> DGAModel {
        var m = self
        m.fit(dga: fd, benignFeatures: fb, using: used)
        return m
    }

    /// The score of a name's ``features(name:)``.
    func score(features f: [Double]) -> Double {
        let z = standardise(f)
        var s = bias
        for j in z.indices { s += weights[j] * z[j] }
        return 1 / (1 + exp(-s))
    }

    /// An even stride of at most ``fitLimit`` labels.
    static func sample<T>(_ labels: [T]) -> [T] {
        let step = max(1, (labels.count + fitLimit - 1) / fitLimit)
        return Swift.stride(from: 0, to: labels.count, by: step).map { labels[$0] }
    }

    /// Fits the weights (fixed ones without DGA examples) and puts the benign features'
    /// (1 − ``benignAboveHalf``) quantile at logit 0.
    private mutating func fit(dga fd: [[Double]], benignFeatures fb: [[Double]], using used: [Int] = DGAModel.fittedFeatures) {
        dgaCount = fd.count
        if fd.isEmpty {
            // Unsupervised: fixed weights on z-scores, signs from what DGAs do (improbable
            // characters and syllable structure, entropy, digits, long consonant runs, unseen pairs).
            weights = Self.unsupervisedWeights
            bias = 0
        } else {
            // SpoorLearn's L2 logistic regression (Newton) on the z-scores, classes balanced; its
            // own standardisation is folded back into weights on the z-scores.
            let rows = (fd + fb).map(standardise)
            let targets = [Double](repeating: 1, count: fd.count) + [Double](repeating: 0, count: fb.count)
            // A fit that cannot be made (a non-finite feature) falls back to the fixed weights.
            weights = Self.unsupervisedWeights
            bias = 0
            if let x = try? FeatureMatrix(names: used.map { Self.featureNames[$0] }, columns: used.map { j in rows.map { $0[j] } }),
               let lr = try? LogisticRegression(fitting: x, targets: targets, parameters: .init(c: 1, classWeighting: .balanced)) {
                weights = [Double](repeating: 0, count: Self.featureNames.count)
                for (k, j) in used.enumerated() { weights[j] = lr.unscaledCoefficients[k] }
                bias = lr.unscaledIntercept
            }
        }
        var logits = fb.map { f -> Double in
            let z = standardise(f)
            var v = bias
            for j in z.indices { v += weights[j] * z[j] }
            return v
        }
        if !logits.isEmpty { bias -= Self.quantile(&logits) }
    }

    /// The registered label of `name` (`a.b.example.co.uk.` → `example`), or nil for an empty name.
    /// Without the public suffix list (libpsl missing) or for an unlisted TLD, the label left of
    /// the last dot.
    public static func label(_ name: String) -> String? {
        split(name)?.label
    }

    /// The registered label of `name` and the suffix right of it (`a.example.co.uk` →
    /// (`example`, `co.uk`); `localhost` → (`localhost`, "")), or nil for an empty name.
    public static func split(_ name: String) -> (label: String, suffix: String)? {
        var n = name.lowercased()
        while n.hasSuffix(".") { n.removeLast() }
        guard !n.isEmpty else { return nil }
        guard n.contains(".") else { return (n, "") }
        if let reg = PublicSuffixList.shared.registrableDomain(n), let dot = reg.firstIndex(of: ".") {
            return (String(reg[..<dot]), String(reg[reg.index(after: dot)...]))
        }
        let parts = n.split(separator: ".")
        if parts.count >= 2 { return (String(parts[parts.count - 2]), String(parts[parts.count - 1])) }
        return parts.first.map { (String($0), "") }
    }

    /// The label of `name` this model scores: left of a dynamic-DNS provider's domain when the
    /// name is under one of ``dynamicDNS``, else ``label(_:)``.
    public func registeredLabel(_ name: String) -> String? {
        split(name)?.label
    }

    /// ``registeredLabel(_:)`` and the suffix right of it (the dynamic-DNS provider's domain
    /// for a name under one of ``dynamicDNS``).
    public func split(_ name: String) -> (label: String, suffix: String)? {
        if !dynamicDNS.isEmpty {
            var n = name.lowercased()
            while n.hasSuffix(".") { n.removeLast() }
            let parts = n.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count >= 3 {
                // The longest provider domain that leaves a label in front of it.
                for i in 1..<(parts.count - 1) where !parts[i - 1].isEmpty {
                    let provider = parts[i...].joined(separator: ".")
                    if dynamicDNS.contains(provider) { return (String(parts[i - 1]), provider) }
                }
            }
        }
        return Self.split(name)
    }

    /// The score in 0…1 of a name (higher: more likely generated); 0 for an empty name.
    public func score(_ name: String) -> Double {
        guard let p = split(name) else { return 0 }
        return score(label: p.label, suffix: p.suffix)
    }

    /// Scores of many names, in order (the `spoor detect dga --domains FILE` entry point).
    public func score(names: [String]) -> [(domain: String, score: Double)] {
        names.map { ($0, score($0)) }
    }

    func score(label: String, suffix: String) -> Double {
        1 / (1 + exp(-logit(label: label, suffix: suffix)))
    }

    func logit(label: String, suffix: String) -> Double {
        let z = standardise(features(label: label, suffix: suffix))
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

    /// The features of a name, in ``featureNames`` order (nil for an empty name).
    public func features(name: String) -> [Double]? {
        split(name).map { features(label: $0.label, suffix: $0.suffix) }
    }

    /// Natural-log share of the benign training names with this suffix (add-½ smoothed, one
    /// more slot for every unseen suffix).
    func suffixLogProbability(_ suffix: String) -> Double {
        log((Double(suffixes[suffix] ?? 0) + 0.5) / (Double(suffixTotal) + 0.5 * Double(suffixes.count + 1)))
    }

    /// The features of a label and its suffix, in ``featureNames`` order.
    func features(label: String, suffix: String) -> [Double] {
        let codes = label.utf8.map(Self.code)
        var lp: [Double] = []
        benign.logProbabilities(codes, into: &lp)
        let meanBenign = lp.reduce(0, +) / Double(lp.count)
        let least = lp.min() ?? 0

        syllables.logProbabilities(label.utf8.map(Self.syllableClass), into: &lp)
        let meanSyllable = lp.reduce(0, +) / Double(lp.count)
        let byLength = byLength(meanBenign, meanSyllable, length: codes.count)
        let n = Double(max(codes.count, 1))
        var hist = [Int](repeating: 0, count: Self.symbols)
        var digits = 0, vowels = 0, hyphens = 0, run = 0, longest = 0
        let bytes = Array(label.utf8)
        for i in codes.indices {
            let c = codes[i], byte = bytes[i]
            hist[c] += 1
            if c >= 26 && c <= 35 { digits += 1 }
            if c == 36 { hyphens += 1 }
            let isVowel = Self.isVowel(byte)
            if isVowel { vowels += 1 }
            if c < 26 && !isVowel { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        var entropy = 0.0
        for k in hist where k > 0 {
            let p = Double(k) / n
            entropy -= p * log2(p)
        }
        let distinct = hist.filter { $0 > 0 }.count
        // Vowel/consonant alternation over adjacent letters; pairs never seen in benign labels.
        var pairs = 0, alternations = 0, unseen = 0
        for i in 1..<max(bytes.count, 1) {
            if !benign.hasSeen(codes[i - 1], codes[i]) { unseen += 1 }
            guard codes[i] < 26 && codes[i - 1] < 26 else { continue }
            pairs += 1
            if Self.isVowel(bytes[i]) != Self.isVowel(bytes[i - 1]) { alternations += 1 }
        }
        return [meanBenign, meanSyllable, entropy, Double(codes.count),
                Double(digits) / n, Double(longest), Double(vowels) / n, Double(hyphens),
                codes.count >= 2 ? Double(unseen) / Double(codes.count - 1) : 0, Double(distinct) / n, least,
                pairs == 0 ? 0 : Double(alternations) / Double(pairs), wordCoverage(codes),
                suffixLogProbability(suffix), byLength.0, byLength.1]
    }

    static let lengthBuckets = 24

    /// Per length bucket the mean and standard deviation of features 0 and 1 among benign
    /// names, shrunk towards the overall moments with the weight of 50 names.
    static func lengthMoments(_ fb: [[Double]]) -> [Double] {
        var out: [Double] = []
        for j in [0, 1] {
            let all = fb.map { $0[j] }
            let m = all.reduce(0, +) / Double(max(all.count, 1))
            let v = all.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(all.count, 1))
            for bucket in 1...lengthBuckets {
                let x = fb.filter { min(Int($0[3]), lengthBuckets) == bucket }.map { $0[j] }
                let k = 50.0, n = Double(x.count)
                let mb = n > 0 ? x.reduce(0, +) / n : m
                let vb = n > 0 ? x.reduce(0) { $0 + ($1 - mb) * ($1 - mb) } / n : v
                let mean = (n * mb + k * m) / (n + k)
                let variance = (n * vb + k * v) / (n + k)
                out += [mean, max(variance, 1e-12).squareRoot()]
            }
        }
        return out
    }

    /// Features 0 and 1 as z-scores among the benign names of the same length (0 before the moments are known).
    func byLength(_ f0: Double, _ f1: Double, length: Int) -> (Double, Double) {
        guard lengthMoments.count == 4 * Self.lengthBuckets else { return (0, 0) }
        let bucket = min(max(length, 1), Self.lengthBuckets) - 1
        let a = 2 * bucket, b = 2 * (Self.lengthBuckets + bucket)
        return ((f0 - lengthMoments[a]) / lengthMoments[a + 1], (f1 - lengthMoments[b]) / lengthMoments[b + 1])
    }

    /// Order of the syllable-structure model.
    public static let syllableOrder = 5

    /// 0 vowel, 1 consonant (y included), 2 digit, 3 hyphen, 4 other.
    @inline(__always)
    static func syllableClass(_ b: UInt8) -> Int {
        switch b | 0x20 {
        case 0x61, 0x65, 0x69, 0x6F, 0x75: 0
        case 0x61...0x7A where b >= 0x41: 1
        default: b >= 0x30 && b <= 0x39 ? 2 : b == 0x2D ? 3 : 4
        }
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

    /// Reads a model written by ``json()``; a model of another format version (an older spoor's)
    /// or of the wrong shape is refused with ``FormatError``.
    public init(json: Data) throws {
        struct Version: Decodable { var formatVersion: String? }
        let version = (try? JSONDecoder().decode(Version.self, from: json))?.formatVersion
        guard version == Self.formatVersion else {
            throw FormatError(message: "DGA model format \(version ?? "1 (unversioned)") is not \(Self.formatVersion): train it again with this spoor (spoor detect dga --benign FILE --save MODEL)")
        }
        self = try JSONDecoder().decode(DGAModel.self, from: json)
        let n = Self.featureNames.count
        guard mean.count == n, scale.count == n, weights.count == n, benign.order == Self.order, syllables.order == Self.syllableOrder,
              lengthMoments.count == 4 * Self.lengthBuckets, lengthMoments.allSatisfy(\.isFinite),
              (mean + scale + weights + [bias]).allSatisfy(\.isFinite), suffixTotal >= 0, suffixes.values.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "DGA model of the wrong shape"))
        }
    }
}

extension DGAModel {
    /// A DGA model file that this build cannot read.
    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }
}
