import SpoorCore
import SpoorEvents

/// The settings of ``RareProcessDetector``.
public struct RareProcessPolicy: Sendable, Hashable {
    /// A pair first seen on a host later than this after the host's first process event is new
    /// there (one day: the first day of data is the host's baseline).
    public var baselineSeconds: Int64 = 86_400
    /// Findings below this score are not reported.
    public var threshold: Double = 0.35
    /// The strength of the prior that shrinks P(child | parent) and P(parent | child) towards
    /// the images' shares of all starts (pseudo-starts).
    public var priorStrength: Double = 5
    public init() {}
}

/// Rare parent → child process pairs (Sysmon 1 and Security 4688 as spoor's Windows parsers
/// write them: `event.category` `process`, `event.type` `start`, `process.parent.executable`
/// and `process.executable`, else the `.name`s).
///
/// Images are normalised: lower case, `/` as `\`, `\\?\` and `\device\harddiskvolumeN\`
/// dropped to `c:\`, `%systemroot%`/`%windir%` as `c:\windows`, and the user folder in
/// `c:\users\NAME\` as `*`, so that one program has one spelling across hosts and users.
///
/// Per pair and host it measures (documented in `Docs/Detectors-host.md`):
/// - `population`: 1 − (hosts with the pair + 1) / (hosts + 2), the Laplace-smoothed share of
///   hosts that have it (a pair on every host is no news: the threat hunter's "stacking" by
///   least frequency of occurrence);
/// - `conditional`: 1 − max(P(child | parent), P(parent | child)) over all starts in the
///   organisation, each estimated as (starts of the pair + m·share of the other image) /
///   (starts of the given image + m) with m = `priorStrength`: unusual in both directions
///   (services.exe starts svchost.exe thousands of times and cmd.exe almost never; and
///   powershell.exe is started by explorer.exe or cmd.exe, not by winword.exe). The
///   transition probability of an edge is NoDoze's measure of rarity (Hassan et al. 2019,
///   "NoDoze: combatting threat alert fatigue with automated provenance triage");
/// - `image`: 1 − (hosts where the rarer of the two images runs + 1) / (hosts + 2): a binary
///   seen nowhere else (a dropped payload) makes every pair it is in unusual;
/// - `new-on-host`: 1 when the pair first appears on the host after its baseline day, 0 when
///   within it, 0.5 when the host has less than a day of data.
/// score = population × (0.4 + 0.3 × conditional + 0.3 × image) × (0.7 + 0.3 × new-on-host).
/// Entity kind `process-pair`, parts `[host, parent, child]`; evidence: the first 4 starts of the
/// pair on the host.
public struct RareProcessDetector: EventDetector {
    public let name = "rare-process"
    public var policy: RareProcessPolicy

    /// Per host and pair: no heap storage (millions of these in a large case), so the evidence
    /// is the first four starts, inline.
    struct HostPair {
        var count: Int32 = 0
        var first = Int64.max
        var last = Int64.min
        var evidence: (Int64, Int64, Int64, Int64) = (-1, -1, -1, -1)

        mutating func update(_ t: Int64, _ id: Int64) {
            first = min(first, t)
            last = max(last, t)
            add(id)
        }

        mutating func add(_ id: Int64) {
            switch count {
            case 0: evidence.0 = id
            case 1: evidence.1 = id
            case 2: evidence.2 = id
            case 3: evidence.3 = id
            default: break
            }
            count &+= 1
        }

        var ids: [Int64] { [evidence.0, evidence.1, evidence.2, evidence.3].filter { $0 >= 0 } }
    }

    private var strings = DetectorStrings()
    /// (org, host, parent, child) → stats; keys are detector string ids.
    private var hostPairs: [HostPairKey: HostPair] = [:]
    /// (org, host) → first and last process start.
    private var hostSpan: [UInt64: (Int64, Int64)] = [:]

    struct HostPairKey: Hashable {
        var org: UInt32, host: UInt32, parent: UInt32, child: UInt32
    }

    public init(policy: RareProcessPolicy = RareProcessPolicy()) {
        self.policy = policy
    }

