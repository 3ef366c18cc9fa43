import Foundation
import SpoorCore
import SpoorEvents

/// Which of the organisation's hosts an address belongs to, learned from the events themselves,
/// so that a host's events keyed by its name (Windows and Sysmon, syslog) and those keyed by its
/// address (Zeek, firewalls, proxies) fall into one host-hour unit — one host, one unit, the
/// evidence of every source together.
///
/// Bindings (an address and a name seen as the same system in one event):
///
/// | from | binding | why it is the same system |
/// |---|---|---|
/// | `host.name` + `host.ip` | the name ↔ the address | ECS: both describe the host the event is about |
/// | `source.domain` + `source.ip`, `destination.domain` + `destination.ip` | the name ↔ the address | ECS: "the domain name of the source/destination system" (Sysmon 3 writes `SourceHostname`/`SourceIp` there) |
/// | a successful authentication of a machine account (`user.name` `NAME$`, also `NAME$@REALM`) with `source.ip` | `NAME` ↔ the address | a computer's own account logs on (Kerberos TGT, 4624) from the computer itself; its password is the machine's (Microsoft, "Machine account password process") |
///
/// Names are compared by their first DNS label, lower-cased (`ACME-WS105$`, `acme-ws105` and
/// `acme-ws105.acme-corp.net` are one host), and a binding counts only for a name that is some
/// event's `host.name` in the same organisation, exactly one (the unit it merges into exists).
/// Addresses change hands (DHCP), so a binding holds from 24 hours before its first sighting
/// to 24 hours after its last; where two hosts' bindings hold at once, the host seen at least
/// four times as often as the others together wins (``dominance``), else the address is left
/// unresolved (a NAT gateway, a terminal server, a lease that changed hands that day), as is one
/// never bound.
public struct HostAddressBook: Sendable {
    /// How long before the first and after the last sighting a binding still holds.
    public var slackMicroseconds: Int64 = 24 * 3_600_000_000

    private struct Key: Hashable {
        var organization: String
        var address: IPAddress
        var label: String
    }
    private struct Seen {
        var first: Int64
        var last: Int64
        var count: Int
    }
    private var seen: [Key: Seen] = [:]
    /// Per organisation, the `host.name`s met (lower-cased).
    private var hostNames: [String: Set<String>] = [:]

    /// One host's hold on an address: when it was first and last seen bound, and how often.
    public struct Binding: Sendable, Hashable, Codable {
        public var organization: String
        public var address: IPAddress
        public var host: String
        public var first: Int64
        public var last: Int64
        public var count: Int
    }
    private struct Address: Hashable {
        var organization: String
        var address: IPAddress
    }
    private var intervals: [Address: [Binding]] = [:]

    public init() {}

    /// A book from the bindings another one found (``bindings``): a labelling run stores them so
    /// that whoever meets its units again meets the same ones without reading the events twice.
    public init(bindings: [Binding]) {
        for b in bindings { intervals[Address(organization: b.organization, address: b.address), default: []].append(b) }
    }

    /// The usable bindings (after ``finish()``), in a stable order.
    public var bindings: [Binding] {
        intervals.values.joined().sorted { ($0.organization, $0.address, $0.host) < ($1.organization, $1.address, $1.host) }
    }

    /// Addresses with at least one usable binding (after ``finish()``).
    public var boundAddresses: Int { intervals.count }

