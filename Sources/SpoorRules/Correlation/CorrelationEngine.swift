import SpoorCore
import SpoorEvents

/// An event that took part in a correlation: which rule matched, where and when.
public struct CorrelatedEvent: Sendable, Hashable {
    /// Index into ``SigmaProgram/rules`` (or, for a chained correlation, `-1 - correlation`).
    public var rule: Int
    /// Caller's reference to the event (batch number and row, say).
    public var reference: Int64
    public var time: Timestamp
}

/// A correlation rule that fired (Sigma specification "Sigma Correlation Rules").
public struct CorrelationHit: Sendable, Hashable {
    /// Index into ``SigmaProgram/correlations``.
    public var correlation: Int
    /// The `group-by` values, in the order the rule lists its fields.
    public var group: [String]
    /// The aggregate the condition tested: event count, distinct values, rules seen, sum, …
    public var value: Double
    public var first: Timestamp
    public var last: Timestamp
    /// The events in the window, in time order.
    public var events: [CorrelatedEvent]
}

/// Evaluates correlation rules over base-rule matches, in event time.
///
/// Windows slide with the events, not on fixed boundaries (the spec: "should not be restricted
/// to boundaries"): for each group, the window starts at the first event not yet covered and
/// spans `timespan`; when its aggregate satisfies the condition the window is reported (with
/// the events up to where it first held) and the next one starts after the window's last event. A window of any alignment that satisfies a lower bound (`gt`,
/// `gte`) also contains one starting at an event, so none is missed; upper bounds (`lt`,
/// `lte`) are judged on complete windows.
public struct CorrelationEngine: Sendable {
    public let program: SigmaProgram
    private var inputs: [Input] = []
    /// Per correlation: the base rules it reads (directly), or the correlations it chains.
    private let correlationRefs: [String: Int]

    struct Input: Sendable {
        var event: CorrelatedEvent
        /// Per correlation that reads this rule: group values and the `field` value.
        var keys: [Int: (group: [String], value: String?)]
    }

    public init(program: SigmaProgram) {
        self.program = program
        var c: [String: Int] = [:]
        for (i, cor) in program.correlations.enumerated() {
            if let id = cor.metadata.id { c[id] = i }
            if let n = cor.metadata.name { c[n] = i }
        }
        correlationRefs = c
    }

    /// Whether any correlation reads rule `i` (so its matches must be fed to ``add(_:in:reference:)``).
    public func isCorrelated(_ rule: Int) -> Bool {
        let m = program.rules[rule].metadata
        return program.correlations.contains { c in c.rules.contains { $0 == m.id || $0 == m.name } }
    }

    /// Whether a rule's own matches are reported: not when it is read only by correlations
    /// without `generate: true` (spec: "generate").
    public func reportsOwnMatches(_ rule: Int) -> Bool {
        let m = program.rules[rule].metadata
        let readers = program.correlations.filter { c in c.rules.contains { $0 == m.id || $0 == m.name } }
        return readers.isEmpty || readers.contains { $0.generate }
    }

    /// Records the matches of one batch; `reference(row)` names each event for the hits.
    public mutating func add(_ matches: [SigmaMatch], in batch: EventBatch, reference: (Int) -> Int64) {
        guard !program.correlations.isEmpty else { return }
        var evaluator = BatchEvaluator(program: program, batch: batch)
        let time = batch.columnIndex[Field.timestamp]
        for m in matches {
            var keys: [Int: (group: [String], value: String?)] = [:]
            let meta = program.rules[m.rule].metadata
            for (ci, c) in program.correlations.enumerated() {
                guard let ref = c.rules.first(where: { $0 == meta.id || $0 == meta.name }) else { continue }
                let group = c.groupBy.map { field -> String in
                    let actual = c.aliases[field]?[ref] ?? c.aliases[field]?[meta.id ?? ""] ?? c.aliases[field]?[meta.name ?? ""] ?? field
                    return Self.text(actual, rule: m.rule, row: m.row, &evaluator) ?? ""
                }
                let value = c.conditionField.flatMap { Self.text($0, rule: m.rule, row: m.row, &evaluator) }
                keys[ci] = (group, value)
            }
            guard !keys.isEmpty else { continue }
            let t = time.flatMap { batch.columns[$0].isValid(m.row) ? Timestamp(microseconds: batch.columns[$0].integers[m.row]) : nil }
                ?? Timestamp(microseconds: 0)
            inputs.append(Input(event: CorrelatedEvent(rule: m.rule, reference: reference(m.row), time: t), keys: keys))
        }
    }

    /// A Sigma field's text in a matched event, through the rule's binding.
    static func text(_ field: String, rule: Int, row: Int, _ e: inout BatchEvaluator) -> String? {
        for alt in e.program.rules[rule].alternatives {
            guard let source = SigmaCompiler.source(field, alt.binding, alt.alternative) else { continue }
            if let v = e.text(source, row, cased: true) { return String(decoding: v, as: UTF8.self) }
        }
        return nil
    }

