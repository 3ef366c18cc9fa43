import Testing
import SpoorLearn
@testable import SpoorLabels

@Suite struct LabelMatrixTests {
    @Test func appendAndColumnsAgree() throws {
        var grown = LabelMatrix(functionNames: ["a", "b", "c"])
        try grown.append([.malicious, .abstain, .benign])
        try grown.append(votes: [(function: 1, vote: .malicious)])
        let built = try LabelMatrix(functionNames: ["a", "b", "c"], columns: [
            [.malicious, .abstain], [.abstain, .malicious], [.benign, .abstain],
        ])
        #expect(grown == built)
        #expect(grown.unitCount == 2)
        #expect(grown[unit: 1, function: 1] == .malicious)
        #expect(grown.coverage(function: 0) == 0.5)
        #expect(grown.voteBytes == 6)
    }

    @Test func rejectsBadShapesAndValues() {
        var m = LabelMatrix(functionNames: ["a"])
        #expect(throws: LearnError.self) { try m.append([.benign, .benign]) }
        #expect(throws: LearnError.self) { try m.append(votes: [(function: 3, vote: .benign)]) }
        #expect(throws: LearnError.self) { try LabelMatrix(functionNames: ["a"], rawColumns: [[2]]) }
        #expect(throws: LearnError.self) { try LabelMatrix(functionNames: ["a", "b"], rawColumns: [[1], []]) }
        #expect(throws: LearnError.self) { try LabelMatrix(functionNames: ["a"], rawColumns: []) }
    }

    /// Patterns: distinct rows with their counts, including more than 32 functions (two words).
    @Test(arguments: [3, 40])
    func patternsFoldRows(functions: Int) throws {
        var m = LabelMatrix(functionNames: (0..<functions).map { "f\($0)" })
        for i in 0..<300 {
            var row = [Vote](repeating: .abstain, count: functions)
            row[functions - 1] = i % 3 == 0 ? .malicious : .abstain
            row[0] = i % 2 == 0 ? .benign : .abstain
            try m.append(row)
        }
        let patterns = VotePatterns(m)
        #expect(patterns.count == 4)
        #expect(patterns.weights.reduce(0, +) == 300)
        #expect(patterns.weights.sorted() == [50, 50, 100, 100])
    }
}

@Suite struct MajorityVoteTests {
    @Test func tiesAndAbstentionsFollowThePrior() throws {
        let m = try LabelMatrix(functionNames: ["a", "b", "c"], columns: [
            [.malicious, .malicious, .abstain, .benign],
            [.benign, .malicious, .abstain, .benign],
            [.abstain, .benign, .abstain, .abstain],
        ])
        #expect(MajorityVote(prior: 0.01).probabilities(m) == [0.5, 2.0 / 3.0, 0.01, 0])
        #expect(MajorityVote(prior: 0.01).predictions(m) == [.benign, .malicious, .benign, .benign])
        #expect(MajorityVote(prior: 0.9).predictions(m) == [.malicious, .malicious, .malicious, .benign])
        #expect(MajorityVote(prior: .nan).prior == 0)
    }
}
