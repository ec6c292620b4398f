import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// Shard snapshots: which snapshot a rebuild reads each shard from, and, on PostgreSQL, that a node put together
/// from two nodes' snapshots taken at different batches equals one engine that applied the whole log.
@Suite struct ShardSnapshotTests {
    static func info(_ sequence: Int64, _ node: String, _ shards: [Int]) -> ShardSnapshotInfo {
        ShardSnapshotInfo(
            sequence: sequence, node: node, shards: shards, shardCount: 4, createdAt: Timestamp(milliseconds: 0),
            size: 0)
    }

    @Test func eachShardComesFromTheNewestSnapshotHoldingIt() throws {
        let (a, b, c) = (Self.info(10, "a", [0, 1]), Self.info(30, "b", [2, 3]), Self.info(20, "c", [1]))
        let plan = try #require(ShardSnapshotPlan(owned: [0, 1, 2], whole: 5, shardSnapshots: [a, b, c], since: 0))
        #expect(plan.start == .shards(a) && plan.startShards == [0])
        #expect(plan.adoptions.map(\.source) == [.shards(c), .shards(b)])
        #expect(plan.adoptions.map(\.shards) == [[1], [2]])

        // A whole snapshot newer than a shard's gives that shard; a node owning nothing starts from the newest.
        let newer = try #require(ShardSnapshotPlan(owned: [0, 2], whole: 25, shardSnapshots: [a, b, c], since: 0))
        #expect(newer.start == .whole(25) && newer.startShards == [0] && newer.adoptions.map(\.shards) == [[2]])
        let none = try #require(ShardSnapshotPlan(owned: [], whole: 25, shardSnapshots: [a, b, c], since: 0))
        #expect(none.start == .shards(b) && none.startShards.isEmpty && none.adoptions.isEmpty)
        // A lone node's stand-in for "every shard" asks only for the shards there are.
        let all = try #require(ShardSnapshotPlan(owned: Set(0..<64), whole: 5, shardSnapshots: [a, b], since: 0))
        #expect(all.start == .shards(a) && all.startShards == [0, 1] && all.adoptions.map(\.shards) == [[2, 3]])
    }

    @Test func withoutASnapshotForEveryShardTheRebuildStartsAsALoneNodes() {
        let a = Self.info(10, "a", [0, 1])
        #expect(ShardSnapshotPlan(owned: [0, 2], whole: nil, shardSnapshots: [a], since: 0) == nil)
        #expect(ShardSnapshotPlan(owned: [0], whole: nil, shardSnapshots: [], since: 0) == nil)
        // Snapshots older than a backfill's rebuild do not count.
        #expect(ShardSnapshotPlan(owned: [0], whole: nil, shardSnapshots: [a], since: 11) == nil)
    }

    @Test func theOldestCompleteSetIsTheFirstBatchWhoseSnapshotsHoldEveryShard() {
        // Batch 10 lacks shard 3 (node b's save did not happen); 20 holds all four, from two nodes; so does 30.
        let infos = [
            Self.info(30, "a", [0, 1, 2, 3]), Self.info(20, "b", [2, 3]), Self.info(20, "a", [0, 1]),
            Self.info(10, "a", [0, 1]), Self.info(10, "c", [2]),
        ]
        #expect(infos.oldestCompleteSet == [Self.info(20, "a", [0, 1]), Self.info(20, "b", [2, 3])])
        #expect(infos.completeSets.map { $0.map(\.sequence) } == [[20, 20], [30]])
        #expect(Array(infos.suffix(2)).oldestCompleteSet == nil)
        #expect([ShardSnapshotInfo]().oldestCompleteSet == nil)
    }

    static let postgres = StoreBackend.postgres.map { [$0] } ?? []

    /// The tests' events, appended to `store` in batches of 100 (sequences 1, 2, …); returns them and the number
    /// of batches.
    static func logEvents(to store: any Store) async throws -> (entries: [LogEntry], batches: Int) {
        let all = EngineRebuilderTests.events(count: 3000)
        let batches = stride(from: 0, to: all.count, by: 100).map { Array(all[$0..<min($0 + 100, all.count)]) }
        try await store.append(batches.enumerated().map { StoreContractTests.record(Int64($0 + 1), $1) })
        return (all, batches.count)
    }

    /// The engine of a node that owns `owned` after applying `entries`, as a snapshot would hold it.
    static func node(_ owned: Set<Int>, _ entries: ArraySlice<LogEntry>) -> Engine {
        var engine = Engine(configuration: configuration)
        engine.own(owned)
        for e in entries { engine.apply(e) }
        return engine
    }

    static let configuration = {
        var configuration = EngineConfiguration()
        configuration.shards = 4
        return configuration
    }()

