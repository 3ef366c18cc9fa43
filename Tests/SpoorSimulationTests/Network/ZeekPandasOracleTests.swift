import Foundation
import Testing
import SpoorCore
@testable import SpoorSimulation

/// An independent reader: pandas reads every simulated Zeek TSV by its `#fields` header and
/// checks each column's values against its `#types` (times and intervals as floats, ports
/// and counts as integers, addresses by Python's `ipaddress`, booleans T/F).
@Suite struct ZeekPandasOracleTests {
    static var python: String? { ProcessInfo.processInfo.environment["SPOOR_PYTHON"] }

    static let script = #"""
import io, ipaddress, json, sys
import pandas as pd
out = {}
for path in sys.argv[1:]:
    fields = types = None
    data = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#fields\t"): fields = line.rstrip("\n").split("\t")[1:]
            elif line.startswith("#types\t"): types = line.rstrip("\n").split("\t")[1:]
            elif not line.startswith("#"): data.append(line)
    df = pd.read_csv(io.StringIO("".join(data)), sep="\t", header=None, names=fields, dtype=str,
                     keep_default_na=False, quoting=3)
    bad = 0
    for name, typ in zip(fields, types):
        col = df[name]
        vals = col[col != "-"]
        if typ in ("time", "interval", "double"):
            bad += int(pd.to_numeric(vals, errors="coerce").isna().sum())
        elif typ in ("port", "count", "int"):
            num = pd.to_numeric(vals, errors="coerce")
            bad += int(num.isna().sum()) + int((num.dropna() % 1 != 0).sum())
        elif typ == "addr":
            for v in vals:
                try: ipaddress.ip_address(v)
                except ValueError: bad += 1
        elif typ == "bool":
            bad += int((~vals.isin(["T", "F"])).sum())
        elif typ.startswith("vector[interval"):
            for v in vals:
                if v != "(empty)":
                    bad += sum(1 for x in v.split(",") if not x.replace(".", "", 1).isdigit())
    out[path.rsplit("/", 1)[-1]] = {"rows": int(len(df)), "columns": int(df.shape[1]), "fields": len(fields), "bad": bad,
                                    "ts_min": float(pd.to_numeric(df["ts"]).min())}
print(json.dumps(out))
"""#

    @Test(.enabled(if: python != nil, "SPOOR_PYTHON is not set: the pandas reading of the Zeek TSV is skipped"))
    func pandasReadsEveryZeekLog() throws {
        let python = try #require(Self.python)
        let config = SimulationConfig(seed: 5, days: 2, hosts: 8)
        let (output, _, _) = NetSim.run(config)
        let dir = NetSim.temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        try output.write(logs: dir)
        let scriptURL = dir.appendingPathComponent("oracle.py")
        try Data(Self.script.utf8).write(to: scriptURL)
        let logs = ZeekLog.allCases.map { dir.appendingPathComponent("acme/zeek/\($0.rawValue).log").path }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [scriptURL.path] + logs
        let pipe = Pipe(), errors = Pipe()
        p.standardOutput = pipe
        p.standardError = errors
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if errText.contains("No module named 'pandas'") {
            print("pandas is not installed in SPOOR_PYTHON: skipped")
            return
        }
        #expect(p.terminationStatus == 0, "\(errText)")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Double]])
        for log in ZeekLog.allCases {
            let r = try #require(json["\(log.rawValue).log"])
            let expected = output.files["acme/zeek/\(log.rawValue).log"]?.count ?? -1
            print("pandas \(log.rawValue).log: \(Int(r["rows"] ?? 0)) rows × \(Int(r["columns"] ?? 0)) columns, \(Int(r["bad"] ?? -1)) values not of their #types")
            #expect(Int(r["rows"] ?? 0) == expected)
            #expect(r["columns"] == Double(log.columns.count) && r["fields"] == Double(log.columns.count))
            #expect(r["bad"] == 0)
            #expect((r["ts_min"] ?? 0) >= Double(config.window.start.seconds))
        }
    }
}
