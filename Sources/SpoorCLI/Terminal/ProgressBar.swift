import Foundation
import Synchronization

/// A progress bar on standard error, drawn only when it is a terminal.
///
/// Redraws at most ten times a second; `finish()` clears the line so the result that
/// follows starts clean.
final class ProgressBar: Sendable {
    private struct State { var last: Double = 0; var drawn = false }
    private let state = Mutex(State())
    private let label: String
    private let enabled: Bool
    private let start = Date()

    init(label: String, enabled: Bool = TerminalText.stderrIsTerminal) {
        self.label = label
        self.enabled = enabled
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let shouldDraw = state.withLock { s -> Bool in
            guard now - s.last >= 0.1 else { return false }
            s.last = now
            s.drawn = true
            return true
        }
        guard shouldDraw else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed / 1_048_576 : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(format: "\r%@ %@ %3.0f%%  %@ / %@  %.1f MiB/s ", label, bar, fraction * 100,
                          ByteCount.format(done), ByteCount.format(total), rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

enum ByteCount {
    static func format(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}
