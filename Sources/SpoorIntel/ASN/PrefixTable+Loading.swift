import Foundation
import SpoorCore

extension PrefixTable {
    /// The text formats a table file can be in (sniffed from its first data line).
    public enum FileFormat: String, Sendable {
        /// pyasn's `ipasn` file: `;` comment header, then `prefix<TAB>asn` lines (pyasn README,
        /// "IPASN Data Files"). IPv4 and IPv6 prefixes may be mixed.
        case ipasn
        /// iptoasn.com's TSV: `range_start range_end AS_number country_code AS_description`,
        /// tab-separated; AS 0 marks a range that is not routed.
        case iptoasnTSV
    }

    /// Loads a table from a file, plain or gzip'd.
    ///
    /// The date (``validFrom``), in order of preference: `date` when given; the RIB dump's
    /// date and time in an ipasn header (`; Original file : rib.20140513.0600.bz2`, the time
    /// the routes were seen); the first stand-alone `yyyymmdd` in the file name
    /// (`ipasn_20140513.dat.gz`). With none of them loading fails, since a table without a date
    /// cannot answer "as of when".
    ///
    /// - Throws: ``IntelError`` with the line number on the first malformed line.
    public static func load(contentsOf url: URL, date: Timestamp? = nil, name: String? = nil) throws(IntelError) -> PrefixTable {
        let bytes = try IntelFileReader.read(url)
        return try parse(bytes, file: url.path, name: name ?? url.lastPathComponent, date: date)
    }

    /// Parses a table held in memory; see ``load(contentsOf:date:name:)``.
    public static func parse(_ bytes: [UInt8], file: String, name: String, date: Timestamp?) throws(IntelError) -> PrefixTable {
        var stored: [Stored] = []
        stored.reserveCapacity(bytes.count / 18)
        var names: [String] = [], nameIndex: [String: Int32] = [:]
        func intern(_ s: String) -> Int32 {
            if let i = nameIndex[s] { return i }
            names.append(s)
            nameIndex[s] = Int32(names.count - 1)
            return Int32(names.count - 1)
        }
        var format: FileFormat?
        var headerDate: Int64?
        try forEachLine(bytes) { (span, line, range) throws(IntelError) in
            let r = Bytes.trim(span, range)
            if r.isEmpty { return }
            if span[r.lowerBound] == UInt8(ascii: ";") || span[r.lowerBound] == UInt8(ascii: "#") {
                if headerDate == nil, Bytes.find("Original file", in: span.extracting(r)) != nil {
                    headerDate = ribDate(span, r)
                }
                return
            }
            let parts = fields(span, r, separator: Bytes.tab)
            if format == nil {
                format = Bytes.find(UInt8(ascii: "/"), in: span.extracting(parts[0])) != nil ? .ipasn : .iptoasnTSV
            }
            switch format {
            case .ipasn:
                // pyasn writes TAB; a space is accepted too (hand-made tables).
                let cols = parts.count >= 2 ? parts : fields(span, r, separator: Bytes.space).filter { !$0.isEmpty }
                guard cols.count >= 2 else { throw IntelError(file: file, line: line, "expected `prefix<TAB>asn`") }
                guard let net = IPNetwork(Bytes.string(span, cols[0])) else {
                    throw IntelError(file: file, line: line, "not a CIDR prefix")
                }
                guard let asn = asNumber(span, Bytes.trim(span, cols[1])) else {
                    throw IntelError(file: file, line: line, "not an AS number")
                }
                stored.append(Stored(prefix: net, asn: asn, organization: -1, country: -1))
            default:
                guard parts.count >= 3 else { throw IntelError(file: file, line: line, "expected `start<TAB>end<TAB>asn<TAB>country<TAB>description`") }
                guard let a = IPAddress.parse(span.extracting(parts[0])), let b = IPAddress.parse(span.extracting(parts[1])),
                      a.isIPv4 == b.isIPv4, a <= b else {
                    throw IntelError(file: file, line: line, "not an address range")
                }
                guard let asn = asNumber(span, parts[2]) else { throw IntelError(file: file, line: line, "not an AS number") }
                if asn == 0 { return }   // "Not routed"
                let country = parts.count > 3 ? Bytes.string(span, parts[3]) : ""
                let org = parts.count > 4 ? Bytes.string(span, parts[4]) : ""
                let o = org.isEmpty || org == "Not routed" ? -1 : intern(org)
                let c = country.isEmpty || country == "None" ? -1 : intern(country)
                for net in cidrBlocks(from: a, to: b) {
                    stored.append(Stored(prefix: net, asn: asn, organization: o, country: c))
                }
            }
        }
        let micros: Int64
        if let date { micros = date.microseconds }
        else if let headerDate { micros = headerDate * 1_000_000 }
        else if let d = firstCompactDate(in: name) { micros = d * 1_000_000 }
        else { throw IntelError(file: file, "no date in the header or the file name (yyyymmdd): give one") }
        return PrefixTable(name: name, validFrom: Timestamp(microseconds: micros), stored: stored, names: names)
    }

