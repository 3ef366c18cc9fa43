import Foundation
import SpoorCore

/// One record of an RIR's delegated-stats file: a block of addresses or AS numbers, the
/// country it was delegated to and when.
public struct RIRRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case ipv4, ipv6, asn }

    /// `apnic`, `arin`, `ripencc`, `lacnic`, `afrinic`.
    public var registry: String
    /// ISO 3166 two-letter code (`ZZ` in the extended files for undelegated space).
    public var countryCode: String
    public var kind: Kind
    /// `allocated`, `assigned` (and `available`, `reserved` in the extended files).
    public var status: String
    /// The delegation date (UTC midnight); nil when the file gives none (`00000000` or empty).
    public var date: Timestamp?
    /// The holder's opaque id in the extended format (the same id for all of one holder's
    /// resources); nil in the plain format.
    public var opaqueID: String?
    /// First and last address (ipv4, ipv6) of the block.
    public var firstAddress: IPAddress?
    public var lastAddress: IPAddress?
    /// First and last AS number (asn).
    public var firstASN: UInt32?
    public var lastASN: UInt32?
}

/// An RIR delegated-stats file (`delegated-apnic-20140214`, `delegated-ripencc-extended-latest`,
/// …): country, registry, status and date for address blocks and AS numbers.
///
/// Format (the RIR statistics exchange format, APNIC's README.TXT cited in the file header):
/// `#` comments; a version line `2|registry|serial|records|startdate|enddate|UTCoffset`; summary
/// lines `registry|*|type|*|count|summary`; then records
/// `registry|cc|type|start|value|date|status[|opaque-id[|extensions…]]` where `value` is the
/// number of addresses for ipv4 (not always a power of two), the prefix length for ipv6, and
/// the number of AS numbers for asn.
public struct RIRDelegations: Sendable {
    public let records: [RIRRecord]
    /// The file's serial date (the version line's third field), when it has one.
    public let fileDate: Timestamp?
    private let v4: RangeMap<UInt32>
    private let v6: RangeMap<UInt128>
    private let asns: RangeMap<UInt32>

    /// Loads a file, plain or gzip'd.
    /// - Throws: ``IntelError`` with the line of the first malformed record.
    public static func load(contentsOf url: URL) throws(IntelError) -> RIRDelegations {
        try parse(try IntelFileReader.read(url), file: url.path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(IntelError) -> RIRDelegations {
        var records: [RIRRecord] = []
        var fileDate: Timestamp?
        try forEachLine(bytes) { (span, line, range) throws(IntelError) in
            let r = Bytes.trim(span, range)
            if r.isEmpty || span[r.lowerBound] == UInt8(ascii: "#") { return }
            let f = fields(span, r, separator: UInt8(ascii: "|"))
            if decimal(span, f[0]) != nil {   // the version line: `2|registry|serial|…` (registries are names)
                if f.count >= 3, let d = compactDate(span, at: f[2].lowerBound, end: f[2].upperBound) {
                    fileDate = Timestamp(microseconds: d.date * 1_000_000)
                }
                return
            }
            if f.count >= 6, Bytes.equals(span, f[5], "summary") { return }
            guard f.count >= 7 else { throw IntelError(file: file, line: line, "expected registry|cc|type|start|value|date|status") }
            let type = Bytes.string(span, f[2])
            guard let kind = RIRRecord.Kind(rawValue: type) else {
                throw IntelError(file: file, line: line, "unknown record type (ipv4, ipv6 or asn expected)")
            }
            let date: Timestamp? = f[5].count == 8 ? compactDate(span, at: f[5].lowerBound, end: f[5].upperBound)
                .map { Timestamp(microseconds: $0.date * 1_000_000) } : nil
            var record = RIRRecord(registry: Bytes.string(span, f[0]), countryCode: Bytes.string(span, f[1]), kind: kind,
                                   status: Bytes.string(span, f[6]), date: date,
                                   opaqueID: f.count > 7 && !f[7].isEmpty ? Bytes.string(span, f[7]) : nil)
            switch kind {
            case .ipv4:
                guard let a = IPAddress.parse(span.extracting(f[3])), let start = a.ipv4,
                      let count = decimal(span, f[4]), count >= 1, UInt64(start) + count - 1 <= UInt64(UInt32.max) else {
                    throw IntelError(file: file, line: line, "not an IPv4 start and address count")
                }
                record.firstAddress = a
                record.lastAddress = IPAddress(ipv4: UInt32(UInt64(start) + count - 1))
            case .ipv6:
                guard let a = IPAddress.parse(span.extracting(f[3])), !a.isIPv4,
                      let length = decimal(span, f[4], max: 128) else {
                    throw IntelError(file: file, line: line, "not an IPv6 start and prefix length")
                }
                let size: UInt128 = length == 0 ? .max : (1 << UInt128(128 - length)) - 1
                let last = a.key128 | size
                record.firstAddress = a
                record.lastAddress = IPAddress(high: UInt64(truncatingIfNeeded: last >> 64), low: UInt64(truncatingIfNeeded: last))
            case .asn:
                guard let start = decimal(span, f[3]), let count = decimal(span, f[4]), count >= 1,
                      start + count - 1 <= UInt64(UInt32.max) else {
                    throw IntelError(file: file, line: line, "not an AS number and count")
                }
                record.firstASN = UInt32(start)
                record.lastASN = UInt32(start + count - 1)
            }
            records.append(record)
        }
        var four: [(start: UInt32, end: UInt32, value: Int32)] = [], six: [(start: UInt128, end: UInt128, value: Int32)] = []
        var numbers: [(start: UInt32, end: UInt32, value: Int32)] = []
        for (i, rec) in records.enumerated() {
            switch rec.kind {
            case .ipv4:
                if let a = rec.firstAddress?.ipv4, let b = rec.lastAddress?.ipv4 { four.append((a, b, Int32(i))) }
            case .ipv6:
                if let a = rec.firstAddress, let b = rec.lastAddress { six.append((a.key128, b.key128, Int32(i))) }
            case .asn:
                if let a = rec.firstASN, let b = rec.lastASN { numbers.append((a, b, Int32(i))) }
            }
        }
        // Delegations do not overlap within one file; if they did, the smaller/later one wins.
        return RIRDelegations(records: records, fileDate: fileDate, v4: RangeMap(nested: four),
                              v6: RangeMap(nested: six), asns: RangeMap(nested: numbers))
    }

    private init(records: [RIRRecord], fileDate: Timestamp?, v4: RangeMap<UInt32>, v6: RangeMap<UInt128>, asns: RangeMap<UInt32>) {
        self.records = records
        self.fileDate = fileDate
        self.v4 = v4
        self.v6 = v6
        self.asns = asns
    }

    /// The delegation holding `ip`, or nil when this registry did not delegate it.
    public func lookup(_ ip: IPAddress) -> RIRRecord? {
        let i = ip.isIPv4 ? v4.value(at: UInt32(truncatingIfNeeded: ip.low)) : v6.value(at: ip.key128)
        return i >= 0 ? records[Int(i)] : nil
    }

    /// The delegation holding AS number `asn`.
    public func lookup(asn: UInt32) -> RIRRecord? {
        let i = asns.value(at: asn)
        return i >= 0 ? records[Int(i)] : nil
    }
}
