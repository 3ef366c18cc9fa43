import ArgumentParser

/// How a command prints its result.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json, jsonl, csv, parquet

    static func help(_ allowed: [OutputFormat]) -> ArgumentHelp {
        ArgumentHelp("Output format: \(allowed.map(\.rawValue).joined(separator: ", ")).", valueName: "format")
    }
}

/// Refuses an output format a command does not offer.
func require(_ format: OutputFormat, in allowed: [OutputFormat]) throws {
    guard allowed.contains(format) else {
        throw ValidationError("--output \(format.rawValue) is not available here; use one of \(allowed.map(\.rawValue).joined(separator: ", ")).")
    }
}
