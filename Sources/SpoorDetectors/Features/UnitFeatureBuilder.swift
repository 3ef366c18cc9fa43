import Foundation
import SpoorCore
import SpoorEvents
import SpoorLearn

/// Assigns events to units (``UnitKind``) and counts, per unit, what happened in it: the
/// features an end model learns from. One pass over pages of events, columns read by symbol;
/// strings are made only when a page meets a new entity.
///
/// The features describe behaviour, not verdicts: no rule, intel or detector output is among
/// them, so that a model trained on labels from those functions can find attacks none of them
/// covers. Names and meanings are in ``UnitFeatureBuilder/featureNames`` and `Docs/Labels.md`.
///
/// ```swift
/// var units = UnitFeatureBuilder(kind: .hostHour)
/// for page in pages { let unitOfRow = units.observe(page) }   // -1: the row is in no unit
/// let (keys, matrix) = units.finish()
/// ```
public struct UnitFeatureBuilder: Sendable {
    public let kind: UnitKind
    /// The units met so far, in the order met.
    public private(set) var keys: [UnitKey] = []
    private var index: [UnitKey: Int32] = [:]

    /// Feature names, in matrix column order.
    public static let featureNames: [String] = [
        "events", "process_starts", "distinct_processes", "max_command_line_length", "auth_failures",
        "auth_successes", "distinct_users", "external_sources", "network_events", "bytes_out_log",
        "bytes_in_log", "distinct_destinations", "external_destinations", "new_destinations", "rare_destinations",
        "dns_queries", "max_dns_name_length", "max_dns_label_entropy", "http_errors", "file_events",
        "registry_events", "hour_of_day", "weekend",
    ]
    private enum F: Int, CaseIterable {
        case events, processStarts, distinctProcesses, maxCommandLine, authFailures, authSuccesses, distinctUsers,
             externalSources, networkEvents, bytesOut, bytesIn, distinctDestinations, externalDestinations,
             newDestinations, rareDestinations, dnsQueries, maxDNSLength, maxDNSEntropy, httpErrors, fileEvents,
             registryEvents, hourOfDay, weekend
    }
    private var values: [[Double]] = Array(repeating: [], count: F.allCases.count)
    private var destinations: [Set<UInt64>] = []
    private var externalDestinations: [Set<UInt64>] = []
    private var users: [Set<UInt64>] = []
    private var sources: [Set<UInt64>] = []
    private var processes: [Set<UInt64>] = []
    /// Host-hour units: which host an address belongs to (``HostAddressBook``, learned in a pass
    /// before this one), so that events keyed by a host's address join the unit of its name.
    public var addressBook: HostAddressBook?

    public init(kind: UnitKind = .hostHour, addressBook: HostAddressBook? = nil) {
        self.kind = kind
        self.addressBook = addressBook
    }

    public var unitCount: Int { keys.count }

    // MARK: Reading pages

    private struct PageKey: Hashable {
        var org: UInt32
        var entity: UInt32
        var address: IPAddress?
        var other: UInt32
        var otherAddress: IPAddress?
        var start: Int64
    }

