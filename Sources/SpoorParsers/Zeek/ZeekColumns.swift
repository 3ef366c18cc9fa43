import SpoorCore
import SpoorEvents

/// An ECS column a Zeek field also feeds, with its conversion.
struct ZeekTarget: Sendable {
    var handle: ColumnHandle
    var conversion: ZeekConversion
    var isFallback: Bool
}

/// Up to three ECS targets of one field, stored inline so a ``ZeekSlot`` is plain data
/// (copying a slot per field must not retain an array: measured, that was a tenth of the
/// time of a conn.log record).
struct ZeekTargets: Sendable, Sequence {
    static let capacity = 3
    private var a, b, c: ZeekTarget?

    init(_ targets: [ZeekTarget]) {
        // The mapping table is code; more than three ECS fields from one Zeek field is a
        // programmer error.
        precondition(targets.count <= ZeekTargets.capacity, "a Zeek field maps to at most \(ZeekTargets.capacity) ECS fields")
        a = targets.count > 0 ? targets[0] : nil
        b = targets.count > 1 ? targets[1] : nil
        c = targets.count > 2 ? targets[2] : nil
    }

    struct Iterator: IteratorProtocol {
        let targets: ZeekTargets
        var k = 0
        mutating func next() -> ZeekTarget? {
            defer { k += 1 }
            switch k {
            case 0: return targets.a
            case 1: return targets.b
            case 2: return targets.c
            default: return nil
            }
        }
    }

    func makeIterator() -> Iterator { Iterator(targets: self) }
}

/// Where one Zeek field goes: its raw `zeek.<field>` column and the ECS columns it feeds.
///
/// Both Zeek parsers write through these methods, so a TSV log and its JSON twin give the same
/// columns, kinds and values by construction.
struct ZeekSlot: Sendable {
    var type: ZeekType
    var raw: ColumnHandle
    var targets: ZeekTargets

    /// Resolves the columns of `field` of type `type` in a log with `mapping`.
    init(field: String, type: ZeekType, mapping: ZeekLogMapping?, builder: inout EventBatchBuilder, probe: inout ZeekBuilderProbe) {
        self.type = type
        raw = probe.column("zeek." + field, type.kind, &builder)
        var targets: [ZeekTarget] = []
        for rule in ZeekMapping.rules(for: field, in: mapping) {
            targets.append(ZeekTarget(handle: probe.column(rule.target, rule.conversion.kind(from: type.kind), &builder),
                                      conversion: rule.conversion, isFallback: rule.isFallback))
        }
        self.targets = ZeekTargets(targets)
    }

    @inline(__always)
    func shouldWrite(_ t: ZeekTarget, _ builder: inout EventBatchBuilder) -> Bool {
        !t.isFallback || !builder.isSet(t.handle)
    }

    func write(timestamp us: Int64, into builder: inout EventBatchBuilder) {
        let ts = Timestamp(microseconds: us)
        builder.set(raw, timestamp: ts)
        for t in targets where shouldWrite(t, &builder) { builder.set(t.handle, timestamp: ts) }
    }

    func write(ip: IPAddress, into builder: inout EventBatchBuilder) {
        builder.set(raw, ip: ip)
        for t in targets where shouldWrite(t, &builder) { builder.set(t.handle, ip: ip) }
    }

    func write(int v: Int64, into builder: inout EventBatchBuilder) {
        builder.set(raw, int: v)
        for t in targets where shouldWrite(t, &builder) { builder.set(t.handle, int: v) }
    }

    /// An interval, at microsecond resolution (see ``ZeekText/microseconds(_:_:)``).
    func write(intervalMicroseconds us: Int64, into builder: inout EventBatchBuilder) {
        builder.set(raw, double: Double(us) / 1_000_000)
        for t in targets where shouldWrite(t, &builder) {
            if t.conversion == .nanoseconds { builder.set(t.handle, int: us &* 1000) } else { builder.set(t.handle, double: Double(us) / 1_000_000) }
        }
    }

    func write(double v: Double, into builder: inout EventBatchBuilder) {
        builder.set(raw, double: v)
        for t in targets where shouldWrite(t, &builder) {
            if t.conversion == .nanoseconds, let us = ZeekText.microseconds(v) { builder.set(t.handle, int: us &* 1000) } else { builder.set(t.handle, double: v) }
        }
    }

    func write(bool v: Bool, into builder: inout EventBatchBuilder) {
        builder.set(raw, bool: v)
        for t in targets where shouldWrite(t, &builder) {
            if t.conversion == .outcome { builder.set(t.handle, string: v ? "success" : "failure") } else { builder.set(t.handle, bool: v) }
        }
    }

    /// A string value (escapes already decoded).
    func write(string b: Span<UInt8>, into builder: inout EventBatchBuilder) {
        // Interned once: an ECS copy (`uid` → `network.flow_id`) reuses the raw column's symbol.
        let symbol = builder.set(raw, bytes: b)
        for t in targets where shouldWrite(t, &builder) {
            switch t.conversion {
            case .same, .nanoseconds, .outcome:
                if symbol != 0 { builder.set(t.handle, symbol: symbol) } else { builder.set(t.handle, bytes: b) }
            case .principalUser:
                let slash = Bytes.find(UInt8(ascii: "/"), in: b) ?? b.count
                builder.set(t.handle, bytes: b, range: 0..<slash)
            case .principalRealm:
                if let slash = Bytes.find(UInt8(ascii: "/"), in: b), slash + 1 < b.count {
                    builder.set(t.handle, bytes: b, range: (slash + 1)..<b.count)
                }
            case .tlsVersion:
                if let v = ZeekSlot.tlsVersion(b) { builder.set(t.handle, string: v.version) }
            case .tlsVersionProtocol:
                if let v = ZeekSlot.tlsVersion(b) { builder.set(t.handle, string: v.protocolName) }
            case .lowercased:
                var lower = [UInt8]()
                lower.reserveCapacity(b.count)
                for i in 0..<b.count { lower.append(Bytes.lower(b[i])) }
                builder.set(t.handle, bytes: lower.span)
            }
        }
    }

