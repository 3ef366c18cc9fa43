import Foundation

/// Text from logs made safe for a terminal.
///
/// Attackers write logs: an escape sequence in a user agent could recolour, hide or rewrite
/// what an analyst sees, or worse on old terminals. Every C0 and C1 control character and DEL
/// is shown as a visible escape (`\x1b`, `\u{9b}`) instead; tabs stay tabs in tables only if
/// asked.
enum TerminalText {
    static func sanitize(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) { needs = true; break }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                out += "\\x" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
            } else if u.value >= 0x80 && u.value <= 0x9F {
                out += "\\u{" + String(u.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Whether standard error is a terminal (progress bars go there).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Whether standard output is a terminal.
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

/// Writes to standard output/error without buffering surprises.
enum Console {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func err(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
