import ArgumentParser
import Foundation
import Spoor
import SpoorCore
import SpoorDetectors

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who was logged on where and when: logon sessions from Windows and Linux logs.",
        discussion: """
            Sessions come from Windows Security logons and logoffs paired by LogonId (with locks, \
            unlocks and RDP disconnects as absences) and from Linux sshd/PAM sessions and \
            systemd-logind. Interactive, remote-interactive (RDP, SSH), cached and unlock logons mean \
            a person is present; network, batch, service and su/sudo sessions do not. A session with no \
            logoff ends at its last sign of life plus --idle-grace minutes (at most 24 h after it began).

            Examples:
              spoor sessions --case acme --host DC01 --at 2024-03-04T02:00:00Z
              spoor sessions --case acme --present-only --output json

            Exit codes: 0 success, 1 failure.
            """)

    @OptionGroup var caseOptions: CaseOptions
    @Option(help: ArgumentHelp("Only this host (case-insensitive).", valueName: "name")) var host: String?
    @Option(help: ArgumentHelp("Only sessions that include this time (ISO 8601).", valueName: "time")) var at: String?
    @Flag(help: "Only sessions in which a person was present (at --at, when given).") var presentOnly = false
    @Option(help: ArgumentHelp("Minutes after the last sign of life before a session with no logoff counts as over.", valueName: "minutes"))
    var idleGrace: Int = 30
    @Option(name: .long, help: OutputFormat.help([.text, .json, .jsonl])) var output: OutputFormat = .text

    func validate() throws {
        try require(output, in: [.text, .json, .jsonl])
        if let at, IngestArguments.parseTime(at) == nil { throw ValidationError("Cannot read --at '\(at)': give an ISO 8601 time, e.g. 2024-03-04T02:00:00Z.") }
        guard idleGrace >= 0 else { throw ValidationError("--idle-grace must not be negative.") }
    }

    func run() async throws {
        CLILogging.bootstrap(caseOptions.logLevel)
        let workspace = try await Workspace.openExisting(caseDirectory: caseOptions.caseDirectory)
        let timeline = try await workspace.sessionTimeline(policy: SessionPolicy(idleGraceSeconds: Int64(idleGrace) * 60))
        let time = at.flatMap(IngestArguments.parseTime)
        var list = timeline.sessions(host: host, at: time)
        if presentOnly { list = list.filter { s in time.map(s.isPresent(at:)) ?? s.kind.isPresence } }
        switch output {
        case .json:
            let data = try JSONEncoder().encode(list)
            Console.out(String(decoding: data, as: UTF8.self))
        case .jsonl:
            for s in list { Console.out(String(decoding: try JSONEncoder().encode(s), as: UTF8.self)) }
        default:
            var table = TextTable(["host", "user", "kind", "start", "end", "present", "from", "id", "source"])
            for s in list {
                let end = s.end.map { $0.description + (s.endIsInferred ? " (inferred)" : "") } ?? "open"
                let present = time.map { s.isPresent(at: $0) ? "yes" : "no" } ?? (s.kind.isPresence ? "yes" : "no")
                table.add([s.host, (s.domain.map { $0 + "\\" } ?? "") + s.user, s.kind.rawValue, s.start.description, end, present,
                           s.sourceIP?.description ?? "", s.sessionID, s.source])
            }
            Console.out(table.render())
            Console.out("\(list.count) sessions")
        }
    }
}
