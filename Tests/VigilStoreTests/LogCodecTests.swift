import Foundation
import Testing
import VigilCore
import VigilStore

/// Entries read back from the log equal what was written.
@Suite struct LogCodecTests {
    static let entries: [LogEntry] = [
        .prediction(
            Prediction(
                id: "p1", time: Timestamp(milliseconds: 1_580_515_200_123), model: "taxi-tip", version: "v2",
                segments: ["borough": "Queens", "pay": "card"],
                features: ["d": .number(2.5), "b": .string("Brooklyn ✓"), "n": .null], score: .probability(0.63),
                prediction: .number(1))),
        .prediction(
            Prediction(
                id: "p2", time: Timestamp(milliseconds: -5), model: "trip",
                score: .classes([ClassScore("a", 0.25), ClassScore("b", 0.75)]),
                prediction: .category("b"))),
        .prediction(
            Prediction(id: "p3", time: Timestamp(milliseconds: 0), model: "fare", prediction: .number(-3.25e-7))),
        .feedback(Feedback(id: "p1", time: Timestamp(milliseconds: 1_580_600_000_000), label: .number(0))),
        .feedback(Feedback(id: "p2", time: Timestamp(milliseconds: 1), label: .category(""))),
        .defineMetric(model: "taxi-tip", name: "m", expression: "sum(label == 1) / count()", backfill: true),
        .deleteMetric(model: "taxi-tip", name: "m"),
        .declareModel(model: "tiers", task: .multiclass, classes: ["low", "mid", "high"]),
        .declareModel(model: "clicks", task: .binary, classes: []),
        .prediction(
            Prediction(
                id: "p1", time: Timestamp(milliseconds: 1_580_515_200_500), model: "taxi-tip", version: "v3",
                score: .probability(0.41), shadow: true)),
    ]

    @Test func roundTrip() throws {
        var bytes: [UInt8] = []
        for e in Self.entries { LogCodec.encode(e, into: &bytes) }
        var decoded: [LogEntry] = []
        try bytes.withUnsafeBytes { try LogCodec.decode($0) { decoded.append($0) } }
        #expect(decoded == Self.entries)
    }

    @Test func truncatedRecordsAreReportedNotMisread() {
        var bytes: [UInt8] = []
        LogCodec.encode(Self.entries[0], into: &bytes)
        for cut in [1, 5, bytes.count / 2, bytes.count - 1] {
            #expect(throws: LogCorruption.self) {
                try Array(bytes[..<cut]).withUnsafeBytes { try LogCodec.decode($0) { _ in } }
            }
        }
    }
}

/// The SQLite log: append, read back in order, snapshots, retention.
@Suite struct EventLogTests {
    static func temporaryLog() throws -> EventLog {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)").path
        return try EventLog(StoreConfiguration(directory: dir, synchronous: .off))
    }

    static func record(_ seq: Int64, _ entries: [LogEntry]) -> LogRecord {
        var body: [UInt8] = []
        for e in entries { LogCodec.encode(e, into: &body) }
        let times = entries.compactMap(\.eventTime)
        return LogRecord(
            sequence: seq, entries: entries.count, newestEvent: times.max(), oldestEvent: times.min(), body: body)
    }

    @Test func appendAndReadInOrder() async throws {
        let log = try Self.temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        try await log.append([
            Self.record(1, Array(LogCodecTests.entries[0...2])), Self.record(2, [LogCodecTests.entries[3]]),
        ])
        try await log.append([Self.record(3, Array(LogCodecTests.entries[4...]))])
        #expect(try log.lastSequence() == 3)
        var read: [(Int64, LogEntry)] = []
        try log.forEachEntry(after: 0) { read.append(($0, $1)) }
        #expect(read.map(\.1) == LogCodecTests.entries)
        #expect(read.map(\.0) == [1, 1, 1, 2, 3, 3, 3, 3, 3, 3])
        #expect(try log.count(after: 1).entries == 7)
        // A sequence number is written once: a second commit of it fails rather than duplicating.
        await #expect(throws: (any Error).self) { try await log.append([Self.record(3, [LogCodecTests.entries[3]])]) }
    }

    @Test func retentionKeepsEverythingAfterTheBaseSnapshot() async throws {
        let log = try Self.temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        func feedback(_ id: String, _ ms: Int64) -> LogEntry {
            .feedback(Feedback(id: id, time: Timestamp(milliseconds: ms), label: .number(1)))
        }
        try await log.append((1...6).map { Self.record(Int64($0), [feedback("f\($0)", Int64($0) * 1000)]) })
        // Nothing can go before a snapshot exists.
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 10_000)) == 0)
        try await log.saveSnapshot(sequence: 2, createdAt: Timestamp(milliseconds: 0), engine: Engine())
        try await log.saveSnapshot(sequence: 4, createdAt: Timestamp(milliseconds: 0), engine: Engine())
        // Batches 1–3 are older than the cutoff; the newest snapshot before batch 4 is at 2.
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 3_500)) == 2)
        #expect(try log.snapshotSequences() == [2, 4])
        #expect(try log.count(after: 0).batches == 4)
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 100_000)) == 2)
        #expect(try log.snapshotSequences() == [4])
        // The pruned snapshot's file went with its row.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: log.configuration.snapshotDirectory) == ["4.vgs"])
    }
}
