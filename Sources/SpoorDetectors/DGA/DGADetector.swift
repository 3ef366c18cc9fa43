import SpoorCore
import SpoorEvents

/// Generated domain names among the names a case looked up (MITRE ATT&CK T1568.002).
///
/// Reads `dns.question.name` (DNS logs, Zeek `dns.log` `query`), `url.domain` (proxy and web
/// logs) and `tls.client.server_name`; per organisation and name it keeps the count, the time
/// span, the asking hosts (`source.ip`, else `host.name`; the first 16) and evidence ids (the
/// first 32 lookups). At the end each distinct name is scored by a ``DGAModel``: the one given,
/// or — with none — one trained on the names this case itself *resolved* (a DNS answer with
/// `NOERROR`, or any name seen in proxy or TLS traffic, which connected). The robustness
/// argument: a DGA queries many names but only the few its operator registered resolve
/// (Antonakakis et al. 2012 observed NXDOMAIN bursts as the DGA signature), and every name
/// counts once however often it is asked, so generated names remain a small share of the
/// training names and barely move the character statistics; a name is scored against all of
/// them, itself included. With fewer than `minimumTrainingNames` (30) resolved names and no
/// model, nothing is reported.
///
/// Entity kind `domain`, parts `[name]`; reported when the score reaches `threshold`.
public struct DGADetector: EventDetector {
    public let name = "dga"
    public var model: DGAModel?
    public var threshold: Double
    public var evidenceLimit = 32
    public var hostLimit = 16

    struct Name {
        var org: UInt32
        var name: UInt32
        var count = 0
        var resolved = false
        var first = Int64.max
        var last = Int64.min
        var hosts: [UInt32] = []
        var evidence: [Int64] = []
    }

    private var strings = DetectorStrings()
    private var index: [UInt64: Int] = [:]
    private var names: [Name] = []
    private var ipIDs: [IPAddress: UInt32] = [:]

    public init(model: DGAModel? = nil, threshold: Double = 0.5) {
        self.model = model
        self.threshold = threshold
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        let fields: [(String, Bool)] = [(Field.dnsQuestionName, false), (Field.urlDomain, true), (Field.tlsServerName, true)]
        let cols = fields.compactMap { f in PageColumns.index(batch, f.0, .string).map { (batch.columns[$0].symbols, f.1) } }
        guard !cols.isEmpty else { return }
        let times = PageColumns.index(batch, Field.timestamp, .timestamp).map { batch.columns[$0] }
        let rcode = PageColumns.index(batch, Field.dnsResponseCode, .string).map { batch.columns[$0].symbols }
        let noerror = batch.symbols.lookup("NOERROR") ?? batch.symbols.lookup("noerror") ?? .max
        let ipCol = PageColumns.index(batch, Field.sourceIP, .ip).map { batch.columns[$0] }
        let host = PageColumns.index(batch, Field.hostName, .string).map { batch.columns[$0].symbols }
        let org = PageColumns.index(batch, Field.organizationID, .string).map { batch.columns[$0].symbols }
        var domains = PageSymbols(batch, normalise: PageColumns.lookupName)
        var verbatim = PageSymbols(batch, normalise: PageColumns.value)
        for r in 0..<batch.count {
            for (col, connected) in cols where col[r] != 0 {
                let n = domains.id(col[r], batch, &strings)
                guard n != 0 else { continue }
                let o = org.map { verbatim.id($0[r], batch, &strings) } ?? 0
                let key = UInt64(o) << 32 | UInt64(n)
                let k: Int
                if let i = index[key] { k = i } else {
                    k = names.count
                    index[key] = k
                    names.append(Name(org: o, name: n))
                }
                names[k].count += 1
                if connected || (rcode.map { $0[r] == noerror } ?? false) { names[k].resolved = true }
                if let times, times.valid[r] {
                    names[k].first = min(names[k].first, times.integers[r])
                    names[k].last = max(names[k].last, times.integers[r])
                }
                if names[k].evidence.count < evidenceLimit { names[k].evidence.append(r < ids.count ? ids[r] : Int64(r)) }
                if names[k].hosts.count < hostLimit {
                    var h: UInt32 = 0
                    if let ipCol, ipCol.valid[r] {
                        let a = ipCol.addresses[r]
                        if let s = ipIDs[a] { h = s } else { h = strings.id(a.description); ipIDs[a] = h }
                    } else if let host { h = verbatim.id(host[r], batch, &strings) }
                    if h != 0, !names[k].hosts.contains(h) { names[k].hosts.append(h) }
                }
                break   // one name per event (the first field present)
            }
        }
    }

    /// The model used: the given one, or one trained on the resolved names observed so far.
    public func effectiveModel() -> DGAModel {
        if let model { return model }
        var seen = Set<UInt32>()
        var training: [String] = []
        for n in names where n.resolved && seen.insert(n.name).inserted { training.append(strings[n.name]) }
        return DGAModel(benign: training)
    }

    /// With no model given, the fewest resolved names to learn from: below it nothing is reported
    /// (a character model of a dozen names would call most names unusual).
    public var minimumTrainingNames = 30

    public mutating func finish() -> [DetectorFinding] {
        let m = effectiveModel()
        guard model != nil || m.benignCount >= minimumTrainingNames else { return [] }
        var labelScores: [String: Double] = [:]
        var findings: [DetectorFinding] = []
        for n in names {
            let text = strings[n.name]
            guard let (label, suffix) = m.split(text) else { continue }
            let key = label + "." + suffix
            let s: Double
            if let v = labelScores[key] { s = v } else { s = m.score(label: label, suffix: suffix); labelScores[key] = s }
            guard s >= threshold else { continue }
            let f = m.features(label: label, suffix: suffix)
            let hosts = n.hosts.map { strings[$0] }
            findings.append(DetectorFinding(
                detector: name, score: s,
                subscores: [Subscore("benign-ngram", f[0]), Subscore("syllable-ngram", f[1]), Subscore("entropy", f[2]), Subscore("length", f[3]),
                            Subscore("digits", f[4]), Subscore("consonant-run", f[5]), Subscore("unseen-pairs", f[8]), Subscore("suffix", f[13]),
                            Subscore("benign-ngram-by-length", f[14]), Subscore("syllable-by-length", f[15])],
                entity: DetectorEntity(kind: "domain", parts: [text], organization: strings[n.org]),
                firstSeen: Timestamp(microseconds: n.first == .max ? 0 : n.first),
                lastSeen: Timestamp(microseconds: n.last == .min ? 0 : n.last),
                evidence: cappedEvidence(n.evidence, limit: evidenceLimit),
                summary: "\(text): generated-looking label '\(label)' (score \((s * 1000).rounded() / 1000)), \(n.count) lookup\(n.count == 1 ? "" : "s")\(n.resolved ? "" : ", never resolved") by \(hosts.prefix(5).joined(separator: ", "))\(hosts.count > 5 ? " …" : "")"))
        }
        return findings.sorted { ($0.score, $1.entity.description) > ($1.score, $0.entity.description) }
    }
}
