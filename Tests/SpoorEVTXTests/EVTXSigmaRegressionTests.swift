import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

/// SigmaHQ's regression data: each `.evtx` has a `.json` twin written by evtx_dump (one
/// pretty-printed `{"Event": …}` object per record, concatenated).
@Suite struct EVTXSigmaRegressionTests {
    static var pairs: [String] {
        guard let root = SharedData.url("sigma/regression_data"),
              let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".evtx") }.sorted()
    }

    /// Splits concatenated JSON texts at top-level object ends (string-aware).
    static func objects(_ b: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var depth = 0, inString = false, escaped = false, start = -1
        for (i, c) in b.enumerated() {
            if inString {
                if escaped { escaped = false } else if c == 0x5c { escaped = true } else if c == 0x22 { inString = false }
                continue
            }
            switch c {
            case 0x22: inString = true
            case 0x7b: if depth == 0 { start = i }; depth += 1
            case 0x7d:
                depth -= 1
                if depth == 0 && start >= 0 { out.append(Array(b[start...i])); start = -1 }
            default: break
            }
        }
        return out
    }

    /// The regression JSON was written by an older evtx_dump that trims trailing spaces from
    /// string values; the `evtx` package 0.14 (and spoor) keep them. Compared after trimming.
    static func trimmed(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let kv): return .object(kv.map { ($0.0, trimmed($0.1)) })
        case .array(let a): return .array(a.map(trimmed))
        case .string(let s):
            var t = Substring(s)
            while let last = t.last, last == " " { t = t.dropLast() }
            return .string(String(t))
        default: return v
        }
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func everyRecordEqualsItsJSONTwin() throws {
        let root = try #require(SharedData.url("sigma/regression_data"))
        var compared = 0
        var differences: [String] = []
        for rel in Self.pairs {
            let evtxURL = root.appendingPathComponent(rel)
            let jsonURL = evtxURL.deletingPathExtension().appendingPathExtension("json")
            guard let jsonBytes = try? Data(contentsOf: jsonURL) else { continue }
            let twins = try Self.objects(Array(jsonBytes)).map { try JSONParser(maximumDepth: 200).parse($0.span) }
            let file = try EVTXFile(bytes: Array(try Data(contentsOf: evtxURL)))
            let records = file.records().records
            if records.count != twins.count { differences.append("\(rel): \(records.count) records vs \(twins.count) JSON objects") }
            for (r, t) in zip(records, twins) {
                compared += 1
                if let d = firstDifference(Self.trimmed(normalised(r.event)), Self.trimmed(normalised(t))) { differences.append("\(rel) record \(r.recordID): \(d)") }
            }
        }
        print("EVTX sigma regression: \(Self.pairs.count) files, \(compared) records compared, \(differences.count) differences")
        for d in differences.prefix(10) { print("  DIFF \(d)") }
        #expect(compared > 0)
        #expect(differences.isEmpty, "\(differences.first ?? "")")
    }
}
