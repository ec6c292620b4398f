import Foundation
import Testing

@testable import VigilCore

/// Property: nodes that each own part of the shards — one taking the writes, the others applying what it
/// logged — answer, once each merges the others' shard aggregates, exactly as one engine holding every shard;
/// and each holds only its own shards' join.
struct ShardOwnershipTests {
    typealias Fixture = ShardEquivalenceTests

    /// The taxi fixture's rows with repeats, corrections, orphans and shadows (shadows only after their served
    /// prediction: a shadow before it is refused by a whole engine, dropped by its owner in a cluster).
    static func events() -> [VigilCore.Event] {
        let shuffled = Fixture.events(
            TaxiProfiles.predictions(), VigilCoreTests.Fixture.feedback("taxi"), labels: [.number(0), .number(1)],
            seed: 5)
        var served = Set<String>()
        return shuffled.compactMap { (e) -> VigilCore.Event? in
            switch e {
            case .prediction(let p) where p.shadow: return served.contains(p.id) ? .prediction(p) : nil
            case .prediction(let p):
                served.insert(p.id)
                return .prediction(p)
            case .feedback(let f): return .feedback(f)
            }
        }
    }

    static func engine(shards: Int, owning owned: Set<Int>?) throws -> Engine {
        var configuration = EngineConfiguration()
        configuration.shards = shards
        var engine = Engine(configuration: configuration)
        engine.own(owned)
        try engine.defineMetric("long_trip_recall", on: "taxi-tip", Fixture.taxiRecall)
        return engine
    }

    /// Ingests `events` in batches of random sizes; returns the rows a node taking writes logs (every row
    /// accepted) in order.
    static func ingest(_ events: [VigilCore.Event], into engine: inout Engine, seed: UInt64) -> [VigilCore.Event] {
        var rng = SplitMix64(seed: seed)
        var logged: [VigilCore.Event] = []
        var i = 0
        while i < events.count {
            let batch = Array(events[i..<min(events.count, i + Int.random(in: 1...300, using: &rng))])
            i += batch.count
            for (event, result) in zip(batch, engine.ingest(batch, run: Engine.sequentially)) {
                if case .success = result { logged.append(event) }
            }
        }
        return logged
    }

    @Test func nodesOwningPartOfTheShardsAnswerAsOneEngine() throws {
        let events = Self.events()
        var whole = try Self.engine(shards: 4, owning: nil)
        _ = Self.ingest(events, into: &whole, seed: 1)
        var writer = try Self.engine(shards: 4, owning: [0])
        let log = Self.ingest(events, into: &writer, seed: 2)
        var first = try Self.engine(shards: 4, owning: [1, 2])
        var second = try Self.engine(shards: 4, owning: [3])
        #expect(Self.ingest(log, into: &first, seed: 3).count == log.count, "a logged row is never refused")
        _ = Self.ingest(log, into: &second, seed: 4)

        let nodes = [writer, first, second]
        // Parts travel between nodes encoded.
        let (encoder, decoder) = (JSONEncoder(), JSONDecoder())
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var parts: [Int: ShardAggregates] = [:]
        for node in nodes {
            for k in node.ownedShards! {
                parts[k] = try decoder.decode(ShardAggregates.self, from: encoder.encode(node.aggregates(ofShard: k)))
            }
        }
        for node in nodes {
            #expect(node.watermark == whole.watermark)
            for k in 0..<4 {
                #expect(node.shards[k].join.count == (node.ownedShards!.contains(k) ? whole.shards[k].join.count : 0))
            }
            let merged = node.merging(parts)
            Fixture.expectSameAnswers(
                whole, merged, model: "taxi-tip", segment: Segment(key: "payment_type", value: "card"))
            let drift = try merged.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
            let expected = try whole.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
            #expect(
                DriftReport(reference: TaxiProfiles.reference(), current: drift).columns.map(\.psi)
                    == DriftReport(reference: TaxiProfiles.reference(), current: expected).columns.map(\.psi))
            let version = try #require(whole.modelSummary("taxi-tip").versions.first)
            #expect(
                try merged.shadowComparison(model: "taxi-tip", shadow: "shadow", primary: version)
                    == whole.shadowComparison(model: "taxi-tip", shadow: "shadow", primary: version))
        }
    }

    static let t = Timestamp(milliseconds: 1_700_000_000_000)

    /// A prediction `p1`, its exact repeat, a repeat with another score, and a label (7) a binary model refuses.
    static let repeats: [VigilCore.Event] = {
        let p = Prediction(
            id: "p1", time: t, model: "taxi-tip", version: "v1", score: .probability(0.8), prediction: .number(1))
        var conflicting = p
        conflicting.score = .probability(0.1)
        return [
            .prediction(p), .prediction(p), .prediction(conflicting),
            .feedback(Feedback(id: "p1", time: t + .seconds(60), label: .number(7))),
        ]
    }()

    @Test func aNodeTakingWritesForAShardItDoesNotOwnAcceptsWhatTheOwnerDrops() throws {
        var writer = try Self.engine(shards: 4, owning: [])
        let (t, rows) = (Self.t, Self.repeats)
        let outcomes = rows.map { e in
            switch e {
            case .prediction(let p): try? writer.ingest(p)
            case .feedback(let f): try? writer.ingest(f)
            }
        }
        #expect(outcomes == [.accepted, .accepted, .accepted, .accepted])
        #expect(writer.watermark == t + .seconds(60))
        var owner = try Self.engine(shards: 4, owning: [writer.shard(ofId: "p1")])
        let applied = owner.ingest(rows, run: Engine.sequentially).map { try? $0.get() }
        #expect(applied == [.stored, .duplicate, .accepted, .accepted])
        #expect(owner.watermark == writer.watermark)
        #expect(owner.statistics.duplicatePredictions == 1 && owner.statistics.conflictingPredictions == 1)
        #expect(owner.prediction("p1")?.label == nil, "the label 7 of a binary model is dropped")
    }

    /// A writer owning every shard decides rows as a lone server: it refuses the conflicting repeat and the bad
    /// label, and finds the repeat a duplicate. What it accepted, replayed under the cluster's rules by a node
    /// owning every shard and by one owning none, gives its state.
    @Test func aWriterOwningEveryShardDecidesAsALoneServer() throws {
        var writer = try Self.engine(shards: 4, owning: [0, 1, 2, 3])
        let t = Self.t
        let rows = Self.repeats + [.feedback(Feedback(id: "p1", time: t + .seconds(90), label: .number(1)))]
        writer.decidesAlone = true
        #expect(!writer.ownsPart)
        let outcomes = writer.ingest(rows, run: Engine.sequentially).map { try? $0.get() }
        writer.decidesAlone = false
        #expect(outcomes == [.stored, .duplicate, nil, nil, .labeled])
        #expect(writer.statistics.duplicatePredictions == 1 && writer.watermark == t + .seconds(90))
        // The pipeline logs the stored prediction and the label only.
        let logged = [rows[0], rows[4]]
        var replayed = try Self.engine(shards: 4, owning: [0, 1, 2, 3])
        var bystander = try Self.engine(shards: 4, owning: [])
        #expect(replayed.ownsPart && bystander.ownsPart)
        #expect(replayed.ingest(logged, run: Engine.sequentially).map { try? $0.get() } == [.stored, .labeled])
        _ = bystander.ingest(logged, run: Engine.sequentially)
        #expect(replayed.prediction("p1")?.label == .number(1) && replayed.watermark == writer.watermark)
        #expect(bystander.watermark == writer.watermark)
        #expect(try replayed.metrics(model: "taxi-tip").values == writer.metrics(model: "taxi-tip").values)
    }
}

