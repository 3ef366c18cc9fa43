import SpoorCore

/// libFuzzer entry point: byte 0 picks the options, the bytes up to the first `\n` are the
/// pattern (decoded as UTF-8 with replacement), the rest is the subject. Compiling must
/// either succeed or throw ``RegexError``; matching must finish and give the same answer
/// through the shared cache, a private ``ByteRegex/Matcher`` (twice, cold and warm) and the
/// `String` entry point when the subject is valid UTF-8.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let options = ByteRegex.Options(rawValue: data[0] & 7)
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let split = rest.firstIndex(of: 0x0A) ?? rest.count
    let pattern = String(decoding: rest[..<split], as: UTF8.self)
    let subject = split < rest.count ? Array(rest[(split + 1)...]) : []
    guard let re = try? ByteRegex(pattern, options: options) else { return 0 }
    let shared = re.matches(subject.span)
    var matcher = re.makeMatcher()
    let cold = matcher.matches(subject.span)
    let warm = matcher.matches(subject.span)
    if let text = String(validating: subject, as: UTF8.self), re.matches(text) != shared { trap("String and bytes disagree") }
    if shared != cold || cold != warm { trap("shared cache and matcher disagree") }
    return 0
}

/// A crash libFuzzer reports with the input; never reached unless the engine is inconsistent.
func trap(_ message: StaticString) -> Never {
    preconditionFailure("\(message)")
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM names an executable's entry point `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzRegex_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzRegex)
}
