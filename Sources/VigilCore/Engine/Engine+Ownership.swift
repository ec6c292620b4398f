/// Shard ownership: an engine that applies only some of its shards, as a node of a cluster does.
///
/// Every node applies the rows that change what names things — models, versions, slice sets, profile columns,
/// the watermark — so these are the same on every node. Only the shards a node owns keep their join and
/// buckets; the others stay empty and are filled, for a query, with their owners' aggregates (``merging(_:)``).
///
/// A node that does not own a row's shard cannot know whether its owner will store it, find it a repeat or
/// refuse it, so an engine that owns part of its shards makes a row's effect on what is shared independent of
/// its shard: every row that passes the engine-wide checks is interned and moves the watermark, and an owner
/// drops (and counts) a row its shard refuses instead of refusing it. The node taking the write then logs
/// every row it accepted, so every node applies the same rows in the same order.
///
/// A writer that owns every shard (a cluster's only node, or the last one standing) knows every shard: it
/// decides the rows it takes as a lone server does (``decidesAlone``), refusing a conflicting repeat and logging
/// neither repeats nor refusals. The rows it logs are then ones every node's replay, under the cluster's
/// rules, applies exactly as it did.
extension Engine {
    /// The shards this engine applies, or `nil` when it applies all of them.
    public var ownedShards: Set<Int>? {
        ownership.map { mask in Set(mask.indices.filter { mask[$0] }) }
    }

    /// Whether rows are decided by their shards' owners (the cluster's rules above): while the engine owns part of
    /// its shards, and while it replays a cluster's log (which may hold rows decided so), unless it owns every
    /// shard and ``decidesAlone``.
    public var ownsPart: Bool {
        guard let ownership else { return false }
        return !decidesAlone || ownership.contains(false)
    }

    /// Whether the engine's shards are spread over nodes (``own(_:)`` was given a set), so its log is split by
    /// shard.
    public var isPartitioned: Bool { ownership != nil }

    /// Whether the engine applies every shard (with a single node's rules, or a cluster's): what a snapshot
    /// must hold.
    public var ownsEveryShard: Bool { ownership?.allSatisfy { $0 } ?? true }

    /// The shard of an event id.
    public func shard(ofId id: String) -> Int { shardIndex(ofHash: idHash(id)) }

    /// Makes the engine apply only `owned` (`nil`: every shard). Shards it gives up are emptied; a shard it gains
    /// starts empty (or as it was, if it was owned before), so the caller rebuilds it from the log.
    public mutating func own(_ owned: Set<Int>?) {
        guard let owned else {
            ownership = nil
            return
        }
        let mask = shards.indices.map { owned.contains($0) }
        // A shard given up drops its join; a shard gained drops the copy it held. Other copies stay.
        for k in shards.indices where mask[k] ? shards[k].imported : owns(k) { shards[k] = emptyShard() }
        ownership = mask
    }

    /// Whether the engine applies shard `k`.
    @inline(__always)
    func owns(_ k: Int) -> Bool { ownership?[k] ?? true }

    /// A served prediction in an engine that owns part of its shards: interned and moving the watermark whatever
    /// its shard does, stored only by the shard's owner.
    mutating func ingestOwnedPart(
        _ p: Prediction, _ admission: Admission, _ encoded: EncodedPrediction, _ classes: ClassPlan, hash: UInt64,
        shard k: Int
    ) -> IngestOutcome {
        let (set, m, sliceCodes) = intern(p, admission, encoded, classes, served: true)
        var encoded = encoded
        encoded.sliceCodes = sliceCodes
        var outcome = IngestOutcome.accepted
        if owns(k) {
            let row = PlannedRow(
                index: 0, time: p.time.milliseconds, hash: hash, shard: k, sliceSet: set, model: m,
                folded: admission.folded, encoded: encoded)
            outcome = Self.ownedPartOutcome(onShard(k) { shard, engine in shard.apply(row, prediction: p, engine) })
        }
        advanceWatermark(p.time.milliseconds)
        return outcome
    }

    /// A label in an engine that owns part of its shards: it moves the watermark whatever its shard does.
    mutating func ingestOwnedPart(_ f: Feedback, hash: UInt64, shard k: Int) -> IngestOutcome {
        var outcome = IngestOutcome.accepted
        if owns(k) {
            let row = PlannedRow(index: 0, time: f.time.milliseconds, hash: hash, shard: k)
            outcome = Self.ownedPartOutcome(onShard(k) { shard, engine in shard.apply(row, feedback: f, engine) })
        }
        advanceWatermark(f.time.milliseconds)
        return outcome
    }

    /// A row's outcome where only part of the shards is owned: a refusal by the shard is a drop (counted by the
    /// shard where it has a counter), since the nodes that do not own the shard accepted the row.
    static func ownedPartOutcome(_ result: ShardResult) -> IngestOutcome {
        switch result {
        case .success(let outcome?): return outcome
        case .success(nil): return .stale
        case .failure: return .accepted
        }
    }

    /// The aggregates of shard `k`, for another node to merge into its answers.
    public func aggregates(ofShard k: Int) -> ShardAggregates {
        let shard = shards[k]
        var statistics = shard.statistics
        statistics.pendingPredictions = shard.join.count
        statistics.orphansPending = shard.orphans.count
        return ShardAggregates(
            series: shard.series, shadowPairs: shard.shadowPairs, modelCounts: shard.modelCounts,
            statistics: statistics)
    }

    /// This engine with the aggregates of other nodes' shards in place of its empty ones, to answer a query.
    public func merging(_ parts: [Int: ShardAggregates]) -> Engine {
        var merged = self
        for (k, part) in parts { merged.importAggregates(part, intoShard: k) }
        return merged
    }

    /// Puts another node's aggregates of shard `k` in place of this engine's, if it does not own the shard;
    /// queries then count them (and the join's counters report the owner's pending predictions and orphans).
    ///
    /// A part from a node ahead of this one may name series this engine does not know yet: they are left out
    /// (the answer is as of this engine's position in the log); a part from a node behind lacks the newest
    /// series, which count as empty. Series this engine interns later are added to the part as to every shard.
    public mutating func importAggregates(_ part: ShardAggregates, intoShard k: Int) {
        guard shards.indices.contains(k), !owns(k) else { return }
        var shard = EngineShard.placeholder
        shard.series = Array(part.series.prefix(seriesKeys.count))
        if shard.series.count < seriesKeys.count {
            shard.series.append(
                contentsOf: repeatElement(SeriesBuckets(), count: seriesKeys.count - shard.series.count))
        }
        shard.shadowPairs = part.shadowPairs.filter {
            $0.key.primary < seriesKeys.count && $0.key.shadow < seriesKeys.count
        }
        shard.modelCounts = Array(part.modelCounts.prefix(models.count))
        shard.statistics = part.statistics
        shard.imported = true
        shards[k] = shard
    }
}

/// What one shard has counted — its buckets, shadow pairs, traffic and join counters — without its join:
/// what a node sends another for a query.
public struct ShardAggregates: Sendable, Codable {
    var series: [SeriesBuckets]
    var shadowPairs: [ShadowPairKey: [Int64: PairedCounts]]
    var modelCounts: [EngineShard.ModelCounts]
    /// The join's counters, with its pending predictions and orphans at the time.
    public var statistics: JoinStatistics
}
