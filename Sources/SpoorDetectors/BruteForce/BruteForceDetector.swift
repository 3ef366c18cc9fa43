import Foundation
import SpoorCore
import SpoorEvents

/// The thresholds and weights of ``BruteForceDetector`` (documented in `Docs/Detectors-host.md`).
public struct BruteForcePolicy: Sendable, Hashable {
    /// The sliding window failures are counted in (fail2ban's default `findtime`, 10 minutes).
    public var windowSeconds: Int64 = 600
    /// A source is reported when this many failures fall in one window (fail2ban's default
    /// `maxretry`, 5) …
    public var minimumFailures: Int = 5
    /// … or when it failed against this many distinct accounts over the whole input (a slow
    /// spray stays under any rate threshold) …
    public var minimumUsers: Int = 5
    /// … or when a success follows at least this many failures from the same source within
    /// `successLookbackSeconds`.
    public var minimumFailuresBeforeSuccess: Int = 4
    public var successLookbackSeconds: Int64 = 3600
    /// Failures of an account that its own success from the same source follows within the
    /// lookback are forgiven as mistypes when there are at most this many.
    public var forgivenMistypes: Int = 2
    /// How many evidence ids a finding keeps (successes after failures first, then the
    /// failures of the busiest window).
    public var evidenceLimit: Int = 64
    /// Accounts whose existence tells nothing of what a guesser knows about the organisation:
    /// every Windows and Linux system has them (Microsoft, "Local Accounts"; `root` on Unix),
    /// and every dictionary holds them. Compared lower-cased.
    public var builtInAccounts: Set<String> = ["root", "administrator", "admin", "guest", "defaultaccount", "wdagutilityaccount"]

    public init() {}

    /// fail2ban's filter-test semantics: every failure line is reported (maxretry 1).
    public static var everyFailure: BruteForcePolicy {
        var p = BruteForcePolicy()
        p.minimumFailures = 1
        return p
    }
}

/// Password guessing and spraying by source address (MITRE ATT&CK T1110.001, T1110.003).
///
/// Reads authentication events as spoor's parsers write them: `event.category` contains
/// `authentication`, `event.outcome` is `failure` or (with `event.type` `start`) `success`; the
/// source is `source.ip`, else `source.domain` (Windows 4776 names only the workstation); the
/// account `user.name`, the target `host.name`. Failures that are not guesses are not counted:
///
/// | skipped | why |
/// |---|---|
/// | `ssh-auth-timeout` | no credential was tried |
/// | `ssh-login` with `syslog.sshd.method` `publickey` | a client offering its keys in turn, not a guess |
/// | within one sshd connection (host, pid): PAM's failure lines when sshd logged its own `Failed …` lines, and the other failure lines (`Invalid user`, `Too many authentication failures`) when either did | one attempt logged several times |
/// | at most `forgivenMistypes` failures of an account its own success from the same source follows | the owner mistyped |
///
/// Counted as failures besides authentication events, as fail2ban's sshd filter does:
/// `ssh-connection-refused` (TCP wrappers) and `ssh-disconnect-received` whose reason ends in
/// `Auth fail` (the JSch client's report). sshd serves each connection in its own process, so
/// an sshd failure logged without the peer (`input_userauth_request: invalid user root`,
/// `Disconnecting: Too many authentication failures`) takes the peer another line of the same
/// host and pid names within 10 minutes before or after it.
///
/// Per source it measures the failures in the busiest window, their rate, the distinct
/// accounts and target hosts, and whether a success came after failures (the sub-score that
/// matters most: a guessed password). Entity kind `source`, parts `[source]`.
public struct BruteForceDetector: EventDetector {
    public let name = "brute-force"
    public var policy: BruteForcePolicy

    struct Attempt {
        var time: Int64
        var id: Int64
        var user: UInt32
        var host: UInt32
        var success: Bool
        /// The sshd connection (process) that logged it, 0 for none.
        var connection: UInt32 = 0
        /// For sshd lines: 1 sshd's own `Failed …`, 2 a PAM module's line, 3 any other failure line.
        var line: UInt8 = 0
    }

