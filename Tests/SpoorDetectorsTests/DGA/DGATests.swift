import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorDetectors
import SpoorSimulation
import SpoorTesting

/// ROC-AUC by Mann–Whitney: the chance that a random positive scores above a random negative (ties half).
func rocAUC(positives: [Double], negatives: [Double]) -> Double {
    guard !positives.isEmpty, !negatives.isEmpty else { return .nan }
    let all = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
    var rankSum = 0.0
    var i = 0
    while i < all.count {
        var j = i
        while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j where all[k].1 { rankSum += rank }
        i = j + 1
    }
    let p = Double(positives.count), n = Double(negatives.count)
    return (rankSum - p * (p + 1) / 2) / (p * n)
}

/// Made-up ordinary names (written for this test, no list copied) and random strings.
enum HandNames {
    static let ordinary = ["greenvalleybank", "citynews", "weatherportal", "mountainbikes", "freshbakery", "homegarden",
                           "bestflights", "travelguide", "musicstore", "healthclinic", "schoolboard", "pizzaplace",
                           "bookshelf", "carrental", "petshop", "sportscenter", "photogallery", "moviereviews",
                           "jobsearch", "realestate", "techforum", "cookingclass", "fitnessworld", "shoeoutlet",
                           "coffeehouse", "lawfirm", "dentaloffice", "flowershop", "gamingzone", "newsdaily",
                           "onlinebanking", "webmail", "cloudstorage", "videostream", "shoppingmall", "insurance",
                           "universityportal", "library", "museumtickets", "concerthall", "hotelbooking", "autoparts",
                           "kitchenware", "babystore", "toyworld", "gardencenter", "furniture", "electronics"]
    static func random(_ n: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return (0..<n).map { _ in String(decoding: (0..<(12 + rng.below(8))).map { _ in letters[rng.below(36)] }, as: UTF8.self) + ".com" }
    }
}

@Suite struct DGAModelTests {
    @Test func registeredLabelDropsThePublicSuffixAndSubdomains() {
        #expect(DGAModel.label("www.Example.co.uk.") == "example")
        #expect(DGAModel.label("a.b.cvyh1po636.ddns.net") == "cvyh1po636")
        #expect(DGAModel.label("localhost") == "localhost")
        #expect(DGAModel.label("") == nil)
    }

    @Test func unsupervisedModelRanksRandomLabelsAboveOrdinaryOnes() {
        let m = DGAModel(benign: HandNames.ordinary.map { $0 + ".com" })
        let good = ["weatherguide.com", "bookstore.net", "citybank.org", "musicworld.com"]
        let auc = rocAUC(positives: HandNames.random(50, seed: 3).map { m.score($0) }, negatives: good.map { m.score($0) })
        #expect(auc > 0.95)
    }

