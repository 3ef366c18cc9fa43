import SpoorCore
import SpoorEvents

/// The settings of ``NewLogonPathDetector``.
public struct NewLogonPathPolicy: Sendable, Hashable {
    /// The first day of an organisation's remote logons is its baseline: a path first used
    /// within it is known, one first used later is new.
    public var baselineSeconds: Int64 = 86_400
    /// Findings below this score are not reported.
    public var threshold: Double = 0.3
    /// How long after a logon its 4672 ("special privileges assigned to new logon") may come.
    public var privilegeSeconds: Int64 = 5
    /// A source that this many other machines log on to is a server (an administrator's console,
    /// a jump host): privileged logons from it are administration, as from one that made
    /// privileged logons in the baseline.
    public var adminHostFanIn = 3
    public init() {}
}

/// New logon paths: an account logging on to a host from a machine it has not used to reach
/// that host before — the trace that lateral movement with valid accounts leaves (ATT&CK
/// T1021 remote services, T1078 valid accounts, T1569.002 PsExec's service). A path is
/// (organisation, account, source, target): the target is the host that logged the logon
/// (`host.name`), the source the machine it came from (`source.ip`, else the workstation name
/// in `source.domain`). The logons read are successful remote logons: `event.category`
/// `authentication`, `event.type` `start`, `event.outcome` `success`, from another machine —
/// Windows logon types Network, NetworkCleartext, RemoteInteractive and
/// CachedRemoteInteractive (4624; the types of Microsoft's "4624(S): An account was
/// successfully logged on"), and any other successful authentication that names a remote
/// source address (sshd's `Accepted …`). Machine accounts (`NAME$`), anonymous logons and
/// logons from the host itself (loopback) are left out.
///
/// Authentication graphs of enterprises are stable: accounts log on to the same few hosts
/// from the same few machines, and an intruder who moves with stolen credentials draws edges
/// the graph never had (Kent, Liebrock and Neil 2015, "Authentication graphs: analyzing user
/// behavior within an enterprise network", Computers & Security; Bowman et al. 2020,
/// "Detecting lateral movement in enterprise computer networks with unsupervised graph AI",
/// RAID). Which new edges matter is structural: privileged logons, from machines that do not
/// usually make them, to hosts few machines reach (Siadati and Memon 2017, "Detecting
/// structurally anomalous logins within enterprise networks", CCS).
///
/// Per path (documented in `Docs/Detectors-host.md` §5):
/// - `new-path`: 1 when the path is first used more than a baseline day after the
///   organisation's first remote logon, 0 within the baseline, 0.5 when the organisation has
///   less than a day of logons;
/// - `account-new-on-target`: 1 when this is the account's first way onto the target (no
///   earlier logon of the account there from any source);
/// - `source-new-to-target`: 1 when the source had never logged anybody on to the target;
/// - `target-fan-in`: 1 − (sources that reach the target + 1) / (sources in the organisation
///   + 2): a file server everybody maps is no news, a workstation that receives a network
///   logon is;
/// - `privilege`: 0.3 for an unprivileged path; for a privileged one (one of its first four
///   logons has a Windows 4672 with the logon's id on the target within `privilegeSeconds`; `root` over ssh) 0.5 when its source
///   made privileged logons during the baseline or is a server that `adminHostFanIn` or more
///   machines log on to (an administrator's console or jump host), 1 otherwise (a user's
///   workstation that starts logging on as an administrator). Sources given by address are
///   resolved to their host with ``HostAddressBook`` where the events bind them.
/// score = new-path × privilege × (0.7 + 0.1 × account-new-on-target + 0.1 ×
/// source-new-to-target + 0.1 × target-fan-in): a privileged logon from a machine that made
/// none in the baseline scores 0.7–1, the structure terms order those; every other path stays
/// at or under 0.5 (values chosen, not fitted; Docs/Detectors-host.md §5 has what a first
/// weighting did). Entity kind `logon-path`, parts `[account, source, target]`;
/// evidence: the path's first 4 logons.
public struct NewLogonPathDetector: EventDetector {
    public let name = "new-logon-path"
    public var policy: NewLogonPathPolicy

    struct PathKey: Hashable {
        var org: UInt32, account: UInt32, source: UInt32, target: UInt32
    }

