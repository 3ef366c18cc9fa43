import SpoorLearn

/// What every labelling function said about every unit: `unitCount` rows × `functionCount`
/// columns of ``Vote``, stored column by column as raw `Int8` (snorkel's -1 / 0 / 1).
///
/// Storage is dense, one byte per (unit, function): 1M units × 20 functions take 20 MB. A sparse
/// column (a 4-byte unit index and the vote per non-abstaining cell, 5 bytes) is smaller only
/// when a function votes on fewer than one unit in five; the fitter never reads the cells twice
/// anyway (it folds the matrix into distinct vote patterns in one pass, see ``LabelModel``), so
/// the simple layout won. Units can be appended one at a time (``append(_:)``,
/// ``append(votes:)`` for the usual case where nearly every function abstains) or the matrix
/// built from whole columns.
public struct LabelMatrix: Sendable, Hashable {
    /// The labelling functions' names, one per column.
    public private(set) var functionNames: [String]
    /// `columns[j][i]`: the raw ``Vote`` of function `j` on unit `i`.
    public private(set) var columns: [[Int8]]
    /// The number of units (rows).
    public private(set) var unitCount: Int

    /// An empty matrix (no units) for the named functions; add units with ``append(_:)``.
    public init(functionNames: [String]) {
        self.functionNames = functionNames
        self.columns = Array(repeating: [], count: functionNames.count)
        self.unitCount = 0
    }

    /// A matrix from whole columns of votes; every column must have the same length.
    /// - Throws: `LearnError.shape` when names and columns disagree in number or columns in length.
    public init(functionNames: [String], columns: [[Vote]]) throws(LearnError) {
        try self.init(functionNames: functionNames, rawColumns: columns.map { $0.map(\.rawValue) })
    }

    /// A matrix from whole columns of raw votes (-1, 0, 1), e.g. read back from a store.
    /// - Throws: `LearnError.shape` on mismatched shapes, `LearnError.invalid` on a value that is
    ///   not a vote.
    public init(functionNames: [String], rawColumns: [[Int8]]) throws(LearnError) {
        guard functionNames.count == rawColumns.count else {
            throw LearnError.shape("\(functionNames.count) function names for \(rawColumns.count) columns")
        }
        let n = rawColumns.first?.count ?? 0
        for (j, column) in rawColumns.enumerated() {
            guard column.count == n else {
                throw LearnError.shape("column \(functionNames[j]) has \(column.count) units, expected \(n)")
            }
            if let bad = column.firstIndex(where: { $0 < -1 || $0 > 1 }) {
                throw LearnError.invalid("column \(functionNames[j]) unit \(bad): not a vote (-1, 0, 1)")
            }
        }
        self.functionNames = functionNames
        self.columns = rawColumns
        self.unitCount = n
    }

    /// The number of labelling functions (columns).
    public var functionCount: Int { functionNames.count }

    /// Appends one unit with every function's vote, in column order.
    /// - Throws: `LearnError.shape` when `votes` does not have one vote per function.
    public mutating func append(_ votes: [Vote]) throws(LearnError) {
        guard votes.count == columns.count else {
            throw LearnError.shape("\(votes.count) votes for \(columns.count) functions")
        }
        for j in columns.indices { columns[j].append(votes[j].rawValue) }
        unitCount += 1
    }

    /// Appends one unit on which only the listed functions voted; the others abstain.
    /// A function listed twice keeps its last vote.
    /// - Throws: `LearnError.shape` for a function index outside the matrix.
    public mutating func append(votes: [(function: Int, vote: Vote)]) throws(LearnError) {
        for item in votes where !columns.indices.contains(item.function) {
            throw LearnError.shape("function index \(item.function) outside 0..<\(columns.count)")
        }
        for j in columns.indices { columns[j].append(Vote.abstain.rawValue) }
        for item in votes { columns[item.function][unitCount] = item.vote.rawValue }
        unitCount += 1
    }

    /// Reserves room for `units` units in every column.
    public mutating func reserveCapacity(_ units: Int) {
        for j in columns.indices { columns[j].reserveCapacity(units) }
    }

    /// The vote of `function` on `unit`.
    public subscript(unit unit: Int, function function: Int) -> Vote {
        Vote(rawValue: columns[function][unit]) ?? .abstain
    }

    /// The share of units on which `function` did not abstain (0 for an empty matrix).
    public func coverage(function: Int) -> Double {
        guard unitCount > 0 else { return 0 }
        var voted = 0
        for v in columns[function] where v >= 0 { voted += 1 }
        return Double(voted) / Double(unitCount)
    }

    /// Bytes held by the votes (excluding names and array headers).
    public var voteBytes: Int { unitCount * columns.count }
}
