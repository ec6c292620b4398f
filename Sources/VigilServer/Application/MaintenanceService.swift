import Foundation
import Logging
import ServiceLifecycle
import VigilCore
import VigilStore

/// Recovery on start, then periodic snapshots and log retention, as one service.
///
/// Until recovery finishes `/readyz` answers 503 with the progress, and so do the API routes.
struct MaintenanceService: Service {
    let host: EngineHost
    let pipeline: IngestPipeline
    let log: any Store
    let configuration: ServerConfiguration
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    let ready: ReadyAnnouncer
    /// Only the writer (or the only node) snapshots and applies retention: a follower's engine is ahead of or
    /// behind its pipeline's position, and the writer's snapshots serve every node.
    let cluster: ClusterState
    /// Saves the writer's shards when it owns part of them (`--partition-shards`).
    var shardSnapshots: ShardSnapshotSaver? {
        ShardSnapshotSaver(
            log, partitioned: configuration.partitionShards, node: cluster.id, clock: clock, logger: logger)
    }

    func run() async throws {
        let recovered = try await recover()
        var lastSnapshot = try await log.snapshotSequences().last ?? 0
        // A long replay is saved at once (unless recovery already did): under a crash loop the server may not
        // live to the next interval, and every restart would replay the same growing tail again.
        if recovered.replayed >= configuration.snapshotMinEntries, lastSnapshot < recovered.sequence {
            lastSnapshot = await maintain(since: lastSnapshot, force: true)
        }
        var lastMaintained = ContinuousClock.now
        // Wake every second: a server refusing writes after a storage failure probes whether it can resume.
        while await sleepUnlessShuttingDown(for: min(.seconds(1), configuration.snapshotInterval)) {
            switch host.phase {
            case .degraded, .unavailable: await pipeline.probeStorage()
            case .ready, .recovering, .failed: break
            }
            guard ContinuousClock.now - lastMaintained >= configuration.snapshotInterval else { continue }
            lastMaintained = ContinuousClock.now
            lastSnapshot = await maintain(since: lastSnapshot)
        }
        // A final snapshot on a clean shutdown makes the next start quick.
        _ = await maintain(since: lastSnapshot, force: true)
    }

