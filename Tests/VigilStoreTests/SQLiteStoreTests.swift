import Foundation
import Testing
import VigilCore
import VigilStore

/// What only the SQLite store does: snapshot files beside the database go with their rows. (What every store
/// does is in `Contract/`.)
@Suite struct SQLiteStoreTests {
    static func temporaryLog() throws -> SQLiteStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)").path
        return try SQLiteStore(StoreConfiguration(directory: dir, synchronous: .off))
    }

    @Test func retentionRemovesThePrunedSnapshotsFiles() async throws {
        let log = try Self.temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: log.configuration.directory) }
        func feedback(_ id: String, _ ms: Int64) -> LogEntry {
            .feedback(Feedback(id: id, time: Timestamp(milliseconds: ms), label: .number(1)))
        }
        try await log.append(
            (1...6).map { StoreContractTests.record(Int64($0), [feedback("f\($0)", Int64($0) * 1000)]) })
        // Nothing can go before a snapshot exists.
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 10_000)) == 0)
        try await log.saveSnapshot(sequence: 2, createdAt: Timestamp(milliseconds: 0), engine: Engine())
        try await log.saveSnapshot(sequence: 4, createdAt: Timestamp(milliseconds: 0), engine: Engine())
        // Batches 1–3 are older than the cutoff; the newest snapshot before batch 4 is at 2.
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 3_500)) == 2)
        #expect(try log.snapshotSequences() == [2, 4])
        #expect(try await log.count(after: 0).batches == 4)
        #expect(try await log.prune(olderThan: Timestamp(milliseconds: 100_000)) == 2)
        #expect(try log.snapshotSequences() == [4])
        // The pruned snapshot's file went with its row.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: log.configuration.snapshotDirectory) == ["4.vgs"])
    }
}