    private var strings = DetectorStrings()
    private var ipIDs: [IPAddress: UInt32] = [:]
    private var sourceIndex: [UInt64: Int] = [:]   // org id << 32 | source id
    private var sources: [(org: UInt32, source: UInt32, attempts: [Attempt])] = []
    /// The organisation's own accounts: those with a successful logon anywhere in its data
    /// (org id << 32 | account id), machine accounts (`…$`) left out.
    private var knownAccounts: Set<UInt64> = []

    public init(policy: BruteForcePolicy = BruteForcePolicy()) {
        self.policy = policy
    }

    /// An sshd process serves one connection: (org, host, pid) → the peer it last named.
    struct ConnectionKey: Hashable { var org: UInt32, host: UInt32, pid: Int64 }
    private var connections: [ConnectionKey: (source: UInt32, time: Int64)] = [:]
    private var connectionIDs: [ConnectionKey: UInt32] = [:]
    /// Failures an sshd process logged without the peer, waiting for a line that names it.
    private var pending: [ConnectionKey: [Attempt]] = [:]
    /// How far apart a peerless sshd line and the line naming the peer may be.
    static let connectionSeconds: Int64 = 600

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        guard let out = PageColumns.index(batch, Field.eventOutcome, .string) else { return }
        let authSym = batch.symbols.lookup("authentication") ?? .max
        let failureSym = batch.symbols.lookup("failure") ?? .max
        let successSym = batch.symbols.lookup("success") ?? .max
        let startSym = batch.symbols.lookup("start") ?? .max
        let outcomes = batch.columns[out].symbols
        let categories = PageColumns.index(batch, Field.eventCategory, .stringList).map { batch.columns[$0] }
        let types = PageColumns.index(batch, Field.eventType, .stringList).map { batch.columns[$0] }
        let times = PageColumns.index(batch, Field.timestamp, .timestamp).map { batch.columns[$0] }
        let ipCol = PageColumns.index(batch, Field.sourceIP, .ip).map { batch.columns[$0] }
        let ipText = PageColumns.index(batch, Field.sourceIP, .string).map { batch.columns[$0].symbols }
        let domain = PageColumns.index(batch, Field.sourceDomain, .string).map { batch.columns[$0].symbols }
        let user = PageColumns.index(batch, Field.userName, .string).map { batch.columns[$0].symbols }
        let host = PageColumns.index(batch, Field.hostName, .string).map { batch.columns[$0].symbols }
        let org = PageColumns.index(batch, Field.organizationID, .string).map { batch.columns[$0].symbols }
        let action = PageColumns.index(batch, Field.eventAction, .string).map { batch.columns[$0].symbols }
        let method = PageColumns.index(batch, Field.syslogSSHDMethod, .string).map { batch.columns[$0].symbols }
        let reason = PageColumns.index(batch, Field.eventReason, .string).map { batch.columns[$0].symbols }
        let program = PageColumns.index(batch, Field.processName, .string).map { batch.columns[$0].symbols }
        let pid = PageColumns.index(batch, Field.processPID, .int).map { batch.columns[$0] }
        let skipped: Set<UInt32> = Set(["ssh-auth-timeout"].compactMap { batch.symbols.lookup($0) })
        let sshLogin = batch.symbols.lookup("ssh-login") ?? .max
        let publickey = batch.symbols.lookup("publickey") ?? .max
        let refused = batch.symbols.lookup("ssh-connection-refused") ?? .max
        let disconnect = batch.symbols.lookup("ssh-disconnect-received") ?? .max
        let pamLine: Set<UInt32> = Set(["pam-auth-failure", "pam-user-unknown"].compactMap { batch.symbols.lookup($0) })
        let sshdPrograms: Set<UInt32> = Set(["sshd", "sshd-session", "sshd-auth"].compactMap { batch.symbols.lookup($0) })

