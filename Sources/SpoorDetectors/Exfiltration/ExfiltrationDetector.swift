import Foundation
import SpoorCore
import SpoorEvents

/// Finds hours in which an internal host sent far more to the outside than it usually does at
/// that hour — and more so when nobody was logged on to it.
///
/// Flows are read as ``BeaconDetector`` reads them (Zeek conn, firewall flows, Sysmon network
/// events, proxy logs); outbound bytes are `source.bytes` (Zeek `orig_bytes`), else the
/// originator's IP bytes, else the HTTP request body. A flow counts when its source is internal
/// (``ExfiltrationConfiguration/internalNetworks``) and its destination is not (or it has only a
/// server name, as in proxy logs). A flow is counted in the hour it started (Zeek logs a
/// connection once, at its start, with all its bytes).
///
/// Host identity: the source address is mapped to a host name from events that name both —
/// `host.name` + `host.ip`, `source.domain` + `source.ip` (Sysmon's SourceHostname),
/// `destination.domain` + `destination.ip`, `client.domain` + `client.ip` (Zeek DHCP) — the
/// name seen most often for the address; without one the address is the host.
///
/// Sub-scores (each 0…1):
/// - `volume_vs_baseline`: log₁₀(bytes / reference) / log₁₀(fullScoreRatio), where the
///   reference is the host's median + k·1.4826·MAD of its hourly outbound bytes at the same hour
///   of the week (UTC; other weeks), or of the day (other days), or of all its hours, whichever
///   first has ``ExfiltrationConfiguration/minimumHistory`` values (hours without traffic count
///   as 0), floored at ``ExfiltrationConfiguration/referenceFloorBytes``.
/// - `nobody_present`: the share of sample instants (the hour's start, middle and end and the
///   starts of its largest flows) at which ``SessionTimeline/present(host:at:)`` finds nobody;
///   ``ExfiltrationConfiguration/neutralPresence`` for hosts without any session.
/// - `destination_rarity`: the byte-weighted share of the hour's largest flows (its evidence)
///   going to destinations (server name, else address) the host contacted on no other UTC day.
///
/// score = volume × (1 − wₚ + wₚ·nobody_present) × (1 − wᵣ + wᵣ·destination_rarity).
/// Entity: `host-hour` (host, hour start ISO-8601). Evidence: the ids of the hour's largest
/// outbound flows, up to ``ExfiltrationConfiguration/evidenceLimit``, ascending.
public struct ExfiltrationDetector: EventDetector {
    public let name = "exfiltration"
    public var configuration: ExfiltrationConfiguration
    public let sessions: SessionTimeline

    static let hour: Int64 = 3_600_000_000

    struct HostKey: Hashable {
        var organization: Int32
        var address: Int32
    }

    struct Cell {
        var host: Int32
        var hour: Int32
        var bytes: Int64 = 0
        /// The largest flows: (bytes, id, time).
        var top: [(bytes: Int64, id: Int64, time: Int64, destination: Int32)] = []
        /// Where the smallest of `top` is, once `top` is full.
        var smallest = 0
    }

    private var interner = NetworkInterner()
    private var hostIndex: [HostKey: Int32] = [:]
    private var hosts: [HostKey] = []
    private var cellIndex: [UInt64: Int32] = [:]
    private var cells: [Cell] = []
    /// The UTC day a (host, destination) pair was seen on, or ``severalDays``: key host << 32 |
    /// destination (names ≥ 0, addresses as −1 − index).
    private var destinationDays: [UInt64: Int32] = [:]
    static let severalDays = Int32.min
    /// Votes for host names per (organisation, address).
    private var nameVotes: [HostKey: [Int32: Int]] = [:]
    private var firstHour = Int32.max
    private var lastHour = Int32.min

