import Foundation
import GRDB
import Testing
import VigilCore

@testable import VigilStore

/// As-of replays from the nearest checkpoint equal a replay of the whole history, and replay only the events
/// after the checkpoint.
@Suite struct AsOfReplayerTests {
    static let day: Int64 = 86_400_000
    /// Six days of predictions a minute apart, with labels an hour later, corrections and orphans; batches of
    /// 100 entries in the order the generator writes them (not in time order).
    static let entries = EngineRebuilderTests.events(count: 8_640)
    static let start: Int64 = 1_700_000_000_000  // 2023-11-14T22:13:20Z

    /// The state as of `t` by replaying, from scratch, every recorded event at or before it.
    static func fullReplay(_ entries: [LogEntry], asOf t: Timestamp) -> Engine {
        var predictions: [Prediction] = []
        var feedback: [Feedback] = []
        for e in entries {
            switch e {
            case .prediction(let p) where p.time <= t: predictions.append(p)
            case .feedback(let f) where f.time <= t: feedback.append(f)
            default: break
            }
        }
        var engine = Engine()
        var cursor = ReplayCursor(predictions: predictions, feedback: feedback)
        var result = EventReplay.Result()
        cursor.advance(through: nil, into: &engine, result: &result)
        return engine
    }

    static func events(_ entries: [LogEntry], after a: Timestamp?, through b: Timestamp) -> Int {
        entries.filter { e in
            guard let t = e.eventTime else { return false }
            return t <= b && (a.map { t > $0 } ?? true)
        }.count
    }

    static func expectSameState(_ got: Engine, _ want: Engine, _ note: Comment) throws {
        #expect(try EngineRebuilderTests.values(got) == EngineRebuilderTests.values(want), note)
        let lastDay = Window.range(
            from: Timestamp(milliseconds: start + 3 * day), to: Timestamp(milliseconds: start + 4 * day))
        #expect(
            try got.metrics(model: "m", window: lastDay).values == want.metrics(model: "m", window: lastDay).values,
            note)
        #expect(got.statistics == want.statistics, note)
    }

    @Test func aQueryAfterACheckpointReplaysOnlyTheEventsSinceIt() async throws {
        let log = try await EngineRebuilderTests.log(Self.entries)
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        let replayer = AsOfReplayer(log: log, configuration: EngineConfiguration(), capacity: 4)

        // The first question replays from the beginning and leaves checkpoints on the last 4 UTC midnights.
        let t1 = Timestamp(milliseconds: Self.start + 4 * Self.day + Self.day / 2)
        let (first, r1) = try await replayer.engine(asOf: t1)
        #expect(r1.checkpoint == nil)
        #expect(r1.replayedEvents == Self.events(Self.entries, after: nil, through: t1))
        #expect(r1.checkpointsSaved == 4)
        let midnight = Timestamp(milliseconds: t1.milliseconds / Self.day * Self.day)
        #expect(replayer.checkpointTimes == (0..<4).reversed().map { midnight - .seconds(86_400 * $0) })
        try Self.expectSameState(first, Self.fullReplay(Self.entries, asOf: t1), "from the beginning")

        // Two hours later: from that midnight's checkpoint, reading only the batches that reach past it.
        let t2 = t1 + .seconds(7_200)
        let (second, r2) = try await replayer.engine(asOf: t2)
        #expect(r2.checkpoint == midnight)
        let since = Self.events(Self.entries, after: midnight, through: t2)
        #expect(r2.replayedEvents == since)
        #expect(since < r1.replayedEvents / 3)
        #expect(r2.batchesRead < r2.batches / 2, "read \(r2.batchesRead) of \(r2.batches) batches")
        try Self.expectSameState(second, Self.fullReplay(Self.entries, asOf: t2), "from a checkpoint")
    }

    @Test func aLateEventDropsTheCheckpointsItPrecedes() async throws {
        let log = try await EngineRebuilderTests.log(Self.entries)
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        let replayer = AsOfReplayer(log: log, configuration: EngineConfiguration(), capacity: 4)
        let t = Timestamp(milliseconds: Self.start + 5 * Self.day)
        _ = try await replayer.engine(asOf: t)
        let checkpoints = replayer.checkpointTimes
        #expect(checkpoints.count == 4)

        // A correction logged now, that arrived between the second and third checkpoints.
        let arrived = checkpoints[1] + .seconds(600)
        let late = LogEntry.feedback(Feedback(id: "p100", time: arrived, label: .number(0)))
        let sequence = try log.lastSequence() + 1
        try await log.append([StoreContractTests.record(sequence, [late])])
        let all = Self.entries + [late]

        let (engine, report) = try await replayer.engine(asOf: t)
        #expect(report.checkpoint == checkpoints[1])
        #expect(report.replayedEvents == Self.events(all, after: checkpoints[1], through: t))
        try Self.expectSameState(engine, Self.fullReplay(all, asOf: t), "after a late event")
        // The two stale ones were rebuilt on the way.
        #expect(report.checkpointsSaved == 2)
        #expect(replayer.checkpointTimes == checkpoints)
    }

    @Test func aBacktestSeesAtEachStepWhatAFullReplayWouldHave() async throws {
        let entries = Array(Self.entries.prefix(6_000))
        let log = try await EngineRebuilderTests.log(entries)
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        let replayer = AsOfReplayer(log: log, configuration: EngineConfiguration(), capacity: 2)
        let steps = (1...4).map { Timestamp(milliseconds: Self.start + Int64($0) * Self.day / 2) }
        var seen: [Timestamp: [String: MetricValue]] = [:]
        let report = try await replayer.replay(through: steps) { t, engine in
            seen[t] = try EngineRebuilderTests.values(engine)
        }
        #expect(report.replayedEvents == Self.events(entries, after: nil, through: steps.last!))
        for t in steps {
            #expect(try seen[t] == EngineRebuilderTests.values(Self.fullReplay(entries, asOf: t)), "at \(t)")
        }
    }
}

/// A log written before batches recorded their span gets it from the migration.
@Suite struct LogSpanMigrationTests {
    @Test func theMigrationRecordsTheOldestEventOfEveryBatch() async throws {
        let entries = EngineRebuilderTests.events(count: 500)
        let directory: String
        do {
            let log = try await EngineRebuilderTests.log(entries)
            directory = log.configuration.directory
            // Back to the schema before version 10.
            try await log.pool.write { db in
                try db.execute(
                    sql: """
                        DROP INDEX log_span;
                        ALTER TABLE log DROP COLUMN oldest_ms;
                        DELETE FROM grdb_migrations WHERE identifier = 'v10';
                        """)
            }
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try SQLiteStore(StoreConfiguration(directory: directory, synchronous: .off))
        let times = entries.compactMap(\.eventTime)
        let range = try #require(try log.eventTimeRange())
        #expect(range.earliest == times.min())
        #expect(range.latest == times.max())
        // Each batch's span is its own: a window read finds exactly the batches holding events in it.
        let (from, to) = (times[300], times[320])
        var read = 0
        let span = try log.forEachRecord(eventsAfter: from, through: to) { _, bytes in
            read += 1
            var inWindow = 0
            try LogCodec.decode(bytes) { e in if let t = e.eventTime, t > from, t <= to { inWindow += 1 } }
            #expect(inWindow > 0)
        }
        #expect(span.batchesRead == read)
        #expect(read >= 1 && read < span.batches)
    }
}
