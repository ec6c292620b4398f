import Foundation
import VigilCore

/// A rebuild of part of the shards from shard snapshots (see ``ShardSnapshotPlan``).
extension EngineRebuilder {
    /// A shard to adopt during the replay: from `engine` (a snapshot's), once the log reaches `sequence`.
    struct Adoption {
        var sequence: Int64
        var shard: Int
        var engine: Engine
    }

    /// A snapshot's shard that did not fit the replayed engine at its batch (it cannot happen unless the log
    /// changed under the snapshot): the rebuild starts again from a whole snapshot.
    struct AdoptionMismatch: Error, CustomStringConvertible {
        var adoption: Adoption
        var description: String {
            "shard \(adoption.shard) of the snapshot at \(adoption.sequence) does not fit the log"
        }
    }

    /// The engine put together as `plan` says; `nil` when a snapshot it names is gone (a newer one was saved
    /// meanwhile).
    /// - Throws: ``AdoptionMismatch`` when a snapshot's shard does not fit the replayed engine at its batch.
    func recover(_ plan: ShardSnapshotPlan, from store: any ShardSnapshotStore) async throws -> Result? {
        var timing = (read: Duration.zero, decode: Duration.zero)
        guard let start = try await load(plan.start, from: store, timing: &timing) else { return nil }
        var adoptions: [Adoption] = []
        for (source, shards) in plan.adoptions {
            guard var engine = try await load(source, from: store, timing: &timing) else { return nil }
            engine.own(shards)  // only the adopted shards stay in memory during the replay
            adoptions += shards.sorted().map { Adoption(sequence: source.sequence, shard: $0, engine: engine) }
        }
        var result = try await replay(
            into: start, after: plan.start.sequence, hoisted: [:], owning: plan.startShards, adoptions: adoptions)
        result.snapshotRead = timing.read
        result.snapshotDecode = timing.decode
        for (source, shards) in [(plan.start, plan.startShards)] + plan.adoptions {
            guard case .shards(let info) = source else { continue }
            for k in shards { result.shardSnapshots[k] = info.sequence }
        }
        return result
    }

    /// The engine a snapshot holds, or `nil` if it is gone or of another format version.
    func load(
        _ source: ShardSnapshotPlan.Source, from store: any ShardSnapshotStore,
        timing: inout (read: Duration, decode: Duration)
    ) async throws -> Engine? {
        let clock = ContinuousClock()
        let started = clock.now
        let stored: StoredSnapshot?
        switch source {
        case .whole(let sequence):
            stored = try await log.snapshot(newest: true).flatMap { $0.sequence == sequence ? $0 : nil }
        case .shards(let info):
            stored = try await store.shardSnapshot(info)
        }
        let read = clock.now
        timing.read += read - started
        guard let stored else { return nil }
        defer { timing.decode += clock.now - read }
        return try EngineSnapshot.decode(stored.body)
    }
}
