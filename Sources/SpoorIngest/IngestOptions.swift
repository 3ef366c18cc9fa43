import SpoorCore
import SpoorParsers

/// What a user can set for one ingest run.
public struct IngestOptions: Sendable {
    /// The client the logs belong to (`organization.id` on every event).
    public var organization: String
    /// Parse every source as this format instead of recognising it (`--log-format`).
    public var forcedFormat: String?
    /// The zone of times written without an offset (`--tz`).
    public var timeZone: TimeZoneRule?
    /// Anchors year-less dates (`--collected-at`); default: each file's modification time.
    public var collectedAt: Timestamp?
    /// Records longer than this are rejected (`recordTooLong`), never buffered whole.
    public var maximumRecordLength: Int
    public var decompression: DecompressionLimits
    /// Records per committed batch.
    public var batchRecords: Int
    /// How many sources are parsed at once (default: the processor count).
    public var parallelism: Int
    /// How many reject examples each source keeps in the report (all are stored).
    public var rejectExamples: Int
    /// The formats recognition chooses from.
    public var formats: [LogFormat]

    public init(organization: String = "default", forcedFormat: String? = nil, timeZone: TimeZoneRule? = nil,
                collectedAt: Timestamp? = nil, maximumRecordLength: Int = 1 << 20,
                decompression: DecompressionLimits = DecompressionLimits(), batchRecords: Int = 50_000,
                parallelism: Int = 0, rejectExamples: Int = 5, formats: [LogFormat] = LogFormat.builtIn) {
        self.organization = organization
        self.forcedFormat = forcedFormat
        self.timeZone = timeZone
        self.collectedAt = collectedAt
        self.maximumRecordLength = maximumRecordLength
        self.decompression = decompression
        self.batchRecords = batchRecords
        self.parallelism = parallelism
        self.rejectExamples = rejectExamples
        self.formats = formats
    }
}
