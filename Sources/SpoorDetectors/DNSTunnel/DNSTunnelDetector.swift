import CZlib
import Foundation
import SpoorCore
import SpoorEvents
import SpoorIndicators

/// The settings of ``DNSTunnelDetector`` (documented in `Docs/Detectors-network.md`).
public struct DNSTunnelPolicy: Sendable, Hashable {
    /// Information (deflate-compressed bytes of the distinct names a source asked under one
    /// domain in one UTC day) at which the information sub-score starts above 0 …
    public var floorBytes = 512
    /// … and reaches 1 (log scale in between).
    public var ceilingBytes = 16_384
    /// Distinct names kept per source, domain and day; beyond it the information is counted
    /// from the names kept (already far above the ceiling for tunnel-sized labels).
    public var maximumNamesPerDay = 4_096
    /// Findings scoring below this are not reported.
    public var threshold = 0.1
    /// Prevalence as in beaconing: the score is multiplied by 1 − weight × the share of the
    /// organisation's other internal sources that ask names under the same domain; none below
    /// `prevalenceMinimumSources` internal sources.
    public var prevalenceWeight = 1.0
    public var prevalenceMinimumSources = 5
    public var internalNetworks = InternalNetworks()
    /// Evidence ids per finding (the day's first lookups).
    public var evidenceLimit = 32

    public init() {}
}

/// Data carried in DNS query names (MITRE ATT&CK T1071.004): a source that asks many distinct
/// names under one domain — more *information* than lookups carry.
///
/// Per organisation, source (`source.ip`, else `host.name`), registrable domain (the public
/// suffix list's eTLD+1 of `dns.question.name`) and UTC day, it keeps the distinct names left
/// of the domain. Information is bounded by the deflate-compressed size of those names: what a
/// client could have sent to the domain's name servers that day, the measure of Paxson et al.
/// 2013 ("Practical Comprehensive Bounds on Surreptitious Communication Over DNS", USENIX
/// Security), who bound the information each client sends to each domain by compressing its
/// query names. A name asked twice carries nothing new; a resolver's cache cannot hide a tunnel,
/// whose names are new every time.
///
/// Sub-scores: `information` (log-scaled between `floorBytes` and `ceilingBytes`),
/// `prevalence` (as beaconing's: content-delivery and reputation services with hashed names are
/// asked by many hosts, a tunnel by the one it runs on), and, reported only, `compressed_bytes`,
/// `names`, `lookups`, `txt_null_share` (TXT and NULL records carry tunnels' replies) and
/// `longest_label`. score = information × (1 − prevalence). Entity kind `source-domain-day`,
/// parts `[source, domain, day]`.
public struct DNSTunnelDetector: EventDetector {
    public let name = "dns-tunnel"
    public var policy: DNSTunnelPolicy

    struct Key: Hashable {
        var org: UInt32
        var source: UInt32
        var domain: UInt32
        var day: Int32
    }

    /// Per source, domain and day: counters only, no heap storage (a large case has millions).
    /// The distinct names are in one set for all groups, the evidence in flat arrays.
    struct Group {
        var lookups: Int32 = 0
        var txtNull: Int32 = 0
        var names: Int32 = 0
        var evidence: Int32 = 0
        var longestLabel: Int32 = 0
        var sourceIsInternal = false
        /// Bytes of the distinct names (each plus a separator): the compressed size is at most this.
        var rawBytes: Int64 = 0
        var first = Int64.max
        var last = Int64.min
    }

    private var strings = DetectorStrings()
    /// Per name id: (domain id, rest id, longest label, bytes of the rest), or domain 0 when the
    /// name has no registrable domain or nothing left of it.
    private var split: [UInt32: (domain: UInt32, rest: UInt32, longest: Int32, bytes: Int32)] = [:]
    private var groupIndex: [Key: Int32] = [:]
    private var groups: [Group] = []
    /// group index << 32 | rest id, for every distinct name of every group.
    private var distinct: Set<UInt64> = []
    private var evidenceGroup: [Int32] = []
    private var evidenceID: [Int64] = []
    private var ipIDs: [IPAddress: (id: UInt32, isInternal: Bool)] = [:]

