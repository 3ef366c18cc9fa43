import Testing
import SpoorCore
@testable import SpoorEvents

/// `setConstant` must give the rows exactly what writing the value in each of them would.
@Suite struct BuilderConstantTests {
    @Test func constantsFillRowsUntilChangedAndRowsMayOverride() {
        var b = EventBatchBuilder()
        let path = b.column(Field.logFilePath, .string), n = b.column(Field.logOffset, .int)
        let category = b.column(Field.eventCategory, .stringList)
        b.beginRow(); b.set(n, int: 0); b.endRow()  // before any constant: null
        b.setConstant(path, items: [Array("a.log".utf8)])
        b.setConstant(category, items: [Array("network".utf8)])
        b.beginRow(); b.set(n, int: 1); #expect(b.isSet(path)); b.endRow()
        b.beginRow(); b.set(n, int: 2); b.set(path, string: "own"); b.beginList(category); b.endRow()
        b.beginRow(); b.set(n, int: 3); b.cancelRow()
        b.beginRow(); b.set(n, int: 4)
        b.setConstant(path, items: [Array("b.log".utf8)])  // from the open row on
        b.endRow()
        let first = b.finish()
        #expect(first.events.map { $0[Field.logFilePath]?.stringValue } == [nil, "a.log", "own", "b.log"])
        #expect(first.events.map { $0[Field.eventCategory] } == [nil, .list(["network"]), .list([]), .list(["network"])])
        // Constants outlive finish() (a fresh symbol table) until removed.
        b.beginRow(); b.set(n, int: 5); b.endRow()
        b.setConstant(path, items: nil)
        b.beginRow(); b.set(n, int: 6); #expect(!b.isSet(path)); b.endRow()
        let second = b.finish()
        #expect(second.events.map { $0[Field.logFilePath]?.stringValue } == ["b.log", nil])
        #expect(second.events.map { $0[Field.eventCategory] } == [.list(["network"]), .list(["network"])])
    }

    @Test func aListConstantInAStringColumnIsJoinedAndOtherKindsWiden() {
        var b = EventBatchBuilder()
        let s = b.column("s", .string), i = b.column("i", .int)
        b.beginRow(); b.set(i, int: 7); b.endRow()
        b.setConstant(s, items: [Array("x".utf8), Array("y".utf8)])
        b.setConstant(i, items: [Array("text".utf8)])
        b.beginRow(); b.endRow()
        let batch = b.finish()
        #expect(batch.events.map { $0["s"] } == [nil, .string("x,y")])
        #expect(batch.events.map { $0["i"] } == [.string("7"), .string("text")])
    }

    @Test func repeatedValuesReuseTheirSymbol() {
        var b = EventBatchBuilder()
        let h = b.column(Field.hostName, .string), l = b.column(Field.eventType, .stringList)
        for name in ["a", "a", "b", "a", ""] {
            b.beginRow(); b.set(h, string: name); b.beginList(l); b.appendToList(l, text: name); b.endRow()
        }
        let batch = b.finish()
        #expect(batch.events.map { $0[Field.hostName]?.stringValue } == ["a", "a", "b", "a", ""])
        #expect(batch.events.map { $0[Field.eventType] } == [.list(["a"]), .list(["a"]), .list(["b"]), .list(["a"]), .list([""])])
        #expect(batch.symbols.count == 4)  // null, "a", "b", ""
    }
}
