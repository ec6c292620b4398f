import Foundation
import VigilCore

/// Snapshots of part of the engine's shards, one per node that owns part of them (`--partition-shards`), so that
/// a node starting or taking shards over replays the log only after the newest snapshot of each shard, and
/// retention can drop the log that every shard's snapshot covers. Only a shared store (``PostgresStore``)
/// keeps them; a lone node's snapshots are whole (``SnapshotStore``).
public protocol ShardSnapshotStore: Sendable {
    /// Saves the shards `engine` applies (its ``Engine/ownedPart``), taken by `node` after batch `sequence`;
    /// then drops the shard snapshots every one of whose shards a newer one holds. Returns its size in bytes.
    @discardableResult
    func saveShardSnapshot(sequence: Int64, node: String, createdAt: Timestamp, engine: Engine) async throws -> Int

    /// What the stored shard snapshots hold, newest first.
    func shardSnapshots() async throws -> [ShardSnapshotInfo]

    /// The bytes of one shard snapshot (an ``EngineSnapshot``), or `nil` if it is gone.
    func shardSnapshot(_ info: ShardSnapshotInfo) async throws -> StoredSnapshot?
}

/// One stored shard snapshot: where in the log it was taken, by which node, and which shards it holds.
public struct ShardSnapshotInfo: Sendable, Equatable {
    public var sequence: Int64
    public var node: String
    public var shards: [Int]
    /// The engine's shard count (a cluster's is fixed).
    public var shardCount: Int
    public var createdAt: Timestamp
    public var size: Int

    public init(sequence: Int64, node: String, shards: [Int], shardCount: Int, createdAt: Timestamp, size: Int) {
        self.sequence = sequence
        self.node = node
        self.shards = shards
        self.shardCount = shardCount
        self.createdAt = createdAt
        self.size = size
    }
}
