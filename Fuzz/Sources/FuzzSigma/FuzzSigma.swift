import Foundation
import SpoorCore
import SpoorEvents
import SpoorRules

/// libFuzzer entry point for the Sigma engine: any bytes, read as a rule file, must give
/// documents and diagnostics; the compiled rules must run over a few events; never a crash,
/// a hang or unbounded memory (rules come from strangers' repositories).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigma(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    var set = SigmaRuleSet()
    SigmaLoader().load(text: bytes, file: "fuzz.yml", into: &set)
    guard let bindings = FuzzState.bindings else { return 0 }
    let program = SigmaCompiler(bindings: bindings).compile(set)
    let engine = SigmaEngine(program)
    let matches = engine.matches(in: FuzzState.batch)
    var correlator = CorrelationEngine(program: program)
    correlator.add(matches, in: FuzzState.batch, reference: { Int64($0) })
    _ = correlator.finish()
    return 0
}

enum FuzzState {
    static let bindings: BindingSet? = try? BindingSet.builtIn()

    /// A few events of the shapes rules read: a Windows process creation, a syslog line.
    static let batch: EventBatch = {
        var b = EventBatchBuilder()
        let rows: [[(String, String)]] = [
            [("winlog.channel", "Microsoft-Windows-Sysmon/Operational"), ("winlog.event_id", "1"),
             ("winlog.event_data.Image", "C:\\Windows\\System32\\cmd.exe"),
             ("winlog.event_data.CommandLine", "cmd.exe /c whoami -all aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"),
             ("winlog.event_data.User", "CORP\\bob"), ("CommandLine", "powershell -enc SQBFAFgA")],
            [("message", "Failed password for root from 203.0.113.9 port 22 ssh2"), ("process.name", "sshd"),
             ("spoor.parser", "syslog"), ("source.ip", "203.0.113.9")],
        ]
        for (i, row) in rows.enumerated() {
            b.beginRow()
            b.set(b.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: Int64(i) * 60_000_000))
            for (k, v) in row { b.set(b.column(k, .string), text: v) }
            b.endRow()
        }
        return b.finish()
    }()
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM names an executable's entry point `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzSigma_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzSigma)
}
