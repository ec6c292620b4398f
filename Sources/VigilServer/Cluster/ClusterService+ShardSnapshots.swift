import VigilCore
import VigilStore

/// A follower's shard snapshots: taken in the log's loop, between two batches, so a copy is exactly the state
/// after the node's log position; saved by a task of their own, so the loop keeps following meanwhile.
extension ClusterService {
    /// A copy of the engine to save, and the batch after which it was taken.
    struct ShardSave: Sendable {
        var engine: Engine
        var sequence: Int64
    }

    /// When a follower next saves its shards: once ``snapshotInterval`` passed and ``snapshotMinEntries`` were
    /// logged since its last save.
    struct ShardSnapshotSchedule {
        var lastSequence: Int64 = 0
        var next = ContinuousClock.now
    }

    /// Hands a copy of the engine to `saves` when a shard snapshot is due. The copy costs nothing until the loop
    /// applies the next batch, which then duplicates the shards it touches while the save runs.
    func offerShardSnapshot(_ schedule: inout ShardSnapshotSchedule, to saves: AsyncStream<ShardSave>.Continuation)
        async
    {
        guard shardSnapshots != nil, cluster.current.role == .follower, ContinuousClock.now >= schedule.next else {
            return
        }
        schedule.next = ContinuousClock.now + snapshotInterval
        let sequence = cluster.current.appliedSequence
        guard sequence > schedule.lastSequence, !cluster.current.owned.isEmpty,
            let pending = try? await store.count(after: schedule.lastSequence).entries, pending >= snapshotMinEntries
        else { return }
        saves.yield(ShardSave(engine: host.copy(), sequence: sequence))
        schedule.lastSequence = sequence
    }

    /// Saves each copy handed over, the newest first when saves fall behind.
    func keepSavingShards(_ saves: AsyncStream<ShardSave>) async {
        guard let shardSnapshots else { return }
        for await save in saves { await shardSnapshots.save(save.engine, at: save.sequence) }
    }
}
