/// The parameters of ``ExfiltrationDetector``.
public struct ExfiltrationConfiguration: Sendable, Hashable {
    /// What counts as inside the client's network (sources) — everything else is outside.
    public var internalNetworks = InternalNetworks()
    /// A baseline needs at least this many past hours; with fewer at the same hour of the week
    /// the same hour of the day on other days is used, and with fewer still every other hour of
    /// the host.
    public var minimumHistory = 3
    /// The smallest reference volume in bytes: a baseline of nothing does not make 1 MB an
    /// anomaly (10 MB ≈ a few minutes of video or a software update's metadata).
    public var referenceFloorBytes: Double = 10_000_000
    /// Robust deviations above the median still inside the baseline (reference = median +
    /// k·1.4826·MAD, the MAD scaled to a normal σ as in Rousseeuw & Croux 1993).
    public var deviations = 3.0
    /// How many times the reference scores 1 for volume (scored on a log scale: 10× = ⅓ for the
    /// default 1000).
    public var fullScoreRatio = 1000.0
    /// Host-hours with fewer outbound bytes than this are not reported.
    public var minimumBytes: Int64 = 20_000_000
    /// How much the presence of a person at the keyboard discounts a finding: the score is
    /// multiplied by 1 − w + w·nobody_present.
    public var presenceWeight = 0.4
    /// nobody_present for hosts the session timeline knows nothing about (neither present nor absent).
    public var neutralPresence = 0.5
    /// How much destination rarity counts: the score is multiplied by 1 − w + w·destination_rarity.
    public var rarityWeight = 0.3
    /// Evidence ids kept per host-hour (its largest outbound flows).
    public var evidenceLimit = 32
    /// Findings reported (highest first); 0 = all.
    public var reportLimit = 0

    public init() {}
}