    @Test func aTrainedModelRoundTripsThroughJSON() throws {
        let m = DGAModel(benign: HandNames.ordinary, dga: HandNames.random(60, seed: 1))
        let back = try DGAModel(json: m.json())
        let probe = ["pizzaworld.com", "xk2j9qpl0zz.net", "bank.co.uk"]
        #expect(probe.map { m.score($0) } == probe.map { back.score($0) })
        #expect(back.dgaCount == 60 && back.benignCount == HandNames.ordinary.count)
        #expect(throws: (any Error).self) { try DGAModel(json: Data("{\"mean\":[1]}".utf8)) }
        // A model of the first format (no version, trigram tables) is refused with a message that says what to do.
        do {
            _ = try DGAModel(json: Data("{\"benign\":{\"trigrams\":[]},\"mean\":[],\"scale\":[],\"weights\":[],\"bias\":0}".utf8))
            Issue.record("an old model was accepted")
        } catch let e as DGAModel.FormatError {
            #expect(e.description.contains(DGAModel.formatVersion) && e.description.contains("--save"))
        }
        // The right version with a damaged table is refused too (no crash).
        var text = String(decoding: try m.json(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"order\":4", with: "\"order\":40")
        #expect(throws: (any Error).self) { try DGAModel(json: Data(text.utf8)) }
    }

    /// Interpolated Kneser–Ney is a distribution: over the 39 symbols (the end boundary included)
    /// the probabilities after any history sum to 1 (Chen & Goodman 1998, eq. 26).
    @Test(arguments: ["", "a", "bo", "xq", "zzz9", "web-"])
    func kneserNeySumsToOne(history: String) {
        let labels = HandNames.ordinary.map { $0.utf8.map(DGAModel.code) }
        let model = KneserNeyModel(labels: labels, order: 4)
        let h = history.utf8.map(DGAModel.code)
        var out: [Double] = []
        var total = 0.0
        for c in 0..<(DGAModel.symbols - 1) {
            model.logProbabilities(h + [c], into: &out)
            total += exp(out[h.count])
        }
        model.logProbabilities(h, into: &out)
        total += exp(out[h.count])   // the end of the label
        #expect(abs(total - 1) < 1e-6)
        // Seen continuations are likelier than unseen ones.
        model.logProbabilities("web".utf8.map(DGAModel.code), into: &out)
        let seen = out[2]
        model.logProbabilities("weq".utf8.map(DGAModel.code), into: &out)
        #expect(seen > out[2])
    }

    @Test func dynamicDNSProvidersGiveTheCustomersLabel() {
        let m = DGAModel(benign: HandNames.ordinary, calibration: .trainingNames, dynamicDNS: [".mooo.com", "Dynserv.com"])
        #expect(m.registeredLabel("svneascvmk.mooo.com") == "svneascvmk")
        #expect(m.registeredLabel("a.hiifitfjutr.dynserv.com.") == "hiifitfjutr")
        #expect(m.registeredLabel("mooo.com") == "mooo")
        #expect(m.registeredLabel("www.example.co.uk") == "example")
        #expect(m.split("a.hiifitfjutr.dynserv.com.").map { [$0.label, $0.suffix] } == ["hiifitfjutr", "dynserv.com"])
        #expect(m.split("www.example.co.uk").map { [$0.label, $0.suffix] } == ["example", "co.uk"])
        #expect(DGAModel.split("localhost").map { [$0.label, $0.suffix] } == ["localhost", ""])
        #expect(DGAModel(benign: HandNames.ordinary, calibration: .trainingNames).registeredLabel("svneascvmk.mooo.com") == "mooo")
    }

    @Test func theDetectorReportsGeneratedNamesWithTheHostsThatAskedForThem() throws {
        var b = EventBatchBuilder()
        let random = HandNames.random(20, seed: 9)
        var k = 0
        func add(_ name: String, _ rcode: String, _ host: String) {
            b.beginRow()
            b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(seconds: 1_700_000_000 + Int64(k)))
            b.set(b.column(Field.dnsQuestionName, .string), string: name)
            b.set(b.column(Field.dnsResponseCode, .string), string: rcode)
            b.set(b.column(Field.sourceIP, .ip), ip: IPAddress(host)!)
            b.endRow()
            k += 1
        }
        for (i, n) in HandNames.ordinary.enumerated() { add("www." + n + ".com", "NOERROR", "10.0.0.\(i % 5 + 1)") }
        for n in random { add(n, "NXDOMAIN", "10.0.0.66") }
        let batch = b.finish()
        var d = DGADetector()
        d.observe(batch, ids: (0..<Int64(batch.count)).map { $0 })
        let f = d.finish()
        let flagged = Set(f.map { $0.entity.parts[0] })
        let caught = random.filter(flagged.contains).count
        let wrong = flagged.subtracting(random).count
        print("hand-made case: \(caught) of \(random.count) random names reported, \(wrong) ordinary names reported")
        #expect(caught >= 15)
        #expect(wrong <= 2)
        let top = try #require(f.first)
        #expect(top.entity.kind == "domain")
        #expect(top.summary.contains("10.0.0.66") && top.summary.contains("never resolved"))
        #expect(top.evidence.count == 1)
        // Too few resolved names to learn from, and no model: nothing is reported.
        var few = EventBatchBuilder()
        for n in HandNames.ordinary.prefix(10) {
            few.beginRow()
            few.set(few.column(Field.dnsQuestionName, .string), string: n + ".com")
            few.set(few.column(Field.dnsResponseCode, .string), string: "NOERROR")
            few.endRow()
        }
        let small = few.finish()
        var d2 = DGADetector()
        d2.observe(small, ids: (0..<Int64(small.count)).map { $0 })
        #expect(d2.finish().isEmpty)
    }
}