    /// Per path, inline (no heap storage per path): the first four logons' ids, times and
    /// logon ids (to find their 4672).
    struct Path {
        var count: Int32 = 0
        var first = Int64.max
        var last = Int64.min
        var logons: (Logon, Logon, Logon, Logon) = (.none, .none, .none, .none)

        mutating func add(_ l: Logon) {
            first = min(first, l.time)
            last = max(last, l.time)
            count &+= 1
            keep(l)
        }

        /// Another path's logons joined to this one (the same machine seen under two names).
        mutating func merge(_ o: Path) {
            first = min(first, o.first)
            last = max(last, o.last)
            count &+= o.count
            for l in o.kept { keep(l) }
        }

        /// Keeps the four earliest logons (pages do not come in time order; kept in time order).
        private mutating func keep(_ l: Logon) {
            if logons.3.id >= 0, l.time >= logons.3.time { return }
            var all = [logons.0, logons.1, logons.2, logons.3, l].filter { $0.id >= 0 }
            all.sort { ($0.time, $0.id) < ($1.time, $1.id) }
            while all.count < 4 { all.append(.none) }
            logons = (all[0], all[1], all[2], all[3])
        }

        var kept: [Logon] { [logons.0, logons.1, logons.2, logons.3].filter { $0.id >= 0 } }
    }

    struct Logon {
        var id: Int64
        var time: Int64
        /// The logon's id on the target (0: none), to match its 4672.
        var logonID: UInt64
        /// Privileged by itself (`root` over ssh).
        var root: Bool
        static let none = Logon(id: -1, time: 0, logonID: 0, root: false)
    }

    struct PrivilegeKey: Hashable {
        var org: UInt32, host: UInt32, logonID: UInt64
    }

    private var strings = DetectorStrings()
    private var paths: [PathKey: Path] = [:]
    /// 4672 events: (org, host, logon id) → the times they were logged.
    private var privileged: [PrivilegeKey: [Int64]] = [:]
    /// Which host an address belonged to (``HostAddressBook``), so that a source's logons by
    /// address and by workstation name, and across its address changes, are one source.
    private var book = HostAddressBook()
    /// Source addresses → their string ids, so an address is formatted once (and, inverted in
    /// `finish`, looked up in the address book without parsing it back).
    private var addressIDs: [IPAddress: UInt32] = [:]

    public init(policy: NewLogonPathPolicy = NewLogonPathPolicy()) {
        self.policy = policy
    }

    /// Windows logon types that come from another machine (Winlogbeat's names, as spoor's
    /// Windows parsers write `winlog.logon.type`, and the numbers).
    static let remoteTypes: Set<String> = ["network", "networkcleartext", "remoteinteractive", "cachedremoteinteractive", "3", "8", "10", "12"]

    /// A host or workstation name as paths key it: its first DNS label, lower case
    /// (``HostAddressBook/firstLabel(_:)``, the address book's own key); an address as written.
    public static func hostKey(_ s: String) -> String? {
        if let a = IPAddress(s) { return a.description }
        return HostAddressBook.firstLabel(ArraySlice(s.utf8))
    }

