import Foundation
import SpoorCore
import SpoorTesting

/// Shared helpers of the SpoorIntel tests.
enum IntelTestSupport {
    static var python: String? { ProcessInfo.processInfo.environment["SPOOR_PYTHON"] }

    /// Runs `Oracle/<script>` under `SPOOR_PYTHON` with `arguments`; its stdout, or nil when the
    /// interpreter is not set or the script fails (a missing package: the test skips).
    static func runOracle(_ script: String, arguments: [String]) throws -> Data? {
        guard let python else { return nil }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/\(script)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [path.path] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? data : nil
    }

    /// A temporary file holding `text`, removed by the caller.
    static func temporaryFile(_ text: String, suffix: String = ".txt") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-intel-\(UUID().uuidString)\(suffix)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Team Cymru's answers in pyasn's `cymru.map` (`'1.2.3.4' : 15169,` or `: None,`).
    static func cymruMap() throws -> [(ip: String, asn: UInt32?)] {
        guard let url = SharedData.url("pyasn-data/data/cymru.map") else { return [] }
        var out: [(String, UInt32?)] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0].contains("'") else { continue }
            let ip = parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "' "))
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            out.append((ip, UInt32(value)))
        }
        return out
    }

    static func timestamp(_ y: Int, _ m: Int, _ d: Int) -> Timestamp {
        Timestamp(microseconds: CivilTime(year: y, month: m, day: d).utcMicroseconds)
    }
}
