import Foundation
import Testing
import SpoorTesting
@testable import SpoorIndicators

/// Inputs FuzzIndicators found (`Fixtures/indicators/fuzz-crashers/`), checked with the fuzz
/// target's own properties: byte 0 picks the options, extraction is deterministic, offsets lie
/// inside the input, values are non-empty, and plain canonical values are fixed points of the
/// normalizer.
@Suite struct FuzzCrasherTests {
    static var crashers: [String] {
        let folder = Fixtures.url("indicators/fuzz-crashers")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("crash-") }.sorted()
    }

    @Test(arguments: crashers)
    func crasherKeepsTheFuzzProperties(_ name: String) throws {
        let data = try Fixtures.bytes("indicators/fuzz-crashers/" + name)
        let flags = try #require(data.first)
        let options = ExtractionOptions(maximumDecodingDepth: Int(flags >> 3 & 3), maximumDecodedBytes: 1 << 16,
                                        decode: flags & 1 == 0, refang: flags & 2 == 0, includeParts: flags & 4 == 0)
        let extractor = IndicatorExtractor(options: options)
        let text = Array(data.dropFirst())
        let first = extractor.extract(text.span)
        #expect(first == extractor.extract(text.span), "extraction is not deterministic")
        for x in first {
            #expect(x.start >= 0 && x.end <= text.count && x.start <= x.end, "offsets outside the input: \(x)")
            #expect(!x.indicator.value.isEmpty, "empty value: \(x)")
        }
        for x in first where x.decoding.isEmpty && !x.wasDefanged && x.indicator.kind != .credential && x.indicator.kind != .userAccount {
            switch x.indicator.kind {
            case .ipv4, .ipv6, .domain, .email, .md5, .sha1, .sha256, .sha512, .cve, .asn:
                let again = IndicatorNormalizer.normalize(x.indicator.value, as: x.indicator.kind)
                #expect(again == x.indicator, "canonical value is not a fixed point: \(x.indicator) → \(String(describing: again))")
            default: break
            }
        }
    }
}
