import SpoorCore
import SpoorEvents

/// One connection-like record read from a row of an ``EventBatch``.
struct NetworkFlow {
    enum Role {
        /// A connection (Zeek conn, firewall flow, Sysmon network event, proxy access log line).
        case connection
        /// A Zeek protocol log row (ssl, http) that names the server of a connection by its uid.
        case nameForUID
    }

    var role: Role
    var row: Int
    /// µs since the epoch, UTC.
    var time: Int64
    var source: IPAddress
    var destination: IPAddress?
    /// The server name (TLS SNI, HTTP Host, Sysmon DestinationHostname) as a batch symbol; 0 = none.
    var nameSymbol: UInt32
    /// `organization.id` as a batch symbol; 0 = none.
    var organizationSymbol: UInt32
    /// Bytes in both directions (IP bytes when Zeek gives them, as RITA counts; else payload).
    var totalBytes: Int64
    /// Bytes from source to destination, when the record says.
    var sentBytes: Int64?
    /// FNV-1a hash of the Zeek uid (`network.flow_id`) of a Zeek record; 0 = none.
    var uid: UInt64
    /// A Zeek conn record whose service Zeek identified as TLS or HTTP (so ssl.log or http.log
    /// may name its server).
    var mayHaveName: Bool
    /// `network.protocol` (Zeek's service) as a batch symbol, 0 = none; `destination.port`, and
    /// whether `network.transport` is `udp`.
    var serviceSymbol: UInt32 = 0
    var destinationPort: Int64? = nil
    var isUDP = false
}

/// Reads ``NetworkFlow``s from one batch: columns are resolved once per batch, per-row work is
/// array reads and a few small per-batch symbol caches (no Strings per row).
///
/// Which rows are connections: a row with `@timestamp` and an IP `source.ip`, and either an IP
/// `destination.ip` or a server name. Zeek rows with a uid are special: only `zeek.conn` rows
/// are connections; `zeek.ssl` and `zeek.http` rows contribute the server name of their uid;
/// every other Zeek log (dns, files, x509, …) is skipped, as it describes a connection conn.log
/// already has.
struct NetworkFlowReader {
    let batch: EventBatch
    private let time: Column?
    private let source: Column?
    private let destination: Column?
    private let names: [Column]
    private let organization: Column?
    private let dataset: Column?
    private let service: Column?
    private let flowID: Column?
    private let port: Column?, transport: Column?
    private var udpSymbols: [UInt32: Bool] = [:]
    private let origIPBytes: Column?, respIPBytes: Column?
    private let sourceBytes: Column?, destinationBytes: Column?, networkBytes: Column?
    private let requestBytes: Column?, responseBytes: Column?
    private var datasetKinds: [UInt32: UInt8] = [:]   // 0 not Zeek, 1 zeek.conn, 2 zeek.ssl/http, 3 other Zeek
    private var serviceHasName: [UInt32: Bool] = [:]

    init(_ batch: EventBatch) {
        self.batch = batch
        func col(_ name: String, _ kinds: Set<FieldKind>) -> Column? {
            guard let c = batch.column(name), kinds.contains(c.kind) else { return nil }
            return c
        }
        let ints: Set<FieldKind> = [.int]
        time = col(Field.timestamp, [.timestamp])
        source = col(Field.sourceIP, [.ip])
        destination = col(Field.destinationIP, [.ip])
        names = [Field.tlsServerName, Field.urlDomain, Field.destinationDomain].compactMap { col($0, [.string]) }
        organization = col(Field.organizationID, [.string])
        dataset = col(Field.eventDataset, [.string])
        service = col(Field.networkProtocol, [.string])
        flowID = col(Field.networkFlowID, [.string])
        port = col(Field.destinationPort, ints)
        transport = col(Field.networkTransport, [.string])
        origIPBytes = col("zeek.orig_ip_bytes", ints)
        respIPBytes = col("zeek.resp_ip_bytes", ints)
        sourceBytes = col(Field.sourceBytes, ints)
        destinationBytes = col(Field.destinationBytes, ints)
        networkBytes = col(Field.networkBytes, ints)
        requestBytes = col(Field.httpRequestBytes, ints)
        responseBytes = col(Field.httpResponseBytes, ints)
    }

    /// Whether the batch can hold any flow at all (saves a pass over pages of other events).
    var hasFlows: Bool { time != nil && source != nil && (destination != nil || !names.isEmpty) }

    @inline(__always)
    private static func int(_ c: Column?, _ r: Int) -> Int64? {
        guard let c, c.isValid(r) else { return nil }
        return c.integers[r]
    }

    private mutating func datasetKind(_ s: UInt32) -> UInt8 {
        if s == 0 { return 0 }
        if let k = datasetKinds[s] { return k }
        let k: UInt8 = batch.symbols.withBytes(s) { b in
            guard b.count > 5, b[0] == UInt8(ascii: "z"), b[1] == UInt8(ascii: "e"), b[2] == UInt8(ascii: "e"),
                  b[3] == UInt8(ascii: "k"), b[4] == UInt8(ascii: ".") else { return 0 }
            if Bytes.equals(b, 5..<b.count, "conn") { return 1 }
            if Bytes.equals(b, 5..<b.count, "ssl") || Bytes.equals(b, 5..<b.count, "http") { return 2 }
            return 3
        }
        datasetKinds[s] = k
        return k
    }

    private mutating func serviceMayName(_ s: UInt32) -> Bool {
        if s == 0 { return false }
        if let v = serviceHasName[s] { return v }
        let text = batch.symbols.string(s)?.lowercased() ?? ""
        let v = text.contains("ssl") || text.contains("http") || text.contains("tls") || text.contains("quic")
        serviceHasName[s] = v
        return v
    }

