import Foundation

/// Expectation–maximisation over vote patterns (Dawid and Skene 1979, "Maximum likelihood
/// estimation of observer error-rates using the EM algorithm").
///
/// Speed comes from two foldings: units into distinct patterns (``VotePatterns``), and factors
/// into *blocks*, groups of consecutive factors whose joint outcomes number at most
/// ``EMEngine/blockCapacity``. Each pattern is coded once per block, so one EM iteration costs a
/// few table look-ups per pattern (4 for 20 functions) instead of one per function, and the
/// M-step's sufficient statistics are per-block histograms that are split into per-factor counts
/// afterwards (3^6 cells × a handful of blocks, nothing next to the pattern pass).
struct EMEngine {
    /// Outcomes per block: 3^6, so a block's two tables and histograms (729 × 8 bytes each)
    /// stay in the L1/L2 caches.
    static let blockCapacity = 729

    struct Block {
        var factors: [Int]
        var radices: [Int]
        var size: Int
    }

    let patterns: VotePatterns
    var factors: [LabelFactor]
    let blocks: [Block]
    /// `codes[p * blocks.count + b]`: pattern `p`'s outcome in block `b`.
    let codes: [UInt16]
    /// Units per block outcome (fixed).
    let blockCounts: [[Double]]
    /// Units per factor outcome (fixed); the shrinkage target.
    let factorCounts: [[Double]]

    init(patterns: VotePatterns, factors: [LabelFactor]) {
        self.patterns = patterns
        self.factors = factors
        var blocks: [Block] = []
        var current = Block(factors: [], radices: [], size: 1)
        for (f, factor) in factors.enumerated() {
            let r = factor.outcomeCount
            if !current.factors.isEmpty, current.size * r > max(Self.blockCapacity, r) {
                blocks.append(current)
                current = Block(factors: [], radices: [], size: 1)
            }
            current.factors.append(f)
            current.radices.append(r)
            current.size *= r
        }
        if !current.factors.isEmpty { blocks.append(current) }
        self.blocks = blocks

        let nb = blocks.count, np = patterns.count
        var codes = [UInt16](repeating: 0, count: np * nb)
        var blockCounts = blocks.map { [Double](repeating: 0, count: $0.size) }
        for p in 0..<np {
            let w = patterns.weights[p]
            for (b, block) in blocks.enumerated() {
                var code = 0, stride = 1
                for (k, f) in block.factors.enumerated() {
                    var outcome = 0, digit = 1
                    for member in factors[f].members {
                        outcome += patterns.code(p, member) * digit
                        digit *= 3
                    }
                    code += outcome * stride
                    stride *= block.radices[k]
                }
                // block.size ≤ max(729, 3^k) and groups are capped at 6 members, so it fits.
                codes[p * nb + b] = UInt16(truncatingIfNeeded: code)
                blockCounts[b][code] += w
            }
        }
        self.codes = codes
        self.blockCounts = blockCounts
        var factorCounts = factors.map { [Double](repeating: 0, count: $0.outcomeCount) }
        Self.splitBlocks(blocks, blockCounts, into: &factorCounts)
        self.factorCounts = factorCounts
    }

    /// Adds each block histogram's mass to its factors' outcome histograms.
    static func splitBlocks(_ blocks: [Block], _ histograms: [[Double]], into out: inout [[Double]]) {
        for (b, block) in blocks.enumerated() {
            for c in 0..<block.size {
                let mass = histograms[b][c]
                if mass == 0 { continue }
                var rest = c
                for (k, f) in block.factors.enumerated() {
                    let r = block.radices[k]
                    out[f][rest % r] += mass
                    rest /= r
                }
            }
        }
    }

    struct Outcome {
        var iterations: Int
        var logLikelihood: Double
        var converged: Bool
    }