        var lowered = PageSymbols(batch, normalise: PageColumns.lowercasedValue)
        var verbatim = PageSymbols(batch, normalise: PageColumns.value)
        for r in 0..<batch.count {
            let o = outcomes[r]
            let a = action?[r] ?? 0
            // What the row is: a failed guess, a successful logon, or neither.
            var success = false, failure = false
            if let categories, authSym != .max, PageColumns.list(categories, r, contains: authSym) {
                if o == successSym {
                    success = types.map { PageColumns.list($0, r, contains: startSym) } ?? false
                } else if o == failureSym {
                    failure = !skipped.contains(a) && !(a == sshLogin && method?[r] == publickey)
                }
            } else if a != 0 && (a == refused || (a == disconnect && reason.map { Self.reportsAuthFailure($0[r], batch) } ?? false)) {
                failure = true   // fail2ban's sshd filter counts these too
            }
            // The source.
            var source: UInt32 = 0
            if let ipCol, ipCol.valid[r] {
                let addr = ipCol.addresses[r]
                if let s = ipIDs[addr] { source = s } else {
                    source = strings.id(addr.description)
                    ipIDs[addr] = source
                }
            } else if let ipText, ipText[r] != 0 {
                source = verbatim.id(ipText[r], batch, &strings)
            } else if (success || failure), let domain, domain[r] != 0 {
                source = lowered.id(domain[r], batch, &strings)
            }
            let t = times.flatMap { $0.valid[r] ? $0.integers[r] : nil } ?? 0
            let orgID = org.map { verbatim.id($0[r], batch, &strings) } ?? 0
            // sshd's connection context: one process per connection.
            var connection: ConnectionKey? = nil
            if let pid, pid.valid[r], let program, sshdPrograms.contains(program[r]) {
                connection = ConnectionKey(org: orgID, host: host.map { lowered.id($0[r], batch, &strings) } ?? 0, pid: pid.integers[r])
            }
            if let c = connection, source != 0 {
                connections[c] = (source, t)
                if let waiting = pending.removeValue(forKey: c) {
                    for w in waiting where abs(t - w.time) <= Self.connectionSeconds * 1_000_000 { record(orgID, source, w) }
                }
            }
            guard success || failure else { continue }
            var attempt = Attempt(time: t, id: r < ids.count ? ids[r] : Int64(r),
                                  user: user.map { lowered.id($0[r], batch, &strings) } ?? 0,
                                  host: host.map { lowered.id($0[r], batch, &strings) } ?? 0,
                                  success: success)
            if let c = connection {
                if let i = connectionIDs[c] { attempt.connection = i } else {
                    attempt.connection = UInt32(connectionIDs.count + 1)
                    connectionIDs[c] = attempt.connection
                }
                attempt.line = a == sshLogin ? 1 : (pamLine.contains(a) ? 2 : 3)
            }
            if source == 0 {
                guard let c = connection else { continue }
                if let known = connections[c], abs(t - known.time) <= Self.connectionSeconds * 1_000_000 {
                    record(orgID, known.source, attempt)
                } else {
                    pending[c, default: []].append(attempt)
                }
                continue
            }
            record(orgID, source, attempt)
        }
    }

    private mutating func record(_ org: UInt32, _ source: UInt32, _ attempt: Attempt) {
        let key = UInt64(org) << 32 | UInt64(source)
        let k: Int
        if let i = sourceIndex[key] { k = i } else {
            k = sources.count
            sourceIndex[key] = k
            sources.append((org, source, []))
        }
        sources[k].attempts.append(attempt)
        if attempt.success && attempt.user != 0 { knownAccounts.insert(UInt64(org) << 32 | UInt64(attempt.user)) }
    }

    /// A client's disconnect message that reports a failed authentication (`… Auth fail`, JSch's).
    static func reportsAuthFailure(_ symbol: UInt32, _ batch: EventBatch) -> Bool {
        guard symbol != 0 else { return false }
        let b = batch.symbols.bytes(symbol)
        let tail = Array("Auth fail".utf8)
        return b.count >= tail.count && b.suffix(tail.count).elementsEqual(tail)
    }

    public mutating func finish() -> [DetectorFinding] {
        var findings: [DetectorFinding] = []
        // Built-in and machine accounts are never the organisation's own in the sense of
        // `targeted`: a machine account's password is random and changed by the machine itself
        // (Microsoft, "Machine account password process"), nobody guesses it.
        let builtIn = Set(policy.builtInAccounts.compactMap { strings.lookup($0.lowercased()) })
        let known = knownAccounts.filter { key in
            let user = UInt32(truncatingIfNeeded: key)
            return !builtIn.contains(user) && !strings[user].hasSuffix("$")
        }
        for s in sources {
            if let f = assess(s.org, s.source, s.attempts, known: known) { findings.append(f) }
        }
        return findings.sorted { ($0.score, $1.entity.description) > ($1.score, $0.entity.description) }
    }

    /// The measures of one source, or nil when it stays under every reporting threshold.
    func assess(_ org: UInt32, _ source: UInt32, _ unsorted: [Attempt], known: Set<UInt64> = []) -> DetectorFinding? {
        let sorted = unsorted.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        // sshd logs one password attempt on up to three lines (`Invalid user …`, PAM's
        // `authentication failure`, its own `Failed password …`). Within one sshd connection the
        // attempts are sshd's `Failed …` lines if there are any, else PAM's, else the other lines.
        var best: [UInt32: UInt8] = [:]   // connection → the line kind kept
        for a in sorted where !a.success && a.connection != 0 {
            best[a.connection] = min(best[a.connection] ?? 3, a.line)
        }
        let attempts = sorted.filter { $0.success || $0.connection == 0 || $0.line == best[$0.connection] }
        // Mistypes: at most `forgivenMistypes` failures of an account followed, within the
        // lookback, by that account's success from the same source are its owner's, not guesses.
        let lookback = policy.successLookbackSeconds * 1_000_000
        var forgiven = [Bool](repeating: false, count: attempts.count)
        var open: [UInt32: [Int]] = [:]
        for (i, a) in attempts.enumerated() {
            if !a.success { open[a.user, default: []].append(i); continue }
            guard let list = open.removeValue(forKey: a.user) else { continue }
            let recent = list.filter { a.time - attempts[$0].time <= lookback }
            if recent.count <= policy.forgivenMistypes { for j in recent { forgiven[j] = true } }
        }
        let failures = attempts.indices.filter { !attempts[$0].success && !forgiven[$0] }.map { attempts[$0] }
        guard !failures.isEmpty else { return nil }
        let window = policy.windowSeconds * 1_000_000
        // Busiest window (two pointers over the failure times).
        var peak = 0, peakStart = 0, lo = 0
        for hi in failures.indices {
            while failures[hi].time - failures[lo].time >= window { lo += 1 }
            if hi - lo + 1 > peak { peak = hi - lo + 1; peakStart = lo }
        }
        let users = Set(failures.map(\.user).filter { $0 != 0 })
        let hosts = Set(failures.map(\.host).filter { $0 != 0 })
        // Successes after failures: failures from this source in the lookback before each
        // success of an account among them (a guessed password is a success of an account that
        // was being guessed; a workstation's own machine account logging on after its user's
        // stale password failed is not one).
        var bestBefore = 0
        var compromises: [Attempt] = []
        var f0 = 0, f1 = 0   // failures[f0..<f1] are before the current success and inside the lookback
        var inWindow: [UInt32: Int] = [:]   // failures per account in failures[f0..<f1]
        for a in attempts where a.success {
            while f1 < failures.count, (failures[f1].time, failures[f1].id) < (a.time, a.id) {
                inWindow[failures[f1].user, default: 0] += 1
                f1 += 1
            }
            while f0 < f1, a.time - failures[f0].time > lookback {
                inWindow[failures[f0].user, default: 0] -= 1
                f0 += 1
            }
            guard inWindow[a.user, default: 0] > 0 else { continue }
            let before = f1 - f0
            if before >= policy.minimumFailuresBeforeSuccess { compromises.append(a) }
            bestBefore = max(bestBefore, before)
        }
        guard peak >= policy.minimumFailures || users.count >= policy.minimumUsers || !compromises.isEmpty else { return nil }

        let span = Double(max(failures[peakStart + peak - 1].time - failures[peakStart].time, 60_000_000)) / 60_000_000
        let rate = Double(peak) / span                        // failures per minute in the busiest window
        let triesPerUser = Double(failures.count) / Double(max(users.count, 1))
        let volume = 1 - exp(-Double(peak) / 20)
        let spraying = users.count >= 2 ? (1 - exp(-Double(users.count - 1) / 8)) * min(1, 3 / triesPerUser) : 0
        let spread = hosts.count >= 2 ? 1 - exp(-Double(hosts.count - 1) / 3) : 0
        let speed = 1 - exp(-rate / 2)
        let guessed = bestBefore >= policy.minimumFailuresBeforeSuccess
            ? 1 - exp(-Double(bestBefore - policy.minimumFailuresBeforeSuccess + 1) / 4) : 0
        // Whether the guesser knows the organisation: the share of the accounts tried that are
        // its own (logged on successfully somewhere in its data), weighted by how many guesses
        // went at them. Internet-wide guessing works through dictionaries of common and
        // built-in names; a spray or brute force aimed at a client uses its real account names
        // (harvested from the web, breaches or the directory: ATT&CK T1110.003, T1589.003).
        let orgKey = UInt64(org) << 32
        let knownUsers = users.filter { known.contains(orgKey | UInt64($0)) }.count
        let knownFailures = knownUsers == 0 ? 0 : failures.filter { known.contains(orgKey | UInt64($0.user)) }.count
        let targeted = users.isEmpty ? 0 : Double(knownUsers) / Double(users.count) * (1 - exp(-Double(knownFailures) / 10))
        // Noisy-OR of weighted parts: any one strong sign suffices, a guessed password dominates.
        let score = 1 - (1 - 0.7 * volume) * (1 - 0.7 * spraying) * (1 - 0.3 * spread) * (1 - 0.3 * speed)
            * (1 - 0.8 * targeted) * (1 - 0.98 * guessed)

        var evidence = compromises.prefix(16).map(\.id)
        evidence += failures[peakStart..<(peakStart + peak)].prefix(max(0, policy.evidenceLimit - evidence.count)).map(\.id)
        let src = strings[source]
        var summary = "\(src): \(failures.count) failed logons (\(peak) in \(policy.windowSeconds / 60) min), \(users.count) accounts (\(knownUsers) the organisation's own), \(hosts.count) hosts"
        if !compromises.isEmpty {
            let who = Set(compromises.map { strings[$0.user] }).sorted().prefix(3).joined(separator: ", ")
            summary += "; then \(compromises.count) successful logon\(compromises.count == 1 ? "" : "s") (\(who)) after \(bestBefore) failures"
        }
        return DetectorFinding(
            detector: name, score: score,
            subscores: [Subscore("failures", volume), Subscore("spraying", spraying), Subscore("hosts", spread),
                        Subscore("rate", speed), Subscore("targeted", targeted), Subscore("success-after-failures", guessed)],
            entity: DetectorEntity(kind: "source", parts: [src], organization: strings[org]),
            firstSeen: Timestamp(microseconds: attempts.first?.time ?? 0),
            lastSeen: Timestamp(microseconds: attempts.last?.time ?? 0),
            evidence: cappedEvidence(evidence, limit: policy.evidenceLimit), summary: summary)
    }
}
