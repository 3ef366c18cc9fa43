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
    /// The prior belief that a function's vote agrees with the class: `strength` pseudo-units per
    /// voting function, split `precision` : 1 − `precision` between the class it votes for and
    /// the other (a Beta prior on each function's precision; 0 strength: none).
    var agreement: (strength: Double, precision: Double) = (0, 0.7)

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
        // Per block, flat: the member functions in digit order and each one's place value.
        let members = blocks.map { block in block.factors.flatMap { factors[$0].members } }
        let places = blocks.map { block -> [Int] in
            var out: [Int] = [], stride = 1
            for (k, f) in block.factors.enumerated() {
                var digit = 1
                for _ in factors[f].members { out.append(stride * digit); digit *= 3 }
                stride *= block.radices[k]
            }
            return out
        }
        let words = patterns.wordsPerPattern
        patterns.keys.withUnsafeBufferPointer { keys in
            codes.withUnsafeMutableBufferPointer { codes in
                for b in 0..<nb {
                    members[b].withUnsafeBufferPointer { member in
                        places[b].withUnsafeBufferPointer { place in
                            blockCounts[b].withUnsafeMutableBufferPointer { counts in
                                for p in 0..<np {
                                    let base = p &* words
                                    var code = 0
                                    for x in 0..<member.count {
                                        let j = member[x]
                                        let c = Int(truncatingIfNeeded: (keys[base &+ (j >> 5)] >> UInt64((j & 31) << 1)) & 3)
                                        code &+= c &* place[x]
                                    }
                                    // block.size ≤ max(729, 3^6) since groups have at most 6 members.
                                    codes[p &* nb &+ b] = UInt16(truncatingIfNeeded: code)
                                    counts[code] += patterns.weights[p]
                                }
                            }
                        }
                    }
                }
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

    /// Runs EM from the given posteriors (M-step first) until no class-conditional outcome
    /// probability and not the prior moves by more than `tolerance` in an iteration, then fills
    /// `posterior` and the log-likelihood for the final parameters.
    ///
    /// The E-step and the next M-step's statistics are one fused pass: each pattern's posterior
    /// goes straight into the block histograms and is not stored until the final pass.
    /// - Parameters:
    ///   - posterior: P(malicious | pattern) per pattern; the start, then the result.
    ///   - prior: P(malicious); re-estimated unless `fixedPrior`.
    ///   - smoothing: Dirichlet pseudo-units per class, spread like the factor's overall outcome
    ///     frequencies (so a never-voting function is identical in both classes and neutral).
    mutating func run(
        posterior: inout [Double], prior: inout Double, fixedPrior: Bool,
        smoothing: Double, maximumIterations: Int, tolerance: Double, priorBounds: ClosedRange<Double>
    ) -> Outcome {
        let np = patterns.count, nb = blocks.count
        guard np > 0 else { return Outcome(iterations: 0, logLikelihood: 0, converged: true) }
        var starts = [Int](repeating: 0, count: nb + 1)
        for b in 0..<nb { starts[b + 1] = starts[b] + blocks[b].size }
        let cells = starts[nb]
        var histogram = [Double](repeating: 0, count: cells)
        var maliciousMass = 0.0
        codes.withUnsafeBufferPointer { code in
            patterns.weights.withUnsafeBufferPointer { weight in
                posterior.withUnsafeBufferPointer { post in
                    histogram.withUnsafeMutableBufferPointer { h in
                        for p in 0..<np {
                            let wp = weight[p] * post[p]
                            maliciousMass += wp
                            let base = p &* nb
                            for b in 0..<nb { h[starts[b] &+ Int(code[base &+ b])] += wp }
                        }
                    }
                }
            }
        }
        var iterations = 0
        var converged = false
        _ = mStep(
            histogram: histogram, starts: starts, maliciousMass: maliciousMass, prior: &prior,
            fixedPrior: fixedPrior, smoothing: smoothing, priorBounds: priorBounds)
        // SQUAREM (Varadhan and Roland 2008, "Simple and globally convergent methods for
        // accelerating the convergence of any EM algorithm", step length SqS3): two EM steps
        // give r and v, the extrapolated point p0 − 2αr + α²v is projected back onto the
        // probability simplices and stabilised by one more EM step, and kept only if its
        // log-likelihood is not below that of the first EM step's result.
        func step() -> (logLikelihood: Double, change: Double) {
            var h = histogram
            let (mass, ll) = eStep(prior: prior, starts: starts, histogram: &h)
            histogram = h
            let change = mStep(
                histogram: histogram, starts: starts, maliciousMass: mass, prior: &prior,
                fixedPrior: fixedPrior, smoothing: smoothing, priorBounds: priorBounds)
            return (ll, change)
        }
        while iterations < maximumIterations {
            let p0 = parameters(prior: prior)
            iterations += 1
            if step().change <= tolerance { converged = true; break }
            let p1 = parameters(prior: prior)
            guard iterations < maximumIterations else { break }
            iterations += 1
            let (ll1, change2) = step()
            if change2 <= tolerance { converged = true; break }
            let p2 = parameters(prior: prior)
            var rr = 0.0, vv = 0.0
            var r = p0, v = p0
            for i in p0.indices {
                r[i] = p1[i] - p0[i]
                v[i] = p2[i] - p1[i] - r[i]
                rr += r[i] * r[i]
                vv += v[i] * v[i]
            }
            guard vv > 0, iterations < maximumIterations else { continue }
            let alpha = min(-1, -(rr / vv).squareRoot())
            if alpha == -1 { continue }  // the extrapolation is p2 itself
            var extrapolated = p0
            for i in p0.indices { extrapolated[i] = p0[i] - 2 * alpha * r[i] + alpha * alpha * v[i] }
            setParameters(extrapolated, fallback: p2, prior: &prior, fixedPrior: fixedPrior, priorBounds: priorBounds)
            iterations += 1
            let (llExtrapolated, _) = step()
            if !(llExtrapolated >= ll1) {
                setParameters(p2, fallback: p2, prior: &prior, fixedPrior: fixedPrior, priorBounds: priorBounds)
            }
        }
        // Final pass: posteriors and log-likelihood under the final parameters.
        let (finalRatio, benign) = tables(starts: starts, includingBenign: true)
        let logOdds = log(prior) - log1p(-prior), logBenignPrior = log1p(-prior)
        var logLikelihood = 0.0
        codes.withUnsafeBufferPointer { code in
            patterns.weights.withUnsafeBufferPointer { weight in
                posterior.withUnsafeMutableBufferPointer { post in
                    for p in 0..<np {
                        var s = logOdds, l0 = logBenignPrior
                        let base = p &* nb
                        for b in 0..<nb {
                            let i = starts[b] &+ Int(code[base &+ b])
                            s += finalRatio[i]
                            l0 += benign[i]
                        }
                        // softplus(s) and sigmoid(s) from one exp, stable for any s.
                        let e = exp(-abs(s))
                        post[p] = s >= 0 ? 1 / (1 + e) : e / (1 + e)
                        logLikelihood += weight[p] * (l0 + max(s, 0) + log(1 + e))
                    }
                }
            }
        }
        return Outcome(iterations: iterations, logLikelihood: logLikelihood, converged: converged)
    }

    /// One E-step at the current parameters: malicious mass per block outcome (into `histogram`),
    /// total malicious mass, and the log-likelihood of the data at these parameters.
    func eStep(prior: Double, starts: [Int], histogram: inout [Double]) -> (mass: Double, logLikelihood: Double) {
        let np = patterns.count, nb = blocks.count
        let (ratio, benign) = tables(starts: starts, includingBenign: true)
        let logOdds = log(prior) - log1p(-prior), logBenignPrior = log1p(-prior)
        var mass = 0.0, logLikelihood = 0.0, product = 1.0, inProduct = 0
        codes.withUnsafeBufferPointer { code in
            patterns.weights.withUnsafeBufferPointer { weight in
                ratio.withUnsafeBufferPointer { r in
                    benign.withUnsafeBufferPointer { l in
                        starts.withUnsafeBufferPointer { start in
                            histogram.withUnsafeMutableBufferPointer { h in
                                for c in 0..<h.count { h[c] = 0 }
                                for p in 0..<np {
                                    let base = p &* nb
                                    var s = logOdds, l0 = logBenignPrior
                                    for b in 0..<nb {
                                        let i = start[b] &+ Int(code[base &+ b])
                                        s += r[i]
                                        l0 += l[i]
                                    }
                                    // sigmoid(s) and softplus(s) from one exp, stable for any s.
                                    let e = exp(-abs(s))
                                    let post = s >= 0 ? 1 / (1 + e) : e / (1 + e)
                                    let wp = weight[p] * post
                                    mass += wp
                                    // softplus = max(s, 0) + log(1 + e). The log is the costliest
                                    // operation of the pass, so the (1 + e) ∈ (1, 2] of unit-weight
                                    // patterns are multiplied up, 512 at a time (< 2^512), and
                                    // logged once.
                                    logLikelihood += weight[p] * (l0 + max(s, 0))
                                    if weight[p] == 1 {
                                        product *= 1 + e
                                        inProduct &+= 1
                                        if inProduct == 512 { logLikelihood += log(product); product = 1; inProduct = 0 }
                                    } else {
                                        logLikelihood += weight[p] * log(1 + e)
                                    }
                                    for b in 0..<nb { h[start[b] &+ Int(code[base &+ b])] += wp }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (mass, logLikelihood + log(product))
    }

    /// The parameters as one vector: the prior, then each factor's malicious and benign outcome
    /// probabilities.
    func parameters(prior: Double) -> [Double] {
        var out = [prior]
        for factor in factors {
            out += factor.malicious
            out += factor.benign
        }
        return out
    }

    /// Sets the parameters from a vector, projected back onto valid values: an outcome
    /// probability that left (0, 1] takes half its value in `fallback`, then each distribution is
    /// renormalised; the prior is clamped (or left alone when fixed).
    mutating func setParameters(
        _ vector: [Double], fallback: [Double], prior: inout Double, fixedPrior: Bool, priorBounds: ClosedRange<Double>
    ) {
        if !fixedPrior {
            prior = vector[0].isFinite ? min(priorBounds.upperBound, max(priorBounds.lowerBound, vector[0])) : fallback[0]
        }
        var i = 1
        func take(_ count: Int) -> [Double] {
            var d = [Double](repeating: 0, count: count)
            var sum = 0.0
            for o in 0..<count {
                var x = vector[i + o]
                if !(x > 0 && x <= 1) { x = fallback[i + o] / 2 }
                d[o] = x
                sum += x
            }
            i += count
            if sum > 0 { for o in 0..<count { d[o] /= sum } }
            return d
        }
        for f in factors.indices {
            let k = factors[f].outcomeCount
            factors[f].malicious = take(k)
            factors[f].benign = take(k)
        }
    }

    /// MAP update of the factors' outcome distributions (and the prior) from the block histograms
    /// of malicious mass; returns the largest absolute change of any probability.
    mutating func mStep(
        histogram: [Double], starts: [Int], maliciousMass: Double, prior: inout Double, fixedPrior: Bool,
        smoothing: Double, priorBounds: ClosedRange<Double>
    ) -> Double {
        let n = Double(patterns.unitCount)
        var change = 0.0
        if !fixedPrior {
            let updated = min(priorBounds.upperBound, max(priorBounds.lowerBound, maliciousMass / n))
            change = abs(updated - prior)
            prior = updated
        }
        let split = blocks.indices.map { b in Array(histogram[starts[b]..<starts[b + 1]]) }
        var maliciousCounts = factors.map { [Double](repeating: 0, count: $0.outcomeCount) }
        Self.splitBlocks(blocks, split, into: &maliciousCounts)
        let massM = min(n, max(0, maliciousMass)), massB = n - massM
        for f in factors.indices {
            let total = factorCounts[f]
            // Pseudo-units of the agreement prior (single functions only): a malicious vote (2)
            // weighs `precision` for malicious, a benign vote (1) `precision` for benign.
            var extraM = [Double](repeating: 0, count: total.count), extraB = extraM
            if agreement.strength > 0, factors[f].members.count == 1, total.count == 3 {
                let a = agreement.strength, p = agreement.precision
                if total[2] > 0 { extraM[2] = a * p; extraB[2] = a * (1 - p) }
                if total[1] > 0 { extraB[1] = a * p; extraM[1] = a * (1 - p) }
            }
            let sumM = extraM.reduce(0, +), sumB = extraB.reduce(0, +)
            for o in total.indices {
                let share = total[o] / n
                let m = min(total[o], maliciousCounts[f][o]), b = total[o] - m
                let pm = (m + smoothing * share + extraM[o]) / (massM + smoothing + sumM)
                let pb = (b + smoothing * share + extraB[o]) / (massB + smoothing + sumB)
                change = max(change, abs(pm - factors[f].malicious[o]), abs(pb - factors[f].benign[o]))
                factors[f].malicious[o] = pm
                factors[f].benign[o] = pb
            }
            if factors[f].members.count == 1 { Self.atLeastChance(&factors[f], massM: massM + smoothing, massB: massB + smoothing) }
        }
        return change
    }

    /// Data programming's assumption that a function is better than chance (Ratner et al. 2016,
    /// "Data programming: creating large training sets, quickly"): a malicious vote must not be
    /// evidence of benign (P(vote malicious | malicious) ≥ P(vote malicious | benign)), nor a benign
    /// vote evidence of malicious. Where the EM estimate breaks that, both classes get the pooled
    /// rate (the vote becomes neutral) and abstention takes up the difference, so each class's
    /// distribution still sums to one. Without it, a rule firing mostly on benign units would
    /// push its units *below* units nobody voted on.
    static func atLeastChance(_ factor: inout LabelFactor, massM: Double, massB: Double) {
        let total = massM + massB
        guard total > 0, factor.outcomeCount == 3 else { return }
        for (vote, favoursMalicious) in [(2, true), (1, false)] {
            let m = factor.malicious[vote], b = factor.benign[vote]
            guard favoursMalicious ? m < b : b < m else { continue }
            let pooled = (m * massM + b * massB) / total
            factor.malicious[0] += m - pooled
            factor.benign[0] += b - pooled
            factor.malicious[vote] = pooled
            factor.benign[vote] = pooled
        }
    }

    /// Per block outcome: the sum of its factors' weighted log-ratios and, if asked, benign
    /// log-likelihoods (a few thousand cells at most).
    func tables(starts: [Int], includingBenign: Bool) -> (ratio: [Double], benign: [Double]) {
        var ratio = [Double](repeating: 0, count: starts.last ?? 0)
        var benign = includingBenign ? ratio : []
        for (b, block) in blocks.enumerated() {
            let ratios = block.factors.map { factors[$0].logRatio }
            let benigns = includingBenign ? block.factors.map { factors[$0].logBenign } : []
            for c in 0..<block.size {
                var rest = c, r = 0.0, l = 0.0
                for k in block.factors.indices {
                    let o = rest % block.radices[k]
                    rest /= block.radices[k]
                    r += ratios[k][o]
                    if includingBenign { l += benigns[k][o] }
                }
                ratio[starts[b] + c] = r
                if includingBenign { benign[starts[b] + c] = l }
            }
        }
        return (ratio, benign)
    }
}
