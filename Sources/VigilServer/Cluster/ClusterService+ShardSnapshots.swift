import VigilCore
import VigilStore

/// A follower's shard snapshots: taken in the log's loop at each checkpoint the writer logs
/// (``LogEntry/checkpoint``), so a copy is exactly the state after the checkpoint, as every other owner's is;
/// saved by a task of their own, so the loop keeps following meanwhile.
extension ClusterService {
    /// A copy of the engine to save, and the batch after which it was taken.
    struct ShardSave: Sendable {
        var engine: Engine
        var sequence: Int64
    }

    /// Hands a copy of the engine, just after the checkpoint at `sequence`, to the task saving shard snapshots.
    /// The copy costs nothing until the loop applies the next batch, which then duplicates the shards it touches
    /// while the save runs.
    func offerShardSnapshot(at sequence: Int64) {
        guard shardSnapshots != nil, !cluster.current.owned.isEmpty else { return }
        shardSaves.continuation.yield(ShardSave(engine: host.copy(), sequence: sequence))
    }

    /// Saves each copy handed over, the newest first when saves fall behind.
    func keepSavingShards() async {
        guard let shardSnapshots else { return }
        for await save in shardSaves.stream { await shardSnapshots.save(save.engine, at: save.sequence) }
    }
}

/// Copies of the engine at checkpoints, handed from the log's loop to the task that saves them. One waits at
/// most: a save falling behind skips a checkpoint (that checkpoint's set of snapshots stays incomplete).
final class ShardSaves: Sendable {
    let stream: AsyncStream<ClusterService.ShardSave>
    let continuation: AsyncStream<ClusterService.ShardSave>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }
}
