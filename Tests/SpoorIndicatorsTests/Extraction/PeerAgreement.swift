import Foundation
import SpoorIndicators

/// Precision and recall per kind against a peer's expected output.
struct PeerAgreement {
    struct Counts { var tp = 0, fp = 0, fn = 0 }
    var raw: [IndicatorKind: Counts] = [:]
    /// Counts with the documented deliberate disagreements left out.
    var adjusted: [IndicatorKind: Counts] = [:]
    var disagreements: [String] = []

    /// Scores one case: `expected` and `actual` are sets of canonical indicators; `deliberate`
    /// lists the indicators (found or missed) that Docs/Indicators.md explains.
    mutating func add(case id: String, expected: Set<Indicator>, actual: Set<Indicator>, kinds: Set<IndicatorKind>,
                      deliberate: Set<Indicator>) {
        for x in actual.union(expected) where kinds.contains(x.kind) {
            let inE = expected.contains(x), inA = actual.contains(x)
            func bump(_ d: inout [IndicatorKind: Counts]) {
                if inE && inA { d[x.kind, default: .init()].tp += 1 } else if inA { d[x.kind, default: .init()].fp += 1 } else { d[x.kind, default: .init()].fn += 1 }
            }
            bump(&raw)
            if !deliberate.contains(x) { bump(&adjusted) } else if inE && inA { adjusted[x.kind, default: .init()].tp += 1 }
            if inE != inA { disagreements.append("\(id): \(inA ? "extra" : "missed") \(x)\(deliberate.contains(x) ? " (deliberate)" : "")") }
        }
    }

    static func f1(_ c: Counts) -> (p: Double, r: Double, f: Double) {
        let p = c.tp + c.fp == 0 ? 1 : Double(c.tp) / Double(c.tp + c.fp)
        let r = c.tp + c.fn == 0 ? 1 : Double(c.tp) / Double(c.tp + c.fn)
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r))
    }

    func table(_ title: String) -> String {
        var lines = [title, "kind                          tp   fp   fn  P      R      F1    | deliberate excluded: tp   fp   fn  F1"]
        for kind in raw.keys.sorted() {
            let c = raw[kind] ?? .init(), a = adjusted[kind] ?? .init()
            let (p, r, f) = Self.f1(c)
            lines.append(kind.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: " %4d %4d %4d  %.3f  %.3f  %.3f |                    %4d %4d %4d  %.3f",
                         c.tp, c.fp, c.fn, p, r, f, a.tp, a.fp, a.fn, Self.f1(a).f))
        }
        return lines.joined(separator: "\n")
    }
}