    /// Reads one page; returns, for each row, the index of its unit (into ``keys``), or -1.
    public mutating func observe(_ batch: EventBatch) -> [Int32] {
        let c = UnitPageColumns(batch)
        var out = [Int32](repeating: -1, count: batch.count)
        guard let time = c.time else { return out }
        var cache: [PageKey: Int32] = [:]
        let processSym = batch.symbols.lookup("process"), authSym = batch.symbols.lookup("authentication")
        let networkSym = batch.symbols.lookup("network"), fileSym = batch.symbols.lookup("file")
        let registrySym = batch.symbols.lookup("registry"), startSym = batch.symbols.lookup("start")
        let failureSym = batch.symbols.lookup("failure"), successSym = batch.symbols.lookup("success")
        for r in 0..<batch.count where time.isValid(r) {
            let t = time.integers[r]
            let start = UnitKey.windowStart(Timestamp(microseconds: t), kind: kind).microseconds
            guard let key = pageKey(r, c, start: start) else { continue }
            let u: Int32
            if let hit = cache[key] {
                u = hit
            } else {
                u = unit(for: key, batch)
                cache[key] = u
            }
            out[r] = u
            let i = Int(u)
            values[F.events.rawValue][i] += 1
            let categories = c.categories.map { Self.list($0, r) } ?? []
            if let p = processSym, categories.contains(p) {
                if let s = startSym, let types = c.types, Self.list(types, r).contains(s) { values[F.processStarts.rawValue][i] += 1 }
                if let e = c.executable, e.symbols[r] != 0 { processes[i].insert(Self.hash(batch, e.symbols[r])) }
            }
            if let cl = c.commandLine, cl.symbols[r] != 0 {
                let n = Double(batch.symbols.bytes(cl.symbols[r]).count)
                if n > values[F.maxCommandLine.rawValue][i] { values[F.maxCommandLine.rawValue][i] = n }
            }
            if let a = authSym, categories.contains(a), let o = c.outcome {
                if o.symbols[r] != 0 && o.symbols[r] == failureSym { values[F.authFailures.rawValue][i] += 1 }
                if o.symbols[r] != 0 && o.symbols[r] == successSym { values[F.authSuccesses.rawValue][i] += 1 }
            }
            if let user = c.user, user.symbols[r] != 0 { users[i].insert(Self.hashFolded(batch, user.symbols[r])) }
            if let n = networkSym, categories.contains(n) { values[F.networkEvents.rawValue][i] += 1 }
            if let f = fileSym, categories.contains(f) { values[F.fileEvents.rawValue][i] += 1 }
            if let g = registrySym, categories.contains(g) { values[F.registryEvents.rawValue][i] += 1 }
            let src = c.sourceIP.flatMap { $0.isValid(r) ? $0.addresses[r] : nil }
            let dst = c.destinationIP.flatMap { $0.isValid(r) ? $0.addresses[r] : nil }
            if let s = src, !s.isPrivate { sources[i].insert(Self.hash(s)) }
            // Bytes leaving and entering the internal side.
            let outBytes = c.sourceBytes.flatMap { $0.isValid(r) ? Double($0.integers[r]) : nil } ?? 0
            let inBytes = c.destinationBytes.flatMap { $0.isValid(r) ? Double($0.integers[r]) : nil } ?? 0
            if let s = src, s.isPrivate {
                values[F.bytesOut.rawValue][i] += outBytes
                values[F.bytesIn.rawValue][i] += inBytes
            } else if let d = dst, d.isPrivate {
                values[F.bytesOut.rawValue][i] += inBytes
                values[F.bytesIn.rawValue][i] += outBytes
            }
            if let d = dst {
                let h = Self.hash(d)
                destinations[i].insert(h)
                if !d.isPrivate { externalDestinations[i].insert(h) }
            }
            for name in c.names where name.symbols[r] != 0 {
                let h = Self.hashFolded(batch, name.symbols[r])
                destinations[i].insert(h)
                externalDestinations[i].insert(h)
            }
            if let q = c.dnsName, q.symbols[r] != 0 {
                values[F.dnsQueries.rawValue][i] += 1
                let bytes = batch.symbols.bytes(q.symbols[r])
                values[F.maxDNSLength.rawValue][i] = max(values[F.maxDNSLength.rawValue][i], Double(bytes.count))
                values[F.maxDNSEntropy.rawValue][i] = max(values[F.maxDNSEntropy.rawValue][i], Self.firstLabelEntropy(bytes))
            }
            if let h = c.status, h.isValid(r), h.integers[r] >= 400 { values[F.httpErrors.rawValue][i] += 1 }
        }
        return out
    }

