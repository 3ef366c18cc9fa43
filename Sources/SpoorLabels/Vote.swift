/// What one labelling function says about one unit: it abstains, or it votes the unit benign or
/// malicious (snorkel's convention: -1, 0, 1).
public enum Vote: Int8, Sendable, Hashable, Codable, CaseIterable {
    case abstain = -1
    case benign = 0
    case malicious = 1
}
