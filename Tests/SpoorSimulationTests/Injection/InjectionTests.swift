import Foundation
import Testing
import SpoorCore
import SpoorEvents
import SpoorIngest
import SpoorTesting
@testable import SpoorSimulation

/// `spoor inject`: the user's own logs (shared test data) copied with attack records inserted;
/// the copies are read back through ingest and compared line by line with the originals.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
struct InjectionTests {
    static let collectedAt = Timestamp(microseconds: CivilTime(year: 2026, month: 3, day: 10).utcMicroseconds)

    static func temporaryDirectory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-inject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func shell(_ command: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](data)
    }

    static func ingest(_ dir: URL, format: String? = nil) async throws -> (IngestReport, EventBatch) {
        let ledger = MemoryLedger()
        let options = IngestOptions(organization: "user", forcedFormat: format, timeZone: .utc, collectedAt: collectedAt)
        let report = try await Ingestor(options: options).run(paths: [dir.path], ledger: ledger)
        return (report, await ledger.batch)
    }

    /// Checks one injected copy against its original: the ground truth's records, removed from
    /// the copy, give back the original byte for byte; each is the event ingest numbered so;
    /// attack records are in time order. Returns the number of inserted records checked.
    static func compare(original: [UInt8], copy: [UInt8], file: String, truth: [GroundTruthRow], outLogs: URL, batch: EventBatch,
                        sortedBaseline: Bool) throws -> Int {
        let rows = truth.filter { $0.file == file }
        var offsetOfRecord: [Int: Int] = [:]
        var timeOfOffset: [Int: Timestamp] = [:]
        let path = outLogs.appendingPathComponent(file).path
        for r in 0..<batch.count where batch.value(row: r, field: Field.logFilePath)?.description == path {
            guard case .int(let n)? = batch.value(row: r, field: Field.spoorRecord), case .int(let o)? = batch.value(row: r, field: Field.logOffset) else { continue }
            offsetOfRecord[Int(n)] = Int(o)
            if case .timestamp(let t)? = batch.value(row: r, field: Field.timestamp) { timeOfOffset[Int(o)] = t }
        }
        var injectedOffsets = Set<Int>()
        for row in rows {
            let o = try #require(offsetOfRecord[row.record], "\(file) record \(row.record) has no event")
            injectedOffsets.insert(o)
            #expect(timeOfOffset[o]?.seconds == row.time.seconds, "\(file)#\(row.record)")
        }
        #expect(injectedOffsets.count == rows.count)
        var rebuilt: [UInt8] = []
        var times: [Timestamp] = []
        var lastBaseline: Timestamp?
        var orderViolations = 0
        for line in Injector.lines(copy) {
            if injectedOffsets.contains(line.start) {
                if let t = timeOfOffset[line.start] {
                    times.append(t)
                    if sortedBaseline, let b = lastBaseline, t.seconds < b.seconds { orderViolations += 1 }
                }
            } else {
                rebuilt += copy[line.start..<line.next]
                if let t = timeOfOffset[line.start] { lastBaseline = t }
            }
        }
        #expect(rebuilt == original, "\(file): the copy minus the injected records is not the original")
        #expect(times == times.sorted(), "\(file): injected records out of time order")
        #expect(orderViolations == 0)
        return rows.count
    }

    /// SSH scenarios into fail2ban's sshd test log (BSD syslog) and a copy with RFC 3339 stamps.
    @Test func sshScenariosIntoSyslogFiles() async throws {
        let into = try Self.temporaryDirectory(), out = try Self.temporaryDirectory()
        defer { for d in [into, out] { try? FileManager.default.removeItem(at: d) } }
        let sshd = try #require(SharedData.url("fail2ban-testlogs/fail2ban/tests/files/logs/sshd"))
        try FileManager.default.createDirectory(at: into.appendingPathComponent("var/log"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: into.appendingPathComponent("srv"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: sshd, to: into.appendingPathComponent("var/log/auth.log"))
        // A second, sorted server log in rsyslog's RFC 3339 style (from the simulator's web01).
        let sim = LinuxSimulationTests.run(SimulationConfig(seed: 3, days: 2, hosts: 8, scenarios: []))
        let simDir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: simDir) }
        try sim.write(to: simDir)
        try FileManager.default.copyItem(at: simDir.appendingPathComponent("logs/acme/linux/web01/auth.log"), to: into.appendingPathComponent("srv/web01-auth.log"))
        try FileManager.default.copyItem(at: sshd, to: into.appendingPathComponent("srv/untouched.bin"))

        let (before, batch) = try await Self.ingest(into)
        let env = LearnedEnvironment([batch])
        #expect(env.hosts.contains { $0.name == "web01" } && env.files.count >= 2)
        let client = env.client()
        #expect(client.webServer?.name == "web01", "\(client.hosts.map { "\($0.name) \($0.role)" })")
        let report = try Injector.inject(into: into, environment: env, scenarios: ["ssh-brute-force", "ssh-password-spraying"], out: out, seed: 5)
        #expect(report.modified == ["srv/web01-auth.log"] && report.created.isEmpty, "\(report.modified) \(report.created)")
        #expect(try Data(contentsOf: out.appendingPathComponent("logs/srv/untouched.bin")) == Data(contentsOf: sshd))
        let (after, outBatch) = try await Self.ingest(out.appendingPathComponent("logs"))
        #expect(after.rejects == before.rejects)
        #expect(after.events == before.events + report.truth.count)
        let truthFile = try SimulationOutput.readGroundTruth([UInt8](Data(contentsOf: out.appendingPathComponent("ground_truth.jsonl"))))
        #expect(truthFile == report.truth)
        let original = [UInt8](try Data(contentsOf: into.appendingPathComponent("srv/web01-auth.log")))
        let copy = [UInt8](try Data(contentsOf: out.appendingPathComponent("logs/srv/web01-auth.log")))
        let n = try Self.compare(original: original, copy: copy, file: "srv/web01-auth.log", truth: report.truth,
                                 outLogs: out.appendingPathComponent("logs"), batch: outBatch, sortedBaseline: true)
        #expect(n > 150 && n == report.truth.count)
        print("inject into syslog: \(n) records inserted (\(Set(report.truth.map(\.label.step)).sorted())), rejects \(before.rejects) → \(after.rejects), events \(before.events) → \(after.events)")

        // Into the BSD file (read as syslog: its `# failJSON` comment lines make the sniffer call it text).
        let into2 = try Self.temporaryDirectory(), out2 = try Self.temporaryDirectory()
        defer { for d in [into2, out2] { try? FileManager.default.removeItem(at: d) } }
        try FileManager.default.copyItem(at: sshd, to: into2.appendingPathComponent("auth.log"))
        let (before2, batch2) = try await Self.ingest(into2, format: "syslog")
        let env2 = LearnedEnvironment([batch2])
        let report2 = try Injector.inject(into: into2, environment: env2, scenarios: ["ssh-brute-force"], out: out2, seed: 9)
        #expect(report2.modified == ["auth.log"], "\(report2.created) \(env2.files.values.map { "\($0.path) \($0.parser) \($0.mainHost ?? "-")" }) \(env2.client().webServer.map { "\($0.name)" } ?? "-")")
        let copy2 = [UInt8](try Data(contentsOf: out2.appendingPathComponent("logs/auth.log")))
        #expect(Injector.detectStamp(copy2) == .bsd)
        let (after2, outBatch2) = try await Self.ingest(out2.appendingPathComponent("logs"), format: "syslog")
        #expect(after2.rejects == before2.rejects && after2.events == before2.events + report2.truth.count)
        let n2 = try Self.compare(original: [UInt8](try Data(contentsOf: sshd)), copy: copy2, file: "auth.log", truth: report2.truth,
                                  outLogs: out2.appendingPathComponent("logs"), batch: outBatch2, sortedBaseline: false)
        #expect(n2 > 100)
        let injected = copy2.count - (try Data(contentsOf: sshd)).count
        print("inject into fail2ban sshd (BSD): \(n2) records, \(injected) bytes, rejects \(before2.rejects) → \(after2.rejects)")
    }

    /// A minimal scenario writing Zeek ssh.log rows with a few columns, injected into the Zeek
    /// sample's ssh.log (23 columns): the rows get the file's columns in its order, `-` for the rest.
    @Test func zeekRowsTakeTheFilesColumns() async throws {
        let into = try Self.temporaryDirectory(), out = try Self.temporaryDirectory()
        defer { for d in [into, out] { try? FileManager.default.removeItem(at: d) } }
        let gz = try #require(SharedData.url("zed-sample-data/zeek-default/ssh.log.gz"))
        let original = try Self.shell("gzip -dc '\(gz.path)'")
        try Data(original).write(to: into.appendingPathComponent("ssh.log"))
        let (before, batch) = try await Self.ingest(into)
        let env = LearnedEnvironment([batch])
        let fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "auth_success", "auth_attempts", "client", "server"]
        let attacker = "203.0.113.77"
        let entry = ScenarioEntry(name: "test-ssh-guessing", techniques: ["T1110.001"], summary: "test") { context in
            let file = context.simulation.path("zeek/ssh.log")
            context.simulation.output.declare(file, layout: LogFileLayout(header: ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tssh", "#fields\t" + fields.joined(separator: "\t")]))
            let target = context.simulation.client.network.address.ipv4.map { IPAddress(ipv4: $0 | 0x0101) }?.description ?? "10.0.1.1"
            for i in 0..<20 {
                let t = Timestamp(microseconds: context.start.microseconds + Int64(i) * 7_000_000)
                let ts = "\(t.seconds).\(String(format: "%06d", Int(t.microseconds % 1_000_000)))"
                let row = [ts, "CtestGuess\(i)", attacker, "\(40000 + i)", target, "22", "F", "3", "SSH-2.0-libssh_0.9.6", "SSH-2.0-OpenSSH_9.2p1 Debian-2"]
                context.simulation.output.add(file, time: t, line: row.joined(separator: "\t"), client: context.simulation.client.id, host: target,
                                              label: context.label("T1110.001", "credential-access", step: "guess"))
            }
        }
        let report = try Injector.inject(into: into, environment: env, entries: [entry], out: out, seed: 1)
        #expect(report.modified == ["ssh.log"] && report.truth.count == 20)
        let copy = [UInt8](try Data(contentsOf: out.appendingPathComponent("logs/ssh.log")))
        let (after, outBatch) = try await Self.ingest(out.appendingPathComponent("logs"))
        #expect(after.sources.first?.format == "zeek-tsv" && before.sources.first?.format == "zeek-tsv")
        #expect(after.rejects == 0 && before.rejects == 0 && after.events == before.events + 20)
        let n = try Self.compare(original: original, copy: copy, file: "ssh.log", truth: report.truth, outLogs: out.appendingPathComponent("logs"),
                                 batch: outBatch, sortedBaseline: true)
        #expect(n == 20)
        let header = Injector.zeekHeader(copy)
        #expect(header.fields.count == 23)
        let rows = Injector.lines(copy).map { String(decoding: copy[$0.start..<$0.end], as: UTF8.self) }.filter { $0.contains("CtestGuess") }
        #expect(rows.count == 20)
        for row in rows {
            let cols = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(cols.count == 23)
            #expect(cols[2] == attacker && cols[5] == "22" && cols[7] == "F" && cols[8] == "3" && cols[6] == "-" && cols[22] == "-")
        }
        let sources = (0..<outBatch.count).filter { outBatch.value(row: $0, field: Field.sourceIP)?.description == attacker }
        #expect(sources.count == 20)
    }

    /// OTRF's esentutl SAM copy replayed into a Windows baseline (the first 3000 records of
    /// OTRF's LSASS campaign): shifted, rewritten to the baseline's host and users, labelled T1003.002.
    @Test func otrfDatasetReplaysIntoAWindowsBaseline() async throws {
        let into = try Self.temporaryDirectory(), out = try Self.temporaryDirectory()
        defer { for d in [into, out] { try? FileManager.default.removeItem(at: d) } }
        let base = try #require(SharedData.url("otrf-security-datasets/datasets/compound/LSASS_campaign_02/metasploit_procdump_lsass_memory_dump.zip"))
        let dataset = try #require(SharedData.url("otrf-security-datasets/datasets/atomic/windows/credential_access/host/cmd_sam_copy_esentutl.zip"))
        let metadata = try #require(SharedData.url("otrf-security-datasets/datasets/atomic/_metadata/SDWIN-201019002900.yaml"))
        let baseline = try Self.shell("unzip -p '\(base.path)' | head -n 3000")
        try #require(baseline.count > 100_000)
        try FileManager.default.createDirectory(at: into.appendingPathComponent("windows"), withIntermediateDirectories: true)
        try Data(baseline).write(to: into.appendingPathComponent("windows/security.json"))
        let (before, batch) = try await Self.ingest(into)
        #expect(before.sources.first?.format == "windows-flat-json")
        let env = LearnedEnvironment([batch])
        let span = try #require(env.start.flatMap { s in env.end.map { (s, $0) } })
        let start = Timestamp(microseconds: (span.0.microseconds + span.1.microseconds) / 2)
        let data = try Self.shell("unzip -p '\(dataset.path)'")
        let attack = try RecordedAttack(name: "cmd_sam_copy_esentutl", data: data, metadataYAML: String(decoding: try Data(contentsOf: metadata), as: UTF8.self), start: start)
        #expect(attack.technique == "T1003.002" && attack.tactic == "credential-access")
        let report = try Injector.replay([attack], into: into, environment: env, out: out)
        let lines = Injector.lines(data).filter { $0.end > $0.start }.count
        #expect(report.truth.count == lines && lines == 915)
        let mapped = env.client().hosts.first { $0.os == .windows }?.name
        let (after, outBatch) = try await Self.ingest(out.appendingPathComponent("logs"))
        #expect(after.rejects == before.rejects)
        #expect(after.events == before.events + lines)
        let file = report.modified.first ?? report.created.first ?? ""
        let copy = [UInt8](try Data(contentsOf: out.appendingPathComponent("logs/" + file)))
        if report.modified == ["windows/security.json"] {
            let n = try Self.compare(original: baseline, copy: copy, file: file, truth: report.truth, outLogs: out.appendingPathComponent("logs"),
                                     batch: outBatch, sortedBaseline: false)
            #expect(n == lines)
        } else {
            Issue.record("replay went to \(report.created), not into the baseline (hosts \(env.hosts.map(\.name)))")
        }
        let text = String(decoding: copy, as: UTF8.self)
        #expect(!text.contains("WORKSTATION5") || mapped == "WORKSTATION5")
        #expect(!text.contains("2020-10-19"))
        let times = report.truth.map(\.time)
        #expect(times.min().map { abs($0.microseconds - start.microseconds) < 1_000_000 } == true)
        #expect(Set(report.truth.map(\.label.technique)) == ["T1003.002"])
        print("replay: \(lines) OTRF records into \(file) on \(mapped ?? "-") (baseline \(before.events) events, users \(env.users.prefix(5))), rejects \(before.rejects) → \(after.rejects)")
    }
}
