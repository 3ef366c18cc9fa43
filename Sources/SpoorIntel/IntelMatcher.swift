import SpoorCore
import SpoorIndicators

/// Matches indicators as they are sighted against intel (an ``IntelIndex``) and warninglists,
/// remembering the answer per distinct indicator: logs repeat the same addresses and names
/// millions of times, so each distinct value pays the warninglists' substring and regex work once.
public struct IntelMatcher: Sendable {
    public struct Answer: Sendable, Hashable {
        /// Indices into the index's facts (malicious and benign facts the intel names).
        public var facts: [Int32]
        /// Warninglists holding the indicator.
        public var lists: [String]
        public var isEmpty: Bool { facts.isEmpty && lists.isEmpty }
    }

    public let index: IntelIndex
    public let lists: WarninglistSet?
    private var cache: [Indicator: Answer] = [:]
    /// Distinct indicators looked up so far (the cache's size).
    public var distinct: Int { cache.count }
    /// The most distinct indicators remembered; beyond it the cache starts over (bounded memory).
    public var cacheLimit: Int

    public init(index: IntelIndex, lists: WarninglistSet? = nil, cacheLimit: Int = 2_000_000) {
        self.index = index
        self.lists = lists
        self.cacheLimit = cacheLimit
    }

    public mutating func match(_ indicator: Indicator) -> Answer {
        if let hit = cache[indicator] { return hit }
        let answer = Answer(facts: index.matchIndices(indicator), lists: lists?.matches(indicator) ?? [])
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[indicator] = answer
        return answer
    }
}
