/// Windows paths, Unix paths and registry keys.
///
/// Paths may hold spaces (`C:\Program Files\x.exe`, `HKLM\SOFTWARE\Windows NT\…`), and free text
/// separates words with spaces too. The rule: a single space continues the path when the next
/// word reaches another separator (`\` or `/`) before any whitespace; otherwise the path ends
/// before the space. So `C:\Program Files\x.exe was run` ends at `x.exe`, and two spaces or a
/// line break always end it.
enum PathSyntax {
    /// Bytes that end a path component: controls, space (see above), quotes, `|`, `*`, `?`,
    /// `,` and `;` (list separators in text), and the typographic quotes' lead byte 0xE2 when
    /// followed by a quote (checked by the caller, which treats 0xE2 as an end).
    @inline(__always) static func isStop(_ c: UInt8) -> Bool {
        switch c {
        case 0..<0x21, 0x7F, 0x22, 0x27, 0x60, 0x7C, 0x2A, 0x3F, 0x2C, 0x3B, 0xE2: return true
        default: return false
        }
    }

    /// The end of a path whose components start at `start`, components separated by `sep`, or
    /// nil when it is a glob pattern (ends at `*` or `?`) or has an unclosed `<`.
    ///
    /// Spaces: words separated by single spaces continue the path when they reach `sep` before
    /// any other whitespace, within 64 bytes, and none of them starts a new path or registry key
    /// (`…\Windows NT\CurrentVersion`, `…\Image File Execution Options\x.exe` continue;
    /// `…\ConsoleIME HKLM\…` and `…\x.exe was run` stop).
    static func pathEnd(_ b: Span<UInt8>, _ start: Int, _ limit: Int, sep: UInt8) -> Int? {
        var i = start
        var open = 0
        while i < limit {
            let c = b[i]
            if c == 0x20 {
                // A Unix path goes on past a space only into the very next word, when that word
                // reaches the next `/` itself (`/Library/Storage/File System/HFS/…`) and is no
                // option or URL: a command line (`/bin/bash -c curl http://…`) ends at its program.
                if sep == 0x2F {
                    var j = i + 1
                    guard j < limit, b[j] != 0x20, b[j] != 0x2D, b[j] != 0x2F, b[j] != 0x7E else { break }
                    while j < limit, b[j] != sep, b[j] != 0x20, !isStop(b[j]) { j += 1 }
                    guard j < limit, b[j] == sep, b[j - 1] != 0x3A else { break }
                    i = j
                    continue
                }
                var j = i
                var reached = false
                while j < limit, j - i <= 64 {
                    guard b[j] == 0x20, j + 1 < limit, b[j + 1] != 0x20 else { break }
                    j += 1
                    if windowsPrefix(b, j, limit) != nil || hive(b, j, limit) != nil { break }
                    // A Unix path never continues into a word that starts a new one (`/a /b`, `/a ~/b`).
                    if sep == 0x2F, b[j] == 0x2F || b[j] == 0x7E { break }
                    while j < limit, b[j] != sep, b[j] != 0x20, !isStop(b[j]) { j += 1 }
                    if j < limit, b[j] == sep { reached = true; break }
                }
                guard reached else { break }
                i = j
                continue
            }
            if isStop(c) {
                if c == 0x2A || c == 0x3F { return nil }
                break
            }
            i += 1
        }
        for k in start..<i { if b[k] == 0x3C { open += 1 } else if b[k] == 0x3E { open -= 1 } }
        guard open == 0 else { return nil }
        // Trailing punctuation belongs to the sentence, not the path.
        while i > start, [0x2E, 0x3A, 0x29, 0x5D, 0x7D].contains(b[i - 1]) { i -= 1 }
        return i
    }

    /// The length of a Windows path prefix at `i`: `C:\`, `\\host\`, `\\?\C:\`, `%VAR%\`; nil if none.
    static func windowsPrefix(_ b: Span<UInt8>, _ i: Int, _ limit: Int) -> Int? {
        let c = b[i]
        if IndicatorSyntax.isAlpha(c), i + 3 < limit, b[i + 1] == 0x3A, b[i + 2] == 0x5C, b[i + 3] != 0x5C, b[i + 3] != 0x20 {
            return 3
        }
        if c == 0x5C, i + 2 < limit, b[i + 1] == 0x5C {
            if i + 4 < limit, b[i + 2] == 0x3F, b[i + 3] == 0x5C { // \\?\C:\
                if let p = windowsPrefix(b, i + 4, limit) { return 4 + p }
                return nil
            }
            var j = i + 2
            while j < limit, IndicatorSyntax.isLabelByte(b[j]) || b[j] == 0x2E || b[j] == 0x24 { j += 1 }
            guard j > i + 2, j - i <= 257, j < limit, b[j] == 0x5C else { return nil }
            return j + 1 - i
        }
        if c == 0x25 {
            var j = i + 1
            while j < limit, j - i <= 40, IndicatorSyntax.isAlnum(b[j]) || b[j] == 0x5F || b[j] == 0x28 || b[j] == 0x29 { j += 1 }
            guard j > i + 1, j + 1 < limit, b[j] == 0x25, b[j + 1] == 0x5C else { return nil }
            return j + 2 - i
        }
        return nil
    }

