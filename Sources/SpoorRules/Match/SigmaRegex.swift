import SpoorCore

/// A Sigma `re` value compiled for matching (unanchored search, REFERENCE §2.3).
struct SigmaRegex: Sendable {
    nonisolated(unsafe) private let regex: Regex<AnyRegexOutput>   // temporary until the linear engine lands

    init(_ pattern: String, ignoreCase: Bool, multiline: Bool, dotAll: Bool) throws(SigmaValueCompiler.Failure) {
        do {
            var r = try Regex(pattern)
            if ignoreCase { r = r.ignoresCase() }
            if multiline { r = r.anchorsMatchLineEndings() }
            if dotAll { r = r.dotMatchesNewlines() }
            regex = r
        } catch {
            throw SigmaValueCompiler.Failure(message: "the regular expression does not compile: \(error)", unsupported: true)
        }
    }

    func matches(_ v: Span<UInt8>) -> Bool {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(v.count)
        for k in 0..<v.count { bytes.append(v[k]) }
        let s = String(decoding: bytes, as: UTF8.self)
        return (try? regex.firstMatch(in: s)) != nil
    }
}
