import Foundation
import Testing
import SpoorCore
@testable import SpoorDetectors
import SpoorLearn
import SpoorTesting

/// Ideas for issue 7 measured one at a time by leave-one-family-out on the Netlab sample (run
/// only when asked: `SPOOR_DGA_EXPERIMENTS=1`; figures in `Docs/Detectors-host.md` §2). Same
/// split as `DGANetlabTests.leaveOneFamilyOut`: benign training names are the even Alexa rows
/// plus the top-domain warninglists, benign test names the odd Alexa rows.
@Suite(.serialized, .enabled(if: SharedData.isAvailable && ProcessInfo.processInfo.environment["SPOOR_DGA_EXPERIMENTS"] == "1",
                             "runs only with SPOOR_DGA_EXPERIMENTS=1 and the shared data"))
struct DGAExperiments {
    static func split() throws -> (train: [String], alexaTrain: [String], test: [String], families: [String: [String]], dynamicDNS: Set<String>) {
        let (benign, families) = try DGANetlabTests.sample()
        let alexaTrain = benign.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let test = benign.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let testLabels = Set(test.compactMap(DGAModel.label))
        var extra: [String] = []
        var seen = Set<String>()
        for list in DGANetlabTests.topLists {
            for name in try DGANetlabTests.warninglist(list) {
                guard let l = DGAModel.label(name), !testLabels.contains(l), seen.insert(l).inserted else { continue }
                extra.append(name)
            }
        }
        let dynamicDNS = Set(try DGANetlabTests.warninglist("dynamic-dns", keepLeadingDots: true))
        return (alexaTrain + extra, alexaTrain, test, families, dynamicDNS)
    }

    static func f3(_ v: Double) -> String { String(format: "%.3f", v) }

