/// Shard snapshots: a node owning part of the shards saves only those, and a node starting (or gaining shards)
/// puts together its engine from several nodes' snapshots taken at different points of the log.
///
/// Every node applies the whole log, so what names things is the same on every node after the same batch: a
/// shard saved by one node after batch `s` fits any engine rebuilt to batch `s`.
extension Engine {
    /// This engine with only the shards it applies: the copies of other nodes' shards it merged for queries are
    /// emptied, so a snapshot of it holds what only this node knows.
    public var ownedPart: Engine {
        var part = self
        for k in shards.indices where !owns(k) || shards[k].imported { part.shards[k] = emptyShard() }
        return part
    }

    /// Takes shard `k` from `other`, an engine after the same batch of the log (a snapshot another node saved
    /// there), and applies it from now on.
    ///
    /// - Returns: false, changing nothing, when `other` is visibly elsewhere in the log (other names, another
    ///   watermark) or has other shards.
    public mutating func adoptShard(_ k: Int, from other: Engine) -> Bool {
        guard shards.indices.contains(k), other.shards.count == shards.count, other.owns(k),
            other.seriesKeys == seriesKeys, other.models.count == models.count,
            other.sliceSets.count == sliceSets.count, other.watermarkMilliseconds == watermarkMilliseconds
        else { return false }
        shards[k] = other.shards[k]
        shards[k].imported = false
        ownership?[k] = true
        return true
    }

    /// An empty shard with a bucket list per series this engine knows.
    func emptyShard() -> EngineShard {
        var empty = EngineShard(configuration: configuration, of: shards.count)
        empty.series = Array(repeating: SeriesBuckets(), count: seriesKeys.count)
        return empty
    }
}
