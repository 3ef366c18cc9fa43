import Foundation
import SpoorCore
import SpoorIngest

/// Builds large benchmark inputs from a real seed log, replicating it with perturbation so
/// that no cache (symbol tables, the SQLite page cache, branch predictors on repeated lines)
/// can fake a speed-up: every replica gets its own addresses, host and user names and times.
///
/// Perturbation of replica *k* (replica 0 is the seed as it is):
/// - every dotted-quad IPv4 address `a.b.c.d` becomes `a.(b+⌊k/65536⌋).(c+⌊k/256⌋).(d+k)`, each octet
///   mod 256, so 16.7 million replicas get distinct addresses;
/// - syslog: the host (4th token) and the word after `user `, `for ` or `user=` get `-k`/`k`
///   appended, and the day of the month moves by *k* (mod 28);
/// - Zeek TSV: `ts` moves by *k* days and the `uid` gets *k* appended;
/// - access logs: the day moves by *k* (mod 28) and the URL gets `r=k` appended to its query.
public enum BenchCorpus {
    public enum Kind: String, Sendable, CaseIterable {
        case syslog, zeek, access
    }

    /// Reads a seed file, decompressing it by content.
    public static func readSeed(_ path: String) throws -> [UInt8] {
        var stream: ByteStream = try FileStream(path: path)
        var all: [UInt8] = []
        while try stream.read(into: &all, maximum: 1 << 20) > 0 {}
        for _ in 0..<3 {
            switch ContentKind.detect(Array(all.prefix(64))) {
            case .gzip: stream = try InflateStream(MemoryStream(all), limits: DecompressionLimits())
            case .bzip2: stream = try Bzip2Stream(MemoryStream(all), limits: DecompressionLimits())
            case .xz: stream = try XzStream(MemoryStream(all), limits: DecompressionLimits())
            default: return all
            }
            var out: [UInt8] = []
            while try stream.read(into: &out, maximum: 1 << 20) > 0 {}
            all = out
        }
        return all
    }

    /// Writes about `bytes` bytes of `kind` built from `seed` to `path`; returns the size written.
    @discardableResult
    public static func write(kind: Kind, seed: [UInt8], bytes target: Int, to path: String) throws -> Int {
        var lines: [[UInt8]] = []
        var header: [[UInt8]] = []
        var start = 0
        for i in 0...seed.count where i == seed.count || seed[i] == Bytes.lf {
            if i > start {
                let line = Array(seed[start..<i])
                if kind == .zeek && line.first == UInt8(ascii: "#") {
                    if lines.isEmpty && !Bytes.hasPrefix(line.span, "#close") { header.append(line) }
                } else {
                    lines.append(line)
                }
            }
            start = i + 1
        }
        guard !lines.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
        defer { try? handle.close() }
        var out: [UInt8] = []
        out.reserveCapacity(4 << 20)
        var written = 0
        for h in header { out += h; out.append(Bytes.lf) }
        var k = 0
        while written + out.count < target {
            for line in lines {
                perturb(line, kind: kind, replica: k, into: &out)
                out.append(Bytes.lf)
                if out.count >= 4 << 20 {
                    handle.write(Data(out))
                    written += out.count
                    out.removeAll(keepingCapacity: true)
                }
            }
            k += 1
        }
        handle.write(Data(out))
        return written + out.count
    }

    static func perturb(_ line: [UInt8], kind: Kind, replica k: Int, into out: inout [UInt8]) {
        guard k > 0 else { out += line; return }
        var tokens = splitKeepingSeparators(line, separator: kind == .zeek ? Bytes.tab : Bytes.space)
        switch kind {
        case .zeek:
            // tokens alternate value, separator; ts is token 0, uid token 2.
            let first = tokens[0]
            if let us = TimestampText.parseEpochSeconds(first.span) {
                let shifted = us + Int64(k) * 86_400_000_000
                tokens[0] = Array(String(format: "%lld.%06lld", shifted / 1_000_000, shifted % 1_000_000).utf8)
            }
            if tokens.count > 2 { tokens[2] += Array(String(k, radix: 36).utf8) }
        case .syslog:
            // "Mmm dd hh:mm:ss host tag: …" (the day may be space-padded, giving an empty token).
            var words: [Int] = []
            for (i, t) in tokens.enumerated() where !t.isEmpty && t != [Bytes.space] { words.append(i) }
            let monthToken = words.isEmpty ? [] : tokens[words[0]]
            if words.count > 3, TimestampText.month(monthToken.span, 0) != nil,
               let day = Int(String(decoding: tokens[words[1]], as: UTF8.self)) {
                let d = (day - 1 + k) % 28 + 1
                tokens[words[1]] = Array(String(d).utf8)
                tokens[words[3]] += Array("-\(k)".utf8)
            }
            for (n, i) in words.enumerated() where n + 1 < words.count {
                let w = tokens[i]
                if w == Array("user".utf8) || w == Array("for".utf8) {
                    let next = words[n + 1]
                    if tokens[next] != Array("invalid".utf8), tokens[next] != Array("user".utf8) { tokens[next] += Array(String(k).utf8) }
                } else if w.starts(with: Array("user=".utf8)) {
                    tokens[i] += Array(String(k).utf8)
                }
            }
        case .access:
            for i in tokens.indices where tokens[i].first == UInt8(ascii: "[") && tokens[i].count > 3 {
                if let day = Int(String(decoding: tokens[i][1..<3], as: UTF8.self)) {
                    let d = (day - 1 + k) % 28 + 1
                    tokens[i].replaceSubrange(1..<3, with: Array((d < 10 ? "0\(d)" : "\(d)").utf8))
                }
                // The request target follows `"METHOD` two tokens later.
                if i + 6 < tokens.count, tokens[i + 4].first == Bytes.quote {
                    let target = i + 6
                    tokens[target] += Array((tokens[target].contains(UInt8(ascii: "?")) ? "&r=\(k)" : "?r=\(k)").utf8)
                }
                break
            }
        }
        for t in tokens { perturbAddresses(t, replica: k, into: &out) }
    }

    /// Splits into tokens and the separators between them, so joining gives the line back.
    static func splitKeepingSeparators(_ line: [UInt8], separator: UInt8) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        for i in 0..<line.count where line[i] == separator {
            out.append(Array(line[start..<i]))
            out.append([separator])
            start = i + 1
        }
        out.append(Array(line[start...]))
        return out
    }

    /// Copies `token`, rewriting any IPv4 address inside it.
    static func perturbAddresses(_ token: [UInt8], replica k: Int, into out: inout [UInt8]) {
        var i = 0
        while i < token.count {
            if Bytes.isDigit(token[i]), i == 0 || !(Bytes.isDigit(token[i - 1]) || token[i - 1] == UInt8(ascii: ".")) {
                var j = i
                while j < token.count, Bytes.isDigit(token[j]) || token[j] == UInt8(ascii: ".") { j += 1 }
                var end = j
                while end > i, token[end - 1] == UInt8(ascii: ".") { end -= 1 }
                if let v = IPAddress.parseIPv4(token.span, i, end) {
                    let b = (Int((v >> 16) & 0xFF) + (k >> 16)) & 0xFF
                    let c = (Int((v >> 8) & 0xFF) + (k >> 8)) & 0xFF, d = (Int(v & 0xFF) + k) & 0xFF
                    out += Array("\(v >> 24).\(b).\(c).\(d)".utf8)
                    i = end
                    continue
                }
                out += token[i..<j]
                i = j
                continue
            }
            out.append(token[i])
            i += 1
        }
    }
}