/// The Netlab DGA sample (chrmor): 25 families and Alexa names. Leave-one-family-out: for each
/// family, a model trained on half the Alexa names and every *other* family scores that family
/// against the other half of the Alexa names.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct DGANetlabTests {
    static func sample() throws -> (benign: [String], families: [String: [String]]) {
        let url = try #require(SharedData.url("dga/chrmor-netlab-sample/dga_domains_sample.csv"))
        var benign: [String] = []
        var families: [String: [String]] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            if f[0] == "legit" { benign.append(String(f[2])) } else if f[0] == "dga" { families[String(f[1]), default: []].append(String(f[2])) }
        }
        return (benign, families)
    }

    /// A warninglist's entries; `.example.com` (the domain and everything under it) only with `keepLeadingDots`, without the dot.
    static func warninglist(_ name: String, keepLeadingDots: Bool = false) throws -> [String] {
        let url = try #require(SharedData.url("misp-warninglists/lists/\(name)/list.json"))
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return (obj?["list"] as? [String] ?? []).filter { (keepLeadingDots || !$0.hasPrefix(".")) && !$0.contains("*") }
            .map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
    }

    /// Families whose names are dictionary words (nymaim in this sample: two words and a hyphen): not separable by character statistics.
    static let dictionaryFamilies: Set<String> = ["suppobox", "gozi", "matsnu", "nymaim"]

    /// The top-domain warninglists used as more benign training names.
    static let topLists = ["cloudflare-top100k", "majestic_million", "tranco10k", "cisco_top20k"]

    /// Leave-one-family-out: benign training names are the even Alexa rows plus the top-domain
    /// warninglists (minus every name whose label is among the odd Alexa rows, which are the
    /// benign test names); for each family the classifier is fitted on the *other* families and
    /// scores the family against the odd Alexa rows. Also measured: the same with the even Alexa
    /// rows alone as benign names, and the benign-only model (no DGA examples).
    @Test func leaveOneFamilyOut() throws {
        let (benign, families) = try Self.sample()
        #expect(benign.count > 5000 && families.count == 25)
        let alexaTrain = benign.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let test = benign.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let testLabels = Set(test.compactMap(DGAModel.label))
        var extra: [String] = []
        var seen = Set<String>()
        for list in Self.topLists {
            for name in try Self.warninglist(list) {
                guard let l = DGAModel.label(name), !testLabels.contains(l), seen.insert(l).inserted else { continue }
                extra.append(name)
            }
        }
        let train = alexaTrain + extra
        let dynamicDNS = Set(try Self.warninglist("dynamic-dns", keepLeadingDots: true))
        let clock = ContinuousClock()
        let start = clock.now
        // AUC does not depend on the bias, so the calibration is the cheap one.
        let big = DGAModel(benign: train, calibration: .trainingNames)
        let small = DGAModel(benign: alexaTrain, calibration: .trainingNames)
        let dyn = DGAModel(benign: train, calibration: .trainingNames, dynamicDNS: dynamicDNS)
        let trained = clock.now - start
        // Features computed once per base model; each family's refit only fits the classifier.
        typealias Cached = DGALOFO
        let cBig = Cached(big, benign: train, test: test, families: families)
        let cSmall = Cached(small, benign: alexaTrain, test: test, families: families)
        let cDyn = Cached(dyn, benign: train, test: test, families: families)
        struct Row { var family: String; var auc: Double; var benignOnly: Double; var alexaOnly: Double; var dynamicDNS: Double; var before: Double }
        var rows: [Row] = []
        for family in families.keys.sorted() {
            rows.append(Row(family: family, auc: cBig.lofo(family), benignOnly: cBig.benignOnly(family), alexaOnly: cSmall.lofo(family),
                            dynamicDNS: cDyn.lofo(family), before: cBig.lofo(family, using: [0, 1])))
        }
        let f3 = { (v: Double) in String(format: "%.3f", v) }
        let hard = rows.filter { Self.dictionaryFamilies.contains($0.family) }
        let easy = rows.filter { !Self.dictionaryFamilies.contains($0.family) }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
        let columns: [(String, KeyPath<Row, Double>)] = [("LOFO AUC", \.auc), ("benign-only", \.benignOnly), ("Alexa half only", \.alexaOnly),
                                                         ("with dynamic-DNS labels", \.dynamicDNS), ("fit on features 0, 1 (round 2)", \.before)]
        var table = "| family | " + columns.map(\.0).joined(separator: " | ") + " |\n|---|" + columns.map { _ in "---|" }.joined() + "\n"
        for r in rows.sorted(by: { $0.auc > $1.auc }) {
            table += "| \(r.family)\(Self.dictionaryFamilies.contains(r.family) ? " (dictionary)" : "") | " + columns.map { f3(r[keyPath: $0.1]) }.joined(separator: " | ") + " |\n"
        }
        table += "| mean of the \(easy.count) non-dictionary families | " + columns.map { c in f3(mean(easy.map { $0[keyPath: c.1] })) }.joined(separator: " | ") + " |\n"
        table += "| of them ≥ 0.97 | " + columns.map { c in "\(easy.filter { $0[keyPath: c.1] >= 0.97 }.count)" }.joined(separator: " | ") + " |\n"
        table += "| mean of all \(rows.count) | " + columns.map { c in f3(mean(rows.map { $0[keyPath: c.1] })) }.joined(separator: " | ") + " |\n"
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-dga-lofo.md")
        try Data(table.utf8).write(to: out)
        print("dga LOFO (\(train.count) benign training names: \(alexaTrain.count) Alexa + \(extra.count) from \(Self.topLists.joined(separator: ", ")); \(test.count) unseen Alexa names; trained in \(trained)); table written to \(out.path)\n\(table)")
        print("dga LOFO dictionary families: \(hard.map { "\($0.family) \(f3($0.auc))" })")
        // The goal (issue 7) is ≥ 0.97 on every unseen family. Floors at what was measured
        // (see Docs/Detectors-host.md §2: 0.971 and 15 of 21, 0.975 with dynamic-DNS labels);
        // conficker, the pronounceable generators and kraken fall short.
        #expect(mean(easy.map(\.auc)) >= 0.97)
        #expect(mean(easy.map(\.dynamicDNS)) >= 0.974)
        #expect(easy.filter { $0.auc >= 0.97 }.count >= 15)
        #expect(easy.allSatisfy { $0.auc >= 0.75 })
        // The length-conditional features beat round 2's fit on features 0 and 1.
        #expect(mean(easy.map(\.auc)) > mean(easy.map(\.before)))
        // The larger benign set and the fitted classifier must beat the Alexa half alone and the benign-only model.
        #expect(mean(easy.map(\.auc)) > mean(easy.map(\.alexaOnly)) && mean(easy.map(\.auc)) > mean(easy.map(\.benignOnly)))
    }

    @Test func topListsAsASecondBenignSet() throws {
        let (benign, families) = try Self.sample()
        let model = DGAModel(benign: benign.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), dga: families.values.flatMap { $0 })
        for list in ["tranco10k", "cisco_top10k"] {
            let names = try Self.warninglist(list)
            let scores = names.map { model.score($0) }
            var perFamily: [String] = []
            var aucs: [Double] = []
            for (family, dga) in families.sorted(by: { $0.key < $1.key }) {
                let auc = rocAUC(positives: dga.map { model.score($0) }, negatives: scores)
                aucs.append(auc)
                perFamily.append("\(family) \(String(format: "%.3f", auc))")
            }
            let fp = Double(scores.filter { $0 >= 0.5 }.count) / Double(scores.count)
            let dgaScores = families.values.flatMap { $0 }.map { model.score($0) }
            let recall = Double(dgaScores.filter { $0 >= 0.5 }.count) / Double(dgaScores.count)
            let at1 = scores.sorted()[Int(Double(scores.count) * 0.99)]
            print("dga vs \(list): at the score where 1 % of the list is above (\(String(format: "%.3f", at1))), \(String(format: "%.3f", Double(dgaScores.filter { $0 > at1 }.count) / Double(dgaScores.count))) of the DGA names are above")
            let plain = zip(families.keys.sorted(), aucs).filter { !Self.dictionaryFamilies.contains($0.0) }.map(\.1)
            let meanPlain = plain.reduce(0, +) / Double(plain.count)
            print("dga vs \(list) (\(names.count) names; model trained with every family, so these are seen families): mean AUC \(String(format: "%.4f", aucs.reduce(0, +) / Double(aucs.count))) over all, \(String(format: "%.4f", meanPlain)) over the non-dictionary families; share of \(list) names scored ≥ 0.5: \(String(format: "%.3f", fp)), of DGA names: \(String(format: "%.3f", recall)); \(perFamily.joined(separator: ", "))")
            #expect(names.count > 5000)
            #expect(fp < 0.02)
            // The fitted classifier uses the two character-model features only (what generalises to
            // unseen families), so the dictionary families, seen here, score lower than with every
            // feature (measured 0.867 and 0.865 over all 25 with tranco and Umbrella).
            #expect(aucs.reduce(0, +) / Double(aucs.count) > 0.85)
            #expect(meanPlain > 0.90)
        }
    }
}

