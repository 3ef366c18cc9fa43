import SpoorCore
import SpoorEvents
import SpoorEVTX
import SpoorParsers

/// libFuzzer entry point for the EVTX reader and the Windows mapping behind it, both ways (the
/// JSON rendering and the direct path ingest uses): any bytes must give records, issues or a
/// thrown `ParseError`, never a crash, a hang or unbounded memory.
///
/// Inputs are whole files; the corpus holds small hand-made ones (a header and one chunk) so that
/// mutations reach chunk, template and BinXML parsing quickly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEVTX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? EVTXFile(bytes: bytes) else { return 0 }
    let context = ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: 0))
    // The JSON path (what the conformance tests compare with the `evtx` package).
    var mapper = WindowsEventMapper(context: context)
    var builder = EventBatchBuilder()
    for c in 0..<min(file.chunkCount, 64) {
        for record in file.chunk(c).records {
            builder.beginRow()
            do {
                try mapper.write(evtxRecord: record.event, into: &builder)
                builder.endRow()
            } catch {
                builder.cancelRow()
            }
        }
    }
    _ = builder.finish()
    // The direct path (what ingest uses): values straight from BinXML, templates shared across chunks.
    var direct = WindowsEventMapper(context: context)
    var rows = EventBatchBuilder()
    let reader = EVTXEventReader(file: file)
    for c in 0..<min(file.chunkCount, 64) {
        _ = reader.readChunk(c) { _, content in
            rows.beginRow()
            do throws(ParseError) {
                switch content {
                case .view(let v): try direct.write(evtx: v, into: &rows)
                case .json(let j): try direct.write(evtxRecord: j, into: &rows)
                }
                rows.endRow()
            } catch {
                rows.cancelRow()
            }
        }
    }
    _ = rows.finish()
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM names an executable's entry point `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzEVTX_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzEVTX)
}
