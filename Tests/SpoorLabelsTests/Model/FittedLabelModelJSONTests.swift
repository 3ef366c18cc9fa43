import Foundation
import Testing
import SpoorLearn
@testable import SpoorLabels

/// A fitted label model written as JSON and read back scores every unit as before — including
/// a dependent group modelled jointly — and damaged or foreign JSON is refused with a reason.
@Suite struct FittedLabelModelJSONTests {
    static func fittedWithAGroup() throws -> (FittedLabelModel, LabelMatrix) {
        var specs = SyntheticVotes.securitySpecs(count: 6, seed: 3)
        specs.append(.copy(of: 0, flip: 0.02))
        specs.append(.copy(of: 0, flip: 0.02))
        let data = SyntheticVotes.generate(units: 20_000, positiveRate: 0.02, specs: specs, seed: 4)
        return (LabelModel().fit(data.matrix), data.matrix)
    }

    @Test func roundTripScoresTheSame() throws {
        let (fitted, matrix) = try Self.fittedWithAGroup()
        #expect(fitted.groups.contains { $0.count > 1 }, "the copies must form a group, so that a joint factor is written")
        let back = try FittedLabelModel(json: try fitted.jsonData())
        #expect(back == fitted)
        #expect(try back.probabilities(matrix) == (try fitted.probabilities(matrix)))
    }

    @Test func refusesOtherVersionsAndDamagedFactors() throws {
        let (fitted, _) = try Self.fittedWithAGroup()
        let text = String(decoding: try fitted.jsonData(), as: UTF8.self)
        let cases: [(String, String)] = [
            (text.replacingOccurrences(of: "\"spoor-label-model\\/1\"", with: "\"spoor-label-model\\/0\""), "format"),
            (text.replacingOccurrences(of: "\"prior\":", with: "\"prior\":7,\"x\":"), "prior"),
            (text.replacingOccurrences(of: "\"members\":[0", with: "\"members\":[99"), "factor"),
            ("{}", "not a spoor label model"),
            ("[1,2", "not a spoor label model"),
        ]
        for (json, reason) in cases {
            #expect(json != text || reason == "not a spoor label model")
            do {
                _ = try FittedLabelModel(json: Data(json.utf8))
                Issue.record("accepted damaged JSON (\(reason))")
            } catch {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
    }
}