extension ShardOwnershipTests {
    /// A node reads the other shards' aggregates again and again while both it and the owners apply the log;
    /// once all are at its end, its answers are one engine's.
    @Test func copiesReadWhileTheLogIsAppliedEndAsOneEngine() throws {
        let events = Self.events()
        var whole = try Self.engine(shards: 4, owning: nil)
        _ = Self.ingest(events, into: &whole, seed: 1)
        var owner = try Self.engine(shards: 4, owning: [1, 2, 3])
        let log = Self.ingest(events, into: &owner, seed: 2)
        var reader = try Self.engine(shards: 4, owning: [0])
        var rng = SplitMix64(seed: 9)
        var i = 0
        while i < log.count {
            let batch = Array(log[i..<min(log.count, i + Int.random(in: 1...500, using: &rng))])
            i += batch.count
            _ = reader.ingest(batch, run: Engine.sequentially)
            for k in 1..<4 { reader.importAggregates(owner.aggregates(ofShard: k), intoShard: k) }
        }
        for k in 1..<4 { reader.importAggregates(owner.aggregates(ofShard: k), intoShard: k) }
        Fixture.expectSameAnswers(whole, reader, model: "taxi-tip", segment: nil)
    }
}

extension ShardOwnershipTests {
    /// An engine as a snapshot gives it back: encoded and decoded (which forgets what it owns).
    static func snapshot(_ engine: Engine) throws -> Engine {
        let (encoder, decoder) = (JSONEncoder(), JSONDecoder())
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(Engine.self, from: encoder.encode(engine.ownedPart))
    }

    /// A node starting from one node's shard snapshot, replaying the log after it and adopting the other shards
    /// from another node's snapshot taken later, answers as one engine that applied the whole log.
    @Test func shardsAdoptedFromSnapshotsAtTwoPointsOfTheLogAnswerAsOneEngine() throws {
        let events = Self.events()
        var whole = try Self.engine(shards: 4, owning: nil)
        _ = Self.ingest(events, into: &whole, seed: 1)
        var writer = try Self.engine(shards: 4, owning: [])
        let log = Self.ingest(events, into: &writer, seed: 2)
        let (early, late) = (log.count / 3, 2 * log.count / 3)

        var first = try Self.engine(shards: 4, owning: [0, 1])
        _ = Self.ingest(Array(log[..<early]), into: &first, seed: 3)
        first.importAggregates(whole.aggregates(ofShard: 2), intoShard: 2)  // a copy, which a snapshot leaves out
        var second = try Self.engine(shards: 4, owning: [2, 3])
        _ = Self.ingest(Array(log[..<late]), into: &second, seed: 4)
        let (firstSaved, secondSaved) = (try Self.snapshot(first), try Self.snapshot(second))
        #expect(
            firstSaved.shards[2].join.count == 0 && firstSaved.shards[2].series.allSatisfy { $0.days.bucketCount == 0 })

        var node = firstSaved
        node.own([0, 1])
        _ = Self.ingest(Array(log[early..<late]), into: &node, seed: 5)
        let misfit = node.adoptShard(2, from: try Self.engine(shards: 4, owning: nil))
        #expect(!misfit, "a snapshot from before the first prediction does not fit")
        let adopted = [node.adoptShard(2, from: secondSaved), node.adoptShard(3, from: secondSaved)]
        #expect(adopted == [true, true])
        _ = Self.ingest(Array(log[late...]), into: &node, seed: 6)

        #expect(node.ownedShards == [0, 1, 2, 3])
        #expect(node.shards.map(\.join.count) == whole.shards.map(\.join.count))
        #expect(node.statistics.duplicatePredictions == whole.statistics.duplicatePredictions)
        Fixture.expectSameAnswers(
            whole, node, model: "taxi-tip", segment: Segment(key: "payment_type", value: "card"))
    }
}