    /// - Parameter sessions: who was logged on where (``SessionTimeline``), from the same case.
    public init(sessions: SessionTimeline, configuration: ExfiltrationConfiguration = ExfiltrationConfiguration()) {
        self.sessions = sessions
        self.configuration = configuration
    }

    public mutating func observe(_ batch: EventBatch, ids: [Int64]) {
        collectHostNames(batch)
        var reader = NetworkFlowReader(batch)
        guard reader.hasFlows else { return }
        var page = FlowPageSymbols(batch)
        let inside = configuration.internalNetworks
        for r in 0..<min(batch.count, ids.count) {
            guard let f = reader.flow(r), f.role == .connection, let sent = f.sentBytes, sent > 0 else { continue }
            guard inside.contains(f.source) else { continue }
            var destination: Int32
            if let d = f.destination {
                if inside.contains(d) || InternalNetworks.isGroupOrUnspecified(d) { continue }
                destination = -1 - interner.address(d)
            } else {
                destination = -1
            }
            let n = page.name(f.nameSymbol, in: batch, &interner)
            if n >= 0 { destination = n } else if f.destination == nil { continue }
            let org = page.organization(f.organizationSymbol, in: batch, &interner)
            let hostKey = HostKey(organization: org, address: interner.address(f.source))
            let host: Int32
            if let h = hostIndex[hostKey] { host = h } else {
                host = Int32(hosts.count)
                hosts.append(hostKey)
                hostIndex[hostKey] = host
            }
            let hour = Int32(truncatingIfNeeded: Self.floorDiv(f.time, Self.hour))
            firstHour = min(firstHour, hour)
            lastHour = max(lastHour, hour)
            let key = UInt64(UInt32(bitPattern: host)) << 32 | UInt64(UInt32(bitPattern: hour))
            let c: Int
            if let i = cellIndex[key] { c = Int(i) } else {
                c = cells.count
                cellIndex[key] = Int32(c)
                cells.append(Cell(host: host, hour: hour))
            }
            cells[c].bytes += sent
            Self.keepLargest(&cells[c], (sent, ids[r], f.time, destination), limit: configuration.evidenceLimit)
            let pairKey = UInt64(UInt32(bitPattern: host)) << 32 | UInt64(UInt32(bitPattern: destination))
            let day = Int32(truncatingIfNeeded: Self.floorDiv(Int64(hour), 24))
            if let seen = destinationDays[pairKey] {
                if seen != day && seen != Self.severalDays { destinationDays[pairKey] = Self.severalDays }
            } else {
                destinationDays[pairKey] = day
            }
        }
    }

    /// Keeps the `evidenceLimit` largest flows of a cell: O(1) unless the flow displaces the
    /// smallest kept one (then O(limit) to find the next smallest).
    /// Static, so the caller's `&cells[c]` is an in-place access (a method on `self` would need
    /// a copy of `self`, and with it of `cells`, per call).
    static func keepLargest(_ cell: inout Cell, _ item: (bytes: Int64, id: Int64, time: Int64, destination: Int32), limit: Int) {
        guard limit > 0 else { return }
        if cell.top.count < limit {
            cell.top.append(item)
            if cell.top.count == limit { cell.smallest = Self.indexOfSmallest(cell.top) }
            return
        }
        guard item.bytes > cell.top[cell.smallest].bytes else { return }
        cell.top[cell.smallest] = item
        cell.smallest = Self.indexOfSmallest(cell.top)
    }

