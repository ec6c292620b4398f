import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import VigilCore
import VigilStore

/// Shards spread over the nodes: each node owns the engine shards `k` with `k % n == i` (the nodes alive,
/// sorted by id, `i` this node's place), holds a lease row per shard it owns, and reads the aggregates of the
/// others from their owners.
///
/// A shard changes hands only through its lease: a node gives up the shards it should no longer own at once,
/// and takes one only when its lease is free or has expired, so no two nodes apply a shard at the same time;
/// a dead node's shards are taken when their leases run out, within the lease time.
extension ClusterService {
    static func shardLease(_ k: Int) -> String { "shard-\(k)" }
    static let shardLeasePrefix = "shard-"

    /// How often a node reads the other shards' aggregates from their owners.
    static let pullInterval: Duration = .milliseconds(500)

    /// The shards this node should own when `nodes` are alive.
    static func assignment(shards: Int, nodes: [String], me: String) -> Set<Int> {
        let ids = Set(nodes + [me]).sorted()
        let i = ids.firstIndex(of: me)!
        return Set((0..<shards).filter { $0 % ids.count == i })
    }

    /// Takes, renews and gives up shard leases; the log's loop then applies the shards this node holds.
    func balanceShards() async {
        let count = host.read { $0.shardCount }
        let owned = cluster.current.heldShards
        do {
            let alive = try await store.nodes(seenWithin: leaseTime).map(\.id)
            let wanted = Self.assignment(shards: count, nodes: alive, me: cluster.id)
            var held = Set<Int>()
            for k in wanted.sorted() {
                let lease = try await store.acquireLease(
                    Self.shardLease(k), holder: cluster.id, url: cluster.url, for: leaseTime)
                if lease.holder == cluster.id { held.insert(k) }
            }
            for k in owned.subtracting(wanted) {
                try await store.releaseLease(Self.shardLease(k), holder: cluster.id)
            }
            cluster.hold(held)
            var owners: [Int: (id: String, url: String)] = [:]
            for (name, lease) in try await store.leases(prefix: Self.shardLeasePrefix) {
                if let k = Int(name.dropFirst(Self.shardLeasePrefix.count)) { owners[k] = (lease.holder, lease.url) }
            }
            cluster.owners(owners, shards: count)
        } catch {
            logger.warning("could not balance the shards", metadata: ["error": "\(error)"])
        }
    }

    /// Applies `held` from now on: shards given up are emptied; shards gained are rebuilt from the log (the
    /// writer stops committing meanwhile, so the rebuilt engine misses nothing).
    func own(_ held: Set<Int>) async {
        let gained = held.subtracting(cluster.current.owned)
        logger.notice(
            "shards changed hands",
            metadata: ["owned": "\(held.sorted())", "gained": "\(gained.sorted())", "node": "\(cluster.id)"])
        cluster.own(held)
        guard !gained.isEmpty else {
            host.mutate { $0.own(held) }
            return
        }
        let writing = cluster.current.role == .writer
        if writing {
            await pipeline.stopWriting()
            cluster.applied(await pipeline.lastCommitted)  // the writer's engine is at its last commit
        }
        if await !take(gained, keeping: held) { await rebuild() }
        if writing { await pipeline.start(after: cluster.current.appliedSequence) }
    }

    /// Takes `gained` into the live engine: those shards are rebuilt apart (from their newest snapshots and the
    /// log, as on a start), the live engine is brought to the same batch, and it adopts them — so the shards
    /// this node already owns are not rebuilt. False when that could not be done: the caller then rebuilds
    /// every shard this node owns.
    private func take(_ gained: Set<Int>, keeping held: Set<Int>) async -> Bool {
        // An engine that may hold batches never committed is rebuilt whole.
        guard case .ready = host.phase else { return false }
        let rebuilder = rebuilder(owning: gained)
        let started = ContinuousClock.now
        let part: EngineRebuilder.Result
        do {
            part = try await rebuilder.recover()
            try await catchUp(through: part.sequence)
        } catch {
            logger.warning("could not rebuild the shards gained; rebuilding all", metadata: ["error": "\(error)"])
            return false
        }
        guard cluster.current.appliedSequence == part.sequence else { return false }
        // A shard that does not fit (it cannot happen unless the log changed under the rebuild) leaves the
        // engine partly adopted: the caller's whole rebuild replaces it.
        let adopted = host.mutate { engine in
            guard gained.allSatisfy({ engine.adoptShard($0, from: part.engine) }) else { return false }
            engine.own(held)
            return true
        }
        guard adopted else { return false }
        logger.notice(
            "rebuilt the shards gained",
            metadata: [
                "gained": "\(gained.sorted())", "owned": "\(held.sorted())",
                "shard_snapshots": "\(part.shardSnapshotSummary)", "entries": "\(part.replayedEntries)",
                "sequence": "\(part.sequence)", "duration": "\(ContinuousClock.now - started)",
            ])
        return true
    }

    /// Reads the other shards' aggregates every ``pullInterval``, apart from the log's loop (a read takes as
    /// long as the owner's encoding and the transfer).
    func keepPulling() async {
        guard partitioned, await recovered() else { return }
        repeat {
            await pullShards()
        } while await sleepUnlessShuttingDown(for: Self.pullInterval)
    }

    /// Reads the aggregates of every shard another node owns whose owner moved on since the last read.
    func pullShards() async {
        let generation = cluster.current.copies
        for (k, shard) in cluster.current.remote.sorted(by: { $0.key < $1.key }) {
            guard let url = shard.url, shard.owner != cluster.id else { continue }
            var request = HTTPClientRequest(url: "\(url)/v1/cluster/shards/\(k)?after=\(shard.sequence ?? -1)")
            if let secret = peerSecret { request.headers.add(name: "Authorization", value: "Bearer \(secret)") }
            do {
                let response = try await WriteForwarding.forwarder.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: Self.maxShardBytes)
                guard
                    let sequence = response.headers.first(name: ShardRoutes.sequenceHeader.rawName).flatMap(Int64.init)
                else { continue }
                switch response.status.code {
                case 200:
                    let part = try BinaryDecoder().decode(ShardAggregates.self, from: Data(body.readableBytesView))
                    // A copy from an owner ahead of this node loses the series this node does not know yet:
                    // it counts as of this node's position, so it is read again once the owner moves on.
                    let here = cluster.current.appliedSequence
                    host.mutateAfterReaders { $0.importAggregates(part, intoShard: k) }
                    cluster.fetched(k, at: min(sequence, here), generation: generation)
                case 304:
                    cluster.fetched(k, at: sequence, generation: generation)
                default:
                    continue
                }
            } catch {
                logger.debug("could not read a shard", metadata: ["shard": "\(k)", "error": "\(error)"])
            }
        }
    }

    /// The largest shard's aggregates a node reads from another.
    static let maxShardBytes = 1 << 30
}
