import Foundation
import PostgresNIO
import VigilCore

/// Engine snapshots as rows: the snapshot's bytes in parts of ``snapshotPart`` (a bytea value holds at most
/// 1 GB, and smaller parts stream), written in one transaction with the thinning of older snapshots, so a
/// snapshot is either whole or absent. Retention as in ``SQLiteStore``.
extension PostgresStore {
    /// Bytes per stored part.
    static let snapshotPart = 8 << 20

    @discardableResult
    public func saveSnapshot(sequence: Int64, createdAt: Timestamp, engine: Engine) async throws -> Int {
        let bytes = try EngineSnapshot.encode(engine)
        try await transaction { c in
            try await c.query("DELETE FROM snapshot WHERE seq = \(sequence)", logger: logger)
            try await c.query(
                "INSERT INTO snapshot (seq, created_ms, size) VALUES (\(sequence), \(createdAt.milliseconds), \(Int64(bytes.count)))",
                logger: logger)
            for (part, start) in stride(from: 0, to: bytes.count, by: Self.snapshotPart).enumerated() {
                let body = ByteBuffer(bytes: bytes[start..<min(start + Self.snapshotPart, bytes.count)])
                try await c.query(
                    "INSERT INTO snapshot_part (seq, part, body) VALUES (\(sequence), \(part), \(body))",
                    logger: logger)
            }
            // Between the base (the oldest) and the new one, keep only the first of each day.
            try await c.query(
                """
                DELETE FROM snapshot WHERE seq < \(sequence) AND seq > (SELECT min(seq) FROM snapshot)
                    AND seq NOT IN (SELECT min(seq) FROM snapshot GROUP BY created_ms / 86400000)
                """, logger: logger)
        }
        return bytes.count
    }

    public func snapshot(newest: Bool) async throws -> StoredSnapshot? {
        try await transaction(isolation: "REPEATABLE READ") { c in
            guard
                let (seq, size) = try await rows(
                    "SELECT seq, size FROM snapshot ORDER BY seq \(unescaped: newest ? "DESC" : "ASC") LIMIT 1", on: c
                ).first?.decode((Int64, Int).self)
            else { return nil }
            var body = Data(capacity: size)
            let parts = try await c.query(
                "SELECT body FROM snapshot_part WHERE seq = \(seq) ORDER BY part", logger: logger)
            for try await part in parts.decode(ByteBuffer.self) {
                part.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            }
            guard body.count == size else {
                throw StorageError(reason: "snapshot \(seq) holds \(body.count) bytes of \(size)")
            }
            return StoredSnapshot(sequence: seq, body: body)
        }
    }

    public func snapshotSequences() async throws -> [Int64] {
        try await rows("SELECT seq FROM snapshot ORDER BY seq").map { try $0.decode(Int64.self) }
    }

    @discardableResult
    public func prune(olderThan cutoff: Timestamp) async throws -> Int {
        try await transaction { c in
            // The newest snapshot position such that every batch at or before it is older than the cutoff.
            let firstYoung =
                try await rows("SELECT min(seq) FROM log WHERE newest_ms >= \(cutoff.milliseconds)", on: c)[0]
                .decode(Int64?.self) ?? Int64.max
            guard
                let base = try await rows("SELECT max(seq) FROM snapshot WHERE seq < \(firstYoung)", on: c)[0]
                    .decode(Int64?.self)
            else { return 0 }
            let dropped = try await rows(
                "WITH d AS (DELETE FROM log WHERE seq <= \(base) RETURNING 1) SELECT count(*) FROM d", on: c)[0]
                .decode(Int.self)
            try await c.query("DELETE FROM snapshot WHERE seq < \(base)", logger: logger)
            return dropped
        }
    }
}
