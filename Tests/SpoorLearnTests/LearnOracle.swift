import Foundation
import SpoorCore

/// Runs `Oracle/learn_oracle.py` (scikit-learn) under `SPOOR_PYTHON`: one JSON request in a
/// temporary file, one JSON answer on stdout. Nil when `SPOOR_PYTHON` is unset.
enum LearnOracle {
    static var python: String? { ProcessInfo.processInfo.environment["SPOOR_PYTHON"] }
    static let skipMessage = "SPOOR_PYTHON is not set: the scikit-learn comparison is skipped"

    static func run(_ task: String, _ request: [String: Any]) throws -> [String: Any]? {
        guard let python else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-learn-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: request).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/learn_oracle.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, task, file.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw OracleFailure(message: String(decoding: errors.suffix(2000), as: UTF8.self))
        }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    struct OracleFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "oracle failed: \(message)" }
    }
}

/// Seeded random test data.
enum RandomData {
    /// Scores with labels drawn so that higher scores are more often positive; `ties` rounds
    /// the scores to a few distinct values.
    static func scored(_ n: Int, seed: UInt64, ties: Bool) -> (scores: [Double], labels: [Bool], weights: [Double]) {
        var rng = SplitMix64(seed: seed)
        var s: [Double] = [], y: [Bool] = [], w: [Double] = []
        for _ in 0..<n {
            let latent = rng.normal()
            let label = rng.unit() < 1 / (1 + exp(-1.5 * latent))
            var score = latent + rng.normal(deviation: 0.8)
            if ties { score = (score * 2).rounded() / 2 }
            s.append(score); y.append(label); w.append(0.2 + 2 * rng.unit())
        }
        return (s, y, w)
    }
}
