import Testing
import SpoorCore
@testable import SpoorEvents

@Suite struct EventBatchBuilderTests {
    @Test func rowsColumnsAndNulls() {
        var b = EventBatchBuilder()
        let host = b.column(Field.hostName, .string), port = b.column(Field.sourcePort, .int)
        b.beginRow(); b.set(host, string: "web01"); b.set(port, int: 22); b.endRow()
        b.beginRow(); b.set(port, int: 443); b.endRow()
        b.beginRow(); b.set(host, string: "bad"); b.cancelRow()
        b.beginRow(); b.set(host, string: "db01"); b.endRow()
        let batch = b.finish()
        #expect(batch.count == 3)
        #expect(batch.events.map { $0[Field.hostName]?.stringValue } == ["web01", nil, "db01"])
        #expect(batch.events.map { $0[Field.sourcePort]?.intValue } == [22, 443, nil])
    }

    @Test func handlesStayValidAcrossBatches() {
        var b = EventBatchBuilder()
        let h = b.column(Field.message, .string)
        b.beginRow(); b.set(h, string: "one"); b.endRow()
        _ = b.finish()
        b.beginRow(); b.set(h, string: "two"); b.endRow()
        #expect(b.finish().events.map { $0[Field.message]?.stringValue } == ["two"])
    }

    @Test func widening() {
        var b = EventBatchBuilder()
        let v = b.column("json.v", .int)
        b.beginRow(); b.set(v, int: 1); b.endRow()
        b.beginRow(); b.set(v, double: 2.5); b.endRow()
        b.beginRow(); b.set(v, .string("three")); b.endRow()
        let batch = b.finish()
        #expect(batch.events.map { $0["json.v"] } == [.string("1.0"), .string("2.5"), .string("three")])
    }

    /// Found by the parser fuzzer: a long list written into a string column used to be joined
    /// in place, item by item, which took quadratic memory.
    @Test func aLongListIntoAStringColumnIsJoinedOnce() {
        var b = EventBatchBuilder()
        let h = b.column("zeek.set", .string)
        b.beginRow()
        b.beginList(h)
        for i in 0..<20_000 { b.appendToList(h, text: "item\(i)") }
        b.endRow()
        let batch = b.finish()
        let text = batch.events.first?["zeek.set"]?.stringValue ?? ""
        #expect(text.hasPrefix("item0,item1,item2"))
        #expect(text.split(separator: ",").count == 20_000)
        #expect(batch.symbols.byteCount < 200_000)
    }

    @Test func listsAndCancelledLists() {
        var b = EventBatchBuilder()
        let h = b.column(Field.relatedIP, .stringList)
        b.beginRow(); b.beginList(h); b.appendToList(h, text: "10.0.0.1"); b.appendToList(h, text: "10.0.0.2"); b.endRow()
        b.beginRow(); b.beginList(h); b.appendToList(h, text: "x"); b.cancelRow()
        b.beginRow(); b.endRow()
        let batch = b.finish()
        #expect(batch.events.map { $0[Field.relatedIP] } == [.list(["10.0.0.1", "10.0.0.2"]), nil])
    }
}

@Suite struct CommunityIDFillTests {
    @Test func fillsFlowsWithoutAnIdAndKeepsTheSourcesOwn() {
        var b = EventBatchBuilder()
        let si = b.column(Field.sourceIP, .ip), di = b.column(Field.destinationIP, .ip)
        let sp = b.column(Field.sourcePort, .int), dp = b.column(Field.destinationPort, .int)
        let tr = b.column(Field.networkTransport, .string), cid = b.column(Field.networkCommunityID, .string)
        func flow(_ proto: String, own: String? = nil) {
            b.beginRow()
            b.set(si, ip: IPAddress("128.232.110.120")!)   // safe: a literal address
            b.set(di, ip: IPAddress("66.35.250.204")!)     // safe: a literal address
            b.set(sp, int: 34855); b.set(dp, int: 80); b.set(tr, string: proto)
            if let own { b.set(cid, string: own) }
            b.endRow()
        }
        flow("tcp")
        flow("tcp", own: "1:written-by-the-sensor")
        flow("icmp")
        var batch = b.finish()
        #expect(batch.fillCommunityIDs() == 1)
        #expect(batch.events.map { $0[Field.networkCommunityID]?.stringValue } == ["1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:written-by-the-sensor", nil])
    }
}
