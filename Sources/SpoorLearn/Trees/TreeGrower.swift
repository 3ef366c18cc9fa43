import Dispatch

/// Grows one regression tree on binned data from gradients and hessians, best leaf first
/// (Shi 2007, "Best-first decision tree learning"; LightGBM's leaf-wise growth), with
/// per-node gradient histograms and the subtraction trick (a child's histogram is its
/// parent's minus its sibling's, Ke et al. 2017). The split gain is XGBoost's second-order
/// gain without the ½ and γ (Chen and Guestrin 2016, "XGBoost: a scalable tree boosting
/// system"): G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), as in scikit-learn's
/// `HistGradientBoosting`. Missing values (the last bin) are tried on both sides of every
/// split and sent where the gain is higher.
///
/// The grower owns its scratch memory (row index buffers, a pool of histograms) and reuses it
/// for every tree: no allocation per row or per node in the loops.
struct TreeGrower {
    struct Split {
        var feature = -1
        var bin = 0
        var missingGoesLeft = false
        var gain = 0.0
        var leftG = 0.0, leftH = 0.0, leftCount = 0
    }

    struct Node {
        var tree: Int            // index in the tree being built
        var start: Int, count: Int
        var depth: Int
        var g: Double, h: Double
        var histogram: Int       // index in the pool, -1 when none is kept
        var split: Split?
    }

    let rows: Int                // rows of the binned matrix
    let features: Int
    let slots: Int               // histogram slots per feature: maximumBins + 1 (missing last)
    let binCounts: [Int]         // non-missing bins per feature
    let missingBin: Int
    let parameters: GradientBoostedTrees.Parameters

    // Per-tree scratch.
    var index: [Int32] = []
    var scratch: [Int32] = []
    var orderedG: [Double] = []
    var orderedH: [Double] = []
    var poolG: [[Double]] = [], poolH: [[Double]] = [], poolC: [[Int32]] = []
    var free: [Int] = []

    init(rows: Int, bins: FeatureBins, parameters: GradientBoostedTrees.Parameters) {
        self.rows = rows
        features = bins.thresholds.count
        slots = bins.maximumBins + 1
        binCounts = bins.thresholds.map { $0.count + 1 }
        missingBin = bins.maximumBins
        self.parameters = parameters
    }

    mutating func takeHistogram() -> Int {
        if let k = free.popLast() { return k }
        poolG.append([Double](repeating: 0, count: features * slots))
        poolH.append([Double](repeating: 0, count: features * slots))
        poolC.append([Int32](repeating: 0, count: features * slots))
        return poolG.count - 1
    }

