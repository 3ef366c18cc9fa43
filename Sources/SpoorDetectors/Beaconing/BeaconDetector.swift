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
/// `data_size`, `duration`, `histogram` (each 0…1, their weighted mean is the beacon score),
/// `prevalence` (the share of the organisation's other internal hosts that reach the same
/// destination; the score is multiplied by 1 − prevalence), `periodic_by_design` (1 for a
/// protocol periodic by its specification, NTP: the score is halved) and `connections` (the
/// number of distinct connections scored; a count, not part of the score). The two factors are
/// in ``BeaconConfiguration``; with them at 0 and 1 the score is RITA's.
/// Evidence: up to ``BeaconConfiguration/evidenceLimit`` ids of the pair's latest connections
/// (by time) inside the window, ascending.
///
/// - Complexity: O(1) amortised per event while observing (a few hash probes); O(*n* log *n*)
///   in a pair's connections at ``finish()``. State is 28 bytes per connection (pair, time,
///   bytes, id in flat arrays) plus the pair table, and 48 bytes per Zeek TLS/HTTP conn until
///   its uid is joined; ``finish()`` adds 4 bytes per connection for the grouping.
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

    /// A Zeek conn waiting for its uid's server name.
    struct PendingConn {
        var uid: UInt64
        var organization: Int32
        var source: Int32
        var destination: Int32   // address index, -1 none
        var time: Int64
        var bytes: Int64
        var id: Int64
        var periodic: Bool
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
    /// Connections, flat (struct of arrays, 28 bytes each): pair index, time, bytes, event id.
    /// Grouped by pair only at ``finish()`` (a counting sort), so a million one-off pairs cost
    /// no per-pair arrays.
    private var connectionPair: [Int32] = []
    private var connectionTime: [Int64] = []
    private var connectionBytes: [Int64] = []
    private var connectionID: [Int64] = []
    /// Whether the connection is of a protocol periodic by design (NTP).
    private var connectionPeriodic: [Bool] = []
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
        var page = FlowPageSymbols(batch)
        var periodicServices: [UInt32: Bool] = [:]
        for r in 0..<min(batch.count, ids.count) {
            guard let f = reader.flow(r) else { continue }
            if let d = f.destination, InternalNetworks.isGroupOrUnspecified(d) { continue }
            var periodic = false
            if f.isUDP, let port = f.destinationPort, configuration.periodicByDesignUDPPorts.contains(port) {
                periodic = true
            } else if f.serviceSymbol != 0, !configuration.periodicByDesignServices.isEmpty {
                if let v = periodicServices[f.serviceSymbol] {
                    periodic = v
                } else {
                    periodic = configuration.periodicByDesignServices.contains(batch.symbols.string(f.serviceSymbol)?.lowercased() ?? "")
                    periodicServices[f.serviceSymbol] = periodic
                }
            }
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
                                               time: f.time, bytes: f.totalBytes, id: ids[r], periodic: periodic))
                } else {
                    let n = page.name(f.nameSymbol, in: batch, &interner)
                    if n >= 0 {
                        add(PairKey(organization: org, source: src, destination: n, isName: true), f.time, f.totalBytes, ids[r], periodic)
                        if configuration.alsoScoreAddressPairs, let d = f.destination {
                            add(PairKey(organization: org, source: src, destination: interner.address(d), isName: false), f.time, f.totalBytes, ids[r], periodic)
                        }
                    } else if let d = f.destination {
                        add(PairKey(organization: org, source: src, destination: interner.address(d), isName: false), f.time, f.totalBytes, ids[r], periodic)
                    } else {
                        continue
                    }
                }
            }
            firstTime = min(firstTime, f.time)
            lastTime = max(lastTime, f.time)
        }
    }

    private mutating func add(_ key: PairKey, _ time: Int64, _ bytes: Int64, _ id: Int64, _ periodic: Bool = false) {
        let i: Int32
        if let k = pairIndex[key] {
            i = k
        } else {
            i = Int32(keys.count)
            pairIndex[key] = i
            keys.append(key)
        }
        connectionPair.append(i)
        connectionTime.append(time)
        connectionBytes.append(bytes)
        connectionID.append(id)
        connectionPeriodic.append(periodic)
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
                add(PairKey(organization: p.organization, source: p.source, destination: n, isName: true), p.time, p.bytes, p.id, p.periodic)
                if configuration.alsoScoreAddressPairs, p.destination >= 0 {
                    add(PairKey(organization: p.organization, source: p.source, destination: p.destination, isName: false), p.time, p.bytes, p.id, p.periodic)
                }
            } else if p.destination >= 0 {
                add(PairKey(organization: p.organization, source: p.source, destination: p.destination, isName: false), p.time, p.bytes, p.id, p.periodic)
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

        // Group connections by pair: counting sort of connection indices.
        var start = [Int](repeating: 0, count: keys.count + 1)
        for p in connectionPair { start[Int(p) + 1] += 1 }
        for i in 0..<keys.count { start[i + 1] += start[i] }
        var fill = start
        var order = [Int32](repeating: 0, count: connectionPair.count)
        for (c, p) in connectionPair.enumerated() {
            order[fill[Int(p)]] = Int32(c)
            fill[Int(p)] += 1
        }

        let prevalence = prevalenceShares()
        var findings: [DetectorFinding] = []
        var members: [Int] = []
        for (i, key) in keys.enumerated() where start[i + 1] - start[i] >= configuration.minimumConnections {
            members.removeAll(keepingCapacity: true)
            for k in start[i]..<start[i + 1] {
                let c = Int(order[k])
                if connectionTime[c] >= window.start && connectionTime[c] <= window.end { members.append(c) }
            }
            guard members.count >= configuration.minimumConnections else { continue }
            members.sort { (connectionTime[$0], connectionID[$0]) < (connectionTime[$1], connectionID[$1]) }
            let times = members.map { connectionTime[$0] }
            let bytes = members.map { connectionBytes[$0] }
            guard var s = BeaconScoring.score(times: times, bytes: bytes, window: window, configuration) else { continue }
            s.prevalence = prevalence[i]
            s.periodicByDesign = members.count { connectionPeriodic[$0] } * 2 > members.count
            s.score *= NetworkStatistics.prevalenceFactor(s.prevalence, weight: configuration.prevalenceWeight)
            if s.periodicByDesign { s.score *= configuration.periodicByDesignFactor }
            guard s.score >= configuration.minimumScore else { continue }
            let evidence = members.suffix(max(0, configuration.evidenceLimit)).map { connectionID[$0] }.sorted()
            findings.append(finding(key, s, times: times, evidence: evidence, window: window))
        }
        findings.sort { ($0.score, $0.subscores.last?.value ?? 0, $0.entity.description) > ($1.score, $1.subscores.last?.value ?? 0, $1.entity.description) }
        if configuration.reportLimit > 0, findings.count > configuration.reportLimit { findings.removeLast(findings.count - configuration.reportLimit) }
        return findings
    }

    /// Per pair: the share of its organisation's other internal sources that connect to the
    /// same destination, (k − 1) ÷ (N − 1); 0 for external sources and for organisations with
    /// fewer than ``BeaconConfiguration/prevalenceMinimumSources`` internal sources.
    func prevalenceShares() -> [Double] {
        struct Destination: Hashable { var organization: Int32; var destination: Int32; var isName: Bool }
        var internalSource = [Bool?](repeating: nil, count: interner.addresses.count)
        func isInternal(_ a: Int32) -> Bool {
            if let v = internalSource[Int(a)] { return v }
            let v = configuration.internalNetworks.contains(interner.addresses[Int(a)])
            internalSource[Int(a)] = v
            return v
        }
        var sourcesPerOrganization: [Int32: Set<Int32>] = [:]
        var sourcesPerDestination: [Destination: Int] = [:]
        for key in keys where isInternal(key.source) {
            sourcesPerOrganization[key.organization, default: []].insert(key.source)
            // Keys are distinct (organisation, source, destination): one per source.
            sourcesPerDestination[Destination(organization: key.organization, destination: key.destination, isName: key.isName), default: 0] += 1
        }
        return keys.map { key in
            guard configuration.prevalenceWeight > 0, isInternal(key.source), let n = sourcesPerOrganization[key.organization]?.count else { return 0 }
            let k = sourcesPerDestination[Destination(organization: key.organization, destination: key.destination, isName: key.isName)] ?? 1
            return NetworkStatistics.prevalence(sourcesReaching: k, organisationSources: n, minimumSources: configuration.prevalenceMinimumSources)
        }
    }

    private func finding(_ key: PairKey, _ s: BeaconScore, times: [Int64], evidence ids: [Int64],
                         window: (start: Int64, end: Int64)) -> DetectorFinding {
        let source = interner.addresses[Int(key.source)].description
        let destination = key.isName ? interner.names[UInt32(key.destination)] : interner.addresses[Int(key.destination)].description
        let summary = "\(source) → \(destination): \(s.connections) connections, every ~\(Self.duration(s.medianInterval)) (median), ~\(Int(s.medianBytes)) bytes each"
        return DetectorFinding(
            detector: name, score: s.score,
            subscores: [Subscore("timestamp", s.timestamp), Subscore("data_size", s.dataSize), Subscore("duration", s.duration),
                        Subscore("histogram", s.histogram), Subscore("prevalence", s.prevalence),
                        Subscore("periodic_by_design", s.periodicByDesign ? 1 : 0), Subscore("connections", Double(s.connections))],
            entity: DetectorEntity(kind: "source-destination", parts: [source, destination],
                                   organization: interner.organizations[UInt32(key.organization)]),
            firstSeen: Timestamp(microseconds: times.first ?? window.start), lastSeen: Timestamp(microseconds: times.last ?? window.end),
            evidence: ids, summary: summary)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }
}
