import Foundation
import PostgresNIO
import VigilCore

/// Shard snapshots as rows (see ``ShardSnapshotStore``), stored in parts as whole snapshots are; a snapshot is
/// written in one transaction with the thinning, so it is either whole or absent.
extension PostgresStore: ShardSnapshotStore {
    @discardableResult
    public func saveShardSnapshot(sequence: Int64, node: String, createdAt: Timestamp, engine: Engine) async throws
        -> Int
    {
        let part = engine.ownedPart
        let bytes = try EngineSnapshot.encode(part)
        let shards = (part.ownedShards ?? Set(0..<part.shardCount)).sorted().map(Int32.init)
        try await transaction { c in
            try await c.query(
                "DELETE FROM shard_snapshot WHERE seq = \(sequence) AND node = \(node)", logger: logger)
            try await c.query(
                """
                INSERT INTO shard_snapshot (seq, node, shards, shard_count, created_ms, size)
                VALUES (\(sequence), \(node), \(shards), \(Int32(part.shardCount)), \(createdAt.milliseconds),
                    \(Int64(bytes.count)))
                """, logger: logger)
            for (index, body) in Self.parts(of: bytes).enumerated() {
                try await c.query(
                    """
                    INSERT INTO shard_snapshot_part (seq, node, part, body)
                    VALUES (\(sequence), \(node), \(Int32(index)), \(body))
                    """, logger: logger)
            }
            // A snapshot is no longer needed once a newer one holds each of its shards, unless it belongs to a
            // complete set that is kept (the oldest, the newest, and the first of each day, as whole snapshots).
            try await c.query(
                """
                WITH complete AS (\(unescaped: Self.completeSets)),
                kept AS (
                    SELECT min(seq) AS seq FROM complete UNION SELECT max(seq) FROM complete
                    UNION SELECT min(seq) FROM complete GROUP BY created_ms / 86400000)
                DELETE FROM shard_snapshot s
                WHERE s.seq NOT IN (SELECT seq FROM kept WHERE seq IS NOT NULL) AND NOT EXISTS (
                    SELECT 1 FROM unnest(s.shards) AS k
                    WHERE NOT EXISTS (SELECT 1 FROM shard_snapshot t WHERE t.seq > s.seq AND k = ANY (t.shards)))
                """, logger: logger)
        }
        return bytes.count
    }

    /// The batches whose shard snapshots together hold every shard (`seq`, `created_ms`: when the first was saved).
    static let completeSets = """
        SELECT s.seq, min(s.created_ms) AS created_ms FROM shard_snapshot s, unnest(s.shards) AS k
        GROUP BY s.seq HAVING count(DISTINCT k) >= max(s.shard_count)
        """

    public func shardSnapshots() async throws -> [ShardSnapshotInfo] {
        try await rows(
            "SELECT seq, node, shards, shard_count, created_ms, size FROM shard_snapshot ORDER BY seq DESC, node"
        ).map { row in
            let (seq, node, shards, count, created, size) = try row.decode(
                (Int64, String, [Int32], Int32, Int64, Int64).self)
            return ShardSnapshotInfo(
                sequence: seq, node: node, shards: shards.map(Int.init), shardCount: Int(count),
                createdAt: Timestamp(milliseconds: created), size: Int(size))
        }
    }

    public func shardSnapshot(_ info: ShardSnapshotInfo) async throws -> StoredSnapshot? {
        try await transaction(isolation: "REPEATABLE READ") { c in
            guard
                let size = try await rows(
                    "SELECT size FROM shard_snapshot WHERE seq = \(info.sequence) AND node = \(info.node)", on: c
                ).first?.decode(Int.self)
            else { return nil }
            let body = try await readParts(
                "SELECT body FROM shard_snapshot_part WHERE seq = \(info.sequence) AND node = \(info.node) ORDER BY part",
                size: size, of: "shard snapshot \(info.sequence) of \(info.node)", on: c)
            return StoredSnapshot(sequence: info.sequence, body: body)
        }
    }
}
