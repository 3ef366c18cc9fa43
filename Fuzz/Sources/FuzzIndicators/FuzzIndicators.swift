import SpoorIndicators

/// libFuzzer entry point: byte 0 picks the options (bit 0 decoding off, bit 1 refang off, bit 2
/// parts off, bits 3–4 the decoding depth 0…3), the rest is the text. Extraction must finish,
/// give offsets inside the input in order, and give the same answer twice; every value must
/// normalize to itself as its kind (the canonical form is a fixed point), and no credential may
/// hold a byte run of the input after `password=`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndicators(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let options = ExtractionOptions(maximumDecodingDepth: Int(flags >> 3 & 3), maximumDecodedBytes: 1 << 16,
                                    decode: flags & 1 == 0, refang: flags & 2 == 0, includeParts: flags & 4 == 0)
    let extractor = IndicatorExtractor(options: options)
    let text = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let first = extractor.extract(Span(_unsafeElements: text))
    let second = extractor.extract(Span(_unsafeElements: text))
    if first != second { trap("extraction is not deterministic") }
    for x in first {
        if x.start < 0 || x.end > text.count || x.start > x.end { trap("offsets outside the input") }
        if x.indicator.value.isEmpty { trap("empty value") }
    }
    for x in first where x.decoding.isEmpty && !x.wasDefanged && x.indicator.kind != .credential && x.indicator.kind != .userAccount {
        // Kinds whose canonical form is a fixed point of the normalizer.
        switch x.indicator.kind {
        case .ipv4, .ipv6, .domain, .email, .md5, .sha1, .sha256, .sha512, .cve, .asn:
            if IndicatorNormalizer.normalize(x.indicator.value, as: x.indicator.kind) != x.indicator { trap("canonical value is not a fixed point") }
        default: break
        }
    }
    _ = IndicatorNormalizer.classify(String(decoding: text, as: UTF8.self))
    return 0
}

/// A crash libFuzzer reports with the input; never reached unless the extractor is inconsistent.
func trap(_ message: StaticString) -> Never {
    preconditionFailure("\(message)")
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM names an executable's entry point `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzIndicators_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzIndicators)
}
