import Foundation
import Testing
import VigilCore
import VigilStore

/// What every ``Store`` must do, run against each backend in ``StoreBackend/all``: the log, metadata written
/// with it, reads by event time, snapshots and retention. Metadata (documents, SLOs, alerts, changes,
/// lineage) is in ``StoreMetadataContractTests``.
@Suite struct StoreContractTests {
    static let t0 = Timestamp(milliseconds: 1_796_256_000_000)  // 2026-12-02T00:00Z

    static func feedback(_ id: String, _ t: Timestamp) -> LogEntry {
        .feedback(Feedback(id: id, time: t, label: .number(1)))
    }

    static func record(_ seq: Int64, _ entries: [LogEntry]) -> LogRecord {
        var body: [UInt8] = []
        for e in entries { LogCodec.encode(e, into: &body) }
        let times = entries.compactMap(\.eventTime)
        return LogRecord(
            sequence: seq, entries: entries.count, newestEvent: times.max(), oldestEvent: times.min(), body: body)
    }

    @Test(arguments: StoreBackend.all)
    func theLogReadsBackInOrderAndRefusesASequenceTwice(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.firstSequence() == nil)
            let entries = (0..<7).map { Self.feedback("f\($0)", Self.t0 + .seconds($0)) }
            try await store.append([Self.record(1, Array(entries[0...2])), Self.record(2, [entries[3]])])
            try await store.append([Self.record(3, Array(entries[4...]))])
            var read: [(Int64, LogEntry)] = []
            try await store.forEachEntry(after: 0) { read.append(($0, $1)) }
            #expect(read.map(\.1) == entries)
            #expect(read.map(\.0) == [1, 1, 1, 2, 3, 3, 3])
            #expect(try await store.lastSequence() == 3)
            #expect(try await store.count() == (batches: 3, entries: 7))
            #expect(try await store.count(after: 1) == (batches: 2, entries: 4))
            await #expect(throws: (any Error).self) { try await store.append([Self.record(3, [entries[0]])]) }
            #expect(try await store.count().entries == 7)
        }
    }

    @Test(arguments: StoreBackend.all)
    func updatesCommitWithTheirBatchOrNotAtAll(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let definition = StoredMetricDefinition(
                model: "m", name: "hits", expression: "sum(label == 1)", backfill: true, sequence: 1, definedAt: Self.t0
            )
            var body: [UInt8] = []
            LogCodec.encode(
                .defineMetric(model: "m", name: "hits", expression: "sum(label == 1)", backfill: true), into: &body)
            let control = LogRecord(sequence: 1, entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
            let change = Change.customMetric(
                model: "m", name: "hits", expression: "sum(label == 1)", backfill: true, at: Self.t0)
            try await store.append(
                [control],
                updates: [
                    .saveMetric(definition), .setting(key: StoreSettings.rebuildSequence, value: 1), .changes([change]),
                ])
            #expect(try await store.metricDefinitions() == [definition])
            #expect(try await store.setting(StoreSettings.rebuildSequence) == 1)
            #expect(
                try await store.changes(model: "m", from: nil, to: nil, kinds: nil, limit: 10).map(\.subject) == [
                    "hits"
                ])

            // A batch whose sequence is taken fails, and its updates go with it.
            let other = StoredMetricDefinition(
                model: "m", name: "other", expression: "count()", backfill: false, sequence: 1, definedAt: Self.t0)
            await #expect(throws: (any Error).self) {
                try await store.append([control], updates: [.saveMetric(other), .setting(key: "x", value: 9)])
            }
            #expect(try await store.metricDefinitions(model: "m").map(\.name) == ["hits"])
            #expect(try await store.setting("x") == nil)

            // Removing the model forgets its metadata.
            try await store.saveDocument(["a": 1], model: "m", kind: .rules, at: Self.t0)
            try await store.saveDeployment(
                Deployment(model: "m", version: "v1", stage: .primary, startedAt: Self.t0), retiring: nil, changes: [])
            try await store.append(
                [LogRecord(sequence: 2, entries: 1, newestEvent: nil, oldestEvent: nil, body: body)],
                updates: [.deleteModel("m")])
            #expect(try await store.metricDefinitions().isEmpty)
            #expect(try await store.document([String: Int].self, model: "m", kind: .rules) == nil)
            #expect(try await store.deployments(model: "m").isEmpty)
            #expect(try await store.hasTimeline(model: "m") == false)
        }
    }

    @Test(arguments: StoreBackend.all)
    func readsByEventTimeTakeOnlyTheBatchesTheRangeMeets(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            #expect(try await store.eventTimeRange() == nil)
            let hour = Duration.seconds(3600)
            // Batch k holds events of hour k; batch 4 is a control batch; batch 5 is late, holding hour 0 and hour 5.
            try await store.append(
                (0..<4).map { Self.record(Int64($0 + 1), [Self.feedback("f\($0)", Self.t0 + hour * $0)]) })
            var body: [UInt8] = []
            LogCodec.encode(.deleteMetric(model: "m", name: "x"), into: &body)
            try await store.append([LogRecord(sequence: 5, entries: 1, newestEvent: nil, oldestEvent: nil, body: body)])
            try await store.append([
                Self.record(
                    6, [Self.feedback("late", Self.t0 + .seconds(60)), Self.feedback("f5", Self.t0 + hour * 5)])
            ])
            var seen: [Int64] = []
            let read = try await store.forEachRecord(eventsAfter: Self.t0 + hour, through: Self.t0 + hour * 2) {
                seq, _ in
                seen.append(seq)
            }
            // Batch 6's span (one minute to five hours) meets the range: it may hold an event there.
            #expect(seen == [3, 5, 6])
            #expect(read.first == 1 && read.last == 6 && read.batches == 6 && read.batchesRead == 3)
            seen = []
            _ = try await store.forEachRecord(eventsAfter: nil, through: Self.t0 + .seconds(1)) { seq, _ in
                seen.append(seq)
            }
            #expect(seen == [1, 5])
            let range = try #require(try await store.eventTimeRange())
            #expect(range.earliest == Self.t0 && range.latest == Self.t0 + hour * 5)
            // Batch 6 holds an event before hour 1, batch 5 is a control batch: both change a replay to hour 1.
            #expect(try await store.changedHistory(after: 4, first: 1, atOrBefore: Self.t0 + hour))
            #expect(try await store.changedHistory(after: 5, first: 1, atOrBefore: Self.t0 + .seconds(30)) == false)
            #expect(try await store.changedHistory(after: 5, first: 1, atOrBefore: Self.t0 + .seconds(60)))
            // A checkpoint (a control batch) changes no replay.
            try await store.append([
                LogRecord(
                    sequence: 7, entries: 1, newestEvent: nil, oldestEvent: nil, body: LogCodec.checkpointBody)
            ])
            #expect(try await store.changedHistory(after: 6, first: 1, atOrBefore: Self.t0 + hour * 9) == false)
        }
    }

    @Test(arguments: StoreBackend.all)
    func snapshotsRestoreAndRetentionKeepsEverythingAfterTheBase(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            try await store.append(
                (1...6).map { Self.record(Int64($0), [Self.feedback("f\($0)", Self.t0 + .seconds($0))]) })
            #expect(try await store.snapshot() == nil)
            #expect(try await store.prune(olderThan: Self.t0 + .seconds(100)) == 0)  // nothing goes before a snapshot
            var engine = Engine()
            _ = try engine.ingest(Feedback(id: "x", time: Self.t0, label: .number(1)))
            let size = try await store.saveSnapshot(sequence: 2, createdAt: Self.t0, engine: engine)
            try await store.saveSnapshot(sequence: 4, createdAt: Self.t0, engine: Engine())
            #expect(size > 0)
            #expect(try await store.snapshotSequences() == [2, 4])
            #expect(try await store.snapshot()?.sequence == 4)
            let base = try #require(try await store.snapshot(newest: false))
            #expect(base.sequence == 2)
            #expect(try EngineSnapshot.decode(base.body)?.statistics.orphansPending == 1)
            // Batches 1–3 are older than the cutoff; the newest snapshot before batch 4 is at 2.
            #expect(try await store.firstSequence() == 1)
            #expect(try await store.prune(olderThan: Self.t0 + .milliseconds(3_500)) == 2)
            #expect(try await store.snapshotSequences() == [2, 4])
            #expect(try await store.count().batches == 4)
            #expect(try await store.firstSequence() == 3)
            #expect(try await store.prune(olderThan: Self.t0 + .seconds(100)) == 2)
            #expect(try await store.snapshotSequences() == [4])
            #expect(try await store.lastSequence() == 6)
            #expect(try await store.firstSequence() == 5)
        }
    }

    @Test(arguments: StoreBackend.all)
    func whatWasCommittedIsThereAfterAReopen(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            var store: (any Store)? = try await location.open()
            try await store!.append(
                [Self.record(1, [Self.feedback("a", Self.t0)])], updates: [.setting(key: "k", value: 7)])
            try await store!.saveSnapshot(sequence: 1, createdAt: Self.t0, engine: Engine())
            try await store!.saveDocument(["v": 2], model: "m", kind: .about, at: Self.t0)
            store = nil
            let reopened = try await location.open()
            #expect(try await reopened.lastSequence() == 1)
            #expect(try await reopened.setting("k") == 7)
            #expect(try await reopened.snapshotSequences() == [1])
            #expect(try await reopened.document([String: Int].self, model: "m", kind: .about) == ["v": 2])
        }
    }
}
