import SpoorCore

extension EventBatch {
    /// Adds `network.community_id` to rows that have a TCP, UDP or SCTP 5-tuple
    /// (`source.ip`, `source.port`, `destination.ip`, `destination.port`, `network.transport`)
    /// but no Community ID of their own, so one flow joins across Zeek, Suricata, firewalls
    /// and Sysmon whatever each wrote. A value the source wrote is never replaced.
    ///
    /// - Returns: The number of rows given an id.
    @discardableResult
    public mutating func fillCommunityIDs() -> Int {
        guard let si = columnIndex[Field.sourceIP], let di = columnIndex[Field.destinationIP],
              let sp = columnIndex[Field.sourcePort], let dp = columnIndex[Field.destinationPort],
              let tr = columnIndex[Field.networkTransport],
              columns[si].kind == .ip, columns[di].kind == .ip, columns[sp].kind == .int, columns[dp].kind == .int,
              columns[tr].kind == .string || columns[tr].kind == .stringList else { return 0 }
        var protocolOf: [UInt32: UInt8?] = [:]
        var ids: [(Int, String)] = []
        let existing = columnIndex[Field.networkCommunityID]
        for r in 0..<count {
            if let e = existing, columns[e].isValid(r) { continue }
            guard columns[si].isValid(r), columns[di].isValid(r), columns[sp].isValid(r), columns[dp].isValid(r) else { continue }
            let proto: UInt8?
            if columns[tr].kind == .string {
                let s = columns[tr].symbols[r]
                guard s != 0 else { continue }
                if let known = protocolOf[s] { proto = known } else {
                    proto = symbols.string(s).flatMap(CommunityID.protocolNumber)
                    protocolOf[s] = proto
                }
            } else {
                proto = value(row: r, column: tr)?.description.split(separator: ",").first.flatMap { CommunityID.protocolNumber(String($0)) }
            }
            let sport = columns[sp].integers[r], dport = columns[dp].integers[r]
            guard let proto, (0...65_535).contains(sport), (0...65_535).contains(dport),
                  let id = CommunityID.v1(source: columns[si].addresses[r], sourcePort: UInt16(sport),
                                          destination: columns[di].addresses[r], destinationPort: UInt16(dport), protocol: proto)
            else { continue }
            ids.append((r, id))
        }
        guard !ids.isEmpty else { return 0 }
        let c: Int
        if let e = existing, columns[e].kind == .string {
            c = e
        } else if existing == nil {
            var col = Column(name: Field.networkCommunityID, kind: .string)
            col.symbols = [UInt32](repeating: 0, count: count)
            columns.append(col)
            c = columns.count - 1
            columnIndex[Field.networkCommunityID] = c
        } else {
            return 0   // a community_id column of another kind: leave the source's data alone
        }
        for (r, id) in ids { columns[c].symbols[r] = symbols.intern(id) }
        return ids.count
    }
}