    /// A whole Windows path in `b[range]`, as written.
    static func windowsPath(_ b: Span<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count <= 32767, let p = windowsPrefix(b, range.lowerBound, range.upperBound) else { return nil }
        let body = range.lowerBound + p
        guard body < range.upperBound else { return nil }
        for i in body..<range.upperBound where b[i] < 0x20 || b[i] == 0x7C || b[i] == 0x22 || b[i] == 0x2A { return nil }
        return String(decoding: Array(b.extracting(range).bytesCopy()), as: UTF8.self)
    }

    /// Directories a Unix or macOS path found in free text may start with; elsewhere a `/`
    /// starts fractions, dates and URL paths far more often than paths.
    static let unixRoots: [[UInt8]] = [
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "media", "mnt", "opt", "proc", "root", "run",
        "sbin", "srv", "sys", "tmp", "usr", "var", "Applications", "Library", "System", "Users", "Volumes", "private",
    ].map { Array($0.utf8) }

    /// Whether `b[r]` is one of ``unixRoots``.
    static func isUnixRoot(_ b: Span<UInt8>, _ r: Range<Int>) -> Bool {
        outer: for root in unixRoots where root.count == r.count {
            var k = r.lowerBound
            for c in root { if b[k] != c { continue outer }; k += 1 }
            return true
        }
        return false
    }

    /// A whole Unix path in `b[range]` (`/…` or `~/…`), as written. Unless `anyRoot`, the first
    /// directory must be one of ``unixRoots`` (or the path starts with `~/`) and there must be
    /// a second component.
    static func unixPath(_ b: Span<UInt8>, _ range: Range<Int>, anyRoot: Bool) -> String? {
        guard range.count >= 2, range.count <= 4096 else { return nil }
        var s = range.lowerBound
        let tilde = b[s] == 0x7E
        if tilde { s += 1 }
        guard s + 1 < range.upperBound, b[s] == 0x2F, b[s + 1] != 0x2F else { return nil }
        for i in range where b[i] < 0x20 || b[i] == 0x7F { return nil }
        if !anyRoot, !tilde {
            var e = s + 1
            while e < range.upperBound, b[e] != 0x2F { e += 1 }
            guard e < range.upperBound, e + 1 < range.upperBound, isUnixRoot(b, (s + 1)..<e) else { return nil }
        }
        return String(decoding: Array(b.extracting(range).bytesCopy()), as: UTF8.self)
    }

    /// Registry hives: the forms written, and the long name each is stored as.
    static let hives: [([UInt8], String)] = [
        ("HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE"), ("HKLM", "HKEY_LOCAL_MACHINE"),
        ("HKEY_CURRENT_USER", "HKEY_CURRENT_USER"), ("HKCU", "HKEY_CURRENT_USER"),
        ("HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT"), ("HKCR", "HKEY_CLASSES_ROOT"),
        ("HKEY_USERS", "HKEY_USERS"), ("HKU", "HKEY_USERS"),
        ("HKEY_CURRENT_CONFIG", "HKEY_CURRENT_CONFIG"), ("HKCC", "HKEY_CURRENT_CONFIG"),
        ("HKEY_PERFORMANCE_DATA", "HKEY_PERFORMANCE_DATA"),
        ("\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"), ("\\REGISTRY\\USER", "HKEY_USERS"),
    ].map { (Array($0.0.utf8), $0.1) }

    /// The hive written at `i` (case-insensitive, optionally in `<…>` as some reports write it):
    /// its long name and the offset of the `\` after it.
    static func hive(_ b: Span<UInt8>, _ i: Int, _ limit: Int) -> (String, Int)? {
        var s = i
        let bracketed = b[s] == 0x3C
        if bracketed { s += 1 }
        outer: for (written, long) in hives {
            var k = s
            for c in written {
                guard k < limit, IndicatorSyntax.lower(b[k]) == IndicatorSyntax.lower(c) else { continue outer }
                k += 1
            }
            if bracketed { guard k < limit, b[k] == 0x3E else { continue }; k += 1 }
            guard k + 1 < limit, b[k] == 0x5C, !isStop(b[k + 1]), b[k + 1] != 0x5C else { continue }
            return (long, k)
        }
        return nil
    }

    /// A whole registry key in `b[range]`, hive in its long form, the rest as written.
    static func registryKey(_ b: Span<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count <= 4096, let (long, slash) = hive(b, range.lowerBound, range.upperBound) else { return nil }
        for i in slash..<range.upperBound where b[i] < 0x20 { return nil }
        return long + String(decoding: Array(b.extracting(slash..<range.upperBound).bytesCopy()), as: UTF8.self)
    }
}

extension Span where Element == UInt8 {
    /// The bytes as an array (for the few places that build a String from accepted bytes).
    func bytesCopy() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(self[i]) }
        return out
    }
}
