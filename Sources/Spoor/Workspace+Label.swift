import Foundation
import SpoorCore
import SpoorDetectors
import SpoorEvents
import SpoorLabels
import SpoorLearn
import SpoorRules
import SpoorStore

/// How `label` turns the case's facts into votes.
public struct LabelOptions: Sendable {
    /// The unit a label is about (see ``UnitKind``).
    public var unitKind: UnitKind = .hostHour
    /// A detector votes malicious on the units of its findings scoring at least this (per detector;
    /// ``defaultDetectorThreshold`` otherwise).
    public var detectorThresholds: [String: Double] = [:]
    public static let defaultDetectorThreshold = 0.7
    /// User-written functions: Sigma rules tagged `spoor.vote.malicious` or `spoor.vote.benign`.
    public var functions: RuleSet?
    /// Model functions' dependencies (correlated functions do not outvote independent ones).
    public var modelsDependencies = true
    /// A function's malicious votes on an entity it votes on in this many different days or more
    /// are suppressed as that entity's routine (0: never); see `VoteCollector.suppressRoutine`.
    public var routineDays = 3
    /// The share of malicious units: estimated with the model, or given when known.
    public var prior: LabelModel.Prior = .estimated
    public var pageSize = 50_000
    /// For experiments on dependent functions: `name → k` adds k near-copies of that function,
    /// each keeping every vote of the original with probability `copyAgreement` (seeded), as
    /// several rules written from one idea would.
    public var copies: [String: Int] = [:]
    /// Host-hour units: events keyed by an address join the unit of the host it belongs to
    /// (``HostAddressBook``); off, they form units of their own, keyed by the address.
    public var resolvesAddresses = true
    /// Functions left out by name (`detector:dns-tunnel`, `sigma:<title>`, `intel:<source>`,
    /// `warninglist`, `user:<id>`): to measure what one function adds to the labels.
    public var excluded: Set<String> = []
    /// The label model's prior belief in each function's precision (pseudo-units, rate).
    public var agreementStrength = 2.0
    public var agreementPrecision = 0.7
    public var copyAgreement = 0.9
    /// Copies fire on the original's events (true) or carry no events (the label model alone
    /// must notice them).
    public var copiesShareEvents = true
    /// A label model fitted before (on another case, or an earlier period) to apply as it is
    /// instead of fitting one: how a model is deployed, and how an attack-free run is scored with
    /// the same model as the attack run. Votes of functions the model does not know are dropped
    /// (listed in the report); functions it knows that did not vote here abstain.
    public var model: FittedLabelModel?

    public init(unitKind: UnitKind = .hostHour, functions: RuleSet? = nil) {
        self.unitKind = unitKind
        self.functions = functions
    }

    func threshold(_ detector: String) -> Double { detectorThresholds[detector] ?? Self.defaultDetectorThreshold }
}

/// What a labelling run did.
public struct LabelReport: Sendable, Codable {
    public var run: Int64
    public var unitKind: String
    public var units: Int
    public var events: Int
    public var functions: [FunctionSummary]
    /// Units at least one function voted on.
    public var coveredUnits: Int
    /// The label model's estimated share of malicious units.
    public var prior: Double
    /// Units with P(malicious) ≥ 0.5, by the label model and by majority vote.
    public var maliciousUnits: Int
    public var majorityMaliciousUnits: Int
    public var iterations: Int
    public var converged: Bool
    public var dependentGroups: [[String]]
    /// Whether the label model was applied as given (``LabelOptions/model``) rather than fitted,
    /// and the functions that voted here but are unknown to it (their votes were not used).
    public var applied: Bool
    public var unknownFunctions: [String]
    /// Functions left out on request (``LabelOptions/excluded``) that would have voted.
    public var excludedFunctions: [String]
    /// Host-hour units: the addresses bound to the case's hosts (``LabelOptions/resolvesAddresses``),
    /// stored with the run so that its units are met again the same way; nil when addresses
    /// were not resolved.
    public var addressBook: [HostAddressBook.Binding]?
    /// How many addresses were bound to a host (nil when addresses were not resolved).
    public var boundAddresses: Int? { addressBook.map { Set($0.map { "\($0.organization)/\($0.address)" }).count } }
    /// The label model's fingerprint (SHA-256 of its JSON, 16 hex digits), the same for a model
    /// and for every case it is applied to.
    public var modelDigest: String
    /// Votes dropped because another function had voted on the same unit for the same events.
    public var repeatedEvidence: [String: Int]
    /// Votes suppressed as an entity's routine: the function, the entity, on how many days it
    /// voted there and how many votes were dropped.
    public var routine: [Routine]
    public var seconds: Double

