import SpoorCore
import SpoorEvents

/// Finds beacons: a source that connects to one destination at regular intervals with
/// regular sizes, as implants calling their command-and-control server do.
///
/// Pairs are (organisation, source IP, destination), where the destination is the server
/// *name* when the connection has one — TLS SNI (`tls.client.server_name`), HTTP Host
/// (`url.domain`, also a proxy's CONNECT target), Sysmon's `destination.domain` — and the
/// destination IP otherwise. A Zeek `conn` record takes its name from the `ssl`/`http` record
/// with the same uid (only for conns whose service Zeek identified as TLS/HTTP), so a beacon
/// behind a proxy, or to a CDN that rotates addresses, is one pair. Each connection counts for
/// exactly one pair (unless ``BeaconConfiguration/alsoScoreAddressPairs``). Destinations that are multicast, broadcast or unspecified are ignored.
/// Internal → internal pairs are scored too: a monitoring poller is a beacon; deciding it is a
/// benign one is a later stage's job.
///
/// Scoring: ``BeaconScoring`` (the RITA family). Findings carry the sub-scores `timestamp`,
/// `data_size`, `duration`, `histogram` (each 0…1, the score is their weighted mean) and
/// `connections` (the number of distinct connections scored; a count, not part of the score).
/// Evidence: up to ``BeaconConfiguration/evidenceLimit`` ids of the pair's latest-observed
/// connections inside the window, ascending.
///
/// - Complexity: O(1) amortised per event while observing (a few hash probes); O(*n* log *n*)
///   in a pair's connections at ``finish()``. State is 16 bytes per connection (time, bytes)
///   plus the pair table, and 48 bytes per Zeek TLS/HTTP conn until its uid is joined.
public struct BeaconDetector: EventDetector {
    public let name = "beaconing"
    public var configuration: BeaconConfiguration

    struct PairKey: Hashable {
        var organization: Int32
        var source: Int32
        /// A name index when `isName`, else an address index.
        var destination: Int32
        var isName: Bool
    }

    struct PairState {
        var times: [Int64] = []
        var bytes: [Int64] = []
        /// A ring of the latest-observed connections (so a `.lastHours` window still has evidence).
        var evidence: [(id: Int64, time: Int64)] = []
        var evidenceNext = 0
    }

    /// A Zeek conn waiting for its uid's server name.
    struct PendingConn {
        var uid: UInt64
        var organization: Int32
        var source: Int32
        var destination: Int32   // address index, -1 none
        var time: Int64
        var bytes: Int64
        var id: Int64
    }

    /// A Zeek ssl/http record naming the server of a uid.
    struct NameRecord {
        var organization: Int32
        var source: Int32
        var name: Int32
        var time: Int64
        var bytes: Int64
        var id: Int64
        var isMatched = false
    }

    private var interner = NetworkInterner()
    private var pairIndex: [PairKey: Int32] = [:]
    private var keys: [PairKey] = []
    private var pairs: [PairState] = []
    private var pending: [PendingConn] = []
    private var nameRecords: [NameRecord] = []
    private var nameByUID: [UInt64: Int32] = [:]
    private var firstTime = Int64.max
    private var lastTime = Int64.min

    public init(configuration: BeaconConfiguration = BeaconConfiguration()) {
        self.configuration = configuration
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        var reader = NetworkFlowReader(batch)
        guard reader.hasFlows else { return }
        var page = FlowPageSymbols()
        for r in 0..<min(batch.count, ids.count) {
            guard let f = reader.flow(r) else { continue }
            if let d = f.destination, InternalNetworks.isGroupOrUnspecified(d) { continue }
            let org = page.organization(f.organizationSymbol, in: batch, &interner)
            let src = interner.address(f.source)
            switch f.role {
            case .nameForUID:
                guard nameByUID[f.uid] == nil else { continue }   // http pipelining: one name per uid
                let n = page.name(f.nameSymbol, in: batch, &interner)
                guard n >= 0 else { continue }
                nameByUID[f.uid] = Int32(nameRecords.count)
                nameRecords.append(NameRecord(organization: org, source: src, name: n, time: f.time, bytes: f.totalBytes, id: ids[r]))
            case .connection:
                if f.uid != 0, f.mayHaveName {
                    pending.append(PendingConn(uid: f.uid, organization: org, source: src,
                                               destination: f.destination.map { interner.address($0) } ?? -1,
                                               time: f.time, bytes: f.totalBytes, id: ids[r]))
                } else {
                    let n = page.name(f.nameSymbol, in: batch, &interner)
                    if n >= 0 {
                        add(PairKey(organization: org, source: src, destination: n, isName: true), f.time, f.totalBytes, ids[r])
                        if configuration.alsoScoreAddressPairs, let d = f.destination {
                            add(PairKey(organization: org, source: src, destination: interner.address(d), isName: false), f.time, f.totalBytes, ids[r])
                        }
                    } else if let d = f.destination {
                        add(PairKey(organization: org, source: src, destination: interner.address(d), isName: false), f.time, f.totalBytes, ids[r])
                    } else {
                        continue
                    }
                }
            }
            firstTime = min(firstTime, f.time)
            lastTime = max(lastTime, f.time)
        }
    }