    static func summary(_ name: String, _ aucs: [String: Double]) -> String {
        let easy = aucs.filter { !DGANetlabTests.dictionaryFamilies.contains($0.key) }
        let hard = aucs.filter { DGANetlabTests.dictionaryFamilies.contains($0.key) }
        let mean = easy.values.reduce(0, +) / Double(max(easy.count, 1))
        let meanHard = hard.values.reduce(0, +) / Double(max(hard.count, 1))
        return "EXP \(name): mean \(Self.f3(mean)) (\(easy.values.filter { $0 >= 0.97 }.count) of \(easy.count) ≥ 0.97), dictionary mean \(Self.f3(meanHard)); "
            + aucs.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.f3($0.value))" }.joined(separator: ", ")
    }

    @Test func featureSubsetsAndZScores() throws {
        let (train, _, test, families, dynamicDNS) = try Self.split()
        for (label, dyn) in [("", Set<String>()), (" dynDNS", dynamicDNS)] {
            let c = DGALOFO(DGAModel(benign: train, calibration: .trainingNames, dynamicDNS: dyn), benign: train, test: test, families: families)
            if dyn.isEmpty {
                // Mean z-score of every feature per family, and of the benign test names.
                let m = c.model
                func meanZ(_ rows: [[Double]]) -> String {
                    let z = rows.map(m.standardise)
                    return DGAModel.featureNames.indices.map { j in Self.f3(z.map { $0[j] }.reduce(0, +) / Double(max(z.count, 1))) }.joined(separator: " ")
                }
                print("Z features: \(DGAModel.featureNames.joined(separator: " "))")
                print("Z benign-test: \(meanZ(c.test))")
                for (f, rows) in c.family.sorted(by: { $0.key < $1.key }) { print("Z \(f): \(meanZ(rows))") }
                // kraken: the names under a dynamic-DNS provider and the others, scored apart.
                let kraken = families["kraken", default: []]
                func isCustomer(_ n: String) -> Bool {
                    let p = n.split(separator: ".")
                    return (1..<max(p.count - 1, 1)).contains { dynamicDNS.contains(p[$0...].joined(separator: ".")) }
                }
                let others = c.family.filter { $0.key != "kraken" }.flatMap(\.value)
                for (what, used) in [("fit 0,1", [0, 1]), ("fit 0", [0]), ("fit 14,15", [14, 15]), ("fit 14", [14])] {
                    let m = c.model.refitted(benignFeatures: c.benign, dgaFeatures: others, using: used)
                    let neg = c.test.map(m.score(features:))
                    for (part, names) in [("customers", kraken.filter(isCustomer)), ("others", kraken.filter { !isCustomer($0) })] {
                        let pos = names.compactMap(m.features(name:)).map(m.score(features:))
                        let labels = Dictionary(grouping: names.compactMap(m.registeredLabel), by: { $0 }).filter { $0.value.count > 2 }.mapValues(\.count)
                        print("KRAKEN \(what) \(part) (\(names.count), repeated labels \(labels)): AUC \(Self.f3(rocAUC(positives: pos, negatives: neg)))")
                    }
                }
                let neg = c.test.map(c.model.score(features:))
                for (part, names) in [("customers", kraken.filter(isCustomer)), ("others", kraken.filter { !isCustomer($0) })] {
                    print("KRAKEN benign-only \(part): AUC \(Self.f3(rocAUC(positives: names.compactMap(c.model.features(name:)).map(c.model.score(features:)), negatives: neg)))")
                }
            }
            // Also measured in development and dropped (figures in the doc): a backward (right-to-left)
            // 4-gram model and the 4-gram log-likelihood ratio against a unigram model.
            let subsets: [(String, [Int])] = [("0,1", [0, 1]), ("0", [0]), ("14", [14]), ("14,15", [14, 15]), ("14,15,suffix", [14, 15, 13]),
                                              ("0,1,suffix", [0, 1, 13]), ("14,15,word-coverage", [14, 15, 12]), ("0,14", [0, 14]),
                                              ("0,1,14,15", [0, 1, 14, 15]), ("14,15,length", [14, 15, 3]),
                                              ("all", Array(DGAModel.featureNames.indices))]
            for (name, used) in subsets {
                var aucs: [String: Double] = [:]
                for f in families.keys { aucs[f] = c.lofo(f, using: used) }
                print(Self.summary("LR \(name)\(label)", aucs))
                if ["0,1", "14,15", "14,15,suffix"].contains(name) {
                    // The fitted weights with every family (for the record).
                    let all = c.model.refitted(benignFeatures: c.benign, dgaFeatures: c.family.values.flatMap { $0 }, using: used)
                    print("EXP weights \(name)\(label): \(used.map { "\(DGAModel.featureNames[$0]) \(Self.f3(all.weights[$0]))" })")
                }
            }
        }
    }

    /// Gradient-boosted trees on the features; the number of trees is chosen by a validation
    /// grouped by family (a quarter of the training families held out), so early stopping does
    /// not learn the seen families.
    @Test func gradientBoostedTrees() throws {
        let (train, _, test, families, _) = try Self.split()
        let c = DGALOFO(DGAModel(benign: train, calibration: .trainingNames), benign: train, test: test, families: families)
        let clock = ContinuousClock()
        for (name, used) in [("14,15", [14, 15]), ("all", Array(DGAModel.featureNames.indices))] {
            func matrix(_ rows: [[Double]]) throws -> FeatureMatrix {
                try FeatureMatrix(names: used.map { DGAModel.featureNames[$0] }, columns: used.map { j in rows.map { $0[j] } })
            }
            func fit(_ dga: [[Double]], _ benign: [[Double]], trees: Int) throws -> GradientBoostedTrees {
                var p = GradientBoostedTrees.Parameters()
                p.iterations = trees
                p.maximumLeaves = 15
                p.minimumSamplesPerLeaf = 50
                p.classWeighting = .balanced
                return try GradientBoostedTrees(fitting: try matrix(dga + benign), targets: [Double](repeating: 1, count: dga.count) + [Double](repeating: 0, count: benign.count), parameters: p)
            }
            let start = clock.now
            var aucs: [String: Double] = [:]
            var chosen: [String: Int] = [:]
            let names = families.keys.sorted()
            for f in names {
                let others = names.filter { $0 != f }
                // Inner validation grouped by family: every fourth other family, with every fourth benign row.
                let heldFamilies = others.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
                let fitFamilies = others.filter { !heldFamilies.contains($0) }
                let benignFit = c.benign.enumerated().filter { $0.offset % 4 != 0 }.map(\.element)
                let benignHeld = c.benign.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
                var best = (auc: -1.0, trees: 0)
                for trees in [20, 60, 180] {
                    let m = try fit(fitFamilies.flatMap { c.family[$0]! }, benignFit, trees: trees)
                    let neg = try m.decisionFunction(try matrix(benignHeld))
                    var mean = 0.0
                    for h in heldFamilies { mean += rocAUC(positives: try m.decisionFunction(try matrix(c.family[h]!)), negatives: neg) }
                    if mean > best.auc { best = (mean, trees) }
                }
                chosen[f] = best.trees
                let m = try fit(others.flatMap { c.family[$0]! }, c.benign, trees: best.trees)
                aucs[f] = rocAUC(positives: try m.decisionFunction(try matrix(c.family[f]!)), negatives: try m.decisionFunction(try matrix(c.test)))
            }
            print(Self.summary("GBT \(name) (\(clock.now - start))", aucs))
            print("EXP GBT \(name) trees chosen: \(chosen.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })")
        }
    }
}