    private func pageKey(_ r: Int, _ c: UnitPageColumns, start: Int64) -> PageKey? {
        let org = c.organization.map { $0.symbols[r] } ?? 0
        switch kind {
        case .hostHour:
            if let h = c.host, h.symbols[r] != 0 { return PageKey(org: org, entity: h.symbols[r], address: nil, other: 0, otherAddress: nil, start: start) }
            let src = c.sourceIP.flatMap { $0.isValid(r) ? $0.addresses[r] : nil }
            let dst = c.destinationIP.flatMap { $0.isValid(r) ? $0.addresses[r] : nil }
            if let s = src, s.isPrivate { return PageKey(org: org, entity: 0, address: s, other: 0, otherAddress: nil, start: start) }
            if let d = dst, d.isPrivate { return PageKey(org: org, entity: 0, address: d, other: 0, otherAddress: nil, start: start) }
            if let s = src { return PageKey(org: org, entity: 0, address: s, other: 0, otherAddress: nil, start: start) }
            return nil
        case .userDay:
            guard let u = c.user, u.symbols[r] != 0 else { return nil }
            return PageKey(org: org, entity: u.symbols[r], address: nil, other: 0, otherAddress: nil, start: start)
        case .pairDay:
            guard let s = c.sourceIP, s.isValid(r) else { return nil }
            let name = [c.serverName, c.urlDomain, c.destinationDomain].lazy.compactMap { $0 }.first { $0.symbols[r] != 0 }
            if let name { return PageKey(org: org, entity: 0, address: s.addresses[r], other: name.symbols[r], otherAddress: nil, start: start) }
            guard let d = c.destinationIP, d.isValid(r) else { return nil }
            return PageKey(org: org, entity: 0, address: s.addresses[r], other: 0, otherAddress: d.addresses[r], start: start)
        }
    }

    private mutating func unit(for k: PageKey, _ batch: EventBatch) -> Int32 {
        let org = k.org == 0 ? "" : (batch.symbols.string(k.org) ?? "")
        var entity: String
        if k.entity != 0 {
            entity = (batch.symbols.string(k.entity) ?? "").lowercased()
        } else if kind == .hostHour, let a = k.address, let host = addressBook?.host(organization: org, address: a, at: k.start) {
            entity = host
        } else {
            entity = k.address?.description ?? ""
        }
        if kind == .pairDay {
            let other = k.other != 0 ? (batch.symbols.string(k.other) ?? "").lowercased() : (k.otherAddress?.description ?? "")
            entity += "→" + other
        }
        let key = UnitKey(kind: kind, organization: org, entity: entity, start: Timestamp(microseconds: k.start))
        if let i = index[key] { return i }
        let i = Int32(keys.count)
        keys.append(key)
        index[key] = i
        for f in values.indices { values[f].append(0) }
        destinations.append([])
        externalDestinations.append([])
        users.append([])
        sources.append([])
        processes.append([])
        return i
    }

    // MARK: Finishing

