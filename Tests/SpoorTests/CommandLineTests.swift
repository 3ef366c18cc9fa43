import Foundation
import Testing
import SpoorCore

@Suite(.serialized, .enabled(if: SpoorProcess.isAvailable, "the spoor executable is not built"))
struct CommandLineTests {
    /// Syslog lines of an sshd password-guessing run, numbered so duplicates would show.
    func writeAuthLog(_ path: String, lines: Int) throws {
        var text = ""
        text.reserveCapacity(lines * 100)
        for i in 0..<lines {
            let s = i % 60, m = (i / 60) % 60, h = (i / 3600) % 24
            let time = String(format: "Nov  2 %02d:%02d:%02d", h, m, s)
            text += "\(time) web01 sshd[\(10_000 + i)]: Failed password for invalid user u\(i) from 203.0.\(i % 250).\(i % 200) port \(20_000 + i % 40_000) ssh2\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func count(_ sql: String, case dir: String, in folder: TemporaryFolder) throws -> Int {
        let r = try SpoorProcess.run(["sql", "--case", dir, "--output", "csv", sql], directory: folder.url)
        let lines = r.stdout.split(whereSeparator: \.isNewline)
        return lines.count >= 2 ? Int(lines[1]) ?? -1 : -1
    }

    /// Commands that read a case refuse a directory that holds none instead of creating an empty one.
    @Test func readingCommandsRefuseAMissingCase() throws {
        let folder = try TemporaryFolder()
        let missing = folder.url.appendingPathComponent("no-such-case").path
        for command in [["label"], ["train"], ["detect"], ["sessions"], ["sql", "SELECT 1"]] {
            let r = try SpoorProcess.run(command + ["--case", missing], directory: folder.url)
            #expect(r.status == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("no case at"), "\(command): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func huntFindsACorrelationInLogPathsAndRulesCheckLocatesProblems() throws {
        let folder = try TemporaryFolder()
        var log = ""
        for i in 0..<5 { log += "Nov  2 10:0\(i):00 web01 sshd[\(100 + i)]: Failed password for root from 203.0.113.9 port \(4000 + i) ssh2\n" }
        log += "Nov  2 10:07:00 web01 sshd[200]: Failed password for bob from 198.51.100.7 port 5000 ssh2\n"
        log += "Nov  2 10:08:00 web01 sshd[201]: Accepted password for bob from 198.51.100.7 port 5001 ssh2\n"
        try log.write(toFile: folder.path("auth.log"), atomically: true, encoding: .utf8)
        try """
            title: SSH failed password
            id: 8d4f7a52-1a0e-4c52-9d0e-2b1f3c4d5e6f
            name: ssh_failed
            logsource: {product: linux, service: sshd}
            detection:
                keywords: ['Failed password']
                condition: keywords
            level: low
            ---
            title: SSH password guessing
            id: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
            correlation:
                type: event_count
                rules: [ssh_failed]
                group-by: [source.ip]
                timespan: 10m
                condition: {gte: 5}
            level: high
            """.write(toFile: folder.path("rules.yml"), atomically: true, encoding: .utf8)
        let r = try SpoorProcess.run(["hunt", "--rules", folder.path("rules.yml"), "--collected-at", "2026-11-03", "--output", "jsonl",
                                      folder.path("auth.log")], directory: folder.url)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1, "\(r.stdout)")   // the base rule feeds the correlation only (no generate)
        #expect(lines.first?.contains("\"title\":\"SSH password guessing\"") == true)
        #expect(lines.first?.contains("\"source.ip\":\"203.0.113.9\"") == true)

        try "title: broken\nlogsource: {product: windows}\ndetection:\n    sel: {Image: x}\n    condition: sel and other\n"
            .write(toFile: folder.path("bad.yml"), atomically: true, encoding: .utf8)
        let c = try SpoorProcess.run(["rules", "check", folder.path("bad.yml"), folder.path("rules.yml")], directory: folder.url)
        #expect(c.status == 2)
        #expect(c.stdout.contains("bad.yml:5:"), "\(c.stdout)")
        #expect(c.stdout.contains("'other'"))
    }

    @Test func aKilledIngestResumesWithExactlyTheRightEvents() throws {
        let folder = try TemporaryFolder()
        let log = folder.path("auth.log")
        let lines = 60_000
        try writeAuthLog(log, lines: lines)
        let caseDir = folder.path("case")
        let args = ["ingest", log, "--case", caseDir, "--collected-at", "2026-11-03", "--batch-records", "1000"]
        let (p, _, _) = try SpoorProcess.start(args, directory: folder.url)
        // Kill it with SIGKILL once some batches are committed, well before the end.
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        while p.isRunning && Date() < deadline {
            usleep(50_000)
            seen = (try? count("SELECT count(*) FROM events", case: caseDir, in: folder)) ?? 0
            if seen >= 3_000 { break }
        }
        let wasRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(wasRunning, "ingest finished before it could be killed; the test proves nothing")
        let afterKill = try count("SELECT count(*) FROM events", case: caseDir, in: folder)
        #expect(afterKill > 0 && afterKill < lines)
        #expect(afterKill % 1000 == 0, "only whole batches are ever visible")
        // The rerun completes the source: every record exactly once.
        let rerun = try SpoorProcess.run(args + ["--output", "json"], directory: folder.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try count("SELECT count(*) FROM events", case: caseDir, in: folder) == lines)
        #expect(try count("SELECT count(DISTINCT record) FROM events", case: caseDir, in: folder) == lines)
        #expect(try count("SELECT count(*) FROM rejects", case: caseDir, in: folder) == 0)
        // And once more: nothing is added.
        let again = try SpoorProcess.run(args, directory: folder.url)
        #expect(again.status == 0)
        #expect(try count("SELECT count(*) FROM events", case: caseDir, in: folder) == lines)
    }

    @Test func ingestReportsRejectsInJSONAndExitsTwo() throws {
        let folder = try TemporaryFolder()
        let log = folder.path("mixed.jsonl")
        // A JSON-lines file that goes wrong in its third record.
        var text = ""
        for i in 0..<10 { text += i == 2 ? "not json at all\n" : "{\"ts\":\"2024-01-01T00:00:0\(i)Z\",\"a\":\(i)}\n" }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let r = try SpoorProcess.run(["ingest", log, "--case", folder.path("case"), "--output", "json"], directory: folder.url)
        #expect(r.status == 2)
        let parsed = try JSONParser().parse(Array(r.stdout.utf8).span)
        #expect(parsed["records"]?.intValue == 10)
        #expect(parsed["events"]?.intValue == 9)
        #expect(parsed["rejects"]?.intValue == 1)
        guard case .array(let sources)? = parsed["sources"], let s = sources.first else {
            Issue.record("no sources in \(r.stdout)")
            return
        }
        #expect(s["path"]?.stringValue == log)
        #expect(s["format"]?.stringValue == "jsonl")
        #expect(s["records"]?.intValue == 10)
        guard case .array(let examples)? = s["reject_examples"], let first = examples.first else {
            Issue.record("no reject examples")
            return
        }
        #expect(first["location"]?.stringValue == "\(log):3:72")  // two 36-byte records before it
    }

    @Test func csvOutputNeutralisesFormulasAndTextOutputEscapesControls() throws {
        let folder = try TemporaryFolder()
        let log = folder.path("evil.log")
        try "=HYPERLINK(\"http://x\") \u{1B}[31mred\u{1B}[0m\n".write(toFile: log, atomically: true, encoding: .utf8)
        let caseDir = folder.path("case")
        _ = try SpoorProcess.run(["ingest", log, "--case", caseDir, "--log-format", "text"], directory: folder.url)
        let csv = try SpoorProcess.run(["events", "--case", caseDir, "--output", "csv"], directory: folder.url)
        #expect(csv.status == 0)
        #expect(!csv.stdout.contains(",=HYPERLINK") && !csv.stdout.contains(",\"=HYPERLINK"))
        let text = try SpoorProcess.run(["events", "--case", caseDir], directory: folder.url)
        #expect(!text.stdout.contains("\u{1B}"))
        #expect(text.stdout.contains("\\x1b[31mred"))
    }

    @Test func sqlRefusesWrites() throws {
        let folder = try TemporaryFolder()
        let caseDir = folder.path("case")
        let log = folder.path("auth.log")
        try "Nov  2 10:00:00 web01 sshd[100]: Failed password for root from 203.0.113.9 port 4000 ssh2\n".write(toFile: log, atomically: true, encoding: .utf8)
        let ingest = try SpoorProcess.run(["ingest", log, "--case", caseDir], directory: folder.url)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let r = try SpoorProcess.run(["sql", "--case", caseDir, "DELETE FROM events"], directory: folder.url)
        #expect(r.status == 1)
        #expect(r.stderr.lowercased().contains("read"))
    }

    @Test func theDemoRunsEndToEnd() throws {
        let folder = try TemporaryFolder()
        let r = try SpoorProcess.run(["analyze", "--demo", "--case", folder.path("case"), "--output", "json"], directory: folder.url)
        #expect(r.status == 0, "\(r.stderr)")
        let parsed = try JSONParser().parse(Array(r.stdout.utf8).span)
        // The detectors and the labels ran on the demo too.
        #expect(parsed["labels"]?["units"]?.intValue ?? 0 > 0)
        let events = parsed["summary"]?["events"]?.intValue ?? 0
        #expect(events > 5_000)
        #expect(parsed["ingest"]?["rejects"]?.intValue == 0)
        guard case .array(let failures)? = parsed["summary"]?["failure_sources"], let top = failures.first else {
            Issue.record("no failure sources")
            return
        }
        #expect(top["value"]?.stringValue == "203.0.113.45")
        // The demo's own Sigma rules tell the intrusion: guessing, the login it won, the
        // download run with sudo, the UID 0 account, the SQL injection probes.
        guard case .array(let detections)? = parsed["detections"] else {
            Issue.record("no detections")
            return
        }
        let titles = Set(detections.compactMap { $0["title"]?.stringValue })
        for t in ["SSH password guessing", "SSH login after password guessing", "Download piped into a shell with sudo",
                  "Account created with UID 0", "SQL injection probe in a web request"] {
            #expect(titles.contains(t), "missing \(t)")
        }
        let login = detections.first { $0["title"]?.stringValue == "SSH login after password guessing" }
        #expect(login?["details"]?["group"]?["source.ip"]?.stringValue == "203.0.113.45")
        #expect(detections.filter { $0["title"]?.stringValue == "Account created with UID 0" }.count == 1)
        // Indicators and the demo feed: the guesser, the C2 address and the download URL were in
        // the logs a day before the feed (dated the next morning) named them; its two other
        // entries were never seen.
        #expect((parsed["indicators"]?["by_kind"]?["ipv4-addr"]?.intValue ?? 0) > 100)
        guard case .array(let matches)? = parsed["intel_matches"] else {
            Issue.record("no intel matches")
            return
        }
        #expect(Set(matches.compactMap { $0["value"]?.stringValue }) == ["203.0.113.45", "198.51.100.7", "http://198.51.100.7/k.sh"])
        #expect(matches.allSatisfy { $0["seen_before_known"] == .bool(true) && ($0["lead_seconds"]?.intValue ?? 0) > 86_400 })
    }

    /// `analyze` with no path: a small simulated organisation, attack and attack-free runs, the
    /// scorecard as JSON with a row per technique the simulation ran, the same for the label
    /// model, majority vote and end model, and the unit-level comparison.
    @Test func theSimulationIsAnalysedAndScored() throws {
        let folder = try TemporaryFolder()
        let r = try SpoorProcess.run(["analyze", "--days", "1", "--hosts", "8", "--case", folder.path("case"), "--keep", folder.path("kept"), "--output", "json"],
                                     directory: folder.url, timeout: 900)
        #expect(r.status == 0, "\(r.stderr)")
        let all = try JSONParser().parse(Array(r.stdout.utf8).span)
        for scorer in ["label model", "majority vote", "end model"] {
            #expect(all["units"]?[scorer]?["recall"] != nil, "no scorecard for \(scorer)")
        }
        let figures = all["labels"]?["figures"]
        #expect(figures?["label model F1"]?["value"]?.doubleValue != nil)
        guard case .array(let perSeed)? = all["labels"]?["per_seed"], let first = perSeed.first else {
            Issue.record("no per-seed label evaluation")
            return
        }
        for key in ["label_model", "majority_vote", "end_model"] {
            for metric in ["precision", "recall", "f1", "pr_auc", "operating_point"] {
                #expect(first[key]?[metric] != nil, "\(key).\(metric) missing")
            }
        }
        #expect((first["positive_units"]?.intValue ?? 0) > 0)
        let card = try #require(all["scorecard"])
        guard case .array(let rows)? = card["techniques"] else {
            Issue.record("no technique rows in \(r.stdout.prefix(300))")
            return
        }
        let techniques = Set(rows.compactMap { $0["technique"]?.stringValue })
        #expect(techniques.isSuperset(of: ["T1110.001", "T1059.001", "T1003.001", "T1071.001", "T1568.002", "T1071.004"]))
        #expect(rows.allSatisfy { ($0["recall"]?["value"]?.doubleValue ?? -1) >= 0 })
        #expect(card["precision_at_k"] != nil)
        // Each detector has its own scorecard, with its own cut on the attack-free run.
        for detector in ["brute-force", "beaconing", "dga", "dns-tunnel", "rare-process", "exfiltration"] {
            let own = all["each_detector"]?[detector]
            #expect(own?["techniques"] != nil && own?["cuts"] != nil, "no scorecard of its own for \(detector)")
        }
        // The kept cases: the attack-free twin was labelled with the attack run's label model,
        // so `evaluate --attack-free` scores at the alert budget without a warning; labelled
        // with its own fit, it warns that the cut is another model's.
        let evaluate = ["evaluate", "--case", folder.path("kept/case-1-attack"), "--ground-truth", folder.path("kept/sim-1-attack/ground_truth.jsonl"),
                        "--attack-free", folder.path("kept/case-1-attack-free"), "--output", "json"]
        let same = try SpoorProcess.run(evaluate, directory: folder.url, timeout: 900)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(!same.stderr.contains("was not labelled with this case's label model"), "\(same.stderr)")
        #expect(try JSONParser().parse(Array(same.stdout.utf8).span)["at_alert_budget"]?["label model"]?["f1"] != nil)
        let own = try SpoorProcess.run(["label", "--case", folder.path("kept/case-1-attack-free")], directory: folder.url, timeout: 900)
        #expect(own.status == 0, "\(own.stderr)")
        let other = try SpoorProcess.run(evaluate, directory: folder.url, timeout: 900)
        #expect(other.status == 0 && other.stderr.contains("was not labelled with this case's label model"), "\(other.stderr)")
    }
}