    /// Rebuilds the engine from the newest snapshot and the log after it; returns the entries replayed and
    /// the log position reached.
    private func recover() async throws -> (replayed: Int, sequence: Int64) {
        let started = ContinuousClock.now
        var rebuilder = EngineRebuilder(log: log, configuration: configuration.engine)
        rebuilder.run = ShardWorkers.onCores
        rebuilder.owned = try await initialShards()
        let host = self.host
        let logger = self.logger
        rebuilder.progress = { replayed, total in
            host.phase = .recovering(replayed: replayed, total: total)
            logger.info("recovering", metadata: ["replayed": "\(replayed)", "total": "\(total)"])
        }
        let result: EngineRebuilder.Result
        do {
            result = try await rebuilder.recover()
        } catch {
            host.phase = .failed("recovery failed: \(error)")
            logger.critical("recovery failed", metadata: ["error": "\(error)"])
            throw error
        }
        let replay = ContinuousClock.now - started - result.snapshotRead - result.snapshotDecode
        if replay >= configuration.recoverySnapshotAfter, result.engine.ownsEveryShard {
            await saveBeforeServing(result, replay: replay)
        }
        if result.engine.shardCount != configuration.engine.shards {
            logger.notice(
                "the data directory keeps its shard count",
                metadata: [
                    "shards": "\(result.engine.shardCount)", "configured": "\(configuration.engine.shards)",
                    "why": "a snapshot's shards are fixed; see docs/performance.md#shards",
                ])
        }
        host.replace(with: result.engine)
        // Until the shard leases say otherwise, the node keeps the shards it recovered.
        let recoveredShards = result.engine.ownedShards ?? Set(0..<result.engine.shardCount)
        cluster.own(recoveredShards)
        cluster.hold(recoveredShards)
        // Hand the position over before opening the doors.
        await pipeline.start(after: result.sequence)
        host.phase = .ready
        logger.info(
            "recovered",
            metadata: [
                "snapshot": "\(result.fromSnapshot.map(String.init) ?? "none")",
                "shard_snapshots": "\(result.shardSnapshotSummary)",
                "entries": "\(result.replayedEntries)",
                "rejected": "\(result.rejectedEntries)", "sequence": "\(result.sequence)",
                "snapshot_read": "\(result.snapshotRead)", "snapshot_decode": "\(result.snapshotDecode)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        ready.recovered()
        return (result.replayedEntries, result.sequence)
    }

    /// The shards a node recovers: with partitioned shards, every shard if no other node is alive (it will own them
    /// all), else none (it takes its share once it holds their leases, and rebuilds them then); `nil` (all, with
    /// a single node's rules) otherwise.
    private func initialShards() async throws -> Set<Int>? {
        guard configuration.partitionShards, let shared = log as? any ClusterStore else { return nil }
        let others = try await shared.nodes(seenWithin: configuration.leaseTime).filter { $0.id != cluster.id }
        return others.isEmpty ? Set(0..<ServerConfiguration.maxShards) : []
    }

    /// Saves the recovered engine before serving, so the next start does not replay this tail again. A failure
    /// is logged and the server starts anyway: the log still holds everything.
    private func saveBeforeServing(_ result: EngineRebuilder.Result, replay: Duration) async {
        logger.info(
            "replaying the log took \(replay); saving a snapshot before serving",
            metadata: ["threshold": "\(configuration.recoverySnapshotAfter)"])
        await save(result.engine, at: result.sequence)
    }

    /// Takes a snapshot when enough was logged since the last one, then applies retention.
    private func maintain(since last: Int64, force: Bool = false) async -> Int64 {
        guard host.phase == .ready, cluster.writes else { return last }
        do {
            // Decide before copying: while a copy is held, the next ingest duplicates the engine's storage.
            let pending = try await log.count(after: last).entries
            guard force || pending >= configuration.snapshotMinEntries else { return last }
            guard let (engine, sequence) = await copyToSave(aligned: !force), sequence > last else { return last }
            if engine.ownsEveryShard {
                guard await save(engine, at: sequence) else { return last }
            } else if await shardSnapshots?.save(engine, at: sequence) != true, engine.ownedShards?.isEmpty == false {
                // A whole snapshot must hold every shard: a node owning part of them saves those alone.
                return last
            }
            if let watermark = engine.watermark {
                let dropped = try await log.prune(olderThan: watermark - configuration.effectiveRetention)
                if dropped > 0 {
                    logger.info("retention: dropped old log batches", metadata: ["batches": "\(dropped)"])
                }
            }
            return sequence
        } catch {
            logger.error("retention failed", metadata: ["error": "\(error)"])
            return last
        }
    }

    /// A copy of the engine to save, and the batch it is the state after. While several nodes own the shards,
    /// a periodic save (`aligned`) is a checkpoint in the log, at which every owner saves its shards: together
    /// they hold the whole engine at one batch, which retention can cut the log at.
    private func copyToSave(aligned: Bool) async -> (Engine, Int64)? {
        guard aligned, configuration.partitionShards, !host.read({ $0.ownsEveryShard }) else {
            return await pipeline.snapshotCopy()
        }
        do {
            return try await pipeline.checkpoint()
        } catch {
            logger.warning("could not log a checkpoint", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Streams a snapshot of `engine` (the state after batch `sequence`) to the store; false if it failed.
    @discardableResult
    private func save(_ engine: Engine, at sequence: Int64) async -> Bool {
        let started = ContinuousClock.now
        do {
            let bytes = try await log.saveSnapshot(sequence: sequence, createdAt: clock(), engine: engine)
            logger.info(
                "snapshot saved",
                metadata: [
                    "sequence": "\(sequence)", "bytes": "\(bytes)", "duration": "\(ContinuousClock.now - started)",
                ])
            return true
        } catch {
            logger.error("snapshot failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}
