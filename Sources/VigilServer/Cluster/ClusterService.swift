import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilStore

/// Runs a node among several sharing one store (PostgreSQL): takes or renews the writer lease every third
/// of the lease time, and, while it does not hold it, tails the log the writer commits (woken by PostgreSQL's
/// NOTIFY at each commit, and reading at least every second). A node that takes the lease first applies the
/// log to its end, then commits writes; one that loses it stops committing and rebuilds from the log. Every
/// node reports itself (role, log position) for `GET /v1/cluster`.
///
/// The engine's shards are spread over the nodes (see `ClusterService+Shards`): a node applies the shards it
/// holds the lease of, and reads the others' aggregates from their owners, so that its answers count them.
///
/// The log stays one total order whatever the nodes do: a sequence number is committed once (the store
/// refuses a second insert), and a writer whose commit is refused rebuilds from the log.
struct ClusterService: Service {
    let cluster: ClusterState
    let store: any Store & ClusterStore
    let host: EngineHost
    let pipeline: IngestPipeline
    let registry: SLORegistry
    let documents: ModelDocuments
    let leaseTime: Duration
    /// Whether the nodes spread the engine's shards (`--partition-shards`); else each holds them all.
    let partitioned: Bool
    /// The token this node presents to its peers, when the API needs one.
    let peerSecret: String?
    /// Saves this node's shards at each checkpoint it follows (the writer's are saved by its maintenance).
    let shardSnapshots: ShardSnapshotSaver?
    let logger: Logger
    /// Copies of the engine at checkpoints, from the log's loop to the task saving them.
    let shardSaves = ShardSaves()

    static let writerLease = "writer"
    static let leaseExecutor = DispatchTaskExecutor(label: "vigil.leases", qos: .userInitiated)
    /// How often a follower reads the log when no commit woke it (a missed notification, a broken listener).
    static let tailInterval: Duration = .seconds(1)
    /// How often the loop looks whether a commit woke it.
    static let wakeCheck: Duration = .milliseconds(10)