    private mutating func add(_ key: PairKey, _ time: Int64, _ bytes: Int64, _ id: Int64) {
        let i: Int
        if let k = pairIndex[key] {
            i = Int(k)
        } else {
            i = pairs.count
            pairIndex[key] = Int32(i)
            keys.append(key)
            pairs.append(PairState())
        }
        pairs[i].times.append(time)
        pairs[i].bytes.append(bytes)
        if pairs[i].evidence.count < configuration.evidenceLimit {
            pairs[i].evidence.append((id, time))
        } else if configuration.evidenceLimit > 0 {
            pairs[i].evidence[pairs[i].evidenceNext] = (id, time)
            pairs[i].evidenceNext = (pairs[i].evidenceNext + 1) % configuration.evidenceLimit
        }
    }

    /// The window scored, from the first and last times observed.
    func scoredWindow() -> (start: Int64, end: Int64)? {
        guard firstTime <= lastTime else { return nil }
        switch configuration.window {
        case .all:
            return (firstTime, max(lastTime, firstTime + 1))
        case .lastHours(let hours):
            let hour: Int64 = 3_600_000_000
            let lastHourStart = lastTime - ((lastTime % hour) + hour) % hour
            return (max(firstTime, lastHourStart - Int64(hours) * hour), max(lastTime, firstTime + 1))
        }
    }

    public mutating func finish() -> [DetectorFinding] {
        // Join Zeek conns to the names their ssl/http records give.
        for p in pending {
            if let k = nameByUID[p.uid] {
                nameRecords[Int(k)].isMatched = true
                let n = nameRecords[Int(k)].name
                add(PairKey(organization: p.organization, source: p.source, destination: n, isName: true), p.time, p.bytes, p.id)
                if configuration.alsoScoreAddressPairs, p.destination >= 0 {
                    add(PairKey(organization: p.organization, source: p.source, destination: p.destination, isName: false), p.time, p.bytes, p.id)
                }
            } else if p.destination >= 0 {
                add(PairKey(organization: p.organization, source: p.source, destination: p.destination, isName: false), p.time, p.bytes, p.id)
            }
        }
        // Names whose conn was never seen (http.log or ssl.log without conn.log) stand alone.
        for n in nameRecords where !n.isMatched {
            add(PairKey(organization: n.organization, source: n.source, destination: n.name, isName: true), n.time, n.bytes, n.id)
        }
        pending = []
        nameRecords = []
        nameByUID = [:]
        guard let window = scoredWindow() else { return [] }

        var findings: [DetectorFinding] = []
        for (i, key) in keys.enumerated() {
            let state = pairs[i]
            var order = Array(state.times.indices).filter { state.times[$0] >= window.start && state.times[$0] <= window.end }
            guard order.count >= configuration.minimumConnections else { continue }
            order.sort { state.times[$0] < state.times[$1] }
            let times = order.map { state.times[$0] }
            let bytes = order.map { state.bytes[$0] }
            guard let s = BeaconScoring.score(times: times, bytes: bytes, window: window, configuration),
                  s.score >= configuration.minimumScore else { continue }
            findings.append(finding(key, s, times: times, evidence: state.evidence, window: window))
        }
        findings.sort { ($0.score, $0.subscores.last?.value ?? 0, $0.entity.description) > ($1.score, $1.subscores.last?.value ?? 0, $1.entity.description) }
        if configuration.reportLimit > 0, findings.count > configuration.reportLimit { findings.removeLast(findings.count - configuration.reportLimit) }
        return findings
    }

    private func finding(_ key: PairKey, _ s: BeaconScore, times: [Int64], evidence: [(id: Int64, time: Int64)],
                         window: (start: Int64, end: Int64)) -> DetectorFinding {
        let source = interner.addresses[Int(key.source)].description
        let destination = key.isName ? interner.names[Int(key.destination)] : interner.addresses[Int(key.destination)].description
        let ids = evidence.filter { $0.time >= window.start && $0.time <= window.end }.map(\.id).sorted()
        let summary = "\(source) → \(destination): \(s.connections) connections, every ~\(Self.duration(s.medianInterval)) (median), ~\(Int(s.medianBytes)) bytes each"
        return DetectorFinding(
            detector: name, score: s.score,
            subscores: [Subscore("timestamp", s.timestamp), Subscore("data_size", s.dataSize), Subscore("duration", s.duration),
                        Subscore("histogram", s.histogram), Subscore("connections", Double(s.connections))],
            entity: DetectorEntity(kind: "source-destination", parts: [source, destination],
                                   organization: interner.organizations[Int(key.organization)]),
            firstSeen: Timestamp(microseconds: times.first ?? window.start), lastSeen: Timestamp(microseconds: times.last ?? window.end),
            evidence: ids, summary: summary)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }
}
