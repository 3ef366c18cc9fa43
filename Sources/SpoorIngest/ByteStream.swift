import Foundation
import SpoorCore

/// A source of bytes read in chunks: a file, or a decompressor over another stream.
///
/// Streams are used by one task at a time and own a resource (a descriptor, a codec state),
/// so they are classes; they are not shared.
public class ByteStream {
    /// The source name errors carry.
    public let name: String
    /// Bytes consumed from the underlying file so far (compressed bytes for a decompressor).
    public var compressedBytesRead: Int { 0 }

    init(name: String) { self.name = name }

    /// Appends up to `maximum` bytes to `buffer`; returns how many (0 at the end).
    public func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int { 0 }
}

/// Reads a file with POSIX `read`, in large chunks.
public final class FileStream: ByteStream {
    private let fd: Int32
    private var consumed = 0
    private let end: Int?

    /// Opens `path`, optionally starting at `offset` and stopping after `length` bytes.
    public init(path: String, name: String? = nil, offset: Int = 0, length: Int? = nil) throws(IngestError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw IngestError(.unreadable, source: name ?? path, String(cString: strerror(errno)))
        }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            close(fd)
            throw IngestError(.unreadable, source: name ?? path, "cannot seek to \(offset)")
        }
        self.fd = fd
        self.end = length
        super.init(name: name ?? path)
    }

    deinit { close(fd) }

    public override var compressedBytesRead: Int { consumed }

    public override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        var want = maximum
        if let end { want = min(want, end - consumed) }
        guard want > 0 else { return 0 }
        var failure: Int32 = 0
        // Read into uninitialised memory, then one copy: no zero-fill of `want` bytes per call
        // (that cost 1.4 s per small file in debug builds when `want` is 4 MiB).
        let chunk = [UInt8](unsafeUninitializedCapacity: want) { raw, count in
            count = 0
            guard let base = raw.baseAddress else { return }
            while true {
                let n = Foundation.read(fd, base, want)
                if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                count = n
                break
            }
        }
        let got = chunk.count
        buffer.append(contentsOf: chunk)
        if failure != 0 {
            throw IngestError(.unreadable, source: name, at: consumed, String(cString: strerror(failure)))
        }
        consumed += got
        return got
    }
}

/// Bytes already in memory (tests, stdin captures).
public final class MemoryStream: ByteStream {
    private let bytes: [UInt8]
    private var position = 0
    /// Hand out at most this many bytes per read, to test chunking.
    private let chunk: Int

    public init(_ bytes: [UInt8], name: String = "memory", chunkSize: Int = .max) {
        self.bytes = bytes
        self.chunk = max(1, chunkSize)
        super.init(name: name)
    }

    public override var compressedBytesRead: Int { position }

    public override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        let n = min(maximum, chunk, bytes.count - position)
        guard n > 0 else { return 0 }
        buffer.append(contentsOf: bytes[position..<(position + n)])
        position += n
        return n
    }
}
