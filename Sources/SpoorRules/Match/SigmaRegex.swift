import SpoorCore

/// A Sigma `re` value compiled for matching: unanchored search (REFERENCE §2.3) with
/// spoor's linear-time ``ByteRegex``, so neither a hostile pattern nor a hostile value can
/// make a hunt hang. Constructs a linear engine cannot run (backreferences, lookaround,
/// atomic groups) make the rule unsupported.
struct SigmaRegex: Sendable {
    private let regex: ByteRegex

    init(_ pattern: String, ignoreCase: Bool, multiline: Bool, dotAll: Bool) throws(SigmaValueCompiler.Failure) {
        var options: ByteRegex.Options = []
        if ignoreCase { options.insert(.ignoreCase) }
        if multiline { options.insert(.multiline) }
        if dotAll { options.insert(.dotAll) }
        do {
            regex = try ByteRegex(pattern, options: options)
        } catch {
            // Syntax errors are invalid rules; constructs beyond a linear engine are unsupported.
            throw SigmaValueCompiler.Failure(message: "regular expression at \(error.position): \(error.message)",
                                             unsupported: error.code != .syntax)
        }
    }

    func matches(_ v: Span<UInt8>) -> Bool { regex.matches(v) }
}
