import SpoorCore
import SpoorEvents

/// The columns every Windows event may write, resolved once per builder.
struct FixedColumns: Sendable {
    let timestamp, timezone, kind, module, channel, eventID, code, provider, eventProvider, providerGUID: ColumnHandle
    let computer, host, recordID, pid, tid, activity, relatedActivity, userIdentifier, version, task, opcode: ColumnHandle
    let keywords, level, message, action, category, type, outcome, entityID, scriptBlockText: ColumnHandle
    let relatedIP, relatedUser, relatedHash: ColumnHandle

    init(_ b: inout EventBatchBuilder, _ p: inout ZeekBuilderProbe) {
        timestamp = p.column(Field.timestamp, .timestamp, &b)
        timezone = p.column(Field.eventTimezone, .string, &b)
        kind = p.column(Field.eventKind, .string, &b)
        module = p.column(Field.eventModule, .string, &b)
        channel = p.column(Field.winlogChannel, .string, &b)
        eventID = p.column(Field.winlogEventID, .string, &b)
        code = p.column(Field.eventCode, .string, &b)
        provider = p.column(Field.winlogProviderName, .string, &b)
        eventProvider = p.column(Field.eventProvider, .string, &b)
        providerGUID = p.column(Field.winlogProviderGUID, .string, &b)
        computer = p.column(Field.winlogComputerName, .string, &b)
        host = p.column(Field.hostName, .string, &b)
        recordID = p.column(Field.winlogRecordID, .int, &b)
        pid = p.column(Field.winlogProcessPID, .int, &b)
        tid = p.column(Field.winlogProcessThreadID, .int, &b)
        activity = p.column(Field.winlogActivityID, .string, &b)
        relatedActivity = p.column(Field.winlogRelatedActivityID, .string, &b)
        userIdentifier = p.column(Field.winlogUserIdentifier, .string, &b)
        version = p.column(Field.winlogVersion, .int, &b)
        task = p.column(Field.winlogTask, .int, &b)
        opcode = p.column(Field.winlogOpcode, .int, &b)
        keywords = p.column(Field.winlogKeywords, .string, &b)
        level = p.column(Field.logLevel, .string, &b)
        message = p.column(Field.message, .string, &b)
        action = p.column(Field.eventAction, .string, &b)
        category = p.column(Field.eventCategory, .stringList, &b)
        type = p.column(Field.eventType, .stringList, &b)
        outcome = p.column(Field.eventOutcome, .string, &b)
        entityID = p.column(Field.processEntityID, .string, &b)
        scriptBlockText = p.column(Field.powershellScriptBlockText, .string, &b)
        relatedIP = p.column(Field.relatedIP, .stringList, &b)
        relatedUser = p.column(Field.relatedUser, .stringList, &b)
        relatedHash = p.column(Field.relatedHash, .stringList, &b)
    }
}

extension WindowsTarget {
    /// The columns this target writes, in the order ``WindowsTargetWriter`` uses them.
    var columns: [(String, FieldKind)] {
        switch self {
        case .text(let f), .lowercased(let f): [(f, .string)]
        case .path(let f, let name): [(f, .string)] + (name.map { [($0, .string)] } ?? [])
        case .int(let f), .port(let f): [(f, .int)]
        case .ip(let f): [(f, .ip)]
        case .account(let n, let d): [(n, .string), (d, .string)]
        case .userName(let f): [(f, .string)]
        case .hashes(let prefix):
            [(prefix + ".hash.md5", .string), (prefix + ".hash.sha1", .string), (prefix + ".hash.sha256", .string),
             (prefix + ".hash.sha512", .string), (prefix + ".pe.imphash", .string)]
        case .logonType: [(Field.winlogLogonType, .string)]
        case .direction: [(Field.networkDirection, .string)]
        case .status: []
        case .resolvedAddresses: [(Field.dnsResolvedIP, .stringList)]
        }
    }
}

/// Values of `related.*` gathered over one event, written once at its end (a list column
/// set twice in a row starts over). Items are kept as the bytes `appendToList(_:text:)` would
/// write (``ByteText`` escapes decoded) in one buffer, so the direct EVTX path adds them from
/// its text without a String; duplicates are compared by those bytes.
struct RelatedValues: Sendable {
    enum Kind: Int { case ip = 0, user = 1, hash = 2 }
    private var bytes: [UInt8] = []
    private var items: [(kind: Kind, start: Int, end: Int)] = []

    mutating func removeAll() {
        if items.isEmpty { return }
        bytes.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }

