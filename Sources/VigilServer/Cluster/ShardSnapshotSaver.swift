import Logging
import VigilCore
import VigilStore

/// Saves the shards a node owns to the store (see ``ShardSnapshotStore``), so a node starting or taking them over
/// replays the log only after them. The writer saves from its maintenance, a follower from its log's loop.
struct ShardSnapshotSaver: Sendable {
    let store: any ShardSnapshotStore
    let node: String
    let clock: @Sendable () -> Timestamp
    let logger: Logger

    /// A saver when the nodes spread the shards over a store that keeps shard snapshots; else `nil`.
    init?(_ log: any Store, partitioned: Bool, node: String, clock: @escaping @Sendable () -> Timestamp, logger: Logger)
    {
        guard partitioned, let store = log as? any ShardSnapshotStore else { return nil }
        self.store = store
        self.node = node
        self.clock = clock
        self.logger = logger
    }

    /// Encoding a large shard takes seconds of CPU: off the cooperative pool that requests and leases share.
    static let executor = DispatchTaskExecutor(label: "vigil.shard-snapshots")

    /// Saves the shards `engine` owns, as they are after batch `sequence`; false when it owns none, or the save
    /// failed (logged: the log still holds everything).
    @discardableResult
    func save(_ engine: Engine, at sequence: Int64) async -> Bool {
        guard let owned = engine.ownedShards, !owned.isEmpty else { return false }
        return await withTaskExecutorPreference(Self.executor) { await save(engine, owned, at: sequence) }
    }

    private func save(_ engine: Engine, _ owned: Set<Int>, at sequence: Int64) async -> Bool {
        let started = ContinuousClock.now
        do {
            let bytes = try await store.saveShardSnapshot(
                sequence: sequence, node: node, createdAt: clock(), engine: engine)
            logger.info(
                "shard snapshot saved",
                metadata: [
                    "sequence": "\(sequence)", "shards": "\(owned.sorted())", "bytes": "\(bytes)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
            return true
        } catch {
            logger.error("shard snapshot failed", metadata: ["error": "\(error)", "shards": "\(owned.sorted())"])
            return false
        }
    }
}
