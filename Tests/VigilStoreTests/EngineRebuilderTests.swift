import Foundation
import Testing
import VigilCore
import VigilStore

/// Snapshots and rebuilds give the same engine as applying the events directly.
@Suite struct EngineRebuilderTests {
    /// A seeded stream of binary predictions with late, corrected and orphan feedback.
    static func events(count: Int) -> [LogEntry] {
        var rng = SplitMix64(seed: 7)
        var entries: [LogEntry] = []
        let start: Int64 = 1_700_000_000_000
        for i in 0..<count {
            let t = start + Int64(i) * 60_000
            let score = Double(rng.next() % 10_000) / 10_000
            let p = Prediction(
                id: "p\(i)", time: Timestamp(milliseconds: t), model: "m", version: i % 3 == 0 ? "v2" : "v1",
                segments: ["region": i % 2 == 0 ? "eu" : "us"], features: ["x": .number(Double(i % 17))],
                score: .probability(score), prediction: .number(score >= 0.5 ? 1 : 0))
            let label = Feedback(
                id: "p\(i)", time: Timestamp(milliseconds: t + 3_600_000), label: .number(Double(rng.next() % 2)))
            if i % 11 == 0 { entries.append(.feedback(label)) }  // orphan first
            entries.append(.prediction(p))
            if i % 11 != 0 && i % 5 != 0 { entries.append(.feedback(label)) }
            if i % 13 == 0 {
                entries.append(
                    .feedback(Feedback(id: "p\(i)", time: Timestamp(milliseconds: t + 7_200_000), label: .number(1))))
            }
        }
        return entries
    }

    static let names = ["accuracy", "precision", "recall", "roc_auc", "log_loss", "label_coverage"]

    static func values(_ engine: Engine, _ extra: [String] = []) throws -> [String: MetricValue] {
        try engine.metrics(model: "m", names: names + extra).values
    }

    @Test func snapshotRoundTripKeepsEveryValue() throws {
        var engine = Engine()
        try engine.defineMetric("high", on: "m", "sum(score > 0.8 and label == 1) / sum(label == 1)")
        let all = Self.events(count: 3000)
        for e in all[..<2000] { engine.apply(e) }
        let bytes = try EngineSnapshot.encode(engine)
        var restored = try #require(try EngineSnapshot.decode(Data(bytes)))
        #expect(try Self.values(restored, ["high"]) == Self.values(engine, ["high"]))
        // The restored engine keeps working exactly like the original (join, orphans, custom slots).
        for e in all[2000...] {
            engine.apply(e)
            restored.apply(e)
        }
        #expect(try Self.values(restored, ["high"]) == Self.values(engine, ["high"]))
        #expect(restored.statistics == engine.statistics)
        #expect(
            try restored.metrics(model: "m", version: "v2", segment: Segment(key: "region", value: "eu")).values
                == engine.metrics(model: "m", version: "v2", segment: Segment(key: "region", value: "eu")).values)
    }

    static func log(_ entries: [LogEntry], batch: Int = 100) async throws -> SQLiteStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rebuild-\(UUID().uuidString)")
            .path
        let log = try SQLiteStore(StoreConfiguration(directory: dir, synchronous: .off))
        var records: [LogRecord] = []
        var seq: Int64 = 0
        for start in stride(from: 0, to: entries.count, by: batch) {
            seq += 1
            records.append(StoreContractTests.record(seq, Array(entries[start..<min(start + batch, entries.count)])))
        }
        try await log.append(records)
        return log
    }

    @Test func recoveryFromSnapshotPlusTailEqualsDirectApplication() async throws {
        let all = Self.events(count: 2000)
        let log = try await Self.log(all)
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        var direct = Engine()
        var atSnapshot = Engine()
        for (k, e) in all.enumerated() {
            direct.apply(e)
            if k < 1000 { atSnapshot.apply(e) }
        }
        // Batches of 100 entries: the first 1,000 entries are batches 1–10.
        try await log.saveSnapshot(sequence: 10, createdAt: Timestamp(milliseconds: 0), engine: atSnapshot)
        let result = try await EngineRebuilder(log: log, configuration: EngineConfiguration()).recover()
        #expect(result.fromSnapshot == 10)
        #expect(result.replayedEntries == all.count - 1000)
        let (got, want) = (try Self.values(result.engine), try Self.values(direct))
        #expect(got == want, "\(got) vs \(want)")
    }

    @Test func backfillAppliesTheDefinitionToTheWholeLog() async throws {
        let all = Self.events(count: 1500)
        let definition = LogEntry.defineMetric(
            model: "m", name: "high", expression: "sum(score > 0.8 and label == 1) / sum(label == 1)", backfill: true)
        // A non-backfilled definition first, then the backfilled one supersedes it.
        let early = LogEntry.defineMetric(model: "m", name: "high", expression: "count()", backfill: false)
        let log = try await Self.log(Array(all[..<500]) + [early] + Array(all[500...]) + [definition], batch: 1)
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        var expected = Engine()
        expected.apply(definition)
        for e in all { expected.apply(e) }
        let result = try await EngineRebuilder(log: log, configuration: EngineConfiguration()).recover()
        #expect(try Self.values(result.engine, ["high"]) == Self.values(expected, ["high"]))
    }
}