    mutating func add(_ k: Kind, text: String) {
        let start = bytes.count
        if ByteText.hasEscapes(text) { bytes.append(contentsOf: ByteText.decode(text)) } else { bytes.append(contentsOf: text.utf8) }
        items.append((k, start, bytes.count))
    }

    /// Adds bytes that need no decoding (no ``ByteText`` escape in them).
    mutating func add(_ k: Kind, _ value: Span<UInt8>) {
        let start = bytes.count
        value.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        items.append((k, start, bytes.count))
    }

    /// Adds bytes that need no decoding (no ``ByteText`` escape in them).
    mutating func add(_ k: Kind, _ text: [UInt8], _ r: Range<Int>) {
        let start = bytes.count
        bytes.append(contentsOf: text[r])
        items.append((k, start, bytes.count))
    }

    /// Items added so far.
    var count: Int { items.count }

    /// Appends the items from index `first` on to `bytes` and `out` (for a memo that adds them
    /// again with ``add(_:_:_:)``).
    func copy(from first: Int, _ bytes: inout [UInt8], _ out: inout [(kind: Kind, start: Int, end: Int)]) {
        for k in first..<items.count {
            let item = items[k]
            let start = bytes.count
            bytes.append(contentsOf: self.bytes[item.start..<item.end])
            out.append((item.kind, start, bytes.count))
        }
    }

    func write(_ f: FixedColumns, _ b: inout EventBatchBuilder) {
        guard !items.isEmpty else { return }
        write(.ip, f.relatedIP, &b)
        write(.user, f.relatedUser, &b)
        write(.hash, f.relatedHash, &b)
    }

    /// The items of kind `k` once each, in order (a handful per event: compared pairwise; many: hashed).
    private func write(_ k: Kind, _ h: ColumnHandle, _ b: inout EventBatchBuilder) {
        var count = 0
        for item in items where item.kind == k { count += 1 }
        guard count > 0 else { return }
        b.beginList(h)
        if count > 16 {
            var seen: Set<ArraySlice<UInt8>> = []
            for item in items where item.kind == k && seen.insert(bytes[item.start..<item.end]).inserted {
                b.appendToList(h, bytes: bytes.span.extracting(item.start..<item.end))
            }
            return
        }
        for (n, item) in items.enumerated() where item.kind == k {
            let value = bytes[item.start..<item.end]
            var seen = false
            for other in items[..<n] where other.kind == k && bytes[other.start..<other.end].elementsEqual(value) { seen = true; break }
            if !seen { b.appendToList(h, bytes: bytes.span.extracting(item.start..<item.end)) }
        }
    }
}

/// Converts one data value for its ``WindowsTarget``.
enum WindowsTargetWriter {
    static func write(_ t: ResolvedTarget, _ value: String, _ b: inout EventBatchBuilder, _ related: inout RelatedValues) {
        let h = t.handles
        switch t.target {
        case .text:
            guard value != "-" else { return }
            b.set(h[0], text: value)
        case .lowercased:
            b.set(h[0], text: value.lowercased())
        case .path(_, let name):
            guard value != "-", !value.isEmpty else { return }
            b.set(h[0], text: value)
            if name != nil, h.count > 1 { b.set(h[1], text: lastComponent(value)) }
        case .int:
            if let v = WindowsValue.integer(value) { b.set(h[0], int: v) }
        case .port:
            if let v = Int64(value), v > 0, v < 65536 { b.set(h[0], int: v) }
        case .ip:
            guard let ip = address(value) else { return }
            b.set(h[0], ip: ip)
            related.add(.ip, text: ip.description)
        case .account:
            guard value != "-", !value.isEmpty else { return }
            if let slash = value.firstIndex(of: "\\") {
                let user = String(value[value.index(after: slash)...])
                b.set(h[0], text: user)
                b.set(h[1], text: String(value[..<slash]))
                related.add(.user, text: user)
            } else {
                b.set(h[0], text: value)
                related.add(.user, text: value)
            }
        case .userName:
            guard value != "-", !value.isEmpty else { return }
            b.set(h[0], text: value)
            related.add(.user, text: value)
        case .hashes:
            let bytes = Array(value.utf8)
            if !bytes.contains(where: { $0 >= 0x80 }) {
                hashParts(bytes, 0..<bytes.count) { k, digest in
                    b.set(h[k], bytes: digest)
                    related.add(.hash, digest)
                }
            } else {
                for (k, digest) in hashParts(characters: value) {
                    b.set(h[k], string: digest)
                    related.add(.hash, text: digest)
                }
            }
        case .logonType:
            b.set(h[0], string: logonTypeName(value) ?? value)
        case .direction:
            switch value.lowercased() {
            case "true": b.set(h[0], string: "egress")
            case "false": b.set(h[0], string: "ingress")
            default: break
            }
        case .status:
            break
        case .resolvedAddresses:
            var first = true
            for item in value.split(separator: ";") {
                guard let ip = address(String(item.trimmingPrefixSpaces)) else { continue }
                if first { b.beginList(h[0]); first = false }
                b.appendToList(h[0], text: ip.description)
                related.add(.ip, text: ip.description)
            }
        }
    }

