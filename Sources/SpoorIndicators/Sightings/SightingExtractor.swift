import SpoorCore
import SpoorEvents

/// Finds the indicators of every event of a batch and says where each was seen.
///
/// Two kinds of fields:
/// - **typed fields** whose meaning the event model fixes (`source.ip`, `dns.question.name`,
///   `process.hash.sha256`, `registry.path`): their value is normalised as the field's kind and
///   gets the field's place and role (table ``SightingExtractor/typedFields``);
/// - **every other text field** (`message`, `process.command_line`, `winlog.event_data.*`,
///   `json.*`, `csv.*`, …): free-text extraction with decoding, the place from the event's
///   category (process → memory, file/registry → disk, network → network, else log), role unknown.
///
/// An indicator found twice in one event is one sighting: the typed field wins over free text,
/// then the first field in table order. Values are memoised per interned symbol, so a batch
/// pays for each distinct value once. Fields that describe the record rather than what it saw
/// (provenance, `event.*`, `host.*`, `observer.*`, `related.*` copies) are skipped.
public struct SightingExtractor: Sendable {
    public let extractor: IndicatorExtractor

    public init(extractor: IndicatorExtractor = IndicatorExtractor()) {
        self.extractor = extractor
    }

    /// How a typed field is read.
    public struct TypedField: Sendable {
        public var field: String
        /// The kind its values have; nil for an IP column (v4 or v6 by value) or a name that may be
        /// either an address or a domain; `.windowsPath` for a path field (Windows or Unix by form).
        public var kind: IndicatorKind?
        public var place: SightingPlace
        public var role: SightingRole

        public init(_ field: String, _ kind: IndicatorKind?, _ place: SightingPlace, _ role: SightingRole) {
            self.field = field
            self.kind = kind
            self.place = place
            self.role = role
        }
    }

    /// Typed fields, in the order that decides which field a duplicate belongs to. Roles for
    /// DNS resolvers, proxies (`X-Forwarded-For`) and logon targets are adjusted per event, see
    /// ``sightings(in:into:)``.
    public static let typedFields: [TypedField] = [
        TypedField(Field.sourceIP, nil, .network, .source),
        TypedField(Field.destinationIP, nil, .network, .destination),
        TypedField("client.ip", nil, .network, .source),
        TypedField("server.ip", nil, .network, .destination),
        TypedField(Field.sourceNATIP, nil, .network, .passThrough),
        TypedField(Field.destinationNATIP, nil, .network, .passThrough),
        TypedField(Field.httpRequestXForwardedFor, nil, .network, .source),
        TypedField(Field.dnsQuestionName, .domain, .network, .destination),
        TypedField(Field.dnsAnswersData, nil, .network, .destination),
        TypedField(Field.dnsResolvedIP, nil, .network, .destination),
        TypedField(Field.tlsServerName, .domain, .network, .destination),
        TypedField(Field.urlDomain, nil, .network, .destination),
        TypedField(Field.destinationDomain, .domain, .network, .destination),
        TypedField(Field.sourceDomain, .domain, .network, .source),
        TypedField("url.full", .url, .network, .destination),
        TypedField(Field.httpRequestReferrer, .url, .network, .unknown),
        TypedField("email.from.address", .email, .network, .source),
        TypedField("email.sender.address", .email, .network, .source),
        TypedField("email.to.address", .email, .network, .destination),
        TypedField("process.hash.md5", .md5, .memory, .unknown),
        TypedField("process.hash.sha1", .sha1, .memory, .unknown),
        TypedField("process.hash.sha256", .sha256, .memory, .unknown),
        TypedField("process.hash.sha512", .sha512, .memory, .unknown),
        TypedField("dll.hash.md5", .md5, .memory, .unknown),
        TypedField("dll.hash.sha1", .sha1, .memory, .unknown),
        TypedField("dll.hash.sha256", .sha256, .memory, .unknown),
        TypedField("file.hash.md5", .md5, .disk, .unknown),
        TypedField("file.hash.sha1", .sha1, .disk, .unknown),
        TypedField("file.hash.sha256", .sha256, .disk, .unknown),
        TypedField("file.hash.sha512", .sha512, .disk, .unknown),
        TypedField(Field.processExecutable, .windowsPath, .memory, .unknown),
        TypedField(Field.processParentExecutable, .windowsPath, .memory, .unknown),
        TypedField("dll.path", .windowsPath, .memory, .unknown),
        TypedField("service.executable", .windowsPath, .disk, .unknown),
        TypedField(Field.filePath, .windowsPath, .disk, .unknown),
        TypedField("registry.path", .registryKey, .disk, .unknown),
        TypedField(Field.userName, .userAccount, .log, .unknown),
        TypedField(Field.userTargetName, .userAccount, .log, .destination),
    ]

