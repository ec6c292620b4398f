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
            for (part, body) in Self.parts(of: bytes).enumerated() {
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
            let body = try await readParts(
                "SELECT body FROM snapshot_part WHERE seq = \(seq) ORDER BY part", size: size, of: "snapshot \(seq)",
                on: c)
            return StoredSnapshot(sequence: seq, body: body)
        }
    }

    /// `bytes` in parts of ``snapshotPart``.
    static func parts(of bytes: [UInt8]) -> [ByteBuffer] {
        stride(from: 0, to: bytes.count, by: snapshotPart).map {
            ByteBuffer(bytes: bytes[$0..<min($0 + snapshotPart, bytes.count)])
        }
    }

    /// The parts `query` selects, joined; `size` is what the snapshot's row says they hold.
    func readParts(_ query: PostgresQuery, size: Int, of what: String, on c: PostgresConnection) async throws -> Data {
        var body = Data(capacity: size)
        for try await part in try await c.query(query, logger: logger).decode(ByteBuffer.self) {
            part.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        }
        guard body.count == size else { throw StorageError(reason: "\(what) holds \(body.count) bytes of \(size)") }
        return body
    }

    public func snapshotSequences() async throws -> [Int64] {
        try await rows("SELECT seq FROM snapshot ORDER BY seq").map { try $0.decode(Int64.self) }
    }

    @discardableResult
    public func prune(olderThan cutoff: Timestamp) async throws -> Int {
        try await transaction { c in
            // The newest snapshot position such that every batch at or before it is older than the cutoff: a
            // whole snapshot's, or a checkpoint's whose shard snapshots hold every shard.
            let firstYoung =
                try await rows(
                    "SELECT min(seq) FROM log WHERE shard = -1 AND newest_ms >= \(cutoff.milliseconds)", on: c)[0]
                .decode(Int64?.self) ?? Int64.max
            guard
                let base = try await rows(
                    """
                    SELECT max(seq) FROM (SELECT seq FROM snapshot UNION ALL SELECT seq FROM (\(unescaped: Self.completeSets)) c) b
                    WHERE seq < \(firstYoung)
                    """, on: c)[0].decode(Int64?.self)
            else { return 0 }
            let dropped = try await rows(
                "WITH d AS (DELETE FROM log WHERE seq <= \(base) RETURNING shard) SELECT count(*) FILTER (WHERE shard = -1) FROM d",
                on: c)[0].decode(Int.self)
            try await c.query("DELETE FROM snapshot WHERE seq < \(base)", logger: logger)
            // A shard snapshot before the log's new start could not be replayed from.
            try await c.query("DELETE FROM shard_snapshot WHERE seq < \(base)", logger: logger)
            return dropped
        }
    }
}
