import CMaxMindDB
import Foundation
import SpoorCore

/// A MaxMind DB file (`.mmdb`: GeoLite2-ASN, GeoLite2-Country, DB-IP, IPinfo, … in the MaxMind DB
/// format 2.0), read through Debian's libmaxminddb.
///
/// ``lookup(_:)`` reads the GeoLite2-ASN fields `autonomous_system_number` and
/// `autonomous_system_organization`, plus `country.iso_code` when the record has one (the
/// GeoLite2-Country/City layout); ``country(_:)`` reads the country alone. The date is the
/// metadata's `build_epoch`.
public struct MMDBDatabase: DatedPrefixLookup {
    /// What one record holds, for the fields spoor reads.
    public struct Record: Sendable, Hashable {
        public var prefix: IPNetwork
        public var asn: UInt32?
        public var organization: String?
        public var country: String?
    }

    public let name: String
    public let validFrom: Timestamp
    /// The metadata's `database_type` (`GeoLite2-ASN`).
    public let databaseType: String
    /// The metadata's `ip_version`: 4 (IPv4 tree) or 6 (IPv6 tree, IPv4 under `::/96`).
    public let ipVersion: Int
    public var coversIPv4: Bool { true }
    public var coversIPv6: Bool { ipVersion == 6 }

    private let handle: Handle

    /// Opens a database (memory-mapped by libmaxminddb).
    /// - Throws: ``IntelError`` with libmaxminddb's reason (not a MaxMind DB, bad metadata, …).
    public static func open(contentsOf url: URL) throws(IntelError) -> MMDBDatabase {
        let handle = try Handle(path: url.path)
        return MMDBDatabase(name: url.lastPathComponent, handle: handle)
    }

    private init(name: String, handle: Handle) {
        self.name = name
        self.handle = handle
        let m = handle.db.pointee.metadata
        validFrom = Timestamp(seconds: Int64(clamping: m.build_epoch))
        databaseType = m.database_type.map { String(cString: $0) } ?? ""
        ipVersion = Int(m.ip_version)
    }

    public func lookup(_ ip: IPAddress) -> ASNMatch? {
        guard let r = try? record(ip), let asn = r.asn else { return nil }
        return ASNMatch(asn: asn, prefix: r.prefix, organization: r.organization, country: r.country)
    }

    /// `country.iso_code` of the record holding `ip`.
    public func country(_ ip: IPAddress) -> String? {
        (try? record(ip))?.country
    }

    /// The record holding `ip`; nil when the tree has none for it (or `ip` is IPv6 and the
    /// database IPv4-only).
    /// - Throws: ``IntelError`` when the tree or the data section is corrupt.
    public func record(_ ip: IPAddress) throws(IntelError) -> Record? {
        var mmdbError: Int32 = 0
        let result: MMDB_lookup_result_s
        if let v4 = ip.ipv4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr = in_addr(s_addr: v4.bigEndian)
            result = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MMDB_lookup_sockaddr(handle.db, $0, &mmdbError) }
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            let bytes = ip.bytes
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                for i in 0..<16 { raw[i] = bytes[i] }
            }
            result = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MMDB_lookup_sockaddr(handle.db, $0, &mmdbError) }
            }
        }
        if mmdbError == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR { return nil }
        guard mmdbError == MMDB_SUCCESS else { throw handle.error(mmdbError) }
        guard result.found_entry else { return nil }
        var entry = result.entry
        var netmask = Int(result.netmask)
        if ip.isIPv4 && ipVersion == 6 { netmask = max(0, netmask - 96) }   // libmaxminddb(3): "subtract 96"
        guard let prefix = IPNetwork("\(ip)/\(netmask)") else { throw IntelError(file: handle.path, "bad netmask \(netmask)") }
        let asn = try handle.value(&entry, Handle.asnPath).flatMap { d -> UInt32? in
            switch Int32(d.type) {
            case MMDB_DATA_TYPE_UINT32: d.uint32
            case MMDB_DATA_TYPE_UINT16: UInt32(d.uint16)
            case MMDB_DATA_TYPE_UINT64: UInt32(exactly: d.uint64)
            default: nil
            }
        }
        let org = try handle.value(&entry, Handle.organizationPath).flatMap(Handle.string)
        let country = try handle.value(&entry, Handle.countryPath).flatMap(Handle.string)
        return Record(prefix: prefix, asn: asn, organization: org, country: country)
    }

    /// Owns the open database: libmaxminddb's `MMDB_s` must not move (entries point at it) and
    /// must be closed once.
    ///
    /// `@unchecked Sendable`: after `MMDB_open` the structure is only read; libmaxminddb(3)
    /// ("Thread Safety") says lookups on one `MMDB_s` are safe from several threads.
    private final class Handle: @unchecked Sendable {
        let db: UnsafeMutablePointer<MMDB_s>
        let path: String
        static let asnPath = ["autonomous_system_number"]
        static let organizationPath = ["autonomous_system_organization"]
        static let countryPath = ["country", "iso_code"]

        init(path: String) throws(IntelError) {
            self.path = path
            let p = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
            p.initialize(to: MMDB_s())
            let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), p)
            guard status == MMDB_SUCCESS else {
                // Thrown before `db` is set, so `deinit` (which closes) does not run.
                p.deallocate()
                throw IntelError(file: path, "not a readable MaxMind DB: \(String(cString: MMDB_strerror(status)))")
            }
            db = p
        }

        deinit {
            MMDB_close(db)
            db.deallocate()
        }

        func error(_ code: Int32) -> IntelError {
            IntelError(file: path, "corrupt database: \(String(cString: MMDB_strerror(code)))")
        }

        /// The value at `path` inside the record, nil when absent.
        func value(_ entry: inout MMDB_entry_s, _ path: [String]) throws(IntelError) -> MMDB_entry_data_s? {
            var data = MMDB_entry_data_s()
            let cStrings = path.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            var pointers: [UnsafePointer<CChar>?] = cStrings.map { $0.map { UnsafePointer($0) } } + [nil]
            let status = pointers.withUnsafeMutableBufferPointer { MMDB_aget_value(&entry, &data, $0.baseAddress) }
            if status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR { return nil }
            guard status == MMDB_SUCCESS else { throw error(status) }
            return data.has_data ? data : nil
        }

        static func string(_ d: MMDB_entry_data_s) -> String? {
            guard Int32(d.type) == MMDB_DATA_TYPE_UTF8_STRING, let p = d.utf8_string else { return nil }
            let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
            return ByteText.string(Array(UnsafeBufferPointer(start: bytes, count: Int(d.data_size))))
        }
    }
}