    static func indexOfSmallest(_ top: [(bytes: Int64, id: Int64, time: Int64, destination: Int32)]) -> Int {
        top.indices.min { top[$0].bytes < top[$1].bytes } ?? 0
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Learns address → host name from rows that name both.
    private mutating func collectHostNames(_ batch: EventBatch) {
        let pairs = [(Field.hostName, Field.hostIP), (Field.sourceDomain, Field.sourceIP),
                     (Field.destinationDomain, Field.destinationIP), (Field.clientDomain, Field.clientIP)]
        let org = batch.column(Field.organizationID).flatMap { $0.kind == .string ? $0 : nil }
        var page = FlowPageSymbols(batch)
        for (nameField, ipField) in pairs {
            guard let names = batch.column(nameField), names.kind == .string,
                  let ips = batch.column(ipField), ips.kind == .ip else { continue }
            var votes: [HostKey: [UInt32: Int]] = [:]
            for r in 0..<batch.count where names.symbols[r] != 0 && ips.isValid(r) {
                let a = ips.addresses[r]
                guard configuration.internalNetworks.contains(a) else { continue }
                let o = page.organization(org?.symbols[r] ?? 0, in: batch, &interner)
                votes[HostKey(organization: o, address: interner.address(a)), default: [:]][names.symbols[r], default: 0] += 1
            }
            for (key, bySymbol) in votes {
                for (s, n) in bySymbol {
                    guard let text = batch.symbols.string(s)?.lowercased(), !text.isEmpty, text != "-" else { continue }
                    nameVotes[key, default: [:]][interner.name(text), default: 0] += n
                }
            }
        }
    }

    /// The host name for a host (most votes, ties by name), else its address.
    private func hostName(_ key: HostKey) -> String {
        if let votes = nameVotes[key],
           let best = votes.max(by: { ($0.value, interner.names[UInt32($1.key)]) < ($1.value, interner.names[UInt32($0.key)]) }) {
            return interner.names[UInt32(best.key)]
        }
        return interner.addresses[Int(key.address)].description
    }

    public mutating func finish() -> [DetectorFinding] {
        guard firstHour <= lastHour else { return [] }
        let c = configuration
        let span = Int(lastHour - firstHour) + 1
        var cellsOfHost: [Int32: [Int]] = [:]
        for (i, cell) in cells.enumerated() { cellsOfHost[cell.host, default: []].append(i) }
        let sessionHosts = SessionHostNames(sessions)

        var findings: [DetectorFinding] = []
        for (host, list) in cellsOfHost {
            guard list.contains(where: { cells[$0].bytes >= c.minimumBytes }) else { continue }
            var series = [Double](repeating: 0, count: span)
            for i in list { series[Int(cells[i].hour - firstHour)] = Double(cells[i].bytes) }
            let hostKey = hosts[Int(host)]
            let name = hostName(hostKey)
            for i in list where cells[i].bytes >= c.minimumBytes {
                let cell = cells[i]
                let at = Int(cell.hour - firstHour)
                let reference = max(c.referenceFloorBytes, Self.reference(series, at: at, c))
                let volume = min(1, max(0, log10(Double(cell.bytes) / reference) / log10(max(10, c.fullScoreRatio))))
                guard volume > 0 else { continue }
                let start = Int64(cell.hour) * Self.hour
                var instants = [start, start + Self.hour / 2, start + Self.hour - 1]
                instants += cell.top.sorted { $0.bytes > $1.bytes }.prefix(5).map(\.time)
                let nobody = sessionHosts.nobodyPresent(host: name, organization: interner.organizations[UInt32(hostKey.organization)],
                                                        at: instants, neutral: c.neutralPresence)
                var rareBytes: Int64 = 0, allBytes: Int64 = 0
                for flow in cell.top {
                    allBytes += flow.bytes
                    let key = UInt64(UInt32(bitPattern: host)) << 32 | UInt64(UInt32(bitPattern: flow.destination))
                    if let day = destinationDays[key], day != Self.severalDays { rareBytes += flow.bytes }
                }
                let rarity = allBytes > 0 ? Double(rareBytes) / Double(allBytes) : 0
                let score = volume * (1 - c.presenceWeight + c.presenceWeight * nobody) * (1 - c.rarityWeight + c.rarityWeight * rarity)
                let hourStart = Timestamp(microseconds: start)
                let times = cell.top.map(\.time)
                findings.append(DetectorFinding(
                    detector: self.name, score: score,
                    subscores: [Subscore("volume_vs_baseline", volume), Subscore("nobody_present", nobody), Subscore("destination_rarity", rarity)],
                    entity: DetectorEntity(kind: "host-hour", parts: [name, hourStart.description],
                                           organization: interner.organizations[UInt32(hostKey.organization)]),
                    firstSeen: Timestamp(microseconds: times.min() ?? start), lastSeen: Timestamp(microseconds: times.max() ?? start),
                    evidence: cell.top.map(\.id).sorted(),
                    summary: "\(name): \(Self.megabytes(cell.bytes)) out in the hour from \(hourStart) against a usual \(Self.megabytes(Int64(reference))) at most; "
                        + (nobody >= 0.99 ? "nobody logged on" : nobody <= 0.01 ? "someone logged on" : "presence \(Int(((1 - nobody) * 100).rounded())) %")))
            }
        }
        findings.sort { ($0.score, $0.entity.description) > ($1.score, $1.entity.description) }
        if c.reportLimit > 0, findings.count > c.reportLimit { findings.removeLast(findings.count - c.reportLimit) }
        return findings
    }

    /// median + k·1.4826·MAD of the host's other hours at the same hour of the week, else of the
    /// day, else all (hours without traffic are 0).
    static func reference(_ series: [Double], at i: Int, _ c: ExfiltrationConfiguration) -> Double {
        func others(step: Int) -> [Double] {
            var out: [Double] = []
            var j = i - step
            while j >= 0 { out.append(series[j]); j -= step }
            j = i + step
            while j < series.count { out.append(series[j]); j += step }
            return out
        }
        var history = others(step: 168)
        if history.count < c.minimumHistory { history = others(step: 24) }
        if history.count < c.minimumHistory { history = others(step: 1) }
        guard !history.isEmpty else { return 0 }
        history.sort()
        let m = NetworkStatistics.median(history)
        let mad = NetworkStatistics.medianAbsoluteDeviation(history, median: m)
        return m + c.deviations * 1.4826 * mad
    }

    static func megabytes(_ b: Int64) -> String {
        b >= 1_000_000_000 ? "\(Double(b / 10_000_000) / 100) GB" : "\(b / 1_000_000) MB"
    }
}

/// Matches flow host names to the host names of logon sessions: exact (case-insensitive), else
/// the same first label (`ws01` and `ws01.corp.example`) when that is unambiguous. Addresses
/// (a host known only by its IP) match only exactly: `10.0.0.6` is not `10.0.0.7`.
struct SessionHostNames {
    let timeline: SessionTimeline
    private var byName: [String: String] = [:]
    private var byLabel: [String: String?] = [:]

    init(_ timeline: SessionTimeline) {
        self.timeline = timeline
        for s in timeline.sessions {
            let h = s.host.lowercased()
            byName[h] = h
            guard IPAddress(h) == nil else { continue }
            let label = String(h.prefix { $0 != "." })
            if let existing = byLabel[label], existing != h { byLabel[label] = .some(nil) } else { byLabel[label] = h }
        }
    }

    /// The timeline's host name for `name`, if the timeline has sessions on it.
    func sessionHost(_ name: String) -> String? {
        let n = name.lowercased()
        if let h = byName[n] { return h }
        guard IPAddress(n) == nil else { return nil }
        return byLabel[String(n.prefix { $0 != "." })] ?? nil
    }

    /// The share of `instants` at which nobody is present on the host; `neutral` when the
    /// timeline has no session on it at all.
    func nobodyPresent(host: String, organization: String, at instants: [Int64], neutral: Double) -> Double {
        guard let h = sessionHost(host), !instants.isEmpty else { return neutral }
        let absent = instants.count { timeline.present(host: h, at: Timestamp(microseconds: $0)).isEmpty }
        return Double(absent) / Double(instants.count)
    }
}
