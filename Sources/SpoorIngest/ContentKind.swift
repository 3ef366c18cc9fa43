/// What the first bytes of a source say it is, before any text format is considered.
public enum ContentKind: Sendable, Hashable {
    case gzip, bzip2, xz, zip
    /// A Windows XML Event Log (read by `SpoorEVTX`, record by record, not line by line).
    case evtx
    /// A format spoor knows but does not parse (yet): reported as skipped with the reason.
    case unsupported(String)
    /// No content at all.
    case empty
    /// Text, or at least not a known binary container.
    case text

    /// Classifies a source by its magic bytes (and, for unknown binaries, by NUL bytes).
    public static func detect(_ head: [UInt8]) -> ContentKind {
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head.prefix(magic.count)) == magic }
        if head.isEmpty { return .empty }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts([0x42, 0x5A, 0x68]) { return .bzip2 }                     // "BZh"
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts([0xD4, 0xC3, 0xB2, 0xA1]) || starts([0xA1, 0xB2, 0xC3, 0xD4]) || starts([0x4D, 0x3C, 0xB2, 0xA1])
            || starts([0xA1, 0xB2, 0x3C, 0x4D]) { return .unsupported("pcap packet capture (spoor reads logs, not packets; run Zeek on it)") }
        if starts([0x0A, 0x0D, 0x0D, 0x0A]) { return .unsupported("pcapng packet capture (spoor reads logs, not packets; run Zeek on it)") }
        if starts(Array("ElfFile\0".utf8)) { return .evtx }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return .unsupported("ELF executable") }
        if starts([0x4D, 0x5A]) && head.count >= 64 && !head.prefix(64).allSatisfy({ $0 >= 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .unsupported("Windows PE executable")
        }
        if starts(Array("SQLite format 3\0".utf8)) { return .unsupported("SQLite database") }
        if starts(Array("%PDF".utf8)) { return .unsupported("PDF document") }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return .unsupported("PNG image") }
        if starts([0xFF, 0xD8, 0xFF]) { return .unsupported("JPEG image") }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .unsupported("zstd-compressed data (not supported: decompress it first)") }
        if starts(Array("7z".utf8) + [0xBC, 0xAF]) { return .unsupported("7-Zip archive (not supported: extract it first)") }
        if starts(Array("Rar!".utf8)) { return .unsupported("RAR archive (not supported: extract it first)") }
        if head.count > 262, Array(head[257..<262]) == Array("ustar".utf8) { return .unsupported("tar archive (not supported yet: extract it first)") }
        // UTF-16 text (Windows exports) is text, but not bytes spoor can parse as UTF-8.
        if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) { return .unsupported("UTF-16 text (convert to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8)") }
        // A binary file: many control bytes in the first block. NUL bytes alone are not enough:
        // a log cut by a crash is often padded with NULs, and its text must still be read.
        let sample = head.prefix(4096)
        var control = 0, nul = 0
        for c in sample {
            if c == 0 { nul += 1 } else if c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B) { control += 1 }
        }
        if nul * 100 / sample.count >= 30 || control * 100 / sample.count >= 5 {
            return .unsupported("binary data (not a text log)")
        }
        return .text
    }
}
