import Testing
@testable import SpoorLearn

@Suite struct FeatureMatrixTests {
    @Test func columnsMustAgree() throws {
        #expect(throws: LearnError.self) { try FeatureMatrix(names: ["a", "b"], columns: [[1, 2], [3]]) }
        var m = try FeatureMatrix(names: ["a"], columns: [[1, 2, 3]])
        try m.append("b", values: [4, 5, 6])
        #expect(m.row(1) == [2, 5])
        #expect(m.rows([2, 0]).columns == [[3, 1], [6, 4]])
        #expect(throws: LearnError.self) { try m.append("c", values: [1]) }
    }
}
