import Foundation

/// A buffered byte sink over a `FileHandle`: exports write into memory and hand the file
/// a megabyte at a time, so a million small cells cost a few hundred system calls.
struct ExportOutput {
    private let handle: FileHandle
    /// Bytes not yet written to the handle. Writers append to it directly.
    var buffer: [UInt8] = []
    /// Bytes handed to the handle so far.
    private(set) var flushed = 0
    static let chunk = 1 << 20

    init(_ handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunk + 64 * 1024)
    }

    /// The position in the output of the next byte appended.
    var position: Int { flushed + buffer.count }

    /// Writes the buffer out once it holds a chunk.
    @inline(__always)
    mutating func flushIfFull() throws(StoreError) {
        if buffer.count >= Self.chunk { try flush() }
    }

    mutating func append(_ bytes: [UInt8]) throws(StoreError) {
        buffer.append(contentsOf: bytes)
        try flushIfFull()
    }

    mutating func flush() throws(StoreError) {
        guard !buffer.isEmpty else { return }
        let data = Data(buffer)
        try StoreError.wrapping(.io, "cannot write the export") { try handle.write(contentsOf: data) }
        flushed += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
