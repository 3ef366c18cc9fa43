import SpoorCore
@testable import SpoorIntel

/// A small MaxMind DB writer for tests, from the MaxMind DB File Format Specification 2.0
/// (maxmind.github.io/MaxMind-DB): a binary search tree of 24-bit records, 16 zero bytes, a
/// data section of typed values, then `\xAB\xCD\xEFMaxMind.com` and the metadata map.
struct MMDBWriter {
    indirect enum Value: Hashable {
        case string(String)
        case uint16(UInt16)
        case uint32(UInt32)
        case uint64(UInt64)
        case map([(String, Value)])
        case array([Value])

        static func == (a: Value, b: Value) -> Bool { a.encoded() == b.encoded() }
        func hash(into h: inout Hasher) { h.combine(encoded()) }

        /// The value's bytes in the data section (no pointers: values are small).
        func encoded() -> [UInt8] {
            switch self {
            case .string(let s): return Self.control(2, Array(s.utf8).count) + Array(s.utf8)
            case .uint16(let v): let b = Self.minimal(UInt64(v)); return Self.control(5, b.count) + b
            case .uint32(let v): let b = Self.minimal(UInt64(v)); return Self.control(6, b.count) + b
            case .uint64(let v): let b = Self.minimal(v); return Self.control(9, b.count) + b
            case .map(let pairs):
                return pairs.reduce(Self.control(7, pairs.count)) { $0 + Value.string($1.0).encoded() + $1.1.encoded() }
            case .array(let items): return items.reduce(Self.control(11, items.count)) { $0 + $1.encoded() }
            }
        }

        static func minimal(_ v: UInt64) -> [UInt8] {
            var out: [UInt8] = []
            var x = v
            while x > 0 { out.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
            return out
        }

        /// Control byte(s): type in the top 3 bits (extended types: 0, then a byte type − 7),
        /// size in the low 5 bits with 29/30/31 meaning 1/2/3 more size bytes (spec "Data Field Format").
        static func control(_ type: Int, _ size: Int) -> [UInt8] {
            var sizeBits: UInt8, extra: [UInt8]
            if size < 29 { sizeBits = UInt8(size); extra = [] }
            else if size < 285 { sizeBits = 29; extra = [UInt8(size - 29)] }
            else if size < 65_821 { let s = size - 285; sizeBits = 30; extra = [UInt8(s >> 8), UInt8(s & 0xFF)] }
            else { let s = size - 65_821; sizeBits = 31; extra = [UInt8(s >> 16), UInt8((s >> 8) & 0xFF), UInt8(s & 0xFF)] }
            if type <= 7 { return [UInt8(type) << 5 | sizeBits] + extra }
            return [sizeBits, UInt8(type - 7)] + extra
        }
    }

    enum Record { case empty, node(Int), data(Int) }

    var databaseType = "GeoLite2-ASN"
    var buildEpoch: UInt64 = 1_700_000_000
    var inserts: [(key: UInt128, length: Int, value: Value)] = []

    /// Adds a network (IPv4 networks go under `::/96`, as an IPv6 database holds them).
    mutating func insert(_ network: IPNetwork, _ value: Value) {
        let a = network.address
        if let v4 = a.ipv4 { inserts.append((UInt128(v4), 96 + network.prefixLength, value)) }
        else { inserts.append((a.key128, network.prefixLength, value)) }
    }

    func bytes() -> [UInt8] {
        var data: [UInt8] = [], offsets: [Value: Int] = [:]
        var left: [Record] = [.empty], right: [Record] = [.empty]
        // Shorter prefixes first, so a longer one splits a data record instead of being overwritten.
        for (key, length, value) in inserts.sorted(by: { $0.length < $1.length }) {
            let offset: Int
            if let o = offsets[value] { offset = o } else { offset = data.count; offsets[value] = offset; data += value.encoded() }
            var node = 0
            for i in 0..<length {
                let bit = (key >> UInt128(127 - i)) & 1 == 1
                let current = bit ? right[node] : left[node]
                if i == length - 1 {
                    if bit { right[node] = .data(offset) } else { left[node] = .data(offset) }
                    break
                }
                switch current {
                case .node(let n): node = n
                case .empty, .data:
                    left.append(current); right.append(current)
                    let n = left.count - 1
                    if bit { right[node] = .node(n) } else { left[node] = .node(n) }
                    node = n
                }
            }
        }
        let count = left.count
        func value(_ r: Record) -> Int {
            switch r { case .empty: count; case .node(let n): n; case .data(let o): count + 16 + o }
        }
        var out: [UInt8] = []
        for i in 0..<count {
            for v in [value(left[i]), value(right[i])] { out += [UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        }
        out += [UInt8](repeating: 0, count: 16)
        out += data
        out += [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        out += Value.map([
            ("binary_format_major_version", .uint16(2)), ("binary_format_minor_version", .uint16(0)),
            ("build_epoch", .uint64(buildEpoch)), ("database_type", .string(databaseType)),
            ("description", .map([("en", .string("spoor test database"))])), ("ip_version", .uint16(6)),
            ("languages", .array([.string("en")])), ("node_count", .uint32(UInt32(count))), ("record_size", .uint16(24)),
        ]).encoded()
        return out
    }

    /// The fixture committed as `Fixtures/intel/asn-test.mmdb`.
    static func fixture() -> MMDBWriter {
        var w = MMDBWriter()
        func asn(_ n: UInt32, _ org: String, _ cc: String?) -> Value {
            var m: [(String, Value)] = [("autonomous_system_number", .uint32(n)), ("autonomous_system_organization", .string(org))]
            if let cc { m.append(("country", .map([("iso_code", .string(cc))]))) }
            return .map(m)
        }
        w.insert(IPNetwork("8.8.0.0/16")!, asn(3356, "LEVEL3", "US"))
        w.insert(IPNetwork("8.8.8.0/24")!, asn(15169, "GOOGLE", "US"))
        w.insert(IPNetwork("1.0.0.0/24")!, asn(13335, "CLOUDFLARENET", "AU"))
        w.insert(IPNetwork("2001:4860::/32")!, asn(15169, "GOOGLE", "US"))
        w.insert(IPNetwork("2a00:1450:4000::/37")!, asn(15169, "GOOGLE", "IE"))
        w.insert(IPNetwork("2001:db8::/32")!, asn(64496, "Documentation ÄS", nil))
        w.insert(IPNetwork("10.0.0.0/8")!, .map([("country", .map([("iso_code", .string("ZZ"))]))]))
        return w
    }
}