    public init(policy: DNSTunnelPolicy = DNSTunnelPolicy()) {
        self.policy = policy
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        guard let nameCol = PageColumns.index(batch, Field.dnsQuestionName, .string).map({ batch.columns[$0].symbols }) else { return }
        let times = PageColumns.index(batch, Field.timestamp, .timestamp).map { batch.columns[$0] }
        let types = PageColumns.index(batch, Field.dnsQuestionType, .string).map { batch.columns[$0].symbols }
        let txt = batch.symbols.lookup("TXT") ?? .max, null = batch.symbols.lookup("NULL") ?? .max
        let ipCol = PageColumns.index(batch, Field.sourceIP, .ip).map { batch.columns[$0] }
        let host = PageColumns.index(batch, Field.hostName, .string).map { batch.columns[$0].symbols }
        let org = PageColumns.index(batch, Field.organizationID, .string).map { batch.columns[$0].symbols }
        var names = PageSymbols(batch, normalise: PageColumns.lookupName)
        var verbatim = PageSymbols(batch, normalise: PageColumns.value)
        for r in 0..<batch.count where nameCol[r] != 0 {
            guard let times, times.valid[r] else { continue }
            let n = names.id(nameCol[r], batch, &strings)
            guard n != 0 else { continue }
            let parts = parts(of: n)
            guard parts.domain != 0 else { continue }
            var source: UInt32 = 0
            var isInternal = false
            if let ipCol, ipCol.valid[r] {
                let a = ipCol.addresses[r]
                if let s = ipIDs[a] {
                    (source, isInternal) = s
                } else {
                    source = strings.id(a.description)
                    isInternal = policy.internalNetworks.contains(a)
                    ipIDs[a] = (source, isInternal)
                }
            } else if let host {
                source = verbatim.id(host[r], batch, &strings)
                isInternal = source != 0
            }
            guard source != 0 else { continue }
            let t = times.integers[r]
            let day = Int32(clamping: (t >= 0 ? t : t - 86_399_999_999) / 86_400_000_000)
            let key = Key(org: org.map { verbatim.id($0[r], batch, &strings) } ?? 0, source: source, domain: parts.domain, day: day)
            let g: Int32
            if let i = groupIndex[key] {
                g = i
            } else {
                g = Int32(groups.count)
                groupIndex[key] = g
                groups.append(Group())
            }
            let id = r < ids.count ? ids[r] : Int64(r)
            groups[Int(g)].lookups += 1
            if let types, types[r] == txt || types[r] == null { groups[Int(g)].txtNull += 1 }
            groups[Int(g)].first = min(groups[Int(g)].first, t)
            groups[Int(g)].last = max(groups[Int(g)].last, t)
            if isInternal { groups[Int(g)].sourceIsInternal = true }
            if groups[Int(g)].evidence < policy.evidenceLimit {
                groups[Int(g)].evidence += 1
                evidenceGroup.append(g)
                evidenceID.append(id)
            }
            if groups[Int(g)].names < policy.maximumNamesPerDay, distinct.insert(UInt64(UInt32(g)) << 32 | UInt64(parts.rest)).inserted {
                groups[Int(g)].names += 1
                groups[Int(g)].rawBytes += Int64(parts.bytes) + 1
                groups[Int(g)].longestLabel = max(groups[Int(g)].longestLabel, parts.longest)
            }
        }
    }

    /// The registrable domain and the rest of a name, once per distinct name.
    private mutating func parts(of n: UInt32) -> (domain: UInt32, rest: UInt32, longest: Int32, bytes: Int32) {
        if let p = split[n] { return p }
        let text = strings[n]
        var p: (domain: UInt32, rest: UInt32, longest: Int32, bytes: Int32) = (0, 0, 0, 0)
        if let reg = PublicSuffixList.shared.registrableDomain(text), text.utf8.count > reg.utf8.count + 1 {
            let rest = String(text.utf8.prefix(text.utf8.count - reg.utf8.count - 1)) ?? ""
            let longest = rest.split(separator: ".").map(\.utf8.count).max() ?? 0
            p = (strings.id(reg), strings.id(rest), Int32(clamping: longest), Int32(clamping: rest.utf8.count))
        }
        split[n] = p
        return p
    }

