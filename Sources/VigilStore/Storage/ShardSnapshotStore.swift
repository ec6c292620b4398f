import Foundation
import VigilCore

/// Snapshots of part of the engine's shards, one per node that owns part of them (`--partition-shards`), so that
/// a node starting or taking shards over replays the log only after the newest snapshot of each shard. The
/// snapshots the owners save at one checkpoint (``LogEntry/checkpoint``) hold, together, the whole engine after
/// that batch: a *complete set*, which retention can cut the log at (as at a whole snapshot) and a rebuild from
/// the base starts from. Only a shared store (``PostgresStore``) keeps them; a lone node's snapshots are whole
/// (``SnapshotStore``).
///
/// A saved snapshot drops those every one of whose shards a newer one holds, except complete sets: the oldest,
/// the newest and the first of each day are kept, as whole snapshots are.
public protocol ShardSnapshotStore: Sendable {
    /// Saves the shards `engine` applies (its ``Engine/ownedPart``), taken by `node` after batch `sequence`;
    /// then drops the shard snapshots no longer needed. Returns its size in bytes.
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

extension [ShardSnapshotInfo] {
    /// The snapshots of each batch whose snapshots together hold every shard (a complete set), oldest first,
    /// each set in node order.
    public var completeSets: [[ShardSnapshotInfo]] {
        Dictionary(grouping: self, by: \.sequence).sorted { $0.key < $1.key }.compactMap { _, set in
            let count = set.map(\.shardCount).max()!
            return Set(set.flatMap(\.shards)).isSuperset(of: 0..<count) ? set.sorted { $0.node < $1.node } : nil
        }
    }

    /// The oldest complete set, or `nil`.
    public var oldestCompleteSet: [ShardSnapshotInfo]? { completeSets.first }
}
