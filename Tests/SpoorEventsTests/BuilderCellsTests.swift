import Testing
import SpoorCore
@testable import SpoorEvents

/// `set(cells:)` must write exactly what the `set` of each cell writes, in order, whatever the
/// columns' kinds (widened ones included), constants, sparse rows, cells written twice in a row
/// and cancelled rows.
@Suite struct BuilderCellsTests {
    /// A fixed-seed generator (SplitMix64) so a failure repeats.
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    enum Op { case text(Int, String), int(Int, Int64), time(Int, Int64) }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func cellsWriteWhatEachSetWrites(seed: UInt64) {
        var g = Generator(state: seed)
        var cells = EventBatchBuilder(), each = EventBatchBuilder()
        let kinds: [FieldKind] = [.string, .string, .int, .timestamp, .string, .int, .double, .ip]
        var a: [ColumnHandle] = [], b: [ColumnHandle] = []
        for (k, kind) in kinds.enumerated() {
            a.append(cells.column("c\(k)", kind))
            b.append(each.column("c\(k)", kind))
        }
        // A constant in one string column, from the start.
        cells.setConstant(a[4], items: [Array("const".utf8)])
        each.setConstant(b[4], items: [Array("const".utf8)])
        var batches: [(EventBatch, EventBatch)] = []
        for row in 0..<400 {
            var ops: [Op] = []
            for _ in 0..<g.next(10) {
                let c = g.next(kinds.count)
                switch g.next(3) {
                case 0: ops.append(.text(c, ["a", "b", "host-\(g.next(5))", ""][g.next(4)]))
                case 1: ops.append(.int(c, Int64(g.next(1000)) - 500))
                default: ops.append(.time(c, Int64(g.next(1 << 30))))
                }
            }
            cells.beginRow(); each.beginRow()
            var staged: [EventBatchBuilder.Cell] = []
            for op in ops {
                switch op {
                case .text(let c, let s):
                    if let symbol = cells.symbol(a[c], bytes: s.utf8.span) {
                        staged.append(.symbol(a[c], symbol))
                    } else {
                        staged.withUnsafeBufferPointer { cells.set(cells: $0) }
                        staged.removeAll()
                        cells.set(a[c], bytes: s.utf8.span)
                    }
                    each.set(b[c], bytes: s.utf8.span)
                case .int(let c, let v):
                    staged.append(.integer(a[c], v))
                    each.set(b[c], int: v)
                case .time(let c, let v):
                    staged.append(.timestamp(a[c], Timestamp(microseconds: v)))
                    each.set(b[c], timestamp: Timestamp(microseconds: v))
                }
            }
            staged.withUnsafeBufferPointer { cells.set(cells: $0) }
            if g.next(17) == 0 {
                cells.cancelRow(); each.cancelRow()
            } else {
                cells.endRow(); each.endRow()
            }
            if row % 150 == 149 { batches.append((cells.finish(), each.finish())) }
        }
        batches.append((cells.finish(), each.finish()))
        for (x, y) in batches {
            #expect(x.count == y.count)
            #expect(x.fieldNames == y.fieldNames)
            #expect(x.events == y.events)
            for name in x.fieldNames { #expect(x.column(name)?.kind == y.column(name)?.kind) }
        }
        // The ops widened some columns, so the comparison covered the per-cell fallback.
        #expect(batches.contains { $0.0.columns.contains { $0.name == "c2" && $0.kind == .string } })
    }

    @Test func aBatchLeavesOutColumnsNoRowSet() {
        var b = EventBatchBuilder()
        let x = b.column("x", .string), y = b.column("y", .int)
        b.beginRow(); b.set(x, string: "one"); b.set(y, int: 1); b.endRow()
        #expect(b.finish().fieldNames == ["x", "y"])
        b.beginRow(); b.set(y, int: 2); b.endRow()
        let second = b.finish()
        #expect(second.fieldNames == ["y"])
        #expect(second.column("y")?.integers == [2])
        #expect(second.columnIndex == ["y": 0])
        // An empty last batch (no row after finish) has no columns.
        #expect(b.finish().fieldNames == [])
    }
}