    /// The units and their features (one row per unit, in ``keys`` order), including the
    /// features that need every unit: destinations new for the entity (not in any earlier window
    /// of the same entity) and destinations no other entity of the population contacted.
    public func finish() -> (keys: [UnitKey], features: FeatureMatrix) {
        var v = values
        let n = keys.count
        // Population: how many entities contacted each destination (capped at 2).
        var entityOf: [UInt64: Int] = [:]
        var shared = Set<UInt64>()
        var entityID: [String: Int] = [:]
        var entities = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let name = keys[i].organization + "/" + keys[i].entity
            let e = entityID[name] ?? entityID.count
            entityID[name] = e
            entities[i] = e
            for d in destinations[i] {
                if let other = entityOf[d] {
                    if other != e { shared.insert(d) }
                } else {
                    entityOf[d] = e
                }
            }
        }
        // First-seen per entity, in window order.
        var seen: [Int: Set<UInt64>] = [:]
        for i in (0..<n).sorted(by: { (keys[$0].start, $0) < (keys[$1].start, $1) }) {
            let e = entities[i]
            var s = seen[e] ?? []
            var new = 0
            for d in destinations[i] where !s.contains(d) {
                new += 1
                s.insert(d)
            }
            seen[e] = s
            v[F.newDestinations.rawValue][i] = Double(new)
            v[F.rareDestinations.rawValue][i] = Double(destinations[i].count { !shared.contains($0) })
        }
        for i in 0..<n {
            v[F.distinctProcesses.rawValue][i] = Double(processes[i].count)
            v[F.distinctUsers.rawValue][i] = Double(users[i].count)
            v[F.externalSources.rawValue][i] = Double(sources[i].count)
            v[F.distinctDestinations.rawValue][i] = Double(destinations[i].count)
            v[F.externalDestinations.rawValue][i] = Double(externalDestinations[i].count)
            v[F.bytesOut.rawValue][i] = log(1 + v[F.bytesOut.rawValue][i])
            v[F.bytesIn.rawValue][i] = log(1 + v[F.bytesIn.rawValue][i])
            let civil = keys[i].start.civil
            v[F.hourOfDay.rawValue][i] = Double(civil.hour)
            let days = keys[i].start.microseconds / 86_400_000_000 - (keys[i].start.microseconds < 0 ? 1 : 0)
            let weekday = ((days + 4) % 7 + 7) % 7     // 1970-01-01 was a Thursday (4); 0 = Sunday
            v[F.weekend.rawValue][i] = weekday == 0 || weekday == 6 ? 1 : 0
        }
        var m = FeatureMatrix(rowCount: n)
        for (f, name) in Self.featureNames.enumerated() { try? m.append(name, values: v[f]) }
        return (keys, m)
    }

    // MARK: Helpers

    private static func list(_ c: Column, _ r: Int) -> ArraySlice<UInt32> {
        guard c.kind == .stringList, c.isValid(r) else { return [] }
        return c.listSymbols[Int(c.listStarts[r])..<Int(c.listStarts[r + 1])]
    }

    private static func hash(_ batch: EventBatch, _ s: UInt32) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in batch.symbols.bytes(s) { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    private static func hashFolded(_ batch: EventBatch, _ s: UInt32) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in batch.symbols.bytes(s) {
            let f = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            h = (h ^ UInt64(f)) &* 0x100_0000_01b3
        }
        return h
    }

    private static func hash(_ a: IPAddress) -> UInt64 {
        (a.high &* 0x9E37_79B9_7F4A_7C15) ^ a.low ^ 0x5bd1_e995
    }

    /// Shannon entropy (bits per character) of the first label of a name.
    static func firstLabelEntropy(_ name: ArraySlice<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        var n = 0
        for b in name {
            if b == UInt8(ascii: ".") { break }
            counts[Int(b | (b >= 0x41 && b <= 0x5A ? 0x20 : 0))] += 1
            n += 1
        }
        guard n > 1 else { return 0 }
        var e = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(n)
            e -= p * log2(p)
        }
        return e
    }
}

/// The columns the unit builder reads, resolved once per page.
private struct UnitPageColumns {
    let time, organization, host, user, categories, types, outcome, executable, commandLine: Column?
    let sourceIP, destinationIP, sourceBytes, destinationBytes, dnsName, urlDomain, serverName, destinationDomain, status: Column?
    /// The name columns a destination can be named by (DNS question, URL host, TLS SNI).
    let names: [Column]

    init(_ b: EventBatch) {
        func col(_ name: String, _ kinds: [FieldKind]) -> Column? {
            guard let c = b.column(name), kinds.contains(c.kind) else { return nil }
            return c
        }
        time = col(Field.timestamp, [.timestamp])
        organization = col(Field.organizationID, [.string])
        host = col(Field.hostName, [.string])
        user = col(Field.userName, [.string])
        categories = col(Field.eventCategory, [.stringList])
        types = col(Field.eventType, [.stringList])
        outcome = col(Field.eventOutcome, [.string])
        executable = col(Field.processExecutable, [.string]) ?? col(Field.processName, [.string])
        commandLine = col(Field.processCommandLine, [.string])
        sourceIP = col(Field.sourceIP, [.ip])
        destinationIP = col(Field.destinationIP, [.ip])
        sourceBytes = col(Field.sourceBytes, [.int])
        destinationBytes = col(Field.destinationBytes, [.int])
        dnsName = col(Field.dnsQuestionName, [.string])
        urlDomain = col(Field.urlDomain, [.string])
        serverName = col(Field.tlsServerName, [.string])
        destinationDomain = col(Field.destinationDomain, [.string])
        status = col(Field.httpResponseStatusCode, [.int])
        names = [dnsName, urlDomain, serverName].compactMap { $0 }
    }
}
