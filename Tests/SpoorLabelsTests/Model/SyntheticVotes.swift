import SpoorCore
import SpoorLabels

/// Label matrices drawn from a known generative model (deterministic: SplitMix64), with the truth
/// kept, for recovery, F1 and calibration tests.
struct SyntheticVotes {
    /// How one synthetic function votes.
    enum Spec {
        /// Independent given the class: P(benign vote | y), P(malicious vote | y) for y = benign
        /// and y = malicious; it abstains otherwise.
        case independent(benign: (benign: Double, malicious: Double), malicious: (benign: Double, malicious: Double))
        /// A near-copy of function `of`: same abstentions, its vote flipped with probability `flip`.
        case copy(of: Int, flip: Double)
    }

    var matrix: LabelMatrix
    var truth: [Bool]

    static func generate(units: Int, positiveRate: Double, specs: [Spec], seed: UInt64) -> SyntheticVotes {
        var rng = SplitMix64(seed: seed)
        var truth = [Bool](repeating: false, count: units)
        for i in 0..<units { truth[i] = rng.chance(positiveRate) }
        var columns: [[Int8]] = []
        for spec in specs {
            var column = [Int8](repeating: -1, count: units)
            switch spec {
            case .independent(let benign, let malicious):
                for i in 0..<units {
                    let rates = truth[i] ? malicious : benign
                    let u = rng.unit()
                    column[i] = u < rates.malicious ? 1 : (u < rates.malicious + rates.benign ? 0 : -1)
                }
            case .copy(let source, let flip):
                for i in 0..<units {
                    let v = columns[source][i]
                    column[i] = v >= 0 && rng.chance(flip) ? 1 - v : v
                }
            }
            columns.append(column)
        }
        let names = specs.indices.map { "lf\($0)" }
        // The columns are built from -1/0/1 only, so the matrix initialiser cannot throw here.
        let matrix = (try? LabelMatrix(functionNames: names, rawColumns: columns)) ?? LabelMatrix(functionNames: names)
        return SyntheticVotes(matrix: matrix, truth: truth)
    }

    /// Security-shaped functions: alert rules that only vote malicious (rare false alarms),
    /// allow-lists that only vote benign, and a few two-sided heuristics.
    static func securitySpecs(count: Int, seed: UInt64) -> [Spec] {
        var rng = SplitMix64(seed: seed)
        func between(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.unit() }
        return (0..<count).map { j in
            switch j % 3 {
            case 0: // alert rule
                .independent(benign: (0, between(0.002, 0.02)), malicious: (0, between(0.3, 0.8)))
            case 1: // allow-list
                .independent(benign: (between(0.2, 0.6), 0), malicious: (between(0.02, 0.1), 0))
            default: // two-sided heuristic
                .independent(benign: (between(0.3, 0.5), between(0.03, 0.08)),
                             malicious: (between(0.05, 0.15), between(0.4, 0.7)))
            }
        }
    }
}

/// Scores against the synthetic truth (tests only: scoring against ground truth belongs to
/// SpoorEvaluation in the product).
enum Score {
    static func f1(_ predicted: [Bool], _ truth: [Bool]) -> Double {
        var tp = 0, fp = 0, fn = 0
        for i in truth.indices {
            if predicted[i] && truth[i] { tp += 1 } else if predicted[i] { fp += 1 } else if truth[i] { fn += 1 }
        }
        return tp == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
    }

    /// Expected calibration error over `bins` equal-width bins (Naeini, Cooper and Hauskrecht
    /// 2015, "Obtaining well calibrated probabilities using Bayesian binning"), with the
    /// per-bin (mean prediction, observed rate, count) for the report.
    static func calibration(_ probabilities: [Double], _ truth: [Bool], bins: Int = 10)
        -> (ece: Double, bins: [(predicted: Double, observed: Double, count: Int)]) {
        var sumP = [Double](repeating: 0, count: bins), sumY = sumP, count = [Int](repeating: 0, count: bins)
        for i in truth.indices {
            let b = min(bins - 1, Int(probabilities[i] * Double(bins)))
            sumP[b] += probabilities[i]
            sumY[b] += truth[i] ? 1 : 0
            count[b] += 1
        }
        var ece = 0.0
        var out: [(Double, Double, Int)] = []
        for b in 0..<bins where count[b] > 0 {
            let p = sumP[b] / Double(count[b]), y = sumY[b] / Double(count[b])
            ece += Double(count[b]) / Double(truth.count) * abs(p - y)
            out.append((p, y, count[b]))
        }
        return (ece, out)
    }
}
