import Foundation
import VigilCore

/// The base a rebuild with backfilled metrics starts from: the oldest complete state the store holds.
extension EngineRebuilder {
    /// The oldest whole snapshot (or an empty engine before the log's first batch). Once retention cut the log at
    /// a complete set of shard snapshots (see ``ShardSnapshotStore``), that set, read for the shards the engine
    /// owns: no whole snapshot holds the log's start then. (A node started without `--partition-shards` on such
    /// a log reads every shard from it, and applies them with a lone node's rules from then on.)
    func base() async throws -> Base {
        let oldestWhole = try await log.snapshotSequences().first
        if let store = log as? any ShardSnapshotStore,
            let set = try await store.shardSnapshots().oldestCompleteSet, let sequence = set.first?.sequence,
            sequence < oldestWhole ?? .max, try await logStarts(after: sequence),
            let every = set.map(\.shardCount).max(), case let wanted = owned ?? Set(0..<every)
        {
            var timing = (read: Duration.zero, decode: Duration.zero)
            if var engine = try await assemble(set, owning: wanted, from: store, timing: &timing) {
                if owned == nil { engine.own(nil) }
                // A complete set holds every shard there is.
                let shards = wanted.filter { $0 < every }
                return Base(
                    engine: engine, sequence: sequence,
                    shardSnapshots: Dictionary(uniqueKeysWithValues: shards.map { ($0, sequence) }),
                    snapshotRead: timing.read, snapshotDecode: timing.decode)
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        if let base = try await log.snapshot(newest: false) {
            let read = clock.now
            if let decoded = try EngineSnapshot.decode(base.body) {
                return Base(
                    engine: decoded, sequence: base.sequence, snapshotRead: read - started,
                    snapshotDecode: clock.now - read)
            }
        }
        return Base(engine: Engine(configuration: configuration), sequence: 0)
    }

    /// Where a rebuild from the base starts: the engine, its log position, the shards taken from shard
    /// snapshots (with each one's position), and the time spent reading and decoding snapshots.
    struct Base {
        var engine: Engine
        var sequence: Int64
        var shardSnapshots: [Int: Int64] = [:]
        var snapshotRead = Duration.zero
        var snapshotDecode = Duration.zero
    }

    /// Whether the log holds no batch at or before `sequence` (retention dropped them).
    private func logStarts(after sequence: Int64) async throws -> Bool {
        try await log.firstSequence().map { $0 > sequence } ?? true
    }

    /// The engine a complete set of shard snapshots (of one batch) holds, applying `owned`: the first snapshot
    /// gives what every node shares, and each shard `owned` names comes from the snapshot holding it. `nil` if a
    /// snapshot is gone or does not fit the others.
    func assemble(
        _ set: [ShardSnapshotInfo], owning owned: Set<Int>, from store: any ShardSnapshotStore,
        timing: inout (read: Duration, decode: Duration)
    ) async throws -> Engine? {
        var engine: Engine?
        var missing = owned.filter { k in set.contains { $0.shards.contains(k) } }
        for info in set {
            let wanted = missing.intersection(info.shards)
            guard engine == nil || !wanted.isEmpty else { continue }
            guard let part = try await load(.shards(info), from: store, timing: &timing) else { return nil }
            guard var assembled = engine else {
                var first = part
                first.own(owned)  // keeps the owned shards it holds, empties the others
                engine = first
                missing.subtract(info.shards)
                continue
            }
            for k in wanted.sorted() {
                guard assembled.adoptShard(k, from: part) else { return nil }
            }
            missing.subtract(wanted)
            engine = assembled
        }
        return missing.isEmpty ? engine : nil
    }
}