    /// The one spelling of an image path used for pairing (see the type's documentation).
    public static func normalise(_ image: String) -> String? {
        var s = String(image.lowercased().map { $0 == "/" ? "\\" : $0 })
        guard !s.isEmpty, s != "-" else { return nil }
        if s.hasPrefix("\"") { s = String(s.dropFirst().prefix { $0 != "\"" }) }
        if s.hasPrefix("\\\\?\\") || s.hasPrefix("\\??\\") { s.removeFirst(4) }
        if s.hasPrefix("\\device\\harddiskvolume"), let slash = s.dropFirst(22).firstIndex(of: "\\") {
            s = "c:" + s[slash...]
        }
        for (prefix, with) in [("%systemroot%", "c:\\windows"), ("%windir%", "c:\\windows"), ("\\systemroot", "c:\\windows")]
            where s.hasPrefix(prefix) {
            s = with + s.dropFirst(prefix.count)
        }
        if s.hasPrefix("c:\\users\\") {
            let rest = s.dropFirst(9)
            if let slash = rest.firstIndex(of: "\\") { s = "c:\\users\\*" + rest[slash...] }
        }
        return s
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        guard let cat = PageColumns.index(batch, Field.eventCategory, .stringList),
              let processSym = batch.symbols.lookup("process") else { return }
        let startSym = batch.symbols.lookup("start") ?? .max
        let categories = batch.columns[cat]
        let types = PageColumns.index(batch, Field.eventType, .stringList).map { batch.columns[$0] }
        func pathAndName(_ a: String, _ b: String) -> ([UInt32]?, [UInt32]?) {
            (PageColumns.index(batch, a, .string).map { batch.columns[$0].symbols },
             PageColumns.index(batch, b, .string).map { batch.columns[$0].symbols })
        }
        let (parentPath, parentName) = pathAndName(Field.processParentExecutable, "process.parent.name")
        let (childPath, childName) = pathAndName(Field.processExecutable, Field.processName)
        guard parentPath != nil || parentName != nil, childPath != nil || childName != nil else { return }
        let times = PageColumns.index(batch, Field.timestamp, .timestamp).map { batch.columns[$0] }
        let host = PageColumns.index(batch, Field.hostName, .string).map { batch.columns[$0].symbols }
        let computer = PageColumns.index(batch, "winlog.computer_name", .string).map { batch.columns[$0].symbols }
        let org = PageColumns.index(batch, Field.organizationID, .string).map { batch.columns[$0].symbols }
        var images = PageSymbols(batch, normalise: Self.normalise)
        var lowered = PageSymbols(batch, normalise: PageColumns.lowercasedValue)
        var verbatim = PageSymbols(batch, normalise: PageColumns.value)
        for r in 0..<batch.count {
            guard PageColumns.list(categories, r, contains: processSym),
                  let types, PageColumns.list(types, r, contains: startSym) else { continue }
            var p = parentPath.map { images.id($0[r], batch, &self.strings) } ?? 0
            if p == 0, let parentName { p = images.id(parentName[r], batch, &self.strings) }
            var c = childPath.map { images.id($0[r], batch, &self.strings) } ?? 0
            if c == 0, let childName { c = images.id(childName[r], batch, &self.strings) }
            guard p != 0, c != 0 else { continue }
            var h = host.map { lowered.id($0[r], batch, &self.strings) } ?? 0
            if h == 0, let computer { h = lowered.id(computer[r], batch, &self.strings) }
            guard h != 0 else { continue }
            let o = org.map { verbatim.id($0[r], batch, &self.strings) } ?? 0
            let t = times.flatMap { $0.valid[r] ? $0.integers[r] : nil } ?? 0
            let key = HostPairKey(org: o, host: h, parent: p, child: c)
            hostPairs[key, default: HostPair()].update(t, r < ids.count ? ids[r] : Int64(r))
            let hk = UInt64(o) << 32 | UInt64(h)
            if let s = hostSpan[hk] { hostSpan[hk] = (min(s.0, t), max(s.1, t)) } else { hostSpan[hk] = (t, t) }
        }
    }

