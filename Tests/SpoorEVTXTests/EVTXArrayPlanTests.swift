import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

/// Records whose `<Data>` holds an array value (classic providers: one `Data` per item, their
/// number varying from record to record) are read by replaying a plan (`EVTXPlan.Kind.arrayData`)
/// after the first of their shape, not walked each time. That the replay gives what the walk and
/// the JSON rendering give is `EVTXDirectPathTests` (every record of every sample file).
@Suite struct EVTXArrayPlanTests {
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func arrayValuedRecordsReplayAPlan() throws {
        let path = try #require(SharedData.url("evtx-rs-samples/samples/system.evtx")).path
        let file = try EVTXFile(bytes: Array(Data(contentsOf: URL(fileURLWithPath: path))))
        let reader = EVTXEventReader(file: file)
        var arrays = 0, replayed = 0, itemCounts = Set<Int>()
        for i in 0..<file.chunkCount {
            let records = file.chunk(i).records
            var j = 0
            _ = reader.readChunk(i) { _, content in
                defer { j += 1 }
                guard case .view(let v) = content, j < records.count,
                      case .array(let items)? = records[j].event["Event"]?["EventData"]?["Data"]?["#text"] else { return }
                arrays += 1
                itemCounts.insert(items.count)
                // A replayed record carries stamps (the walk gives none).
                if v.systemStamps.contains(where: { $0 >= 0 }) { replayed += 1 }
            }
        }
        // system.evtx has a few hundred such records (e1iexpress, BTHUSB, EventLog …) with
        // different item counts under one shape.
        #expect(arrays > 100)
        #expect(itemCounts.count > 1)
        #expect(Double(replayed) > 0.9 * Double(arrays), "\(replayed) of \(arrays) array-valued records replayed")
    }
}
