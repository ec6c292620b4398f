/// How an ``Engine`` bounds its memory and joins events.
public struct EngineConfiguration: Sendable, Hashable, Codable {
    /// How long a prediction waits for (or keeps accepting corrections to) its label; then it is evicted
    /// and, if unlabeled, counted as never labeled. Default 30 days.
    public var labelHorizon: Duration = .seconds(30 * 86_400)
    /// How long feedback without its prediction is held. Default 7 days.
    public var orphanHorizon: Duration = .seconds(7 * 86_400)
    /// At most this many orphans are held; past it the oldest are dropped (and counted). Default 1,000,000.
    public var maxOrphans = 1_000_000
    /// Minute buckets are kept this long behind the newest event time; older window edges are
    /// resolved to the hour. Zero keeps no minute buckets at all. Default 2 days.
    public var minuteRetention: Duration = .seconds(2 * 86_400)
    /// Hour buckets are kept this long; older window edges are resolved to the day. Zero keeps no hour
    /// buckets at all. Default 90 days.
    public var hourRetention: Duration = .seconds(90 * 86_400)
    /// A binary prediction without an explicit `prediction` is `score >= threshold`. Default 0.5.
    public var threshold = 0.5
    /// Whether to keep per-column profiles (data quality and drift). Default on.
    public var profiles = true
    /// Caps that bound each column profile's memory per bucket.
    public var profileLimits = ProfileLimits()
    /// How long hourly profile buckets are kept; older drift and quality windows resolve to days. Default 7 days.
    public var profileHourRetention: Duration = .seconds(7 * 86_400)
    /// At most this many feature columns are profiled per model; further names are listed as untracked. Default 1,000.
    public var maxProfileColumns = 1000
    /// Caps on models, versions, segments, classes, features and string lengths.
    public var limits = EngineLimits()
    /// The engine's shards: events are routed by the hash of their id, so a prediction and its labels meet in
    /// one shard; queries merge every shard. A server runs one per core. Default 1.
    public var shards = 1
    /// Seed of the id hash (vary it per deployment to resist crafted collisions).
    public var hashSeed: UInt64 = 0x5eed_1f0c_a11b_ab1e

    public init() {}

    /// This configuration without the bucket levels finer than `finest`: for an engine that will only be asked
    /// for windows whose edges fall on `finest`'s boundaries (an offline replay knows its questions in
    /// advance), so every event updates fewer buckets and every answer stays the same.
    public func keepingBuckets(from finest: Resolution) -> EngineConfiguration {
        var c = self
        if finest != .minute { c.minuteRetention = .seconds(0) }
        if finest == .day { c.hourRetention = .seconds(0) }
        return c
    }
}
