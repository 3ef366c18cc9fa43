import Foundation
import Yams

/// Values for `expand` placeholders (`%Admins_Workstations%`), read from a YAML mapping of
/// name → value or list of values (the shape of pySigma's placeholder configuration).
public enum SigmaPlaceholders {
    public static func load(file: String) throws(SigmaDiagnostic) -> [String: [String]] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SigmaDiagnostic(.error, SigmaLocation(file: file, line: 0, column: 0), "cannot read the placeholder file")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text, .basic) } catch { throw SigmaLoader.diagnostic(for: error, file: file) }
        guard let root, let pairs = DocumentReader.pairs(root) else {
            throw SigmaDiagnostic(.error, SigmaLocation(file: file, line: 1, column: 1), "a placeholder file must be a mapping of name to values")
        }
        var out: [String: [String]] = [:]
        for (k, _, v) in pairs { out[k] = LogsourceBinding.strings(v) }
        return out
    }
}