    /// Every correlation hit, in the order correlations are listed, then by time.
    public func finish() -> [CorrelationHit] {
        var hits: [CorrelationHit] = []
        var byCorrelation: [Int: [CorrelationHit]] = [:]
        let sorted = inputs.enumerated().sorted { ($0.element.event.time, $0.offset) < ($1.element.event.time, $1.offset) }.map(\.element)
        // Correlations are resolved in dependency order (SigmaProgram.resolveCorrelations).
        for (ci, c) in program.correlations.enumerated() {
            // Inputs: base-rule events, plus hits of chained correlations as events.
            var items: [(event: CorrelatedEvent, group: [String], value: String?, ruleRef: String)] = []
            for input in sorted {
                guard let k = input.keys[ci] else { continue }
                let meta = program.rules[input.event.rule].metadata
                let ref = c.rules.first { $0 == meta.id || $0 == meta.name } ?? ""
                items.append((input.event, k.group, k.value, ref))
            }
            for ref in c.rules {
                guard let chained = correlationRefs[ref], chained != ci else { continue }
                for h in byCorrelation[chained] ?? [] {
                    let e = CorrelatedEvent(rule: -1 - chained, reference: h.events.last?.reference ?? 0, time: h.last)
                    items.append((e, h.group, String(h.value), ref))
                }
            }
            items.sort { $0.event.time < $1.event.time }
            var groups: [[String]: [Int]] = [:]
            var order: [[String]] = []
            for (i, it) in items.enumerated() {
                if groups[it.group] == nil { order.append(it.group) }
                groups[it.group, default: []].append(i)
            }
            var found: [CorrelationHit] = []
            for g in order {
                let idx = groups[g] ?? []
                var start = 0
                while start < idx.count {
                    let t0 = items[idx[start]].event.time.microseconds
                    var end = start
                    while end + 1 < idx.count, items[idx[end + 1]].event.time.microseconds - t0 <= c.timespan { end += 1 }
                    // A lower-bound condition holds as soon as enough events arrived: report the
                    // shortest prefix that satisfies it; upper bounds are judged on the whole window.
                    let onlyLower = c.conditions.allSatisfy { [.gt, .gte].contains($0.0) }
                    var acc = Accumulator(c)
                    var reported = false
                    for k in start...end {
                        let it = items[idx[k]]
                        acc.add(rule: it.ruleRef, value: it.value)
                        guard onlyLower || k == end, let v = acc.value,
                              c.conditions.allSatisfy({ $0.0.holds(v, $0.1) }) else { continue }
                        let evs = idx[start...k].map { items[$0].event }
                        found.append(CorrelationHit(correlation: ci, group: g, value: v, first: evs[0].time,
                                                    last: evs[evs.count - 1].time, events: evs))
                        // The window is spent: the next one starts after it (one hit per burst
                        // and timespan, not one per `gte` events).
                        start = end + 1
                        reported = true
                        break
                    }
                    if !reported { start += 1 }
                }
            }
            found.sort { $0.first < $1.first }
            byCorrelation[ci] = found
            hits += found
        }
        return hits
    }

    /// The aggregate a correlation's condition tests, grown one event at a time.
    struct Accumulator {
        let c: SigmaCorrelation
        var count = 0
        var distinct = Set<String>()
        var rules = Set<String>()
        var nextOrdered = 0
        var numbers: [Double] = []

        init(_ c: SigmaCorrelation) { self.c = c }

        mutating func add(rule: String, value: String?) {
            count += 1
            switch c.kind {
            case .eventCount: break
            case .valueCount: if let value { distinct.insert(value) }
            case .temporal: rules.insert(rule)
            case .temporalOrdered:
                // How many of the listed rules were seen in the listed order (greedy subsequence).
                if nextOrdered < c.rules.count, rule == c.rules[nextOrdered] { nextOrdered += 1 }
            case .valueSum, .valueAvg, .valuePercentile:
                if let x = value.flatMap(Double.init) { numbers.append(x) }
            }
        }

        var value: Double? {
            switch c.kind {
            case .eventCount: return Double(count)
            case .valueCount: return Double(distinct.count)
            case .temporal: return Double(rules.count)
            case .temporalOrdered: return Double(nextOrdered)
            case .valueSum: return numbers.isEmpty ? nil : numbers.reduce(0, +)
            case .valueAvg: return numbers.isEmpty ? nil : numbers.reduce(0, +) / Double(numbers.count)
            case .valuePercentile:
                guard !numbers.isEmpty else { return nil }
                // Nearest-rank percentile.
                let p = min(100, max(0, c.percentile ?? 95))
                let s = numbers.sorted()
                let rank = max(1, Int((p / 100 * Double(s.count)).rounded(.up)))
                return s[min(s.count, rank) - 1]
            }
        }
    }
}
