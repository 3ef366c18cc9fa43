import Foundation
import SpoorIngest

/// Reads a whole enrichment file into memory, decompressing gzip and bzip2 (by their magic
/// bytes, not the name) with ingest's streams and limits.
public enum IntelFileReader {
    /// Tables are big (a full IPv4+IPv6 RIB table is ~40 MB as text) but bounded: a gzip bomb
    /// stops at this size with an error instead of filling memory.
    public static let maximumInflatedSize = 1 << 30

    public static func read(_ url: URL, maximumSize: Int = maximumInflatedSize) throws(IntelError) -> [UInt8] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw IntelError(file: url.path, "cannot read the file (\(error.localizedDescription))")
        }
        return try decompress([UInt8](data), file: url.path, maximumSize: maximumSize)
    }

    /// `bytes` inflated when they are gzip (one or more members) or bzip2; as they are otherwise.
    public static func decompress(_ bytes: [UInt8], file: String, maximumSize: Int = maximumInflatedSize) throws(IntelError) -> [UInt8] {
        let limits = DecompressionLimits(maximumRatio: 1_000, ratioFloor: 64 << 20, maximumOutput: maximumSize)
        let stream: ByteStream
        do {
            if bytes.starts(with: [0x1F, 0x8B]) {
                stream = try InflateStream(MemoryStream(bytes, name: file), limits: limits)
            } else if bytes.starts(with: Array("BZh".utf8)) {
                stream = try Bzip2Stream(MemoryStream(bytes, name: file), limits: limits)
            } else {
                return bytes
            }
            var out: [UInt8] = []
            out.reserveCapacity(min(maximumSize, bytes.count * 4))
            while try stream.read(into: &out, maximum: 1 << 20) > 0 {}   // appends
            return out
        } catch {
            throw IntelError(file: file, "cannot decompress: \(error)")
        }
    }
}
