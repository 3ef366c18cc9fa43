import Foundation

/// How spoor writes and reads its fitted models as JSON: sorted keys (stable files), and
/// non-finite numbers (a split threshold of +∞) as the strings `inf`, `-inf`, `nan`. Each
/// model checks its own format version and contents after decoding.
public enum ModelJSON {
    /// `model` as JSON; `what` names it in the error ("the label model").
    public static func encode<T: Encodable>(_ model: T, what: String) throws(LearnError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try encoder.encode(model) } catch { throw .invalid("\(what) cannot be encoded: \(error)") }
    }

    /// A `T` decoded from `json`; `what` names the expected content ("a spoor label model").
    public static func decode<T: Decodable>(_ type: T.Type, from json: Data, what: String) throws(LearnError) -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try decoder.decode(type, from: json) } catch { throw .invalid("not \(what): \(error)") }
    }
}