    /// Starts the list value of a container field (an empty list unless items follow).
    func beginList(into builder: inout EventBatchBuilder) {
        builder.beginList(raw)
        for t in targets where shouldWrite(t, &builder) { builder.beginList(t.handle) }
    }

    /// Appends one item (its canonical text) to the list begun with ``beginList(into:)``.
    func appendItem(_ b: Span<UInt8>, into builder: inout EventBatchBuilder) {
        builder.appendToList(raw, bytes: b)
        for t in targets where !t.isFallback { builder.appendToList(t.handle, bytes: b) }
    }

    /// `TLSv12` → (`1.2`, `tls`); `SSLv3` → (`3.0`, `ssl`); `DTLSv10` → (`1.0`, `dtls`).
    static func tlsVersion(_ b: Span<UInt8>) -> (version: String, protocolName: String)? {
        let name: String
        let at: Int
        if Bytes.hasPrefix(b, "TLSv") { name = "tls"; at = 4 }
        else if Bytes.hasPrefix(b, "DTLSv") { name = "dtls"; at = 5 }
        else if Bytes.hasPrefix(b, "SSLv") { name = "ssl"; at = 4 }
        else { return nil }
        let digits = b.count - at
        guard digits >= 1, digits <= 2 else { return nil }
        for i in at..<b.count where !Bytes.isDigit(b[i]) { return nil }
        let major = Int(b[at] - 48)
        let minor = digits == 2 ? Int(b[at + 1] - 48) : 0
        return ("\(major).\(minor)", name)
    }
}

/// The fields every event of one Zeek log gets: `event.dataset`, `event.kind`, … .
struct ZeekRowConstants: Sendable {
    private var handles: [ColumnHandle] = []
    private var values: [String] = []
    /// Names of the constant fields a log may lack (a `nil` value), so
    /// ``install(into:)`` can remove what an earlier log of the source set.
    private var absent: [String] = []

    init(path: String, mapping: ZeekLogMapping?, builder: inout EventBatchBuilder, probe: inout ZeekBuilderProbe) {
        func add(_ name: String, _ value: String?, _ kind: FieldKind = .string) {
            guard let value else { absent.append(name); return }
            handles.append(probe.column(name, kind, &builder))
            values.append(value)
        }
        add(Field.eventModule, "zeek")
        add(Field.eventDataset, "zeek." + path)
        add(Field.eventKind, mapping?.kind ?? "event")
        // ECS categorisation fields are arrays (one value here).
        add(Field.eventCategory, mapping?.category, .stringList)
        add(Field.eventType, mapping?.type, .stringList)
        add(Field.networkProtocol, mapping?.networkProtocol)
        // Zeek writes epoch seconds or ISO 8601 in UTC.
        add(Field.eventTimezone, formatUTCOffset(0))
    }

    /// Writes the constants; call before the fields, so field rules (conn `service` →
    /// `network.protocol`) win over them.
    func write(into builder: inout EventBatchBuilder) {
        for i in handles.indices { builder.set(handles[i], string: values[i]) }
    }

    /// Makes the constants the builder's constants (``EventBatchBuilder/setConstant(_:items:)``)
    /// from the open row on: the same values as ``write(into:)`` in every row, written once.
    /// Constants of an earlier log that this one lacks are removed.
    func install(into builder: inout EventBatchBuilder) {
        for name in absent {
            if let h = builder.existingColumn(name) { builder.setConstant(h, items: nil) }
        }
        for i in handles.indices { builder.setConstant(handles[i], items: [Array(values[i].utf8)]) }
    }
}

/// Detects that the parser is writing into another builder than the one its cached
/// ``ColumnHandle``s belong to.
///
/// Ingest makes a fresh builder per batch and a scratch one while skipping already-ingested
/// records, but the parser (with its header state) lives for the whole source. Handles are
/// indices into one builder's columns, so they must be resolved again for each builder.
/// `EventBatchBuilder` has no identity to compare, so the probe is the column resolved last:
/// in a builder that does not have it, `column(_:_:)` makes it at a lower index than the one
/// cached (every parser resolves more than one column), which reveals the change. One
/// dictionary lookup per record, not per field.
struct ZeekBuilderProbe: Sendable {
    private var name = ""
    private var handle: ColumnHandle? = nil

    /// Whether `builder` is the one the handles were resolved in.
    @inline(__always)
    func matches(_ builder: inout EventBatchBuilder) -> Bool {
        guard let handle else { return false }
        return builder.hasColumn(handle, named: name)
    }

    /// Resolves a column and remembers it when it has the highest index so far.
    mutating func column(_ n: String, _ k: FieldKind, _ builder: inout EventBatchBuilder) -> ColumnHandle {
        let h = builder.column(n, k)
        if h.index > (handle?.index ?? -1) { name = n; handle = h }
        return h
    }

    /// Forgets the builder (call before resolving everything again for a new one).
    mutating func reset() { handle = nil }
}
