import SpoorCore
import SpoorEvents
import SpoorParsers

/// libFuzzer entry point: the first byte picks a format, the rest is fed to its parser line by
/// line, the way ingest frames records. Any crash, hang or sanitizer report is a bug: parsers
/// must turn every input into events, directives or thrown `ParseError`s.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let formats = LogFormat.builtIn + [LogFormat.plainText]
    let format = formats[Int(data[0]) % formats.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var parser = format.makeParser(ParseContext(timeZone: .utc, collectedAt: Timestamp(microseconds: 1_700_000_000_000_000)))
    var builder = EventBatchBuilder()
    var start = 0
    for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
        if i > start {
            builder.beginRow()
            do {
                if try parser.parse(bytes.span.extracting(start..<i), into: &builder) == .event { builder.endRow() } else { builder.cancelRow() }
            } catch {
                builder.cancelRow()
            }
        }
        start = i + 1
    }
    _ = _sampleLines(bytes)
    let batch = builder.finish()
    // Reading every value back exercises the columns the parser wrote.
    for r in 0..<batch.count { _ = batch.row(r) }
    return 0
}

/// The sniffers see every input too.
func _sampleLines(_ bytes: [UInt8]) -> Int {
    let sample = SampleLines(prefix: bytes, isComplete: true)
    return (LogFormat.builtIn + [LogFormat.plainText]).reduce(0) { $0 + $1.sniff(sample) }
}

/// SwiftPM names an executable's entry point `<Target>_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzParsers_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzParsers)
}
