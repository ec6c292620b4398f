/// One shard of the engine: the predictions whose id hashes to it, with everything counted from them.
///
/// The engine routes each event by the hash of its id (``Engine/shardIndex(ofHash:)``), so a prediction, its
/// labels and its shadows meet in one shard and the join never looks elsewhere. A shard owns its join
/// index, orphan labels, the buckets and profiles of every series (aligned with the engine's series ids),
/// shadow pair counts and traffic counters; what names things — models, versions, classes, segment values,
/// slice sets, profile columns, the watermark — stays in the engine and is shared by every shard. Queries
/// merge the shards' aggregates, which are mergeable by construction.
///
/// The shard's methods change only the shard and read the engine, so shards can be updated apart.
struct EngineShard: Sendable, Codable {
    var join: JoinIndex
    var orphans: OrphanStore
    /// Buckets by series id (the engine's `seriesKeys`); every shard has one per series.
    var series: [SeriesBuckets] = []
    /// Features kept for label-dependent custom metrics, by join entry.
    var retainedFeatures: [UInt32: [String: FeatureValue]] = [:]
    var statistics = JoinStatistics()
    /// Paired counts of each (served version, shadow version) by hour of the served prediction.
    var shadowPairs: [ShadowPairKey: [Int64: PairedCounts]] = [:]
    /// Served predictions counted per model id, with their first and last event times.
    var modelCounts: [ModelCounts] = []
    /// Slice counts by model id (classifiers with features), for worst-slice discovery.
    var slices: [SliceBuckets] = []
    /// Scratch space for the per-prediction profile update (kept to avoid an allocation per event).
    var profileRow = ProfileRow()
    /// Whether the shard holds another node's aggregates, merged for a query (see ``Engine/merging(_:)``).
    var imported = false

    private enum CodingKeys: String, CodingKey {
        case join, orphans, series, retainedFeatures, statistics, shadowPairs, modelCounts, slices
    }

    /// Per model: how many served predictions this shard counted, and their event time range.
    struct ModelCounts: Sendable, Codable {
        var predictions: Int64 = 0
        var firstEvent: Int64?
        var lastEvent: Int64?

        mutating func count(_ time: Int64) {
            predictions += 1
            firstEvent = min(firstEvent ?? time, time)
            lastEvent = max(lastEvent ?? time, time)
        }
    }

    init(configuration: EngineConfiguration, orphanCapacity: Int) {
        join = JoinIndex(
            seed: configuration.hashSeed,
            maxChunkSpanMilliseconds: max(60_000, configuration.labelHorizon.milliseconds / 32))
        orphans = OrphanStore(capacity: orphanCapacity)
    }

    /// An empty shard of an engine of `count` shards: the orphan limit is the engine's, each shard holds its share.
    init(configuration: EngineConfiguration, of count: Int) {
        self.init(configuration: configuration, orphanCapacity: (configuration.maxOrphans + count - 1) / count)
    }

    /// Stands in for a shard while it is taken out of the engine to be updated (never itself updated).
    static let placeholder = EngineShard(configuration: EngineConfiguration(), orphanCapacity: 0)

    mutating func countServed(model m: Int, time: Int64) {
        if modelCounts.count <= m {
            modelCounts.append(contentsOf: repeatElement(ModelCounts(), count: m + 1 - modelCounts.count))
        }
        modelCounts[m].count(time)
    }

    /// Applies `body` to the buckets of `time` in every series of the slice set.
    @inline(__always)
    mutating func updateBuckets(_ set: UInt32, _ time: Int64, _ engine: Engine, _ body: (inout Aggregate) -> Void) {
        let i = Int(set)
        let (minuteCutoff, hourCutoff) = (engine.minuteCutoff, engine.hourCutoff)
        series[engine.sliceBaseSeries[i]].update(time, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff, body)
        let segments = engine.sliceSegmentSeries[i]
        guard !segments.isEmpty else { return }
        for s in segments {
            series[s].update(time, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff, body)
        }
    }

    /// What an hour of the watermark's progress removes from a shard.
    struct Maintenance: Sendable {
        var labelCutoff: Int64
        var orphanCutoff: Int64
        /// New cutoffs of the minute, hour and hourly-profile buckets, when they moved.
        var minutesBefore: Int64?
        var hoursBefore: Int64?
        var profileHoursBefore: Int64?
    }

    /// Evicts predictions past the label horizon, expires orphans and prunes old buckets.
    mutating func maintain(_ job: Maintenance) {
        evictPastHorizon(job.labelCutoff)
        statistics.orphansExpired += orphans.expire(before: job.orphanCutoff)
        for s in series.indices {
            if let cutoff = job.minutesBefore { series[s].minutes.prune(before: cutoff) }
            if let cutoff = job.hoursBefore { series[s].hours.prune(before: cutoff) }
            if let cutoff = job.profileHoursBefore, !series[s].profiles.isEmpty {
                series[s].profiles.prune(hoursBefore: cutoff)
            }
        }
        if let cutoff = job.profileHoursBefore {
            for m in slices.indices where !slices[m].hours.isEmpty { slices[m].prune(hoursBefore: cutoff) }
        }
    }

    /// Memory held by the buckets, in bytes.
    var bucketBytes: Int {
        series.reduce(0) { $0 + $1.minutes.footprint + $1.hours.footprint + $1.days.footprint }
            + slices.reduce(0) { $0 + $1.footprint }
    }
}
