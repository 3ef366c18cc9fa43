import Foundation
import Testing
import SpoorCore
@testable import SpoorEVTX
import SpoorTesting

@Suite struct EVTXFileHeaderTests {
    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.skipMessage)"))
    func readsTheHeaderOfARealFile() throws {
        let dir = try #require(SharedData.url("evtx-rs-samples"))
        let files = (FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        let first = try #require(files.first)
        let bytes = Array(try Data(contentsOf: dir.appendingPathComponent(first)).prefix(4096))
        let header = try EVTXFileHeader(bytes.span)
        #expect(header.majorVersion == 3)
    }

    @Test func refusesOtherFiles() {
        let bytes = Array("not an event log at all, just text that is long enough for the header to be read from it.........................................".utf8)
        #expect(throws: ParseError.self) { try EVTXFileHeader(bytes.span) }
    }
}