    /// Fills histogram `k` from the rows `index[start ..< start + count]`.
    mutating func build(_ k: Int, start: Int, count: Int, binned: [UInt8], g: [Double], h: [Double]) {
        // Gather the node's gradients in row order so the feature loops read them contiguously.
        for j in 0..<count {
            let i = Int(index[start + j])
            orderedG[j] = g[i]; orderedH[j] = h[i]
        }
        let slots = slots, rows = rows, features = features
        let parallel = parameters.isParallel && count * features >= 200_000 && features > 1
        poolG[k].withUnsafeMutableBufferPointer { hg in
            poolH[k].withUnsafeMutableBufferPointer { hh in
                poolC[k].withUnsafeMutableBufferPointer { hc in
                    index.withUnsafeBufferPointer { idx in
                        orderedG.withUnsafeBufferPointer { og in
                            orderedH.withUnsafeBufferPointer { oh in
                                binned.withUnsafeBufferPointer { b in
                                    let task = HistogramTask(hg: hg, hh: hh, hc: hc, index: idx, og: og, oh: oh, binned: b,
                                                             start: start, count: count, rows: rows, slots: slots)
                                    if parallel {
                                        // Two chunks of features, each written by one thread: the same sums
                                        // in the same order as the serial loop, so results are identical.
                                        let chunks = 2
                                        DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                            let lo = features * c / chunks, hi = features * (c + 1) / chunks
                                            for f in lo..<hi { task.run(feature: f) }
                                        }
                                    } else {
                                        for f in 0..<features { task.run(feature: f) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Histogram `parent` −= `child` (the sibling's histogram, in the parent's buffer).
    mutating func subtract(parent p: Int, child c: Int) {
        let n = features * slots
        let (child, childH, childC) = (poolG[c], poolH[c], poolC[c])
        poolG[p].withUnsafeMutableBufferPointer { a in child.withUnsafeBufferPointer { b in
            if let a = a.baseAddress, let b = b.baseAddress { Kernels.subtract(a, b, n) } } }
        poolH[p].withUnsafeMutableBufferPointer { a in childH.withUnsafeBufferPointer { b in
            if let a = a.baseAddress, let b = b.baseAddress { Kernels.subtract(a, b, n) } } }
        poolC[p].withUnsafeMutableBufferPointer { a in childC.withUnsafeBufferPointer { b in
            if let a = a.baseAddress, let b = b.baseAddress { Kernels.subtract(a, b, n) } } }
    }

    /// The best split of a node from its histogram, or nil.
    func bestSplit(_ node: Node) -> Split? {
        let p = parameters
        if let maxDepth = p.maximumDepth, node.depth >= maxDepth { return nil }
        let minLeaf = max(1, p.minimumSamplesPerLeaf)
        guard node.count >= 2 * minLeaf, node.h >= 2 * p.minimumHessianToSplit else { return nil }
        let lambda = p.l2Regularization
        let parentScore = node.g * node.g / (node.h + lambda)
        var best = Split()
        let hg = poolG[node.histogram], hh = poolH[node.histogram], hc = poolC[node.histogram]
        for f in 0..<features {
            let base = f * slots
            let mg = hg[base + missingBin], mh = hh[base + missingBin], mc = Int(hc[base + missingBin])
            var lg = 0.0, lh = 0.0, lc = 0
            for b in 0..<binCounts[f] {
                lg += hg[base + b]; lh += hh[base + b]; lc += Int(hc[base + b])
                // Missing values to the right, then (if there are any) to the left.
                for pass in 0..<(mc > 0 ? 2 : 1) {
                    let missingLeft = pass == 1
                    let gl = missingLeft ? lg + mg : lg, hl = missingLeft ? lh + mh : lh, cl = missingLeft ? lc + mc : lc
                    let gr = node.g - gl, hr = node.h - hl, cr = node.count - cl
                    guard cl >= minLeaf, cr >= minLeaf, hl >= p.minimumHessianToSplit, hr >= p.minimumHessianToSplit else { continue }
                    let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore
                    if gain > best.gain + 1e-12 * abs(parentScore) || (best.feature < 0 && gain > 0) {
                        // With no missing values in training, missing rows follow the larger child (scikit-learn).
                        best = Split(feature: f, bin: b, missingGoesLeft: mc > 0 ? missingLeft : cl >= cr,
                                     gain: gain, leftG: gl, leftH: hl, leftCount: cl)
                    }
                }
            }
        }
        return best.feature >= 0 ? best : nil
    }

    /// Grows a tree over `sample` (training rows, ascending) and returns it with each leaf's
    /// row range in `index` (for updating the training predictions).
    mutating func grow(sample: [Int32], binned: [UInt8], g: [Double], h: [Double], bins: FeatureBins)
        -> (tree: DecisionTree, leaves: [(node: Int, start: Int, count: Int)]) {
        let p = parameters
        let n = sample.count
        if index.count < n { index = sample; scratch = sample } else {
            for k in 0..<n { index[k] = sample[k] }
        }
        if orderedG.count < n {
            orderedG = [Double](repeating: 0, count: n); orderedH = orderedG
        }
        free = Array(0..<poolG.count).reversed()

        var tree = DecisionTree()
        var sg = 0.0, sh = 0.0
        for i in sample { sg += g[Int(i)]; sh += h[Int(i)] }
        var root = Node(tree: tree.addNode(), start: 0, count: n, depth: 0, g: sg, h: sh, histogram: takeHistogram(), split: nil)
        build(root.histogram, start: 0, count: n, binned: binned, g: g, h: h)
        root.split = bestSplit(root)

        var frontier = [root]
        var leaves: [(node: Int, start: Int, count: Int)] = []
        var leafCount = 1
        func leafValue(_ node: Node) -> Double {
            let d = node.h + p.l2Regularization
            return d > 0 ? -p.learningRate * node.g / d : 0
        }
        while !frontier.isEmpty {
            // The splittable node of highest gain (first in creation order on ties).
            var pick = -1, pickGain = 0.0
            if leafCount < p.maximumLeaves {
                for (k, node) in frontier.enumerated() {
                    guard let s = node.split else { continue }
                    if pick < 0 || s.gain > pickGain { pick = k; pickGain = s.gain }
                }
            }
            if pick < 0 {
                for node in frontier {
                    tree.value[node.tree] = leafValue(node)
                    leaves.append((node.tree, node.start, node.count))
                }
                break
            }
            let node = frontier.remove(at: pick)
            guard let s = node.split else { break }  // never: only nodes with a split are picked
            // Partition the node's rows (stable: left rows then right rows, each in order).
            let missing = UInt8(truncatingIfNeeded: missingBin), cut = UInt8(truncatingIfNeeded: s.bin)
            var l = node.start, r = 0
            let base = s.feature * rows
            for k in node.start..<(node.start + node.count) {
                let i = index[k]
                let b = binned[base + Int(i)]
                if b == missing ? s.missingGoesLeft : b <= cut { index[l] = i; l += 1 } else { scratch[r] = i; r += 1 }
            }
            for k in 0..<r { index[l + k] = scratch[k] }
            let t = node.tree
            tree.feature[t] = Int32(s.feature)
            tree.binThreshold[t] = cut
            let th = bins.thresholds[s.feature]
            tree.threshold[t] = s.bin < th.count ? th[s.bin] : .infinity
            tree.missingGoesLeft[t] = s.missingGoesLeft
            tree.gain[t] = s.gain
            let lt = tree.addNode(), rt = tree.addNode()
            tree.left[t] = Int32(lt); tree.right[t] = Int32(rt)
            var left = Node(tree: lt, start: node.start, count: s.leftCount, depth: node.depth + 1,
                            g: s.leftG, h: s.leftH, histogram: -1, split: nil)
            var right = Node(tree: rt, start: node.start + s.leftCount, count: node.count - s.leftCount, depth: node.depth + 1,
                             g: node.g - s.leftG, h: node.h - s.leftH, histogram: -1, split: nil)
            leafCount += 1
            // Histograms only for children that may still be split.
            let mayGrow = leafCount < p.maximumLeaves && (p.maximumDepth.map { node.depth + 1 < $0 } ?? true)
            if mayGrow {
                let smallIsLeft = left.count <= right.count
                let small = takeHistogram()
                let (ss, sc) = smallIsLeft ? (left.start, left.count) : (right.start, right.count)
                build(small, start: ss, count: sc, binned: binned, g: g, h: h)
                subtract(parent: node.histogram, child: small)
                if smallIsLeft { left.histogram = small; right.histogram = node.histogram } else { right.histogram = small; left.histogram = node.histogram }
                left.split = bestSplit(left)
                right.split = bestSplit(right)
            } else {
                free.append(node.histogram)
            }
            for child in [left, right] {
                if child.split == nil {
                    if child.histogram >= 0 { free.append(child.histogram) }
                    tree.value[child.tree] = leafValue(child)
                    leaves.append((child.tree, child.start, child.count))
                } else {
                    frontier.append(child)
                }
            }
        }
        return (tree, leaves)
    }
}

/// One histogram fill over a range of features: the pointers are only read, except the
/// histogram slots of the task's own features, so two tasks on different features never touch
/// the same memory.
struct HistogramTask: @unchecked Sendable {
    let hg: UnsafeMutableBufferPointer<Double>
    let hh: UnsafeMutableBufferPointer<Double>
    let hc: UnsafeMutableBufferPointer<Int32>
    let index: UnsafeBufferPointer<Int32>
    let og: UnsafeBufferPointer<Double>
    let oh: UnsafeBufferPointer<Double>
    let binned: UnsafeBufferPointer<UInt8>
    let start: Int, count: Int, rows: Int, slots: Int

    @inline(__always) func run(feature f: Int) {
        guard let hg = hg.baseAddress, let hh = hh.baseAddress, let hc = hc.baseAddress, let index = index.baseAddress,
              let og = og.baseAddress, let oh = oh.baseAddress, let binned = binned.baseAddress else { return }
        let g = hg + f * slots, h = hh + f * slots, c = hc + f * slots, column = binned + f * rows, rowsOfNode = index + start
        var s = 0
        while s < slots { g[s] = 0; h[s] = 0; c[s] = 0; s &+= 1 }
        var j = 0
        while j < count {
            let b = Int(column[Int(rowsOfNode[j])])
            g[b] += og[j]; h[b] += oh[j]; c[b] &+= 1
            j &+= 1
        }
    }
}
