import SpoorCore
import SpoorEvents

/// The fallback for text in no recognised format: each line becomes an event whose
/// `message` is the line, so nothing is lost and template mining can learn the format later.
public struct PlainTextParser: LogParser {
    private var message: ColumnHandle? = nil

    public init() {}

    public mutating func parse(_ record: Span<UInt8>, into builder: inout EventBatchBuilder) throws(ParseError) -> ParseOutcome {
        let h = message ?? builder.column(Field.message, .string)
        message = h
        builder.set(h, bytes: record)
        return .event
    }
}

extension LogFormat {
    /// Lines of text in no known format (chosen only when nothing else is recognised).
    public static let plainText = LogFormat(
        name: "text",
        summary: "Any text, one event per line with the line as `message` (the fallback when no format is recognised)",
        sniff: { sample in sample.lines.isEmpty ? 0 : 1 },
        makeParser: { _ in PlainTextParser() })
}