    /// Fields never read: they describe the record (provenance, classification, the reporting
    /// host or sensor) or copy other fields (`related.*`, the whole line in `event.original`).
    public static func isSkipped(_ field: String) -> Bool {
        if field.hasPrefix("@") { return true }
        for prefix in ["event.", "log.", "spoor.", "organization.", "host.", "observer.", "agent.", "ecs.", "related.",
                       "network.", "winlog.channel", "winlog.provider", "winlog.computer_name", "winlog.keywords",
                       "winlog.task", "winlog.opcode", "winlog.activity_id", "winlog.related_activity_id",
                       "winlog.version", "winlog.event_id", "winlog.record_id", "winlog.process.", "winlog.user.",
                       "winlog.logon.", "session.", "user.domain", "user.id", "user.target.domain", "user.target.id",
                       "group.", "tls.version", "tls.cipher", "tls.curve", "tls.established", "tls.resumed",
                       "http.version", "http.request.method", "http.response.status_code", "http.response.mime_type",
                       "dns.question.type", "dns.question.class", "dns.response_code", "dns.id", "file.size",
                       "file.mime_type", "process.pid", "process.parent.pid", "process.thread.", "process.entity_id",
                       "process.parent.entity_id", "source.port", "destination.port", "source.bytes", "destination.bytes",
                       "source.packets", "destination.packets", "source.mac", "destination.mac", "url.port", "url.scheme",
                       "zeek.uid", "zeek.id.", "zeek.ts", "zeek._", "zeek.fuid", "zeek.conn_uids", "zeek.duration",
                       "zeek.orig_", "zeek.resp_", "zeek.trans_", "zeek.rtt", "zeek.history", "zeek.missed_bytes",
                       "zeek.local_", "zeek.tunnel_parents", "zeek.qtype", "zeek.qclass", "zeek.rcode", "zeek.TTLs",
                       "zeek.AA", "zeek.TC", "zeek.RD", "zeek.RA", "zeek.Z", "zeek.rejected", "zeek.proto",
                       "zeek.conn_state", "zeek.service", "zeek.depth", "zeek.seen_bytes", "zeek.total_bytes",
                       "zeek.tx_hosts", "zeek.rx_hosts", "zeek.is_orig", "zeek.timedout", "zeek.version",
                       "zeek.status_code", "zeek.request_body_len", "zeek.response_body_len", "zeek.method",
                       "zeek.trans_depth", "zeek.cipher", "zeek.curve", "zeek.established", "zeek.resumed",
                       "zeek.query", "zeek.answers", "zeek.server_name", "zeek.host", "zeek.uri", "zeek.referrer",
                       "zeek.md5", "zeek.sha1", "zeek.sha256", "zeek.src", "zeek.dst",
                       "w3c.date", "w3c.time", "w3c.s-port", "w3c.sc-status", "w3c.sc-substatus", "w3c.sc-win32-status",
                       "w3c.time-taken", "w3c.sc-bytes", "w3c.cs-bytes", "w3c.c-ip", "w3c.s-ip", "w3c.cs-method",
                       "access.", "x509.not_", "x509.version_number", "x509.public_key", "x509.serial_number"]
            where field.hasPrefix(prefix) { return true }
        return false
    }

    /// A resolved column of a batch with how to read it.
    struct Plan {
        var column: Int
        var typed: TypedField?
    }

    /// What one distinct value yields: indices into `found` (start, count).
    private struct Memo { var start: Int32; var count: Int32 }