    public mutating func finish() -> [DetectorFinding] {
        struct PairKey: Hashable { var org: UInt32, parent: UInt32, child: UInt32 }
        var hostsPerOrg: [UInt32: Int] = [:]
        for k in hostSpan.keys { hostsPerOrg[UInt32(k >> 32), default: 0] += 1 }
        var pairHosts: [PairKey: Int] = [:], pairStarts: [PairKey: Int] = [:]
        var parentStarts: [UInt64: Int] = [:], childStarts: [UInt64: Int] = [:], orgStarts: [UInt32: Int] = [:]
        var imageHosts: [UInt64: Set<UInt32>] = [:]   // (org, image) → hosts running it or starting it
        for (k, v) in hostPairs {
            imageHosts[UInt64(k.org) << 32 | UInt64(k.parent), default: []].insert(k.host)
            imageHosts[UInt64(k.org) << 32 | UInt64(k.child), default: []].insert(k.host)
            let pk = PairKey(org: k.org, parent: k.parent, child: k.child)
            pairHosts[pk, default: 0] += 1
            pairStarts[pk, default: 0] += Int(v.count)
            parentStarts[UInt64(k.org) << 32 | UInt64(k.parent), default: 0] += Int(v.count)
            childStarts[UInt64(k.org) << 32 | UInt64(k.child), default: 0] += Int(v.count)
            orgStarts[k.org, default: 0] += Int(v.count)
        }
        let m = policy.priorStrength
        var findings: [DetectorFinding] = []
        for (k, v) in hostPairs {
            let pk = PairKey(org: k.org, parent: k.parent, child: k.child)
            let hosts = Double(hostsPerOrg[k.org] ?? 1)
            let population = 1 - Double((pairHosts[pk] ?? 0) + 1) / (hosts + 2)
            let total = Double(max(orgStarts[k.org] ?? 1, 1))
            let byParent = Double(parentStarts[UInt64(k.org) << 32 | UInt64(k.parent)] ?? 0)
            let ofChild = Double(childStarts[UInt64(k.org) << 32 | UInt64(k.child)] ?? 0)
            let starts = pairStarts[pk] ?? 0
            // P(child | parent) and P(parent | child), each shrunk towards the other image's
            // share of all starts (a Dirichlet prior of strength m): unusual in both directions.
            let childGivenParent = (Double(starts) + m * ofChild / total) / (byParent + m)
            let parentGivenChild = (Double(starts) + m * byParent / total) / (ofChild + m)
            let conditional = 1 - max(childGivenParent, parentGivenChild)
            let imageSpread = min(imageHosts[UInt64(k.org) << 32 | UInt64(k.parent)]?.count ?? 0,
                                  imageHosts[UInt64(k.org) << 32 | UInt64(k.child)]?.count ?? 0)
            let image = 1 - Double(imageSpread + 1) / (hosts + 2)
            let span = hostSpan[UInt64(k.org) << 32 | UInt64(k.host)] ?? (v.first, v.last)
            let baseline = policy.baselineSeconds * 1_000_000
            let newOnHost: Double = span.1 - span.0 < baseline ? 0.5 : (v.first - span.0 > baseline ? 1 : 0)
            let score = population * (0.4 + 0.3 * conditional + 0.3 * image) * (0.7 + 0.3 * newOnHost)
            guard score >= policy.threshold else { continue }
            let host = strings[k.host], parent = strings[k.parent], child = strings[k.child]
            findings.append(DetectorFinding(
                detector: name, score: score,
                subscores: [Subscore("population", population), Subscore("conditional", conditional), Subscore("image", image),
                            Subscore("new-on-host", newOnHost)],
                entity: DetectorEntity(kind: "process-pair", parts: [host, parent, child], organization: strings[k.org]),
                firstSeen: Timestamp(microseconds: v.first), lastSeen: Timestamp(microseconds: v.last),
                evidence: cappedEvidence(v.ids, limit: 4),
                summary: "\(host): \(Self.leaf(parent)) → \(Self.leaf(child)) \(v.count)× here, on \(pairHosts[pk] ?? 0) of \(Int(hosts)) hosts, \(starts) of \(Int(byParent)) starts by this parent\(newOnHost == 1 ? ", new on this host" : "")"))
        }
        return findings.sorted { ($0.score, $1.entity.description) > ($1.score, $0.entity.description) }
    }

    static func leaf(_ path: String) -> String {
        path.split(separator: "\\").last.map(String.init) ?? path
    }
}