    /// Runs EM from the given posteriors (M-step first).
    /// - Parameters:
    ///   - posterior: P(malicious | pattern) per pattern; updated in place.
    ///   - prior: P(malicious); re-estimated unless `fixedPrior`.
    ///   - smoothing: Dirichlet pseudo-units per class, spread like the factor's overall outcome
    ///     frequencies (so a never-voting function is identical in both classes and neutral).
    mutating func run(
        posterior: inout [Double], prior: inout Double, fixedPrior: Bool,
        smoothing: Double, maximumIterations: Int, tolerance: Double, priorBounds: ClosedRange<Double>
    ) -> Outcome {
        let np = patterns.count, nb = blocks.count
        let n = Double(patterns.unitCount)
        guard np > 0 else { return Outcome(iterations: 0, logLikelihood: 0, converged: true) }
        var logLikelihood = -Double.infinity
        var iterations = 0
        var converged = false
        var histograms = blocks.map { [Double](repeating: 0, count: $0.size) }
        var ratioTables = histograms, benignTables = histograms
        while iterations < maximumIterations {
            iterations += 1
            // M-step: malicious mass per block outcome.
            for b in 0..<nb { for c in histograms[b].indices { histograms[b][c] = 0 } }
            var maliciousMass = 0.0
            codes.withUnsafeBufferPointer { code in
                patterns.weights.withUnsafeBufferPointer { weight in
                    posterior.withUnsafeBufferPointer { post in
                        for b in 0..<nb {
                            histograms[b].withUnsafeMutableBufferPointer { h in
                                for p in 0..<np { h[Int(code[p &* nb &+ b])] += weight[p] * post[p] }
                            }
                        }
                        for p in 0..<np { maliciousMass += weight[p] * post[p] }
                    }
                }
            }
            if !fixedPrior { prior = min(priorBounds.upperBound, max(priorBounds.lowerBound, maliciousMass / n)) }
            var maliciousCounts = factors.map { [Double](repeating: 0, count: $0.outcomeCount) }
            Self.splitBlocks(blocks, histograms, into: &maliciousCounts)
            let massM = maliciousMass, massB = n - maliciousMass
            for f in factors.indices {
                let total = factorCounts[f]
                for o in total.indices {
                    let share = total[o] / n
                    let m = maliciousCounts[f][o], b = max(0, total[o] - m)
                    factors[f].malicious[o] = (m + smoothing * share) / (massM + smoothing)
                    factors[f].benign[o] = (b + smoothing * share) / (massB + smoothing)
                }
            }
            // Tables per block: sum of the factors' log-ratios and benign log-likelihoods.
            for (b, block) in blocks.enumerated() {
                let ratios = block.factors.map { factors[$0].logRatio }
                let benigns = block.factors.map { factors[$0].logBenign }
                for c in 0..<block.size {
                    var rest = c, r = 0.0, l = 0.0
                    for k in block.factors.indices {
                        let o = rest % block.radices[k]
                        rest /= block.radices[k]
                        r += ratios[k][o]
                        l += benigns[k][o]
                    }
                    ratioTables[b][c] = r
                    benignTables[b][c] = l
                }
            }
            // E-step and log-likelihood.
            let logOdds = log(prior) - log1p(-prior), logBenignPrior = log1p(-prior)
            var ll = 0.0
            let flatRatios = ratioTables.flatMap { $0 }, flatBenign = benignTables.flatMap { $0 }
            var starts = [Int](repeating: 0, count: nb)
            for b in 0..<nb where b > 0 { starts[b] = starts[b - 1] + blocks[b - 1].size }
            codes.withUnsafeBufferPointer { code in
                patterns.weights.withUnsafeBufferPointer { weight in
                    posterior.withUnsafeMutableBufferPointer { post in
                        flatRatios.withUnsafeBufferPointer { ratio in
                            flatBenign.withUnsafeBufferPointer { benign in
                                starts.withUnsafeBufferPointer { start in
                                    for p in 0..<np {
                                        var s = logOdds, l0 = logBenignPrior
                                        let base = p &* nb
                                        for b in 0..<nb {
                                            let i = start[b] &+ Int(code[base &+ b])
                                            s += ratio[i]
                                            l0 += benign[i]
                                        }
                                        // softplus(s) and sigmoid(s) from one exp, stable for any s.
                                        let e = exp(-abs(s))
                                        let softplus = max(s, 0) + log1p(e)
                                        post[p] = s >= 0 ? 1 / (1 + e) : e / (1 + e)
                                        ll += weight[p] * (l0 + softplus)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let change = abs(ll - logLikelihood)
            logLikelihood = ll
            if iterations > 1, change <= tolerance * n {
                converged = true
                break
            }
        }
        return Outcome(iterations: iterations, logLikelihood: logLikelihood, converged: converged)
    }
}
