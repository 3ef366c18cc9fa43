import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorRules

struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with Sigma rules.",
        subcommands: [Check.self, Bindings.self])

    struct Bindings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write spoor's own logsource binding files into a folder, to read or to start your own from.",
            discussion: """
                A binding file says which events a Sigma logsource means (column = value conditions, \
                e.g. winlog.channel and winlog.event_id for a Sysmon category) and which columns a \
                rule's field names read. Edit copies and pass the folder to `spoor hunt --bindings DIR` \
                (yours take precedence over spoor's). The format is described in Docs/Sigma.md.

                Example:
                  spoor rules bindings my-bindings/

                Exit codes: 0 success, 1 failure.
                """)

        @Argument(help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir")) var directory: String

        func run() async throws {
            do {
                for path in try BindingSet.writeBuiltIn(to: directory) { Console.out(path) }
            } catch {
                Console.err("spoor: cannot write the binding files: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report which Sigma rules parse, compile and run, and why the others do not.",
            discussion: """
                Every problem is given as file:line:column. A rule is an error when it is not valid \
                Sigma (bad YAML, a condition naming an unknown identifier, an unknown modifier…), and \
                unsupported when it is valid but spoor will not run it: an `expand` placeholder without \
                values (give them with --placeholders), a regular expression a linear-time engine cannot \
                run (backreferences, lookaround), the v1 aggregation syntax, or a field no parser \
                produces for its logsource.

                Examples:
                  spoor rules check sigma/rules
                  spoor rules check my-rules/ --bindings my-bindings/ --output json

                Exit codes: 0 every rule runs; 2 some rules are errors or unsupported; 1 failure.
                """)

        @OptionGroup var ruleArguments: RuleArguments
        @Option(name: .long, help: OutputFormat.help([.text, .json])) var output: OutputFormat = .text
        @Flag(help: "Also list the rules that compile.") var verbose = false
        @Argument(help: ArgumentHelp("Rule files or folders to check.", valueName: "path")) var paths: [String] = []

        func validate() throws {
            try require(output, in: [.text, .json])
            guard !(paths + ruleArguments.rules).isEmpty else { throw ValidationError("Give rule files or folders to check.") }
        }

        func run() async throws {
            let rules: RuleSet
            do { rules = try ruleArguments.load(paths + ruleArguments.rules) } catch {
                Console.err("spoor: \(error)")
                throw ExitCode.failure
            }
            let program = rules.program
            let errors = rules.loaded.diagnostics.filter { $0.severity == .error }
                + program.invalid.map { SigmaDiagnostic(.error, $0.location, $0.reason, rule: $0.rule) }
            let warnings = program.diagnostics.filter { $0.severity == .warning }
            let unsupported = program.unsupported + program.correlationProblems
            if output == .json {
                func problem(_ location: SigmaLocation, _ rule: String?, _ message: String) -> JSONValue {
                    .object([("location", .string(location.description)), ("rule", rule.map(JSONValue.string) ?? .null), ("message", .string(message))])
                }
                var fields: [(String, JSONValue)] = [
                    ("documents", JSONOutput.int(rules.loaded.documents.count)), ("rules", JSONOutput.int(rules.loaded.rules.count)),
                    ("compiled", JSONOutput.int(program.rules.count)), ("correlations", JSONOutput.int(program.correlations.count)),
                    ("filters", JSONOutput.int(rules.loaded.filters.count)),
                    ("errors", .array(errors.map { problem($0.location, $0.rule, $0.message) })),
                    ("unsupported", .array(unsupported.map { problem($0.location, $0.rule, $0.reason) })),
                    ("warnings", .array(warnings.map { problem($0.location, $0.rule, $0.message) })),
                ]
                if verbose { fields.append(("compiled_rules", .array(program.rules.map { .string($0.metadata.label) }))) }
                Console.out(JSONValue.object(fields).jsonText)
            } else {
                for e in errors { Console.out("\(TerminalText.sanitize(e.location.description)): error: \(e.message)" + (e.rule.map { " [\($0)]" } ?? "")) }
                for u in unsupported { Console.out("\(TerminalText.sanitize(u.location.description)): unsupported: \(u.reason) [\(u.rule)]") }
                for w in warnings { Console.out("\(TerminalText.sanitize(w.location.description)): warning: \(w.message)" + (w.rule.map { " [\($0)]" } ?? "")) }
                if verbose { for r in program.rules { Console.out("ok: \(r.metadata.label)") } }
                Console.out("\(rules.loaded.documents.count) documents: \(program.rules.count) rules compile, \(program.correlations.count) correlations and \(rules.loaded.filters.count) filters load; \(errors.count) errors, \(unsupported.count) unsupported, \(warnings.count) warnings")
            }
            if !errors.isEmpty || !unsupported.isEmpty { throw ExitCode(2) }
        }
    }
}