    /// An account as paths key it: lower case; nil for machine accounts, anonymous and empty.
    public static func accountKey(_ s: String) -> String? {
        let l = s.lowercased()
        guard !l.isEmpty, l != "-", !l.hasSuffix("$"), l != "anonymous logon", l != "anonymous" else { return nil }
        return l
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        book.observe(batch)
        let column = { (name: String, kind: FieldKind) in PageColumns.index(batch, name, kind).map { batch.columns[$0] } }
        guard let host = column(Field.hostName, .string)?.symbols else { return }
        let codes = column(Field.eventCode, .string)?.symbols
        let logonIDs = column(Field.winlogLogonID, .string)?.symbols
        let org = column(Field.organizationID, .string)?.symbols
        let times = column(Field.timestamp, .timestamp)
        let outcomes = column(Field.eventOutcome, .string)?.symbols
        let categories = column(Field.eventCategory, .stringList), types = column(Field.eventType, .stringList)
        let user = column(Field.userName, .string)?.symbols
        let logonType = column(Field.winlogLogonType, .string)?.symbols
        let ipCol = column(Field.sourceIP, .ip)
        let domain = column(Field.sourceDomain, .string)?.symbols
        let special = batch.symbols.lookup("4672") ?? .max
        let authSym = batch.symbols.lookup("authentication") ?? .max, successSym = batch.symbols.lookup("success") ?? .max
        let startSym = batch.symbols.lookup("start") ?? .max
        var hosts = PageSymbols(batch, normalise: Self.hostKey)
        var accounts = PageSymbols(batch, normalise: Self.accountKey)
        var verbatim = PageSymbols(batch, normalise: PageColumns.value)
        var remoteType: [UInt32: Bool] = [:]
        func logonID(_ r: Int) -> UInt64 {
            guard let logonIDs, logonIDs[r] != 0, let s = batch.symbols.string(logonIDs[r]) else { return 0 }
            return LogonID.number(s) ?? 0
        }
        for r in 0..<batch.count {
            let t = times.flatMap { $0.valid[r] ? $0.integers[r] : nil } ?? 0
            // 4672: special privileges assigned to a new logon (the subject's logon id).
            if let codes, codes[r] == special {
                let id = logonID(r), h = hosts.id(host[r], batch, &strings)
                guard id != 0, h != 0 else { continue }
                let o = org.map { verbatim.id($0[r], batch, &strings) } ?? 0
                privileged[PrivilegeKey(org: o, host: h, logonID: id), default: []].append(t)
                continue
            }
            guard let outcomes, outcomes[r] == successSym, let categories, PageColumns.list(categories, r, contains: authSym),
                  let types, PageColumns.list(types, r, contains: startSym), let user else { continue }
            // Windows: the logon type says whether it came from another machine.
            var typed = false
            if let logonType, logonType[r] != 0 {
                let s = logonType[r]
                let remote = remoteType[s] ?? (batch.symbols.string(s).map { Self.remoteTypes.contains($0.lowercased()) } ?? false)
                remoteType[s] = remote
                guard remote else { continue }
                typed = true
            }
            var source: UInt32 = 0
            if let ipCol, ipCol.valid[r] {
                let a = ipCol.addresses[r]
                guard !a.isThisHost else { continue }
                if let known = addressIDs[a] {
                    source = known
                } else {
                    source = strings.id(a.description)
                    addressIDs[a] = source
                }
            } else if typed, let domain, domain[r] != 0 {
                source = hosts.id(domain[r], batch, &strings)
            }
            let target = hosts.id(host[r], batch, &strings)
            let account = accounts.id(user[r], batch, &strings)
            guard source != 0, target != 0, account != 0, source != target else { continue }
            let o = org.map { verbatim.id($0[r], batch, &strings) } ?? 0
            let logon = Logon(id: r < ids.count ? ids[r] : Int64(r), time: t, logonID: typed ? logonID(r) : 0,
                              root: !typed && strings[account] == "root")
            paths[PathKey(org: o, account: account, source: source, target: target), default: Path()].add(logon)
        }
    }

