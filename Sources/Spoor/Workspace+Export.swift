import Foundation
import SpoorEvents
import SpoorStore

/// The file formats events can be exported to.
public enum ExportFormat: String, Sendable, CaseIterable {
    case parquet, csv, jsonl

    /// The format named by a file's extension (`.parquet`, `.csv`, `.jsonl`/`.ndjson`/`.json`).
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "parquet": self = .parquet
        case "csv": self = .csv
        case "jsonl", "ndjson", "json": self = .jsonl
        default: return nil
        }
    }
}

extension Workspace {
    /// Writes events (all, or those matching `filter`) to `handle` in `format`.
    ///
    /// - Returns: The number of events written.
    @discardableResult
    public func export(to handle: FileHandle, format: ExportFormat, where filter: [FieldEquality] = [], limit: Int? = nil) async throws -> Int {
        let batch = try await events(where: filter, limit: limit)
        try Self.write(batch, to: handle, format: format)
        return batch.count
    }

    /// Writes an event batch in one of the export formats.
    public static func write(_ batch: EventBatch, to handle: FileHandle, format: ExportFormat) throws {
        switch format {
        case .parquet: try ParquetWriter().write(batch, to: handle)
        case .csv: try CSVWriter().write(batch, to: handle)
        case .jsonl: try JSONLinesWriter().write(batch, to: handle)
        }
    }
}
