/// Reassembles PowerShell script blocks that event 4104 logs in parts.
///
/// PowerShell splits a long script block over several 4104 events with the same
/// `ScriptBlockId`, numbered `MessageNumber` 1…`MessageTotal`. Parts can arrive out of order
/// and interleaved with other blocks; the text is complete when every number has been seen,
/// on whichever part arrives last.
///
/// Memory is bounded: at most ``maximumPendingBlocks`` blocks and ``maximumPendingBytes``
/// bytes wait for their missing parts (the oldest block is dropped first), and a block of more
/// than ``maximumParts`` parts or ``maximumBlockBytes`` bytes is not reassembled (its parts
/// keep their own text).
public struct ScriptBlockAssembler: Sendable {
    public static let maximumPendingBlocks = 256
    public static let maximumPendingBytes = 64 << 20
    public static let maximumBlockBytes = 32 << 20
    public static let maximumParts = 4096

    private struct Pending {
        var total: Int
        var parts: [Int: String] = [:]
        var bytes = 0
        var order: Int
    }

    private var pending: [String: Pending] = [:]
    private var pendingBytes = 0
    private var counter = 0

    public init() {}

    /// The number of blocks waiting for parts.
    public var pendingCount: Int { pending.count }

    /// Adds part `number` of `total` of block `id`; returns the whole text when this part
    /// completes the block, nil otherwise.
    public mutating func add(id: String, number: Int, total: Int, text: String) -> String? {
        guard total >= 1, total <= ScriptBlockAssembler.maximumParts, number >= 1, number <= total else { return nil }
        if total == 1 { return text }
        counter += 1
        var block = pending[id] ?? Pending(total: total, order: counter)
        pending[id] = nil
        pendingBytes -= block.bytes
        if block.total != total { block = Pending(total: total, order: counter) }
        let size = text.utf8.count
        if block.parts[number] == nil {
            block.parts[number] = text
            block.bytes += size
        }
        guard block.bytes <= ScriptBlockAssembler.maximumBlockBytes else { return nil }
        if block.parts.count == total {
            var whole = ""
            whole.reserveCapacity(block.bytes)
            for k in 1...total { whole += block.parts[k] ?? "" }
            return whole
        }
        pending[id] = block
        pendingBytes += block.bytes
        while pending.count > ScriptBlockAssembler.maximumPendingBlocks || pendingBytes > ScriptBlockAssembler.maximumPendingBytes {
            guard let oldest = pending.min(by: { $0.value.order < $1.value.order }) else { break }
            pendingBytes -= oldest.value.bytes
            pending[oldest.key] = nil
        }
        return nil
    }
}