/// Features of the Netlab sample computed once under a base model, for leave-one-family-out refits.
struct DGALOFO {
    var model: DGAModel, benign: [[Double]], test: [[Double]], family: [String: [[Double]]]
    init(_ m: DGAModel, benign: [String], test: [String], families: [String: [String]]) {
        model = m
        self.benign = DGAModel.sample(benign.filter { m.split($0) != nil }).compactMap(m.features(name:))
        self.test = test.compactMap(m.features(name:))
        family = families.mapValues { $0.compactMap(m.features(name:)) }
    }
    func lofo(_ family: String, using: [Int] = DGAModel.fittedFeatures) -> Double {
        let others = self.family.filter { $0.key != family }.flatMap(\.value)
        let m = model.refitted(benignFeatures: benign, dgaFeatures: others, using: using)
        return rocAUC(positives: self.family[family, default: []].map(m.score(features:)), negatives: test.map(m.score(features:)))
    }
    func benignOnly(_ family: String) -> Double {
        rocAUC(positives: self.family[family, default: []].map(model.score(features:)), negatives: test.map(model.score(features:)))
    }
}

/// The simulated organisation's DGA: the detector, with no model given, reports the scenario's
/// generated names above every benign name the case looked up.
@Suite struct SimulatedDGATests {
    @Test func generatedNamesOutrankTheOrganisationsOwnLookups() async throws {
        let c = try await SimulatedCase.run(SimulationConfig(seed: 5, days: 1, hosts: 10, scenarios: ["dga"]))
        var d = DGADetector(threshold: 0)
        c.feed(&d)
        let findings = d.finish()
        var attack = Set<String>()
        for id in c.truthIDs(scenario: "dga") {
            if let n = c.event(id)?[Field.dnsQuestionName]?.description { attack.insert(n.lowercased()) }
        }
        #expect(attack.count >= 30)
        let scores = Dictionary(findings.map { ($0.entity.parts[0], $0.score) }, uniquingKeysWith: max)
        let pos = attack.compactMap { scores[$0] }, neg = scores.filter { !attack.contains($0.key) }.map(\.value)
        let auc = rocAUC(positives: pos, negatives: neg)
        let reported = findings.filter { $0.score >= 0.5 }
        let tp = reported.filter { attack.contains($0.entity.parts[0]) }.count
        print("simulated dga: \(c.events) events, \(scores.count) distinct names, \(attack.count) generated; AUC \(String(format: "%.4f", auc)); at 0.5: \(tp) generated and \(reported.count - tp) other names reported")
        #expect(pos.count == attack.count)
        #expect(auc > 0.97)
    }
}