    public mutating func finish() -> [DetectorFinding] {
        let floor = Double(max(1, policy.floorBytes)), ceiling = Double(max(policy.floorBytes + 1, policy.ceilingBytes))
        // Names shorter in total than the floor cannot compress to more than it: only the
        // groups above it get their names gathered and compressed.
        var candidates: [Int32: [UInt32]] = [:]
        for (g, group) in groups.enumerated() where Double(group.rawBytes) > floor { candidates[Int32(g)] = [] }
        guard !candidates.isEmpty else { return [] }
        for entry in distinct {
            let g = Int32(truncatingIfNeeded: entry >> 32)
            candidates[g]?.append(UInt32(truncatingIfNeeded: entry))   // nothing for groups below the floor
        }
        // Prevalence: internal sources per organisation, and per organisation and domain.
        struct OrgDomain: Hashable { var org: UInt32; var domain: UInt32 }
        var sourcesPerOrg: [UInt32: Set<UInt32>] = [:]
        var sourcesPerDomain: [OrgDomain: Set<UInt32>] = [:]
        for (k, g) in groupIndex where groups[Int(g)].sourceIsInternal {
            sourcesPerOrg[k.org, default: []].insert(k.source)
            sourcesPerDomain[OrgDomain(org: k.org, domain: k.domain), default: []].insert(k.source)
        }
        var keys = [Key?](repeating: nil, count: groups.count)
        for (k, g) in groupIndex where candidates[g] != nil { keys[Int(g)] = k }
        var evidence: [Int32: [Int64]] = [:]
        for (g, id) in zip(evidenceGroup, evidenceID) where candidates[g] != nil { evidence[g, default: []].append(id) }
        var findings: [DetectorFinding] = []
        for (gi, names) in candidates {
            guard let k = keys[Int(gi)] else { continue }
            let g = groups[Int(gi)]
            // Sorted by text: the set's order is not stable between runs, the bound barely depends on it.
            let compressed = Self.deflatedSize(names.map { strings[$0] }.sorted().joined(separator: "\n"))
            let information = min(1, max(0, log2(Double(compressed) / floor) / log2(ceiling / floor)))
            var prevalence = 0.0
            if policy.prevalenceWeight > 0, g.sourceIsInternal, let n = sourcesPerOrg[k.org]?.count {
                let c = sourcesPerDomain[OrgDomain(org: k.org, domain: k.domain)]?.count ?? 1
                prevalence = NetworkStatistics.prevalence(sourcesReaching: c, organisationSources: n, minimumSources: policy.prevalenceMinimumSources)
            }
            let score = information * NetworkStatistics.prevalenceFactor(prevalence, weight: policy.prevalenceWeight)
            guard score >= policy.threshold else { continue }
            let domain = strings[k.domain], source = strings[k.source]
            let day = Timestamp(microseconds: Int64(k.day) * 86_400_000_000)
            let txtShare = g.lookups == 0 ? 0 : Double(g.txtNull) / Double(g.lookups)
            findings.append(DetectorFinding(
                detector: name, score: score,
                subscores: [Subscore("information", information), Subscore("prevalence", prevalence),
                            Subscore("compressed_bytes", Double(compressed)), Subscore("names", Double(g.names)),
                            Subscore("lookups", Double(g.lookups)), Subscore("txt_null_share", txtShare),
                            Subscore("longest_label", Double(g.longestLabel))],
                entity: DetectorEntity(kind: "source-domain-day", parts: [source, domain, day.description], organization: strings[k.org]),
                firstSeen: Timestamp(microseconds: g.first), lastSeen: Timestamp(microseconds: g.last),
                evidence: cappedEvidence((evidence[gi] ?? []).sorted(), limit: policy.evidenceLimit),
                summary: "\(source) asked \(g.names)\(Int(g.names) >= policy.maximumNamesPerDay ? "+" : "") distinct names under \(domain) on \(day.description.prefix(10)) "
                    + "(\(compressed) bytes compressed, labels up to \(g.longestLabel) characters, \(Int((txtShare * 100).rounded()))% TXT/NULL)"))
        }
        return findings.sorted { ($0.score, $1.entity.description) > ($1.score, $0.entity.description) }
    }

    /// zlib's deflate at its default level: the compressed size of `text` (Paxson et al.'s
    /// information bound; zlib's 6-byte wrapper included, a constant).
    static func deflatedSize(_ text: String) -> Int {
        var input = Array(text.utf8)
        var size = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), Z_DEFAULT_COMPRESSION)
            }
        }
        return status == Z_OK ? Int(size) : input.count
    }
}