    public mutating func finish() -> [DetectorFinding] {
        struct Pair: Hashable { var org: UInt32, a: UInt32, b: UInt32 }
        struct OrgHost: Hashable { var org: UInt32, host: UInt32 }
        // Sources by address resolved to their host where the address book knows it.
        book.finish()
        var addressOf: [UInt32: IPAddress] = [:]
        for (a, id) in addressIDs { addressOf[id] = a }
        var resolved: [PathKey: Path] = [:]
        for (k, p) in paths {
            var key = k
            if let a = addressOf[k.source],
               let name = book.host(organization: strings[k.org], address: a, at: p.first).flatMap(Self.hostKey) {
                key.source = strings.id(name)
            }
            guard key.source != key.target else { continue }
            if var q = resolved[key] { q.merge(p); resolved[key] = q } else { resolved[key] = p }
        }
        let paths = resolved
        let window = policy.privilegeSeconds * 1_000_000
        // The time of a path's first privileged logon among its first four, nil when none is.
        var firstPrivileged: [PathKey: Int64] = [:]
        var orgSpan: [UInt32: (Int64, Int64)] = [:]
        var accountOnTarget: [Pair: Int64] = [:], sourceToTarget: [Pair: Int64] = [:]
        var privilegedFrom: [OrgHost: Int64] = [:]
        var reachedBy: [OrgHost: Set<UInt32>] = [:]
        var orgSources: [UInt32: Set<UInt32>] = [:]
        for (k, p) in paths {
            let s = orgSpan[k.org] ?? (p.first, p.last)
            orgSpan[k.org] = (min(s.0, p.first), max(s.1, p.last))
            let at = Pair(org: k.org, a: k.account, b: k.target), st = Pair(org: k.org, a: k.source, b: k.target)
            accountOnTarget[at] = min(accountOnTarget[at] ?? .max, p.first)
            sourceToTarget[st] = min(sourceToTarget[st] ?? .max, p.first)
            reachedBy[OrgHost(org: k.org, host: k.target), default: []].insert(k.source)
            orgSources[k.org, default: []].insert(k.source)
            let first = p.kept.first { l in
                l.root || (l.logonID != 0 && privileged[PrivilegeKey(org: k.org, host: k.target, logonID: l.logonID)]?
                    .contains { abs($0 - l.time) <= window } == true)
            }
            if let t = first?.time {
                firstPrivileged[k] = t
                let from = OrgHost(org: k.org, host: k.source)
                privilegedFrom[from] = min(privilegedFrom[from] ?? .max, t)
            }
        }
        let baseline = policy.baselineSeconds * 1_000_000
        var findings: [DetectorFinding] = []
        for (k, p) in paths {
            let span = orgSpan[k.org] ?? (p.first, p.last)
            let new: Double = span.1 - span.0 < baseline ? 0.5 : (p.first - span.0 > baseline ? 1 : 0)
            guard new > 0 else { continue }
            let accountNew: Double = accountOnTarget[Pair(org: k.org, a: k.account, b: k.target)] == p.first ? 1 : 0
            let sourceNew: Double = sourceToTarget[Pair(org: k.org, a: k.source, b: k.target)] == p.first ? 1 : 0
            let reaching = Double(reachedBy[OrgHost(org: k.org, host: k.target)]?.count ?? 1)
            let fanIn = 1 - (reaching + 1) / (Double(orgSources[k.org]?.count ?? 1) + 2)
            let priv = firstPrivileged[k] != nil
            // A privileged origin is new when the source made no privileged logon in the baseline
            // and is no server (few machines log on to it).
            let reachingSource = reachedBy[OrgHost(org: k.org, host: k.source)]?.count ?? 0
            let newOrigin = priv && reachingSource < policy.adminHostFanIn
                && (privilegedFrom[OrgHost(org: k.org, host: k.source)] ?? .max) - span.0 > baseline
            let privilege = !priv ? 0.3 : (newOrigin ? 1.0 : 0.5)
            let score = new * privilege * (0.7 + 0.1 * accountNew + 0.1 * sourceNew + 0.1 * fanIn)
            guard score >= policy.threshold else { continue }
            let account = strings[k.account], source = strings[k.source], target = strings[k.target]
            findings.append(DetectorFinding(
                detector: name, score: score,
                subscores: [Subscore("new-path", new), Subscore("account-new-on-target", accountNew),
                            Subscore("source-new-to-target", sourceNew), Subscore("target-fan-in", fanIn),
                            Subscore("source-reached-by", Double(reachingSource)), Subscore("privilege", privilege)],
                entity: DetectorEntity(kind: "logon-path", parts: [account, source, target], organization: strings[k.org]),
                firstSeen: Timestamp(microseconds: p.first), lastSeen: Timestamp(microseconds: p.last),
                evidence: cappedEvidence(p.kept.map(\.id), limit: 4),
                summary: "\(account) from \(source) to \(target): \(p.count) logon\(p.count == 1 ? "" : "s")\(priv ? ", privileged" : "")"
                    + (newOrigin ? ", from a machine that made no privileged logon in the baseline" : "")
                    + (accountNew == 1 ? ", the account's first on \(target)" : "")
                    + ", \(Int(reaching)) source\(reaching == 1 ? "" : "s") reach \(target)"))
        }
        return findings.sorted { ($0.score, $1.entity.description) > ($1.score, $0.entity.description) }
    }
}
