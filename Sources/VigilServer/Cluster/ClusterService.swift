import Logging
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilStore

/// Runs a node among several sharing one store (PostgreSQL): takes or renews the writer lease every third
/// of the lease time, and, while it does not hold it, tails the log the writer commits so its engine answers
/// as the writer's does (woken by PostgreSQL's NOTIFY at each commit, and reading at least every second). A
/// node that takes the lease first applies the log to its end, then commits writes; one that loses it stops
/// committing and rebuilds from the log. Every node reports itself (role, log
/// position) for `GET /v1/cluster`.
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
    let logger: Logger

    static let writerLease = "writer"
    /// How often a follower reads the log when no commit woke it (a missed notification, a broken listener).
    static let tailInterval: Duration = .seconds(1)
    /// How often the loop looks whether a commit woke it.
    static let wakeCheck: Duration = .milliseconds(10)

    func run() async throws {
        let woken = LogWake()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await listen(woken) }
            try await follow(woken)
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

    private func follow(_ woken: LogWake) async throws {
        guard await recovered() else { return }
        cluster.applied(await pipeline.lastCommitted)
        await pipeline.stopWriting()  // until this node takes the writer lease
        var lastRenewal = ContinuousClock.now
        var nextLeaseCheck = ContinuousClock.now
        var readFailing = false
        repeat {
            if ContinuousClock.now >= nextLeaseCheck {
                nextLeaseCheck = ContinuousClock.now + leaseTime / 3
                if await checkLease() {
                    lastRenewal = ContinuousClock.now
                } else if cluster.current.role == .writer, ContinuousClock.now - lastRenewal >= leaseTime {
                    // The lease could not be renewed and has run out: another node may hold it now.
                    await demote(to: nil)
                }
                await report()
                if cluster.current.role == .follower { await refreshMetadata() }
            }
            if cluster.current.role == .follower {
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
            }
        } while await woken.wait(upTo: min(Self.tailInterval, max(.zero, nextLeaseCheck - ContinuousClock.now)))
        if cluster.current.role == .writer {
            try? await store.releaseLease(Self.writerLease, holder: cluster.id)
        }
    }

    /// Waits for recovery; false if it failed or the server is shutting down.
    private func recovered() async -> Bool {
        while await sleepUnlessShuttingDown(for: .milliseconds(50)) {
            switch host.phase {
            case .ready, .degraded: return true
            case .failed: return false
            case .recovering: continue
            }
        }
        return false
    }

    /// Takes or renews the writer lease and acts on who holds it; false if the store could not be asked.
    private func checkLease() async -> Bool {
        let lease: Lease
        do {
            lease = try await store.acquireLease(
                Self.writerLease, holder: cluster.id, url: cluster.url, for: leaseTime)
        } catch {
            logger.warning("could not take or renew the writer lease", metadata: ["error": "\(error)"])
            return false
        }
        if lease.holder == cluster.id {
            if cluster.current.role != .writer { await promote() }
        } else if cluster.current.role == .writer {
            await demote(to: lease.url)
        } else {
            cluster.become(.follower, writerURL: lease.url)
        }
        return lease.holder == cluster.id
    }

    /// This node took the lease: apply the log to its end, then commit writes after it.
    private func promote() async {
        do {
            try await catchUp()
        } catch {
            // Not writing behind the log's end: the next lease check (which renews the lease) tries again.
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

    /// Applies the batches committed since this node's position.
    private func catchUp() async throws {
        let tail = try await LogTail.read(store, after: cluster.current.appliedSequence)
        guard !tail.records.isEmpty else { return }
        guard !tail.needsRebuild else { return await rebuild() }
        for record in tail.records {
            // One batch per hold of the engine: queries waiting for it go in between.
            let applied = host.mutateAfterReaders { engine in
                Result { try LogTail.apply(record.body, to: &engine, run: ShardWorkers.onCores) }
            }
            if case .failure(let error) = applied {
                logger.error("could not apply the log; rebuilding", metadata: ["error": "\(error)"])
                return await rebuild()
            }
            cluster.applied(record.sequence)
        }
    }

    /// Rebuilds the engine from the newest snapshot and the log (a backfilled metric definition changed
    /// history, or this node stopped being the writer).
    private func rebuild() async {
        var rebuilder = EngineRebuilder(log: store, configuration: host.read { $0.configuration })
        rebuilder.run = ShardWorkers.onCores
        do {
            let result = try await rebuilder.recover()
            host.replace(with: result.engine)
            cluster.applied(result.sequence)
        } catch {
            logger.error("could not rebuild from the log", metadata: ["error": "\(error)"])
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