    @Test(arguments: postgres)
    func aNodePutTogetherFromTwoNodesSnapshotsAnswersAsOneEngine(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let shared = try #require(store as? any ShardSnapshotStore)
            let (all, _) = try await Self.logEvents(to: store)
            var whole = Engine(configuration: Self.configuration)
            for e in all { whole.apply(e) }
            let t = Timestamp(milliseconds: 0)
            // Node a saves shards 0 and 1 after batch 8, then after batch 12 (the first is then dropped); node b
            // saves shards 2 and 3 after batch 20; a whole snapshot after batch 5 is older than all of them.
            try await store.saveSnapshot(sequence: 5, createdAt: t, engine: Engine(configuration: Self.configuration))
            try await shared.saveShardSnapshot(
                sequence: 8, node: "a", createdAt: t, engine: Self.node([0, 1], all[..<800]))
            try await shared.saveShardSnapshot(
                sequence: 12, node: "a", createdAt: t, engine: Self.node([0, 1], all[..<1200]))
            var b = Self.node([2, 3], all[..<2000])
            b.importAggregates(whole.aggregates(ofShard: 0), intoShard: 0)  // a copy it merged: not saved
            try await shared.saveShardSnapshot(sequence: 20, node: "b", createdAt: t, engine: b)
            #expect(try await shared.shardSnapshots().map(\.sequence) == [20, 12])
            #expect(try await shared.shardSnapshots().map(\.shards) == [[2, 3], [0, 1]])

            var rebuilder = EngineRebuilder(log: store, configuration: Self.configuration)
            rebuilder.owned = [0, 1, 2, 3]
            let result = try await rebuilder.recover()
            #expect(result.fromSnapshot == 12 && result.replayedEntries == all.count - 1200)
            #expect(result.shardSnapshots == [0: 12, 1: 12, 2: 20, 3: 20])
            #expect(result.engine.ownedShards == [0, 1, 2, 3])
            #expect(try EngineRebuilderTests.values(result.engine) == EngineRebuilderTests.values(whole))
            #expect(result.engine.statistics == whole.statistics)

            // A node taking over only shard 3 holds its join alone, and what every node shares.
            rebuilder.owned = [3]
            let taker = try await rebuilder.recover().engine
            #expect(taker.shardCount == 4 && taker.ownedShards == [3] && taker.watermark == whole.watermark)
            #expect(taker.statistics.pendingPredictions == whole.aggregates(ofShard: 3).statistics.pendingPredictions)

            // Retention to a whole snapshot after batch 15 drops the shard snapshots before it.
            try await store.saveSnapshot(sequence: 15, createdAt: t, engine: Self.node([0, 1, 2, 3], all[..<1500]))
            #expect(try await store.prune(olderThan: Timestamp(milliseconds: .max)) == 15)
            #expect(try await shared.shardSnapshots().map(\.sequence) == [20])
        }
    }

    /// The owners' snapshots of one checkpoint hold the whole engine: they are kept while newer ones hold their
    /// shards, retention cuts the log there, and a rebuild from the base (a backfill) starts from them.
    @Test(arguments: postgres)
    func retentionCutsTheLogAtACompleteSetAndARebuildFromTheBaseStartsThere(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let shared = try #require(store as? any ShardSnapshotStore)
            let (all, batches) = try await Self.logEvents(to: store)
            let definition = LogEntry.defineMetric(
                model: "m", name: "high", expression: "sum(score > 0.8 and label == 1) / sum(label == 1)",
                backfill: true)
            let last = Int64(batches + 1)
            try await store.append([StoreContractTests.record(last, [definition])])
            let t = Timestamp(milliseconds: 0)
            func save(_ sequence: Int64, _ node: String, _ shards: Set<Int>) async throws {
                try await shared.saveShardSnapshot(
                    sequence: sequence, node: node, createdAt: t,
                    engine: Self.node(shards, all[..<(100 * Int(sequence))]))
            }
            // Complete sets at batches 10 and 20; then node a alone at 25 (b's save of 25 did not happen).
            for sequence: Int64 in [10, 20] {
                try await save(sequence, "a", [0, 1])
                try await save(sequence, "b", [2, 3])
            }
            try await save(25, "a", [0, 1])
            // Newer snapshots hold every shard of 10's, but a complete set is kept.
            #expect(try await shared.shardSnapshots().map(\.sequence) == [25, 20, 20, 10, 10])
            #expect(try await shared.shardSnapshots().oldestCompleteSet?.map(\.sequence) == [10, 10])

            // Every batch is older than the cutoff: the log is cut at the newest complete set, not at 25.
            #expect(try await store.prune(olderThan: Timestamp(milliseconds: .max)) == 20)
            #expect(try await store.count().batches == batches + 1 - 20)
            #expect(try await shared.shardSnapshots().map(\.sequence) == [25, 20, 20])

            // The backfill's rebuild starts from the set at 20 with the definition applied there, as an engine
            // that applied the first 20 batches, the definition, then the rest.
            var expected = Self.node([0, 1, 2, 3], all[..<2000])
            expected.apply(definition)
            for e in all[2000...] { expected.apply(e) }
            var rebuilder = EngineRebuilder(log: store, configuration: Self.configuration)
            rebuilder.owned = [0, 1, 2, 3]
            let result = try await rebuilder.rebuildFromBase()
            #expect(result.fromSnapshot == 20 && result.sequence == last)
            #expect(result.shardSnapshots == [0: 20, 1: 20, 2: 20, 3: 20])
            #expect(result.snapshotRead > .zero && result.snapshotDecode > .zero)
            #expect(result.replayedEntries == all.count - 2000 + 1)
            #expect(
                try EngineRebuilderTests.values(result.engine, ["high"])
                    == EngineRebuilderTests.values(expected, ["high"]))
            #expect(result.engine.statistics == expected.statistics)

            // A node started without partitioned shards reads every shard from the set, with a lone node's rules.
            rebuilder.owned = nil
            let lone = try await rebuilder.rebuildFromBase()
            #expect(lone.fromSnapshot == 20 && lone.engine.ownedShards == nil)
            #expect(
                try EngineRebuilderTests.values(lone.engine, ["high"])
                    == EngineRebuilderTests.values(expected, ["high"]))

            // A node owning shard 2 alone reads b's snapshot for it.
            rebuilder.owned = [2]
            let part = try await rebuilder.rebuildFromBase().engine
            #expect(part.ownedShards == [2] && part.watermark == expected.watermark)
            #expect(part.statistics.pendingPredictions == expected.aggregates(ofShard: 2).statistics.pendingPredictions)
        }
    }
}
