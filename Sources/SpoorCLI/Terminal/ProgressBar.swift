import Foundation
import Synchronization

/// A progress bar on standard error, drawn only when it is a terminal.
///
/// Redraws at most ten times a second; `finish()` clears the line so the result that
/// follows starts clean. Counts are bytes (ingest) or events (every stage that reads the case).
final class ProgressBar: Sendable {
    enum Unit: String, Sendable { case bytes, events, files }
    private struct State { var last: Double = 0; var drawn = false; var stage = ""; var stageStart = Date() }
    private let state = Mutex(State())
    private let label: String
    private let unit: Unit
    private let enabled: Bool

    init(label: String, unit: Unit = .events, enabled: Bool = TerminalText.stderrIsTerminal) {
        self.label = label
        self.unit = unit
        self.enabled = enabled
    }

    /// `stage` names the step of a multi-stage job (ingest counts bytes, the others events).
    func update(done: Int, total: Int, stage: String? = nil) {
        guard enabled else { return }
        let now = Date()
        let drawn = state.withLock { s -> (draw: Bool, start: Date) in
            if let stage, stage != s.stage { s.stage = stage; s.stageStart = now; s.last = 0 }
            guard now.timeIntervalSince1970 - s.last >= 0.1 else { return (false, s.stageStart) }
            s.last = now.timeIntervalSince1970
            s.drawn = true
            return (true, s.stageStart)
        }
        guard drawn.draw else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = now.timeIntervalSince(drawn.start)
        let bytes = stage.map { $0 == "ingest" } ?? (unit == .bytes)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let name = stage.map { label + " " + $0 } ?? label
        let line: String
        if bytes {
            let rate = elapsed > 0 ? Double(done) / elapsed / 1_048_576 : 0
            line = String(format: "\r\u{1B}[2K%@ %@ %3.0f%%  %@ / %@  %.1f MiB/s ", name, bar, fraction * 100,
                          ByteCount.format(done), ByteCount.format(total), rate)
        } else {
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            line = String(format: "\r\u{1B}[2K%@ %@ %3.0f%%  %@ / %@ %@  %@/s ", name, bar, fraction * 100,
                          ByteCount.count(done), ByteCount.count(total), unit == .files ? "files" : "events", ByteCount.count(Int(rate)))
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

enum ByteCount {
    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func format(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}