    /// Collects the bindings of one page of events.
    public mutating func observe(_ batch: EventBatch) {
        func col(_ name: String, _ kind: FieldKind) -> Column? {
            guard let c = batch.column(name), c.kind == kind else { return nil }
            return c
        }
        guard let time = col(Field.timestamp, .timestamp) else { return }
        let organization = col(Field.organizationID, .string), host = col(Field.hostName, .string)
        let hostIP = col(Field.hostIP, .ip), user = col(Field.userName, .string)
        let sourceIP = col(Field.sourceIP, .ip), sourceDomain = col(Field.sourceDomain, .string)
        let destinationIP = col(Field.destinationIP, .ip), destinationDomain = col(Field.destinationDomain, .string)
        let categories = col(Field.eventCategory, .stringList), outcome = col(Field.eventOutcome, .string)
        let authentication = batch.symbols.lookup("authentication"), success = batch.symbols.lookup("success")
        guard host != nil || sourceDomain != nil || destinationDomain != nil || user != nil else { return }
        var labels: [UInt32: String?] = [:]      // symbol → first label (nil: not a host name)
        var machines: [UInt32: String?] = [:]    // symbol → machine account's name
        var orgs: [UInt32: String] = [:]
        func label(_ s: UInt32) -> String? {
            if let l = labels[s] { return l }
            let l = Self.firstLabel(batch.symbols.bytes(s))
            labels[s] = l
            return l
        }
        func machine(_ s: UInt32) -> String? {
            if let m = machines[s] { return m }
            let m = Self.machineAccount(batch.symbols.bytes(s))
            machines[s] = m
            return m
        }
        var namesMet = Set<UInt64>()
        for r in 0..<batch.count where time.isValid(r) {
            let t = time.integers[r]
            let o = organization.map { $0.symbols[r] } ?? 0
            let org: String
            if let hit = orgs[o] { org = hit } else {
                org = o == 0 ? "" : (batch.symbols.string(o) ?? "")
                orgs[o] = org
            }
            if let h = host, h.symbols[r] != 0 {
                let s = h.symbols[r]
                if namesMet.insert(UInt64(o) << 32 | UInt64(s)).inserted,
                   let name = batch.symbols.string(s)?.lowercased(), !name.isEmpty, IPAddress(name) == nil {
                    hostNames[org, default: []].insert(name)
                }
                if let a = hostIP, a.isValid(r), let l = label(s) { bind(org, a.addresses[r], l, t) }
            }
            if let d = sourceDomain, d.symbols[r] != 0, let a = sourceIP, a.isValid(r), let l = label(d.symbols[r]) {
                bind(org, a.addresses[r], l, t)
            }
            if let d = destinationDomain, d.symbols[r] != 0, let a = destinationIP, a.isValid(r), let l = label(d.symbols[r]) {
                bind(org, a.addresses[r], l, t)
            }
            if let u = user, u.symbols[r] != 0, let a = sourceIP, a.isValid(r),
               let auth = authentication, let c = categories, c.isValid(r),
               c.listSymbols[Int(c.listStarts[r])..<Int(c.listStarts[r + 1])].contains(auth),
               let ok = success, let out = outcome, out.symbols[r] == ok,
               let m = machine(u.symbols[r]) {
                bind(org, a.addresses[r], m, t)
            }
        }
    }

    private mutating func bind(_ org: String, _ address: IPAddress, _ label: String, _ t: Int64) {
        let k = Key(organization: org, address: address, label: label)
        if var s = seen[k] {
            s.first = min(s.first, t)
            s.last = max(s.last, t)
            s.count += 1
            seen[k] = s
        } else {
            seen[k] = Seen(first: t, last: t, count: 1)
        }
    }

    /// Resolves the bindings' names to the organisation's host names; call once after the last page.
    public mutating func finish() {
        var byLabel: [String: [String: [String]]] = [:]    // org → first label → host names
        for (org, names) in hostNames {
            var m: [String: [String]] = [:]
            for n in names {
                guard let l = Self.firstLabel(ArraySlice(n.utf8)) else { continue }
                m[l, default: []].append(n)
            }
            byLabel[org] = m
        }
        intervals = [:]
        for (k, s) in seen {
            guard let hosts = byLabel[k.organization]?[k.label], hosts.count == 1 else { continue }
            intervals[Address(organization: k.organization, address: k.address), default: []]
                .append(Binding(organization: k.organization, address: k.address, host: hosts[0], first: s.first, last: s.last, count: s.count))
        }
        seen = [:]
    }

    /// The host `address` belonged to at time `t` in `organization`, or nil when no binding
    /// holds then or two hosts' do.
    public func host(organization: String, address: IPAddress, at t: Int64) -> String? {
        guard let list = intervals[Address(organization: organization, address: address)] else { return nil }
        var best: Binding? = nil
        var others = 0
        for i in list where t >= i.first - slackMicroseconds && t <= i.last + slackMicroseconds {
            if let b = best, b.count >= i.count {
                others += i.count
            } else {
                others += best?.count ?? 0
                best = i
            }
        }
        guard let best, best.count >= Self.dominance * others else { return nil }
        return best.host
    }

    /// A binding wins over others holding at the same time when it was seen this many times
    /// as often as they were together: one host's own stream of bindings outweighs a stray one
    /// (a logon event whose client names the server itself), two hosts behind one NAT address
    /// or a lease that changed hands the same day stay unresolved.
    public static let dominance = 4

    /// The first DNS label of a host name, lower-cased; nil for an address, `-`, empty or
    /// `localhost`.
    static func firstLabel(_ bytes: ArraySlice<UInt8>) -> String? {
        let first = bytes.prefix { $0 != UInt8(ascii: ".") }
        guard !first.isEmpty, first.count <= 63, !(first.count == 1 && first.first == UInt8(ascii: "-")) else { return nil }
        if IPAddress(String(decoding: bytes, as: UTF8.self)) != nil { return nil }
        let l = String(decoding: first, as: UTF8.self).lowercased()
        return l == "localhost" ? nil : l
    }

    /// `NAME$` or `NAME$@REALM` (also `DOMAIN\NAME$`) → `name`; nil for other accounts.
    static func machineAccount(_ bytes: ArraySlice<UInt8>) -> String? {
        var b = bytes
        if let at = b.firstIndex(of: UInt8(ascii: "@")) { b = b[..<at] }
        if let slash = b.lastIndex(of: UInt8(ascii: "\\")) { b = b[(slash + 1)...] }
        guard b.count >= 2, b.last == UInt8(ascii: "$") else { return nil }
        return firstLabel(b.dropLast())
    }
}
