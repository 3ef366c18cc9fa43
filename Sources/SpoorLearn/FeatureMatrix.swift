/// A dense table of numbers for learning: `rowCount` rows, named columns, stored column by column
/// (one contiguous `[Double]` per feature), as the analytics side of spoor keeps data in columns.
///
/// SpoorLearn knows nothing of logs: whoever builds a matrix (detectors, labels) names the
/// columns and keeps the mapping from rows back to what they describe.
public struct FeatureMatrix: Sendable, Hashable {
    public private(set) var names: [String]
    public private(set) var columns: [[Double]]
    public let rowCount: Int

    /// An empty matrix of `rowCount` rows; add features with `append(_:values:)`.
    public init(rowCount: Int) {
        self.rowCount = rowCount
        self.names = []
        self.columns = []
    }

    /// A matrix from named columns; every column must have the same length.
    public init(names: [String], columns: [[Double]]) throws(LearnError) {
        guard names.count == columns.count else {
            throw LearnError.shape("\(names.count) names for \(columns.count) columns")
        }
        let n = columns.first?.count ?? 0
        for (i, c) in columns.enumerated() where c.count != n {
            throw LearnError.shape("column \(names[i]) has \(c.count) rows, expected \(n)")
        }
        self.names = names
        self.columns = columns
        self.rowCount = n
    }

    public var columnCount: Int { columns.count }

    /// Adds a feature column.
    public mutating func append(_ name: String, values: [Double]) throws(LearnError) {
        guard values.count == rowCount else {
            throw LearnError.shape("column \(name) has \(values.count) rows, expected \(rowCount)")
        }
        names.append(name)
        columns.append(values)
    }

    public subscript(row: Int, column: Int) -> Double { columns[column][row] }

    /// The row as an array (for one-off use; algorithms read columns).
    public func row(_ r: Int) -> [Double] { columns.map { $0[r] } }

    /// The rows at `indices`, in that order (a split, a bootstrap sample).
    public func rows(_ indices: [Int]) -> FeatureMatrix {
        var m = FeatureMatrix(rowCount: indices.count)
        m.names = names
        m.columns = columns.map { c in indices.map { c[$0] } }
        return m
    }
}

/// A learning input that cannot be used: shapes that do not agree, a label outside its range, a
/// model asked to predict before it was fitted.
public enum LearnError: Error, Sendable, Hashable, CustomStringConvertible {
    case shape(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .shape(let m): "shape: \(m)"
        case .invalid(let m): "invalid: \(m)"
        }
    }
}
