import SpoorCore

/// What to simulate. Everything is derived from `seed`: the same configuration gives
/// byte-identical logs and ground truth.
public struct SimulationConfig: Sendable, Hashable {
    public var seed: UInt64
    /// Days simulated, starting at `start` (00:00 UTC).
    public var days: Int
    /// Hosts per client (workstations fill what the fixed servers leave).
    public var hosts: Int
    /// Clients (organisations) — a security provider's customers, each with its own network,
    /// domain, time zone and users.
    public var clients: Int
    /// The first simulated day (a Monday by default, so weekends fall on days 6 and 7).
    public var start: CivilTime
    /// Attack scenarios to run (names from ``ScenarioCatalog``); empty = none (an attack-free run).
    public var scenarios: [String]
    /// The share of records the attacks should make up, at most; scenarios are thinned or
    /// repeated towards it, each running at least once.
    public var attackRate: Double

    public init(seed: UInt64 = 1, days: Int = 7, hosts: Int = 24, clients: Int = 1,
                start: CivilTime = CivilTime(year: 2026, month: 3, day: 2), scenarios: [String] = ScenarioCatalog.defaultNames,
                attackRate: Double = 0.005) {
        self.seed = seed
        self.days = days
        self.hosts = hosts
        self.clients = clients
        self.start = start
        self.scenarios = scenarios
        self.attackRate = attackRate
    }

    /// The first instant simulated and the instant after the last.
    public var window: (start: Timestamp, end: Timestamp) {
        let s = start.utcMicroseconds
        return (Timestamp(microseconds: s), Timestamp(microseconds: s + Int64(days) * 86_400_000_000))
    }
}

/// The attack scenarios spoor knows, by name. Filled by the scenario files (each registers
/// itself in ``ScenarioCatalog/all``).
public enum ScenarioCatalog {
    /// Every scenario run by default.
    public static var defaultNames: [String] { all.map(\.name) }

    /// The registry: name, techniques, and how to run it.
    public static var all: [ScenarioEntry] { registered }

    public static func entry(named name: String) -> ScenarioEntry? { all.first { $0.name == name } }
}

/// One attack scenario as the catalog lists it.
public struct ScenarioEntry: Sendable {
    public var name: String
    /// ATT&CK technique ids the scenario's records carry (`T1110.001`).
    public var techniques: [String]
    public var summary: String
    /// Writes one run of the scenario against `client` starting around `start`.
    public var run: @Sendable (_ context: inout ScenarioContext) -> Void

    public init(name: String, techniques: [String], summary: String, run: @escaping @Sendable (_ context: inout ScenarioContext) -> Void) {
        self.name = name
        self.techniques = techniques
        self.summary = summary
        self.run = run
    }
}
