import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorIndicators
import SpoorIntel
import SpoorStore

struct Iocs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Indicators of compromise: extract them from text, or list a case's indicators and their sightings.",
        discussion: """
            With --text, reads files of free text (reports, e-mails, pasted logs) and prints every \
            indicator found: IPv4/IPv6 addresses and CIDR blocks, domain names under a public suffix, \
            URLs, e-mail addresses, MD5/SHA-1/SHA-256/SHA-512 hashes, Windows and Unix paths, registry \
            keys, CVE ids, AS numbers, cryptocurrency addresses, user accounts and credentials (the \
            secret is never printed: only a hash prefix). Defanged forms (hxxp, [.], (dot), [@]) are \
            read; base64 (PowerShell's UTF-16LE too), hex, URL and HTML escapes and gzip/deflate inside \
            base64 are decoded and searched, and the decoding chain is reported.

            Without --text, works on a case: first finds the indicators of every event stored since \
            the last run (their sightings: where — disk, memory, network, log — in which role — \
            source, destination, pass-through — per host, source and hour), then lists them, most \
            sighted first. `spoor sightings VALUE` shows one indicator's time series.

            Kinds (for --kind) are STIX names: ipv4-addr, ipv6-addr, domain-name, url, email-addr, \
            file:hashes.MD5, file:hashes.SHA-1, file:hashes.SHA-256, file:hashes.SHA-512, \
            x-windows-path, x-unix-path, windows-registry-key, vulnerability, autonomous-system, \
            x-cryptocurrency-address, user-account, x-credential.

            Examples:
              spoor iocs --text report.txt --output jsonl
              spoor iocs --text mail.eml --defang
              spoor iocs --case acme --kind domain-name --kind url
              spoor iocs --case acme --value 203.0.113.7 --output json

            Exit codes: 0 success, 1 failure (a file that cannot be read).
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Free-text files to extract from (instead of a case).", valueName: "file"))
    var text: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only indicators of this kind (repeatable).", valueName: "kind"))
    var kind: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only this indicator value (case mode).", valueName: "value"))
    var value: String?
    @Flag(help: "Print values defanged (hxxp, [.], [@]) so they cannot be clicked.") var defang = false
    @Option(help: ArgumentHelp("At most this many indicators (case mode).", valueName: "n")) var limit: Int?
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl, .csv])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json, .jsonl, .csv])
        for k in kind where IndicatorKind(rawValue: k) == nil {
            throw ValidationError("Unknown kind '\(k)'; kinds: \(IndicatorKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    var kinds: [IndicatorKind] { kind.compactMap(IndicatorKind.init(rawValue:)) }

    func shown(_ i: Indicator) -> String { defang ? Defang.defang(i) : i.value }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        if !text.isEmpty { try extractText(); return }
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let bar = ProgressBar(label: "indicators")
        _ = try await workspace.extractIndicators(arguments: CommandLine.arguments) { d, t in bar.update(done: d, total: t) }
        bar.finish()
        let list = try await workspace.indicators(kinds: kinds, value: value.map { IndicatorNormalizer.classify($0)?.value ?? $0 }, limit: limit)
        switch output {
        case .json:
            Console.out(JSONValue.array(list.map(json)).jsonText)
        case .jsonl:
            for r in list { Console.out(json(r).jsonText) }
        case .csv:
            var out = CSVText.line(["kind", "value", "first_seen", "last_seen", "sightings", "hosts", "sources", "places", "roles", "intel"])
            for r in list {
                out += CSVText.line([r.indicator.kind.rawValue, shown(r.indicator), r.firstSeen.description, r.lastSeen.description,
                                     String(r.sightings), r.hosts.joined(separator: " "), r.sources.joined(separator: " "),
                                     r.places.map(\.rawValue).joined(separator: " "), r.roles.map(\.rawValue).joined(separator: " "),
                                     r.intel.joined(separator: " ")])
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        default:
            var table = TextTable(["kind", "value", "first seen", "last seen", "sightings", "hosts", "places", "intel"])
            for r in list {
                table.add([r.indicator.kind.rawValue, shown(r.indicator), r.firstSeen.description, r.lastSeen.description,
                           String(r.sightings), String(r.hosts.count), r.places.map(\.rawValue).joined(separator: ","),
                           r.intel.joined(separator: ", ")])
            }
            Console.out(table.render())
            Console.out("\(list.count) indicators")
        }
    }

    func json(_ r: IndicatorRecord) -> JSONValue {
        .object([
            ("kind", .string(r.indicator.kind.rawValue)), ("value", .string(shown(r.indicator))),
            ("first_seen", .string(r.firstSeen.description)), ("last_seen", .string(r.lastSeen.description)),
            ("sightings", JSONOutput.int(r.sightings)), ("hosts", .array(r.hosts.map(JSONValue.string))),
            ("sources", .array(r.sources.map(JSONValue.string))), ("places", .array(r.places.map { .string($0.rawValue) })),
            ("roles", .array(r.roles.map { .string($0.rawValue) })), ("intel", .array(r.intel.map(JSONValue.string))),
        ])
    }

    /// Free-text mode: every indicator with its line and byte offsets in that line.
    func extractText() throws {
        let extractor = IndicatorExtractor()
        let wanted = Set(kinds)
        var rows: [JSONValue] = []
        var table = TextTable(["file", "line", "kind", "value", "decoded"])
        var csv = CSVText.line(["file", "line", "start", "end", "kind", "value", "decoding", "defanged"])
        for path in text {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("Cannot read '\(path)'.")
            }
            let bytes = [UInt8](data)
            var lineNumber = 0
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start && bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                let found = bytes[start..<stop].withUnsafeBufferPointer { extractor.extract($0.span) }
                for x in found where wanted.isEmpty || wanted.contains(x.indicator.kind) {
                    let decoding = x.decoding.map(\.rawValue).joined(separator: ">")
                    switch output {
                    case .json, .jsonl:
                        let o = JSONValue.object([
                            ("file", .string(path)), ("line", JSONOutput.int(lineNumber)), ("start", JSONOutput.int(x.start)),
                            ("end", JSONOutput.int(x.end)), ("kind", .string(x.indicator.kind.rawValue)),
                            ("value", .string(shown(x.indicator))), ("decoding", .array(x.decoding.map { .string($0.rawValue) })),
                            ("defanged", .bool(x.wasDefanged)),
                        ])
                        if output == .jsonl { Console.out(o.jsonText) } else { rows.append(o) }
                    case .csv:
                        csv += CSVText.line([path, String(lineNumber), String(x.start), String(x.end), x.indicator.kind.rawValue,
                                             shown(x.indicator), decoding, x.wasDefanged ? "true" : "false"])
                    default:
                        table.add([path, String(lineNumber), x.indicator.kind.rawValue, shown(x.indicator), decoding])
                    }
                }
                if end == bytes.count { break }
                start = end + 1
            }
        }
        switch output {
        case .json: Console.out(JSONValue.array(rows).jsonText)
        case .jsonl: break
        case .csv: FileHandle.standardOutput.write(Data(csv.utf8))
        default: Console.out(table.render())
        }
    }
}

struct SightingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sightings",
        abstract: "One indicator's sightings as a time series: where, in which role, per host, source and hour or day.",
        discussion: """
            Prints the hourly buckets of an indicator's sightings in a case (run `spoor iocs --case` \
            first, or `spoor analyze`): client, host, source (event.dataset or parser), place (disk, \
            memory, network, log), role (source, destination, pass-through, unknown), the field it was \
            found in, the decodings that revealed it, count, first and last time, and the first event's \
            id (`spoor events --id` shows it). For IP addresses, the origin AS of the prefix table valid \
            at each bucket's time when the case has ASN tables (`spoor intel import`). With --daily, \
            sums per day. Intel that names the indicator is listed with when it became known.

            Examples:
              spoor sightings --case acme 203.0.113.7
              spoor sightings --case acme evil.example --daily --output json

            Exit codes: 0 success, 1 failure (no such indicator in the case).
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Argument(help: ArgumentHelp("The indicator value (refanged and normalised before lookup).", valueName: "value"))
    var value: String
    @Option(name: .long, help: ArgumentHelp("The kind when the value alone is ambiguous.", valueName: "kind")) var kind: String?
    @Flag(help: "Sum per day instead of per hour.") var daily = false
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json, .jsonl])
        if let kind, IndicatorKind(rawValue: kind) == nil { throw ValidationError("Unknown kind '\(kind)'.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let indicator: Indicator
        if let kind, let k = IndicatorKind(rawValue: kind) {
            guard let i = IndicatorNormalizer.normalize(value, as: k) else { throw ValidationError("'\(value)' is not a valid \(kind).") }
            indicator = i
        } else {
            guard let i = IndicatorNormalizer.classify(value) else {
                throw ValidationError("Cannot tell what kind of indicator '\(value)' is; give --kind.")
            }
            indicator = i
        }
        let workspace = try await Workspace.open(caseDirectory: caseOptions.caseDirectory)
        let report = try await workspace.sightingReport(of: indicator, daily: daily)
        guard !report.buckets.isEmpty else {
            Console.err("spoor: \(indicator.kind.rawValue) \(indicator.value) was not sighted in this case")
            throw ExitCode(1)
        }
        switch output {
        case .json:
            Console.out(report.json.jsonText)
        case .jsonl:
            for b in report.bucketJSON { Console.out(b.jsonText) }
        default:
            var table = TextTable([daily ? "day" : "hour", "host", "source", "place", "role", "field", "decoding", "count", "first", "last", "AS"])
            for b in report.buckets {
                table.add([b.period, b.host, b.source, b.place, b.role, b.field, b.decoding, String(b.count), b.firstSeen.description,
                           b.lastSeen.description, b.asn.map { "AS\($0)" } ?? ""])
            }
            Console.out("\(indicator.kind.rawValue) \(indicator.value): \(report.total) sightings, first \(report.firstSeen), last \(report.lastSeen), \(report.hosts.count) hosts")
            Console.out(table.render())
            for m in report.intel {
                let lead = m.seenBeforeKnown ? ", seen \(Self.duration(m.leadMicroseconds)) before it was known" : ""
                Console.out("intel: \(m.fact.polarity.rawValue) per \(m.fact.source) (known \(m.knownAt))\(lead)")
            }
        }
    }

    static func duration(_ us: Int64) -> String {
        let s = us / 1_000_000
        if s >= 86_400 { return "\(s / 86_400) d \((s % 86_400) / 3600) h" }
        if s >= 3600 { return "\(s / 3600) h \((s % 3600) / 60) min" }
        return "\(s / 60) min \(s % 60) s"
    }
}