    /// The flow in row `r`, or nil when the row is not connection-like.
    mutating func flow(_ r: Int) -> NetworkFlow? {
        guard let time, let source, time.isValid(r), source.isValid(r) else { return nil }
        var name: UInt32 = 0
        for c in names where c.symbols[r] != 0 {
            name = c.symbols[r]
            break
        }
        let dst: IPAddress? = (destination?.isValid(r) ?? false) ? destination?.addresses[r] : nil
        var uid: UInt64 = 0
        var role = NetworkFlow.Role.connection
        var mayHaveName = false
        let kind = datasetKind(dataset?.symbols[r] ?? 0)
        if kind != 0, let flowID, flowID.symbols[r] != 0 {
            uid = batch.symbols.withBytes(flowID.symbols[r]) { NetworkFlowReader.hash($0) }
            switch kind {
            case 1: mayHaveName = serviceMayName(service?.symbols[r] ?? 0)
            case 2:
                guard name != 0 else { return nil }
                role = .nameForUID
            default: return nil
            }
        }
        guard dst != nil || name != 0 else { return nil }
        let total: Int64
        if let o = Self.int(origIPBytes, r), let p = Self.int(respIPBytes, r) {
            total = o + p
        } else if let o = Self.int(sourceBytes, r) {
            total = o + (Self.int(destinationBytes, r) ?? 0)
        } else if let n = Self.int(networkBytes, r) {
            total = n
        } else {
            total = (Self.int(requestBytes, r) ?? 0) + (Self.int(responseBytes, r) ?? 0)
        }
        let sent = Self.int(sourceBytes, r) ?? Self.int(origIPBytes, r) ?? Self.int(requestBytes, r)
        var udp = false
        if let transport, transport.symbols[r] != 0 {
            let t = transport.symbols[r]
            if let v = udpSymbols[t] {
                udp = v
            } else {
                udp = batch.symbols.withBytes(t) { b in b.count == 3 && (b[0] | 0x20) == UInt8(ascii: "u") && (b[1] | 0x20) == UInt8(ascii: "d") && (b[2] | 0x20) == UInt8(ascii: "p") }
                udpSymbols[t] = udp
            }
        }
        return NetworkFlow(role: role, row: r, time: time.integers[r], source: source.addresses[r], destination: dst,
                           nameSymbol: name, organizationSymbol: organization?.symbols[r] ?? 0,
                           totalBytes: max(0, total), sentBytes: sent.map { max(0, $0) }, uid: uid, mayHaveName: mayHaveName,
                           serviceSymbol: service?.symbols[r] ?? 0, destinationPort: Self.int(port, r), isUDP: udp)
    }

    /// FNV-1a, 64 bits (Fowler, Noll, Vo); 0 is reserved for "no uid".
    static func hash(_ b: Span<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<b.count {
            h ^= UInt64(b[i])
            h = h &* 0x0000_0100_0000_01b3
        }
        return h == 0 ? 1 : h
    }
}

/// Strings shared by every page a detector reads: organisations, server names and addresses
/// interned to dense indices, so per-pair state is integers. Names and organisations are
/// ``DetectorStrings`` (index 0 is the empty string: no name, no organisation).
struct NetworkInterner {
    private(set) var addresses: [IPAddress] = []
    private var addressIndex: [IPAddress: Int32] = [:]
    fileprivate(set) var names = DetectorStrings()
    fileprivate(set) var organizations = DetectorStrings()

    mutating func address(_ a: IPAddress) -> Int32 {
        if let i = addressIndex[a] { return i }
        let i = Int32(addresses.count)
        addresses.append(a)
        addressIndex[a] = i
        return i
    }

    /// The index of a server or host name (> 0; the text as given).
    mutating func name(_ text: String) -> Int32 { Int32(names.id(text)) }

    /// A server name as written (`WWW.Example.com:443.`) to its key (`www.example.com`); nil when empty.
    static func normalizedName(_ raw: String) -> String? {
        var s = Substring(raw.lowercased())
        if s.hasPrefix("[") { return nil }                          // a bracketed IPv6 literal: the address is the key
        if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon, s[s.index(after: colon)...].allSatisfy(\.isNumber) {
            s = s[..<colon]
        }
        while s.hasSuffix(".") { s = s.dropLast() }
        guard !s.isEmpty, s != "-", s != "(empty)" else { return nil }
        return String(s)
    }
}

/// One page's symbol → interned index caches for server names (normalised by
/// ``NetworkInterner/normalizedName(_:)``) and organisations: ``PageSymbols`` over the
/// interner's two ``DetectorStrings``.
struct FlowPageSymbols {
    private var names: PageSymbols
    private var organizations: PageSymbols

    init(_ batch: EventBatch) {
        names = PageSymbols(batch, normalise: NetworkInterner.normalizedName)
        organizations = PageSymbols(batch, normalise: { $0.isEmpty ? nil : $0 })
    }

    /// The interned server name of a symbol; -1 when the text is not a usable name.
    mutating func name(_ s: UInt32, in batch: EventBatch, _ interner: inout NetworkInterner) -> Int32 {
        let i = names.id(s, batch, &interner.names)
        return i == 0 ? -1 : Int32(i)
    }

    /// The interned organisation of a symbol (0 when none).
    mutating func organization(_ s: UInt32, in batch: EventBatch, _ interner: inout NetworkInterner) -> Int32 {
        Int32(organizations.id(s, batch, &interner.organizations))
    }
}