    func run() async throws {
        let woken = LogWake()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await listen(woken) }
            // Renewals must keep their time whatever the cooperative pool is busy with (a rebuild, a replay).
            group.addTask(executorPreference: Self.leaseExecutor) { await keepLeases(woken) }
            group.addTask { await keepPulling() }
            group.addTask { await keepSavingShards() }
            try await follow(woken)
            shardSaves.continuation.finish()
            group.cancelAll()
        }
    }

    /// Keeps a LISTEN open for commits of log batches (again a second after it fails), until cancelled.
    private func listen(_ woken: LogWake) async {
        while !Task.isCancelled {
            do {
                try await store.watchAppends { woken.set() }
            } catch {
                logger.debug("the log's notifications stopped; listening again", metadata: ["error": "\(error)"])
            }
            guard await sleepUnlessShuttingDown(for: .seconds(1)) else { return }
        }
    }

    /// Every third of the lease time: takes or renews the writer lease and the shard leases, and reports this
    /// node. It runs apart from the log's loop, so a long rebuild there never lets a lease run out; the loop
    /// acts on what the leases say.
    private func keepLeases(_ woken: LogWake) async {
        guard await recovered() else { return }
        var lastRenewal = ContinuousClock.now
        repeat {
            if await checkLease() {
                lastRenewal = ContinuousClock.now
                woken.set()  // a node that just took the lease starts writing at once
            } else if cluster.current.holdsWriterLease, ContinuousClock.now - lastRenewal >= leaseTime {
                // The lease could not be renewed and has run out: another node may hold it now.
                cluster.leases(writer: false, writerURL: nil)
            }
            await report()
            if partitioned { await balanceShards() }
            woken.set()  // the log's loop acts on the leases at once
        } while await sleepUnlessShuttingDown(for: leaseTime / 3)
        await giveUpLeases()
    }

    /// On a clean shutdown: gives up this node's leases and report, so the others need not wait for them to
    /// expire. In a task of its own, since the service's tasks may be cancelled by then.
    private func giveUpLeases() async {
        let (store, cluster) = (self.store, self.cluster)
        await Task {
            if cluster.current.holdsWriterLease {
                try? await store.releaseLease(Self.writerLease, holder: cluster.id)
            }
            for k in cluster.current.heldShards {
                try? await store.releaseLease(Self.shardLease(k), holder: cluster.id)
            }
            try? await store.forgetNode(cluster.id)
        }.value
    }

    private func follow(_ woken: LogWake) async throws {
        guard await recovered() else { return }
        cluster.applied(await pipeline.lastCommitted)
        await pipeline.stopWriting()  // until this node takes the writer lease
        await pipeline.leaveRebuildsToCluster()
        var nextRefresh = ContinuousClock.now
        var readFailing = false
        repeat {
            if case .unavailable = host.phase {
                await rebuildAfterFailure()
                continue
            }
            await actOnLeases()
            let state = cluster.current
            if state.role == .follower {
                if ContinuousClock.now >= nextRefresh {
                    nextRefresh = ContinuousClock.now + leaseTime / 3
                    await refreshMetadata()
                }
                // A store that cannot be read is said once when it starts failing and once when it is back.
                do {
                    try await catchUp()
                    if readFailing { logger.notice("reading the log again") }
                    readFailing = false
                } catch {
                    if !readFailing {
                        logger.warning("could not read the log; retrying", metadata: ["error": "\(error)"])
                    }
                    readFailing = true
                }
            } else {
                cluster.applied(await pipeline.lastCommitted)
            }
        } while await woken.wait(upTo: Self.tailInterval)
        // A last snapshot of a follower's shards, as the writer's maintenance saves its own on the way out.
        if cluster.current.role == .follower, let shardSnapshots, !cluster.current.owned.isEmpty {
            await shardSnapshots.save(host.copy(), at: cluster.current.appliedSequence)
        }
    }

    /// Becomes the writer, stops being it, or changes shards, as the leases now say.
    private func actOnLeases() async {
        let state = cluster.current
        if state.holdsWriterLease, state.role != .writer {
            await promote()
        } else if !state.holdsWriterLease, state.role == .writer {
            await demote(to: state.leaseWriterURL)
        } else if state.role == .follower, state.writerURL != state.leaseWriterURL {
            cluster.become(.follower, writerURL: state.leaseWriterURL)
        }
        let held = cluster.current.heldShards
        if partitioned, held != cluster.current.owned { await own(held) }
    }

    /// Waits for recovery; false if it failed or the server is shutting down.
    func recovered() async -> Bool {
        while await sleepUnlessShuttingDown(for: .milliseconds(50)) {
            switch host.phase {
            case .ready, .degraded, .unavailable: return true
            case .failed: return false
            case .recovering: continue
            }
        }
        return false
    }

    /// Takes or renews the writer lease and records who holds it; false if the store could not be asked.
    private func checkLease() async -> Bool {
        let lease: Lease
        do {
            lease = try await store.acquireLease(
                Self.writerLease, holder: cluster.id, url: cluster.url, for: leaseTime)
        } catch {
            logger.warning("could not take or renew the writer lease", metadata: ["error": "\(error)"])
            return false
        }
        cluster.leases(writer: lease.holder == cluster.id, writerURL: lease.url)
        return lease.holder == cluster.id
    }

    /// This node took the lease: apply the log to its end, then commit writes after it.
    private func promote() async {
        do {
            try await catchUp()
        } catch {
            // Not writing behind the log's end: the loop's next turn tries again.
            logger.warning("took the writer lease but could not read the log", metadata: ["error": "\(error)"])
            return
        }
        await refreshMetadata()
        let applied = cluster.current.appliedSequence
        await pipeline.start(after: applied)
        cluster.become(.writer, writerURL: cluster.url)
        logger.notice("took the writer lease", metadata: ["node": "\(cluster.id)", "sequence": "\(applied)"])
    }

    /// This node lost the lease: stop committing, and rebuild from the log (the engine may hold batches
    /// applied but never committed).
    private func demote(to writer: String?) async {
        cluster.become(.follower, writerURL: writer)
        await pipeline.stopWriting()
        logger.warning("lost the writer lease; following", metadata: ["writer": "\(writer ?? "none")"])
        await rebuild()
    }

    /// A commit failed, or a rebuild could not read the log: the engine may hold what was never committed, or
    /// lack shards. Rebuild it before anything else (again at the next turn while storage cannot be read); the
    /// writer then commits after the log's end, once storage takes a probe write. A writer whose lease ran out
    /// meanwhile follows (the loop promotes it again once it holds the lease): left a writer that does not
    /// commit, it would refuse every write while holding the lease.
    private func rebuildAfterFailure() async {
        await pipeline.stopWriting()
        await rebuild()
        if case .unavailable = host.phase { return }
        let state = cluster.current
        guard state.role == .writer else { return }
        if state.holdsWriterLease {
            await pipeline.start(after: state.appliedSequence)
        } else {
            cluster.become(.follower, writerURL: state.leaseWriterURL)
            logger.warning("the writer lease ran out while storage was failing; following")
        }
    }

    /// A rebuilder of this node's engine from the store, applying `owned` (`nil`: every shard, as a lone node).
    func rebuilder(owning owned: Set<Int>?) -> EngineRebuilder {
        var rebuilder = EngineRebuilder(log: store, configuration: host.read { $0.configuration })
        rebuilder.run = ShardWorkers.onCores
        rebuilder.owned = owned
        return rebuilder
    }

    /// Applies the batches committed since this node's position (up to batch `last`).
    func catchUp(through last: Int64 = .max) async throws {
        // The rows of the shards the live engine applies (a shard gained is rebuilt apart, then adopted).
        let owned = host.read { $0.ownedShards }
        let tail = try await LogTail.read(store, after: cluster.current.appliedSequence, shards: owned)
        guard !tail.records.isEmpty else { return }
        guard !tail.needsRebuild else { return await rebuild() }
        for record in tail.records where record.sequence <= last {
            // One batch per hold of the engine: queries waiting for it go in between.
            let applied = host.mutateAfterReaders { engine in
                Result { try LogTail.apply(record.body, to: &engine, run: ShardWorkers.onCores) }
            }
            if case .failure(let error) = applied {
                logger.error("could not apply the log; rebuilding", metadata: ["error": "\(error)"])
                return await rebuild()
            }
            cluster.applied(record.sequence)
            if tail.checkpoints.contains(record.sequence) { offerShardSnapshot(at: record.sequence) }
        }
    }

    /// Rebuilds the engine's shards this node owns from the newest snapshot and the log (a backfilled metric
    /// definition changed history, this node stopped being the writer, or it took shards).
    func rebuild() async {
        // Unpartitioned, a node applies every shard with a lone node's rules (it may become the writer).
        let rebuilder = rebuilder(owning: partitioned ? cluster.current.owned : nil)
        do {
            let started = ContinuousClock.now
            let result = try await rebuilder.recover()
            host.replace(with: result.engine)
            cluster.applied(result.sequence)
            cluster.forgetCopies()
            logger.notice(
                "rebuilt this node's shards",
                metadata: [
                    "owned": "\(rebuilder.owned.map { "\($0.sorted())" } ?? "all")",
                    "snapshot": "\(result.fromSnapshot.map(String.init) ?? "none")",
                    "shard_snapshots": "\(result.shardSnapshotSummary)",
                    "entries": "\(result.replayedEntries)", "sequence": "\(result.sequence)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
            if case .unavailable = host.phase {
                // Served again once storage takes a probe write (the maintenance service's).
                host.phase = .degraded("the state was rebuilt from the log after a storage failure")
            }
        } catch {
            // The engine may hold what was never committed, or lack a shard: nothing is served until a rebuild
            // succeeds (the log's loop tries again at its next turn).
            let reason = "storage cannot be read (\(error))"
            if case .unavailable(let said) = host.phase, said == reason { return }
            host.phase = .unavailable(reason)
            logger.error("could not rebuild from the log; retrying", metadata: ["error": "\(error)"])
        }
    }

    /// SLO definitions and model documents change on the writer: read them again.
    private func refreshMetadata() async {
        do {
            try await registry.reload()
        } catch {
            logger.warning("could not read SLO definitions", metadata: ["error": "\(error)"])
        }
        documents.forgetAll()
    }

    private func report() async {
        var applied = cluster.current.appliedSequence
        if cluster.current.role == .writer {
            applied = await pipeline.lastCommitted
            cluster.applied(applied)
        }
        let node = NodeReport(
            id: cluster.id, url: cluster.url, role: cluster.current.role.rawValue, appliedSequence: applied)
        do {
            try await store.reportNode(node)
        } catch {
            logger.warning("could not report this node", metadata: ["error": "\(error)"])
        }
    }
}

/// Set when a commit of log batches was notified; the follower's loop consumes it.
final class LogWake: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .releasing) }

    /// Waits until a notification came (since the last wait) or `interval` passed; false when the server
    /// shuts down.
    func wait(upTo interval: Duration) async -> Bool {
        var waited = Duration.zero
        while !flag.exchange(false, ordering: .acquiringAndReleasing) && waited < interval {
            guard await sleepUnlessShuttingDown(for: ClusterService.wakeCheck) else { return false }
            waited += ClusterService.wakeCheck
        }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }
}