    public struct Routine: Sendable, Codable {
        public var function: String
        public var entity: String
        public var days: Int
        public var votes: Int
    }

    public struct FunctionSummary: Sendable, Codable {
        public var name: String
        public var source: String
        public var vote: String
        public var coverage: Int
        /// Estimated P(function votes malicious | malicious unit) and P(votes malicious | benign unit).
        public var truePositiveRate: Double
        public var falsePositiveRate: Double
        /// Estimated P(benign unit | function votes benign) or P(malicious unit | votes malicious).
        public var precision: Double?
    }
}

/// The unit of every event, by event id: an array from the first id (ids come in ascending
/// pages and are nearly dense), 4 bytes per event instead of a dictionary entry.
struct EventUnits {
    private var base: Int64 = -1
    private var units: [Int32] = []

    mutating func reserveCapacity(_ n: Int) { units.reserveCapacity(n) }

    mutating func set(_ id: Int64, _ unit: Int32) {
        if base < 0 { base = id }
        guard id >= base else { return }
        let i = Int(id - base)
        if i >= units.count { units.append(contentsOf: repeatElement(-1, count: i - units.count + 1)) }
        units[i] = unit
    }

    subscript(_ id: Int64) -> Int32? {
        guard base >= 0, id >= base, id - base < Int64(units.count) else { return nil }
        let u = units[Int(id - base)]
        return u >= 0 ? u : nil
    }
}

extension Workspace {
    /// The label model's name and version as stored with every label.
    public static let labelModelVersion = "spoor-label-model/1 (two-class Dawid–Skene, estimated prior, dependency groups)"
    /// A beacon votes when at most this share of the organisation's other internal hosts reach
    /// its destination (the beaconing detector's `prevalence` sub-score).
    static let maximumBeaconPrevalence = 0.1