    /// The algorithms of Sysmon's `Hashes`, in the order of the hash columns.
    static let hashAlgorithms = ["MD5", "SHA1", "SHA256", "SHA512", "IMPHASH"]

    /// Sysmon's `Hashes` (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`) of ASCII bytes `text[r]`: `body`
    /// gets each known algorithm's index in ``hashAlgorithms`` (named in any case) and its digest
    /// lower-cased; parts without `=`, with an empty digest or an unknown algorithm are skipped.
    /// For ASCII this is ``hashParts(characters:)`` without Strings (a Character is a byte there).
    @inline(__always)
    static func hashParts(_ text: [UInt8], _ r: Range<Int>, _ body: (Int, Span<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(r.count, 1)) { scratch in
            var start = r.lowerBound
            while start < r.upperBound {
                var end = start
                while end < r.upperBound, text[end] != UInt8(ascii: ",") { end += 1 }
                defer { start = end + 1 }
                var eq = start
                while eq < end, text[eq] != UInt8(ascii: "=") { eq += 1 }
                guard eq + 1 < end, eq - start <= 7 else { continue }
                // The algorithm's name upper-cased, as big-endian bytes of one integer.
                var name: UInt64 = 0
                for c in text[start..<eq] { name = name << 8 | UInt64(c &- 0x61 < 26 ? c - 32 : c) }
                let k: Int
                switch name {
                case 0x4D4435: k = 0                    // MD5
                case 0x5348_4131: k = 1                 // SHA1
                case 0x5348_4132_3536: k = 2            // SHA256
                case 0x5348_4135_3132: k = 3            // SHA512
                case 0x494D_5048_4153_48: k = 4         // IMPHASH
                default: continue
                }
                var n = 0
                for c in text[(eq + 1)..<end] { scratch[n] = c &- 0x41 < 26 ? c + 32 : c; n += 1 }
                body(k, Span(_unsafeElements: UnsafeBufferPointer(rebasing: scratch[0..<n])))
            }
        }
    }

    /// ``hashParts(_:_:_:)`` of any text, by Characters (split at `,`, case mapped by Unicode).
    static func hashParts(characters value: String) -> [(Int, String)] {
        var parts: [(Int, String)] = []
        for part in value.split(separator: ",") {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let digest = part[part.index(after: eq)...].lowercased()
            guard !digest.isEmpty, let k = hashAlgorithms.firstIndex(of: part[..<eq].uppercased()) else { continue }
            parts.append((k, digest))
        }
        return parts
    }

    /// The last component of a Windows path (after `\` or `/`).
    static func lastComponent(_ path: String) -> String {
        guard let i = path.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return path }
        return String(path[path.index(after: i)...])
    }

    /// An address from a Windows data value, or nil for placeholders (see ``WindowsTarget/ip(_:)``).
    static func address(_ value: String) -> IPAddress? {
        var text = value
        if text.hasPrefix("::ffff:"), text.contains(".") { text.removeFirst(7) }
        switch text {
        case "", "-", "::", "0.0.0.0", "::1", "127.0.0.1": return nil
        default: break
        }
        return IPAddress.parse(Array(text.utf8).span)
    }

    /// Winlogbeat's names of logon types (Microsoft's 4624 documentation).
    static func logonTypeName(_ value: String) -> String? {
        logonTypeName(number: Int(value))
    }

    /// ``logonTypeName(_:)`` of a value already read as an integer.
    static func logonTypeName(number: Int?) -> String? {
        switch number {
        case 0: "System"
        case 2: "Interactive"
        case 3: "Network"
        case 4: "Batch"
        case 5: "Service"
        case 7: "Unlock"
        case 8: "NetworkCleartext"
        case 9: "NewCredentials"
        case 10: "RemoteInteractive"
        case 11: "CachedInteractive"
        case 12: "CachedRemoteInteractive"
        case 13: "CachedUnlock"
        default: nil
        }
    }
}

extension Substring {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