    /// The date and time in `rib.20140513.0600.bz2` / `bview.20140112.1600` on a header line.
    static func ribDate(_ span: Span<UInt8>, _ r: Range<Int>) -> Int64? {
        var i = r.lowerBound
        while i + 9 <= r.upperBound {
            if span[i] == UInt8(ascii: "."), let d = compactDate(span, at: i + 1, end: r.upperBound),
               i + 9 == r.upperBound || span[i + 9] &- 48 >= 10 {
                return d.date
            }
            i += 1
        }
        return nil
    }

    /// `15169`, `AS15169`, or asdot `1.10` (RFC 5396).
    static func asNumber(_ span: Span<UInt8>, _ range: Range<Int>) -> UInt32? {
        var r = range
        if r.count > 2, Bytes.lower(span[r.lowerBound]) == UInt8(ascii: "a"), Bytes.lower(span[r.lowerBound + 1]) == UInt8(ascii: "s") {
            r = (r.lowerBound + 2)..<r.upperBound
        }
        if let dot = Bytes.find(UInt8(ascii: "."), in: span, from: r.lowerBound, to: r.upperBound) {
            guard let hi = decimal(span, r.lowerBound..<dot, max: 65_535),
                  let lo = decimal(span, (dot + 1)..<r.upperBound, max: 65_535) else { return nil }
            return UInt32(hi << 16 | lo)
        }
        return decimal(span, r).map { UInt32($0) }
    }

    /// The CIDR blocks that exactly cover `a...b` (same family), largest first from `a`.
    static func cidrBlocks(from a: IPAddress, to b: IPAddress) -> [IPNetwork] {
        let width = a.isIPv4 ? 32 : 128
        var s = a.isIPv4 ? UInt128(UInt32(truncatingIfNeeded: a.low)) : a.key128
        let end = b.isIPv4 ? UInt128(UInt32(truncatingIfNeeded: b.low)) : b.key128
        var out: [IPNetwork] = []
        while true {
            var bits = min(s.trailingZeroBitCount, width)
            while bits > 0 {
                if bits == 128 { if end == .max { break }; bits -= 1; continue }
                if s + ((UInt128(1) << UInt128(bits)) - 1) <= end { break }
                bits -= 1
            }
            let address = a.isIPv4 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: s))
                                   : IPAddress(high: UInt64(truncatingIfNeeded: s >> 64), low: UInt64(truncatingIfNeeded: s))
            // IPv6 blocks inside ::ffff:0:0/96 read back as IPv4 and are dropped: IPAddress
            // parses such addresses as IPv4, so they could never be looked up as IPv6.
            if let net = IPNetwork("\(address)/\(width - bits)") { out.append(net) }
            let last = bits == 128 ? UInt128.max : s + ((UInt128(1) << UInt128(bits)) - 1)
            if last >= end { break }
            s = last + 1
        }
        return out
    }
}