    /// Labels the case's units: assigns every event to its unit and counts the unit's features
    /// (one pass), turns detections, detector findings, intel and warninglist matches and the
    /// user's functions into votes, fits the label model (no ground truth) and stores one label
    /// per unit with its votes, the functions' estimated accuracies and the model version.
    public func label(_ options: LabelOptions = LabelOptions(), arguments: [String] = [],
                      progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> LabelReport {
        let started = Date()
        let run = try await store.beginRun(command: "label", arguments: arguments)
        var collector = VoteCollector()
        var unitOfEvent = EventUnits()
        unitOfEvent.reserveCapacity(try await store.eventCount())
        var eventCount: [Int] = []
        var firstEvent: [Int64] = []
        // User functions run on the same pages.
        let userProgram = options.functions?.program
        let userEngine = userProgram.map { SigmaEngine($0) }
        var userFunction: [Int: Int] = [:]
        if let p = userProgram {
            for (i, rule) in p.rules.enumerated() {
                let tags = rule.metadata.tags.map { $0.lowercased() }
                let vote: Vote = tags.contains("spoor.vote.benign") ? .benign : (tags.contains("spoor.vote.malicious") ? .malicious : .abstain)
                guard vote != .abstain else { continue }
                userFunction[i] = collector.add(LabelingFunction(name: "user:" + (rule.metadata.id ?? rule.metadata.title), source: .user, vote: vote,
                                                                 summary: rule.metadata.title))
            }
        }
        var scanned = 0
        let book = options.unitKind == .hostHour && options.resolvesAddresses ? try await addressBook(pageSize: options.pageSize) : nil
        let units = try await forEachUnitPage(options.unitKind, addressBook: book, pageSize: options.pageSize, progress: progress) { batch, ids, unitOfRow, keys in
            if eventCount.count < keys.count {
                eventCount += Array(repeating: 0, count: keys.count - eventCount.count)
                firstEvent += Array(repeating: 0, count: keys.count - firstEvent.count)
            }
            for (r, u) in unitOfRow.enumerated() where u >= 0 {
                unitOfEvent.set(ids[r], u)
                if eventCount[Int(u)] == 0 { firstEvent[Int(u)] = ids[r] }
                eventCount[Int(u)] += 1
            }
            if let engine = userEngine {
                for m in engine.matches(in: batch) {
                    guard let f = userFunction[m.rule] else { continue }
                    collector.vote(f, unit: unitOfRow[m.row], collector.functions[f].vote, event: ids[m.row])
                }
            }
            scanned += batch.count
        }
        let (keys, features) = units.finish()
        // Rules and detectors.
        let detections = try await detections()
        // Beacons are common (update checks, telemetry, pollers): a beacon only votes when few
        // other hosts reach its destination (the detector's prevalence sub-score, RITA's idea).
        let details = detections.map { $0.engine == "detector" ? DetectorDetails(json: $0.details) : DetectorDetails() }
        for (d, x) in zip(detections, details) {
            guard d.eventIDs.contains(where: { unitOfEvent[$0] != nil }) else { continue }
            switch d.engine {
            case "detector":
                guard (x.score ?? 0) >= options.threshold(d.ruleID) else { continue }
                if d.ruleID == "beaconing" {
                    guard (x.prevalence ?? 0) <= Self.maximumBeaconPrevalence else { continue }
                }
                let f = collector.add(LabelingFunction(name: "detector:" + d.ruleID, source: .detector, vote: .malicious,
                                                       summary: "\(d.ruleID) findings scoring ≥ \(options.threshold(d.ruleID))"
                                                           + (d.ruleID == "beaconing" ? " to destinations at most a tenth of the other hosts reach" : "")))
                collector.vote(f, events: d.eventIDs) { unitOfEvent[$0] }
            default:
                // One function per rule: rules of one level differ in precision, and the label model
                // can only tell them apart when each votes on its own.
                let f = collector.add(LabelingFunction(name: "sigma:" + d.title, source: .sigma, vote: .malicious,
                                                       summary: "Sigma \(d.engine == "sigma" ? "rule" : "correlation") \(d.ruleID), level \(d.level)"))
                collector.vote(f, events: d.eventIDs) { unitOfEvent[$0] }
            }
        }
        // Intel and warninglists.
        for (source, polarity, event) in try await store.intelVoteEvents() {
            guard let u = unitOfEvent[event] else { continue }
            if polarity == "benign" {
                let f = collector.add(LabelingFunction(name: "warninglist", source: .warninglist, vote: .benign,
                                                       summary: "an indicator of the unit is on a MISP warninglist"))
                collector.vote(f, unit: u, .benign, event: event)
            } else {
                let f = collector.add(LabelingFunction(name: "intel:" + source, source: .intel, vote: .malicious,
                                                       summary: "an indicator of the unit is named by \(source)"))
                collector.vote(f, unit: u, .malicious, event: event)
            }
        }
        // An entity's routine is not evidence: suppressed before copies are made and before the model.
        let suppressed = collector.suppressRoutine(days: options.routineDays, entity: { u in keys[Int(u)].organization + "/" + keys[Int(u)].entity },
                                                   period: { u in keys[Int(u)].day.microseconds })
        // Functions left out on request (an ablation), before copies and the model.
        let names = collector.functions.map(\.name)
        let excluded = collector.keepFunctions { !options.excluded.contains(names[$0]) }
        // Deliberately dependent functions, for experiments: near-copies of a function fire on
        // the events it fired on (rules written from one idea match the same records), unless
        // `copiesShareEvents` is off (dependence the label model alone must handle).
        var rng = SplitMix64(seed: 0xC0FFEE)
        func addCopies() {
            for (name, k) in options.copies.sorted(by: { $0.key < $1.key }) {
                guard let original = collector.index(of: name) else { continue }
                let f = collector.functions[original]
                for c in 1...max(1, k) {
                    let copy = collector.add(LabelingFunction(name: "\(name)#copy\(c)", source: f.source, vote: f.vote,
                                                              summary: "near-copy of \(name) (keeps each vote with probability \(options.copyAgreement))"))
                    collector.copyVotes(of: original, to: copy, events: options.copiesShareEvents) { rng.unit() < options.copyAgreement }
                }
            }
        }
        if options.copiesShareEvents { addCopies() }
        // Functions that voted because of the same events count once.
        let repeated = collector.dropRepeatedEvidence()
        if !options.copiesShareEvents { addCopies() }
        collector.dropSilent()
        // The label model: fitted here, or a model fitted before applied as it is.
        let fitted: FittedLabelModel
        let matrix: LabelMatrix
        var unknown: [String] = []
        if let given = options.model {
            let known = Set(given.functionNames)
            let names = collector.functions.map(\.name)
            unknown = collector.keepFunctions { known.contains(names[$0]) }
            let dense = collector.columns(unitCount: keys.count)
            matrix = try LabelMatrix(functionNames: given.functionNames, columns: given.functionNames.map { name in
                collector.index(of: name).map { dense[$0] } ?? [Vote](repeating: .abstain, count: keys.count)
            })
            fitted = given
        } else {
            matrix = try LabelMatrix(functionNames: collector.functions.map(\.name), columns: collector.columns(unitCount: keys.count))
            var model = LabelModel(prior: options.prior, modelsDependencies: options.modelsDependencies)
            model.agreementStrength = options.agreementStrength
            model.agreementPrecision = options.agreementPrecision
            fitted = model.fit(matrix)
        }
        let probabilities = try fitted.probabilities(matrix)
        let majority = MajorityVote(prior: 0).probabilities(matrix)
        let column = Dictionary(fitted.functionNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let modelJSON = String(decoding: try fitted.jsonData(), as: UTF8.self)
        let digest = String(SHA256.hexDigest(Array(modelJSON.utf8)).prefix(16))
        var labels: [UnitLabel] = []
        labels.reserveCapacity(keys.count)
        var covered = 0
        for i in keys.indices {
            let votes = collector.votes(unit: Int32(i)).map { FunctionVote($0.function, $0.vote) }
            if !votes.isEmpty { covered += 1 }
            labels.append(UnitLabel(index: i, unit: keys[i], probability: probabilities[i], majority: majority[i], votes: votes,
                                    features: features.row(i), events: i < eventCount.count ? eventCount[i] : 0,
                                    firstEvent: i < firstEvent.count ? firstEvent[i] : 0))
        }
        let coverage = collector.coverage
        var records: [FunctionRecord] = []
        var summaries: [LabelReport.FunctionSummary] = []
        for (j, f) in collector.functions.enumerated() {
            guard let c = column[f.name] else { continue }
            let e = fitted.functions[c]
            let estimate = "{\"true_positive_rate\":\(Self.number(e.truePositiveRate)),\"false_positive_rate\":\(Self.number(e.falsePositiveRate)),\"true_negative_rate\":\(Self.number(e.trueNegativeRate)),\"coverage\":\(Self.number(e.coverage)),\"malicious_precision\":\(e.maliciousPrecision.map(Self.number) ?? "null"),\"benign_precision\":\(e.benignPrecision.map(Self.number) ?? "null"),\"group\":\(e.group.map(String.init) ?? "null")}"
            records.append(FunctionRecord(function: f, coverage: coverage[j], estimate: estimate))
            summaries.append(.init(name: f.name, source: f.source.rawValue, vote: f.vote == .malicious ? "malicious" : "benign", coverage: coverage[j],
                                   truePositiveRate: e.truePositiveRate, falsePositiveRate: e.falsePositiveRate,
                                   precision: f.vote == .malicious ? e.maliciousPrecision : e.benignPrecision))
        }
        let groups = fitted.groups.filter { $0.count > 1 }.map { $0.map { fitted.functionNames[$0] } }
        let report = LabelReport(run: run.rawValue, unitKind: options.unitKind.rawValue, units: keys.count, events: scanned, functions: summaries,
                                 coveredUnits: covered, prior: fitted.prior, maliciousUnits: probabilities.count { $0 >= 0.5 },
                                 majorityMaliciousUnits: majority.count { $0 > 0.5 }, iterations: fitted.report.iterations,
                                 converged: fitted.report.isConverged, dependentGroups: groups,
                                 applied: options.model != nil, unknownFunctions: unknown, excludedFunctions: excluded,
                                 addressBook: book?.bindings,
                                 modelDigest: digest,
                                 repeatedEvidence: repeated,
                                 routine: suppressed.map { .init(function: $0.function, entity: $0.entity, days: $0.periods, votes: $0.votes) },
                                 seconds: Date().timeIntervalSince(started))
        let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await store.storeLabelRun(run, unitKind: options.unitKind, model: Self.labelModelVersion, featureNames: features.names,
                                      report: reportJSON, functions: records, labels: labels)
        if options.model == nil {
            _ = try await store.storeModel(run: run, labelRun: run, kind: Self.labelModelKind, version: FittedLabelModel.formatVersion,
                                           parameters: "{}", model: modelJSON)
        }
        try await store.finishRun(run, summary: reportJSON)
        return report
    }

    /// The fingerprint of the label model of the newest labelling run (``LabelReport/modelDigest``;
    /// nil for runs stored before it was recorded).
    public func labelModelDigest() async throws -> String? {
        guard let run = try await store.latestLabelRun(),
              let v = try? JSONParser(maximumDepth: 32).parse(Array(run.report.utf8).span) else { return nil }
        return v["modelDigest"]?.stringValue
    }

    /// The address book a labelling run assigned its units with (``LabelReport/addressBook``
    /// in its report; nil for runs that did not resolve addresses or were stored before).
    static func addressBook(of run: LabelRunRecord) -> HostAddressBook? {
        guard let report = try? JSONDecoder().decode(LabelReport.self, from: Data(run.report.utf8)),
              let bindings = report.addressBook else { return nil }
        return HostAddressBook(bindings: bindings)
    }

    /// The kind under which fitted label models are stored in the case's `models` table.
    public static let labelModelKind = "label-model"

    /// The newest label model fitted in this case (to apply it to another case with
    /// ``LabelOptions/model``).
    public func fittedLabelModel() async throws -> FittedLabelModel {
        guard let record = try await store.latestModel(labelRun: nil, kind: Self.labelModelKind) else { throw WorkspaceError.notLabelled }
        do {
            return try FittedLabelModel(json: Data(record.model.utf8))
        } catch {
            throw WorkspaceError.invalidInput("the case's label model \(record.id): \(error)")
        }
    }

    /// The newest labelling run's labels (empty when the case was never labelled).
    public func labels() async throws -> (run: LabelRunRecord, labels: [UnitLabel])? {
        guard let run = try await store.latestLabelRun() else { return nil }
        return (run, try await store.labels(run: run.run, unitKind: run.unitKind))
    }

    static func number(_ x: Double) -> String { x.isFinite ? String(x) : "null" }
}
