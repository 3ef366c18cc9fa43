import Foundation
import SpoorCore

/// One thing to read: a file, or a member of a ZIP archive.
public enum SourceSpec: Sendable, Hashable {
    case file(String)
    case zipMember(archive: String, member: ZipArchive.Member)

    /// The name used in provenance and diagnostics (`archive.zip!member.log` for members).
    public var path: String {
        switch self {
        case .file(let p): p
        case .zipMember(let a, let m): a + "!" + m.name
        }
    }

    /// The file name without folders (the member's for a member).
    public var fileName: String {
        switch self {
        case .file(let p): (p as NSString).lastPathComponent
        case .zipMember(_, let m): (m.name as NSString).lastPathComponent
        }
    }

    /// The modification time of the file (the archive's for a member).
    public var modificationTime: Timestamp? {
        let p: String
        switch self {
        case .file(let f): p = f
        case .zipMember(let a, _): p = a
        }
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: p), let d = attrs[.modificationDate] as? Date else { return nil }
        return Timestamp(microseconds: Int64(d.timeIntervalSince1970 * 1_000_000))
    }
}

/// A stream that first yields bytes already read, then the rest of another stream.
final class PrefixedStream: ByteStream {
    private var prefix: [UInt8]
    private var position = 0
    private let rest: ByteStream

    init(_ prefix: [UInt8], _ rest: ByteStream) {
        self.prefix = prefix
        self.rest = rest
        super.init(name: rest.name)
    }

    override var compressedBytesRead: Int { rest.compressedBytesRead }

    override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int {
        if position < prefix.count {
            let n = min(maximum, prefix.count - position)
            buffer.append(contentsOf: prefix[position..<(position + n)])
            position += n
            if position == prefix.count { prefix = [] ; position = .max }
            return n
        }
        return try rest.read(into: &buffer, maximum: maximum)
    }
}

/// Opens sources, peeling compression layers off by content, not by file name.
struct SourceOpener {
    static let headLength = 64 << 10
    let limits: DecompressionLimits

    struct Opened {
        var stream: ByteStream
        /// The first bytes of the decompressed content (already consumed from `stream`).
        var head: [UInt8]
        var kind: ContentKind
        /// The compression layers removed (`gzip`, …), outermost first.
        var layers: [String]
    }

    func open(_ spec: SourceSpec) throws(IngestError) -> Opened {
        var stream: ByteStream
        switch spec {
        case .file(let p): stream = try FileStream(path: p)
        case .zipMember(let a, let m): stream = try ZipArchive(path: a).open(m, limits: limits)
        }
        var head = try SourceOpener.read(&stream, upTo: SourceOpener.headLength)
        var layers: [String] = []
        for _ in 0..<4 {
            let kind = ContentKind.detect(head)
            switch kind {
            case .gzip:
                stream = try InflateStream(PrefixedStream(head, stream), limits: limits); layers.append("gzip")
            case .bzip2:
                stream = try Bzip2Stream(PrefixedStream(head, stream), limits: limits); layers.append("bzip2")
            case .xz:
                stream = try XzStream(PrefixedStream(head, stream), limits: limits); layers.append("xz")
            default:
                return Opened(stream: stream, head: head, kind: kind, layers: layers)
            }
            head = try SourceOpener.read(&stream, upTo: SourceOpener.headLength)
        }
        return Opened(stream: stream, head: head, kind: .unsupported("more than four nested compression layers"), layers: layers)
    }

    /// Reads the first `count` bytes. An error after some bytes is deferred to the stream's
    /// next read, so a short truncated file still yields what it holds.
    static func read(_ stream: inout ByteStream, upTo count: Int) throws(IngestError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            do {
                if try stream.read(into: &out, maximum: count - out.count) == 0 { break }
            } catch {
                if out.isEmpty { throw error }
                stream = FailedStream(error)
                break
            }
        }
        return out
    }
}

/// A stream whose next read throws an error seen earlier.
final class FailedStream: ByteStream {
    let error: IngestError
    init(_ error: IngestError) {
        self.error = error
        super.init(name: error.source)
    }
    override func read(into buffer: inout [UInt8], maximum: Int) throws(IngestError) -> Int { throw error }
}