    /// Appends the sightings of every row of `batch` to `out` (row order, then field order).
    public func sightings(in batch: EventBatch, into out: inout [Sighting]) {
        guard batch.count > 0 else { return }
        var plans: [Plan] = []
        var typedNames = Set<String>()
        for t in Self.typedFields {
            typedNames.insert(t.field)
            if let c = batch.columnIndex[t.field] { plans.append(Plan(column: c, typed: t)) }
        }
        for (c, column) in batch.columns.enumerated()
        where (column.kind == .string || column.kind == .stringList) && !typedNames.contains(column.name) && !Self.isSkipped(column.name) {
            plans.append(Plan(column: c, typed: nil))
        }
        let col = { (name: String) -> Column? in batch.columnIndex[name].map { batch.columns[$0] } }
        let time = col(Field.timestamp), org = col(Field.organizationID), host = col(Field.hostName)
        let observer = col(Field.observerHostname), dataset = col(Field.eventDataset), parser = col(Field.spoorParser)
        let category = col(Field.eventCategory), dnsName = col(Field.dnsQuestionName), xff = col(Field.httpRequestXForwardedFor)
        let symbols = batch.symbols

        // Memo per (plan, symbol) for typed string fields is shared by kind: the value's meaning
        // depends only on the kind asked for, so one memo per kind slot (free text = slot 0).
        var memoSlots: [[Memo]] = []
        var slotOfKind: [String: Int] = [:]
        var found: [(Indicator, String)] = []
        func slot(for kind: IndicatorKind?, typed: Bool) -> Int {
            let key = typed ? (kind?.rawValue ?? "any") : "text"
            if let s = slotOfKind[key] { return s }
            memoSlots.append(Array(repeating: Memo(start: -1, count: 0), count: symbols.count))
            slotOfKind[key] = memoSlots.count - 1
            return memoSlots.count - 1
        }
        func values(_ symbol: UInt32, typed: TypedField?, slot s: Int) -> Memo {
            let cached = memoSlots[s][Int(symbol)]
            if cached.start >= 0 { return cached }
            let start = found.count
            if let typed {
                if let text = symbols.string(symbol) {
                    if typed.kind == .windowsPath || typed.kind == .unixPath {
                        // A path field: Windows or Unix, by its form.
                        if let i = IndicatorNormalizer.normalize(text, as: .windowsPath) ?? IndicatorNormalizer.normalize(text, as: .unixPath) {
                            found.append((i, ""))
                        }
                    } else if let kind = typed.kind {
                        if let i = IndicatorNormalizer.normalize(text, as: kind) { found.append((i, "")) }
                    } else if let i = IndicatorNormalizer.classify(text) {
                        found.append((i, ""))
                    }
                }
            } else {
                symbols.withBytes(symbol) { span in
                    for x in extractor.extract(span) {
                        found.append((x.indicator, x.decoding.map(\.rawValue).joined(separator: ">")))
                    }
                }
            }
            let memo = Memo(start: Int32(start), count: Int32(found.count - start))
            memoSlots[s][Int(symbol)] = memo
            return memo
        }
        let planSlots = plans.map { p -> Int in
            let column = batch.columns[p.column]
            if column.kind == .ip { return -1 }
            return slot(for: p.typed?.kind, typed: p.typed != nil)
        }

        // Names repeat across rows: one String per distinct symbol.
        var names: [UInt32: String] = [:]
        func name(_ column: Column?, _ r: Int) -> String {
            guard let column, column.kind == .string, column.isValid(r) else { return "" }
            let s = column.symbols[r]
            if let n = names[s] { return n }
            let n = symbols.string(s) ?? ""
            names[s] = n
            return n
        }
        func has(_ column: Column?, _ r: Int, _ symbol: UInt32?) -> Bool {
            guard let column, let symbol, column.isValid(r) else { return false }
            if column.kind == .string { return column.symbols[r] == symbol }
            guard column.kind == .stringList else { return false }
            for i in Int(column.listStarts[r])..<Int(column.listStarts[r + 1]) where column.listSymbols[i] == symbol { return true }
            return false
        }
        let process = symbols.lookup("process"), driver = symbols.lookup("driver"), file = symbols.lookup("file")
        let registry = symbols.lookup("registry"), network = symbols.lookup("network")
        let authentication = symbols.lookup("authentication"), session = symbols.lookup("session")
        let sourceIP = col(Field.sourceIP), destinationIP = col(Field.destinationIP)
        var addressNames: [IPAddress: String] = [:]
        func address(_ column: Column?, _ r: Int) -> String {
            guard let column, column.isValid(r) else { return "" }
            if column.kind == .string { return name(column, r) }
            guard column.kind == .ip else { return "" }
            let a = column.addresses[r]
            if let n = addressNames[a] { return n }
            let n = a.description
            addressNames[a] = n
            return n
        }
        let urlOriginal = col(Field.urlOriginal), urlDomain = col(Field.urlDomain), urlScheme = col(Field.urlScheme)

        var seen: [Indicator] = []
        for r in 0..<batch.count {
            seen.removeAll(keepingCapacity: true)
            let t = time.flatMap { $0.isValid(r) ? Timestamp(microseconds: $0.integers[r]) : nil } ?? Timestamp(microseconds: 0)
            let orgName = name(org, r)
            var hostName = name(host, r)
            if hostName.isEmpty { hostName = name(observer, r) }
            var sourceName = name(dataset, r)
            if sourceName.isEmpty { sourceName = name(parser, r) }
            let isDNS = dnsName?.isValid(r) ?? false
            let isProxied = xff?.isValid(r) ?? false
            let textPlace: SightingPlace = has(category, r, process) || has(category, r, driver) ? .memory
                : has(category, r, file) || has(category, r, registry) ? .disk
                : has(category, r, network) ? .network : .log
            let isAuthentication = has(category, r, authentication) || has(category, r, session)

            func emit(_ indicator: Indicator, _ decoding: String, field: String, place: SightingPlace, role: SightingRole) {
                if seen.contains(indicator) { return }
                seen.append(indicator)
                // A network record without a host name (a sensor's flow, DNS or HTTP log) was seen
                // on behalf of the other end: the client for what it reached, the server for who reached it.
                var where_ = hostName
                if where_.isEmpty && place == .network {
                    if role == .source { where_ = address(destinationIP, r) } else if role != .unknown { where_ = address(sourceIP, r) }
                    if where_ == indicator.value { where_ = "" }
                }
                out.append(Sighting(indicator: indicator, time: t, organization: orgName, host: where_, source: sourceName,
                                    place: place, role: role, field: field, decoding: decoding, row: r))
            }

            for (p, plan) in plans.enumerated() {
                let column = batch.columns[plan.column]
                guard column.isValid(r) else { continue }
                var place = plan.typed?.place ?? textPlace
                var role = plan.typed?.role ?? .unknown
                if let typed = plan.typed {
                    // The resolver of a DNS query relays it; a proxy named by X-Forwarded-For relays the
                    // client's request; the account of a logon is its target.
                    if isDNS && typed.field == Field.destinationIP { role = .passThrough }
                    if isProxied && typed.field == Field.sourceIP { role = .passThrough }
                    if isAuthentication && typed.field == Field.userName { role = .destination }
                    if typed.field == Field.userName || typed.field == Field.userTargetName { place = .log }
                }
                switch column.kind {
                case .ip:
                    let ip = column.addresses[r]
                    emit(Indicator(kind: ip.isIPv4 ? .ipv4 : .ipv6, value: ip.description), "", field: column.name, place: place, role: role)
                case .string:
                    let m = values(column.symbols[r], typed: plan.typed, slot: planSlots[p])
                    for k in Int(m.start)..<Int(m.start + m.count) {
                        emit(found[k].0, found[k].1, field: column.name, place: place, role: role)
                    }
                case .stringList:
                    let lo = Int(column.listStarts[r]), hi = Int(column.listStarts[r + 1])
                    for i in lo..<hi {
                        let m = values(column.listSymbols[i], typed: plan.typed, slot: planSlots[p])
                        for k in Int(m.start)..<Int(m.start + m.count) {
                            emit(found[k].0, found[k].1, field: column.name, place: place, role: role)
                        }
                    }
                default:
                    continue
                }
            }
            // A request line's path with its Host header (Zeek http, virtual-host access logs) is a URL.
            if let urlOriginal, let urlDomain, urlOriginal.kind == .string, urlDomain.kind == .string,
               urlOriginal.isValid(r), urlDomain.isValid(r),
               symbols.withBytes(urlOriginal.symbols[r], { $0.count > 0 && $0[0] == UInt8(ascii: "/") }) {
                let scheme = name(urlScheme, r)
                let text = (scheme.isEmpty ? "http" : scheme) + "://" + name(urlDomain, r) + (symbols.string(urlOriginal.symbols[r]) ?? "")
                if let url = IndicatorNormalizer.normalize(text, as: .url) {
                    emit(url, "", field: Field.urlOriginal, place: .network, role: .destination)
                }
            }
        }
    }
}
