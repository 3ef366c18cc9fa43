import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

/// The `evtx` Python package (the Rust `evtx` crate) as an oracle.
enum EVTXOracle {
    static let python = ProcessInfo.processInfo.environment["SPOOR_PYTHON"] ?? "python3"

    /// Prints one line per record: `id <TAB> written time (µs) <TAB> json`.
    static let script = """
    import sys
    try:
        import evtx
    except Exception:
        print("NO-EVTX"); sys.exit(0)
    out = sys.stdout
    it = evtx.PyEvtxParser(sys.argv[1]).records_json()
    while True:
        try:
            r = next(it)
        except StopIteration:
            break
        except Exception:
            continue
        ts = r["timestamp"].replace(" UTC", "").rstrip("Z")
        main, _, frac = ts.partition(".")
        ts = main + "." + (frac + "000000")[:6] + "Z"
        out.write(str(r["event_record_id"]) + "\\t" + ts + "\\t" + r["data"].replace("\\n", "") + "\\n")
    """

    /// Records by id, or nil when `import evtx` fails.
    static func records(_ path: String) throws -> [(UInt64, String, JSONValue)]? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", script, path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = Array(data)
        if text.starts(with: Array("NO-EVTX".utf8)) || p.terminationStatus != 0 { return nil }
        var out: [(UInt64, String, JSONValue)] = []
        for line in text.split(separator: 0x0a) {
            let fields = line.split(separator: 0x09, maxSplits: 2)
            guard fields.count == 3, let id = UInt64(String(decoding: fields[0], as: UTF8.self)) else { continue }
            let json = Array(fields[2])
            out.append((id, String(decoding: fields[1], as: UTF8.self), try JSONParser(maximumDepth: 200).parse(json.span)))
        }
        return out
    }
}

/// The documented normalisation before comparing with the oracle: numbers are compared by value
/// (float text differs between Rust and Swift: `1e-5` vs `1e-05`).
func normalised(_ v: JSONValue) -> JSONValue {
    switch v {
    case .object(let kv): return .object(kv.map { ($0.0, normalised($0.1)) })
    case .array(let a): return .array(a.map(normalised))
    case .number(let n):
        if Int64(n) != nil || UInt64(n) != nil { return v }
        if let d = Double(n) { return .number("\(d)") }
        return v
    default: return v
    }
}

/// First differing path, for messages.
func firstDifference(_ a: JSONValue, _ b: JSONValue, path: String = "") -> String? {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        if x.map(\.0) != y.map(\.0) { return "\(path): keys \(x.map(\.0)) vs \(y.map(\.0))" }
        for (l, r) in zip(x, y) { if let d = firstDifference(l.1, r.1, path: path + "/" + l.0) { return d } }
        return nil
    case (.array(let x), .array(let y)):
        if x.count != y.count { return "\(path): \(x.count) vs \(y.count) items" }
        for (i, (l, r)) in zip(x, y).enumerated() { if let d = firstDifference(l, r, path: path + "[\(i)]") { return d } }
        return nil
    default:
        return a == b ? nil : "\(path): \(a.jsonText.prefix(120)) vs \(b.jsonText.prefix(120))"
    }
}

/// Records where spoor deliberately differs from the `evtx` package, with the reason.
let knownDifferences: [String: [UInt64: String]] = [
    // The record's EventData is a nested BinXML value followed by a RenderingInfo element
    // (`Culture`, `Message`, …); evtx stops after EventData, spoor keeps RenderingInfo.
    "E_Windows_system32_winevt_logs_Microsoft-Windows-Shell-Core%4Operational.evtx": [
        161: "spoor keeps RenderingInfo", 968: "spoor keeps RenderingInfo",
    ],
    // The last record of a dirty file: its BinXML substitution (type 0x21) holds only zero bytes.
    // evtx renders an invented empty `"Event": null` child; spoor renders no element for it.
    "Microsoft-Windows-LanguagePackSetup%4Operational.evtx": [17: "zeroed nested BinXML"],
]

@Suite struct EVTXConformanceTests {
    static var sampleFiles: [String] {
        guard let dir = SharedData.url("evtx-rs-samples/samples"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".evtx") }.sorted()
    }

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"), arguments: sampleFiles)
    func recordsEqualTheEvtxPackage(_ name: String) throws {
        let path = try #require(SharedData.url("evtx-rs-samples/samples/" + name)).path
        guard let oracle = try EVTXOracle.records(path) else {
            print("skipped: `import evtx` failed with \(EVTXOracle.python) (pip install evtx)")
            return
        }
        let file = try EVTXFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let (records, issues) = file.records()
        var mine: [UInt64: JSONValue] = [:]
        var times: [UInt64: String] = [:]
        for r in records { mine[r.recordID] = normalised(r.event); times[r.recordID] = r.timestamp.description }
        var equal = 0
        var known = 0
        var differences: [String] = []
        for (id, time, json) in oracle {
            guard let m = mine[id] else { differences.append("record \(id): missing"); continue }
            if times[id] != time { differences.append("record \(id): written time \(times[id] ?? "") vs \(time)"); continue }
            if let d = firstDifference(m, normalised(json)) {
                if knownDifferences[name]?[id] == nil { differences.append("record \(id): \(d)") } else { known += 1 }
            } else { equal += 1 }
        }
        let extra = records.count - oracle.count
        print("EVTX \(name): oracle \(oracle.count), spoor \(records.count), equal \(equal), known differences \(known), issues \(issues.map(\.kind.rawValue))")
        for d in differences.prefix(5) { print("  DIFF \(d)") }
        #expect(differences.isEmpty, "\(name): \(differences.count) records differ, first: \(differences.first ?? "")")
        #expect(extra >= 0)
        #expect(equal + known == oracle.count)
        #expect(oracle.isEmpty || equal > 0)
    }
}

